//! kaiji and Rego side by side: the 50-policy benchmark pack
//! (`kaiji::synth::policy_pack`) evaluated by kaiji (Rhai) and, written in
//! Rego (benches/rego/*.rego), by the regorus interpreter, on the same
//! generated sheets, with every verdict compared.
//!
//! `cargo bench --bench rego` (sheets: `KAIJI_REGO_SHEETS`, default 1000).
//!
//! Both engines start from the sheet's JSON text. kaiji parses it into a
//! `Sheet` and evaluates; the Rego side parses it the same way, builds its
//! input document from the `Sheet` once per sheet (normalised answers,
//! NFKC remark texts, citations; the form's structure is loaded once as
//! data) and evaluates the query `data.policies`. Times are printed with
//! and without the parse/input step, single-threaded and on every core
//! (rayon; one engine clone per thread for regorus), each the median of
//! `KAIJI_REGO_RUNS` runs (default 3).
//!
//! A verdict is (status, failing question ids, warning question ids) per
//! sheet and policy; a difference fails the run, naming both.

#[path = "rego/common.rs"]
mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use kaiji::form::FormRegistry;
use kaiji::policy::{Limits, PolicySet};
use kaiji::sheet::{Sheet, SheetFormat, load_str};
use kaiji::synth::{Generator, Options, policy_pack};
use rayon::prelude::*;
use regorus::Value;

const POLICIES: usize = 50;

fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let t = Instant::now();
    let out = f();
    (out, t.elapsed())
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument is ignored.
    let n: u64 = std::env::var("KAIJI_REGO_SHEETS").ok().and_then(|v| v.parse().ok()).unwrap_or(1000);
    let forms = FormRegistry::builtin();
    let form = forms.get("sds-6.0").unwrap();
    let g = Generator::new(form.clone(), Options { seed: 1, problem_rate: 0.1 });
    let json: Vec<String> = (0..n).map(|i| g.sheet(i).to_json()).collect();
    let pack = policy_pack(POLICIES);
    let files: Vec<(&str, &str)> = pack.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let set = PolicySet::from_memory(&files, "bench:", Limits::default()).expect("policy pack");
    assert_eq!(set.len(), POLICIES);
    let (engine, compile_rego) = timed(|| common::engine(&pack, &form));
    let threads = rayon::current_num_threads();
    println!("kaiji vs regorus: {n} sheets × {POLICIES} policies, {threads} threads for the parallel runs");
    println!("regorus: {} Rego modules loaded in {compile_rego:.2?}", POLICIES + 1);

    let parse = |t: &String| Arc::new(load_str("sheet.json", t.clone(), SheetFormat::Json, &forms).unwrap());
    let (sheets, t_parse): (Vec<Arc<Sheet>>, _) = timed(|| json.iter().map(parse).collect());
    let (inputs, t_input): (Vec<Value>, _) = timed(|| sheets.iter().map(|s| common::input(s)).collect());

    // Equivalence on every sheet (also a warm-up of both engines).
    let mut e = engine.clone();
    let mut checked = 0usize;
    for (i, (s, input)) in sheets.iter().zip(&inputs).enumerate() {
        let kv = common::kaiji_verdicts(&set.evaluate(s));
        let rv = common::rego_verdicts(&common::eval(&mut e, input));
        if let Err(msg) = common::compare(&format!("sheet {i} (seed 1)"), &kv, &rv) {
            eprintln!("error: kaiji and Rego verdicts differ\n{msg}");
            std::process::exit(1);
        }
        checked += kv.len();
    }

    // Each time is the median of `runs`.
    let runs: usize = std::env::var("KAIJI_REGO_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(3).max(1);
    let median = |f: &mut dyn FnMut()| {
        let mut ts: Vec<Duration> = (0..runs).map(|_| timed(&mut *f).1).collect();
        ts.sort();
        ts[ts.len() / 2]
    };
    // Evaluation alone (sheets parsed, Rego inputs built beforehand).
    let t_k1 = median(&mut || drop(sheets.iter().map(|s| set.evaluate(s)).collect::<Vec<_>>()));
    let mut e = engine.clone();
    let t_r1 = median(&mut || drop(inputs.iter().map(|i| common::eval(&mut e, i)).collect::<Vec<_>>()));
    let t_kp = median(&mut || drop(sheets.par_iter().map(|s| set.evaluate(s)).collect::<Vec<_>>()));
    let t_rp = median(&mut || drop(inputs.par_iter().map_init(|| engine.clone(), common::eval).collect::<Vec<_>>()));
    // End to end from the JSON text: parse (+ Rego input) + evaluate.
    let t_k1_all = median(&mut || drop(json.iter().map(|t| set.evaluate(&parse(t))).collect::<Vec<_>>()));
    let mut e = engine.clone();
    let t_r1_all =
        median(&mut || drop(json.iter().map(|t| common::eval(&mut e, &common::input(&parse(t)))).collect::<Vec<_>>()));
    let t_kp_all = median(&mut || drop(json.par_iter().map(|t| set.evaluate(&parse(t))).collect::<Vec<_>>()));
    let t_rp_all = median(&mut || {
        drop(
            json.par_iter()
                .map_init(|| engine.clone(), |e, t| common::eval(e, &common::input(&parse(t))))
                .collect::<Vec<_>>(),
        )
    });

    println!("equivalence: {checked} sheet×policy verdicts identical ({n} sheets × {POLICIES} policies)");
    println!("preparation (single thread): parse JSON → Sheet {t_parse:.2?}; Rego input from Sheet {t_input:.2?}");
    let evals = (n as f64) * POLICIES as f64;
    let row = |what: &str, k: Duration, r: Duration| {
        println!(
            "{what:<34} kaiji {:>9.2?} ({:>9.0}/s)   regorus {:>9.2?} ({:>9.0}/s)   kaiji/regorus {:.3} (kaiji {:.1}× faster)",
            k,
            evals / k.as_secs_f64(),
            r,
            evals / r.as_secs_f64(),
            k.as_secs_f64() / r.as_secs_f64(),
            r.as_secs_f64() / k.as_secs_f64(),
        )
    };
    println!("median of {runs} runs; sheet×policy evaluations per second in parentheses:");
    row("evaluation only, 1 thread", t_k1, t_r1);
    row(&format!("evaluation only, {threads} threads"), t_kp, t_rp);
    row("parse (+input) + eval, 1 thread", t_k1_all, t_r1_all);
    row(&format!("parse (+input) + eval, {threads} threads"), t_kp_all, t_rp_all);
}
