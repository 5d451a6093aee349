//! What a person sees is what is read, in .xls, .xlsb and .ods workbooks as
//! in .xlsx (tests/import_seen_xlsx.rs): a copy of a question's row, hidden
//! above the row a person sees and answered otherwise, is never read, nor
//! a hidden second answer column; the account lists each with its place.
//! The workbooks are built here byte by byte (rust_xlsxwriter writes none
//! of these formats): BIFF8 records in a compound file (tests/xlsgen), the
//! BIFF12 parts of an .xlsb, the content.xml of an .ods. A fictional vendor.

use std::io::Write;

use kaiji::import::{Imported, xlsx};

#[path = "xlsgen/mod.rs"]
mod xlsgen;

#[path = "seen/mod.rs"]
mod seen;
use seen::{form, honest, other, refusal};

fn import(bytes: &[u8]) -> Imported {
    xlsx::import_bytes(bytes, &form(), "vendor").unwrap_or_else(|e| panic!("{e}"))
}

fn refused(bytes: &[u8]) -> String {
    refusal(xlsx::import_bytes(bytes, &form(), "vendor"))
}

/// How a row or column is hidden, in the terms of each format.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Hide {
    Shown,
    /// The format's hidden flag (fDyZero, fHidden, visibility="collapse").
    Flag,
    /// Zero height or width.
    Zero,
    /// ODS only: rows an autofilter hides (visibility="filter").
    Filter,
}

/// A worksheet: rows of text cells (0-based columns), each row shown or
/// hidden, and the hidden columns.
struct Sheet {
    rows: Vec<(Vec<String>, Hide)>,
    cols: Vec<(u16, Hide)>,
}

/// The form laid out as 項番 | 質問 | 回答, every question answered
/// honestly; `copy` questions get a copy of their row just above their own,
/// answered otherwise and hidden by `hide`; `old_answers` adds last year's
/// answers (the other ones) in a column D headed 回答, hidden by that.
fn form_sheet(copy: &[&str], hide: Hide, old_answers: Option<Hide>) -> Sheet {
    let mut rows = vec![(vec!["サービス事業者".to_string(), "株式会社ひばり電算".to_string()], Hide::Shown)];
    let mut head: Vec<String> = ["項番", "質問", "回答"].map(String::from).to_vec();
    if old_answers.is_some() {
        head.push("回答".into());
    }
    rows.push((head, Hide::Shown));
    for (i, q) in form().questions().iter().enumerate() {
        let a = honest(q.kind, i);
        if copy.contains(&q.id.as_str()) {
            rows.push((vec![q.id.clone(), q.text.clone(), other(a).as_str().into()], hide));
        }
        let mut row = vec![q.id.clone(), q.text.clone(), a.as_str().into()];
        if old_answers.is_some() {
            row.push(other(a).as_str().into());
        }
        rows.push((row, Hide::Shown));
    }
    Sheet { rows, cols: old_answers.map(|h| vec![(3, h)]).unwrap_or_default() }
}

/// The 1-based row number of the hidden copy of question `id`.
fn copy_row(sheet: &Sheet, id: &str) -> usize {
    sheet.rows.iter().position(|(cells, hide)| *hide != Hide::Shown && cells[0] == id).unwrap() + 1
}

fn assert_honest(imp: &Imported) {
    assert_eq!(imp.report.recognised, 198, "{}", imp.report);
    for (i, q) in form().questions().iter().enumerate() {
        let got = imp.doc.answer(&q.id).and_then(|a| a.known());
        assert_eq!(got, Some(honest(q.kind, i)), "{}\n{}", q.id, imp.report);
    }
    assert!(imp.report.ambiguous.is_empty(), "{}", imp.report);
    assert!(imp.report.warnings.iter().all(|w| !w.contains("appears again")), "{}", imp.report);
    assert!(imp.report.warnings.iter().all(|w| !w.contains("cannot be told")), "{}", imp.report);
}

fn hidden_places(imp: &Imported) -> Vec<String> {
    imp.report.hidden.iter().map(|u| u.place.clone()).collect()
}

// ---- .xls (BIFF8) ----

