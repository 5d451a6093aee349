//! `kaiji check` and `kaiji api` from the command line: exit codes 0/1/2,
//! broken sheets and policies among good ones, sandbox flags, determinism
//! across job counts.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

const EXAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/sheets");

fn kaiji() -> Command {
    let mut c = assert_cmd::cargo::cargo_bin_cmd!("kaiji");
    c.current_dir(env!("CARGO_MANIFEST_DIR")).env("NO_COLOR", "1").env("COLUMNS", "100");
    c
}

fn example(name: &str) -> String {
    format!("{EXAMPLES}/{name}")
}

fn json_of(out: &[u8]) -> Value {
    serde_json::from_slice(out).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(out)))
}

fn sheet<'a>(report: &'a Value, suffix: &str) -> &'a Value {
    report["sheets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["path"].as_str().unwrap().ends_with(suffix))
        .unwrap_or_else(|| panic!("no sheet {suffix} in {report}"))
}

fn policy_status<'a>(sheet: &'a Value, id: &str) -> &'a str {
    sheet["policies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == id)
        .unwrap_or_else(|| panic!("no policy {id} in {sheet}"))["status"]
        .as_str()
        .unwrap()
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn exit_0_for_the_strong_vendor_with_the_builtin_pack() {
    let out = kaiji().args(["check", &example("aozora-cloud.toml"), "-f", "json"]).assert().code(0);
    let report = json_of(&out.get_output().stdout);
    let s = sheet(&report, "aozora-cloud.toml");
    assert_eq!(s["status"], "pass");
    assert!(s["policies"].as_array().unwrap().len() >= 12);
    assert_eq!(policy_status(s, "H-AUTH-001"), "pass");
    assert_eq!(report["summary"]["policies"].as_u64(), Some(s["policies"].as_array().unwrap().len() as u64));
}

#[test]
fn exit_1_for_the_weaker_vendor_and_fail_on() {
    let hinode = example("hinode-systems.json");
    let out = kaiji().args(["check", &hinode, "-f", "json"]).assert().code(1);
    let report = json_of(&out.get_output().stdout);
    let s = sheet(&report, "hinode-systems.json");
    assert_eq!(s["status"], "fail");
    assert_eq!(policy_status(s, "H-AUTH-001"), "fail");
    assert_eq!(policy_status(s, "H-BAK-002"), "fail");
    let f = s["findings"].as_array().unwrap().iter().find(|f| f["rule"] == "H-AUTH-001").unwrap();
    assert_eq!(f["question"], "17.1.d");
    assert_eq!(f["severity"], "error");
    assert_eq!(f["location"]["path"], hinode.as_str());
    assert_eq!(f["location"]["line"], 35);
    kaiji().args(["check", &hinode, "--fail-on", "never"]).assert().code(0);

    // a policy that only warns: passes by default, fails with --fail-on warning
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "w.rhai", "warn(\"17.1.b\", \"生体認証なし\");");
    let aozora = example("aozora-cloud.toml");
    let p = d.path().to_str().unwrap();
    kaiji().args(["check", &aozora, "-p", p]).assert().code(0);
    kaiji().args(["check", &aozora, "-p", p, "--fail-on", "warning"]).assert().code(1);
}

#[test]
fn exit_2_for_a_malformed_sheet_among_good_ones() {
    let d = tempfile::tempdir().unwrap();
    std::fs::copy(example("aozora-cloud.toml"), d.path().join("a.toml")).unwrap();
    std::fs::copy(example("hinode-systems.json"), d.path().join("c.json")).unwrap();
    write(d.path(), "b.toml", "[answers\n\"17.1.d\" = \"はい\"\n");
    let out = kaiji().args(["check", d.path().to_str().unwrap(), "-f", "json"]).assert().code(2);
    let report = json_of(&out.get_output().stdout);
    assert_eq!(sheet(&report, "a.toml")["status"], "pass");
    assert_eq!(sheet(&report, "c.json")["status"], "fail");
    let bad = sheet(&report, "b.toml");
    assert_eq!(bad["status"], "error");
    assert!(!bad["errors"].as_array().unwrap().is_empty());
    assert_eq!(report["summary"]["errors"], 1);
    assert_eq!(report["summary"]["passed"], 1);
    assert_eq!(report["summary"]["failed"], 1);
}

