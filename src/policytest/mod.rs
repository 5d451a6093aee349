//! Policy unit tests (`kaiji test`, docs/testing.md): declarative cases stored
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
//! A case's `policy` is a policy id or the file stem of its `.rhai` file, so
//! `tests/auth-two-factor.toml` tests `auth-two-factor.rhai` whatever its id.

pub mod file;
pub mod run;

use std::collections::BTreeSet;
use std::sync::Arc;

pub use file::{Base, Bases, Case, Expect, TestFileError};

use crate::form::FormRegistry;
use crate::outcome::PolicyStatus;
use crate::policy::{Policy, PolicyEvaluation, PolicySet};

/// Why a case failed, one line per mismatch; empty when it passed.
pub fn judge(case: &Case, actual: &PolicyEvaluation) -> Vec<String> {
    let status = Expect::of(actual);
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
    problems
}

/// How one case went.
#[derive(Debug)]
pub struct CaseResult<'c> {
    pub case: &'c Case,
    /// The policy id the case resolved to.
    pub policy: Option<String>,
    /// What the policy did; `Err` when the case could not be run (unknown
    /// policy, unreadable base, invalid overrides).
    pub actual: Result<PolicyEvaluation, String>,
    /// Why the case failed, one line per mismatch; empty when it passed.
    pub failure: Vec<String>,
}

impl CaseResult<'_> {
    pub fn passed(&self) -> bool {
        self.failure.is_empty()
    }
}

/// The policy a case names: by id, else by the file stem of its script.
pub fn find_policy<'p>(policies: &'p PolicySet, name: &str) -> Option<&'p Policy> {
    policies
        .policies()
        .iter()
        .find(|p| p.id() == name)
        .or_else(|| policies.policies().iter().find(|p| stem(p.path()) == name))
}

/// `auth-two-factor` of `policies/auth-two-factor.rhai` or `builtin:auth-two-factor.rhai`.
fn stem(shown: &str) -> &str {
    let name = shown.rsplit(['/', '\\', ':']).next().unwrap_or(shown);
    name.rsplit_once('.').map_or(name, |(stem, _)| stem)
}

/// Run one case against `policies`.
pub fn run_case<'c>(case: &'c Case, policies: &PolicySet, forms: &FormRegistry) -> CaseResult<'c> {
    run_case_with(case, policies, forms, &mut Bases::default())
}

/// [`run_case`], with the base sheets read and parsed once for many cases.
pub fn run_case_with<'c>(
    case: &'c Case,
    policies: &PolicySet,
    forms: &FormRegistry,
    bases: &mut Bases,
) -> CaseResult<'c> {
    let fail =
        |policy: Option<String>, why: String| CaseResult { case, policy, actual: Err(why.clone()), failure: vec![why] };
    let Some(policy) = find_policy(policies, &case.policy) else {
        let names = policies.policies().iter().map(|p| p.id());
        let hint =
            crate::text::did_you_mean(&case.policy, names).map(|s| format!(" (did you mean {s}?)")).unwrap_or_default();
        return fail(None, format!("no policy `{}` among the policies tested{hint}", case.policy));
    };
    let id = Some(policy.id().to_string());
    let sheet = match case.build_sheet_with(bases, forms) {
        Ok(s) => Arc::new(s),
        Err(why) => return fail(id, why),
    };
    let actual = policies.evaluate_policy(policy, &sheet);
    let failure = judge(case, &actual);
    CaseResult { case, policy: id, actual: Ok(actual), failure }
}

/// A policy that passes (or skips) a sheet with no answers at all: it
/// would call a vendor that answered nothing compliant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vacuous {
    pub policy: String,
    pub path: String,
    pub form: String,
    pub status: PolicyStatus,
}

/// Run every policy on an empty sheet of each form it applies to, and list
/// those that do not fail it (or error). A blank answer is never
/// compliance: a policy should fail the questions it needs when they are
/// unanswered, and `skip` only on answers that say it does not apply.
pub fn vacuous(policies: &PolicySet, forms: &FormRegistry) -> Vec<Vacuous> {
    let mut found = Vec::new();
    for form in forms.forms() {
        let text = format!("[sheet]\nform = \"{}\"\n", form.id);
        let shown = format!("(an empty {} sheet)", form.id);
        let Ok(sheet) = crate::sheet::load_str(&shown, text, crate::sheet::SheetFormat::Toml, forms) else {
            continue;
        };
        let sheet = Arc::new(sheet);
        for policy in policies.policies() {
            if policy.error().is_some() || !policy.meta().applies_to(&form.id) {
                continue;
            }
            let status = policies.evaluate_policy(policy, &sheet).outcome.status;
            if matches!(status, PolicyStatus::Pass | PolicyStatus::Skip | PolicyStatus::Waived) {
                found.push(Vacuous {
                    policy: policy.id().to_string(),
                    path: policy.path().to_string(),
                    form: form.id.clone(),
                    status,
                });
            }
        }
    }
    found.sort_by(|a, b| (&a.policy, &a.form).cmp(&(&b.policy, &b.form)));
    found
}

/// Ids of the policies no case tests, in id order.
pub fn uncovered(policies: &PolicySet, results: &[CaseResult<'_>]) -> Vec<String> {
    let tested: BTreeSet<&str> = results.iter().filter_map(|r| r.policy.as_deref()).collect();
    policies.policies().iter().map(|p| p.id()).filter(|id| !tested.contains(id)).map(str::to_string).collect()
}

#[cfg(test)]
mod tests;
