//! The sheet as a workbook in the form's layout, for people and for
//! `kaiji import` alike:
//!
//! - 「開示書」: the header block (作成日, サービス事業者, サービス名称,
//!   バージョン, 様式), then per section a heading row and one row per
//!   question — 項番, 質問, 回答 (the word, chosen from a drop-down of the
//!   question's words), 備考 (remark numbers), 注記 (the inline note). It is
//!   the fill-in form too: an empty 回答 cell is highlighted, and the rows
//!   under a 該当/非該当 question are greyed while it says 非該当 (conditional
//!   formats, so they follow what the person fills in);
//! - 「備考記載欄」: the numbered remark texts;
//! - 「要確認」 (only when needed): answers the choice columns cannot show —
//!   words that are none of the form's, ids the form does not have — with
//!   the word in a 回答 column, so nothing is lost on the way back in.
//!
//! Column widths come from the display width of the text (CJK counts two),
//! since Excel's autofit undersizes Japanese; vendor text is always written
//! with `write_string`, and a text that starts like a formula (`=`, `+`,
//! `-`, `@`) gets Excel's quote prefix ([`text_format`], as the report
//! workbook does), so it stays text even after someone edits the cell.

use rust_xlsxwriter::{
    Color, ConditionalFormatBlank, ConditionalFormatFormula, DataValidation, DataValidationErrorStyle, Format,
    FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError, row_col_to_cell, row_col_to_cell_absolute,
};

