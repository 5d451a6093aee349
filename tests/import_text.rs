//! The text importer on fixtures written for these tests (a fictional
//! vendor, in the layout of PDF-extracted sheets), clean and damaged.

use kaiji::form::{Form, FormRegistry};
use kaiji::import::{Imported, text};
use kaiji::sheet::{SheetDoc, SheetFormat, load_str};

const MARKED: &str = include_str!("fixtures/tsubame-marked.txt");
const EXPECTED: &str = include_str!("fixtures/tsubame-marked.expected.toml");

fn form() -> std::sync::Arc<Form> {
    FormRegistry::builtin().get("sds-6.0").unwrap()
}

fn import(text: &str) -> Imported {
    text::import_str(text, &form(), "fixture.txt").unwrap()
}

fn expected() -> SheetDoc {
    load_str("expected.toml", EXPECTED.to_string(), SheetFormat::Toml, &FormRegistry::builtin()).unwrap().to_doc()
}

#[test]
fn marked_fixture_imports_every_answer() {
    let imp = import(MARKED);
    assert_eq!(imp.report.recognised, 198, "{}", imp.report);
    assert_eq!(imp.report.answered, 198, "{}", imp.report);
    assert!(imp.report.unread.is_empty(), "{}", imp.report);
    assert!(imp.report.warnings.is_empty(), "{}", imp.report);
    assert_eq!(imp.doc, expected());
}

/// The line holding the question with this id's text.
fn line_of(text: &str, id: &str) -> usize {
    let q = form().question(id).unwrap().text.clone();
    text.lines().position(|l| l.contains(&q)).unwrap_or_else(|| panic!("{id} not in fixture"))
}

fn full_width(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_ascii_digit() { char::from_u32(c as u32 - '0' as u32 + 0xFF10).unwrap() } else { c })
        .collect()
}

#[test]
fn damaged_copy_still_aligns_the_other_questions() {
    let mut lines: Vec<String> = MARKED.lines().map(String::from).collect();
    // full-width digits (numbers and citations) on a run of lines
    for id in ["90", "91", "92", "93"] {
        let i = line_of(MARKED, id);
        lines[i] = full_width(&lines[i]);
    }
    // printed numbers lost on two questions with a twin text elsewhere
    for id in ["60.1", "61.2"] {
        let i = line_of(MARKED, id);
        let at = lines[i].find(&form().question(id).unwrap().text).unwrap();
        lines[i] = lines[i][at..].to_string();
    }
    // a long question wrapped over two lines
    let wrap = line_of(MARKED, "20");
    let (head, tail) = {
        let l = &lines[wrap];
        let cut = l.char_indices().nth(40).unwrap().0;
        (l[..cut].to_string(), l[cut..].to_string())
    };
    lines[wrap] = format!("{head}\n{tail}");
    // two rows merged into one line
    let a = line_of(MARKED, "58.1");
    let b = line_of(MARKED, "58.2");
    assert_eq!(b, a + 1);
    lines[a] = format!("{} {}", lines[a], lines[b]);
    lines[b].clear();
    // one question dropped from the vendor's copy
    let dropped = line_of(MARKED, "17.1.1.3");
    lines.remove(dropped);
    let damaged = lines.join("\n");

    let imp = import(&damaged);
    eprintln!("{}", imp.report);
    assert_eq!(imp.report.missing, ["17.1.1.3"], "{}", imp.report);
    assert_eq!(imp.report.recognised, 197, "{}", imp.report);
    let mut want = expected();
    want.answers.retain(|a| a.id != "17.1.1.3");
    for (got, want) in imp.doc.answers.iter().zip(&want.answers) {
        assert_eq!(got, want);
    }
    assert_eq!(imp.doc, want);
}

#[test]
fn unmarked_rows_stay_unanswered_and_conflicts_are_reported() {
    let q = |id: &str| form().question(id).unwrap().text.clone();
    let text = format!(
        "作成日\t2026/4/1\n{}\tはい\tいいえ\t対象外\t備考\t8、9\n{}\t■はい\t■いいえ\t□対象外\t備考\t-\n{}\t該当\t非該当\t備考\t-\n{}\t",
        q("2"),
        q("3"),
        q("1"),
        q("4"),
    );
    let imp = import(&text);
    assert_eq!(imp.report.recognised, 4, "{}", imp.report);
    assert_eq!(imp.report.answered, 0);
    assert_eq!(imp.doc.answer("2").unwrap().remarks, [8, 9]);
    assert!(imp.doc.answer("3").is_none(), "no citation, no answer: nothing to write");
    let listed: Vec<(&str, &str, &str)> =
        imp.report.ambiguous.iter().map(|a| (a.id.as_str(), a.place.as_str(), a.why.as_str())).collect();
    assert_eq!(listed, [("3", "line 3", "2 words marked (はい、いいえ)")], "{}", imp.report);
    assert_eq!(imp.doc.meta.created.unwrap().to_string(), "2026-04-01");
    assert_eq!(imp.report.missing.len(), 194);
}

