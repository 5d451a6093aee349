//! `kaiji lint` and `kaiji form` from the command line: exit codes, bad
//! input, locations, and the rendered output.

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

fn kaiji() -> Command {
    let mut c = Command::cargo_bin("kaiji").unwrap();
    c.current_dir(env!("CARGO_MANIFEST_DIR")).env("NO_COLOR", "1").env("COLUMNS", "100");
    c
}

fn json_of(out: &[u8]) -> Value {
    serde_json::from_slice(out).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(out)))
}

fn findings<'a>(report: &'a Value, path_suffix: &str) -> &'a Vec<Value> {
    let sheet = report["sheets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["path"].as_str().unwrap().ends_with(path_suffix))
        .unwrap_or_else(|| panic!("no sheet {path_suffix}"));
    sheet["findings"].as_array().unwrap()
}

#[test]
fn clean_examples_exit_0() {
    kaiji().args(["lint", "examples/sheets/aozora-cloud.toml", "examples/sheets/hinode-systems.json"]).assert().code(0);
}

#[test]
fn problems_exit_1_and_every_rule_is_located() {
    let out = kaiji().args(["lint", "examples/sheets/sakura-support.toml", "-f", "json"]).assert().code(1);
    let report = json_of(&out.get_output().stdout);
    assert_eq!(report["schema"], "kaiji.check/v1");
    assert_eq!(report["summary"]["failed"], 1);
    let f = findings(&report, "sakura-support.toml");
    let mut rules: Vec<&str> = f.iter().map(|f| f["rule"].as_str().unwrap()).collect();
    rules.sort();
    rules.dedup();
    assert_eq!(
        rules,
        [
            "gating-conflict",
            "invalid-answer",
            "missing-metadata",
            "missing-remark",
            "remark-required",
            "unanswered",
            "unknown-question",
            "unreferenced-remark"
        ]
    );
    // Locations land on the lines that hold the offending values.
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/sheets/sakura-support.toml"))
            .unwrap();
    for f in f {
        let line = f["location"]["line"].as_u64().unwrap() as usize;
        let src = text.lines().nth(line - 1).unwrap();
        match f["rule"].as_str().unwrap() {
            "invalid-answer" => assert!(src.contains("対応済み"), "{src}"),
            "unknown-question" => assert!(src.starts_with("\"17.1.f\""), "{src}"),
            "gating-conflict" => assert!(src.starts_with("\"53.5\""), "{src}"),
            "missing-remark" => assert!(src.starts_with("\"58.3\""), "{src}"),
            _ => {}
        }
    }
}

#[test]
fn fail_on_controls_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("warn-only.toml");
    // Only warnings: unanswered questions and missing metadata.
    std::fs::write(&p, "[answers]\n\"1\" = \"該当\"\n").unwrap();
    let p = p.to_str().unwrap();
    kaiji().args(["lint", p]).assert().code(0);
    kaiji().args(["lint", p, "--fail-on", "warning"]).assert().code(1);
    let sakura = "examples/sheets/sakura-support.toml";
    kaiji().args(["lint", sakura, "--fail-on", "never"]).assert().code(0);
}

#[test]
fn json_sheet_locations_are_lines_in_the_json_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("v.json");
    std::fs::write(
        &p,
        "{\n  \"sheet\": {\"vendor\": \"株式会社ジェイソン\", \"service\": \"JS\", \"created\": \"2026-01-01\"},\n  \"answers\": {\n    \"1\": \"該当\",\n    \"2\": \"たぶん\"\n  }\n}\n",
    )
    .unwrap();
    let out = kaiji().args(["lint", p.to_str().unwrap(), "-f", "json"]).assert().code(1);
    let report = json_of(&out.get_output().stdout);
    let f = findings(&report, "v.json");
    let bad = f.iter().find(|f| f["rule"] == "invalid-answer").unwrap();
    assert_eq!(bad["location"]["line"], 5);
    assert_eq!(bad["location"]["column"], 10);
    assert_eq!(bad["question"], "2");
}

