use std::collections::HashSet;

use crate::lint::{Rule, RuleInfo};
use crate::outcome::{Finding, Severity};
use crate::sheet::Sheet;

pub struct UnreferencedRemark;

static INFO: RuleInfo = RuleInfo {
    name: "unreferenced-remark",
    severity: Severity::Warning,
    summary: "a remark that no answer cites",
    why: "Every numbered 備考 should be cited by at least one answer; a remark nobody cites is either a citation the vendor forgot (so the answer it explains looks unexplained) or a leftover from an earlier version of the sheet.",
    example: "[remarks]\n2 = \"旧版の備考（現在は該当する回答なし）\"",
    fix: "Cite it from the answer it belongs to ({ answer = \"はい\", remarks = [2] }), or remove it.",
};

impl Rule for UnreferencedRemark {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, sheet: &Sheet, out: &mut Vec<Finding>) {
        let cited: HashSet<u32> = sheet.answers.iter().flat_map(|e| e.remarks.iter().map(|n| n.value)).collect();
        for r in sheet.remarks.values().filter(|r| !cited.contains(&r.number)) {
            out.push(
                self.finding(format!("remark {} is cited by no answer", r.number))
                    .with_span(r.key_span)
                    .with_label("not cited")
                    .with_help(format!("cite it from its answer: {{ answer = \"...\", remarks = [{}] }}", r.number)),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::testutil;

    #[test]
    fn fires_on_orphan_remark() {
        let text = testutil::clean_text() + "24 = \"データセンターは国内2拠点\"\n";
        let sheet = testutil::load(&text);
        let f = testutil::run(&UnreferencedRemark, &sheet);
        assert_eq!(f.len(), 1);
        assert_eq!(testutil::underlined(&sheet, &f[0]), "24");
    }

    #[test]
    fn silent_on_clean() {
        assert!(testutil::run(&UnreferencedRemark, &testutil::clean()).is_empty());
    }
}
