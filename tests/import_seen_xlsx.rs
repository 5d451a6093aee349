//! What a person sees of a workbook is what is read: hidden worksheets,
//! rows and columns, white or tiny text, a 記入例 sheet, a second answer
//! column, a word typed into the wrong choice column and formula cells
//! never put an answer on the sheet the workbook does not show. Workbooks
//! built here with rust_xlsxwriter, a fictional vendor.

use kaiji::form::Kind;
use kaiji::import::{Imported, xlsx};
use kaiji::sheet::Answer;
use rust_xlsxwriter::{Color, Format, Workbook, Worksheet};

#[path = "seen/mod.rs"]
mod seen;
use seen::{form, honest, other, refusal};

fn import(bytes: &[u8]) -> Imported {
    xlsx::import_bytes(bytes, &form(), "vendor.xlsx").unwrap_or_else(|e| panic!("{e}"))
}

fn refused(bytes: &[u8], sheet: Option<&str>) -> String {
    refusal(xlsx::import_bytes_with(bytes, &form(), "vendor.xlsx", sheet))
}

fn answer(imp: &Imported, id: &str) -> Option<Answer> {
    imp.doc.answer(id).and_then(|a| a.known())
}

/// A worksheet laid out like the form: 項番 | 質問 | 回答 | 備考, every
/// question from row 2 on, answered by `answer` (None: blank).
fn form_sheet(ws: &mut Worksheet, answer: impl Fn(usize, Kind) -> Option<Answer>) {
    ws.write_string(0, 0, "サービス事業者").unwrap();
    ws.write_string(0, 1, "株式会社こだま医療システム").unwrap();
    for (c, h) in ["項番", "質問", "回答", "備考"].iter().enumerate() {
        ws.write_string(2, c as u16, *h).unwrap();
    }
    for (i, q) in form().questions().iter().enumerate() {
        let r = 3 + i as u32;
        ws.write_string(r, 0, &q.id).unwrap();
        ws.write_string(r, 1, &q.text).unwrap();
        if let Some(a) = answer(i, q.kind) {
            ws.write_string(r, 2, a.as_str()).unwrap();
        }
    }
}

/// The row of question `id` on a [`form_sheet`] (0-based).
fn row_of(id: &str) -> u32 {
    3 + form().index_of(id).unwrap() as u32
}

fn honest_sheet(wb: &mut Workbook, name: &str) {
    form_sheet(wb.add_worksheet().set_name(name).unwrap(), |i, k| Some(honest(k, i)));
}

/// Every answer the honest sheet gives, except `except`.
fn assert_honest(imp: &Imported, except: &[&str]) {
    for (i, q) in form().questions().iter().enumerate() {
        if !except.contains(&q.id.as_str()) {
            assert_eq!(answer(imp, &q.id), Some(honest(q.kind, i)), "{}\n{}", q.id, imp.report);
        }
    }
}

#[test]
fn a_hidden_or_very_hidden_sheet_is_not_read() {
    for very in [false, true] {
        let mut wb = Workbook::new();
        // the hidden copy first, every answer different
        let ws = wb.add_worksheet().set_name("開示書(旧)").unwrap();
        form_sheet(ws, |i, k| Some(other(honest(k, i))));
        if very {
            ws.set_very_hidden(true);
        } else {
            ws.set_hidden(true);
        }
        // a hidden sheet cannot be the one shown when the file opens
        honest_sheet(&mut wb, "開示書");
        wb.worksheet_from_name("開示書").unwrap().set_active(true);
        let imp = import(&wb.save_to_buffer().unwrap());
        assert_eq!(imp.report.recognised, 198, "{}", imp.report);
        assert_honest(&imp, &[]);
        assert!(imp.report.ambiguous.is_empty(), "{}", imp.report);
        assert_eq!(imp.report.hidden[0].place, "worksheet 「開示書(旧)」", "{}", imp.report);
        assert!(imp.report.to_string().contains("not read, hidden from a person"), "{}", imp.report);
    }
}

