//! Every channel through which kaiji shows vendor text on a terminal or in
//! a CI log — the human report, lint, diff, the import account, GitHub
//! annotations, a policy's `print`/`debug` — writes no ESC byte: what the
//! sheet said is shown as `\u{1b}`.

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use common::escapes::*;

fn kaiji() -> Command {
    let mut c = assert_cmd::cargo::cargo_bin_cmd!("kaiji");
    c.current_dir(env!("CARGO_MANIFEST_DIR")).env("NO_COLOR", "1").env("COLUMNS", "100");
    c
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// Run, and check neither stream holds a live ESC, C1 CSI or U+202E and
/// that kaiji did not crash; returns stdout and stderr.
fn run(cmd: &mut Command) -> (String, String) {
    let out = cmd.output().unwrap();
    assert!(matches!(out.status.code(), Some(0..=2)), "{:?}: {}", out.status, String::from_utf8_lossy(&out.stderr));
    for (name, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        let text = String::from_utf8_lossy(bytes);
        assert!(!bytes.contains(&0x1b), "raw ESC on {name}:\n{text}");
        assert!(!text.contains(['\u{9b}', '\u{202e}', '\u{7}']), "raw control on {name}:\n{text}");
    }
    (String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

const SHOWN_VENDOR: &str = "\\u{1b}[2J\\u{1b}[H\\u{1b}[32mPASS";

#[test]
fn check_human_shows_vendor_text_escaped() {
    let d = tempfile::tempdir().unwrap();
    let sheet = write(d.path(), "escape.toml", &hostile_text());
    // A sheet that cannot be read, with a raw ESC on the line its error shows.
    let broken = write(d.path(), "broken.toml", "[sheet]\nvendor = \"\u{1b}[2J\u{1b}[32mPASS\n");
    let (out, err) = run(kaiji().args(["check", "-f", "human"]).arg(&sheet).arg(&broken));
    assert!(out.contains(&format!("FAIL  {}  {SHOWN_VENDOR}", sheet.display())), "{out}");
    assert!(out.contains("\\u{202e}txt.exe"), "{out}");
    // The miette snippet of the sheet file shows its raw bidi override escaped.
    assert!(out.contains("::error::injected\\u000D\\u{202e}\" }"), "{out}");
    assert!(out.contains("vendor = \"\\u{1b}[2J\\u{1b}[32mPASS"), "the broken line, escaped: {out}");
    assert!(err.is_empty() || !err.contains('\u{1b}'), "{err}");
}

#[test]
fn lint_human_shows_messages_escaped() {
    let d = tempfile::tempdir().unwrap();
    let sheet = write(d.path(), "escape.toml", &hostile_text());
    let (out, _) = run(kaiji().args(["lint", "-f", "human"]).arg(&sheet));
    assert!(out.contains("「\\u{1b}[32mはい」 is not an answer to question 17.1.e"), "{out}");
    assert!(out.contains(SHOWN_VENDOR), "{out}");
}

#[test]
fn diff_shows_both_sheets_escaped() {
    let d = tempfile::tempdir().unwrap();
    let sheet = write(d.path(), "escape.toml", &hostile_text());
    // The note's lone CR once split its lines differently from the diff's
    // and panicked the renderer.
    let (out, _) = run(kaiji().args(["diff", "--no-policies", "examples/sheets/aozora-cloud.toml"]).arg(&sheet));
    assert!(out.contains("+ ::error::injected"), "{out}");
    assert!(out.contains(SHOWN_VENDOR), "metadata and the +++ line: {out}");
    assert!(out.contains("\\u{202e}逆順\\u{9b}2J"), "the remark's line diff: {out}");
    assert!(out.contains("\\u{1b}[32mはい"), "the answer: {out}");
    // A sheet that cannot be read: its error on stderr, escaped.
    let broken = write(d.path(), "broken.toml", "[sheet]\nvendor = \"\u{1b}[2J\n");
    let (_, err) = run(kaiji().args(["diff", "--no-policies"]).arg(&sheet).arg(&broken));
    assert!(err.contains("\\u{1b}[2J"), "{err}");
}

#[test]
fn import_account_on_stderr_is_escaped() {
    let d = tempfile::tempdir().unwrap();
    let fixture = std::fs::read_to_string("tests/fixtures/tsubame-marked.txt").unwrap();
    let text = fixture.replace("株式会社つばめ医療ソフト", VENDOR).replacen(
        "\n\n",
        "\n\n99.9 \u{1b}[2J\u{1b}[32mPASS 何かの\u{202e}文\u{9b}2J\n\n",
        1,
    );
    let input = write(d.path(), "vendor.txt", &text);
    let (out, err) = run(kaiji().arg("import").arg(&input));
    assert!(err.contains("not understood"), "{err}");
    assert!(err.contains("\\u{1b}[2J\\u{1b}[32mPASS 何かの\\u{202e}文\\u{9b}2J"), "{err}");
    // The TOML on stdout keeps the vendor name, TOML-escaped.
    assert!(out.contains("vendor = \"\\u001B[2J\\u001B[H\\u001B[32mPASS  all sheets passed\""), "{out}");
}

#[test]
fn github_annotations_cannot_start_a_command_or_an_escape() {
    let d = tempfile::tempdir().unwrap();
    // An answer whose lint message (quoting it) breaks the line.
    let text = hostile_text().replace("\"\\u001B[32mはい\"", "\"\\u001B[32mはい\\n::warning::injected\"");
    let sheet = write(d.path(), "escape.toml", &text);
    let (out, _) = run(kaiji().args(["check", "-f", "github"]).arg(&sheet));
    for line in out.lines() {
        assert!(line.starts_with("::") || line.starts_with("kaiji check:"), "{line}");
        assert!(!line.starts_with("::warning::injected"), "{line}");
    }
    assert!(out.contains(SHOWN_VENDOR), "{out}");
    assert!(out.contains("「\\u{1b}[32mはい%0A::warning::injected」"), "{out}");
}

#[test]
fn policy_print_and_debug_are_escaped() {
    let d = tempfile::tempdir().unwrap();
    let sheet = write(d.path(), "escape.toml", &hostile_text());
    let policies = d.path().join("policies");
    std::fs::create_dir(&policies).unwrap();
    write(
        &policies,
        "p.rhai",
        "//! id: H-PRINT-001\n//! title: prints the vendor\nprint(sheet.vendor);\ndebug(sheet.service);\n",
    );
    let (_, err) = run(kaiji().args(["check", "-f", "json", "-p"]).arg(&policies).arg(&sheet));
    assert!(err.contains(&format!("[print] H-PRINT-001 on {}: {SHOWN_VENDOR}", sheet.display())), "{err}");
    assert!(err.contains("[debug] H-PRINT-001") && err.contains("\\u{202e}txt.exe"), "{err}");
}
