//! `check`/`lint -o FILE`: the format follows the file's extension unless
//! -f says otherwise, a contradiction is a usage error, and the run's
//! summary line goes to stderr (not with --quiet).

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;

const EXAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/sheets");

fn kaiji() -> Command {
    let mut c = assert_cmd::cargo::cargo_bin_cmd!("kaiji");
    c.current_dir(env!("CARGO_MANIFEST_DIR")).env("NO_COLOR", "1").env("COLUMNS", "100");
    c
}

fn example(name: &str) -> String {
    format!("{EXAMPLES}/{name}")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Each extension's file is in that format, checked by a parser where one
/// is at hand.
#[test]
fn check_infers_the_format_from_the_output_extension() {
    let d = tempfile::tempdir().unwrap();
    let out = |name: &str| d.path().join(name);
    for name in ["r.json", "r.sarif", "r.sarif.json", "r.xml", "r.md", "r.csv", "r.html", "r.xlsx", "r.txt", "r.log"] {
        kaiji().args(["check", &example("aozora-cloud.toml"), "-o"]).arg(out(name)).assert().code(0);
    }
    let json: serde_json::Value = serde_json::from_str(&read(&out("r.json"))).unwrap();
    assert_eq!(json["schema"], "kaiji.check/v1");
    for sarif in ["r.sarif", "r.sarif.json"] {
        let sarif: serde_json::Value = serde_json::from_str(&read(&out(sarif))).unwrap();
        assert_eq!(sarif["version"], "2.1.0");
    }
    let junit = quick_junit::Report::deserialize_from_str(&read(&out("r.xml"))).unwrap();
    // The run's provenance suite, then the sheet's.
    assert_eq!(junit.test_suites.len(), 2);
    assert_eq!(junit.test_suites[0].name.as_str(), kaiji::report::junit::PROVENANCE_SUITE);
    assert!(read(&out("r.md")).starts_with("# kaiji check"));
    let csv = read(&out("r.csv"));
    assert!(csv.starts_with("\u{feff}path,vendor,service,sheet_status,check,"), "{csv}");
    let html = read(&out("r.html"));
    assert!(html.starts_with("<!DOCTYPE html>") && html.trim_end().ends_with("</html>"));
    assert_eq!(&std::fs::read(out("r.xlsx")).unwrap()[..2], b"PK");
    for text in ["r.txt", "r.log"] {
        assert!(read(&out(text)).starts_with("PASS  "), "{text} is human text");
    }
}

#[test]
fn lint_infers_the_format_too_and_f_still_decides_for_text_files() {
    let d = tempfile::tempdir().unwrap();
    let json = d.path().join("lint.json");
    kaiji().args(["lint", &example("aozora-cloud.toml"), "-o"]).arg(&json).assert().code(0);
    let v: serde_json::Value = serde_json::from_str(&read(&json)).unwrap();
    assert_eq!(v["schema"], "kaiji.check/v1");
    // .txt means "text", not one format: -f picks which.
    let txt = d.path().join("annotations.txt");
    kaiji().args(["lint", &example("hinode-systems.json"), "-f", "github", "-o"]).arg(&txt).assert().code(0);
    assert!(read(&txt).starts_with("::group::"), "{}", read(&txt));
    // An explicit -f for an extension that names no format.
    let out = d.path().join("lint.out");
    kaiji().args(["lint", &example("aozora-cloud.toml"), "-f", "json", "-o"]).arg(&out).assert().code(0);
    serde_json::from_str::<serde_json::Value>(&read(&out)).unwrap();
}

#[test]
fn a_contradicting_f_is_a_usage_error_naming_both() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("report.json");
    for cmd in ["check", "lint"] {
        kaiji()
            .args([cmd, &example("aozora-cloud.toml"), "-f", "csv", "-o"])
            .arg(&out)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("-f csv contradicts -o"))
            .stderr(predicate::str::contains("means").and(predicate::str::contains("-f json;")));
    }
    kaiji()
        .args(["check", &example("aozora-cloud.toml"), "-f", "xlsx", "-o"])
        .arg(d.path().join("report.txt"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("-f xlsx contradicts"));
    assert!(!out.exists(), "nothing written");
}

#[test]
fn an_unknown_extension_without_f_names_the_known_ones() {
    let d = tempfile::tempdir().unwrap();
    for name in ["report.out", "report"] {
        kaiji()
            .args(["check", &example("aozora-cloud.toml"), "-o"])
            .arg(d.path().join(name))
            .assert()
            .code(2)
            .stderr(predicate::str::contains("cannot tell the report format"))
            .stderr(predicate::str::contains(".xml junit"))
            .stderr(predicate::str::contains("-f FORMAT"));
    }
    assert_eq!(std::fs::read_dir(d.path()).unwrap().count(), 0, "nothing written");
}

#[test]
fn with_o_the_summary_line_goes_to_stderr_unless_quiet() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("r.json");
    kaiji()
        .args(["check", &example("aozora-cloud.toml"), &example("hinode-systems.json"), "-o"])
        .arg(&out)
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("kaiji check: 2 sheet(s) × "))
        .stderr(predicate::str::contains(": 1 passed, 1 failed, 0 could not be evaluated; report in "));
    kaiji()
        .args(["lint", &example("aozora-cloud.toml"), "-o"])
        .arg(d.path().join("l.json"))
        .assert()
        .code(0)
        .stderr(predicate::str::contains("kaiji lint: 1 sheet(s): 1 passed"));
    for quiet in ["-q", "--quiet"] {
        kaiji()
            .args(["check", &example("aozora-cloud.toml"), quiet, "-o"])
            .arg(d.path().join("q.json"))
            .assert()
            .code(0)
            .stdout("")
            .stderr("");
    }
}
