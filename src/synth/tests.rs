use std::collections::BTreeSet;

use super::*;
use crate::form::FormRegistry;
use crate::sheet::{Sheet, SheetFormat, load_str};

fn generator(problem_rate: f64, seed: u64) -> Generator {
    let form = FormRegistry::builtin().get("sds-6.0").unwrap();
    Generator::new(form, Options { seed, problem_rate })
}

fn load(s: &SynthSheet, format: SheetFormat) -> Sheet {
    let text = match format {
        SheetFormat::Toml => s.to_toml(),
        SheetFormat::Json => s.to_json(),
    };
    load_str("synth", text.clone(), format, &FormRegistry::builtin())
        .unwrap_or_else(|e| panic!("sheet {} does not load: {e:?}\n{text}", s.index))
}

fn lint_rules(sheet: &Sheet) -> BTreeSet<String> {
    crate::lint::lint(sheet).into_iter().map(|f| f.rule.to_string()).collect()
}

#[test]
fn same_seed_same_sheets_and_independent_of_count() {
    let g = generator(0.3, 42);
    let a: Vec<SynthSheet> = (0..20).map(|i| g.sheet(i)).collect();
    let b: Vec<SynthSheet> = (0..20).map(|i| generator(0.3, 42).sheet(i)).collect();
    assert_eq!(a, b);
    assert_eq!(g.sheet(7).to_toml(), a[7].to_toml());
    let other = generator(0.3, 43);
    assert!((0..20).filter(|&i| other.sheet(i).to_toml() != a[i as usize].to_toml()).count() >= 19);
}

#[test]
fn clean_sheets_load_in_both_syntaxes_and_lint_clean() {
    let g = generator(0.0, 7);
    for i in 0..300 {
        let s = g.sheet(i);
        assert!(s.problems.is_empty());
        let toml = load(&s, SheetFormat::Toml);
        let json = load(&s, SheetFormat::Json);
        let findings: Vec<String> = crate::lint::lint(&toml).into_iter().map(|f| f.message).collect();
        assert!(findings.is_empty(), "sheet {i}: {findings:#?}\n{}", s.to_toml());
        // The two syntaxes carry the same content.
        for q in 0..toml.form.len() {
            assert_eq!(toml.answer_at(q), json.answer_at(q), "sheet {i} question {q}");
            assert_eq!(toml.remark_texts_at(q), json.remark_texts_at(q));
        }
        assert_eq!(toml.all_remarks(), json.all_remarks());
        assert_eq!((toml.vendor(), toml.created()), (json.vendor(), json.created()));
    }
}

#[test]
fn injected_problems_are_exactly_what_lint_finds() {
    let g = generator(1.0, 11);
    let mut seen = BTreeSet::new();
    for i in 0..400 {
        let s = g.sheet(i);
        assert!(!s.problems.is_empty() && s.problems.len() <= 3, "sheet {i}: {:?}", s.problems);
        let expected: BTreeSet<String> = s.problems.iter().map(|p| p.to_string()).collect();
        for format in [SheetFormat::Toml, SheetFormat::Json] {
            let got = lint_rules(&load(&s, format));
            assert_eq!(got, expected, "sheet {i} ({format:?})\n{}", s.to_toml());
        }
        seen.extend(s.problems.iter().copied());
    }
    assert_eq!(seen.len(), PROBLEMS.len(), "every kind of problem is generated: {seen:?}");
}

#[test]
fn problem_rate_is_respected() {
    let g = generator(0.1, 3);
    let with = (0..2000).filter(|&i| !g.sheet(i).problems.is_empty()).count();
    assert!((140..=260).contains(&with), "{with} of 2000 sheets have problems at rate 0.1");
}

#[test]
fn answers_are_coherent_and_varied() {
    let g = generator(0.0, 5);
    let form = g.form().clone();
    let id = |s: &str| form.index_of(s).unwrap();
    let (mut closed_gates, mut open_gates, mut no, mut tls, mut full_width, mut notes) = (0, 0, 0, 0, 0, 0);
    let mut tls_sets = BTreeSet::new();
    for i in 0..200 {
        let sheet = load(&g.sheet(i), SheetFormat::Toml);
        for q in 0..form.len() {
            let question = &form.questions()[q];
            let a = sheet.answer_at(q);
            if sheet.closed_gate(q).is_some() {
                assert!(matches!(a, None | Some(Answer::Na)), "sheet {i} {}", question.id);
                continue;
            }
            assert!(a.is_some(), "sheet {i}: {} unanswered", question.id);
            match (question.kind, a) {
                (Kind::Applicability, Some(Answer::NotApplicable)) => closed_gates += 1,
                (Kind::Applicability, _) => open_gates += 1,
                (_, Some(Answer::No)) => no += 1,
                _ => {}
            }
            // Sub-questions of a いいえ are 対象外.
            if let Some(p) = question.parent_index
                && form.questions()[p].kind == Kind::YesNo
                && sheet.answer_at(p) == Some(Answer::No)
            {
                assert_eq!(a, Some(Answer::Na), "sheet {i} {}", question.id);
            }
            notes += usize::from(sheet.entry_at(q).is_some_and(|e| e.note.is_some()));
        }
        // "If there is no access log ..." is 対象外 when there is one.
        if sheet.answer_at(id("17.3")) == Some(Answer::Yes) {
            assert_eq!(sheet.answer_at(id("17.4")), Some(Answer::Na));
        }
        let raw = g.sheet(i).to_toml();
        full_width += usize::from(raw.contains("ＴＬＳ"));
        let all = sheet.all_remarks();
        if all.contains("TLS") {
            tls += 1;
            let versions: BTreeSet<&str> =
                ["1.0", "1.1", "1.2", "1.3"].into_iter().filter(|v| all.contains(&format!("TLS{v}"))).collect();
            tls_sets.insert(versions);
        }
    }
    assert!(closed_gates > 200 && open_gates > 200, "gates: {closed_gates} closed, {open_gates} open");
    assert!(no > 200, "{no} いいえ");
    assert!(tls > 100, "{tls} of 200 sheets mention TLS");
    assert!(full_width > 5, "{full_width} sheets write ＴＬＳ in full width");
    assert!(tls_sets.len() >= 4, "TLS version mixes: {tls_sets:?}");
    assert!(notes > 50, "{notes} inline notes");
}

#[test]
fn file_stems_sort_in_generation_order() {
    assert_eq!(SynthSheet::file_stem(7, 10), "sheet-00007");
    assert_eq!(SynthSheet::file_stem(123_456, 1_000_000), "sheet-123456");
    let stems: Vec<String> = (0..200).map(|i| SynthSheet::file_stem(i, 200)).collect();
    assert!(stems.windows(2).all(|w| w[0] < w[1]));
}