#[test]
fn exit_2_for_a_policy_that_does_not_compile_while_others_run() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "good.rhai", "//! id: GOOD\nif !sheet.is_yes(\"17.1.d\") { fail(\"17.1.d\", \"二要素\"); }");
    write(d.path(), "bad.rhai", "//! id: BAD\nlet x = ;\n");
    let p = d.path().to_str().unwrap();
    let (a, h) = (example("aozora-cloud.toml"), example("hinode-systems.json"));
    let out = kaiji().args(["check", &a, &h, "-p", p, "-f", "json"]).assert().code(2);
    let report = json_of(&out.get_output().stdout);
    for (suffix, good) in [("aozora-cloud.toml", "pass"), ("hinode-systems.json", "fail")] {
        let s = sheet(&report, suffix);
        assert_eq!(s["status"], "error");
        assert_eq!(policy_status(s, "GOOD"), good);
        assert_eq!(policy_status(s, "BAD"), "error");
        let errors = s["errors"].as_array().unwrap();
        assert_eq!(errors.len(), 1, "reported once per sheet");
        assert_eq!(errors[0]["policy"], "BAD");
        assert_eq!(errors[0]["location"]["line"], 2);
        assert!(errors[0]["message"].as_str().unwrap().contains("syntax error"));
    }
    // human output shows the policy line
    kaiji()
        .args(["check", &a, "-p", p])
        .assert()
        .code(2)
        .stdout(predicate::str::contains("policy BAD: syntax error").and(predicate::str::contains("let x = ;")));
}

#[test]
fn sandbox_flags_bound_a_runaway_policy() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "spin.rhai", "let i = 0;\nloop { i += 1; }");
    write(d.path(), "deep.rhai", "fn f(n) { f(n + 1) }\nf(0);");
    write(d.path(), "ok.rhai", "");
    let p = d.path().to_str().unwrap();
    let a = example("aozora-cloud.toml");
    let out = kaiji()
        .args(["check", &a, "-p", p, "-f", "json", "--max-operations", "5000", "--max-call-depth", "8"])
        .assert()
        .code(2);
    let report = json_of(&out.get_output().stdout);
    let s = sheet(&report, "aozora-cloud.toml");
    assert_eq!(policy_status(s, "ok"), "pass");
    let messages: Vec<&str> = s["errors"].as_array().unwrap().iter().map(|e| e["message"].as_str().unwrap()).collect();
    assert!(messages.iter().any(|m| m.contains("policy spin: exceeded the limit of 5000 operations")), "{messages:?}");
    assert!(messages.iter().any(|m| m.contains("policy deep: exceeded the call depth limit of 8")), "{messages:?}");

    // the deepest allowed recursion ends as an error, not a stack overflow
    let out = kaiji()
        .args(["check", &a, "-p", p, "-f", "json", "--max-operations", "100000", "--max-call-depth", "256", "-j", "2"])
        .assert()
        .code(2);
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(text.contains("exceeded the call depth limit of 256"), "{text}");
    kaiji().args(["check", &a, "--max-call-depth", "257"]).assert().code(2);

    // 0 would mean "unlimited" to Rhai: refused, for every limit
    for flag in
        ["--max-operations", "--timeout-ms", "--max-string-size", "--max-array-size", "--max-map-size", "--max-memory"]
    {
        let out = kaiji().args(["check", &a, "-p", p, flag, "0"]).assert().code(2);
        let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
        assert!(err.contains("0 is not in"), "{flag}: {err}");
    }

    let started = std::time::Instant::now();
    let out = kaiji()
        .args(["check", &a, "-p", p, "-f", "json", "--max-operations", "1000000000", "--timeout-ms", "200"])
        .assert()
        .code(2);
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(text.contains("exceeded the time limit of 200 ms"), "{text}");
}