fn xls(sheet: &Sheet) -> Vec<u8> {
    let mut records = Vec::new();
    for &(c, hide) in &sheet.cols {
        records.push(match hide {
            Hide::Shown => xlsgen::colinfo(c, c, 12 * 256, 0),
            Hide::Flag | Hide::Filter => xlsgen::colinfo(c, c, 12 * 256, 0x0001),
            Hide::Zero => xlsgen::colinfo(c, c, 0, 0),
        });
    }
    for (r, (cells, hide)) in sheet.rows.iter().enumerate() {
        let r = r as u16;
        match hide {
            Hide::Shown => records.push(xlsgen::row(r, 300, 0)),
            Hide::Flag | Hide::Filter => records.push(xlsgen::row(r, 300, 0x20)),
            Hide::Zero => records.push(xlsgen::row(r, 0, 0x40)),
        }
        for (c, text) in cells.iter().enumerate() {
            records.push(xlsgen::label(r, c as u16, text));
        }
    }
    xlsgen::cfb(&xlsgen::workbook(&[("開示書", records)]))
}

#[test]
fn xls_hidden_and_zero_height_rows_are_not_read() {
    for hide in [Hide::Flag, Hide::Zero] {
        let sheet = form_sheet(&["17.1.d", "18"], hide, None);
        let imp = import(&xls(&sheet));
        assert_honest(&imp);
        let places = hidden_places(&imp);
        for id in ["17.1.d", "18"] {
            let place = format!("開示書 row {} (hidden row)", copy_row(&sheet, id));
            assert!(places.contains(&place), "{hide:?}: {place} in {places:?}");
        }
        assert!(imp.report.to_string().contains("not read, hidden from a person"), "{}", imp.report);
    }
}

#[test]
fn xls_hidden_and_zero_width_columns_are_not_read() {
    for hide in [Hide::Flag, Hide::Zero] {
        let imp = import(&xls(&form_sheet(&[], Hide::Shown, Some(hide))));
        assert_honest(&imp);
        assert!(hidden_places(&imp).contains(&"開示書 column D (hidden column)".to_string()), "{}", imp.report);
    }
}

#[test]
fn xls_controls_read_everything_shown() {
    // nothing hidden: every answer read, nothing listed, no warning
    let imp = import(&xls(&form_sheet(&[], Hide::Shown, None)));
    assert_honest(&imp);
    assert!(imp.report.hidden.is_empty(), "{}", imp.report);
    // the copy shown: it is read, and the question is left unanswered
    let imp = import(&xls(&form_sheet(&["17.1.d"], Hide::Shown, None)));
    assert!(imp.report.ambiguous.iter().any(|a| a.id == "17.1.d"), "{}", imp.report);
    // last year's column shown: two answer columns, refused
    assert!(refused(&xls(&form_sheet(&[], Hide::Shown, Some(Hide::Shown)))).contains("answer columns"));
}

#[test]
fn xls_rows_hidden_by_default_are_not_read() {
    // DEFAULTROWHEIGHT with fDyZero: rows without a ROW record are hidden;
    // the copy has none, every other row has one
    let sheet = form_sheet(&["17.1.d"], Hide::Flag, None);
    let mut records = vec![xlsgen::record(0x0225, &[0x02, 0x00, 0x2C, 0x01])];
    for (r, (cells, hide)) in sheet.rows.iter().enumerate() {
        if *hide == Hide::Shown {
            records.push(xlsgen::row(r as u16, 300, 0));
        }
        for (c, text) in cells.iter().enumerate() {
            records.push(xlsgen::label(r as u16, c as u16, text));
        }
    }
    let imp = import(&xlsgen::cfb(&xlsgen::workbook(&[("開示書", records)])));
    assert_honest(&imp);
    let place = format!("開示書 row {} (hidden row)", copy_row(&sheet, "17.1.d"));
    assert!(hidden_places(&imp).contains(&place), "{}", imp.report);
}

