use crate::lint::{Rule, RuleInfo};
use crate::outcome::{Finding, Severity};
use crate::sheet::{AnswerValue, Sheet};

pub struct InvalidAnswer;

static INFO: RuleInfo = RuleInfo {
    name: "invalid-answer",
    severity: Severity::Error,
    summary: "an answer word not allowed for the question's kind",
    why: "Yes/no questions take はい, いいえ or 対象外; applicability questions (the ones that open a block, such as 59 専用線) take 該当 or 非該当. The aliases yes, no, na, applicable and not_applicable are accepted too. Anything else (\"対応済み\", \"○\", or 該当 on a yes/no question) cannot be evaluated: policies see the question as unanswered.",
    example: "\"17.1.d\" = \"対応済み\"",
    fix: "Write the form's own word, and put any nuance in a 備考.",
};

impl Rule for InvalidAnswer {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, sheet: &Sheet, out: &mut Vec<Finding>) {
        for e in &sheet.answers {
            let (Some(q), Some(a)) = (e.question, &e.answer) else { continue };
            let kind = sheet.form.questions()[q].kind;
            if matches!(a.value, AnswerValue::Known(k) if kind.allows(k)) {
                continue;
            }
            let choices: Vec<&str> = kind.choices().iter().map(|c| c.as_str()).collect();
            let message = match &a.value {
                AnswerValue::Invalid(w) => format!("「{w}」 is not an answer to question {}", e.id.value),
                AnswerValue::Known(k) if !kind.allows(*k) => {
                    format!("{k} is not a choice for question {} ({})", e.id.value, choices.join(" / "))
                }
                AnswerValue::Known(_) => continue,
            };
            let mut f = self
                .finding(message)
                .at_question(sheet, q)
                .with_label("not one of the choices")
                .with_help(format!("answer one of: {}", choices.join(", ")));
            f.span = Some(a.span);
            out.push(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::testutil;

    #[test]
    fn fires_on_unknown_word_and_wrong_kind() {
        let sheet = testutil::with_answer("2", "\"2\" = \"対応済み\"");
        let f = testutil::run(&InvalidAnswer, &sheet);
        assert_eq!(f.len(), 1);
        assert_eq!(testutil::underlined(&sheet, &f[0]), "\"対応済み\"");
        let sheet = testutil::with_answer("3", "\"3\" = \"該当\"");
        let f = testutil::run(&InvalidAnswer, &sheet);
        assert!(f[0].message.contains("not a choice"), "{}", f[0].message);
        let sheet = testutil::with_answer("59", "\"59\" = \"はい\"");
        assert_eq!(testutil::run(&InvalidAnswer, &sheet).len(), 1);
    }

    #[test]
    fn silent_on_clean() {
        assert!(testutil::run(&InvalidAnswer, &testutil::clean()).is_empty());
    }
}
