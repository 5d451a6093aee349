use std::sync::Arc;

use jiff::civil::date;

use super::*;
use crate::lint::testutil;
use crate::outcome::Check;
use crate::outcome::{Finding, PolicyOutcome, PolicyStatus, Severity, SheetReport, Summary, WaiverStatus};
use crate::sheet::Sheet;

const GOOD: &str = r#"
# 医療情報部の承認済み逸脱
[[waiver]]
policy = "H-AUTH-001"
vendor = "株式会社テスト"
service = "テストカルテ"
question = "17.1.d"
reason = "次期更改（2027年4月）で二要素認証に対応予定"
approver = "医療情報部 山田"
expires = "2027-03-31"

[[waiver]]
policy = "H-TLS-002"
service = "ﾃｽﾄｶﾙﾃ"
reason = "閉域網のみ"
expires = "令和9年3月31日"

[[waiver]]
policy = "H-BCP-003"
vendor = "株式会社テスト"
reason = "BCP は年度内に提出予定"
expires = 2026-03-31
"#;

fn parse(text: &str) -> Result<WaiverSet, WaiverError> {
    WaiverSet::parse("waivers.toml", text.to_string())
}

/// The text a diagnostic underlines.
fn marked<'a>(text: &'a str, e: &WaiverError) -> &'a str {
    let s = e.span.expect("the problem has a place");
    &text[s.start..s.end]
}

#[test]
fn parses_every_field_and_date_form() {
    let set = parse(GOOD).unwrap();
    assert_eq!(set.waivers.len(), 3);
    let w = &set.waivers[0];
    assert_eq!(w.policy.value, "H-AUTH-001");
    assert_eq!(w.vendor.as_ref().unwrap().value, "株式会社テスト");
    assert_eq!(w.question.as_ref().unwrap().value, "17.1.d");
    assert_eq!(w.approver.as_ref().unwrap().value, "医療情報部 山田");
    assert_eq!(w.expires.value, date(2027, 3, 31));
    assert_eq!(&GOOD[w.expires.span.start..w.expires.span.end], "\"2027-03-31\"");
    assert_eq!(set.line_of(w), 3, "an entry starts at its [[waiver]] header");
    // half-width katakana normalised; 和暦 accepted
    assert_eq!(set.waivers[1].service.as_ref().unwrap().value, "テストカルテ");
    assert_eq!(set.waivers[1].expires.value, date(2027, 3, 31));
    // a bare TOML date
    assert_eq!(set.waivers[2].expires.value, date(2026, 3, 31));
    assert!(set.waivers[2].approver.is_none());
}

#[test]
fn entries_are_numbered_as_written() {
    let bad = "[[waiver]]\npolicy = \"P\"\n\n[[waiver]]\npolicy = \"Q\"\nvendor = \"V\"\nreason = \"r\"\n";
    let e = parse(bad).unwrap_err();
    let messages: Vec<&str> = e.problems().map(|p| p.message.as_str()).collect();
    assert!(messages.iter().any(|m| m.starts_with("waiver #2 has no `expires`")), "{messages:?}");
}

#[test]
fn an_empty_file_has_no_waivers() {
    assert!(parse("# nothing yet\n").unwrap().waivers.is_empty());
}

#[test]
fn missing_required_fields_point_at_the_entry() {
    let text = "[[waiver]]\nquestion = \"17.1.d\"\n";
    let e = parse(text).unwrap_err();
    let problems: Vec<&WaiverError> = e.problems().collect();
    let messages: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
    assert!(messages[0].starts_with("waiver #1 has no `policy`"), "{messages:?}");
    assert!(messages.contains(&"waiver #1 has no `reason`"), "{messages:?}");
    assert!(messages.contains(&"waiver #1 has no `expires`"), "{messages:?}");
    assert!(messages.contains(&"waiver #1 names neither `vendor` nor `service`"), "{messages:?}");
    assert!(e.message.contains("and 3 more problem(s)"), "{}", e.message);
    for p in problems {
        assert_eq!(marked(text, p), "[[waiver]]");
    }
}

