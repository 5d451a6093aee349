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
        let sheet = Arc::new(load_str("v/s.toml", g.sheet(i).to_toml(), SheetFormat::Toml, &forms).unwrap());
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
                Some(WaiverNote { reason: "次期更改で対応".into(), approver, expires: "2027-03-31".into() });
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
