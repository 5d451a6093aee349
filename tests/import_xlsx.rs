//! The workbook importer on workbooks built here with rust_xlsxwriter in the
//! layouts vendors use, and the export → import round trip.

use kaiji::form::{Form, FormRegistry};
use kaiji::import::{Imported, xlsx};
use kaiji::sheet::{Answer, AnswerValue, load_file};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

fn form() -> std::sync::Arc<Form> {
    FormRegistry::builtin().get("sds-6.0").unwrap()
}

fn text(id: &str) -> String {
    form().question(id).unwrap().text.clone()
}

fn import(bytes: &[u8]) -> Imported {
    xlsx::import_bytes(bytes, &form(), "t.xlsx").unwrap_or_else(|e| panic!("{e:?}"))
}

fn answer(imp: &Imported, id: &str) -> Option<&'static str> {
    imp.doc.answer(id).and_then(|a| a.known()).map(Answer::as_str)
}

/// A vendor workbook with one column per choice, two-level merged headers,
/// merged section rows, merged metadata values, spacer rows and a 備考記載欄
/// block below the questions.
fn choice_columns_workbook() -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("SDS").unwrap();
    let f = Format::new();
    ws.merge_range(0, 0, 0, 6, "サービス事業者による医療情報セキュリティ開示書", &f).unwrap();
    ws.write_string(2, 0, "作成日").unwrap();
    let date = ExcelDateTime::from_ymd(2026, 3, 9).unwrap();
    ws.write_datetime_with_format(2, 1, &date, &Format::new().set_num_format("yyyy/mm/dd")).unwrap();
    ws.write_string(3, 0, "サービス事業者").unwrap();
    ws.merge_range(3, 1, 3, 4, "株式会社ほしぞらテック", &f).unwrap();
    ws.write_string(4, 0, "サービス名称").unwrap();
    ws.merge_range(4, 1, 4, 4, "ほしぞら検査連携", &f).unwrap();
    ws.write_string(5, 0, "バージョン").unwrap();
    ws.write_number(5, 1, 7.0).unwrap();
    // two header rows: 回答 over the three choices, 備考 merged down
    ws.merge_range(7, 0, 8, 0, "No.", &f).unwrap();
    ws.merge_range(7, 1, 8, 1, "確認項目", &f).unwrap();
    ws.merge_range(7, 2, 7, 4, "回答", &f).unwrap();
    ws.write_string(8, 2, "はい").unwrap();
    ws.write_string(8, 3, "いいえ").unwrap();
    ws.write_string(8, 4, "対象外").unwrap();
    ws.merge_range(7, 5, 8, 5, "備考", &f).unwrap();
    let mut row = 9;
    let section = |ws: &mut rust_xlsxwriter::Worksheet, row: &mut u32, title: &str| {
        ws.merge_range(*row, 0, *row, 5, title, &f).unwrap();
        *row += 1;
    };
    section(ws, &mut row, "診療録及び診療諸記録等の医療情報の取扱いを受託する際の基準");
    // (id as printed, question id, mark column 0..3 or none, 備考)
    let rows: &[(&str, &str, Option<u16>, &str)] = &[
        ("1", "1", Some(0), "1"), // applicability row marked in the はい column: never mapped
        ("1. 1", "1.1", Some(2), "-"),
        ("1.2", "1.2", Some(0), "1、2"),
        ("", "", None, ""), // spacer
        ("２", "2", Some(1), "当社の規程による"),
        ("17.1", "17.1", Some(0), ""),
        ("", "17.1.a", Some(0), "3"),
        ("", "17.1.d", Some(1), ""),
        ("1 7. 1. 1. 3", "17.1.1.3", Some(0), "3,4"),
        ("59", "59", Some(1), ""), // いいえ on a 該当/非該当 row: never mapped
        ("59.1", "59.1", Some(2), ""),
        ("60.1", "60.1", None, "4"),
    ];
    let marks = ["●", "✓", "レ", "1", "○"];
    for (i, (printed, id, col, bikou)) in rows.iter().enumerate() {
        if id.is_empty() {
            row += 1;
            continue;
        }
        if *id == "17.1" {
            section(ws, &mut row, "技術的安全対策");
        }
        if *id == "59" {
            section(ws, &mut row, "外部のネットワーク等を通じた個人情報を含む医療情報の交換に当たっての安全管理");
        }
        ws.write_string(row, 0, *printed).unwrap();
        ws.write_string(row, 1, text(id)).unwrap();
        if let Some(c) = col {
            ws.write_string(row, 2 + c, marks[i % marks.len()]).unwrap();
        }
        for c in 0..3u16 {
            if Some(c) != *col {
                ws.write_string(row, 2 + c, if i % 2 == 0 { "" } else { "□" }).unwrap();
            }
        }
        if !bikou.is_empty() {
            ws.write_string(row, 5, *bikou).unwrap();
        }
        row += 1;
    }
    row += 2;
    ws.merge_range(row, 0, row, 5, "備考記載欄", &f).unwrap();
    for (n, t) in [
        (1, "受託データは国内で保管します。"),
        (2, "外部委託先とも契約を結んでいます。"),
        (3, "ID・パスワードで認証します。"),
        (4, "<p>有効期限は90日です。</p><p>変更を促します。</p>"),
    ] {
        row += 1;
        ws.write_number(row, 0, n as f64).unwrap();
        ws.merge_range(row, 1, row, 5, t, &f).unwrap();
    }
    wb.save_to_buffer().unwrap()
}