use crate::form::{Form, Kind};
use crate::report::xlsx::text_format;
use crate::sheet::{AnswerValue, DocAnswer, SheetDoc};
use crate::text::display_width;

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("cannot build the workbook: {0}")]
#[diagnostic(code(kaiji::export::xlsx))]
pub struct ExportError(#[from] XlsxError);

/// Columns of the main worksheet.
const ID: u16 = 0;
const TEXT: u16 = 1;
/// The answer word, from a drop-down of the question's words.
const ANSWER: u16 = 2;
const REMARKS: u16 = 3;
const NOTE: u16 = 4;
const LAST: u16 = NOTE;
const HEADERS: [&str; 5] = ["項番", "質問", "回答", "備考", "注記"];

/// Widest a wrapped column gets (in character units).
const TEXT_MAX: usize = 70;
const NOTE_MAX: usize = 40;
const REMARK_TEXT_MAX: usize = 90;
/// Points per line of wrapped text.
const LINE_HEIGHT: f64 = 15.0;

struct Styles {
    title: Format,
    label: Format,
    value: Format,
    header: Format,
    section: Format,
    id: Format,
    text: Format,
    mark: Format,
    /// An empty answer cell that needs filling in.
    blank: Format,
    /// A row a 非該当 gate closes.
    closed: Format,
    number: Format,
}

impl Styles {
    fn new() -> Styles {
        let cell = Format::new().set_border(FormatBorder::Thin).set_align(FormatAlign::VerticalCenter);
        Styles {
            title: Format::new().set_bold().set_font_size(14),
            label: cell.clone().set_bold().set_background_color(Color::RGB(0xF2F2F2)),
            value: cell.clone(),
            header: cell
                .clone()
                .set_bold()
                .set_align(FormatAlign::Center)
                .set_text_wrap()
                .set_background_color(Color::RGB(0xDDEBF7)),
            section: cell.clone().set_bold().set_background_color(Color::RGB(0xFFF2CC)),
            id: cell.clone().set_align(FormatAlign::Top),
            text: cell.clone().set_text_wrap().set_align(FormatAlign::Top),
            mark: cell.clone().set_align(FormatAlign::Center),
            blank: Format::new().set_background_color(Color::RGB(0xFCE4D6)),
            closed: Format::new().set_background_color(Color::RGB(0xD9D9D9)).set_font_color(Color::RGB(0x808080)),
            number: cell.clone().set_align(FormatAlign::Center),
        }
    }
}

/// Tracks the widest text per column.
struct Widths(Vec<usize>);

impl Widths {
    fn see(&mut self, col: u16, text: &str) {
        let w = text.lines().map(display_width).max().unwrap_or(0);
        let c = col as usize;
        if self.0.len() <= c {
            self.0.resize(c + 1, 0);
        }
        self.0[c] = self.0[c].max(w);
    }

    fn apply(&self, ws: &mut Worksheet, caps: &[(u16, usize)]) -> Result<(), XlsxError> {
        for (c, w) in self.0.iter().enumerate() {
            let cap = caps.iter().find(|(col, _)| *col as usize == c).map_or(usize::MAX, |(_, m)| *m);
            ws.set_column_width(c as u16, ((*w).min(cap) + 2).max(6) as f64)?;
        }
        Ok(())
    }

    fn of(&self, col: u16, caps: &[(u16, usize)]) -> usize {
        let w = self.0.get(col as usize).copied().unwrap_or(0);
        caps.iter().find(|(c, _)| *c == col).map_or(w, |(_, m)| w.min(*m)).max(4)
    }
}

/// Lines a wrapped text takes in a column `width` characters wide.
fn lines_in(text: &str, width: usize) -> usize {
    text.lines().map(|l| display_width(l).div_ceil(width).max(1)).sum::<usize>().max(1)
}

/// Build the workbook.
pub fn to_xlsx(doc: &SheetDoc, form: &Form) -> Result<Vec<u8>, ExportError> {
    let st = Styles::new();
    let mut wb = Workbook::new();
    // Byte-stable: the same sheet exports to the same file.
    wb.set_properties(
        &rust_xlsxwriter::DocProperties::new().set_creation_datetime(&crate::report::xlsx::creation_date()?),
    );
    main_sheet(wb.add_worksheet(), doc, form, &st)?;
    remarks_sheet(wb.add_worksheet(), doc, &st)?;
    let odd: Vec<&DocAnswer> = doc.answers.iter().filter(|a| !fits_main(a, form)).collect();
    if !odd.is_empty() {
        review_sheet(wb.add_worksheet(), &odd, form, &st)?;
    }
    if let Some(source) = &doc.source {
        evidence_sheet(wb.add_worksheet(), source, &doc.evidence)?;
    }
    Ok(wb.save_to_buffer()?)
}

/// The vendor document's `[source]` and `[evidence]`, on a hidden,
/// protected worksheet: importing the filled-in workbook keeps them, so the
/// answers changed in it show against what the vendor's document said
/// (`changed-after-import`). Rows: `source | file | sha256 | format`, then
/// `evidence | id | read | at | by`.
fn evidence_sheet(
    ws: &mut Worksheet,
    source: &crate::sheet::DocSource,
    evidence: &[crate::sheet::DocEvidence],
) -> Result<(), ExportError> {
    ws.set_name(crate::sheet::EVIDENCE_SHEET)?;
    let text = Format::new();
    for (c, v) in ["source", &source.file, &source.sha256, &source.format].iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *v, &text_format(v, &text))?;
    }
    for (r, e) in evidence.iter().enumerate() {
        let row = [("evidence"), e.id.as_str(), e.read.as_str(), e.at.as_str(), e.by.as_deref().unwrap_or("")];
        for (c, v) in row.iter().enumerate() {
            ws.write_string_with_format(r as u32 + 1, c as u16, *v, &text_format(v, &text))?;
        }
    }
    ws.protect();
    ws.set_hidden(true);
    Ok(())
}

/// Whether an answer can be shown in the choice columns.
fn fits_main(a: &DocAnswer, form: &Form) -> bool {
    form.index_of(&a.id).is_some() && !matches!(a.answer, Some(AnswerValue::Invalid(_)))
}

