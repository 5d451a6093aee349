//! `kaiji test`: declarative policy test cases, coverage and exit codes.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

fn kaiji() -> Command {
    let mut c = Command::cargo_bin("kaiji").unwrap();
    c.current_dir(env!("CARGO_MANIFEST_DIR")).env("NO_COLOR", "1").env("COLUMNS", "100");
    c
}

/// A policy directory with two baseline policies and the given test files.
fn policy_dir(tests: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("hospital");
    std::fs::create_dir_all(dir.join("tests")).unwrap();
    for p in ["auth-two-factor.rhai", "time-sync.rhai"] {
        std::fs::copy(Path::new("policies").join(p), dir.join(p)).unwrap();
    }
    for (name, text) in tests {
        std::fs::write(dir.join("tests").join(name), text).unwrap();
    }
    (root, dir)
}

const PASSING: &str = r#"
[[case]]
name = "compliant"
expect = "pass"
"#;

const FAILING: &str = r#"
[[case]]
name = "wrongly expects a pass"
answers = { "17.1.d" = "いいえ" }
expect = "pass"

[[case]]
name = "wrong question"
policy = "H-AUTH-001"
answers = { "17.1.d" = "いいえ" }
expect = "fail"
questions = ["90"]
"#;

fn last_line(out: &[u8]) -> String {
    String::from_utf8_lossy(out).lines().last().unwrap_or_default().to_string()
}

#[test]
fn the_baseline_pack_passes_its_tests_with_full_coverage() {
    let out = kaiji().args(["test", "policies/", "--require-coverage"]).assert().code(0);
    let stdout = &out.get_output().stdout;
    let last = last_line(stdout);
    let passed: usize = last.strip_suffix(" passed, 0 failed").and_then(|n| n.parse().ok()).expect(&last);
    let policies = std::fs::read_dir("policies")
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "rhai"));
    assert!(passed >= 2 * policies.count(), "a passing and a failing case per policy at least: {last}");
    assert!(String::from_utf8_lossy(stdout).contains("every policy has a test case"));
}

#[test]
fn a_passing_case_exits_0() {
    let (_root, dir) = policy_dir(&[("auth-two-factor.toml", PASSING), ("time-sync.toml", PASSING)]);
    kaiji()
        .arg("test")
        .arg(&dir)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("ok    H-AUTH-001  compliant"))
        .stdout(predicate::str::ends_with("\n2 passed, 0 failed\n"));
}

#[test]
fn failing_cases_show_expected_and_actual_and_exit_1() {
    let (_root, dir) = policy_dir(&[("auth-two-factor.toml", FAILING), ("time-sync.toml", PASSING)]);
    let out = kaiji().arg("test").arg(&dir).assert().code(1);
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(text.contains("FAIL  H-AUTH-001  wrongly expects a pass"), "{text}");
    assert!(text.contains("        expected pass, got fail\n"), "{text}");
    assert!(text.contains("        expected findings on [90], got [17.1.d]\n"), "{text}");
    assert!(text.contains("          error    17.1.d  二要素認証（17.1.d）に「はい」と回答していること"), "{text}");
    assert!(text.contains("auth-two-factor.toml:2)"), "the case's line: {text}");
    assert!(text.ends_with("\n1 passed, 2 failed\n"), "{text}");
}

#[test]
fn coverage_is_listed_and_can_be_required() {
    let (_root, dir) = policy_dir(&[("auth-two-factor.toml", PASSING)]);
    kaiji()
        .arg("test")
        .arg(&dir)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("warning: 1 policy has no test case:\n  H-TIME-001 ("))
        .stdout(predicate::str::ends_with("\n1 passed, 0 failed\n"));
    kaiji()
        .arg("test")
        .arg(&dir)
        .arg("--require-coverage")
        .assert()
        .code(1)
        .stdout(predicate::str::contains("error: 1 policy has no test case:"));
}

#[test]
fn unknown_policies_and_questions_fail_the_case() {
    let cases = r#"
[[case]]
name = "typo in the policy"
policy = "H-AUTH-01"
expect = "pass"

[[case]]
name = "typo in a question"
policy = "auth-two-factor"
answers = { "17.1.f" = "いいえ" }
expect = "fail"
"#;
    let (_root, dir) = policy_dir(&[("misc.toml", cases), ("time-sync.toml", PASSING)]);
    kaiji()
        .arg("test")
        .arg(&dir)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("no policy `H-AUTH-01` among the policies tested (did you mean H-AUTH-001?)"))
        .stdout(predicate::str::contains("question `17.1.f` is not in form sds-6.0 (did you mean 17.1.e?)"));
}

#[test]
fn unreadable_test_files_and_directories_exit_2() {
    let (_root, dir) = policy_dir(&[("auth-two-factor.toml", "[[case]]\nname = \"x\"\nexpect = \"maybe\"\n")]);
    kaiji()
        .arg("test")
        .arg(&dir)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("auth-two-factor.toml"))
        .stdout(predicate::str::ends_with("0 passed, 0 failed\n"));
    kaiji().args(["test", "no-such-dir/"]).assert().code(2);
}

#[test]
fn outside_a_repository_it_says_which_directory_it_needs() {
    let empty = tempfile::tempdir().unwrap();
    let out = kaiji().current_dir(empty.path()).arg("test").assert().code(2);
    // miette wraps the help: compare with white space folded
    let err = String::from_utf8_lossy(&out.get_output().stderr).split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(err.contains("no policy directory `policies/` here"), "{err}");
    assert!(err.contains("kaiji test DIR"), "{err}");
    assert!(!err.contains("-p"), "no mention of an option `test` does not have: {err}");
    assert!(out.get_output().stdout.is_empty(), "nothing claims success: {:?}", out.get_output().stdout);
    let out = kaiji().arg("test").arg(empty.path().join("nope")).assert().code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(err.contains("does not exist"), "{err}");
}

#[test]
fn json_and_junit_reports_of_policy_tests() {
    let (_root, dir) = policy_dir(&[("auth-two-factor.toml", FAILING), ("time-sync.toml", PASSING)]);
    let out = kaiji().arg("test").arg(&dir).args(["-f", "json"]).assert().code(1);
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v["schema"], "kaiji.test/v1");
    assert_eq!((v["summary"]["passed"].as_u64(), v["summary"]["failed"].as_u64()), (Some(1), Some(2)));
    let failed: Vec<&serde_json::Value> =
        v["cases"].as_array().unwrap().iter().filter(|c| c["status"] == "fail").collect();
    assert_eq!(failed[0]["expected"], "pass");
    assert_eq!(failed[0]["actual"], "fail");
    assert!(failed[1]["problems"][0].as_str().unwrap().contains("expected findings on [90]"));

    let out = kaiji().arg("test").arg(&dir).args(["-f", "junit"]).assert().code(1);
    let xml = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(xml.starts_with("<?xml"), "{xml}");
    assert!(xml.contains("tests=\"3\"") && xml.contains("failures=\"2\""), "{xml}");
    assert!(xml.contains("H-AUTH-001: wrongly expects a pass"), "{xml}");
}

#[test]
fn the_selection_list_example_passes_its_tests() {
    let out = kaiji().args(["test", "examples/policies", "--require-coverage"]).assert().code(0);
    assert!(last_line(&out.get_output().stdout).ends_with(" passed, 0 failed"));
}
