//! `kaiji diff` end to end: exit codes, human and JSON output.

use assert_cmd::Command;
use predicates::prelude::*;

const OLD: &str = "examples/diff/aozora-cloud-2025.toml";
const NEW: &str = "examples/sheets/aozora-cloud.toml";

fn kaiji() -> Command {
    let mut c = Command::cargo_bin("kaiji").unwrap();
    c.current_dir(env!("CARGO_MANIFEST_DIR")).env("NO_COLOR", "1").env("COLUMNS", "100");
    c
}

#[test]
fn identical_sheets_exit_0() {
    kaiji().args(["diff", NEW, NEW]).assert().code(0).stdout(predicate::str::ends_with("no differences\n"));
}

#[test]
fn changed_answer_and_remarks_exit_1() {
    kaiji()
        .args(["diff", OLD, NEW])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("~ 17.1.d  いいえ → はい"))
        .stdout(predicate::str::contains("~ 備考 21  changed  (cited by 58, 58.1, 58.2, 58.3, 100)"))
        .stdout(predicate::str::contains("H-AUTH-001  fail → pass  was on 17.1.d"))
        .stdout(predicate::str::contains(
            "2 metadata fields changed, 1 answer changed, 1 citation list changed, 2 remarks changed, 1 remark added, 2 policy outcomes changed",
        ));
}

/// The example sheet with 17.1.d answered いいえ and remark 21 rewritten.
fn edited_pair(dir: &std::path::Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let text = std::fs::read_to_string(NEW).unwrap();
    let old = dir.join("v1.toml");
    std::fs::write(&old, &text).unwrap();
    let changed = text
        .replace(
            "\"17.1.d\" = { answer = \"はい\", remarks = [7] }",
            "\"17.1.d\" = { answer = \"いいえ\", remarks = [7] }",
        )
        .replace("30世代を保持する", "14世代を保持する");
    assert_ne!(changed, text);
    let new = dir.join("v2.toml");
    std::fs::write(&new, changed).unwrap();
    (old, new)
}

#[test]
fn one_answer_one_remark_one_policy_flipped() {
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = edited_pair(dir.path());
    let out = kaiji().args(["diff", "-p", "policies/"]).arg(&old).arg(&new).assert().code(1).get_output().clone();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("  ~ 17.1.d  はい → いいえ"), "{text}");
    assert!(text.contains("  ~ 備考 21  changed  (cited by 58, 58.1, 58.2, 58.3, 100)"), "{text}");
    assert!(text.contains("Policies\n  H-AUTH-001  pass → fail  on 17.1.d\n"), "{text}");
    assert!(text.ends_with("1 answer changed, 1 remark changed, 1 policy outcome changed\n"), "{text}");

    let out = kaiji().args(["diff", "-f", "json"]).arg(&old).arg(&new).assert().code(1).get_output().clone();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["questions"].as_array().unwrap().len(), 1);
    assert_eq!(v["remarks"].as_array().unwrap().len(), 1);
    assert_eq!(
        v["policies"],
        serde_json::json!([{ "id": "H-AUTH-001", "old": "pass", "new": "fail",
                             "old_questions": [], "new_questions": ["17.1.d"] }])
    );

    // content only
    let out = kaiji().args(["diff", "--no-policies", "-f", "json"]).arg(&old).arg(&new).assert().code(1);
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert!(v.get("policies").is_none());
}

#[test]
fn policy_problems_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = edited_pair(dir.path());
    kaiji().args(["diff", "-p", "no-such-policies/"]).arg(&old).arg(&new).assert().code(2);
    let policies = dir.path().join("p");
    std::fs::create_dir(&policies).unwrap();
    std::fs::write(policies.join("bad.rhai"), "//! id: BAD\nif sheet.is_yes(\"17.1.z\") { fail(\"x\"); }\n").unwrap();
    kaiji()
        .args(["diff", "-p"])
        .arg(&policies)
        .arg(&old)
        .arg(&new)
        .assert()
        .code(2)
        .stdout(predicate::str::contains("1 answer changed"))
        .stderr(predicate::str::contains("17.1.z"));
}

#[test]
fn json_output_follows_the_schema() {
    let out = kaiji().args(["diff", OLD, NEW, "-f", "json"]).assert().code(1).get_output().stdout.clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["schema"], "kaiji.diff/v1");
    assert_eq!(v["changed"], true);
    assert_eq!(v["questions"][0]["id"], "17.1.d");
    assert_eq!(v["questions"][0]["answer"]["new"], "はい");
    let numbers: Vec<u64> = v["remarks"].as_array().unwrap().iter().map(|r| r["number"].as_u64().unwrap()).collect();
    assert_eq!(numbers, [7, 21, 24], "form order of the first citing question");
    assert!(v["remarks"][1]["lines"].as_array().unwrap().iter().any(|l| l["op"] == "delete"));
}

#[test]
fn output_file_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("d.json");
    kaiji().args(["diff", OLD, NEW, "-f", "json", "-o"]).arg(&file).assert().code(1).stdout("");
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(v["summary"]["remarks_changed"], 2);
}

#[test]
fn unreadable_input_exits_2_and_names_every_bad_file() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[answers\n").unwrap();
    kaiji()
        .args(["diff", "no-such-sheet.toml"])
        .arg(&bad)
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("no-such-sheet.toml"))
        .stderr(predicate::str::contains("not valid TOML"));
}
