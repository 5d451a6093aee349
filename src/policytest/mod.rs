//! Policy unit tests (DESIGN §7, `kaiji test`): declarative cases stored
//! beside the policies, in `<policy dir>/tests/*.toml`.
//!
//! ```toml
//! # policies/tests/H-AUTH-001.toml
//! policy = "H-AUTH-001"   # optional: default for every case; else the file stem
//! base = "builtin"        # optional: a sheet path relative to this file, or "builtin"
//!
//! [[case]]
//! name = "二要素認証あり"
//! expect = "pass"
//!
//! [[case]]
//! name = "17.1.d いいえ"
//! answers = { "17.1.d" = "いいえ" }        # same syntax as a sheet's [answers]; "" = unanswered
//! remarks = { 7 = "パスワードのみ" }        # remark texts by number
//! sheet = { vendor = "株式会社ほか" }        # [sheet] fields
//! expect = "fail"                           # pass | fail | warn | error | skip
//! questions = ["17.1.d"]                    # optional: where its findings point (any order)
//! ```
//!
//! `warn` means passed with warnings only; `pass` means no findings at all.

pub mod file;

use std::collections::BTreeSet;

pub use file::{Base, Case, Expect, TestFileError};

use crate::report::{Finding, PolicyOutcome, PolicyStatus, RunError};

/// What a policy actually did on a case's sheet.
#[derive(Debug, Clone)]
pub struct Actual {
    pub outcome: PolicyOutcome,
    pub findings: Vec<Finding>,
    pub errors: Vec<RunError>,
}

impl Actual {
    /// The outcome in the words of `expect`.
    pub fn status(&self) -> Expect {
        match self.outcome.status {
            PolicyStatus::Pass if self.findings.is_empty() => Expect::Pass,
            PolicyStatus::Pass | PolicyStatus::Waived => Expect::Warn,
            PolicyStatus::Fail => Expect::Fail,
            PolicyStatus::Error => Expect::Error,
            PolicyStatus::Skip => Expect::Skip,
        }
    }

    /// Question ids the findings point at, in form order, without repeats.
    pub fn questions(&self) -> Vec<String> {
        let mut qs: Vec<(usize, &str)> = self
            .findings
            .iter()
            .filter_map(|f| Some((f.order.unwrap_or(usize::MAX), f.question.as_deref()?)))
            .collect();
        qs.sort();
        qs.dedup();
        qs.into_iter().map(|(_, q)| q.to_string()).collect()
    }
}

/// Why a case failed; `None` when it passed.
pub fn judge(case: &Case, actual: &Actual) -> Option<String> {
    let status = actual.status();
    let mut problems = Vec::new();
    if status != case.expect {
        problems.push(format!("expected {}, got {}", case.expect.as_str(), status.as_str()));
    }
    if let Some(want) = &case.questions {
        let got = actual.questions();
        let (w, g): (BTreeSet<&str>, BTreeSet<&str>) =
            (want.iter().map(String::as_str).collect(), got.iter().map(String::as_str).collect());
        if w != g {
            problems.push(format!("expected findings on [{}], got [{}]", want.join(", "), got.join(", ")));
        }
    }
    (!problems.is_empty()).then(|| problems.join("; "))
}

#[cfg(test)]
mod tests;
