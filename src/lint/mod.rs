//! Built-in lint rules: consistency checks every sheet must pass whatever the
//! hospital's policies say (README, "Lint rules"). Each rule is a small unit in
//! `rules/` with its name, severity, explanation and tests, registered in
//! [`RULES`].

mod rules;
#[cfg(test)]
pub(crate) mod testutil;

use crate::report::{Finding, Severity};
use crate::sheet::Sheet;

/// A rule's identity and documentation.
#[derive(Debug)]
pub struct RuleInfo {
    /// The name used in reports and on the command line.
    pub name: &'static str,
    pub severity: Severity,
    /// One line: what it flags.
    pub summary: &'static str,
    /// One paragraph: why it matters and how to fix it.
    pub explanation: &'static str,
}

pub trait Rule: Send + Sync {
    fn info(&self) -> &'static RuleInfo;
    /// Append this rule's findings for `sheet` to `out`.
    fn check(&self, sheet: &Sheet, out: &mut Vec<Finding>);

    /// A finding of this rule with its name and severity filled in.
    fn finding(&self, message: String) -> Finding {
        let info = self.info();
        Finding::new(info.name, info.severity, message)
    }
}

/// Every built-in rule, in documentation order.
pub static RULES: &[&dyn Rule] = &[
    &rules::unknown_question::UnknownQuestion,
    &rules::invalid_answer::InvalidAnswer,
    &rules::gating_conflict::GatingConflict,
    &rules::missing_remark::MissingRemark,
    &rules::unanswered::Unanswered,
    &rules::unreferenced_remark::UnreferencedRemark,
    &rules::remark_required::RemarkRequired,
    &rules::missing_metadata::MissingMetadata,
    &rules::changed_after_import::ChangedAfterImport,
];

/// Look a rule up by name.
pub fn rule(name: &str) -> Option<&'static dyn Rule> {
    RULES.iter().copied().find(|r| r.info().name == name)
}

/// Run every rule over a sheet; findings in report order.
pub fn lint(sheet: &Sheet) -> Vec<Finding> {
    let mut out = Vec::new();
    for rule in RULES {
        rule.check(sheet, &mut out);
    }
    out.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_names_are_unique_and_documented() {
        let mut names: Vec<&str> = RULES.iter().map(|r| r.info().name).collect();
        assert_eq!(names.len(), 9);
        names.sort();
        names.dedup();
        assert_eq!(names.len(), 9);
        for r in RULES {
            let i = r.info();
            assert!(i.explanation.len() > 80, "{} needs an explanation", i.name);
            assert!(rule(i.name).is_some());
        }
    }

    #[test]
    fn clean_sheet_has_no_findings() {
        let sheet = testutil::clean();
        let findings = lint(&sheet);
        assert!(findings.is_empty(), "{:#?}", findings.iter().map(|f| &f.message).collect::<Vec<_>>());
    }
}