#[test]
fn bad_dates_are_rejected_with_their_span() {
    for (value, expect) in [
        ("\"来年の春\"", "not a date"),
        ("\"2027-02-30\"", "does not exist"),
        ("\"令和1年4月30日\"", "outside the 令和 era"),
        ("2027-03-31T00:00:00", "must be a date"),
        ("20270331", "must be a date, found an integer"),
    ] {
        let text = format!("[[waiver]]\npolicy = \"P\"\nvendor = \"V\"\nreason = \"r\"\nexpires = {value}\n");
        let e = parse(&text).unwrap_err();
        assert!(e.message.contains(expect), "{value}: {}", e.message);
        assert_eq!(marked(&text, &e), value);
        assert!(e.extra.more.is_empty(), "{value}: one problem only, got {:?}", e.extra.more);
    }
}

#[test]
fn unknown_keys_suggest_the_right_one() {
    let text = "[[waiver]]\npolicy = \"P\"\nvendor = \"V\"\nreason = \"r\"\nexpire = \"2027-01-01\"\n";
    let e = parse(text).unwrap_err();
    assert_eq!(e.message, "unknown key `expire` in [[waiver]] (and 1 more problem(s) below)");
    assert!(e.help.as_deref().unwrap().starts_with("did you mean `expires`?"));
    assert_eq!(marked(text, &e), "expire");
    assert_eq!(e.extra.more[0].message, "waiver #1 has no `expires`");

    let top = "[[waivers]]\npolicy = \"P\"\n";
    let e = parse(top).unwrap_err();
    assert_eq!(e.message, "unknown key `waivers` in a waiver file");
    assert!(e.help.as_deref().unwrap().contains("did you mean `waiver`?"));
}

#[test]
fn wrong_shapes_and_empty_values() {
    let single = "[waiver]\npolicy = \"P\"\n";
    let e = parse(single).unwrap_err();
    assert!(e.message.contains("must be an array of tables"), "{}", e.message);
    assert!(e.help.as_deref().unwrap().contains("[[waiver]]"));

    let text = "[[waiver]]\npolicy = \"\"\nservice = 3\nreason = \"r\"\nexpires = \"2027-01-01\"\n";
    let e = parse(text).unwrap_err();
    let got: Vec<(&str, &str)> = e.problems().map(|p| (p.message.as_str(), marked(text, p))).collect();
    assert_eq!(
        got,
        [
            ("`service` must be a string, found an integer (and 2 more problem(s) below)", "3"),
            ("`policy` of waiver #1 is empty", "\"\""),
            ("waiver #1 names neither `vendor` nor `service`", "[[waiver]]"),
        ]
    );
}

#[test]
fn syntax_errors_are_located() {
    let text = "[[waiver]]\npolicy = \"P\n";
    let e = parse(text).unwrap_err();
    assert!(e.message.starts_with("not valid TOML"), "{}", e.message);
    assert!(e.span.is_some());
}

#[test]
fn duplicates_are_rejected() {
    let entry = "[[waiver]]\npolicy = \"P\"\nvendor = \"株式会社 テスト\"\nreason = \"r\"\nexpires = \"2027-01-01\"\n";
    let text = format!("{entry}\n{}", entry.replace("株式会社 テスト", "株式会社テスト"));
    let e = parse(&text).unwrap_err();
    assert_eq!(e.message, "waiver for P for 株式会社テスト is written twice (also on line 1)");
    assert_eq!(crate::text::line_col(&text, e.span.unwrap().start).0, 7);
}

#[test]
fn validate_names_against_forms_and_rules() {
    let text = GOOD.replace("\"17.1.d\"", "\"17.1.f\"").replace("H-TLS-002", "H-TLS-02");
    let set = parse(&text).unwrap();
    let forms = crate::form::FormRegistry::builtin();
    let rules = ["H-AUTH-001", "H-TLS-002", "H-BCP-003", "unanswered"];
    let e = set.validate(&forms).unwrap_err();
    let got: Vec<(&str, &str)> = e.problems().map(|p| (p.message.as_str(), marked(&text, p))).collect();
    assert_eq!(got, [("question `17.1.f` is in no loaded form", "\"17.1.f\"")]);
    assert!(e.help.as_deref().unwrap().starts_with("did you mean `17.1.e`?"));
    assert!(parse(GOOD).unwrap().validate(&forms).is_ok());
    // A policy not in the run is no error: the waiver is stale, with the nearest id.
    let set = parse(&GOOD.replace("H-TLS-002", "H-TLS-02")).unwrap();
    let check = WaiverCheck::new(set, date(2026, 1, 1)).in_run(rules);
    let stale: Vec<String> = check.warnings().iter().map(|w| w.message.clone()).collect();
    let typo = stale.iter().find(|m| m.starts_with("waiver for H-TLS-02 ")).unwrap();
    assert!(typo.contains("is stale: its policy is not in this run — did you mean `H-TLS-002`?"), "{typo}");
    assert!(check.any_stale());
    assert!(check.reports().iter().any(|r| r.policy == "H-TLS-02" && r.status == WaiverStatus::Stale));
}

