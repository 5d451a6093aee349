use crate::lint::{Rule, RuleInfo};
use crate::outcome::{Finding, Severity};
use crate::sheet::Sheet;

pub struct UnknownQuestion;

static INFO: RuleInfo = RuleInfo {
    name: "unknown-question",
    severity: Severity::Error,
    summary: "an answer's id is not a question of the sheet's form",
    why: "Every key under [answers] must be a question id of the form the sheet declares (sds-6.0 by default), written as printed on the form with the PDF's stray spaces removed: \"17.1.d\", \"100\", \"105.1\". An unknown id is usually a typo or a number copied from another version of the form; its answer is ignored by every policy, so the question it was meant for reads as unanswered.",
    example: "\"17.1.z\" = \"はい\"",
    fix: "Use the id the message suggests (the nearest real one), or `kaiji form show sds-6.0` to find the question.",
};

impl Rule for UnknownQuestion {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, sheet: &Sheet, out: &mut Vec<Finding>) {
        for e in sheet.answers.iter().filter(|e| e.question.is_none()) {
            let mut f = self
                .finding(format!("question {} is not in form {}", e.id.value, sheet.form.id))
                .with_span(e.id.span)
                .with_label("unknown id");
            f.question = Some(e.id.value.as_str().into());
            if let Some(s) = sheet.form.suggest(&e.id.value) {
                f = f.with_help(format!("did you mean `{s}`? `kaiji form show {s}` prints the question"));
            } else {
                f = f.with_help("`kaiji form list` prints every question id");
            }
            out.push(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::testutil;

    #[test]
    fn fires_with_suggestion() {
        let text = testutil::clean_text().replace("\"17.1.e\" = ", "\"17.1.f\" = ");
        let sheet = testutil::load(&text);
        let f = testutil::run(&UnknownQuestion, &sheet);
        assert_eq!(f.len(), 1);
        assert_eq!(testutil::underlined(&sheet, &f[0]), "\"17.1.f\"");
        assert!(f[0].help.as_deref().unwrap().contains("17.1.e"));
        assert_eq!(f[0].question.as_deref(), Some("17.1.f"));
    }

    #[test]
    fn silent_on_clean() {
        assert!(testutil::run(&UnknownQuestion, &testutil::clean()).is_empty());
    }
}
