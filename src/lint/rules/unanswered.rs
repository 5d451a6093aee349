use crate::lint::{Rule, RuleInfo};
use crate::outcome::{Finding, Severity};
use crate::sheet::Sheet;

pub struct Unanswered;

static INFO: RuleInfo = RuleInfo {
    name: "unanswered",
    severity: Severity::Warning,
    summary: "a question has no answer (descendants of a 非該当 gate excepted)",
    why: "A complete disclosure sheet answers every question. An empty answer is read by policies as unanswered (sheet.answered(id) is false), which fails them. Questions under an applicability gate answered 非該当 may be left empty, so they are not reported. Sheets imported from a PDF whose answer marks were lost show this for every question.",
    example: "\"17.1.d\" = {}",
    fix: "Answer it with the form's word; `kaiji export sheet.toml -o sheet.xlsx` gives a workbook with a drop-down per question to fill in, and `kaiji import sheet.xlsx` reads it back.",
};

impl Rule for Unanswered {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, sheet: &Sheet, out: &mut Vec<Finding>) {
        for q in 0..sheet.form.len() {
            let empty = sheet.entry_at(q).is_none_or(|e| e.answer.is_none());
            if empty && sheet.closed_gate(q).is_none() {
                let question = &sheet.form.questions()[q];
                out.push(
                    self.finding(format!("question {} is not answered", question.id))
                        .at_question(sheet, q)
                        .with_label("no answer")
                        .with_help(format!("{} — {}", question.id, question.text)),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::testutil;

    #[test]
    fn fires_on_missing_and_citation_only_answers() {
        let text = testutil::clean_text()
            .replace("\"3\" = \"はい\"\n", "")
            .replace("\"4\" = \"はい\"", "\"4\" = { remarks = [1] }");
        let sheet = testutil::load(&text);
        let f = testutil::run(&Unanswered, &sheet);
        let ids: Vec<_> = f.iter().map(|f| f.question.as_deref().unwrap()).collect();
        assert_eq!(ids, ["3", "4"]);
        // a missing answer points at the [answers] header
        assert_eq!(testutil::underlined(&sheet, &f[0]), "answers");
    }

    #[test]
    fn not_under_a_closed_gate() {
        let text = testutil::clean_text()
            .replace("\"59\" = \"該当\"", "\"59\" = \"非該当\"")
            .replace("\"59.1\" = \"はい\"\n", "")
            .replace("\"59.2\" = \"はい\"\n", "");
        assert!(testutil::run(&Unanswered, &testutil::load(&text)).is_empty());
    }

    #[test]
    fn silent_on_clean() {
        assert!(testutil::run(&Unanswered, &testutil::clean()).is_empty());
    }
}
