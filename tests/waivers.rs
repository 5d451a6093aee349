//! `kaiji check --waivers`: each waiver state in the JSON report, the
//! human warnings on stderr, and a bad waiver file stopping the run.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

const HINODE: &str = "examples/sheets/hinode-systems.json";

fn kaiji() -> Command {
    let mut c = Command::cargo_bin("kaiji").unwrap();
    c.current_dir(env!("CARGO_MANIFEST_DIR")).env("NO_COLOR", "1").env("COLUMNS", "100");
    c
}

/// hinode-systems fails H-AUTH-001 on 17.1.d and H-BAK-002 on 58.2 (baseline pack).
const WAIVERS: &str = r#"
[[waiver]]
policy = "H-AUTH-001"
vendor = "日の出システムズ株式会社"
question = "17.1.d"
reason = "次期更改（2027年4月）で二要素認証に対応予定"
approver = "医療情報部 山田"
expires = "2999-03-31"

[[waiver]]
policy = "H-BAK-002"
service = "ヒノデLIS（臨床検査部門システム）"
reason = "オフライン媒体の導入待ち"
expires = "令和2年3月31日"

[[waiver]]
policy = "H-BCP-001"
vendor = "株式会社あおぞらメディカル"
reason = "BCP 手順書は提出済み"
expires = "2999-12-31"
"#;

fn waiver_file(dir: &std::path::Path, text: &str) -> std::path::PathBuf {
    let p = dir.join("waivers.toml");
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn json_report_has_every_waiver_state() {
    let dir = tempfile::tempdir().unwrap();
    let file = waiver_file(dir.path(), WAIVERS);
    let out = kaiji().args(["check", HINODE, "-f", "json", "--waivers"]).arg(&file).assert().code(1);
    let v: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();

    let states: Vec<(&str, &str, u64)> = v["waivers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| (w["policy"].as_str().unwrap(), w["status"].as_str().unwrap(), w["matched"].as_u64().unwrap()))
        .collect();
    assert_eq!(states, [("H-AUTH-001", "active", 1), ("H-BAK-002", "expired", 1), ("H-BCP-001", "stale", 0)]);
    assert_eq!(v["waivers"][1]["expires"], "2020-03-31");

    let sheet = &v["sheets"][0];
    let status = |id: &str| {
        sheet["policies"].as_array().unwrap().iter().find(|p| p["id"] == id).unwrap()["status"].as_str().unwrap()
    };
    assert_eq!(status("H-AUTH-001"), "waived");
    assert_eq!(status("H-BAK-002"), "fail");
    let findings = sheet["findings"].as_array().unwrap();
    let auth = findings.iter().find(|f| f["rule"] == "H-AUTH-001").unwrap();
    assert_eq!(auth["waived"]["reason"], "次期更改(2027年4月)で二要素認証に対応予定");
    assert_eq!(auth["waived"]["approver"], "医療情報部 山田");
    let expired = findings.iter().find(|f| f["rule"] == "expired-waiver").unwrap();
    assert_eq!(expired["severity"], "warning");
    assert_eq!(expired["message"], "waiver for H-BAK-002 expired on 2020-03-31; 1 finding(s) it covered count again");
    assert!(expired["location"]["path"].as_str().unwrap().ends_with("waivers.toml"));
    assert_eq!(expired["location"]["line"], 14, "the `expires` line of the expired waiver");
}

#[test]
fn waived_failures_no_longer_fail_the_sheet() {
    let dir = tempfile::tempdir().unwrap();
    // Only H-AUTH-001 is waived: the others still fail the sheet.
    let file = waiver_file(dir.path(), WAIVERS.split("\n[[waiver]]\npolicy = \"H-BAK-002\"").next().unwrap());
    let policy = dir.path().join("auth.rhai");
    std::fs::copy("policies/auth-two-factor.rhai", &policy).unwrap();
    kaiji().args(["check", HINODE, "--no-lint", "-p"]).arg(&policy).assert().code(1);
    kaiji()
        .args(["check", HINODE, "--no-lint", "-p"])
        .arg(&policy)
        .arg("--waivers")
        .arg(&file)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("1 waived"))
        .stdout(predicate::str::contains("waived until 2999-03-31"));
}

#[test]
fn human_output_warns_about_expired_and_stale_waivers_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let file = waiver_file(dir.path(), WAIVERS);
    kaiji()
        .args(["check", HINODE, "--waivers"])
        .arg(&file)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("expired-waiver"))
        // (miette wraps long messages, so match the start of each)
        .stderr(predicate::str::contains("⚠ waiver for H-BAK-002 for ヒノデLIS(臨床検査部門システム) expired"))
        .stderr(predicate::str::contains("⚠ waiver for H-BCP-001 for 株式会社あおぞらメディカル matched"))
        .stderr(predicate::str::contains("H-AUTH-001").not());
}

#[test]
fn a_bad_waiver_file_stops_the_run() {
    let dir = tempfile::tempdir().unwrap();
    // A malformed file: every problem is reported.
    let file =
        waiver_file(dir.path(), &WAIVERS.replace("question", "questoin").replace("expires = \"2999-12-31\"", ""));
    kaiji()
        .args(["check", HINODE, "--waivers"])
        .arg(&file)
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("unknown key `questoin` in [[waiver]]"))
        .stderr(predicate::str::contains("did you mean `question`?"))
        .stderr(predicate::str::contains("waiver #3 has no `expires`"));
    kaiji().args(["check", HINODE, "--waivers", "no-such-waivers.toml"]).assert().code(2);
}