#[test]
fn load_reports_missing_files() {
    let e = WaiverSet::load(std::path::Path::new("/nonexistent/waivers.toml")).unwrap_err();
    assert_eq!(e.message, "no such waiver file");
    assert!(e.help.is_some());
}

// ── applying waivers ──────────────────────────────────────────────────────

/// A report on the test sheet (vendor 株式会社テスト, service テストカルテ)
/// with policy findings as an engine would leave them.
fn report(findings: &[(&str, Severity, &str)], outcomes: &[(&str, PolicyStatus)]) -> (Arc<Sheet>, SheetReport) {
    let sheet = Arc::new(testutil::clean());
    let mut r = SheetReport::new("t.toml", Some(sheet.clone()));
    for &(rule, severity, q) in findings {
        let qi = sheet.form.index_of(q).unwrap();
        let f = if crate::lint::rule(rule).is_some() { Finding::lint } else { Finding::policy };
        r.findings.push(f(rule, severity, format!("{rule} on {q}")).at_question(&sheet, qi));
    }
    for (id, status) in outcomes {
        r.policies.push(PolicyOutcome { id: id.to_string(), status: *status, warnings: 0, reason: None });
    }
    (sheet, r)
}

fn waiver(policy: &str, who: &str, question: Option<&str>, expires: &str) -> String {
    let q = question.map(|q| format!("question = \"{q}\"\n")).unwrap_or_default();
    format!(
        "[[waiver]]\npolicy = \"{policy}\"\n{who}\n{q}reason = \"承認済み\"\napprover = \"山田\"\nexpires = \"{expires}\"\n\n"
    )
}

fn check(text: &str, today: jiff::civil::Date) -> WaiverCheck {
    WaiverCheck::new(parse(text).unwrap(), today)
}

const TODAY: jiff::civil::Date = date(2026, 6, 1);

#[test]
fn active_waiver_waives_findings_and_the_outcome() {
    let c = check(&waiver("H-AUTH-001", "service = \"テストカルテ\"", None, "2026-06-01"), TODAY);
    let (sheet, mut r) = report(
        &[
            ("H-AUTH-001", Severity::Error, "17.1.d"),
            ("H-AUTH-001", Severity::Error, "90"),
            ("unanswered", Severity::Warning, "29"),
        ],
        &[("H-AUTH-001", PolicyStatus::Fail)],
    );
    c.check(&sheet, &mut r);
    r.finalize(crate::outcome::FailOn::Error);
    assert_eq!(r.policies[0].status, PolicyStatus::Waived);
    let waived: Vec<_> = r.findings.iter().filter(|f| f.waived.is_some()).map(|f| f.question.as_deref()).collect();
    assert_eq!(waived, [Some("17.1.d"), Some("90")]);
    let note = r.findings[0].waived.as_ref().unwrap();
    assert_eq!(
        (note.reason.as_str(), note.approver.as_deref(), note.expires.as_str()),
        ("承認済み", Some("山田"), "2026-06-01")
    );
    assert!(r.findings.iter().find(|f| &*f.rule == "unanswered").unwrap().is_active());
    assert_eq!(r.status, crate::outcome::SheetStatus::Pass, "waived failures do not fail the sheet");

    let reports = c.reports();
    assert_eq!((reports[0].status, reports[0].matched, reports[0].sheets), (WaiverStatus::Active, 2, 1));
    assert_eq!(reports[0].location.line, 1);
}

#[test]
fn a_question_waiver_leaves_other_failures_and_the_outcome_failing() {
    let c = check(&waiver("H-AUTH-001", "vendor = \"株式会社テスト\"", Some("17.1.d"), "2027-03-31"), TODAY);
    let (sheet, mut r) = report(
        &[("H-AUTH-001", Severity::Error, "17.1.d"), ("H-AUTH-001", Severity::Error, "90")],
        &[("H-AUTH-001", PolicyStatus::Fail)],
    );
    c.check(&sheet, &mut r);
    assert_eq!(r.policies[0].status, PolicyStatus::Fail);
    assert!(r.findings[0].waived.is_some());
    assert!(r.findings[1].waived.is_none());
}

