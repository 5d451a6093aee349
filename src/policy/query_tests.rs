//! Set-level sheet queries: `ids_in`, `ids_where`, `count_where`, and the
//! loop they replace giving the same verdicts.

use std::sync::Arc;

use proptest::prelude::*;

use super::*;
use crate::lint::testutil;
use crate::outcome::PolicyStatus;

fn run_on(body: &str, sheet: &Arc<Sheet>) -> PolicyEvaluation {
    let set = PolicySet::from_memory(&[("p.rhai", body)], "test/", Limits::default()).unwrap();
    set.evaluate(sheet).remove(0)
}

/// The messages of the policy's findings (the value it reports).
fn said(body: &str, sheet: &Arc<Sheet>) -> Vec<String> {
    let e = run_on(body, sheet);
    assert!(e.errors.is_empty(), "{body}: {:?}", e.errors.iter().map(|e| &e.message).collect::<Vec<_>>());
    e.findings.into_iter().map(|f| f.message).collect()
}

/// The clean sheet with 17.1.a unanswered, 17.1.b いいえ, 17.1.c 対象外, and
/// gate 51 非該当 over its descendants.
fn fixture() -> Arc<Sheet> {
    let text = testutil::clean_text()
        .replace("\"17.1.a\" = \"はい\"", "")
        .replace("\"17.1.b\" = \"はい\"", "\"17.1.b\" = \"いいえ\"")
        .replace("\"17.1.c\" = \"はい\"", "\"17.1.c\" = \"対象外\"")
        .replace("\"51\" = \"該当\"", "\"51\" = \"非該当\"");
    let text = ["51.1", "51.2", "51.3", "51.4"]
        .iter()
        .fold(text, |t, q| t.replace(&format!("\"{q}\" = \"はい\""), &format!("\"{q}\" = \"対象外\"")));
    Arc::new(testutil::load(&text))
}

#[test]
fn ids_where_keeps_order_and_matches_unanswered() {
    let s = fixture();
    assert_eq!(s.answer_at(s.form.index_of("17.1.a").unwrap()), None, "fixture: 17.1.a unanswered");
    let got = said(
        "let l = [\"17.1.c\", \"17.1.b\", \"17.1.a\", \"17.1.d\"];\n\
         fail(`${sheet.ids_where(l, [\"いいえ\", \"\"])}`);\n\
         fail(`${sheet.ids_where(l, [\"na\", \"はい\"])}`);\n\
         fail(`${sheet.count_where(l, [\"いいえ\", \"\"])}`);\n\
         fail(`${sheet.ids_where([], [\"はい\"])}`);",
        &s,
    );
    assert_eq!(got, ["[\"17.1.b\", \"17.1.a\"]", "[\"17.1.c\", \"17.1.d\"]", "2", "[]"]);
}

#[test]
fn ids_in_lists_a_section_in_form_order() {
    let s = fixture();
    let got = said("fail(`${sheet.ids_in(\"情報の破棄\")}`); fail(`${sheet.ids_in(\"技術的安全対策\").len()}`);", &s);
    let want: Vec<String> =
        s.form.questions().iter().filter(|q| q.section == "情報の破棄").map(|q| format!("\"{}\"", q.id)).collect();
    assert_eq!(got[0], format!("[{}]", want.join(", ")));
    let n = s.form.questions().iter().filter(|q| q.section == "技術的安全対策").count();
    assert_eq!(got[1], n.to_string());
    // NFKC-compared: a stray full-width space still names the section
    assert_eq!(
        said("fail(`${sheet.ids_in(\"情報の破棄\").len()}`);", &s),
        said("fail(`${sheet.ids_in(\"情報の破棄\u{3000}\").len()}`);", &s)
    );
}

#[test]
fn gated_questions_are_what_their_answers_say() {
    // Under 51 非該当 the descendants are 対象外 in the clean sheet: a
    // selection rule (はい or 対象外) passes them; unanswered ones fail.
    let s = fixture();
    let got = said("fail(`${sheet.ids_where([\"51.1\", \"51.2\", \"51.3\", \"51.4\"], [\"対象外\"])}`);", &s);
    assert_eq!(got, ["[\"51.1\", \"51.2\", \"51.3\", \"51.4\"]"]);
}

#[test]
fn mistakes_in_queries_are_errors() {
    let s = fixture();
    for (body, why) in [
        ("sheet.ids_in(\"技術的安全対\");", "did you mean \"技術的安全対策\""),
        ("sheet.ids_where([\"999.9\"], [\"はい\"]);", "unknown question id \"999.9\""),
        ("sheet.ids_where([17], [\"はい\"]);", "question ids are strings"),
        ("sheet.ids_where([\"1\"], [\"はい\", \"yes!\"]);", "\"yes!\" is not an answer word"),
        ("sheet.count_where([\"1\"], [1]);", "word 0 is i64"),
    ] {
        let e = run_on(body, &s);
        assert_eq!(e.outcome.status, PolicyStatus::Error, "{body}");
        assert!(e.errors[0].message.contains(why), "{body}: {}", e.errors[0].message);
    }
}

#[test]
fn ids_are_shared_strings_of_the_form() {
    let s = fixture();
    let a = form_ids_for_test(&s.form);
    let b = form_ids_for_test(&s.form);
    assert!(Arc::ptr_eq(&a, &b), "one array per form and thread");
    assert_eq!(a.len(), s.form.len());
}

fn form_ids_for_test(form: &Arc<crate::form::Form>) -> Arc<Vec<rhai::Dynamic>> {
    super::api::form_ids(form)
}

const LIST: &str = "[\"17.1.d\", \"17.3\", \"17.3.1\", \"18\", \"19\", \"51.3\", \"53.7\", \"58\", \"58.1\", \"58.2\", \"65\", \"71\", \"90\", \"99\", \"100\"]";

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// The 7.0 selection rule as one query and as a loop: the same verdict
    /// and the same findings, on generated sheets (with their blanks,
    /// 対象外 and gates).
    #[test]
    fn query_and_loop_agree(index in 0u64..10_000, seed in 1u64..4) {
        let forms = crate::form::FormRegistry::builtin();
        let form = forms.get("sds-6.0").unwrap();
        let generator = crate::synth::Generator::new(form, crate::synth::Options { seed, problem_rate: 0.3 });
        let text = generator.sheet(index).to_toml();
        let Ok(sheet) = crate::sheet::load_str("g.toml", text, crate::sheet::SheetFormat::Toml, &forms) else {
            return Ok(());
        };
        let sheet = Arc::new(sheet);
        let query = format!("for q in sheet.ids_where({LIST}, [\"いいえ\", \"\"]) {{ fail(q, \"はい または 対象外 であること\"); }}");
        let looped = format!("for q in {LIST} {{ if !sheet.is_yes(q) && !sheet.is_na(q) {{ fail(q, \"はい または 対象外 であること\"); }} }}");
        let a = run_on(&query, &sheet);
        let b = run_on(&looped, &sheet);
        prop_assert_eq!(a.outcome.status, b.outcome.status);
        let qa: Vec<_> = a.findings.iter().map(|f| (f.question.clone(), f.message.clone(), f.span)).collect();
        let qb: Vec<_> = b.findings.iter().map(|f| (f.question.clone(), f.message.clone(), f.span)).collect();
        prop_assert_eq!(qa, qb);
    }
}
