//! `kaiji coverage` (issue #15) from the command line.

use assert_cmd::Command;
use serde_json::Value;

fn kaiji() -> Command {
    let mut c = assert_cmd::cargo::cargo_bin_cmd!("kaiji");
    c.current_dir(env!("CARGO_MANIFEST_DIR")).env("NO_COLOR", "1");
    c
}

fn unread(report: &Value) -> Vec<String> {
    report["forms"][0]["unread"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["questions"].as_array().unwrap().iter().map(|q| q.as_str().unwrap().to_string()))
        .collect()
}

#[test]
fn coverage_lists_unread_questions_and_counts_paths_some_sheet_takes() {
    let d = tempfile::tempdir().unwrap();
    // 58.2 is read only when 58 is はい.
    std::fs::write(
        d.path().join("p.rhai"),
        "//! id: P\nif sheet.is_yes(\"58\") && !sheet.is_yes(\"58.2\") { fail(\"58.2\", \"y\"); }\n",
    )
    .unwrap();
    std::fs::write(
        d.path().join("no.toml"),
        "[sheet]\nvendor = \"a\"\n[answers]\n\"58\" = \"いいえ\"\n[remarks]\n1 = \"x\"\n",
    )
    .unwrap();
    std::fs::write(d.path().join("yes.toml"), "[sheet]\nvendor = \"b\"\n[answers]\n\"58\" = \"はい\"\n").unwrap();
    let p = d.path().join("p.rhai").display().to_string();
    let run = |sheets: &[&str]| -> Value {
        let mut cmd = kaiji();
        cmd.args(["coverage", "-p", &p, "-f", "json"]);
        for s in sheets {
            cmd.arg(d.path().join(s));
        }
        let out = cmd.assert().code(0);
        serde_json::from_slice(&out.get_output().stdout).unwrap()
    };
    let only_no = run(&["no.toml"]);
    assert_eq!(only_no["schema"], "kaiji.coverage/v1");
    let gaps = unread(&only_no);
    assert!(gaps.contains(&"17.1.d".to_string()), "no policy reads 17.1.d");
    assert!(gaps.contains(&"58.2".to_string()) && !gaps.contains(&"58".to_string()));
    assert_eq!(only_no["remarks"][0]["remarks"], serde_json::json!([1]), "remark 1 was never looked at");
    let both = run(&["no.toml", "yes.toml"]);
    let gaps = unread(&both);
    assert!(!gaps.contains(&"58.2".to_string()), "read on the sheet that takes the path");
    assert!(gaps.contains(&"17.1.d".to_string()));
}

#[test]
fn without_sheets_the_base_sheet_and_the_policy_tests_sheets_are_used() {
    let out = kaiji().args(["coverage", "-p", "policies", "-f", "json"]).assert().code(0);
    let report: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let sheets = report["sheets"].as_array().unwrap();
    assert_eq!(sheets[0], "builtin:base.toml");
    assert!(sheets.len() > 10, "the test cases' sheets too: {}", sheets.len());
    let human = kaiji().args(["coverage"]).assert().code(0);
    let text = String::from_utf8(human.get_output().stdout.clone()).unwrap();
    assert!(text.starts_with("kaiji coverage: "), "{text}");
    assert!(text.contains("questions read by some policy"), "{text}");
}