#[test]
fn warnings_are_waived_but_do_not_decide_the_outcome() {
    let c = check(&waiver("H-LOG-004", "vendor = \"株式会社テスト\"", None, "2027-03-31"), TODAY);
    let (sheet, mut r) = report(&[("H-LOG-004", Severity::Warning, "38")], &[("H-LOG-004", PolicyStatus::Pass)]);
    c.check(&sheet, &mut r);
    assert!(r.findings[0].waived.is_some());
    assert_eq!(r.policies[0].status, PolicyStatus::Pass);
}

#[test]
fn names_must_match_the_sheet() {
    for who in [
        "vendor = \"株式会社ほか\"",
        "service = \"ほかのカルテ\"",
        "vendor = \"株式会社テスト\"\nservice = \"ほかのカルテ\"",
    ] {
        let c = check(&waiver("H-AUTH-001", who, None, "2027-03-31"), TODAY);
        let (sheet, mut r) =
            report(&[("H-AUTH-001", Severity::Error, "17.1.d")], &[("H-AUTH-001", PolicyStatus::Fail)]);
        c.check(&sheet, &mut r);
        assert!(r.findings[0].waived.is_none(), "{who}");
        assert_eq!(r.policies[0].status, PolicyStatus::Fail, "{who}");
        assert_eq!(c.reports()[0].status, WaiverStatus::Stale, "{who}");
    }
    // full-width space and full-width letters still name the same vendor
    let c = check(
        &waiver("H-AUTH-001", "vendor = \"株式会社　テスト\"\nservice = \"テストカルテ\"", None, "2027-03-31"),
        TODAY,
    );
    let (sheet, mut r) = report(&[("H-AUTH-001", Severity::Error, "17.1.d")], &[]);
    c.check(&sheet, &mut r);
    assert!(r.findings[0].waived.is_some());
}

#[test]
fn expired_waiver_no_longer_waives_and_warns_on_the_sheet() {
    let c = check(&waiver("H-AUTH-001", "service = \"テストカルテ\"", Some("17.1.d"), "2026-05-31"), TODAY);
    let (sheet, mut r) = report(&[("H-AUTH-001", Severity::Error, "17.1.d")], &[("H-AUTH-001", PolicyStatus::Fail)]);
    c.check(&sheet, &mut r);
    r.finalize(crate::outcome::FailOn::Error);
    assert_eq!(r.policies[0].status, PolicyStatus::Fail);
    assert!(r.findings.iter().all(|f| f.waived.is_none()));
    let expired: Vec<&Finding> = r.findings.iter().filter(|f| &*f.rule == EXPIRED_RULE).collect();
    assert_eq!(expired.len(), 1);
    let f = expired[0];
    assert_eq!(f.severity, Severity::Warning);
    assert_eq!(f.message, "waiver for H-AUTH-001 expired on 2026-05-31; 1 finding(s) it covered count again");
    assert_eq!(f.question.as_deref(), Some("17.1.d"));
    let site = f.policy_site.as_ref().unwrap();
    assert_eq!((&*site.path, &site.source[site.span.start..site.span.end]), ("waivers.toml", "\"2026-05-31\""));
    assert!(f.help.as_deref().unwrap().starts_with("waivers.toml:1: renew"));

    let rep = &c.reports()[0];
    assert_eq!((rep.status, rep.matched, rep.sheets), (WaiverStatus::Expired, 1, 1));
    let warnings = c.warnings();
    assert_eq!(warnings.len(), 1);
    assert_eq!(
        warnings[0].message,
        "waiver for H-AUTH-001 for テストカルテ on 17.1.d expired on 2026-05-31; 1 finding(s) it covered count again"
    );
}

#[test]
fn an_expired_waiver_beside_its_renewal_is_quiet() {
    let old = waiver("H-AUTH-001", "service = \"テストカルテ\"", None, "2026-03-31");
    let renewed = waiver("H-AUTH-001", "vendor = \"株式会社テスト\"", None, "2027-03-31");
    let c = check(&format!("{old}{renewed}"), TODAY);
    let (sheet, mut r) = report(&[("H-AUTH-001", Severity::Error, "17.1.d")], &[("H-AUTH-001", PolicyStatus::Fail)]);
    c.check(&sheet, &mut r);
    assert_eq!(r.policies[0].status, PolicyStatus::Waived);
    assert!(r.findings.iter().all(|f| &*f.rule != EXPIRED_RULE));
    let states: Vec<(WaiverStatus, usize)> = c.reports().iter().map(|w| (w.status, w.matched)).collect();
    assert_eq!(states, [(WaiverStatus::Expired, 0), (WaiverStatus::Active, 1)]);
}