#[test]
fn xls_row_and_column_records_too_short_to_read_are_refused() {
    let sheet = form_sheet(&[], Hide::Shown, None);
    let base: Vec<Vec<u8>> = sheet
        .rows
        .iter()
        .enumerate()
        .flat_map(|(r, (cells, _))| {
            cells.iter().enumerate().map(move |(c, t)| xlsgen::label(r as u16, c as u16, t)).collect::<Vec<_>>()
        })
        .collect();
    for (bad, what) in [
        (xlsgen::record(0x0208, &[5, 0, 0, 0, 3, 0]), "ROW record of 6 bytes"),
        (xlsgen::record(0x007D, &[3, 0, 3, 0]), "COLINFO record of 4 bytes"),
        (xlsgen::colinfo(4, 2, 0, 1), "COLINFO record that ends before it starts"),
    ] {
        let mut records = vec![bad];
        records.extend(base.iter().cloned());
        let m = refused(&xlsgen::cfb(&xlsgen::workbook(&[("開示書", records)])));
        assert!(m.contains(what) && m.contains("開示書"), "{m}");
    }
}

// ---- .xlsb (BIFF12 records in a zip) ----

/// One BIFF12 record: type and size as 7-bit varints, then the data.
fn rec(typ: u16, data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    if typ < 0x80 {
        out.push(typ as u8);
    } else {
        out.extend([(typ & 0x7F) as u8 | 0x80, (typ >> 7) as u8]);
    }
    let mut n = data.len();
    loop {
        let b = (n & 0x7F) as u8;
        n >>= 7;
        out.push(if n > 0 { b | 0x80 } else { b });
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(data);
    out
}

fn wide(s: &str) -> Vec<u8> {
    let units: Vec<u16> = s.encode_utf16().collect();
    let mut out = (units.len() as u32).to_le_bytes().to_vec();
    out.extend(units.iter().flat_map(|u| u.to_le_bytes()));
    out
}

fn zip(parts: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let deflated = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, data) in parts {
        z.start_file(*name, if *name == "mimetype" { stored } else { deflated }).unwrap();
        z.write_all(data).unwrap();
    }
    z.finish().unwrap().into_inner()
}

/// An .xlsb of one worksheet named 開示書; `head` records go before the
/// sheet data (column infos, the format info).
fn xlsb_with(sheet: &Sheet, head: Vec<Vec<u8>>, row_hdr: impl Fn(u32, Hide) -> Option<Vec<u8>>) -> Vec<u8> {
    let mut ws = rec(0x0081, &[]);
    let rows = sheet.rows.len() as u32;
    ws.extend(rec(
        0x0094,
        &[&0u32.to_le_bytes()[..], &(rows - 1).to_le_bytes(), &0u32.to_le_bytes(), &4u32.to_le_bytes()].concat(),
    ));
    for r in head {
        ws.extend(r);
    }
    ws.extend(rec(0x0091, &[]));
    for (r, (cells, hide)) in sheet.rows.iter().enumerate() {
        if let Some(h) = row_hdr(r as u32, *hide) {
            ws.extend(h);
        }
        for (c, text) in cells.iter().enumerate() {
            // BrtCellSt: column, style (3 bytes) and flags, then the text
            ws.extend(rec(0x0006, &[&(c as u32).to_le_bytes()[..], &[0, 0, 0, 0], &wide(text)].concat()));
        }
    }
    ws.extend(rec(0x0092, &[]));
    ws.extend(rec(0x0082, &[]));
    let mut book = rec(0x0083, &[]);
    book.extend(rec(0x008F, &[]));
    book.extend(rec(0x009C, &[&0u32.to_le_bytes()[..], &1u32.to_le_bytes(), &wide("rId1"), &wide("開示書")].concat()));
    book.extend(rec(0x0090, &[]));
    book.extend(rec(0x009D, &[0; 26]));
    book.extend(rec(0x0084, &[]));
    let rels = br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.bin"/></Relationships>"#;
    zip(&[("xl/workbook.bin", book), ("xl/_rels/workbook.bin.rels", rels.to_vec()), ("xl/worksheets/sheet1.bin", ws)])
}

