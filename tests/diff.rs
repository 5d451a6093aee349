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
        .stdout(predicate::str::contains(
            "2 metadata fields changed, 1 answer changed, 1 citation list changed, 2 remarks changed, 1 remark added",
        ));
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