#[test]
fn policy_load_errors_stop_the_run() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "one.rhai", "//! id: SAME\n");
    write(d.path(), "two/two.rhai", "//! id: SAME\n");
    let a = example("aozora-cloud.toml");
    kaiji()
        .args(["check", &a, "-p", d.path().to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("policy id `SAME` is used by both").and(predicate::str::contains("two.rhai")));
    kaiji()
        .args(["check", &a, "-p", "no/such/policies"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("does not exist"));
}

#[test]
fn output_is_identical_whatever_the_job_count() {
    let d = tempfile::tempdir().unwrap();
    let names = ["aozora-cloud.toml", "hinode-systems.json", "sakura-support.toml"];
    for i in 0..6 {
        for n in names {
            std::fs::copy(example(n), d.path().join(format!("{i}-{n}"))).unwrap();
        }
    }
    write(d.path(), "zz-broken.toml", "not = [toml");
    let dir = d.path().to_str().unwrap();
    let run = |jobs: &str| {
        let out = kaiji().args(["check", dir, "-f", "json", "--jobs", jobs]).assert().code(2);
        out.get_output().stdout.clone()
    };
    let one = run("1");
    assert_eq!(json_of(&one)["summary"]["sheets"], 19);
    assert_eq!(one, run("2"), "JSON differs between --jobs 1 and --jobs 2");
    assert_eq!(one, run("4"));
}

#[test]
fn output_file_and_no_lint() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("report.json");
    let sakura = example("sakura-support.toml");
    kaiji()
        .args(["check", &sakura, "-f", "json", "-o", out.to_str().unwrap()])
        .assert()
        .stdout(predicate::str::is_empty());
    let with_lint = json_of(&std::fs::read(&out).unwrap());
    let rules = |r: &Value| -> Vec<String> {
        r["sheets"][0]["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap().to_string()).collect()
    };
    assert!(rules(&with_lint).iter().any(|r| r == "unknown-question"));
    let no_lint = kaiji().args(["check", &sakura, "-f", "json", "--no-lint"]).output().unwrap();
    assert!(rules(&json_of(&no_lint.stdout)).iter().all(|r| r.starts_with("H-")));
}

/// `-o` naming a FIFO is refused at once (opening one for writing waits
/// for a reader: the run hung), and the FIFO is left as it was.
#[cfg(unix)]
#[test]
fn output_to_a_fifo_is_refused() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("report.fifo");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("skipped: mkfifo is not available");
        return;
    }
    let a = kaiji()
        .timeout(std::time::Duration::from_secs(20))
        .args(["check", &example("aozora-cloud.toml"), "-f", "json", "-o"])
        .arg(&fifo)
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&a.get_output().stderr).replace("\n  │ ", " ");
    assert!(err.contains("is a FIFO, not a regular file; nothing was written"), "{err}");
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo(), "the FIFO is still a FIFO");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(leftovers.len(), 1, "no temporary file left beside it: {leftovers:?}");
}

/// `-o /dev/stdout` writes the report to stdout (whatever stdout is, here a
/// pipe), and `-o /dev/null` discards it; both run as usual.
#[cfg(unix)]
#[test]
fn output_to_dev_stdout_and_dev_null() {
    let a = kaiji().args(["check", &example("aozora-cloud.toml"), "-f", "json", "-o", "/dev/stdout"]).assert().code(0);
    assert_eq!(json_of(&a.get_output().stdout)["summary"]["passed"], 1);
    let a = kaiji().args(["check", &example("aozora-cloud.toml"), "-o", "/dev/null"]).assert().code(0);
    assert!(a.get_output().stdout.is_empty());
}

#[test]
fn list_policies_and_api() {
    kaiji()
        .args(["check", "--list-policies"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("H-AUTH-001").and(predicate::str::contains("builtin:auth-two-factor.rhai")));
    kaiji().arg("api").assert().code(0).stdout(
        predicate::str::contains("### `sheet.answer(id: string) -> string | ()`")
            .and(predicate::str::contains("### `tls_versions(text: string | array | ()) -> array`"))
            .and(predicate::str::contains("### `fail(id: string, message: string)`")),
    );
}

#[test]
fn the_readme_example_policy_works() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start = readme.find("```rhai\n//! id: H-AUTH-001").expect("README has the example policy") + 8;
    let body = &readme[start..start + readme[start..].find("```").unwrap()];
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "card.rhai", body);
    let p = d.path().to_str().unwrap();
    kaiji().args(["check", &example("aozora-cloud.toml"), "-p", p]).assert().code(0);
    let out = kaiji().args(["check", &example("hinode-systems.json"), "-p", p, "-f", "json"]).assert().code(1);
    let report = json_of(&out.get_output().stdout);
    let questions: Vec<&str> = sheet(&report, "hinode-systems.json")["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "H-AUTH-001")
        .map(|f| f["question"].as_str().unwrap())
        .collect();
    assert_eq!(questions, ["17.1.d"]);
}
