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

/// A policy directory whose test cases start from the hostile sheet, with
/// a case name holding ESC, BEL, a C1 CSI and U+202E, and a policy that
/// quotes the sheet's version and vendor in its finding.
fn hostile_policy_tests(dir: &Path) -> PathBuf {
    write(dir, "hostile.toml", &hostile_text());
    let policies = dir.join("policies");
    std::fs::create_dir_all(policies.join("tests")).unwrap();
    write(
        &policies,
        "quote.rhai",
        "//! id: H-ESC-001\n//! title: quotes the sheet\nfail(\"17.1.d\", \"version \" + sheet.version + \" of \" + sheet.vendor);\n",
    );
    write(
        &policies.join("tests"),
        "quote.toml",
        "base = \"../../hostile.toml\"\n\n[[case]]\nname = \"\\u001B[2J\\u0007名前\\u009B2J\\u202E逆\"\nexpect = \"pass\"\n\n\
         [[case]]\nname = \"override\"\nsheet = { version = \"\\u001B]0;title\\u0007\" }\nexpect = \"warn\"\n",
    );
    policies
}

const SHOWN_CASE: &str = "\\u{1b}[2J\\u{7}名前\\u{9b}2J\\u{202e}逆";

#[test]
fn policy_test_reports_show_case_names_and_base_text_escaped() {
    let d = tempfile::tempdir().unwrap();
    let policies = hostile_policy_tests(d.path());
    let (out, _) = run(kaiji().args(["test", "-f", "human"]).arg(&policies));
    assert!(out.contains(&format!("FAIL  H-ESC-001  {SHOWN_CASE}  (")), "{out}");
    assert!(out.contains(&format!("17.1.d  version 3.2\\u{{1b}}[8m of {SHOWN_VENDOR}")), "{out}");
    assert!(out.contains("17.1.d  version \\u{1b}]0;title\\u{7} of"), "{out}");
    // The machine formats carry the same text as escapes.
    let (json, _) = run(kaiji().args(["test", "-f", "json"]).arg(&policies));
    assert!(json.contains("\"name\": \"\\u001b[2J\\u0007名前\\u009b2J\\u202e逆\""), "{json}");
    let (junit, _) = run(kaiji().args(["test", "-f", "junit"]).arg(&policies));
    assert!(junit.contains(&format!("H-ESC-001: {SHOWN_CASE}")), "{junit}");
}

#[test]
fn coverage_shows_case_sheets_and_paths_escaped() {
    let d = tempfile::tempdir().unwrap();
    let policies = hostile_policy_tests(d.path());
    let (out, _) = run(kaiji().args(["coverage", "-p"]).arg(&policies));
    assert!(out.contains(SHOWN_CASE), "the case's sheet, by its name: {out}");
    let sheet = write(d.path(), "evil\u{1b}[2J\u{202e}.toml", &hostile_text());
    let (out, _) = run(kaiji().args(["coverage", "-p"]).arg(&policies).arg(&sheet));
    assert!(out.contains("evil\\u{1b}[2J\\u{202e}.toml"), "{out}");
    run(kaiji().args(["coverage", "-f", "json", "-p"]).arg(&policies).arg(&sheet));
}

#[test]
fn form_list_and_show_escape_a_catalogs_text() {
    let d = tempfile::tempdir().unwrap();
    let catalog = write(
        d.path(),
        "evil.toml",
        "[form]\nid = \"evil\"\ntitle = \"偽\\u001B[2J\\u0007\"\n\n[[section]]\ntitle = \"章\\u009B2J\"\n\n\
         [[section.question]]\nid = \"1\"\ntext = \"設問\\u001B[32mPASS\\u202E\"\n",
    );
    let form = |args: &[&str]| {
        let mut c = kaiji();
        c.arg("--form-file").arg(&catalog).arg("form").args(args).args(["--form", "evil"]);
        c
    };
    let (out, _) = run(&mut form(&["list"]));
    assert!(out.contains("偽\\u{1b}[2J\\u{7}") && out.contains("設問\\u{1b}[32mPASS\\u{202e}"), "{out}");
    let (out, _) = run(&mut form(&["show", "1"]));
    assert!(out.contains("section: 章\\u{9b}2J"), "{out}");
    let (out, _) = run(&mut form(&["list", "-f", "json"]));
    assert!(out.contains("設問\\u001b[32mPASS\\u202e"), "{out}");
}

#[test]
fn export_to_stdout_writes_no_live_control() {
    let d = tempfile::tempdir().unwrap();
    let sheet = write(d.path(), "escape.toml", &hostile_text());
    for format in ["toml", "json"] {
        let (out, _) = run(kaiji().args(["export", "-f", format]).arg(&sheet));
        assert!(out.contains("PASS  all sheets passed"), "{out}");
    }
}

#[test]
fn list_policies_shows_titles_and_policy_errors_escaped() {
    let d = tempfile::tempdir().unwrap();
    let policies = d.path().join("policies");
    std::fs::create_dir(&policies).unwrap();
    write(&policies, "a.rhai", "//! id: H-A\n//! title: 偽\u{1b}[2J\u{202e}\nlet x = 1;\n");
    // A compile error on a line with a raw ESC and C1 CSI in a string.
    write(&policies, "b.rhai", "//! id: H-B\nlet s = \"\u{1b}[2J\u{9b}2J\";\nlet = ;\n");
    let (out, err) = run(kaiji().args(["check", "--list-policies", "-p"]).arg(&policies));
    assert!(out.contains("偽\\u{1b}[2J\\u{202e}"), "{out}");
    assert!(err.contains("\\u{1b}[2J\\u{9b}2J"), "the policy's line, escaped: {err}");
}

#[test]
fn api_and_bench_data_write_no_live_control() {
    run(kaiji().arg("api"));
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("sheets\u{1b}[2J\u{202e}");
    let (_, err) = run(kaiji().args(["bench-data", "--count", "1", "--out"]).arg(&out));
    assert!(err.contains("sheets\\u{1b}[2J\\u{202e}"), "{err}");
}