#[test]
fn hidden_flat_and_invisible_rows_are_not_read() {
    let white = Format::new().set_font_color(Color::White);
    let tiny = Format::new().set_font_size(1);
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("開示書").unwrap();
    // Each of three questions has a copy of its row just above its own,
    // answered otherwise: hidden, zero height, in white text, in 1 pt text.
    // The form sheet's rows are moved down to make room.
    let ids = ["17.1.d", "18", "20", "90"];
    let f = form();
    let mut r = 3u32;
    for (c, h) in ["項番", "質問", "回答", "備考"].iter().enumerate() {
        ws.write_string(2, c as u16, *h).unwrap();
    }
    let mut copies = Vec::new();
    for (i, q) in f.questions().iter().enumerate() {
        if let Some(k) = ids.iter().position(|id| *id == q.id) {
            let fake = other(honest(q.kind, i));
            match k {
                0 | 1 => {
                    ws.write_string(r, 0, &q.id).unwrap();
                    ws.write_string(r, 1, &q.text).unwrap();
                    ws.write_string(r, 2, fake.as_str()).unwrap();
                    if k == 0 {
                        ws.set_row_hidden(r).unwrap();
                    } else {
                        ws.set_row_height(r, 0).unwrap();
                    }
                }
                _ => {
                    let fmt = if k == 2 { &white } else { &tiny };
                    ws.write_string_with_format(r, 0, &q.id, fmt).unwrap();
                    ws.write_string_with_format(r, 1, &q.text, fmt).unwrap();
                    ws.write_string_with_format(r, 2, fake.as_str(), fmt).unwrap();
                }
            }
            copies.push(r);
            r += 1;
        }
        ws.write_string(r, 0, &q.id).unwrap();
        ws.write_string(r, 1, &q.text).unwrap();
        ws.write_string(r, 2, honest(q.kind, i).as_str()).unwrap();
        r += 1;
    }
    let imp = import(&wb.save_to_buffer().unwrap());
    assert_eq!(imp.report.recognised, 198, "{}", imp.report);
    assert_honest(&imp, &[]);
    assert!(imp.report.ambiguous.is_empty(), "{}", imp.report);
    assert!(imp.report.warnings.iter().all(|w| !w.contains("appears again")), "{}", imp.report);
    let places: Vec<&str> = imp.report.hidden.iter().map(|u| u.place.as_str()).collect();
    assert!(places.contains(&format!("開示書 row {} (hidden row)", copies[0] + 1).as_str()), "{places:?}");
    assert!(places.contains(&format!("開示書 row {} (hidden row)", copies[1] + 1).as_str()), "{places:?}");
    assert!(places.contains(&format!("開示書!C{}", copies[2] + 1).as_str()), "{places:?}");
    assert!(places.contains(&format!("開示書!C{}", copies[3] + 1).as_str()), "{places:?}");
}

#[test]
fn a_hidden_answer_column_is_not_read() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("開示書").unwrap();
    form_sheet(ws, |i, k| Some(honest(k, i)));
    // last year's answers in a hidden column to the right, headed 回答
    ws.write_string(2, 4, "回答").unwrap();
    for (i, q) in form().questions().iter().enumerate() {
        ws.write_string(3 + i as u32, 4, other(honest(q.kind, i)).as_str()).unwrap();
    }
    ws.set_column_hidden(4).unwrap();
    let imp = import(&wb.save_to_buffer().unwrap());
    assert_honest(&imp, &[]);
    assert!(imp.report.hidden.iter().any(|u| u.place == "開示書 column E (hidden column)"), "{}", imp.report);
}

#[test]
fn a_filled_example_sheet_never_supplies_or_fills_answers() {
    // first, or after the vendor's sheet with a blank the example fills
    for example_first in [true, false] {
        let mut wb = Workbook::new();
        let example = |wb: &mut Workbook| {
            form_sheet(wb.add_worksheet().set_name("記入例").unwrap(), |i, k| Some(other(honest(k, i))));
        };
        if example_first {
            example(&mut wb);
        }
        let blank = form().index_of("18").unwrap();
        form_sheet(wb.add_worksheet().set_name("開示書").unwrap(), |i, k| (i != blank).then(|| honest(k, i)));
        if !example_first {
            example(&mut wb);
        }
        let imp = import(&wb.save_to_buffer().unwrap());
        assert_honest(&imp, &["18"]);
        assert_eq!(answer(&imp, "18"), None, "a blank is never filled from another sheet");
        assert!(
            imp.report.warnings.iter().any(|w| w.contains("「記入例」") && w.contains("no answer was read from it")),
            "{}",
            imp.report
        );
    }
}

