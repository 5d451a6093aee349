//! The human view puts the real problem first: errors before warnings,
//! many findings of one rule as one line, a severity filter; a sheet no
//! policy applied to reads SKIP; CSV opens in Japanese Excel.

use std::path::Path;

use assert_cmd::Command;

fn kaiji() -> Command {
    let mut c = assert_cmd::cargo::cargo_bin_cmd!("kaiji");
    c.env("NO_COLOR", "1").env("COLUMNS", "100");
    c
}

/// A sheet with one unknown id among ~200 unanswered questions.
fn careless_sheet(dir: &Path) -> String {
    let p = dir.join("careless.toml");
    std::fs::write(&p, "[sheet]\nvendor = \"株式会社うっかり\"\n[answers]\n\"999\" = \"はい\"\n\"1\" = \"該当\"\n")
        .unwrap();
    p.display().to_string()
}

#[test]
fn errors_come_first_and_many_warnings_are_one_line() {
    let d = tempfile::tempdir().unwrap();
    let sheet = careless_sheet(d.path());
    let out = kaiji().args(["lint", &sheet]).assert().code(1);
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    let error_at = text.find("question 999 is not in form").expect("the error is shown");
    let grouped =
        text.find("warning[unanswered]: 197 findings on questions 1.1, 1.2, 2, 3, 4, 5, 6, 7, …").expect(&text);
    assert!(error_at < grouped, "the error comes before the warnings:\n{text}");
    assert!(text.contains("`--verbose` lists each"));
    assert!(text.lines().count() < 80, "compact: {} lines", text.lines().count());

    let out = kaiji().args(["lint", &sheet, "--verbose"]).assert().code(1);
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(text.matches("is not answered").count() >= 197, "--verbose lists each");

    let out = kaiji().args(["lint", &sheet, "--min-severity", "error"]).assert().code(1);
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(text.contains("question 999 is not in form") && !text.contains("unanswered"), "{text}");

    // the other formats keep every finding
    let out = kaiji().args(["lint", &sheet, "-f", "json"]).assert().code(1);
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let n = v["sheets"][0]["findings"].as_array().unwrap().iter().filter(|f| f["rule"] == "unanswered").count();
    assert_eq!(n, 197);
}

#[test]
fn a_sheet_no_policy_applies_to_reads_skip() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("mds.toml"),
        "[form]\nid = \"mds-6.0\"\n[[section]]\ntitle = \"s\"\n[[section.question]]\nid = \"1\"\ntext = \"q\"\n",
    )
    .unwrap();
    std::fs::write(d.path().join("m.toml"), "[sheet]\nform = \"mds-6.0\"\nvendor = \"v\"\nservice = \"s\"\ncreated = \"2026-01-01\"\n[answers]\n\"1\" = \"はい\"\n").unwrap();
    let sheet = d.path().join("m.toml").display().to_string();
    let form = d.path().join("mds.toml").display().to_string();
    let out = kaiji().args(["check", &sheet, "--form-file", &form]).assert().code(0);
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(text.starts_with("SKIP "), "{text}");
    assert!(text.contains("0 passed, 0 failed, 0 could not be evaluated, 1 skipped (no policy applied)"), "{text}");
    let out = kaiji().args(["check", &sheet, "--form-file", &form, "-f", "github"]).assert().code(0);
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(text.contains("::group::SKIP "), "{text}");
    let out = kaiji().args(["check", &sheet, "--form-file", &form, "-f", "json"]).assert().code(0);
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!((v["summary"]["passed"].as_u64(), v["summary"]["skipped"].as_u64()), (Some(0), Some(1)));
}

#[test]
fn csv_starts_with_a_bom_unless_told_not_to() {
    let sheet = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/sheets/aozora-cloud.toml").display().to_string();
    let out = kaiji().args(["lint", &sheet, "-f", "csv"]).assert().code(0);
    let bytes = &out.get_output().stdout;
    assert!(bytes.starts_with(b"\xEF\xBB\xBFpath,vendor,"), "{:?}", &bytes[..20]);
    let out = kaiji().args(["lint", &sheet, "-f", "csv", "--no-bom"]).assert().code(0);
    assert!(out.get_output().stdout.starts_with(b"path,vendor,"));
}