fn main_sheet(ws: &mut Worksheet, doc: &SheetDoc, form: &Form, st: &Styles) -> Result<(), XlsxError> {
    ws.set_name("開示書")?;
    let mut widths = Widths(vec![0; LAST as usize + 1]);
    let caps = [(TEXT, TEXT_MAX), (NOTE, NOTE_MAX)];
    let title = if form.title.is_empty() { "医療情報セキュリティ開示書" } else { &form.title };
    ws.merge_range(0, 0, 0, LAST, title, &text_format(title, &st.title))?;
    if !form.guideline.is_empty() {
        ws.merge_range(1, 0, 1, LAST, &format!("（{}対応）", form.guideline), &Format::new())?;
    }
    let created = doc.meta.created.map(|d| d.to_string());
    let meta = [
        ("作成日", created.as_deref()),
        ("サービス事業者", doc.meta.vendor.as_deref()),
        ("サービス名称", doc.meta.service.as_deref()),
        ("バージョン", doc.meta.version.as_deref()),
        ("様式", Some(doc.meta.form.as_str())),
    ];
    let mut row = 3u32;
    for (label, value) in meta {
        ws.write_string_with_format(row, ID, label, &st.label)?;
        widths.see(ID, label);
        let value = value.unwrap_or("");
        ws.write_string_with_format(row, TEXT, value, &text_format(value, &st.value))?;
        row += 1;
    }
    row += 1;
    let header_row = row;
    for (c, h) in HEADERS.iter().enumerate() {
        ws.write_string_with_format(row, c as u16, *h, &st.header)?;
        widths.see(c as u16, h);
    }
    ws.set_freeze_panes(header_row + 1, 0)?;
    ws.autofilter(header_row, ID, header_row, LAST)?;
    ws.set_repeat_rows(header_row, header_row)?;
    row += 1;

    let by_id: std::collections::HashMap<&str, &DocAnswer> =
        doc.answers.iter().filter(|a| fits_main(a, form)).map(|a| (a.id.as_str(), a)).collect();
    // widths first (row heights depend on them), then the rows
    for q in form.questions() {
        widths.see(ID, &q.id);
        widths.see(TEXT, &q.text);
        if let Some(a) = by_id.get(q.id.as_str()) {
            widths.see(REMARKS, &citations(&a.remarks));
            if let Some(n) = &a.note {
                widths.see(NOTE, n);
            }
        }
    }
    let text_w = widths.of(TEXT, &caps);
    let note_w = widths.of(NOTE, &caps);
    let mut section: Option<&str> = None;
    // Answer cells by the words their drop-down offers; rows by the gates
    // (該当/非該当 questions above them) that close them.
    let mut rows_of: Vec<(Kind, Vec<u32>)> = Vec::new();
    let mut row_of = vec![0u32; form.len()];
    let mut gated: Vec<(Vec<usize>, Vec<u32>)> = Vec::new();
    for (i, q) in form.questions().iter().enumerate() {
        if section != Some(q.section.as_str()) {
            ws.merge_range(row, ID, row, LAST, &q.section, &text_format(&q.section, &st.section))?;
            section = Some(&q.section);
            row += 1;
        }
        row_of[i] = row;
        let a = by_id.get(q.id.as_str());
        ws.write_string_with_format(row, ID, &q.id, &text_format(&q.id, &st.id))?;
        ws.write_string_with_format(row, TEXT, &q.text, &text_format(&q.text, &st.text))?;
        let word = a.and_then(|a| a.known()).filter(|w| q.kind.allows(*w)).map_or("", |w| w.as_str());
        ws.write_string_with_format(row, ANSWER, word, &st.mark)?;
        match rows_of.iter_mut().find(|(k, _)| *k == q.kind) {
            Some((_, rows)) => rows.push(row),
            None => rows_of.push((q.kind, vec![row])),
        }
        let gates: Vec<usize> =
            form.ancestors(i).filter(|&g| form.questions()[g].kind == Kind::Applicability).collect();
        if !gates.is_empty() {
            match gated.iter_mut().find(|(g, _)| *g == gates) {
                Some((_, rows)) => rows.push(row),
                None => gated.push((gates, vec![row])),
            }
        }
        let (cites, note) = a.map_or((String::new(), ""), |a| (citations(&a.remarks), a.note.as_deref().unwrap_or("")));
        ws.write_string_with_format(row, REMARKS, &cites, &st.number)?;
        ws.write_string_with_format(row, NOTE, note, &text_format(note, &st.text))?;
        let lines = lines_in(&q.text, text_w).max(lines_in(note, note_w));
        if lines > 1 {
            ws.set_row_height(row, LINE_HEIGHT * lines as f64)?;
        }
        row += 1;
    }
    let cells = |rows: &[u32]| rows.iter().map(|r| row_col_to_cell(*r, ANSWER)).collect::<Vec<_>>().join(" ");
    for (kind, rows) in &rows_of {
        let words: Vec<&str> = kind.choices().iter().map(|a| a.as_str()).collect();
        let dv = DataValidation::new()
            .allow_list_strings(&words)?
            .ignore_blank(true)
            .set_error_style(DataValidationErrorStyle::Stop)
            .set_error_title("回答")?
            .set_error_message(format!("{} のいずれかを選んでください", words.join("・")))?
            .set_multi_range(cells(rows));
        ws.add_data_validation(rows[0], ANSWER, rows[0], ANSWER, &dv)?;
    }
    // Greying first, and it stops there: a closed row's empty answer is
    // not one to fill in.
    for (gates, rows) in &gated {
        let closed: Vec<String> =
            gates.iter().map(|g| format!("{}=\"非該当\"", row_col_to_cell_absolute(row_of[*g], ANSWER))).collect();
        let rule = if closed.len() == 1 { format!("={}", closed[0]) } else { format!("=OR({})", closed.join(",")) };
        let ranges: Vec<String> =
            rows.iter().map(|r| format!("{}:{}", row_col_to_cell(*r, ID), row_col_to_cell(*r, LAST))).collect();
        let cf = ConditionalFormatFormula::new()
            .set_rule(rule.as_str())
            .set_format(&st.closed)
            .set_stop_if_true(true)
            .set_multi_range(ranges.join(" "));
        ws.add_conditional_format(rows[0], ID, rows[0], LAST, &cf)?;
    }
    if let Some(&first) = row_of.first() {
        let cf = ConditionalFormatBlank::new().set_format(&st.blank).set_multi_range(cells(&row_of));
        ws.add_conditional_format(first, ANSWER, first, ANSWER, &cf)?;
    }
    widths.apply(ws, &caps)?;
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    Ok(())
}

