use std::sync::Arc;

use super::*;
use crate::lint::testutil::{clean_text, load};
use crate::report::{Finding, PolicyOutcome, PolicyStatus, Severity, SheetReport, Style};

/// The clean test sheet with line edits: `(old line prefix, new line or "" to drop)`.
fn edited(edits: &[(&str, &str)]) -> String {
    let mut out = Vec::new();
    for l in clean_text().lines() {
        match edits.iter().find(|(prefix, _)| l.starts_with(prefix)) {
            Some((_, "")) => {}
            Some((_, new)) => out.push(new.to_string()),
            None => out.push(l.to_string()),
        }
    }
    out.join("\n") + "\n"
}

fn sheet(text: &str, path: &str) -> Sheet {
    let mut s = load(text);
    s.path = path.to_string();
    s
}

fn render(d: &SheetDiff, width: usize) -> String {
    let mut out = Vec::new();
    human::render(d, &Style::plain(width), &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn identical_sheets_have_no_differences() {
    let a = sheet(&clean_text(), "a.toml");
    // same content written differently: alias, 和暦 date, full-width digits in a remark
    let b = sheet(
        &clean_text()
            .replace("\"5\" = \"はい\"", "\"5\" = \"yes\"")
            .replace("created = \"2026-01-13\"", "created = \"令和8年1月13日\""),
        "b.toml",
    );
    let d = diff(&a, &b);
    assert!(!d.is_changed(), "{d:#?}");
    assert_eq!(d.counts().total(), 0);
    assert!(render(&d, 100).ends_with("no differences\n"));
}

#[test]
fn answers_citations_notes_remarks_and_metadata() {
    let old = sheet(
        &edited(&[
            ("\"17.1.d\" = ", "\"17.1.d\" = { answer = \"いいえ\", remarks = [1] }"),
            ("\"29\" = ", ""),
            ("\"58\" = ", "\"58\" = { answer = \"はい\", note = \"日次で7世代保持\" }"),
            ("version", ""),
            ("1 = ", "1 = \"パスワードのみ\"\n2 = \"削除予定の備考\""),
        ]),
        "v1.toml",
    );
    let new = sheet(
        &edited(&[
            ("\"88\" = ", ""),
            ("\"58\" = ", "\"58\" = { answer = \"はい\", note = \"日次で14世代保持\", remarks = [3] }"),
            ("created = ", "created = \"2026-04-01\"\nversion = \"3.2\""),
            ("1 = ", "1 = \"パスワードとワンタイムコードの二要素認証\"\n3 = \"週次でオフライン媒体へ退避\""),
        ]),
        "v2.toml",
    );
    let d = diff(&old, &new);

    let meta: Vec<(&str, Change, Option<&str>, Option<&str>)> =
        d.metadata.iter().map(|m| (m.field, m.delta.change, m.delta.old.as_deref(), m.delta.new.as_deref())).collect();
    assert_eq!(
        meta,
        [
            ("version", Change::Added, None, Some("3.2")),
            ("created", Change::Changed, Some("2026-01-13"), Some("2026-04-01")),
        ]
    );

    type Answer<'a> = Option<(Change, Option<&'a str>, Option<&'a str>)>;
    let qs: Vec<(&str, Answer)> = d
        .questions
        .iter()
        .map(|q| (q.id.as_str(), q.answer.as_ref().map(|a| (a.change, a.old.as_deref(), a.new.as_deref()))))
        .collect();
    assert_eq!(
        qs,
        [
            ("17.1.d", Some((Change::Changed, Some("いいえ"), Some("はい")))),
            ("29", Some((Change::Added, None, Some("はい")))),
            ("58", None),
            ("88", Some((Change::Removed, Some("はい"), None))),
        ],
        "form order, whatever changed"
    );
    let q58 = &d.questions[2];
    assert_eq!(q58.unchanged_answer.as_deref(), Some("はい"));
    assert_eq!(q58.remarks, Some(Delta { change: Change::Added, old: None, new: Some(vec![3]) }));
    let note = q58.note.as_ref().unwrap();
    assert_eq!((note.old.as_deref(), note.new.as_deref()), (Some("日次で7世代保持"), Some("日次で14世代保持")));
    assert_eq!(d.questions[0].text.as_deref().map(|t| t.contains("二要素")), Some(true));

    let rs: Vec<(u32, Change, Vec<&str>)> =
        d.remarks.iter().map(|r| (r.number, r.delta.change, r.cited_by.iter().map(String::as_str).collect())).collect();
    assert_eq!(rs[0].0, 1);
    assert_eq!(rs[0].1, Change::Changed);
    let form = &new.form;
    let citing: Vec<&str> =
        form.questions().iter().filter(|q| q.asks_for_remark() && q.id != "58").map(|q| q.id.as_str()).collect();
    assert_eq!(rs[0].2, citing, "citing questions in form order");
    assert_eq!(rs[1], (3, Change::Added, vec!["58"]));
    assert_eq!(rs[2], (2, Change::Removed, vec![]), "uncited remarks come last");

    let c = d.counts();
    assert_eq!(
        (c.metadata, c.answers_changed, c.answers_added, c.answers_removed, c.citations_changed, c.notes_changed),
        (2, 1, 1, 1, 1, 1)
    );
    assert_eq!((c.remarks_changed, c.remarks_added, c.remarks_removed, c.policies_changed), (1, 1, 1, 0));
}

#[test]
fn ids_outside_the_form_come_last_in_file_order() {
    let old = sheet(&clean_text(), "a.toml");
    let new =
        sheet(&clean_text().replace("[answers]\n", "[answers]\n\"99.9\" = \"はい\"\n\"0.5\" = \"はい\"\n"), "b.toml");
    let d = diff(&old, &new);
    let ids: Vec<&str> = d.questions.iter().map(|q| q.id.as_str()).collect();
    assert_eq!(ids, ["99.9", "0.5"]);
    assert!(d.questions[0].text.is_none());
    assert!(render(&d, 100).contains("(not in the form)"));
}

#[test]
fn invalid_words_are_compared_as_written() {
    let old = sheet(&edited(&[("\"25\" = ", "\"25\" = \"対応済み\"")]), "a.toml");
    let new = sheet(&clean_text(), "b.toml");
    let d = diff(&old, &new);
    let a = d.questions[0].answer.as_ref().unwrap();
    assert_eq!((a.old.as_deref(), a.new.as_deref()), (Some("対応済み"), Some("はい")));
}

fn report(sheet: &Arc<Sheet>, outcomes: &[(&str, PolicyStatus, &[&str])]) -> SheetReport {
    let mut r = SheetReport::new(sheet.path.clone(), Some(sheet.clone()));
    for (id, status, qs) in outcomes {
        r.policies.push(PolicyOutcome { id: id.to_string(), status: *status, warnings: 0, reason: None });
        for q in *qs {
            let i = sheet.form.index_of(q).unwrap();
            r.findings.push(Finding::policy(*id, Severity::Error, "x").at_question(sheet, i));
        }
    }
    r
}

#[test]
fn policy_outcome_changes() {
    let s = Arc::new(sheet(&clean_text(), "a.toml"));
    let old = report(
        &s,
        &[
            ("H-AUTH-001", PolicyStatus::Fail, &["17.1.d", "90"]),
            ("H-BCP-003", PolicyStatus::Pass, &[]),
            ("H-OLD", PolicyStatus::Pass, &[]),
        ],
    );
    let new = report(
        &s,
        &[
            ("H-AUTH-001", PolicyStatus::Pass, &[]),
            ("H-BCP-003", PolicyStatus::Pass, &[]),
            ("H-TLS-002", PolicyStatus::Fail, &["90"]),
        ],
    );
    let changes = policy_changes(&old, &new);
    let got: Vec<(&str, Option<PolicyStatus>, Option<PolicyStatus>)> =
        changes.iter().map(|c| (c.id.as_str(), c.old, c.new)).collect();
    assert_eq!(
        got,
        [
            ("H-AUTH-001", Some(PolicyStatus::Fail), Some(PolicyStatus::Pass)),
            ("H-OLD", Some(PolicyStatus::Pass), None),
            ("H-TLS-002", None, Some(PolicyStatus::Fail)),
        ]
    );
    assert_eq!(changes[0].old_questions, ["17.1.d", "90"]);
    assert!(changes[0].new_questions.is_empty());

    let mut d = diff(&s, &s);
    assert!(!d.is_changed());
    d.compare_policies(&old, &new);
    assert!(d.is_changed(), "a flipped outcome alone is a change");
    let text = render(&d, 100);
    assert!(text.contains("H-AUTH-001  fail → pass  was on 17.1.d, 90"), "{text}");
    assert!(text.contains("H-TLS-002   (not run) → fail  on 90"), "{text}");
    assert!(text.ends_with("3 policy outcomes changed\n"), "{text}");
}

#[test]
fn human_output_aligns_japanese_and_marks_changed_characters() {
    let old = sheet(
        &edited(&[("\"17.1.d\" = ", "\"17.1.d\" = { answer = \"いいえ\", remarks = [1] }"), ("\"2\" = ", "")]),
        "v1.toml",
    );
    let new = sheet(&edited(&[("1 = ", "1 = \"パスワードとワンタイムコードによる二要素認証\"")]), "v2.toml");
    let text = render(&diff(&old, &new), 80);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "--- v1.toml  株式会社テスト / テストカルテ  (2026-01-13)");
    let q2 = lines.iter().position(|l| l.starts_with("  + 2 ")).expect(&text);
    let q17 = lines.iter().position(|l| l.starts_with("  ~ 17.1.d")).expect(&text);
    assert!(q2 < q17, "form order:\n{text}");
    // The question texts start in the same terminal column on both lines,
    // though いいえ → はい and (unanswered) → はい differ in characters.
    let col = |l: &str, text: &str| display(&l[..l.find(text).unwrap()]);
    assert_eq!(col(lines[q2], "扱う情報"), col(lines[q17], "上記のうち"), "\n{}\n{}", lines[q2], lines[q17]);
    for l in &lines {
        assert!(display(l) <= 80, "wider than 80 cells: {l}");
    }
    assert!(lines[q17].ends_with('…'), "long question text is cut: {}", lines[q17]);

    // The rewritten remark: - old, + new, and carets under the inserted characters.
    let minus = lines.iter().position(|l| l.trim_start().starts_with("- パスワードと")).expect(&text);
    let at = |line: &str, word: &str| display(&line[..line.find(word).unwrap()]);
    let (old, old_marks, new, new_marks) = (lines[minus], lines[minus + 1], lines[minus + 2], lines[minus + 3]);
    assert_eq!(old.trim_start(), "- パスワードとワンタイムコードの二要素認証");
    assert_eq!(new.trim_start(), "+ パスワードとワンタイムコードによる二要素認証");
    // carets sit in the same terminal cells as the changed characters
    assert_eq!((old_marks.find('^').unwrap(), old_marks.trim()), (at(old, "の二要素"), "^^"), "\n{old}\n{old_marks}");
    assert_eq!((new_marks.find('^').unwrap(), new_marks.trim()), (at(new, "による"), "^^^^^^"), "\n{new}\n{new_marks}");
    assert!(text.ends_with("1 answer changed, 1 answer added, 1 remark changed\n"), "{text}");
}

fn display(s: &str) -> usize {
    crate::text::display_width(s)
}

#[test]
fn long_lines_wrap_within_the_width() {
    let long = "バックアップは日次で取得し、".repeat(8);
    let old = sheet(&edited(&[("1 = ", &format!("1 = \"{long}旧\""))]), "a.toml");
    let new = sheet(&edited(&[("1 = ", &format!("1 = \"{long}新\""))]), "b.toml");
    let text = render(&diff(&old, &new), 60);
    for l in text.lines() {
        assert!(display(l) <= 60, "wider than 60 cells: {l}");
    }
    // the single changed character is marked on the last wrapped row
    let marks: Vec<&str> = text.lines().filter(|l| l.contains('^')).collect();
    assert_eq!(marks.len(), 2, "{text}");
    assert!(marks.iter().all(|l| l.trim() == "^^"), "{text}");
}

#[test]
fn json_document() {
    let old =
        sheet(&edited(&[("\"58\" = ", "\"58\" = { answer = \"いいえ\", note = \"一行目\\n旧二行目\" }")]), "a.toml");
    let new =
        sheet(&edited(&[("\"58\" = ", "\"58\" = { answer = \"はい\", note = \"一行目\\n新二行目\" }")]), "b.toml");
    let v = json::value(&diff(&old, &new));
    assert_eq!(v["schema"], "kaiji.diff/v1");
    assert_eq!(v["changed"], true);
    assert_eq!(v["old"]["path"], "a.toml");
    assert_eq!(v["summary"]["answers_changed"], 1);
    let q = &v["questions"][0];
    assert_eq!(q["id"], "58");
    assert_eq!(q["answer"], serde_json::json!({ "change": "changed", "old": "いいえ", "new": "はい" }));
    assert!(q.get("remarks").is_none() && q.get("unchanged_answer").is_none());
    assert_eq!(
        q["note"]["lines"],
        serde_json::json!([
            { "op": "equal", "text": "一行目" },
            { "op": "delete", "text": "旧二行目" },
            { "op": "insert", "text": "新二行目" },
        ])
    );
    assert!(v.get("policies").is_none(), "absent unless policies were compared");
    assert_eq!(v["remarks"], serde_json::json!([]));
}