/// BrtRowHdr: row, style, height (twips), padding, flags (0x10 fDyZero,
/// 0x20 fUnsynced), then no column spans.
fn row_hdr(r: u32, height: u16, flags: u8) -> Vec<u8> {
    rec(0x0000, &[&r.to_le_bytes()[..], &[0; 4], &height.to_le_bytes(), &[0, flags, 0], &0u32.to_le_bytes()].concat())
}

fn xlsb(sheet: &Sheet) -> Vec<u8> {
    let mut head = vec![rec(0x0186, &[])];
    for &(c, hide) in &sheet.cols {
        let (width, flags) = match hide {
            Hide::Shown => (12 * 256u32, 0x0002u16),
            Hide::Flag | Hide::Filter => (12 * 256, 0x0003),
            Hide::Zero => (0, 0x0002),
        };
        let c = u32::from(c);
        head.push(rec(
            0x003C,
            &[&c.to_le_bytes()[..], &c.to_le_bytes(), &width.to_le_bytes(), &[0; 4], &flags.to_le_bytes()].concat(),
        ));
    }
    head.push(rec(0x0187, &[]));
    xlsb_with(sheet, head, |r, hide| {
        Some(match hide {
            Hide::Shown => row_hdr(r, 300, 0),
            Hide::Flag | Hide::Filter => row_hdr(r, 300, 0x10),
            Hide::Zero => row_hdr(r, 0, 0x20),
        })
    })
}

#[test]
fn xlsb_hidden_and_zero_height_rows_are_not_read() {
    for hide in [Hide::Flag, Hide::Zero] {
        let sheet = form_sheet(&["17.1.d", "18"], hide, None);
        let imp = import(&xlsb(&sheet));
        assert_honest(&imp);
        let places = hidden_places(&imp);
        for id in ["17.1.d", "18"] {
            let place = format!("開示書 row {} (hidden row)", copy_row(&sheet, id));
            assert!(places.contains(&place), "{hide:?}: {place} in {places:?}");
        }
    }
}

#[test]
fn xlsb_hidden_and_zero_width_columns_are_not_read() {
    for hide in [Hide::Flag, Hide::Zero] {
        let imp = import(&xlsb(&form_sheet(&[], Hide::Shown, Some(hide))));
        assert_honest(&imp);
        assert!(hidden_places(&imp).contains(&"開示書 column D (hidden column)".to_string()), "{}", imp.report);
    }
}

#[test]
fn xlsb_controls_read_everything_shown() {
    let imp = import(&xlsb(&form_sheet(&[], Hide::Shown, None)));
    assert_honest(&imp);
    assert!(imp.report.hidden.is_empty(), "{}", imp.report);
    let imp = import(&xlsb(&form_sheet(&["17.1.d"], Hide::Shown, None)));
    assert!(imp.report.ambiguous.iter().any(|a| a.id == "17.1.d"), "{}", imp.report);
    assert!(refused(&xlsb(&form_sheet(&[], Hide::Shown, Some(Hide::Shown)))).contains("answer columns"));
}

#[test]
fn xlsb_row_headers_too_short_to_read_are_refused() {
    // calamine would put the row's cells on whatever row its buffer held
    let bytes = xlsb_with(&form_sheet(&[], Hide::Shown, None), vec![], |r, _| {
        Some(if r == 5 { rec(0x0000, &[5, 0]) } else { row_hdr(r, 300, 0) })
    });
    let m = refused(&bytes);
    assert!(m.contains("BrtRowHdr record of 2 bytes") && m.contains("開示書"), "{m}");
}

// ---- .ods (content.xml in a zip) ----

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// An .ods of one table 開示書; a hidden copy row is written repeated
/// twice (`table:number-rows-repeated`), so the rows after it are counted
/// as calamine counts them.
fn ods(sheet: &Sheet) -> Vec<u8> {
    ods_zip(String::from_utf8(ods_content(sheet)).unwrap())
}

