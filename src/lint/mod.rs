//! Built-in lint rules: consistency checks every sheet must pass whatever the
//! hospital's policies say (docs/lint.md). Each rule is a small unit in
//! `rules/` with its name, severity, explanation and tests, registered in
//! [`RULES`].

mod rules;
#[cfg(test)]
pub(crate) mod testutil;
pub mod verify_source;

use crate::outcome::Finding;
use crate::sheet::Sheet;

pub use crate::outcome::RuleInfo;

pub trait Rule: Send + Sync {
    fn info(&self) -> &'static RuleInfo;
    /// Append this rule's findings for `sheet` to `out`.
    fn check(&self, sheet: &Sheet, out: &mut Vec<Finding>);

    /// A finding of this rule with its name and severity filled in.
    fn finding(&self, message: String) -> Finding {
        let info = self.info();
        Finding::lint(info.name, info.severity, message)
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
    &rules::planned_yes::PlannedYes,
    &rules::missing_metadata::MissingMetadata,
    &rules::changed_after_import::ChangedAfterImport,
];

/// The descriptors of every rule, for a run's description (reports list
/// the rules from it rather than from this registry).
pub fn rule_infos() -> Vec<&'static RuleInfo> {
    RULES.iter().map(|r| r.info()).collect()
}

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
        assert_eq!(names.len(), 10);
        names.sort();
        names.dedup();
        assert_eq!(names.len(), 10);
        for r in RULES {
            let i = r.info();
            assert!(i.why.len() > 80, "{} needs to say why it matters", i.name);
            assert!(!i.example.is_empty() && !i.fix.is_empty(), "{} needs an example and a fix", i.name);
            assert!(rule(i.name).is_some());
        }
    }

    /// Each rule's documented example triggers it, and the diagnostic it
    /// gives is kept as a snapshot (fixed width, no colour), as ruff keeps
    /// one per rule.
    #[test]
    fn every_example_triggers_its_rule() {
        let handler = miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
            .with_width(100)
            .with_links(false);
        for r in RULES {
            let i = r.info();
            assert!(testutil::run(*r, &testutil::clean()).is_empty(), "{}: the clean sheet triggers it", i.name);
            let sheet = testutil::load(&testutil::with_example(i.example));
            let findings = testutil::run(*r, &sheet);
            assert!(!findings.is_empty(), "{}: its example does not trigger it", i.name);
            let shown = crate::text::PrintableText::new(&sheet.indexed_text());
            let mut out = String::new();
            for f in &findings {
                let d = crate::report::human::FindingDiagnostic::new(f, "example.toml", shown.clone(), None);
                handler.render_report(&mut out, &d).unwrap();
            }
            insta::assert_snapshot!(format!("rule_{}", i.name), out);
        }
    }

    /// docs/lint.md's rule table is the registry's (`RuleInfo::table_row`).
    #[test]
    fn docs_rule_table_matches_the_registry() {
        let doc = include_str!("../../docs/lint.md");
        let rows: Vec<&str> = doc
            .lines()
            .skip_while(|l| *l != "| rule | severity | what it flags |")
            .skip(2)
            .take_while(|l| l.starts_with('|'))
            .collect();
        let expected: Vec<String> = RULES.iter().map(|r| r.info().table_row()).collect();
        assert_eq!(rows, expected, "update the rule table in docs/lint.md to:\n{}", expected.join("\n"));
    }

    #[test]
    fn clean_sheet_has_no_findings() {
        let sheet = testutil::clean();
        let findings = lint(&sheet);
        assert!(findings.is_empty(), "{:#?}", findings.iter().map(|f| &f.message).collect::<Vec<_>>());
    }
}