fn remarks_sheet(ws: &mut Worksheet, doc: &SheetDoc, st: &Styles) -> Result<(), XlsxError> {
    ws.set_name("備考記載欄")?;
    let mut widths = Widths(vec![0; 2]);
    let caps = [(1, REMARK_TEXT_MAX)];
    ws.write_string_with_format(0, 0, "番号", &st.header)?;
    ws.write_string_with_format(0, 1, "内容", &st.header)?;
    widths.see(0, "番号");
    for t in doc.remarks.values() {
        widths.see(1, t);
    }
    let w = widths.of(1, &caps);
    for (i, (n, t)) in doc.remarks.iter().enumerate() {
        let row = i as u32 + 1;
        ws.write_number_with_format(row, 0, *n as f64, &st.number)?;
        ws.write_string_with_format(row, 1, t, &text_format(t, &st.text))?;
        let lines = lines_in(t, w);
        if lines > 1 {
            ws.set_row_height(row, LINE_HEIGHT * lines as f64)?;
        }
    }
    ws.set_freeze_panes(1, 0)?;
    widths.apply(ws, &caps)?;
    Ok(())
}

fn review_sheet(ws: &mut Worksheet, odd: &[&DocAnswer], form: &Form, st: &Styles) -> Result<(), XlsxError> {
    ws.set_name(crate::import::xlsx::REVIEW_SHEET)?;
    let heads = ["項番", "質問", "回答", "備考", "注記"];
    let mut widths = Widths(vec![0; heads.len()]);
    let caps = [(1, TEXT_MAX), (4, NOTE_MAX)];
    let note = "フォームの選択肢にない回答、またはフォームにない設問です（kaiji lint で確認してください）";
    ws.merge_range(0, 0, 0, heads.len() as u16 - 1, note, &Format::new().set_bold())?;
    for (c, h) in heads.iter().enumerate() {
        ws.write_string_with_format(2, c as u16, *h, &st.header)?;
        widths.see(c as u16, h);
    }
    for (i, a) in odd.iter().enumerate() {
        let row = i as u32 + 3;
        let text = form.question(&a.id).map_or("", |q| q.text.as_str());
        let word = a.answer.as_ref().map_or("", AnswerValue::as_str);
        let cells = [a.id.as_str(), text, word, &citations(&a.remarks), a.note.as_deref().unwrap_or("")];
        for (c, v) in cells.iter().enumerate() {
            let format = if c == 1 || c == 4 { &st.text } else { &st.value };
            ws.write_string_with_format(row, c as u16, *v, &text_format(v, format))?;
            widths.see(c as u16, v);
        }
    }
    widths.apply(ws, &caps)?;
    Ok(())
}