#[test]
fn two_sheets_that_could_be_the_form_are_refused_unless_named() {
    let mut wb = Workbook::new();
    form_sheet(wb.add_worksheet().set_name("2025年度").unwrap(), |i, k| Some(other(honest(k, i))));
    honest_sheet(&mut wb, "2026年度");
    let bytes = wb.save_to_buffer().unwrap();
    let e = refused(&bytes, None);
    assert!(e.contains("「2025年度」 and 「2026年度」") && e.contains("--sheet"), "{e}");
    let imp = xlsx::import_bytes_with(&bytes, &form(), "v.xlsx", Some("2026年度")).unwrap();
    assert_honest(&imp, &[]);
    let e = refused(&bytes, Some("2027年度"));
    assert!(e.contains("no visible worksheet 「2027年度」") && e.contains("2025年度, 2026年度"), "{e}");
}

#[test]
fn two_answer_columns_are_never_chosen_between_silently() {
    let build = |current: &str, previous: &str| {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet().set_name("開示書").unwrap();
        form_sheet(ws, |i, k| Some(other(honest(k, i))));
        // the columns as printed: 回答(前回) | 回答(今回)
        ws.write_string(2, 2, previous).unwrap();
        ws.write_string(2, 4, current).unwrap();
        for (i, q) in form().questions().iter().enumerate() {
            ws.write_string(3 + i as u32, 4, honest(q.kind, i).as_str()).unwrap();
        }
        wb.save_to_buffer().unwrap()
    };
    // the column headed as current is read, and the account says so
    let imp = import(&build("回答(今回)", "回答(前回)"));
    assert_honest(&imp, &[]);
    assert!(imp.report.warnings.iter().any(|w| w.contains("read column E (回答(今回))")), "{}", imp.report);
    // two answer columns, neither named current: refused, naming both
    let e = refused(&build("回答", "回答"), None);
    assert!(e.contains("2 answer columns: C (回答), E (回答)"), "{e}");
}

#[test]
fn a_word_typed_into_another_words_column_is_ambiguous() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("開示書").unwrap();
    for (c, h) in ["項番", "質問", "はい", "いいえ", "対象外", "備考"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (i, q) in form().questions().iter().enumerate().filter(|(_, q)| q.kind == Kind::YesNo) {
        let r = 1 + i as u32;
        ws.write_string(r, 0, &q.id).unwrap();
        ws.write_string(r, 1, &q.text).unwrap();
        match q.id.as_str() {
            // いいえ written in the はい column
            "17.1.d" => ws.write_string(r, 2, "いいえ").unwrap(),
            // its own word in its own column is a mark
            "18" => ws.write_string(r, 3, "いいえ").unwrap(),
            _ => ws.write_string(r, 2, "○").unwrap(),
        };
    }
    let imp = import(&wb.save_to_buffer().unwrap());
    assert_eq!(answer(&imp, "17.1.d"), None, "{}", imp.report);
    assert_eq!(answer(&imp, "18"), Some(Answer::No));
    assert_eq!(answer(&imp, "2"), Some(Answer::Yes));
    let a = imp.report.ambiguous.iter().find(|a| a.id == "17.1.d").expect("listed");
    assert!(a.why.contains("「いいえ」 written in the はい column"), "{}", a.why);
}

#[test]
fn a_formula_answer_is_read_with_a_warning_naming_its_cell() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("開示書").unwrap();
    form_sheet(ws, |i, k| Some(honest(k, i)));
    let r = row_of("17.1.d");
    let was = honest(form().question("17.1.d").unwrap().kind, form().index_of("17.1.d").unwrap());
    ws.write_formula(r, 2, "=IF(TRUE,\"はい\",\"いいえ\")").unwrap();
    ws.set_formula_result(r, 2, was.as_str());
    let imp = import(&wb.save_to_buffer().unwrap());
    assert_eq!(answer(&imp, "17.1.d"), Some(was));
    let cell = format!("開示書!C{}", r + 1);
    assert!(imp.report.warnings.iter().any(|w| w.starts_with(&cell) && w.contains("formula")), "{}", imp.report);
}

/// The workbook's zip with each part renamed by `rename` (and its bytes
/// changed by `edit`).
fn rezip(bytes: &[u8], rename: impl Fn(&str) -> String, edit: impl Fn(&str, Vec<u8>) -> Vec<u8>) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut src = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for i in 0..src.len() {
        let mut part = src.by_index(i).unwrap();
        let name = part.name().unwrap().to_string();
        let mut data = Vec::new();
        part.read_to_end(&mut data).unwrap();
        out.start_file(rename(&name), opts).unwrap();
        out.write_all(&edit(&name, data)).unwrap();
    }
    out.finish().unwrap().into_inner()
}

