use crate::lint::{Rule, RuleInfo};
use crate::outcome::{Finding, Severity};
use crate::sheet::{Answer, Sheet};

pub struct PlannedYes;

static INFO: RuleInfo = RuleInfo {
    name: "planned-yes",
    severity: Severity::Warning,
    summary: "answered はい, but the remark or note says the measure is only planned (予定, 次期, 令和N年度中 …)",
    why: "The JAHIS form tells vendors to answer はい for two-factor authentication that is planned by the next system update, so a はい can be a plan, not a measure in place. A committee that reads only the answer signs off on something the service does not do yet. The words looked for (NFKC): 予定; 計画中, 検討中, 準備中, 開発中, 構築中, 調整中; 次期, 次回の更新/更改/改修/リリース/バージョン; 今後 before 対応/導入/実装/提供/整備/順次/検討/強化/追加 (not 今後も); までに before the same verbs; N年度中/内/末/上期/下期/以降, 令和N年度, 来年度, 来期, 年内に; N年N月頃/ごろ/目途/めど/以降; 将来的に.",
    example: "\"17.1.d\" = { answer = \"はい\", remarks = [2] }\n[remarks]\n2 = \"ICカードによる二要素認証は次期バージョン（令和9年度中）で対応予定です。\"",
    fix: "Ask the vendor when the measure is in place. Until then treat the answer as いいえ, or record the plan as a waiver with its date (`--waivers`).",
};

impl Rule for PlannedYes {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, sheet: &Sheet, out: &mut Vec<Finding>) {
        for e in &sheet.answers {
            let Some(q) = e.question else { continue };
            if sheet.answer_at(q) != Some(Answer::Yes) {
                continue;
            }
            // The remarks it cites, each with its span, then its note.
            let cited = e.remarks.iter().filter_map(|n| sheet.remark(n.value)).map(|r| (r.text.as_str(), r.span));
            let texts = cited.chain(e.note.as_ref().map(|n| (n.value.as_str(), n.span)));
            let Some((phrase, span)) =
                texts.into_iter().find_map(|(t, span)| crate::text::planned::planned_phrase(t).map(|p| (p, span)))
            else {
                continue;
            };
            let id = &sheet.form.questions()[q].id;
            let mut f = self
                .finding(format!(
                    "question {id} is answered はい, but its remark says the measure is planned (「{phrase}」)"
                ))
                .at_question(sheet, q)
                .with_label("はい, but planned")
                .with_help(INFO.fix);
            f.secondary.push((span, format!("「{phrase}」")));
            out.push(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::testutil;

    #[test]
    fn fires_on_a_planned_yes_by_remark_or_note() {
        let by_note =
            testutil::with_answer("17.1.d", "\"17.1.d\" = { answer = \"はい\", note = \"生体認証を導入予定\" }");
        let f = testutil::run(&PlannedYes, &by_note);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].question.as_deref(), Some("17.1.d"));
        assert!(f[0].message.contains("「予定」"), "{}", f[0].message);
        assert_eq!(&by_note.source[f[0].secondary[0].0.start..f[0].secondary[0].0.end], "\"生体認証を導入予定\"");
    }

    #[test]
    fn silent_on_a_plan_with_another_answer_or_a_measure_in_place() {
        let no = testutil::with_answer(
            "17.1.d",
            "\"17.1.d\" = { answer = \"いいえ\", note = \"次期バージョンで対応予定\" }",
        );
        assert!(testutil::run(&PlannedYes, &no).is_empty());
        let done =
            testutil::with_answer("17.1.d", "\"17.1.d\" = { answer = \"はい\", note = \"ICカードとパスワード\" }");
        assert!(testutil::run(&PlannedYes, &done).is_empty());
        assert!(testutil::run(&PlannedYes, &testutil::clean()).is_empty());
    }
}