fn citations(n: &[u32]) -> String {
    n.iter().map(u32::to_string).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_count_cjk_double_and_wrap_lines() {
        let mut w = Widths(vec![0; 2]);
        w.see(0, "ID");
        w.see(1, "医療情報");
        w.see(1, "short\nずっと長い二行目のテキスト");
        assert_eq!(w.0, [2, 26]);
        assert_eq!(w.of(1, &[(1, 10)]), 10);
        assert_eq!(lines_in("あいうえお", 4), 3);
        assert_eq!(lines_in("a\nb", 10), 2);
        assert_eq!(lines_in("", 10), 1);
    }

    /// The `s` (style) index of cell `cell` in a worksheet's XML.
    fn style_of(sheet_xml: &str, cell: &str) -> usize {
        let at = sheet_xml.find(&format!("<c r=\"{cell}\"")).unwrap_or_else(|| panic!("no cell {cell}"));
        let tag = &sheet_xml[at..at + sheet_xml[at..].find('>').unwrap()];
        let s = tag.split(" s=\"").nth(1).map_or("0", |r| r.split('"').next().unwrap());
        s.parse().unwrap()
    }

    /// Whether cell format `index` (of `cellXfs`) has Excel's quote prefix.
    fn quoted(styles_xml: &str, index: usize) -> bool {
        let xfs = styles_xml.split("<cellXfs").nth(1).unwrap().split("</cellXfs>").next().unwrap();
        let xf = xfs.split("<xf ").nth(index + 1).unwrap();
        xf.split('>').next().unwrap().contains("quotePrefix=\"1\"")
    }

    fn entry(bytes: &[u8], name: &str) -> String {
        use std::io::Read;
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut s = String::new();
        zip.by_name(name).unwrap().read_to_string(&mut s).unwrap();
        s
    }

    /// Vendor text that starts like a formula is written with the quote
    /// prefix (F2 + Enter would make `=HYPERLINK(...)` live otherwise), other
    /// text without; the values stay the text as written.
    #[test]
    fn formula_like_text_gets_the_quote_prefix() {
        let forms = crate::form::FormRegistry::builtin();
        let text = "[sheet]\nvendor = \"=HYPERLINK(\\\"http://evil.example/\\\",\\\"click\\\")\"\nservice = \"カルテ\"\n\
                    version = \"-1\"\n[answers]\n\"1\" = { answer = \"該当\", note = \"+SUM(1,2)\" }\n\
                    \"1.1\" = { answer = \"はい\", note = \"日次\" }\n[remarks]\n1 = \"@cmd\"\n2 = \"普通の備考\"\n";
        let sheet = crate::sheet::load_str("s.toml", text.into(), crate::sheet::SheetFormat::Toml, &forms).unwrap();
        let bytes = to_xlsx(&sheet.to_doc(), &sheet.form).unwrap();
        let (main, remarks, styles) = (
            entry(&bytes, "xl/worksheets/sheet1.xml"),
            entry(&bytes, "xl/worksheets/sheet2.xml"),
            entry(&bytes, "xl/styles.xml"),
        );
        // 作成日 on row 4, then vendor, service, version; the first section
        // heading and question 1 after the header row.
        for (cell, want) in [("B5", true), ("B6", false), ("B7", true)] {
            assert_eq!(quoted(&styles, style_of(&main, cell)), want, "{cell}");
        }
        assert!(quoted(&styles, style_of(&main, "E12")), "the note +SUM(1,2)");
        assert!(!quoted(&styles, style_of(&main, "E13")), "an ordinary note");
        assert!(quoted(&styles, style_of(&remarks, "B2")) && !quoted(&styles, style_of(&remarks, "B3")));

        use calamine::{Data, Reader};
        let mut wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        let range = wb.worksheet_range("開示書").unwrap();
        assert_eq!(range.get_value((4, 1)), Some(&Data::String(sheet.vendor().to_string())));
        assert_eq!(range.get_value((11, 4)), Some(&Data::String("+SUM(1,2)".into())));
        assert!(wb.worksheet_formula("開示書").unwrap().used_cells().next().is_none());
    }
}