fn ods_content(sheet: &Sheet) -> Vec<u8> {
    let mut body = String::new();
    let mut next = 0u16;
    for &(c, hide) in &sheet.cols {
        if c > next {
            body.push_str(&format!(r#"<table:table-column table:number-columns-repeated="{}"/>"#, c - next));
        }
        body.push_str(match hide {
            Hide::Shown => r#"<table:table-column/>"#,
            Hide::Flag => r#"<table:table-column table:visibility="collapse"/>"#,
            Hide::Filter => r#"<table:table-column table:visibility="filter"/>"#,
            Hide::Zero => r#"<table:table-column table:style-name="co0"/>"#,
        });
        next = c + 1;
    }
    for (cells, hide) in &sheet.rows {
        let attrs = match hide {
            Hide::Shown => "",
            Hide::Flag => r#" table:visibility="collapse" table:number-rows-repeated="2""#,
            Hide::Filter => r#" table:visibility="filter" table:number-rows-repeated="2""#,
            Hide::Zero => r#" table:style-name="ro0" table:number-rows-repeated="2""#,
        };
        body.push_str(&format!("<table:table-row{attrs}>"));
        for c in cells {
            body.push_str(&format!(
                r#"<table:table-cell office:value-type="string"><text:p>{}</text:p></table:table-cell>"#,
                esc(c)
            ));
        }
        body.push_str("</table:table-row>");
    }
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" office:version="1.2"><office:automatic-styles><style:style style:name="ro0" style:family="table-row"><style:table-row-properties style:row-height="0cm" style:use-optimal-row-height="false"/></style:style><style:style style:name="co0" style:family="table-column"><style:table-column-properties style:column-width="0in"/></style:style></office:automatic-styles><office:body><office:spreadsheet><table:table table:name="開示書">{body}</table:table></office:spreadsheet></office:body></office:document-content>"#
    );
    content.into_bytes()
}

fn ods_zip(content: String) -> Vec<u8> {
    let manifest = r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;
    zip(&[
        ("mimetype", b"application/vnd.oasis.opendocument.spreadsheet".to_vec()),
        ("META-INF/manifest.xml", manifest.as_bytes().to_vec()),
        ("content.xml", content.into_bytes()),
    ])
}

/// The 1-based rows an .ods copy row covers (repeated twice) and the row
/// after them, as calamine numbers them.
fn ods_copy_rows(sheet: &Sheet, id: &str) -> usize {
    // each hidden copy before this one adds a repeat
    let at = copy_row(sheet, id);
    let before = sheet.rows[..at - 1].iter().filter(|(_, h)| *h != Hide::Shown).count();
    at + before
}

#[test]
fn ods_collapsed_filtered_and_zero_height_rows_are_not_read() {
    for hide in [Hide::Flag, Hide::Filter, Hide::Zero] {
        let sheet = form_sheet(&["17.1.d", "18"], hide, None);
        let imp = import(&ods(&sheet));
        assert_honest(&imp);
        let places = hidden_places(&imp);
        for id in ["17.1.d", "18"] {
            let first = ods_copy_rows(&sheet, id);
            for row in [first, first + 1] {
                let place = format!("開示書 row {row} (hidden row)");
                assert!(places.contains(&place), "{hide:?}: {place} in {places:?}");
            }
        }
    }
}

#[test]
fn ods_collapsed_and_zero_width_columns_are_not_read() {
    for hide in [Hide::Flag, Hide::Zero] {
        let imp = import(&ods(&form_sheet(&[], Hide::Shown, Some(hide))));
        assert_honest(&imp);
        assert!(hidden_places(&imp).contains(&"開示書 column D (hidden column)".to_string()), "{}", imp.report);
    }
}

#[test]
fn ods_controls_read_everything_shown() {
    let imp = import(&ods(&form_sheet(&[], Hide::Shown, None)));
    assert_honest(&imp);
    assert!(imp.report.hidden.is_empty(), "{}", imp.report);
    let imp = import(&ods(&form_sheet(&["17.1.d"], Hide::Shown, None)));
    assert!(imp.report.ambiguous.iter().any(|a| a.id == "17.1.d"), "{}", imp.report);
    assert!(refused(&ods(&form_sheet(&[], Hide::Shown, Some(Hide::Shown)))).contains("answer columns"));
}

#[test]
fn ods_repeat_counts_that_are_no_count_are_refused() {
    let good = ods(&form_sheet(&["17.1.d"], Hide::Flag, None));
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(&good[..])).unwrap();
    let mut content = String::new();
    std::io::Read::read_to_string(&mut z.by_name("content.xml").unwrap(), &mut content).unwrap();
    let bad = content.replace(r#"table:number-rows-repeated="2""#, r#"table:number-rows-repeated="0""#);
    let bytes = ods_zip(bad);
    let m = refused(&bytes);
    assert!(m.contains("hidden cannot be told") && m.contains("a row repeated 「0」 times"), "{m}");
}

// ---- every format ----

#[test]
fn two_worksheets_of_one_name_are_refused() {
    // calamine keeps one sheet's cells for both names: the hidden one's,
    // here, would be read for the visible one
    let sheet = form_sheet(&[], Hide::Shown, None);
    let labels = |s: &Sheet| -> Vec<Vec<u8>> {
        s.rows
            .iter()
            .enumerate()
            .flat_map(|(r, (cells, _))| {
                cells.iter().enumerate().map(move |(c, t)| xlsgen::label(r as u16, c as u16, t)).collect::<Vec<_>>()
            })
            .collect()
    };
    let bytes = xlsgen::cfb(&xlsgen::workbook(&[("開示書", labels(&sheet)), ("開示書", labels(&sheet))]));
    let m = refused(&bytes);
    assert!(m.contains("two worksheets named 「開示書」"), "{m}");
}

// ---- the fuzz target's regression inputs ----

/// The inputs tests/fuzz_regressions/import_xlsx/ keeps for these paths
/// (replayed by tests/fuzz_regressions.rs, and seeds for the fuzzer) are
/// the workbooks built here: `KAIJI_WRITE_SEEDS=1 cargo test --test
/// import_seen_workbooks` writes them again after a change.
#[test]
fn fuzz_regression_inputs_are_these_workbooks() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions/import_xlsx");
    let hidden = form_sheet(&["17.1.d"], Hide::Flag, Some(Hide::Zero));
    let zero = form_sheet(&["18"], Hide::Zero, Some(Hide::Flag));
    let shown = form_sheet(&[], Hide::Shown, None);
    let short_row = {
        let mut records = vec![xlsgen::record(0x0208, &[5, 0, 0, 0, 3, 0])];
        records.push(xlsgen::label(0, 0, "項番"));
        xlsgen::cfb(&xlsgen::workbook(&[("開示書", records)]))
    };
    let mut ods_zero_repeat = String::from_utf8(ods_content(&form_sheet(&["17.1.d"], Hide::Filter, None))).unwrap();
    ods_zero_repeat = ods_zero_repeat.replace(r#"table:number-rows-repeated="2""#, r#"table:number-rows-repeated="0""#);
    let inputs: Vec<(&str, Vec<u8>)> = vec![
        ("accept-xls-hidden-row-and-column.xls", xls(&hidden)),
        ("accept-xls-zero-height-row-and-hidden-column.xls", xls(&zero)),
        ("accept-xlsb-hidden-row-and-column.xlsb", xlsb(&hidden)),
        ("accept-xlsb-zero-height-row-and-hidden-column.xlsb", xlsb(&zero)),
        ("accept-ods-hidden-row-and-column.ods", ods(&hidden)),
        ("accept-ods-filtered-row.ods", ods(&form_sheet(&["18"], Hide::Filter, None))),
        ("reject-xls-short-row-record.xls", short_row),
        (
            "reject-xlsb-short-row-header.xlsb",
            xlsb_with(&shown, vec![], |r, _| Some(if r == 5 { rec(0x0000, &[5, 0]) } else { row_hdr(r, 300, 0) })),
        ),
        ("reject-ods-zero-repeat.ods", ods_zip(ods_zero_repeat)),
    ];
    let write = std::env::var_os("KAIJI_WRITE_SEEDS").is_some();
    for (name, bytes) in inputs {
        let path = dir.join(name);
        if write {
            std::fs::write(&path, &bytes).unwrap();
        }
        let kept =
            std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e} (KAIJI_WRITE_SEEDS=1 writes it)", path.display()));
        assert!(kept == bytes, "{name} is not what this test builds (KAIJI_WRITE_SEEDS=1 writes it again)");
    }
}
