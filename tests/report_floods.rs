//! A flood of findings on one sheet renders in linear time in every format:
//! each renderer locates findings through the sheet's line index instead of
//! rescanning the text per finding.

mod common;

use std::sync::Arc;
use std::time::Instant;

use common::*;
use kaiji::form::FormRegistry;
use kaiji::report::{FailOn, Finding, Format, PolicyOutcome, PolicySite, PolicyStatus, Severity, SheetReport};
use kaiji::sheet::{self, SheetFormat, Span};

const FINDINGS: usize = 40_000;

const POLICY: &str = "//! id: H-AUTH-001\nfor i in 0..40000 {\n    fail(\"17.1.d\", \"二要素認証\");\n}\n";

/// One sheet with `n` findings spread over its questions, every other one a
/// policy's (with its `fail` call site), the rest lint's. Built directly:
/// policies are capped in how many findings they may raise.
fn flood(n: usize) -> (kaiji::report::RunInfo, Vec<SheetReport>) {
    let text = std::fs::read_to_string("examples/sheets/aozora-cloud.toml").unwrap();
    let sheet = sheet::load_str("vendors/flood.toml", text, SheetFormat::Toml, &FormRegistry::builtin()).unwrap();
    let sheet = Arc::new(sheet);
    let call = POLICY.find("fail(").unwrap();
    let site = PolicySite {
        path: "policies/h-auth-001.rhai".into(),
        source: Arc::from(POLICY),
        span: Span::new(call, call + POLICY[call..].find(';').unwrap()),
    };
    let mut r = SheetReport::new("vendors/flood.toml", Some(sheet.clone()));
    let questions = sheet.form.len();
    r.findings = (0..n)
        .map(|i| {
            let q = (i * 7) % questions;
            if i % 2 == 0 {
                let mut f =
                    Finding::policy("H-AUTH-001", Severity::Error, format!("finding {i}")).at_question(&sheet, q);
                f.policy_site = Some(site.clone());
                f
            } else {
                Finding::lint("unanswered", Severity::Warning, format!("lint {i}")).at_question(&sheet, q)
            }
        })
        .collect();
    r.policies = vec![PolicyOutcome { id: "H-AUTH-001".into(), status: PolicyStatus::Fail, warnings: 0, reason: None }];
    r.finalize(FailOn::Error);
    let run = check_run();
    (run, vec![r])
}

fn formats() -> Vec<Format> {
    Format::ALL.to_vec()
}

#[test]
fn forty_thousand_findings_on_one_sheet_render_in_every_format() {
    let (run, reports) = flood(FINDINGS);
    for format in formats() {
        let out = render(format, &run, &reports);
        assert!(!out.is_empty(), "{format:?}");
        if format == Format::Json {
            let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
            assert_eq!(v["sheets"][0]["findings"].as_array().unwrap().len(), FINDINGS);
        }
    }
}

/// Seconds per format for the flood, by hand:
/// `cargo test --release --test report_floods -- --ignored --nocapture`.
#[test]
#[ignore]
fn time_the_flood_per_format() {
    // FLOOD=n times another size, to see the growth.
    let n = std::env::var("FLOOD").ok().and_then(|n| n.parse().ok()).unwrap_or(FINDINGS);
    let (run, reports) = flood(n);
    for format in formats() {
        let t = Instant::now();
        let out = render(format, &run, &reports);
        eprintln!("{format:?}: {:.3} s, {} bytes", t.elapsed().as_secs_f64(), out.len());
    }
}