#[test]
fn choice_columns_with_merged_cells() {
    let imp = import(&choice_columns_workbook());
    let r = &imp.report;
    eprintln!("{r}");
    assert_eq!(r.recognised, 11, "{r}");
    assert!(r.unread.is_empty(), "{r}");
    // a mark in a column of the other kind's word is no answer: listed
    assert_eq!(answer(&imp, "1"), None);
    assert_eq!(answer(&imp, "59"), None);
    let listed: Vec<(&str, &str)> = r.ambiguous.iter().map(|a| (a.id.as_str(), a.place.as_str())).collect();
    assert_eq!(listed, [("1", "SDS!C11"), ("59", "SDS!D22")], "{r}");
    assert!(r.ambiguous[0].why.contains("「はい」, which is not a word of a 該当/非該当 question"), "{r}");
    assert_eq!(answer(&imp, "1.1"), Some("対象外"));
    assert_eq!(answer(&imp, "1.2"), Some("はい"));
    assert_eq!(answer(&imp, "2"), Some("いいえ"));
    assert_eq!(answer(&imp, "17.1.a"), Some("はい"));
    assert_eq!(answer(&imp, "17.1.d"), Some("いいえ"));
    assert_eq!(answer(&imp, "17.1.1.3"), Some("はい"));
    assert_eq!(answer(&imp, "59.1"), Some("対象外"));
    assert_eq!(answer(&imp, "60.1"), None);
    let d = &imp.doc;
    assert_eq!(d.answer("1.2").unwrap().remarks, [1, 2]);
    assert_eq!(d.answer("17.1.1.3").unwrap().remarks, [3, 4]);
    assert_eq!(d.answer("60.1").unwrap().remarks, [4]);
    assert_eq!(d.answer("2").unwrap().note.as_deref(), Some("当社の規程による"));
    assert_eq!(d.meta.created.unwrap().to_string(), "2026-03-09");
    assert_eq!(d.meta.vendor.as_deref(), Some("株式会社ほしぞらテック"));
    assert_eq!(d.meta.service.as_deref(), Some("ほしぞら検査連携"));
    assert_eq!(d.meta.version.as_deref(), Some("7"));
    assert_eq!(d.remarks.len(), 4);
    assert_eq!(d.remarks[&4], "有効期限は90日です。\n変更を促します。");
}