#[test]
fn bad_inputs_are_errors_while_good_sheets_are_still_linted() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let cases: &[(&str, &[u8], &str)] = &[
        ("empty.toml", b"", "empty"),
        ("binary.toml", b"\x00\x9f\x92\x96PK\x03\x04", "binary"),
        ("sjis.toml", b"[sheet]\nvendor = \"\x8a\x94\x8e\xae\x89\xef\x8e\xd0\"\n", "UTF-8"),
        ("truncated.toml", "[answers]\n\"1\" = \"該".as_bytes(), "not valid TOML"),
        ("typed.toml", b"[answers]\n\"1\" = 1\n", "must be a string or a table"),
        ("truncated.json", b"{\"answers\": {\"1\": ", "not valid JSON"),
    ];
    for (name, bytes, _) in cases {
        std::fs::write(d.join(name), bytes).unwrap();
    }
    let mut args = vec!["lint".to_string(), "-f".into(), "json".into()];
    args.extend(cases.iter().map(|(n, _, _)| d.join(n).display().to_string()));
    args.push("examples/sheets/aozora-cloud.toml".into());
    args.push("examples/sheets/sakura-support.toml".into());
    let out = kaiji().args(&args).assert().code(2);
    let report = json_of(&out.get_output().stdout);
    assert_eq!(report["summary"]["sheets"], 8);
    assert_eq!(report["summary"]["errors"], 6);
    assert_eq!(report["summary"]["passed"], 1);
    assert_eq!(report["summary"]["failed"], 1);
    for (name, _, needle) in cases {
        let sheet =
            report["sheets"].as_array().unwrap().iter().find(|s| s["path"].as_str().unwrap().ends_with(name)).unwrap();
        assert_eq!(sheet["status"], "error", "{name}");
        let msg = sheet["errors"][0]["message"].as_str().unwrap();
        assert!(msg.contains(needle), "{name}: {msg}");
    }
    // Located errors carry a line.
    let typed = report["sheets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["path"].as_str().unwrap().ends_with("typed.toml"))
        .unwrap();
    assert_eq!(typed["errors"][0]["location"]["line"], 2);
}

#[test]
fn unmatched_glob_and_missing_file_are_errors() {
    let out = kaiji().args(["lint", "no-such-dir/*.toml", "missing.toml", "-f", "json"]).assert().code(2);
    let report = json_of(&out.get_output().stdout);
    assert_eq!(report["summary"]["errors"], 2);
    let text = serde_json::to_string(&report).unwrap();
    assert!(text.contains("no-such-dir/*.toml: the pattern matched no file"));
    assert!(text.contains("missing.toml: no such file"));
}

#[test]
fn quoted_glob_is_expanded_by_kaiji() {
    let out = kaiji().args(["lint", "examples/sheets/*.toml", "-f", "json"]).assert().code(1);
    let report = json_of(&out.get_output().stdout);
    let paths: Vec<&str> = report["sheets"].as_array().unwrap().iter().map(|s| s["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["examples/sheets/aozora-cloud.toml", "examples/sheets/sakura-support.toml"]);
}

#[test]
fn output_file_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.json");
    kaiji()
        .args(["lint", "examples/sheets/aozora-cloud.toml", "-f", "json", "-o", out.to_str().unwrap()])
        .assert()
        .code(0)
        .stdout("");
    assert_eq!(json_of(&std::fs::read(&out).unwrap())["summary"]["passed"], 1);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // an ordinary readable file (0666 less the umask), not the private
        // 0600 of a temporary file
        assert_eq!(std::fs::metadata(&out).unwrap().permissions().mode() & 0o044, 0o044);
    }
}

#[test]
fn human_output_snapshot() {
    let out = kaiji().args(["lint", "examples/sheets/sakura-support.toml"]).assert().code(1);
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    insta::assert_snapshot!(text);
}

