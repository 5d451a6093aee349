use crate::lint::{Rule, RuleInfo};
use crate::outcome::{Finding, Severity};
use crate::sheet::Sheet;

pub struct MissingRemark;

static INFO: RuleInfo = RuleInfo {
    name: "missing-remark",
    severity: Severity::Error,
    summary: "an answer cites a remark number that does not exist",
    why: "Answers cite numbered 備考 (remarks = [8]); the text lives in the sheet's [remarks] table (the form's 備考記載欄). A citation of a number that has no text points the hospital at nothing, and policies that read remarks find nothing to read.",
    example: "\"17.1.d\" = { answer = \"はい\", remarks = [9] }",
    fix: "Add the remark under [remarks], or correct the number.",
};

impl Rule for MissingRemark {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, sheet: &Sheet, out: &mut Vec<Finding>) {
        for e in &sheet.answers {
            for n in e.remarks.iter().filter(|n| sheet.remark(n.value).is_none()) {
                let mut f = self.finding(format!("{} cites remark {}, which does not exist", e.id.value, n.value));
                if let Some(q) = e.question {
                    f = f.at_question(sheet, q);
                } else {
                    f.question = Some(e.id.value.as_str().into());
                }
                let known = sheet.remarks.keys().map(u32::to_string).collect::<Vec<_>>().join(", ");
                out.push(f.with_span(n.span).with_label("no such remark").with_help(if known.is_empty() {
                    format!("add `{} = \"...\"` under [remarks]", n.value)
                } else {
                    format!("add `{} = \"...\"` under [remarks] (it has: {known})", n.value)
                }));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::testutil;

    #[test]
    fn fires_on_dangling_citation() {
        let sheet = testutil::with_answer("58", "\"58\" = { answer = \"はい\", remarks = [1, 7] }");
        let f = testutil::run(&MissingRemark, &sheet);
        assert_eq!(f.len(), 1);
        assert_eq!(testutil::underlined(&sheet, &f[0]), "7");
        assert_eq!(f[0].question.as_deref(), Some("58"));
    }

    #[test]
    fn silent_on_clean() {
        assert!(testutil::run(&MissingRemark, &testutil::clean()).is_empty());
    }
}