/// A cross (`x`, `×`) in a choice column is no mark, chosen or not: in
/// Japanese forms it often means "not this one". It is ignored with a
/// warning naming the cell; a row whose only mark is a cross stays
/// unanswered, and a row with a real mark elsewhere keeps that one.
#[test]
fn crosses_in_choice_columns_are_ignored_with_a_warning() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("SDS").unwrap();
    for (c, h) in ["No.", "確認項目", "はい", "いいえ", "対象外", "備考"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    // (id, the cells under はい, いいえ, 対象外)
    let rows: &[(&str, [&str; 3])] = &[
        ("1.1", ["x", "", ""]),
        ("1.2", ["", "×", ""]),
        ("2", ["×", "○", ""]),
        ("17.1.a", ["X", "", "x"]),
        ("17.1.d", ["○", "", ""]),
    ];
    for (r, (id, cells)) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        ws.write_string(r, 0, *id).unwrap();
        ws.write_string(r, 1, text(id)).unwrap();
        for (c, v) in cells.iter().enumerate() {
            ws.write_string(r, 2 + c as u16, *v).unwrap();
        }
    }
    let imp = import(&wb.save_to_buffer().unwrap());
    let r = &imp.report;
    assert_eq!(r.recognised, 5, "{r}");
    assert_eq!(answer(&imp, "1.1"), None);
    assert_eq!(answer(&imp, "1.2"), None);
    assert_eq!(answer(&imp, "2"), Some("いいえ"), "the circle, not the cross");
    assert_eq!(answer(&imp, "17.1.a"), None);
    assert_eq!(answer(&imp, "17.1.d"), Some("はい"));
    let warnings = r.warnings.join("\n");
    for cell in ["「x」 in SDS!C2", "「×」 in SDS!D3", "「×」 in SDS!C4", "「X」 in SDS!C5", "「x」 in SDS!E5"]
    {
        assert!(warnings.contains(&format!("{cell} is not an answer mark; ignored")), "{cell}: {warnings}");
    }
}

/// One 回答 column with the word, ids only for some rows, remarks on their
/// own worksheet.
#[test]
fn single_answer_column_and_remarks_sheet() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("回答").unwrap();
    for (c, h) in ["設問番号", "設問", "回答", "備考番号", "備考（記述）"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    let rows: &[(&str, &str, &str, &str, &str)] = &[
        ("2", &text("2"), "はい", "1", ""),
        ("3", &text("3"), "yes", "", ""),
        ("4", "", "いいえ", "", "来年度に任命予定"),
        ("５", &text("5"), "対象外", "2,3", ""),
        ("51", &text("51"), "非該当", "", ""),
        ("6", &text("6"), "対応済み", "", ""),
        ("", "", "", "", ""),
        ("17.1.f", "", "はい", "", ""),
    ];
    for (r, cells) in rows.iter().enumerate() {
        for (c, v) in [cells.0, cells.1, cells.2, cells.3, cells.4].iter().enumerate() {
            if !v.is_empty() {
                ws.write_string(r as u32 + 1, c as u16, *v).unwrap();
            }
        }
    }
    let rs = wb.add_worksheet().set_name("備考一覧").unwrap();
    rs.write_string(0, 0, "No").unwrap();
    rs.write_string(0, 1, "内容").unwrap();
    rs.write_number(1, 0, 1.0).unwrap();
    rs.write_string(1, 1, "一行目\n二行目").unwrap();
    rs.write_string(2, 0, "2").unwrap();
    rs.write_string(2, 1, "二つ目").unwrap();
    rs.write_string(3, 1, "（続き）").unwrap();
    rs.write_string(4, 0, "３").unwrap();
    rs.write_string(4, 1, "=SUM(A1) ではなく文字列").unwrap();
    let imp = import(&wb.save_to_buffer().unwrap());
    let r = &imp.report;
    assert_eq!(r.recognised, 6, "{r}");
    assert_eq!(answer(&imp, "2"), Some("はい"));
    assert_eq!(answer(&imp, "3"), Some("はい"));
    assert_eq!(answer(&imp, "4"), Some("いいえ"));
    assert_eq!(imp.doc.answer("4").unwrap().note.as_deref(), Some("来年度に任命予定"));
    assert_eq!(answer(&imp, "5"), Some("対象外"));
    assert_eq!(imp.doc.answer("5").unwrap().remarks, [2, 3]);
    assert_eq!(answer(&imp, "51"), Some("非該当"));
    assert_eq!(imp.doc.answer("6").unwrap().answer, Some(AnswerValue::Invalid("対応済み".into())));
    assert_eq!(imp.doc.answer("17.1.f").unwrap().known(), Some(Answer::Yes));
    assert_eq!(imp.doc.remarks[&1], "一行目\n二行目");
    // The vendor's full-width brackets are kept (NFKC only for matching).
    assert_eq!(imp.doc.remarks[&2], "二つ目\n（続き）");
    assert_eq!(imp.doc.remarks[&3], "=SUM(A1) ではなく文字列");
}

