use crate::lint::{Rule, RuleInfo};
use crate::outcome::{Finding, Severity};
use crate::sheet::{Answer, Sheet};

pub struct GatingConflict;

static INFO: RuleInfo = RuleInfo {
    name: "gating-conflict",
    severity: Severity::Error,
    summary: "a descendant of a 非該当 gate is answered はい, いいえ or 該当",
    why: "An applicability question (該当/非該当) gates the questions under it: when the vendor answers 非該当 (e.g. 51 持ち出し機器を提供しているか → 非該当), every question below it must be 対象外 or left empty. A はい or いいえ there contradicts the gate, and a hospital cannot tell which of the two answers is true.",
    example: "\"51\" = \"非該当\"\n\"51.1\" = \"はい\"",
    fix: "Either the gate is 該当, or the question under it is 対象外: ask the vendor which, and correct the other.",
};

impl Rule for GatingConflict {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, sheet: &Sheet, out: &mut Vec<Finding>) {
        for q in 0..sheet.form.len() {
            let Some(a) = sheet.answer_at(q) else { continue };
            if !matches!(a, Answer::Yes | Answer::No | Answer::Applicable) {
                continue;
            }
            let Some(gate) = sheet.closed_gate(q) else { continue };
            let gate_id = &sheet.form.questions()[gate].id;
            let mut f = self
                .finding(format!(
                    "question {} is answered {a}, but its gate {gate_id} is answered 非該当",
                    sheet.form.questions()[q].id
                ))
                .at_question(sheet, q)
                .with_label(format!("answered {a} here"))
                .with_help(format!("answer 対象外 here, or 該当 at {gate_id}"));
            f.secondary.push((sheet.span_for_question(gate), format!("gate {gate_id} is 非該当")));
            out.push(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::testutil;

    #[test]
    fn fires_under_a_closed_gate() {
        let text = testutil::clean_text()
            .replace("\"53\" = \"該当\"", "\"53\" = \"非該当\"")
            .replace("\"53.1\" = \"はい\"", "\"53.1\" = \"対象外\"");
        let sheet = testutil::load(&text);
        let f = testutil::run(&GatingConflict, &sheet);
        // 53.2 .. 53.8 are still はい; 53.1 is 対象外 and fine.
        assert_eq!(f.len(), 7);
        assert_eq!(f[0].question.as_deref(), Some("53.2"));
        assert_eq!(testutil::underlined(&sheet, &f[0]), "\"はい\"");
        assert_eq!(f[0].secondary.len(), 1);
    }

    #[test]
    fn silent_on_clean() {
        assert!(testutil::run(&GatingConflict, &testutil::clean()).is_empty());
    }
}
