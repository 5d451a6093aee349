//! The `kaiji.check/v1` JSON report against its published schema
//! (docs/schema/kaiji.check.v1.json): every key kaiji writes is in the
//! schema, so the contract cannot drift from the program. Checked on runs
//! that exercise each part of it: policies with --explain, waivers (active,
//! expired, stale), an unreadable sheet, lint, and vendor documents with
//! their import account.

#[path = "pdfgen/mod.rs"]
mod pdfgen;

use assert_cmd::cargo::cargo_bin_cmd;
use serde_json::Value;

fn validator() -> jsonschema::Validator {
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string("docs/schema/kaiji.check.v1.json").unwrap()).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

fn assert_valid(report: &Value) {
    let v = validator();
    let errors: Vec<String> = v.iter_errors(report).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

fn run(args: &[&str]) -> Value {
    let out = cargo_bin_cmd!("kaiji").args(args).args(["-f", "json"]).output().unwrap();
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
}

#[test]
fn check_with_explain_waivers_and_an_unreadable_sheet() {
    let d = tempfile::tempdir().unwrap();
    let waivers = d.path().join("waivers.toml");
    std::fs::write(
        &waivers,
        "[[waiver]]\npolicy = \"H-AUTH-001\"\nvendor = \"日の出システムズ株式会社\"\nquestion = \"17.1.d\"\n\
         reason = \"次期更改で対応\"\napprover = \"情報部\"\nexpires = \"2099-01-01\"\n\
         [[waiver]]\npolicy = \"H-AUTH-001\"\nservice = \"どこにもない\"\nreason = \"r\"\nexpires = \"2099-01-01\"\n\
         [[waiver]]\npolicy = \"unanswered\"\nvendor = \"x\"\nreason = \"r\"\nexpires = \"2000-01-01\"\n",
    )
    .unwrap();
    let broken = d.path().join("broken.toml");
    std::fs::write(&broken, "[sheet\nvendor = 1").unwrap();
    let report = run(&[
        "check",
        "examples/sheets",
        broken.to_str().unwrap(),
        "--explain",
        "--waivers",
        waivers.to_str().unwrap(),
        "--date",
        "2026-12-07",
    ]);
    assert!(report["waivers"].as_array().unwrap().len() == 3);
    assert_valid(&report);
}

#[test]
fn lint_and_documents_with_their_import_account() {
    assert_valid(&run(&["lint", "examples/sheets"]));
    let d = tempfile::tempdir().unwrap();
    let form = kaiji::form::FormRegistry::builtin().get("sds-6.0").unwrap();
    let (bytes, _) = pdfgen::sheet_pdf(&form, &pdfgen::spec(&form, pdfgen::Style::Ellipse));
    std::fs::write(d.path().join("a.pdf"), &bytes).unwrap();
    std::fs::write(d.path().join("b-damaged.pdf"), &bytes[..bytes.len() / 3]).unwrap();
    let saved = d.path().join("saved");
    let report = run(&["check", d.path().to_str().unwrap(), "--save-imported", saved.to_str().unwrap()]);
    assert!(report["sheets"][0]["import"]["saved"].is_string());
    assert_valid(&report);
}

/// The schema is strict: a key it does not list is refused, so a new key
/// in the program fails the tests above until the schema says it.
#[test]
fn the_schema_refuses_an_unlisted_key() {
    let mut report = run(&["lint", "examples/sheets"]);
    report["sheets"][0]["surprise"] = Value::Bool(true);
    assert!(!validator().is_valid(&report));
}