#[test]
fn stale_and_run_wide_counts_through_the_summary() {
    let text = [
        waiver("H-AUTH-001", "service = \"テストカルテ\"", None, "2027-03-31"),
        waiver("H-OLD-009", "service = \"テストカルテ\"", None, "2027-03-31"),
        waiver("H-BCP-003", "service = \"テストカルテ\"", None, "2026-01-31"),
    ]
    .concat();
    let c = check(&text, TODAY);
    for _ in 0..3 {
        let (sheet, mut r) = report(
            &[("H-AUTH-001", Severity::Error, "17.1.d"), ("H-BCP-003", Severity::Error, "100")],
            &[("H-AUTH-001", PolicyStatus::Fail), ("H-BCP-003", PolicyStatus::Fail)],
        );
        c.check(&sheet, &mut r);
    }
    let mut summary = Summary::default();
    c.finish(&mut summary);
    let got: Vec<(&str, WaiverStatus, usize, usize)> =
        summary.waivers.as_ref().unwrap().iter().map(|w| (w.policy.as_str(), w.status, w.matched, w.sheets)).collect();
    assert_eq!(
        got,
        [
            ("H-AUTH-001", WaiverStatus::Active, 3, 3),
            ("H-OLD-009", WaiverStatus::Stale, 0, 0),
            ("H-BCP-003", WaiverStatus::Expired, 3, 3),
        ]
    );
    let warnings: Vec<String> = c.warnings().iter().map(|w| w.message.clone()).collect();
    assert_eq!(
        warnings,
        [
            "waiver for H-OLD-009 for テストカルテ matched nothing in this run (stale)",
            "waiver for H-BCP-003 for テストカルテ expired on 2026-01-31; 3 finding(s) it covered count again",
        ]
    );
}

#[test]
fn errors_are_never_waived() {
    let c = check(&waiver("H-AUTH-001", "service = \"テストカルテ\"", None, "2027-03-31"), TODAY);
    let (sheet, mut r) = report(&[], &[("H-AUTH-001", PolicyStatus::Error)]);
    c.check(&sheet, &mut r);
    assert_eq!(r.policies[0].status, PolicyStatus::Error);
    assert_eq!(c.reports()[0].status, WaiverStatus::Stale);
}

/// Fails H-AUTH-001 on 17.1.d and H-BCP-003 on 100 for every sheet, as the
/// policy engine would.
struct FakePolicies;

impl Check for FakePolicies {
    fn check(&self, sheet: &Arc<Sheet>, report: &mut SheetReport) {
        for (id, q) in [("H-AUTH-001", "17.1.d"), ("H-BCP-003", "100")] {
            let qi = sheet.form.index_of(q).unwrap();
            report.findings.push(Finding::policy(id, Severity::Error, format!("{id} fails")).at_question(sheet, qi));
            report.policies.push(PolicyOutcome {
                id: id.into(),
                status: PolicyStatus::Fail,
                warnings: 0,
                reason: None,
            });
        }
    }
}

