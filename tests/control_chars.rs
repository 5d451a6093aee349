//! Vendor text with terminal escapes and bidi overrides never reaches the
//! output of any format live: no ESC byte, no U+202E, no C1 control in the
//! bytes (for xlsx, in the XML of the package), and what it said is shown
//! as a visible escape (`\u{1b}`; JSON and SARIF escape it as JSON does).

mod common;

use std::io::{Cursor, Read};
use std::sync::Arc;

use common::escapes::*;
use common::*;
use kaiji::form::FormRegistry;
use kaiji::report::{FailOn, Finding, Format, PolicyOutcome, PolicySite, PolicyStatus, Severity, SheetReport};
use kaiji::sheet::{self, SheetFormat, Span};

const POLICY: &str = "//! id: H-AUTH-001\nif !sheet.is_yes(\"17.1.d\") {\n    fail(\"17.1.d\", \"二要素認証\");\n}\n";

/// The hostile sheet with its lint findings and a policy failure on the
/// question whose remark and note hold the escapes.
fn hostile_run() -> (kaiji::report::RunInfo, Vec<SheetReport>) {
    let forms = FormRegistry::builtin();
    let sheet = sheet::load_str("vendors/escape.toml", hostile_text(), SheetFormat::Toml, &forms).unwrap();
    assert_eq!(sheet.vendor(), VENDOR);
    let sheet = Arc::new(sheet);
    let mut r = SheetReport::new("vendors/escape.toml", Some(sheet.clone()));
    r.findings.extend(kaiji::lint::lint(&sheet));
    assert!(r.findings.iter().any(|f| f.message.contains('\u{1b}')), "a lint message quotes the answer");
    let q = sheet.form.index_of("17.1.d").unwrap();
    let mut f = Finding::policy("H-AUTH-001", Severity::Error, format!("二要素認証: {REMARK}")).at_question(&sheet, q);
    let call = POLICY.find("fail(").unwrap();
    f.policy_site = Some(PolicySite {
        path: "policies/h-auth-001.rhai".into(),
        source: Arc::from(POLICY),
        span: Span::new(call, call + POLICY[call..].find(';').unwrap()),
    });
    f.label = Some(format!("answered {NOTE}").into());
    r.findings.push(f);
    r.policies = vec![PolicyOutcome { id: "H-AUTH-001".into(), status: PolicyStatus::Fail, warnings: 0, reason: None }];
    r.finalize(FailOn::Error);
    let run = check_run();
    (run, vec![r])
}

/// Bytes that must never appear: ESC, U+202E, U+009B (CSI), U+0085 (NEL).
fn assert_inert(what: &str, bytes: &[u8]) {
    let find = |needle: &[u8]| bytes.windows(needle.len()).position(|w| w == needle);
    for (name, needle) in
        [("ESC", &b"\x1b"[..]), ("BEL", b"\x07"), ("U+202E", "\u{202e}".as_bytes()), ("CSI", "\u{9b}".as_bytes())]
    {
        if let Some(at) = find(needle) {
            let from = at.saturating_sub(80);
            panic!(
                "{what}: raw {name} at {at}: {:?}",
                String::from_utf8_lossy(&bytes[from..(at + 40).min(bytes.len())])
            );
        }
    }
}

/// XML 1.0 allows no C0 control but tab, LF and CR, even as a reference.
fn assert_valid_xml_chars(what: &str, xml: &str) {
    assert!(!xml.contains(|c: char| (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r')), "{what}");
    assert!(!xml.contains("&#27;") && !xml.contains("&#x1b;") && !xml.contains("&#x1B;"), "{what}");
}

fn output(format: Format) -> Vec<u8> {
    let (run, reports) = hostile_run();
    render(format, &run, &reports)
}

/// The escapes each text format shows.
fn assert_shown(format: Format, text: &str) {
    // Markdown also backslash-escapes the brackets.
    let vendor = match format {
        Format::Markdown => "\\u{1b}\\[2J\\u{1b}\\[H\\u{1b}\\[32mPASS",
        _ => "\\u{1b}[2J\\u{1b}[H\\u{1b}[32mPASS",
    };
    assert!(text.contains(vendor), "{format:?}: vendor shown escaped");
    assert!(text.contains("\\u{202e}"), "{format:?}: bidi override shown escaped");
}

macro_rules! per_format {
    ($($name:ident => $format:expr;)*) => {
        $(
            #[test]
            fn $name() {
                let bytes = output($format);
                assert_inert(stringify!($name), &bytes);
                let text = String::from_utf8(bytes).unwrap();
                assert_shown($format, &text);
            }
        )*
    };
}

per_format! {
    human_has_no_live_control_characters => Format::Human;
    github_has_no_live_control_characters => Format::Github;
    markdown_has_no_live_control_characters => Format::Markdown;
    csv_has_no_live_control_characters => Format::Csv;
    html_has_no_live_control_characters => Format::Html;
}

#[test]
fn human_snippets_show_the_sheet_lines_escaped() {
    let text = String::from_utf8(output(Format::Human)).unwrap();
    // The remark line is underlined with its bidi and C1 controls escaped,
    // and the labels still point at the answer.
    assert!(text.contains("\\u{202e}逆順\\u{9b}2J"), "{text}");
    assert!(text.contains("answered 注記\\u{1b}[1A\\u{a}::error::injected\\u{d}\\u{202e}"), "{text}");
    assert!(text.contains("[17.1.d] 二要素認証: 二要素認証\\u{1b}[31m"), "{text}");
}

#[test]
fn junit_has_no_live_control_characters_and_is_valid_xml() {
    let bytes = output(Format::Junit);
    assert_inert("junit", &bytes);
    let text = String::from_utf8(bytes).unwrap();
    assert_valid_xml_chars("junit", &text);
    assert_shown(Format::Junit, &text);
}

#[test]
fn json_and_sarif_escape_control_characters_as_json() {
    for format in [Format::Json, Format::Sarif] {
        let bytes = output(format);
        assert_inert(&format!("{format:?}"), &bytes);
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.contains("\\u001b[31m"), "{format:?}");
        assert!(text.contains("\\u202e"), "{format:?}");
        assert!(text.contains("\\u009b"), "{format:?}");
        // The data is intact for a JSON reader.
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        let vendor_or_message = v.to_string();
        assert!(vendor_or_message.contains("\\u001b"), "{format:?}");
        if format == Format::Json {
            assert_eq!(v["sheets"][0]["vendor"], VENDOR);
            let messages: Vec<&str> =
                v["sheets"][0]["findings"].as_array().unwrap().iter().filter_map(|f| f["message"].as_str()).collect();
            assert!(messages.iter().any(|m| m.contains(REMARK)), "{messages:?}");
        }
    }
}

#[test]
fn xlsx_has_no_live_control_characters_and_is_valid_xml() {
    let bytes = output(Format::Xlsx);
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut all = String::new();
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).unwrap();
        let name = entry.name().unwrap().to_string();
        let mut xml = String::new();
        entry.read_to_string(&mut xml).unwrap();
        assert_inert(&name, xml.as_bytes());
        assert_valid_xml_chars(&name, &xml);
        // rust_xlsxwriter's own escape for controls (`_x001B_`) is not needed.
        assert!(!xml.contains("_x001B_"), "{name}");
        all.push_str(&xml);
    }
    assert!(all.contains("\\u{1b}[2J"), "vendor shown escaped");
    assert!(all.contains("\\u{202e}逆順\\u{9b}2J"), "remark shown escaped");
    assert!(all.contains("3.2\\u{1b}[8m") || !all.contains("3.2"), "version shown escaped");
}
