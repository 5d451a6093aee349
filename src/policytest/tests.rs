use std::path::Path;

use super::*;
use crate::form::FormRegistry;
use crate::outcome::{Finding, PolicyOutcome, Severity};
use crate::sheet::Answer;

const FILE: &str = r#"
base = "builtin"

[[case]]
name = "compliant"
expect = "pass"

[[case]]
name = "no two-factor"
answers = { "17.1.d" = "いいえ", "29" = "" }
remarks = { 7 = "パスワードのみ" }
sheet = { vendor = "株式会社ほか" }
expect = "fail"
questions = ["17.1.d"]

[[case]]
name = "other policy, own base"
policy = "H-TLS-002"
base = "sheets/old.json"
expect = "warn"
"#;

#[test]
fn parses_cases_with_defaults_from_the_file() {
    let cases = file::parse(Path::new("policies/tests/H-AUTH-001.toml"), FILE).unwrap();
    assert_eq!(cases.len(), 3);
    assert_eq!((cases[0].policy.as_str(), &cases[0].base), ("H-AUTH-001", &Base::Builtin));
    assert_eq!(cases[0].line, 4);
    assert_eq!(cases[1].expect, Expect::Fail);
    assert_eq!(cases[1].questions.as_deref(), Some(&["17.1.d".to_string()][..]));
    assert_eq!(cases[2].policy, "H-TLS-002");
    assert_eq!(cases[2].base, Base::File(Path::new("policies/tests/sheets/old.json").to_path_buf()));
    // `<policy>.test.toml` also names its policy
    let c = file::parse(Path::new("p/tests/H-X.test.toml"), "[[case]]\nname='a'\nexpect='pass'\n").unwrap();
    assert_eq!(c[0].policy, "H-X");
}

#[test]
fn file_errors_are_located() {
    let text = "[[case]]\nname = \"a\"\nexpect = \"passes\"\n";
    let e = file::parse(Path::new("t.toml"), text).unwrap_err();
    assert!(e.message.contains("passes"), "{}", e.message);
    let label = e.label.unwrap();
    assert_eq!(&text[label.offset()..label.offset() + label.len()], "\"passes\"");
    let e = file::parse(Path::new("t.toml"), "[[case]]\nname = \"a\"\nexpect = \"pass\"\nanswer = {}\n").unwrap_err();
    assert!(e.message.contains("unknown field `answer`"), "{}", e.message);
}

#[test]
fn builds_the_sheet_from_base_and_overrides() {
    let forms = FormRegistry::builtin();
    let cases = file::parse(Path::new("policies/tests/H-AUTH-001.toml"), FILE).unwrap();
    let base = cases[0].build_sheet(&forms).unwrap();
    assert_eq!(base.answers.len(), 198, "the built-in base answers every question");
    assert!(crate::lint::lint(&base).is_empty(), "the built-in base lints clean");
    let s = cases[1].build_sheet(&forms).unwrap();
    let q = |id| s.form.index_of(id).unwrap();
    assert_eq!(s.answer_at(q("17.1.d")), Some(Answer::No));
    assert_eq!(s.answer_at(q("29")), None);
    assert_eq!(s.remark(7).unwrap().text, "パスワードのみ");
    assert_eq!(s.vendor(), "株式会社ほか");
    assert_eq!(s.answer_at(q("17.1.a")), base.answer_at(q("17.1.a")), "the rest is the base");
}