#[test]
fn explain_and_list_rules() {
    let out = kaiji().args(["lint", "--list-rules"]).assert().code(0);
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert_eq!(text.lines().count(), 10);
    kaiji().args(["lint", "--explain", "gating-conflict"]).assert().code(0).stdout(predicates::str::contains("非該当"));
    kaiji()
        .args(["lint", "--explain", "gating-confict"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("gating-conflict"));
    // A word of a rule's name: too far from the whole name for edit distance.
    kaiji()
        .args(["lint", "--explain", "gating"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no lint rule named `gating`"))
        .stderr(predicates::str::contains("did you mean `gating-conflict`?"))
        .stderr(predicates::str::contains("--list-rules"));
}

/// The README promises examples in every subcommand's --help.
#[test]
fn every_subcommand_help_has_examples() {
    let commands: &[&[&str]] = &[
        &["check"],
        &["lint"],
        &["form"],
        &["form", "list"],
        &["form", "show"],
        &["form", "new"],
        &["api"],
        &["import"],
        &["export"],
        &["diff"],
        &["test"],
        &["coverage"],
        &["bench-data"],
    ];
    for args in commands {
        kaiji()
            .args(*args)
            .arg("--help")
            .assert()
            .code(0)
            .stdout(predicates::str::contains("\nExamples:\n  "))
            .stdout(predicates::str::contains(format!("kaiji {}", args.join(" "))));
    }
}

#[test]
fn form_list_and_show() {
    let out = kaiji().args(["form", "list", "-f", "json"]).assert().code(0);
    let v = json_of(&out.get_output().stdout);
    assert_eq!(v["questions"].as_array().unwrap().len(), 198);
    assert_eq!(v["questions"][0]["id"], "1");
    kaiji()
        .args(["form", "show", "17.1.d"])
        .assert()
        .code(0)
        .stdout(predicates::str::contains("二要素").and(predicates::str::contains("parent:  17.1")));
    kaiji()
        .args(["form", "show", "１７．１．ｄ", "-f", "json"])
        .assert()
        .code(0)
        .stdout(predicates::str::contains("\"kind\": \"yes_no\""));
    kaiji().args(["form", "show", "17.1.f"]).assert().code(2).stderr(predicates::str::contains("17.1.e"));
    kaiji().args(["form", "list", "--form", "mds-6.0"]).assert().code(2).stderr(predicates::str::contains("sds-6.0"));
}

#[test]
fn user_form_file_is_used_for_sheets_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let form = dir.path().join("mini.toml");
    std::fs::write(
        &form,
        "[form]\nid = \"mds-mini\"\n[[section]]\ntitle = \"技術的安全対策\"\n[[section.question]]\nid = \"1\"\nkind = \"applicability\"\ntext = \"遠隔保守を行うか？\"\n[[section.question]]\nid = \"1.1\"\ntext = \"ログを取るか？\"\n",
    )
    .unwrap();
    let sheet = dir.path().join("s.toml");
    std::fs::write(&sheet, "[sheet]\nform = \"mds-mini\"\nvendor = \"v\"\nservice = \"s\"\ncreated = \"2026-01-01\"\n[answers]\n\"1\" = \"非該当\"\n\"1.1\" = \"はい\"\n").unwrap();
    let f = form.to_str().unwrap();
    let s = sheet.to_str().unwrap();
    let out = kaiji().args(["--form-file", f, "lint", s, "-f", "json"]).assert().code(1);
    let report = json_of(&out.get_output().stdout);
    assert_eq!(report["sheets"][0]["findings"][0]["rule"], "gating-conflict");
    // Without the catalog the sheet's form is unknown: an input error.
    kaiji().args(["lint", s]).assert().code(2);
    kaiji()
        .args(["--form-file", f, "form", "list", "--form", "mds-mini"])
        .assert()
        .code(0)
        .stdout(predicates::str::contains("遠隔保守"));
}

/// A `--form-file` catalog whose parent chain is deeper than 16 levels is
/// refused before any sheet is read (exit 2), the error pointing at the
/// first question too deep: a chain 64,000 deep made lint quadratic.
#[test]
fn a_catalog_nested_too_deep_is_refused_where_it_goes_too_deep() {
    let d = tempfile::tempdir().unwrap();
    let mut catalog = String::from("[form]\nid = \"deep\"\n\n[[section]]\ntitle = \"s\"\n");
    for i in 1..=5_000 {
        let parent = if i == 1 { String::new() } else { format!("q{}", i - 1) };
        catalog.push_str(&format!("[[section.question]]\nid = \"q{i}\"\ntext = \"t\"\nparent = \"{parent}\"\n"));
    }
    let path = d.path().join("deep.toml");
    std::fs::write(&path, catalog).unwrap();
    let sheet = d.path().join("s.toml");
    std::fs::write(&sheet, "[sheet]\nform = \"deep\"\n[answers]\n\"q1\" = \"はい\"\n").unwrap();
    let a = kaiji().arg("--form-file").arg(&path).arg("lint").arg(&sheet).assert().code(2);
    let err = String::from_utf8_lossy(&a.get_output().stderr).replace("\n  │ ", " ");
    assert!(err.contains("question `q17` is nested more than 16 levels deep"), "{err}");
    assert!(err.contains("deep.toml:71:6]"), "the place of q17's id: {err}");
    assert!(a.get_output().stdout.is_empty());
}