/// A hospital-wide waiver file with a run of part of the pack: waivers of
/// policies not in the run are stale, not a stop; --strict-waivers makes
/// any stale waiver exit 2.
#[test]
fn waivers_of_policies_not_in_the_run_are_stale_and_strict_makes_them_errors() {
    let dir = tempfile::tempdir().unwrap();
    let file = waiver_file(dir.path(), &WAIVERS.replace("H-AUTH-001", "H-AUTH-01"));
    let out = kaiji().args(["check", HINODE, "-f", "json", "--waivers"]).arg(&file).assert().code(1); // the run goes on: hinode fails as without waivers
    // miette wraps the message: join its lines again.
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).replace("\n  │ ", " ");
    assert!(
        stderr.contains("waiver for H-AUTH-01 for 日の出システムズ株式会社 on 17.1.d is stale: its policy is not in this run — did you mean `H-AUTH-001`?"),
        "{stderr}"
    );
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let typo = v["waivers"].as_array().unwrap().iter().find(|w| w["policy"] == "H-AUTH-01").unwrap();
    assert_eq!(typo["status"], "stale");
    assert!(v["sheets"][0]["policies"].as_array().unwrap().len() > 1, "every policy still ran");
    kaiji()
        .args(["check", HINODE, "-f", "json", "--strict-waivers", "--waivers"])
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("error: --strict-waivers: the waiver file has stale waivers"));
    // The unchanged file has a stale waiver too (one that matches nothing).
    let file = waiver_file(dir.path(), WAIVERS);
    kaiji().args(["check", HINODE, "--strict-waivers", "--waivers"]).arg(&file).assert().code(2);
    // Without stale waivers, --strict-waivers changes nothing.
    let only_active = WAIVERS.split("\n\n[[waiver]]").next().unwrap();
    let file = waiver_file(dir.path(), only_active);
    kaiji().args(["check", HINODE, "--strict-waivers", "--waivers"]).arg(&file).assert().code(1);
    kaiji().args(["check", HINODE, "--strict-waivers"]).assert().code(2).stderr(predicate::str::contains("--waivers"));
}

#[test]
fn an_expired_waivers_warning_shows_in_the_matrix_formats() {
    // The warning points into the waiver file (a site, as a policy's
    // finding has one), yet it is the waiver check's: it belongs in the
    // lint column of CSV and JUnit, not nowhere.
    let dir = tempfile::tempdir().unwrap();
    let file = waiver_file(dir.path(), WAIVERS);
    let out = kaiji().args(["check", HINODE, "--no-lint", "-f", "csv", "--waivers"]).arg(&file).assert().code(1);
    let csv = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let row = csv.lines().find(|l| l.contains("expired-waiver")).expect("an expired-waiver row");
    assert!(row.contains(",lint,"), "{row}");
    let out = kaiji().args(["check", HINODE, "--no-lint", "-f", "junit", "--waivers"]).arg(&file).assert().code(1);
    assert!(String::from_utf8_lossy(&out.get_output().stdout).contains("testcase name=\"lint/expired-waiver\""));
}

/// Stale waivers by the thousand: the first hundred are shown on stderr,
/// then one line for the rest, while the JSON report lists every one.
#[test]
fn many_stale_waivers_show_the_first_hundred_then_a_count() {
    let dir = tempfile::tempdir().unwrap();
    let text: String = (0..1_500)
        .map(|i| {
            format!(
                "[[waiver]]\npolicy = \"H-AUTH-001\"\nvendor = \"どこにもない{i}\"\nreason = \"r\"\nexpires = \"2999-03-31\"\n\n"
            )
        })
        .collect();
    let file = waiver_file(dir.path(), &text);
    let out = kaiji().args(["check", HINODE, "-f", "json", "--waivers"]).arg(&file).assert().code(1);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert_eq!(stderr.matches("matched nothing in this run").count(), 100, "{stderr}");
    assert!(stderr.contains("どこにもない99 matched"), "{stderr}");
    assert!(!stderr.contains("どこにもない100 matched"), "{stderr}");
    assert!(stderr.contains("… and 1400 more expired or stale waivers in"), "{stderr}");
    let v: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v["waivers"].as_array().unwrap().len(), 1_500);
}

/// A waiver file with thousands of duplicates stops the run with the
/// first hundred problems and a count of the rest.
#[test]
fn thousands_of_duplicate_waivers_show_a_hundred() {
    let dir = tempfile::tempdir().unwrap();
    let entry = "[[waiver]]\npolicy = \"H-AUTH-001\"\nvendor = \"日の出システムズ株式会社\"\nreason = \"r\"\nexpires = \"2999-03-31\"\n\n";
    let file = waiver_file(dir.path(), &entry.repeat(3_001));
    let out = kaiji().args(["check", HINODE, "--waivers"]).arg(&file).assert().code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert_eq!(stderr.matches("is written twice").count(), 100, "{stderr}");
    assert!(stderr.contains("(and 2999 more problem(s) below)"), "{stderr}");
    assert!(stderr.contains("… and 2900 more problem(s) in this file, not shown"), "{stderr}");
}
