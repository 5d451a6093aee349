//! A sheet whose vendor text holds terminal escapes, a bidi override and
//! C1 controls, for the tests that no format or channel shows them live.

pub const VENDOR: &str = "\u{1b}[2J\u{1b}[H\u{1b}[32mPASS  all sheets passed";
pub const SERVICE: &str = "カルテ\u{1b}]0;owned\u{7}\u{202e}txt.exe";
pub const VERSION: &str = "3.2\u{1b}[8m";
/// Raw in the file: TOML allows C1 and bidi controls in strings.
pub const REMARK: &str = "二要素認証\u{1b}[31m未対応\u{202e}逆順\u{9b}2J";
pub const NOTE: &str = "注記\u{1b}[1A\n::error::injected\r\u{202e}";
pub const ANSWER: &str = "\u{1b}[32mはい";

/// A TOML basic string with only the characters TOML forbids raw escaped,
/// so the bidi and C1 controls sit raw in the sheet's text.
fn toml_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

pub fn hostile_text() -> String {
    let text = std::fs::read_to_string("examples/sheets/aozora-cloud.toml").unwrap();
    let mut out = Vec::new();
    for line in text.lines() {
        let l = if line.starts_with("vendor = ") {
            format!("vendor = {}", toml_str(VENDOR))
        } else if line.starts_with("service = ") {
            format!("service = {}", toml_str(SERVICE))
        } else if line.starts_with("version = ") {
            format!("version = {}", toml_str(VERSION))
        } else if line.starts_with("\"17.1.d\" = ") {
            format!("\"17.1.d\" = {{ answer = \"いいえ\", remarks = [7], note = {} }}", toml_str(NOTE))
        } else if line.starts_with("\"17.1.e\" = ") {
            format!("\"17.1.e\" = {{ answer = {}, remarks = [8] }}", toml_str(ANSWER))
        } else if line.starts_with("7 = ") {
            format!("7 = {}", toml_str(REMARK))
        } else {
            line.to_string()
        };
        out.push(l);
    }
    out.join("\n") + "\n"
}
