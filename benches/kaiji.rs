//! Criterion benchmarks of kaiji's stages, each alone, on generated sheets
//! (`kaiji::synth`, seed 1, 10 % with lint problems):
//!
//! - `parse/toml`, `parse/json`: file text → `Sheet`
//! - `lint`: the built-in rules on a loaded sheet
//! - `policies/baseline`: the built-in pack on a loaded sheet; `policy/<id>`
//!   one policy at a time
//! - `render/json`, `render/human`: one sheet's report
//! - `import/pdf_30_pages`: a generated 30-page sheet PDF (tests/pdfgen)
//!   through the PDF importer
//!
//! Throughput is per sheet (per sheet × policy for `policies`). Run with
//! `cargo bench --bench kaiji [FILTER]`; end-to-end CLI figures come from
//! `benches/run.sh`.

use std::hint::black_box;
use std::io;
use std::sync::Arc;

#[path = "../tests/pdfgen/mod.rs"]
mod pdfgen;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kaiji::form::FormRegistry;
use kaiji::policy::{Limits, PolicySet};
use kaiji::report::{self, FailOn, Format, RunInfo, SheetReport, Style, Summary};
use kaiji::runner::{Check, LintCheck};
use kaiji::sheet::{Sheet, SheetFormat, load_str};
use kaiji::synth::{Generator, Options};

const SHEETS: u64 = 200;

struct Data {
    forms: FormRegistry,
    toml: Vec<String>,
    json: Vec<String>,
    sheets: Vec<Arc<Sheet>>,
}

fn data() -> Data {
    let forms = FormRegistry::builtin();
    let g = Generator::new(forms.get("sds-6.0").unwrap(), Options { seed: 1, problem_rate: 0.1 });
    let generated: Vec<_> = (0..SHEETS).map(|i| g.sheet(i)).collect();
    let toml: Vec<String> = generated.iter().map(|s| s.to_toml()).collect();
    let json = generated.iter().map(|s| s.to_json()).collect();
    let sheets =
        toml.iter().map(|t| Arc::new(load_str("bench.toml", t.clone(), SheetFormat::Toml, &forms).unwrap())).collect();
    Data { forms, toml, json, sheets }
}

fn parse(c: &mut Criterion, d: &Data) {
    let mut g = c.benchmark_group("parse");
    g.throughput(Throughput::Elements(SHEETS));
    for (name, texts, format) in [("toml", &d.toml, SheetFormat::Toml), ("json", &d.json, SheetFormat::Json)] {
        g.bench_function(name, |b| {
            b.iter(|| {
                for t in texts {
                    black_box(load_str("bench", t.clone(), format, &d.forms).unwrap());
                }
            })
        });
    }
    g.finish();
}

fn lint(c: &mut Criterion, d: &Data) {
    let mut g = c.benchmark_group("lint");
    g.throughput(Throughput::Elements(SHEETS));
    g.bench_function("rules", |b| {
        b.iter(|| {
            for s in &d.sheets {
                black_box(kaiji::lint::lint(s));
            }
        })
    });
    g.finish();
}

fn policies(c: &mut Criterion, d: &Data) {
    let set = PolicySet::builtin(Limits::default());
    let mut g = c.benchmark_group("policies");
    g.throughput(Throughput::Elements(SHEETS * set.len() as u64));
    g.bench_function("baseline", |b| {
        b.iter(|| {
            for s in &d.sheets {
                black_box(set.evaluate(s));
            }
        })
    });
    g.finish();
    let mut g = c.benchmark_group("policy");
    g.throughput(Throughput::Elements(SHEETS));
    for p in set.policies() {
        g.bench_function(p.id(), |b| {
            b.iter(|| {
                for s in &d.sheets {
                    black_box(set.evaluate_policy(p, s));
                }
            })
        });
    }
    g.finish();
}

fn render(c: &mut Criterion, d: &Data) {
    let set = PolicySet::builtin(Limits::default());
    let reports: Vec<SheetReport> = d
        .sheets
        .iter()
        .map(|s| {
            let mut r = SheetReport::new("bench.toml", Some(s.clone()));
            LintCheck.check(s, &mut r);
            set.check(s, &mut r);
            r.finalize(FailOn::Error);
            r
        })
        .collect();
    let info = RunInfo {
        command: kaiji::outcome::RunCommand::Check,
        policies: set.infos(),
        fail_on: FailOn::Error,
        rules: kaiji::lint::rule_infos(),
        ..RunInfo::default()
    };
    let mut g = c.benchmark_group("render");
    g.throughput(Throughput::Elements(SHEETS));
    for (name, format) in [("json", Format::Json), ("human", Format::Human)] {
        g.bench_function(name, |b| {
            b.iter(|| {
                let mut r = report::renderer(format, Box::new(io::sink()), Style::plain(100));
                r.begin(&info).unwrap();
                let mut summary = Summary::default();
                for rep in &reports {
                    summary.add(rep);
                    r.sheet(rep).unwrap();
                }
                r.finish(&summary).unwrap();
            })
        });
    }
    g.finish();
}

fn import_pdf(c: &mut Criterion, d: &Data) {
    let form = d.forms.get("sds-6.0").unwrap();
    let mut spec = pdfgen::spec(&form, pdfgen::Style::Ellipse);
    // taller rows stretch the 198 questions over 30 pages
    let (pdf, _) = (60..100)
        .map(|gap| {
            spec.row_gap = gap as f32;
            pdfgen::sheet_pdf(&form, &spec)
        })
        .find(|(_, layout)| layout.pages == 30)
        .expect("some row gap gives 30 pages");
    let mut g = c.benchmark_group("import");
    g.throughput(Throughput::Elements(1));
    g.sample_size(10);
    g.bench_function("pdf_30_pages", |b| {
        b.iter(|| {
            let i = kaiji::import::pdf::import_bytes(black_box(&pdf), &form, "bench.pdf").unwrap();
            assert_eq!(i.report.recognised, 198);
            i
        })
    });
    g.finish();
}

fn benches(c: &mut Criterion) {
    let d = data();
    import_pdf(c, &d);
    parse(c, &d);
    lint(c, &d);
    policies(c, &d);
    render(c, &d);
}

criterion_group!(kaiji_benches, benches);
criterion_main!(kaiji_benches);
