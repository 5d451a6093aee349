use crate::lint::{Rule, RuleInfo};
use crate::outcome::{Finding, Severity};
use crate::sheet::Sheet;

pub struct ChangedAfterImport;

static INFO: RuleInfo = RuleInfo {
    name: "changed-after-import",
    severity: Severity::Warning,
    summary: "an imported answer differs from the word its [evidence] says was read",
    why: "`kaiji import` records in [evidence] where each answer was read in the vendor's file and the word read there. An answer that no longer matches was changed by someone after the import (a correction, a typo, or a wish), so it is no longer the vendor's own: a committee signing off on the verdict should know.",
    example: "\"17.1.d\" = { answer = \"いいえ\", remarks = [1] }\n\n[evidence]\n\"17.1.d\" = { read = \"はい\", at = \"PDF p.3 (408, 752)\", by = \"ellipse\" }",
    fix: "Check the answer against the place named (a PDF page, a line, a cell). If the vendor's file is wrong, ask the vendor for a corrected sheet and import it again, rather than editing the import.",
};

impl Rule for ChangedAfterImport {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, sheet: &Sheet, out: &mut Vec<Finding>) {
        for (&q, e) in &sheet.evidence {
            if !sheet.changed_since_import(q) {
                continue;
            }
            let word = sheet.entry_at(q).and_then(|a| a.answer.as_ref()).map(|a| a.value.as_str());
            let id = &sheet.form.questions()[q].id;
            let now = word.map_or_else(|| "left unanswered".to_string(), |w| format!("answered {w}"));
            let mut f = self
                .finding(format!("{id} is {now}, but {} was read at {} in the vendor's file", e.read, e.at))
                .at_question(sheet, q)
                .with_label(now)
                .with_help(format!(
                    "check {} in the vendor's file; import a corrected sheet rather than editing the import",
                    e.at
                ));
            f.secondary.push((e.span, format!("read {} here", e.read)));
            out.push(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::testutil;

    /// The clean sheet with 17.1.d's line replaced, as imported: its
    /// evidence says はい was read.
    fn imported(line: &str) -> Sheet {
        let text: Vec<String> = testutil::clean_text()
            .lines()
            .map(|l| if l.starts_with("\"17.1.d\" = ") { line.to_string() } else { l.to_string() })
            .collect();
        let text = text.join("\n")
            + "\n\n[evidence]\n\"17.1.d\" = { read = \"はい\", at = \"PDF p.3 (408, 752)\", by = \"ellipse\" }\n\
               \"17.1.e\" = { read = \"はい\", at = \"PDF p.3 (408, 730)\" }\n";
        testutil::load(&text)
    }

    #[test]
    fn quiet_while_answers_are_what_was_read() {
        assert!(
            testutil::run(&ChangedAfterImport, &imported("\"17.1.d\" = { answer = \"はい\", remarks = [1] }"))
                .is_empty()
        );
        assert!(testutil::run(&ChangedAfterImport, &testutil::clean()).is_empty(), "no [evidence]: nothing to compare");
    }

    #[test]
    fn fires_on_an_edited_answer_and_points_at_both() {
        let sheet = imported("\"17.1.d\" = { answer = \"いいえ\", remarks = [1] }");
        let f = testutil::run(&ChangedAfterImport, &sheet);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].question.as_deref(), Some("17.1.d"));
        assert!(f[0].message.contains("answered いいえ, but はい was read at PDF p.3 (408, 752)"), "{}", f[0].message);
        assert_eq!(testutil::underlined(&sheet, &f[0]), "\"いいえ\"");
        assert_eq!(f[0].read_at.as_deref(), Some("PDF p.3 (408, 752): read はい, changed since"));
        let (span, label) = &f[0].secondary[0];
        assert!(sheet.source[span.start..span.end].starts_with("{ read = \"はい\""));
        assert_eq!(label, "read はい here");
    }

    #[test]
    fn fires_on_an_answer_removed() {
        let f = testutil::run(&ChangedAfterImport, &imported("\"17.1.d\" = { remarks = [1] }"));
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("17.1.d is left unanswered, but はい was read at PDF p.3"), "{}", f[0].message);
    }
}