#[test]
fn space_separated_layout_and_notes() {
    // pdftotext -layout keeps cells apart with spaces, not tabs
    let q = |id: &str| form().question(id).unwrap().text.clone();
    let text = format!(
        "作成日：2026年5月1日\nサービス名称 テスト\n17.1.d {}  ○はい  いいえ  対象外  備考  3\n  ５ ８  {}  はい  いいえ ● 対象外 備考 別紙参照\n",
        q("17.1.d"),
        q("58"),
    );
    let imp = import(&text);
    let d = imp.doc.answer("17.1.d").unwrap();
    assert_eq!((d.known().map(|a| a.as_str()), d.remarks.as_slice()), (Some("はい"), &[3][..]));
    let b = imp.doc.answer("58").unwrap();
    assert_eq!(b.known().map(|a| a.as_str()), Some("いいえ"));
    assert_eq!(b.note.as_deref(), Some("別紙参照"));
    assert_eq!(imp.doc.meta.service.as_deref(), Some("テスト"));
    assert_eq!(imp.doc.meta.created.unwrap().to_string(), "2026-05-01");
}

#[test]
fn vendor_text_is_kept_as_the_vendor_wrote_it() {
    // Full-width forms NFKC would fold: recognition still works on them,
    // and what the vendor wrote comes through unchanged.
    let text = MARKED
        .replace("サービス名称\tつばめ予約クラウド", "サービス名称\tつばめ予約クラウド（Ｗｅｂ版）")
        .replace("バージョン\t4.1", "バージョン\t４．１（２０２６年版）")
        .replace("1\t<p>受託したデータは国内の二拠点", "１\t<p>受託したデータは国内の２拠点（ＤＣ）");
    let imp = import(&text);
    assert_eq!(imp.report.recognised, 198, "{}", imp.report);
    assert_eq!(imp.doc.meta.service.as_deref(), Some("つばめ予約クラウド（Ｗｅｂ版）"));
    assert_eq!(imp.doc.meta.version.as_deref(), Some("４．１（２０２６年版）"));
    let r1 = &imp.doc.remarks[&1];
    assert!(r1.starts_with("受託したデータは国内の２拠点（ＤＣ）"), "{r1}");
}

/// Two revisions of the sheet concatenated into one text (the vendor sent
/// both): the second's rows are rows, not remark text of the first; its
/// remarks, numbered from 1 again, do not run into the first's last remark;
/// a question answered differently in the two is unanswered and listed with
/// both lines, one answered alike keeps its answer.
#[test]
fn two_revisions_concatenated() {
    let changed = line_of(MARKED, "17.1.d");
    let first = import(MARKED);
    let was = first.doc.answer("17.1.d").and_then(|a| a.known()).expect("the fixture answers 17.1.d");
    let mark = |w: &str| if w == was.as_str() { format!("□{w}") } else { format!("■{w}") };
    let mut second: Vec<String> = MARKED.lines().map(str::to_string).collect();
    // the other answer: はい if it was not, else いいえ
    let now = if was == kaiji::sheet::Answer::Yes { "いいえ" } else { "はい" };
    second[changed] = format!(
        "・{}\t{}\t{}\t□対象外\t備考\t1",
        form().question("17.1.d").unwrap().text,
        if now == "はい" { "■はい".to_string() } else { mark("はい") },
        if now == "いいえ" { "■いいえ".to_string() } else { "□いいえ".to_string() },
    );
    let text = format!("{MARKED}\n{}\n", second.join("\n"));
    let imp = import(&text);
    assert_eq!(imp.report.recognised, 198, "{}", imp.report);
    assert_eq!(imp.doc.remarks, first.doc.remarks, "the remarks are the first revision's, nothing appended");
    let d = imp.report.ambiguous.iter().find(|a| a.id == "17.1.d").unwrap_or_else(|| panic!("{}", imp.report));
    let (l1, l2) = (changed + 1, MARKED.lines().count() + 1 + changed + 1);
    assert_eq!(d.place, format!("line {l1}"));
    assert!(d.why.starts_with("answered twice: ") && d.why.contains(&format!("line {l2}")), "{}", d.why);
    assert!(imp.doc.answer("17.1.d").unwrap().answer.is_none());
    // every other question answered alike in both: kept
    assert_eq!(imp.report.ambiguous.len(), 1, "{}", imp.report);
    assert_eq!(imp.report.answered, 197, "{}", imp.report);
    let remarks_twice = imp.report.warnings.iter().filter(|w| w.contains("appears twice; the first is kept")).count();
    assert_eq!(remarks_twice, first.doc.remarks.len(), "{}", imp.report);
}