#[test]
fn example_sheets_round_trip_through_xlsx() {
    let forms = FormRegistry::builtin();
    for name in ["aozora-cloud.toml", "hinode-systems.json", "sakura-support.toml"] {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/sheets").join(name);
        let doc = load_file(&path, &forms).unwrap().to_doc();
        let form = forms.get(&doc.meta.form).unwrap();
        let bytes = kaiji::export::to_xlsx(&doc, &form).unwrap();
        let imp = import(&bytes);
        assert_eq!(imp.report.recognised, 198, "{name}: {}", imp.report);
        assert!(imp.report.unread.is_empty(), "{name}: {}", imp.report);
        assert_eq!(imp.doc, doc, "{name}");
    }
}

#[test]
fn workbook_without_questions_is_an_error() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "品名").unwrap();
    ws.write_string(1, 0, "りんご").unwrap();
    ws.write_number(2, 0, 3.0).unwrap();
    let e = xlsx::import_bytes(&wb.save_to_buffer().unwrap(), &form(), "fruit.xlsx").unwrap_err();
    assert!(e.to_string().contains("no worksheet has a column of questions"), "{e}");
    let e = xlsx::import_bytes(b"not a workbook", &form(), "x.xlsx").unwrap_err();
    assert!(e.to_string().contains("not a workbook"), "{e}");
}

#[test]
fn arbitrary_bytes_never_panic() {
    let good = choice_columns_workbook();
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for i in 0..60 {
        let bytes: Vec<u8> = match i % 3 {
            0 => (0..(next() % 4096)).map(|_| next() as u8).collect(),
            1 => good[..(next() as usize % good.len())].to_vec(),
            _ => {
                let mut b = good.clone();
                for _ in 0..8 {
                    let at = next() as usize % b.len();
                    b[at] = next() as u8;
                }
                b
            }
        };
        let _ = xlsx::import_bytes(&bytes, &form(), "fuzz.xlsx");
    }
}

#[test]
fn formula_like_and_multiline_text_survives_the_round_trip() {
    let mut doc = kaiji::sheet::SheetDoc::new("sds-6.0");
    doc.meta.vendor = Some("=HYPERLINK(\"https://example.jp\")".into());
    doc.meta.version = Some("+1.0".into());
    let mut a = kaiji::sheet::DocAnswer::new("17.1.d");
    a.answer = Some(AnswerValue::Known(Answer::No));
    a.note = Some("@予定\n2027年度".into());
    a.remarks = vec![2, 10];
    doc.answers.push(a);
    doc.remarks.insert(2, "-5% の誤差\n<備考> は山括弧つき".into());
    doc.remarks.insert(10, "=1+1".into());
    let bytes = kaiji::export::to_xlsx(&doc, &form()).unwrap();
    let imp = import(&bytes);
    assert_eq!(imp.doc, doc);
}

/// Texts only (no ids): the form's repeated texts land by order; a row given
/// twice is reported, not applied twice.
#[test]
fn repeated_texts_without_ids() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "質問").unwrap();
    ws.write_string(0, 1, "回答").unwrap();
    let rows = [
        ("59", "該当"),
        ("59.1", "はい"),
        ("59.2", "いいえ"),
        ("60", "該当"),
        ("60.1", "対象外"),
        ("60.2", "はい"),
        ("59", "非該当"),
    ];
    for (r, (id, word)) in rows.iter().enumerate() {
        ws.write_string(r as u32 + 1, 0, text(id)).unwrap();
        ws.write_string(r as u32 + 1, 1, *word).unwrap();
    }
    let imp = import(&wb.save_to_buffer().unwrap());
    assert_eq!(imp.report.recognised, 6, "{}", imp.report);
    for (id, word) in &rows[1..6] {
        assert_eq!(answer(&imp, id), Some(*word), "{id}");
    }
    // 59 answered twice, differently: neither is taken
    assert_eq!(answer(&imp, "59"), None);
    assert!(imp.report.unread.is_empty(), "{}", imp.report);
    let a = &imp.report.ambiguous;
    assert_eq!(a.len(), 1, "{}", imp.report);
    assert_eq!((a[0].id.as_str(), a[0].place.as_str()), ("59", "Sheet1!B2"));
    assert_eq!(a[0].why, "answered twice: Sheet1!B2 該当, Sheet1!B8 非該当");
}