/// A form sheet whose 17.1.d row has a hidden copy above it, answered otherwise.
fn sheet_with_hidden_copy() -> (Vec<u8>, u32) {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("開示書").unwrap();
    let f = form();
    form_sheet(ws, |i, k| Some(honest(k, i)));
    // the copy goes in a row of its own below the form, hidden
    let i = f.index_of("17.1.d").unwrap();
    let q = &f.questions()[i];
    let r = 3 + f.len() as u32 + 2;
    ws.write_string(r, 0, &q.id).unwrap();
    ws.write_string(r, 1, &q.text).unwrap();
    ws.write_string(r, 2, other(honest(q.kind, i)).as_str()).unwrap();
    ws.set_row_hidden(r).unwrap();
    (wb.save_to_buffer().unwrap(), r)
}

#[test]
fn a_worksheet_part_is_found_as_calamine_finds_it() {
    // calamine finds parts whatever their letter case: the part it reads is
    // the one whose hidden rows are read, whatever it is called
    let (bytes, r) = sheet_with_hidden_copy();
    let renamed = rezip(&bytes, |n| n.replace("xl/worksheets/sheet1.xml", "XL/Worksheets/SHEET1.xml"), |_, d| d);
    let imp = import(&renamed);
    assert_honest(&imp, &[]);
    assert!(imp.report.ambiguous.is_empty(), "{}", imp.report);
    let place = format!("開示書 row {} (hidden row)", r + 1);
    assert!(imp.report.hidden.iter().any(|u| u.place == place), "{}", imp.report);
}

#[test]
fn a_sheet_tag_read_otherwise_than_calamine_reads_it_is_never_read_unseen() {
    // a second id attribute: calamine takes the last; so does kaiji, and a
    // worksheet whose part cannot be found is refused, never read as if
    // every row showed
    let (bytes, _) = sheet_with_hidden_copy();
    let two_ids = rezip(&bytes, str::to_string, |n, d| {
        if n == "xl/workbook.xml" {
            String::from_utf8(d).unwrap().replace(r#"r:id="rId1""#, r#"r:id="rId9" x:id="rId1""#).into_bytes()
        } else {
            d
        }
    });
    let imp = import(&two_ids);
    assert!(imp.report.ambiguous.is_empty(), "{}", imp.report);
    assert_honest(&imp, &[]);
    // a name calamine decodes (a character reference) and kaiji does not:
    // the worksheet's rows cannot be told, so it is refused
    let odd_name = rezip(&bytes, str::to_string, |n, d| {
        if n == "xl/workbook.xml" {
            String::from_utf8(d).unwrap().replace(r#"name="開示書""#, r#"name="&#x958B;示書""#).into_bytes()
        } else {
            d
        }
    });
    let m = refused(&odd_name, None);
    assert!(m.contains("hidden cannot be told") && m.contains("worksheet 「開示書」 could not be found"), "{m}");
}

/// A default row height too low to see, every honest row given a height of
/// its own, and a copy of 17.1.d with the other answer left at the default:
/// the copy is a row no person sees, and is not read.
#[test]
fn a_row_left_at_a_flat_default_height_is_not_read() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("開示書").unwrap();
    ws.set_default_row_height(0.5);
    let f = form();
    for (c, h) in ["項番", "質問", "回答", "備考"].iter().enumerate() {
        ws.write_string(2, c as u16, *h).unwrap();
    }
    ws.set_row_height(2, 15).unwrap();
    let mut r = 3u32;
    let mut copy = 0;
    for (i, q) in f.questions().iter().enumerate() {
        if q.id == "17.1.d" {
            ws.write_string(r, 0, &q.id).unwrap();
            ws.write_string(r, 1, &q.text).unwrap();
            ws.write_string(r, 2, other(honest(q.kind, i)).as_str()).unwrap();
            copy = r;
            r += 1;
        }
        ws.write_string(r, 0, &q.id).unwrap();
        ws.write_string(r, 1, &q.text).unwrap();
        ws.write_string(r, 2, honest(q.kind, i).as_str()).unwrap();
        ws.set_row_height(r, 15).unwrap();
        r += 1;
    }
    let imp = import(&wb.save_to_buffer().unwrap());
    assert_eq!(imp.report.recognised, 198, "{}", imp.report);
    assert_honest(&imp, &[]);
    let places: Vec<&str> = imp.report.hidden.iter().map(|u| u.place.as_str()).collect();
    assert!(places.contains(&format!("開示書 row {} (hidden row)", copy + 1).as_str()), "{places:?}");
}
