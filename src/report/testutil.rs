//! Reports for renderer tests: generated sheets with lint and policy
//! findings, waivers with and without an approver, and a sheet that could
//! not be read.

use std::sync::Arc;

use super::{FailOn, Location, RunError, SheetReport, WaiverNote};
use crate::form::FormRegistry;
use crate::policy::{Limits, PolicySet};
use crate::runner::{Check, LintCheck};
use crate::sheet::{SheetFormat, load_str};
use crate::synth::{Generator, Options};

pub fn varied_reports() -> Vec<SheetReport> {
    let forms = FormRegistry::builtin();
    let set = PolicySet::builtin(Limits::default());
    let explaining = PolicySet::builtin(Limits::default()).explain(true);
    let g = Generator::new(forms.get("sds-6.0").unwrap(), Options { seed: 5, problem_rate: 0.5 });
    let mut reports = Vec::new();
    for i in 0..40 {
        let mut sheet = load_str("v/s.toml", g.sheet(i).to_toml(), SheetFormat::Toml, &forms).unwrap();
        if i % 5 == 2 {
            sheet.sha256 = Some(format!("{i:064x}"));
        }
        let sheet = Arc::new(sheet);
        let mut r = SheetReport::new(format!("v/sheet-{i}.toml"), Some(sheet.clone()));
        LintCheck.check(&sheet, &mut r);
        // Every fourth sheet with `--explain`'s reads.
        if i % 4 == 1 {
            explaining.check(&sheet, &mut r)
        } else {
            set.check(&sheet, &mut r)
        }
        if i % 3 == 0
            && let Some(f) = r.findings.first_mut()
        {
            let approver = (i % 2 == 0).then(|| "医療情報部 山田".to_string());
            f.waived =
                Some(Box::new(WaiverNote {
                    reason: "次期更改で対応".into(), approver, expires: "2027-03-31".into()
                }));
        }
        if i % 7 == 3 {
            // Text every format must escape, and a finding placed nowhere.
            let mut f = super::Finding::lint(
                "unanswered",
                super::Severity::Warning,
                "quote \" backslash \\ newline \n tab \t bell \u{7} del \u{7f} 終",
            );
            f.question = Some("17.1.d".into());
            r.findings.push(f);
            if let Some(f) = r.findings.first_mut() {
                f.read_at = Some("PDF p.3 (412, 530) \"枠\"".into());
            }
        }
        r.finalize(FailOn::Error);
        reports.push(r);
    }
    let mut broken = SheetReport::new("bad.toml", None);
    let mut e = RunError::new("bad.toml: not valid TOML: \"quote\"\nnext line");
    e.location = Some(Location { path: "bad.toml".into(), line: 3, column: 7 });
    e.policy = Some("H-X-1".into());
    broken.errors.push(e);
    broken.errors.push(RunError::new("plain"));
    broken.finalize(FailOn::Error);
    reports.push(broken);
    reports
}
