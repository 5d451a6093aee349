//! The text importer on `pdftotext -layout`-like text of sheets printed
//! from a filled form: question texts wrapped at a fixed width, the first
//! line beside the choice words, the rest below; page headers repeated.
//! The text is generated here from the built-in catalog (a fictional vendor,
//! remarks in our own words), in two layouts: every choice word printed
//! (the marks lost: nothing may be read as an answer) and only the chosen
//! word printed (a drop-down cell prints its value: every answer is read).

use kaiji::form::{Form, FormRegistry, Kind};
use kaiji::import::{Imported, ReadAt, text};
use kaiji::sheet::Answer;

fn form() -> std::sync::Arc<Form> {
    FormRegistry::builtin().get("sds-6.0").unwrap()
}

/// Display width as a terminal (and `pdftotext -layout`) lays it out.
fn width(s: &str) -> usize {
    s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

fn pad(s: &str, w: usize) -> String {
    format!("{s}{}", " ".repeat(w.saturating_sub(width(s))))
}

/// `s` cut into lines of at most `w` display columns.
fn wrap(s: &str, w: usize) -> Vec<String> {
    let mut out = vec![String::new()];
    for c in s.chars() {
        let last = out.last_mut().unwrap();
        if width(last) + width(&c.to_string()) > w {
            out.push(String::new());
        }
        out.last_mut().unwrap().push(c);
    }
    out.into_iter().map(|l| l.trim().to_string()).filter(|l| !l.is_empty()).collect()
}

/// A question's id, the answer it was given, its citations.
type Want = (String, Option<Answer>, Vec<u32>);

#[derive(Clone, Copy, PartialEq)]
enum Print {
    /// Every choice word, unmarked.
    AllWords,
    /// Only the chosen word; nothing for a blank answer.
    OnlyChosen,
}

const TEXT_WIDTH: usize = 44;
const NUMBER_WIDTH: usize = 12;
const ROWS_A_PAGE: usize = 22;

const REMARKS: &[&str] = &[
    "保存先は国内のデータセンター二か所で、相互に複製しています。",
    "取り扱う情報の一覧は契約時に書面でお渡しします。",
    "管理者は情報システム部の課長職が務めます。",
    "契約書の第12条に安全管理の定めがあります。詳しくは別紙の契約書ひな形をご覧ください。",
    "再委託先は契約で同等の義務を負います。",
    "離席時は10分で画面がロックされます。",
    "二要素認証(パスワードとワンタイムコード)を選べます。",
    "パスワードは12文字以上、英数字と記号の混在を必須にできます。",
    "ログは1年間保存し、月に一度点検しています。",
];

/// The generated sheet's text, the answer each question was given (the
/// printed word in `OnlyChosen`), and its citations. `label`: the remark
/// column prints 備考 before the numbers (else only the numbers).
fn sheet(print: Print, label: bool) -> (String, Vec<Want>) {
    let form = form();
    let mut out = String::new();
    let mut want = Vec::new();
    let header = "\
                サービス事業者による医療情報セキュリティ開示書 (医療情報システムの安全管理に関するガイドライン第6.0版対応)

作成日              2026年2月20日
サービス事業者      ひばり医療システム株式会社
サービス名称        ひばりカルテ クラウド
バージョン          5.0.2（2026年版）

";
    let mut section = String::new();
    for (i, q) in form.questions().iter().enumerate() {
        if i % ROWS_A_PAGE == 0 {
            if i > 0 {
                out.push('\u{c}');
            }
            out.push_str(header);
            section.clear();
        }
        if q.section != section {
            out.push_str(&format!("{}\n\n", q.section));
            section = q.section.clone();
        }
        let choices = q.kind.choices();
        // some blank, every word of each kind given somewhere
        let pick = (i * 7 + 3) % (choices.len() + 1);
        let answer = choices.get(pick).copied();
        let cites: Vec<u32> = if i % 4 == 1 { vec![(i % REMARKS.len()) as u32 + 1] } else { vec![] };
        let words: Vec<&str> = match print {
            Print::AllWords => choices.iter().map(|a| a.as_str()).collect(),
            Print::OnlyChosen => answer.iter().map(|a| a.as_str()).collect(),
        };
        let area = pad(&words.join("  "), 22);
        let remark = match cites.as_slice() {
            [] => "-".to_string(),
            c => c.iter().map(u32::to_string).collect::<Vec<_>>().join(","),
        };
        // the printed number, sometimes with the stray spaces PDFs give it
        let number = if i % 3 == 0 && q.id.chars().all(|c| c.is_ascii_digit() || c == '.') {
            q.id.chars().map(|c| if c == '.' { ". ".to_string() } else { c.to_string() }).collect::<String>()
        } else {
            q.id.clone()
        };
        let lines = wrap(&q.text, TEXT_WIDTH);
        out.push_str(&format!(
            "  {}{}  {}{}{}\n",
            pad(&number, NUMBER_WIDTH - 2),
            pad(&lines[0], TEXT_WIDTH),
            area,
            if label { "備考  " } else { "  " },
            remark
        ));
        for l in &lines[1..] {
            out.push_str(&format!("{}{}\n", " ".repeat(NUMBER_WIDTH), l));
        }
        want.push((q.id.clone(), if print == Print::OnlyChosen { answer } else { None }, cites));
    }
    out.push_str("\n備考記載欄\n\n");
    for (n, r) in REMARKS.iter().enumerate() {
        for (k, l) in wrap(r, 60).iter().enumerate() {
            match k {
                0 => out.push_str(&format!("{:<4}{l}\n", n + 1)),
                _ => out.push_str(&format!("    {l}\n")),
            }
        }
    }
    (out, want)
}

fn import(text: &str) -> Imported {
    text::import_str(text, &form(), "layout.txt").unwrap()
}

fn check(imp: &Imported, want: &[Want]) {
    let report = &imp.report;
    assert_eq!(report.recognised, 198, "{report}");
    assert!(report.missing.is_empty(), "{report}");
    assert!(report.unread.is_empty(), "{report}");
    assert!(report.warnings.is_empty(), "{report}");
    let mut wrong = Vec::new();
    for (id, answer, cites) in want {
        let got = imp.doc.answer(id);
        let got_answer = got.and_then(|a| a.known());
        let got_cites = got.map(|a| a.remarks.clone()).unwrap_or_default();
        if got_answer != *answer || got_cites != *cites {
            wrong.push(format!("{id}: got {got_answer:?} {got_cites:?}, want {answer:?} {cites:?}"));
        }
    }
    assert!(wrong.is_empty(), "{} wrong:\n{}", wrong.len(), wrong.join("\n"));
    assert_eq!(imp.doc.meta.vendor.as_deref(), Some("ひばり医療システム株式会社"));
    assert_eq!(imp.doc.meta.service.as_deref(), Some("ひばりカルテ クラウド"));
    assert_eq!(imp.doc.meta.version.as_deref(), Some("5.0.2（2026年版）"), "kept as written");
    assert_eq!(imp.doc.meta.created.map(|d| d.to_string()).as_deref(), Some("2026-02-20"));
    assert_eq!(imp.doc.remarks.len(), REMARKS.len());
    for (n, r) in REMARKS.iter().enumerate() {
        let got = imp.doc.remarks[&(n as u32 + 1)].replace('\n', "");
        assert_eq!(got, *r, "remark {}", n + 1);
    }
}

#[test]
fn every_word_printed_recognises_every_question_and_reads_no_answer() {
    for label in [true, false] {
        let (text, want) = sheet(Print::AllWords, label);
        assert!(text.lines().count() > 400, "the questions wrap");
        let imp = import(&text);
        eprintln!("{}", imp.report);
        check(&imp, &want);
        assert_eq!(imp.report.answered, 0);
    }
}

#[test]
fn only_the_chosen_word_printed_reads_every_answer() {
    for label in [true, false] {
        let (text, want) = sheet(Print::OnlyChosen, label);
        let imp = import(&text);
        eprintln!("{}", imp.report);
        check(&imp, &want);
        let answered = want.iter().filter(|w| w.1.is_some()).count();
        assert!(answered > 100 && answered < 198, "{answered}: some blank");
        assert_eq!(imp.report.answered, answered);
        // every word of each kind is among them
        for a in Answer::ALL {
            assert!(want.iter().any(|w| w.1 == Some(a)), "{a:?}");
        }
        // where each answer was read: the question's first line
        let lines: Vec<&str> = text.lines().collect();
        for (id, answer, _) in &want {
            if answer.is_some() {
                let Some(ReadAt::Line { line }) = imp.sources.get(id) else { panic!("{id}: no source") };
                let first = &wrap(&form().question(id).unwrap().text, TEXT_WIDTH)[0];
                assert!(lines[line - 1].contains(first.as_str()), "{id}: line {line}");
            }
        }
    }
    let kinds = |k: Kind| form().questions().iter().filter(|q| q.kind == k).count();
    assert!(kinds(Kind::Applicability) > 0 && kinds(Kind::YesNo) > 0);
}
