//! `kaiji check --explain` (issue #15): for every policy on every sheet, the
//! sheet values it read, in order, with the verdict.

use std::path::Path;
use std::sync::Arc;

use assert_cmd::Command;
use kaiji::form::FormRegistry;
use kaiji::policy::{Limits, PolicySet};
use kaiji::report::{PolicyStatus, Read, explain_line};
use kaiji::sheet::{self, SheetFormat};
use serde_json::Value;

const TLS_POLICY: &str = "//! id: H-TLS-X\n//! title: 二要素認証と TLS 1.2 以上\n\
    if !sheet.is_yes(\"17.1.d\") { fail(\"17.1.d\", \"二要素認証\"); }\n\
    let tls = tls_versions(sheet.all_remarks());\n\
    if tls.is_empty() || tls[0] < \"1.2\" { fail(\"TLS 1.2 以上\"); }\n";

/// Reads of several kinds, and a path that depends on the answers.
const PATH_POLICY: &str = "//! id: H-PATH-X\n//! title: 経路\n\
    if !sheet.in_scope(\"53.7\") { skip(\"53 非該当\"); }\n\
    if sheet.vendor == \"\" { fail(\"事業者名\"); }\n\
    if sheet.is_yes(\"53.7\") && !mentions(sheet.remarks(\"53.7\"), [\"暗号\", \"AES\"]) { warn(\"53.7\", \"備考\"); }\n\
    let r = sheet.remark(9);\n";

fn sheet(text: &str) -> Arc<sheet::Sheet> {
    Arc::new(sheet::load_str("s.toml", text.to_string(), SheetFormat::Toml, &FormRegistry::builtin()).unwrap())
}

fn policies(explain: bool) -> PolicySet {
    PolicySet::from_memory(&[("tls.rhai", TLS_POLICY), ("path.rhai", PATH_POLICY)], "mem:", Limits::default())
        .unwrap()
        .explain(explain)
}

fn reads(explain: bool, sheet: &Arc<sheet::Sheet>, id: &str) -> (PolicyStatus, Option<Vec<Read>>) {
    let set = policies(explain);
    let e = set.evaluate(sheet).into_iter().find(|e| e.outcome.id == id).unwrap();
    (e.outcome.status, e.explain)
}

/// (read, question, value) of each read, for comparing.
fn steps(reads: &[Read]) -> Vec<(&str, Option<&str>, &str)> {
    reads.iter().map(|r| (r.read, r.question.as_deref(), r.value.as_str())).collect()
}

const PASSING: &str = "[sheet]\nvendor = \"株式会社あおぞら\"\n[answers]\n\"17.1.d\" = { answer = \"はい\", remarks = [1] }\n\
    \"53\" = \"該当\"\n\"53.7\" = { answer = \"はい\", remarks = [2] }\n\
    [remarks]\n1 = \"通信は TLS1.2、1.3 で暗号化する\"\n2 = \"AES-256 で暗号化\"\n";

const FAILING: &str = "[sheet]\nvendor = \"\"\n[answers]\n\"17.1.d\" = \"いいえ\"\n\"53\" = \"該当\"\n\"53.7\" = \"いいえ\"\n\
    [remarks]\n1 = \"TLS1.0 のみ\"\n";

#[test]
fn a_passing_policy_explains_what_it_read_in_order() {
    let (status, trace) = reads(true, &sheet(PASSING), "H-TLS-X");
    assert_eq!(status, PolicyStatus::Pass);
    let trace = trace.unwrap();
    assert_eq!(
        steps(&trace),
        vec![
            ("answer", Some("17.1.d"), "はい"),
            ("all_remarks", None, "2 remarks"),
            ("tls_versions", None, "TLS 1.2, 1.3")
        ]
    );
    assert_eq!(trace[1].remarks, vec![1, 2], "all remarks: every number");
    assert_eq!(explain_line(&trace), "read 17.1.d = はい, all remarks → TLS 1.2, 1.3");

    let (status, trace) = reads(true, &sheet(PASSING), "H-PATH-X");
    assert_eq!(status, PolicyStatus::Pass);
    let trace = trace.unwrap();
    assert_eq!(
        steps(&trace),
        vec![
            ("in_scope", Some("53.7"), "in scope"),
            ("metadata", None, "株式会社あおぞら"),
            ("answer", Some("53.7"), "はい"),
            ("remarks", Some("53.7"), ""),
            ("mentions", None, "yes"),
            ("remark", None, "absent"),
        ]
    );
    assert_eq!(trace[1].field.as_deref(), Some("vendor"));
    assert_eq!(trace[3].remarks, vec![2]);
    assert_eq!(trace[4].field.as_deref(), Some("暗号 | AES"));
    assert_eq!(trace[5].remarks, vec![9]);
}

