//! Per-call cost of the policy API (`cargo bench --bench api`): one policy
//! evaluated on one sheet where every question is answered (はい, or 該当
//! for an applicability question), so no call takes an error path and only
//! `fail` raises findings. Throughput is per element, so criterion's
//! "time per element" is the cost of one call (or one question of a rule):
//!
//! - `api/evaluation`: a policy that does nothing (per evaluation)
//! - `api/answered`: `sheet.answered(q)` over 99 listed ids (per call)
//! - `api/ids`: `for q in sheet.ids() {}` (per id, 198)
//! - `api/ids_answered`: `for q in sheet.ids() { sheet.answered(q); }`
//!   (per id, 198)
//! - `api/loop_rule`: the guideline 7.0 selection rule written as a loop,
//!   `is_yes`/`is_na` per listed id (per question, 99)
//! - `api/query_rule`: the same rule as `sheet.ids_where` (per question, 99)
//! - `api/fail`: `fail(q, msg)` for 99 ids (per finding)
//!
//! The file uses only API that predates the set-level queries, so it runs
//! unchanged on an older commit for before/after figures (a case whose
//! policy does not run there, `query_rule`, is left out).

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kaiji::form::{FormRegistry, Kind};
use kaiji::policy::{Limits, PolicySet};
use kaiji::sheet::{Sheet, SheetFormat, load_str};

/// Every question answered: はい, or 該当 for an applicability question.
fn sheet(forms: &FormRegistry) -> Arc<Sheet> {
    let form = forms.get("sds-6.0").expect("built-in form");
    let mut text = String::from("[sheet]\nform = \"sds-6.0\"\nvendor = \"架空ベンチ株式会社\"\n\n[answers]\n");
    for q in form.questions() {
        let word = if q.kind == Kind::YesNo { "はい" } else { "該当" };
        text.push_str(&format!("\"{}\" = \"{word}\"\n", q.id));
    }
    Arc::new(load_str("bench.toml", text, SheetFormat::Toml, forms).expect("bench sheet loads"))
}

/// The first 99 yes/no ids in form order, as a Rhai array literal.
fn list(forms: &FormRegistry) -> String {
    let form = forms.get("sds-6.0").expect("built-in form");
    let ids: Vec<String> =
        form.questions().iter().filter(|q| q.kind == Kind::YesNo).take(99).map(|q| format!("\"{}\"", q.id)).collect();
    assert_eq!(ids.len(), 99);
    format!("[{}]", ids.join(", "))
}

fn benches(c: &mut Criterion) {
    let forms = FormRegistry::builtin();
    let sheet = sheet(&forms);
    let list = list(&forms);
    let ids = forms.get("sds-6.0").unwrap().questions().len() as u64;
    let cases: [(&str, u64, String); 7] = [
        ("evaluation", 1, "let n = 0;".into()),
        ("answered", 99, format!("const LIST = {list};\nfor q in LIST {{ sheet.answered(q); }}")),
        ("ids", ids, "for q in sheet.ids() { }".into()),
        // The loop the issue measured: every id, `answered` on each.
        ("ids_answered", ids, "for q in sheet.ids() { sheet.answered(q); }".into()),
        (
            "loop_rule",
            99,
            format!(
                "const LIST = {list};\nfor q in LIST {{ if !sheet.is_yes(q) && !sheet.is_na(q) {{ fail(q, \"はい または 対象外 であること\"); }} }}"
            ),
        ),
        (
            "query_rule",
            99,
            format!(
                "const LIST = {list};\nfor q in sheet.ids_where(LIST, [\"いいえ\", \"\"]) {{ fail(q, \"はい または 対象外 であること\"); }}"
            ),
        ),
        ("fail", 99, format!("const LIST = {list};\nfor q in LIST {{ fail(q, \"はい または 対象外 であること\"); }}")),
    ];
    let mut g = c.benchmark_group("api");
    for (name, elements, body) in cases {
        let source = format!("//! id: BENCH-{name}\n{body}\n");
        let set = PolicySet::from_memory(&[(&format!("{name}.rhai"), &source)], "", Limits::default())
            .expect("bench policy compiles");
        let policy = &set.policies()[0];
        let probe = set.evaluate_policy(policy, &sheet);
        if !probe.errors.is_empty() {
            eprintln!("api/{name}: skipped, the policy does not run on this commit");
            continue;
        }
        g.throughput(Throughput::Elements(elements));
        g.bench_function(name, |b| b.iter(|| black_box(set.evaluate_policy(policy, &sheet))));
    }
    g.finish();
}

criterion_group!(api_benches, benches);
criterion_main!(api_benches);
