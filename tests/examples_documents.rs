//! `examples/documents/`: the README's quick start on vendor documents. The
//! files are what the checked-in generator writes (so they cannot drift
//! from it), and `kaiji check examples/documents/` gives the verdicts the
//! README shows.

#[path = "../examples/make_documents.rs"]
#[allow(dead_code)]
mod make_documents;

use assert_cmd::cargo::cargo_bin_cmd;
use serde_json::Value;

#[test]
fn the_checked_in_documents_are_what_the_generator_writes() {
    let form = kaiji::form::FormRegistry::builtin().get("sds-6.0").unwrap();
    for (name, bytes) in make_documents::documents(&form) {
        let path = format!("examples/documents/{name}");
        let stored = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert!(stored == bytes, "{path} differs from what examples/make_documents.rs writes: run it again");
    }
}

#[test]
fn checking_the_example_documents() {
    let out = cargo_bin_cmd!("kaiji").args(["check", "examples/documents/", "-f", "json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let by_file = |f: &str| {
        report["sheets"].as_array().unwrap().iter().find(|s| s["path"].as_str().unwrap().ends_with(f)).unwrap().clone()
    };

    let aozora = by_file("aozora-medical.pdf");
    assert_eq!(aozora["status"], "pass");
    assert_eq!(aozora["vendor"], "株式会社あおぞらメディカル");
    assert_eq!(aozora["import"]["answered"], 198);

    let kamome = by_file("kamome-healthcare.pdf");
    assert_eq!(kamome["status"], "pass", "warnings only");
    assert_eq!(kamome["import"]["ambiguous"][0]["question"], "25");
    let rules: Vec<&str> = kamome["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap()).collect();
    assert!(
        rules.contains(&"planned-yes") && rules.contains(&"H-AUTH-001") && rules.contains(&"unanswered"),
        "{rules:?}"
    );

    let hinode = by_file("hinode-systems.xlsx");
    assert_eq!(hinode["status"], "fail");
    assert_eq!(hinode["import"]["format"], "workbook");
}
