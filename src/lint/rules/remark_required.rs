use crate::lint::{Rule, RuleInfo};
use crate::outcome::{Finding, Severity};
use crate::sheet::{Answer, Sheet};

pub struct RemarkRequired;

static INFO: RuleInfo = RuleInfo {
    name: "remark-required",
    severity: Severity::Warning,
    summary: "answered はい where the question asks for details in 備考, but no remark or note",
    why: "Some questions ask the vendor to write the details in 備考 — 17.1 「上記のうちの二要素を組み合わせた認証 (具体的な組み合わせを備考に記入してください)」 and 「その他 (具体的な方法を備考に記入してください)」. A bare はい there tells the hospital nothing it can verify.",
    example: "\"17.1.d\" = \"はい\"",
    fix: "Cite a remark (remarks = [n]) or add an inline note describing the combination or method.",
};

impl Rule for RemarkRequired {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, sheet: &Sheet, out: &mut Vec<Finding>) {
        for &q in sheet.form.asking_remarks() {
            let question = &sheet.form.questions()[q];
            if sheet.answer_at(q) != Some(Answer::Yes) {
                continue;
            }
            let e = sheet.entry_at(q).expect("answered questions have an entry");
            if e.remarks.is_empty() && e.note.is_none() {
                out.push(
                    self.finding(format!("question {} asks for details in 備考, but none are given", question.id))
                        .at_question(sheet, q)
                        .with_label("はい without a remark")
                        .with_help(format!(
                            "write {{ answer = \"はい\", remarks = [n] }} or add note = \"...\"; the question: {}",
                            question.text
                        )),
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
    fn fires_on_bare_yes() {
        let sheet = testutil::with_answer("17.1.d", "\"17.1.d\" = \"はい\"");
        let f = testutil::run(&RemarkRequired, &sheet);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].question.as_deref(), Some("17.1.d"));
        let noted = testutil::with_answer("17.1.d", "\"17.1.d\" = { answer = \"はい\", note = \"ID+静脈認証\" }");
        assert!(testutil::run(&RemarkRequired, &noted).is_empty());
        let no = testutil::with_answer("17.1.d", "\"17.1.d\" = \"いいえ\"");
        assert!(testutil::run(&RemarkRequired, &no).is_empty());
    }

    #[test]
    fn silent_on_clean() {
        assert!(testutil::run(&RemarkRequired, &testutil::clean()).is_empty());
    }
}
