//! `kaiji bench-data`: generated sets are deterministic, load, and lint as
//! the generator says.

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

fn kaiji() -> Command {
    let mut c = Command::cargo_bin("kaiji").unwrap();
    c.env("NO_COLOR", "1");
    c
}

fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap())
        })
        .collect();
    v.sort();
    v
}

#[test]
fn writes_deterministic_sheets_that_lint_as_generated() {
    let d = tempfile::tempdir().unwrap();
    let a = d.path().join("a");
    let b = d.path().join("b");
    for dir in [&a, &b] {
        kaiji()
            .args(["bench-data", "--count", "40", "--seed", "9", "--problem-rate", "0.5", "--format", "both", "--out"])
            .arg(dir)
            .assert()
            .success()
            .stderr(predicates::str::contains("wrote 40 sheet(s)"));
    }
    let toml = files(&a.join("toml"));
    assert_eq!(toml.len(), 40);
    assert_eq!(toml[0].0, "sheet-00000.toml");
    assert_eq!(toml, files(&b.join("toml")), "same seed, same bytes");
    assert_eq!(files(&a.join("json")).len(), 40);

    // TOML and JSON versions lint the same way; some sheets fail, most pass.
    let lint = |dir: &Path| -> Value {
        let out = kaiji().args(["lint", "-f", "json", "--fail-on", "warning"]).arg(dir).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let (t, j) = (lint(&a.join("toml")), lint(&a.join("json")));
    let verdicts = |r: &Value| -> Vec<(String, Vec<String>)> {
        r["sheets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                let path = s["path"].as_str().unwrap();
                let stem = Path::new(path).file_stem().unwrap().to_string_lossy().into_owned();
                let mut rules: Vec<String> =
                    s["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap().to_string()).collect();
                rules.dedup();
                (stem, rules)
            })
            .collect()
    };
    assert_eq!(verdicts(&t), verdicts(&j));
    let failed = t["summary"]["failed"].as_u64().unwrap();
    assert!((8..=32).contains(&failed), "{failed} of 40 sheets have problems at rate 0.5");
    assert_eq!(t["summary"]["errors"], 0);
}

#[test]
fn refuses_to_mix_into_existing_sheets_without_force() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("mine.toml"), "[answers]\n").unwrap();
    kaiji()
        .args(["bench-data", "--count", "3", "--out"])
        .arg(d.path())
        .assert()
        .code(2)
        .stderr(predicates::str::contains("already holds sheet files"));
    kaiji().args(["bench-data", "--count", "3", "--force", "--out"]).arg(d.path()).assert().success();
    assert_eq!(files(d.path()).len(), 4);
    kaiji()
        .args(["bench-data", "--count", "3", "--problem-rate", "1.5", "--out"])
        .arg(d.path().join("x"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("not between 0 and 1"));
}