#[test]
fn a_failing_policy_explains_what_it_read_in_order() {
    let (status, trace) = reads(true, &sheet(FAILING), "H-TLS-X");
    assert_eq!(status, PolicyStatus::Fail);
    let trace = trace.unwrap();
    assert_eq!(
        steps(&trace),
        vec![
            ("answer", Some("17.1.d"), "いいえ"),
            ("all_remarks", None, "1 remarks"),
            ("tls_versions", None, "TLS 1.0")
        ]
    );
    assert_eq!(explain_line(&trace), "read 17.1.d = いいえ, all remarks → TLS 1.0");

    // Unanswered, and a path cut short by the answers: only what was read.
    let (status, trace) = reads(true, &sheet("[answers]\n\"53\" = \"非該当\"\n"), "H-PATH-X");
    assert_eq!(status, PolicyStatus::Skip);
    assert_eq!(steps(&trace.unwrap()), vec![("in_scope", Some("53.7"), "out of scope (53 = 非該当)")]);
    let (_, trace) = reads(true, &sheet("[answers]\n\"53\" = \"該当\"\n"), "H-TLS-X");
    assert_eq!(steps(&trace.unwrap())[0], ("answer", Some("17.1.d"), "unanswered"));
}

#[test]
fn without_explain_nothing_is_recorded() {
    let (_, trace) = reads(false, &sheet(PASSING), "H-TLS-X");
    assert!(trace.is_none());
}

fn kaiji() -> Command {
    let mut c = assert_cmd::cargo::cargo_bin_cmd!("kaiji");
    c.current_dir(env!("CARGO_MANIFEST_DIR")).env("NO_COLOR", "1").env("COLUMNS", "100");
    c
}

fn files(dir: &Path) -> (String, String) {
    let policy = dir.join("tls.rhai");
    std::fs::write(&policy, TLS_POLICY).unwrap();
    let s = dir.join("s.toml");
    // Vendor text with an escape sequence: inert in the explanation.
    std::fs::write(&s, PASSING.replace("株式会社あおぞら", "株式会社\\u001b[31mあおぞら")).unwrap();
    (policy.display().to_string(), s.display().to_string())
}

#[test]
fn cli_human_json_and_html_show_the_reads() {
    let d = tempfile::tempdir().unwrap();
    let (policy, s) = files(d.path());
    std::fs::write(d.path().join("path.rhai"), PATH_POLICY).unwrap();
    let dir = d.path().display().to_string();
    let out = kaiji().args(["check", &s, "-p", &dir, "--no-lint", "--explain"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("  H-TLS-X pass: read 17.1.d = はい, all remarks → TLS 1.2, 1.3\n"), "{text}");
    assert!(text.contains("  H-PATH-X pass: read 53.7 in scope, vendor = 株式会社"), "{text}");
    assert!(!text.contains('\u{1b}'), "vendor text is printable: {text:?}");

    let out = kaiji().args(["check", &s, "-p", &policy, "--no-lint", "--explain", "-f", "json"]).output().unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let outcome = &report["sheets"][0]["policies"][0];
    assert_eq!(outcome["id"], "H-TLS-X");
    let explain = outcome["explain"].as_array().unwrap();
    assert_eq!(explain[0], serde_json::json!({"read": "answer", "question": "17.1.d", "value": "はい"}));
    assert_eq!(explain[2], serde_json::json!({"read": "tls_versions", "value": "TLS 1.2, 1.3"}));

    let out = kaiji().args(["check", &s, "-p", &policy, "--no-lint", "-f", "json"]).output().unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(report["sheets"][0]["policies"][0].get("explain").is_none(), "only with --explain");

    let out = kaiji().args(["check", &s, "-p", &policy, "--no-lint", "--explain", "-f", "html"]).output().unwrap();
    let html = String::from_utf8(out.stdout).unwrap();
    assert!(html.contains("read 17.1.d = はい, all remarks → TLS 1.2, 1.3"), "the drill-down of a pass");
}

/// `sheet.is_planned(id)` is recorded with what it found, and the built-in
/// two-factor policy warns on a planned はい.
#[test]
fn is_planned_is_explained_and_the_two_factor_policy_warns() {
    let planned = sheet(
        "[sheet]\nvendor = \"株式会社かもめ\"\n[answers]\n\"17.1.d\" = { answer = \"はい\", remarks = [1] }\n\
         [remarks]\n1 = \"ワンタイムパスワードは令和９年度中に導入予定\"\n",
    );
    let set = PolicySet::from_memory(
        &[(
            "p.rhai",
            "//! id: H-PLAN-X\n//! title: 予定\nif sheet.is_planned(\"17.1.d\") { warn(\"17.1.d\", \"予定\"); }\n",
        )],
        "mem:",
        Limits::default(),
    )
    .unwrap()
    .explain(true);
    let e = set.evaluate(&planned).into_iter().next().unwrap();
    let trace = e.explain.unwrap();
    assert_eq!(steps(&trace), [("planned", Some("17.1.d"), "yes (「令和9年度中」)")]);
    assert_eq!(explain_line(&trace), "read planned? 17.1.d → yes (「令和9年度中」)");

    let builtin = PolicySet::builtin(Limits::default());
    let two_factor = builtin.evaluate(&planned).into_iter().find(|e| e.outcome.id == "H-AUTH-001").unwrap();
    assert_eq!(two_factor.outcome.status, PolicyStatus::Pass);
    assert_eq!(two_factor.outcome.warnings, 1);
    assert!(two_factor.findings.iter().any(|f| f.message.contains("予定・計画")), "{:#?}", two_factor.findings);
}