#[test]
fn json_and_missing_bases() {
    let forms = FormRegistry::builtin();
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("b.json");
    std::fs::copy(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/sheets/hinode-systems.json"), &json).unwrap();
    let text = "base = \"b.json\"\n[[case]]\nname = \"a\"\nanswers = { \"17.1.d\" = \"はい\" }\nexpect = \"pass\"\n[[case]]\nname = \"b\"\nbase = \"nope.toml\"\nexpect = \"pass\"\n";
    let cases = file::parse(&dir.path().join("P.toml"), text).unwrap();
    let s = cases[0].build_sheet(&forms).unwrap();
    assert_eq!(s.answer_at(s.form.index_of("17.1.d").unwrap()), Some(Answer::Yes));
    assert_eq!(s.vendor(), "日の出システムズ株式会社");
    let e = cases[1].build_sheet(&forms).unwrap_err();
    assert!(e.starts_with("cannot read base sheet"), "{e}");
}

#[test]
fn unknown_question_ids_in_a_case_are_errors() {
    let forms = FormRegistry::builtin();
    for text in [
        "[[case]]\nname = \"a\"\nanswers = { \"17.1.f\" = \"はい\" }\nexpect = \"pass\"\n",
        "[[case]]\nname = \"a\"\nexpect = \"fail\"\nquestions = [\"17.1.f\"]\n",
    ] {
        let cases = file::parse(Path::new("P.toml"), text).unwrap();
        let e = cases[0].build_sheet(&forms).unwrap_err();
        assert_eq!(e, "question `17.1.f` is not in form sds-6.0 (did you mean 17.1.e?)");
    }
}

fn actual(status: PolicyStatus, findings: &[(Severity, &str)]) -> PolicyEvaluation {
    let sheet = file::parse(Path::new("P.toml"), "[[case]]\nname='a'\nexpect='pass'\n").unwrap()[0]
        .build_sheet(&FormRegistry::builtin())
        .unwrap();
    PolicyEvaluation {
        outcome: PolicyOutcome { id: "P".into(), status, warnings: 0, reason: None },
        findings: findings
            .iter()
            .map(|(sev, q)| Finding::policy("P", *sev, "m").at_question(&sheet, sheet.form.index_of(q).unwrap()))
            .collect(),
        errors: Vec::new(),
        explain: None,
    }
}

#[test]
fn judging_outcomes_and_questions() {
    let mut case = file::parse(Path::new("P.toml"), "[[case]]\nname='a'\nexpect='fail'\nquestions=['90', '17.1.d']\n")
        .unwrap()
        .remove(0);
    let failing = actual(PolicyStatus::Fail, &[(Severity::Error, "17.1.d"), (Severity::Error, "90")]);
    assert!(judge(&case, &failing).is_empty(), "same questions in another order");
    assert_eq!(failing.questions(), ["17.1.d", "90"]);

    let one = actual(PolicyStatus::Fail, &[(Severity::Error, "17.1.d")]);
    assert_eq!(judge(&case, &one), ["expected findings on [90, 17.1.d], got [17.1.d]"]);

    let pass = actual(PolicyStatus::Pass, &[]);
    assert_eq!(judge(&case, &pass), ["expected fail, got pass", "expected findings on [90, 17.1.d], got []"]);

    case.questions = None;
    case.expect = Expect::Warn;
    let warned = actual(PolicyStatus::Pass, &[(Severity::Warning, "90")]);
    assert_eq!(Expect::of(&warned), Expect::Warn);
    assert!(judge(&case, &warned).is_empty());
    assert_eq!(judge(&case, &pass), ["expected warn, got pass"]);
    assert_eq!(Expect::of(&actual(PolicyStatus::Error, &[])), Expect::Error);
    assert_eq!(Expect::of(&actual(PolicyStatus::Skip, &[])), Expect::Skip);
}

const TWO_FACTOR: &str = "//! id: H-2FA\nif !sheet.is_yes(\"17.1.d\") { fail(\"17.1.d\", \"no 2FA\"); }\n";
const NTP: &str = "//! id: H-NTP\nif !sheet.is_yes(\"18\") { warn(\"18\", \"no NTP\"); }\n";

fn policies() -> crate::policy::PolicySet {
    crate::policy::PolicySet::from_memory(
        &[("two-factor.rhai", TWO_FACTOR), ("ntp.rhai", NTP)],
        "mem:",
        crate::policy::Limits::default(),
    )
    .unwrap()
}

#[test]
fn cases_run_against_policies_found_by_id_or_file_stem() {
    let set = policies();
    assert_eq!(find_policy(&set, "H-2FA").unwrap().id(), "H-2FA");
    assert_eq!(find_policy(&set, "two-factor").unwrap().id(), "H-2FA");
    assert!(find_policy(&set, "H-2F").is_none());

    let text = "[[case]]\nname = 'ok'\nexpect = 'pass'\n\
                [[case]]\nname = 'no'\nanswers = { '17.1.d' = 'いいえ' }\nexpect = 'fail'\nquestions = ['17.1.d']\n\
                [[case]]\nname = 'wrong'\nanswers = { '17.1.d' = 'いいえ' }\nexpect = 'warn'\n\
                [[case]]\nname = 'typo'\npolicy = 'H-2F'\nexpect = 'pass'\n";
    let cases = file::parse(Path::new("tests/two-factor.toml"), text).unwrap();
    let forms = FormRegistry::builtin();
    let results: Vec<CaseResult> = cases.iter().map(|c| run_case(c, &set, &forms)).collect();
    let passed: Vec<bool> = results.iter().map(CaseResult::passed).collect();
    assert_eq!(passed, [true, true, false, false]);
    assert_eq!(results[2].failure, ["expected warn, got fail"]);
    assert_eq!(results[3].failure, ["no policy `H-2F` among the policies tested (did you mean H-2FA?)"]);
    assert!(results[3].actual.is_err());
    assert_eq!(uncovered(&set, &results), ["H-NTP"]);

    let warn =
        file::parse(Path::new("tests/ntp.toml"), "[[case]]\nname='w'\nanswers={ '18' = 'いいえ' }\nexpect='warn'\n")
            .unwrap();
    let r = run_case(&warn[0], &set, &forms);
    assert!(r.passed(), "{:?}", r.failure);
    let all: Vec<CaseResult> = results.into_iter().chain([r]).collect();
    assert!(uncovered(&set, &all).is_empty());
}

/// Every case of a long file gets its own line, from one line index (each
/// case counting the newlines before it made `kaiji test` quadratic).
#[test]
fn a_long_test_file_numbers_every_case() {
    let text: String = (0..20_000).map(|i| format!("[[case]]\nname = \"c{i}\"\nexpect = \"pass\"\n\n")).collect();
    let cases = file::parse(Path::new("P.toml"), &text).unwrap();
    assert_eq!(cases.len(), 20_000);
    for (i, c) in cases.iter().enumerate().step_by(997) {
        assert_eq!((c.name.as_str(), c.line), (format!("c{i}").as_str(), 4 * i + 1));
    }
}

/// A base sheet is read and parsed once for all the cases that start from
/// it: what the first case read is what the later ones get, even when the
/// file changes in between, and the run knows which files it read.
#[test]
fn a_base_sheet_is_read_once_per_run() {
    let forms = FormRegistry::builtin();
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("b.json");
    std::fs::copy(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/sheets/hinode-systems.json"), &base).unwrap();
    let text = "base = \"b.json\"\n[[case]]\nname = \"a\"\nexpect = \"pass\"\n[[case]]\nname = \"b\"\nexpect = \"pass\"\n[[case]]\nname = \"c\"\nbase = \"builtin\"\nexpect = \"pass\"\n";
    let cases = file::parse(&dir.path().join("P.toml"), text).unwrap();
    let mut bases = Bases::default();
    let first = cases[0].build_sheet_with(&mut bases, &forms).unwrap();
    std::fs::write(&base, "not a sheet").unwrap();
    let second = cases[1].build_sheet_with(&mut bases, &forms).unwrap();
    assert_eq!(first.vendor(), second.vendor());
    cases[2].build_sheet_with(&mut bases, &forms).unwrap();
    assert_eq!(bases.files().collect::<Vec<_>>(), [base.as_path()]);
    // A fresh run reads the file again.
    assert!(cases[1].build_sheet(&forms).unwrap_err().contains("b.json"));
}