#[test]
fn json_report_shows_every_waiver_state() {
    let dir = tempfile::tempdir().unwrap();
    let sheet_path = dir.path().join("a.toml");
    std::fs::write(&sheet_path, testutil::clean_text()).unwrap();
    let text = [
        waiver("H-AUTH-001", "service = \"テストカルテ\"", Some("17.1.d"), "2027-03-31"),
        waiver("H-BCP-003", "service = \"テストカルテ\"", None, "2026-03-31"),
        waiver("H-GONE-404", "vendor = \"株式会社テスト\"", None, "2027-03-31"),
    ]
    .concat();
    let waivers = check(&text, TODAY);
    let forms = crate::form::FormRegistry::builtin();
    let runner = crate::runner::Run::new(crate::outcome::RunCommand::Check, &forms)
        .check(&FakePolicies)
        .waivers(&waivers)
        .fail_on(crate::outcome::FailOn::Error)
        .jobs(1)
        .build();
    let mut out = Vec::new();
    let summary = {
        let mut json = crate::report::json::Json::new(Box::new(&mut out));
        let inputs = [crate::runner::Input::File(sheet_path)];
        runner.run(&inputs, &mut json).unwrap()
    };
    assert_eq!(summary.exit_code(), 1, "the expired waiver's failure still fails the sheet");
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let states: Vec<(&str, &str, u64)> = v["waivers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| (w["policy"].as_str().unwrap(), w["status"].as_str().unwrap(), w["matched"].as_u64().unwrap()))
        .collect();
    assert_eq!(states, [("H-AUTH-001", "active", 1), ("H-BCP-003", "expired", 1), ("H-GONE-404", "stale", 0)]);
    assert_eq!(v["waivers"][2]["location"]["path"], "waivers.toml");
    assert_eq!(v["waivers"][2]["location"]["line"], 16);
    assert!(v["summary"].get("waivers").is_none(), "waivers sit beside the summary");

    let sheet = &v["sheets"][0];
    let policies: Vec<(&str, &str)> = sheet["policies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["id"].as_str().unwrap(), p["status"].as_str().unwrap()))
        .collect();
    assert_eq!(policies, [("H-AUTH-001", "waived"), ("H-BCP-003", "fail")]);
    let auth = sheet["findings"].as_array().unwrap().iter().find(|f| f["rule"] == "H-AUTH-001").unwrap();
    assert_eq!(auth["waived"]["reason"], "承認済み");
    assert_eq!(auth["waived"]["expires"], "2027-03-31");
    let expired = sheet["findings"].as_array().unwrap().iter().find(|f| f["rule"] == EXPIRED_RULE).unwrap();
    assert_eq!(expired["severity"], "warning");
    assert_eq!(expired["message"], "waiver for H-BCP-003 expired on 2026-03-31; 1 finding(s) it covered count again");
    assert_eq!(expired["location"]["path"], "waivers.toml", "points at the waiver");
    assert_eq!(expired["location"]["line"], 14);
}

#[test]
fn warnings_underline_the_waiver_entry() {
    let text = waiver("H-GONE-404", "vendor = \"株式会社テスト\"", None, "2027-03-31");
    let c = check(&text, TODAY);
    let w = c.warnings();
    let mut s = String::new();
    miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
        .with_width(100)
        .render_report(&mut s, &w[0])
        .unwrap();
    assert!(s.contains("matched nothing in this run (stale)"), "{s}");
    assert!(s.contains("[waivers.toml:1:1]"), "{s}");
    assert!(s.contains("this waiver"), "{s}");
}

/// `n` distinct waivers, as a hospital that waives per vendor might keep.
fn many_waivers(n: usize) -> String {
    let mut s = String::new();
    for i in 0..n {
        s.push_str(&format!(
            "[[waiver]]\npolicy = \"H-AUTH-001\"\nvendor = \"株式会社ベンダー{i}\"\nservice = \"サービス{i}\"\n\
             question = \"17.1.d\"\nreason = \"次期更改で対応予定 {i}\"\napprover = \"医療情報部 山田\"\n\
             expires = \"2099-03-31\"\n\n"
        ));
    }
    s
}

#[test]
fn ten_thousand_waivers_load_validate_and_report() {
    let text = many_waivers(10_000);
    let set = parse(&text).unwrap();
    assert_eq!(set.waivers.len(), 10_000);
    assert_eq!(set.waivers[9_999].vendor.as_ref().unwrap().value, "株式会社ベンダー9999");
    let rules: Vec<String> = (0..500).map(|i| format!("H-X-{i:03}")).chain(["H-AUTH-001".to_string()]).collect();
    set.validate(&FormRegistry::builtin()).unwrap();
    assert_eq!(set.line_of(&set.waivers[9_999]), 9_999 * 9 + 1);
    // No sheet names any of them: every one is stale, and each warning
    // renders with its own line.
    let check = WaiverCheck::new(set, date(2026, 1, 1)).in_run(rules.iter().map(String::as_str));
    let reports = check.reports();
    assert_eq!(reports.len(), 10_000);
    assert!(reports.iter().all(|r| r.status == WaiverStatus::Stale));
    assert_eq!(reports[9_999].location.line, 9_999 * 9 + 1);
    let warnings = check.warnings();
    assert_eq!(warnings.len(), 10_000);
    let handler = miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor());
    let mut out = String::new();
    handler.render_report(&mut out, &warnings[9_999]).unwrap();
    assert!(out.contains("89992 │ [[waiver]]"), "{out}");

    // A duplicate among them is found and points at both lines.
    let dup = format!(
        "{text}[[waiver]]\npolicy = \"H-AUTH-001\"\nvendor = \"株式会社ベンダー5000\"\nservice = \"サービス5000\"\nquestion = \"17.1.d\"\nreason = \"再\"\nexpires = \"2099-03-31\"\n"
    );
    let e = parse(&dup).unwrap_err();
    assert!(e.message.contains("written twice (also on line 45001)"), "{}", e.message);
}

/// Every problem of a waiver file past the first hundred is counted, not
/// kept, and those kept share one text: 8,000 duplicates once held and
/// rendered a copy of the file each (gigabytes, then an abort).
#[test]
fn problems_past_the_cap_are_counted_and_share_one_source() {
    let entry = "[[waiver]]\npolicy = \"H-AUTH-001\"\nvendor = \"株式会社テスト\"\nreason = \"r\"\nexpires = \"2099-03-31\"\n\n";
    let e = parse(&entry.repeat(251)).unwrap_err();
    assert_eq!(e.count(), 250, "every duplicate counted");
    assert_eq!(e.problems().count(), crate::text::DIAGNOSTICS_SHOWN);
    assert_eq!(e.extra.omitted.as_ref().map(|m| m.0), Some(150));
    assert!(e.message.ends_with("(and 249 more problem(s) below)"), "{}", e.message);
    let src = e.src.as_ref().unwrap();
    assert!(e.problems().all(|p| Arc::ptr_eq(p.src.as_ref().unwrap(), src)), "one source for all");

    let report = crate::text::PrintableDiagnostic::report(&miette::Report::new(e));
    let mut out = String::new();
    miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
        .render_report(&mut out, report.as_ref())
        .unwrap();
    assert_eq!(out.matches("is written twice").count(), 100, "{out}");
    assert!(out.contains("… and 150 more problem(s) in this file, not shown"), "{out}");
    // The last one shown is the 101st entry (the 100th duplicate).
    assert!(out.contains(&format!("[waivers.toml:{}:1]", 100 * 6 + 1)), "{out}");

    // Invalid dates are counted the same way, each entry once.
    let bad = "[[waiver]]\npolicy = \"H-AUTH-001\"\nvendor = \"V{}\"\nreason = \"r\"\nexpires = \"2027-02-30\"\n\n";
    let text: String = (0..300).map(|i| bad.replace("{}", &i.to_string())).collect();
    let e = parse(&text).unwrap_err();
    assert_eq!(e.count(), 300);
    assert_eq!(e.problems().count(), 100);
    assert!(e.problems().all(|p| p.message.starts_with("expires:")), "{}", e.message);
}

/// A value of the wrong type raises one problem, not a second "is empty"
/// one, also once the cap is reached and problems are only counted.
#[test]
fn a_wrong_value_is_one_problem_past_the_cap_too() {
    let bad = "[[waiver]]\npolicy = 1\nvendor = \"V{}\"\nreason = \"r\"\nexpires = \"2099-03-31\"\n\n";
    let text: String = (0..150).map(|i| bad.replace("{}", &i.to_string())).collect();
    let e = parse(&text).unwrap_err();
    assert_eq!(e.count(), 150);
}

/// A 和暦 expiry outside its era (平成31年5月1日 was already 令和; 昭和101年
/// never came) is refused where it is written, not read as a western date.
#[test]
fn an_expiry_outside_its_era_is_a_located_error() {
    for (written, era) in [("平成31年5月1日", "平成"), ("昭和101年3月31日", "昭和"), ("令和元年4月30日", "令和")]
    {
        let text =
            format!("[[waiver]]\npolicy = \"H-AUTH-001\"\nvendor = \"V\"\nreason = \"r\"\nexpires = \"{written}\"\n");
        let e = parse(&text).unwrap_err();
        assert_eq!(marked(&text, &e), format!("\"{written}\""));
        assert!(e.message.starts_with(&format!("expires: {written} is outside the {era} era")), "{}", e.message);
        assert_eq!(e.line_col(), Some((5, 11)));
    }
    assert_eq!(
        parse(&GOOD.replace("令和9年3月31日", "平成30年3月31日")).unwrap().waivers[1].expires.value,
        date(2018, 3, 31)
    );
}
