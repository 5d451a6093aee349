//! `-f xlsx`: the vendor × policy matrix as an Excel workbook, for
//! committees that live in Excel.
//!
//! - 「評価一覧」: one row per sheet, one column per policy and lint, cells
//!   coloured by status; a cell with findings links to its first row in
//!   「指摘事項」;
//! - 「指摘事項」: one row per finding (and per evaluation error): the
//!   question and its text, the vendor's answer and 備考, the message, the
//!   place in the file, the waiver;
//! - 「評価項目」: the policies (title, refs, file) and lint.
//!
//! Every text is written with `write_string` — never as a formula — and text
//! that starts like a formula gets Excel's quote prefix, so it stays text
//! even when someone edits the cell. Column widths come from unicode-width
//! (CJK counts 2). The document's creation date is fixed (or taken from
//! `SOURCE_DATE_EPOCH`), so the same results give the same bytes.
//!
//! The matrix and the findings are written in rust_xlsxwriter's constant
//! memory mode: each row goes to a temporary file once the next is begun
//! (strings inline, not in a shared table), so they are written strictly in
//! row order, the findings first (the matrix links to their rows), each
//! sheet's read back from the matrix's temporary file.

use std::io::{self, Write};

use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError,
};

use super::matrix::{Matrix, MatrixFormat};
use super::view::{self, CellStatus, Column, FindingView};
use super::{SheetStatus, Summary};

pub const MATRIX_SHEET: &str = "評価一覧";
pub const FINDINGS_SHEET: &str = "指摘事項";
pub const POLICIES_SHEET: &str = "評価項目";
/// The tab stating what the verdicts rest on (files by SHA-256).
pub const PROVENANCE_SHEET: &str = "根拠ファイル";

/// Excel's limit on the characters in one cell.
const MAX_CELL_CHARS: usize = 32_767;
/// Widest a column is made, in character columns.
const MAX_WIDTH: usize = 60;

pub const FINDINGS_HEADER: [&str; 21] = [
    "ファイル",
    "事業者",
    "サービス",
    "評価項目",
    "状態",
    "ルール",
    "重大度",
    "設問",
    "区分",
    "設問文",
    "回答",
    "備考",
    "行",
    "列",
    "指摘内容",
    "免除理由",
    "承認者",
    "免除期限",
    "読取箇所",
    "取込後の変更",
    "原本",
];

/// The import account's columns of the matrix, after the policies: the
/// document's format, its answered, unanswered and ambiguous questions, and
/// the whole account in one line (empty for a sheet file).
pub const IMPORT_HEADER: [&str; 5] = ["取込元", "回答済", "未回答", "曖昧", "取込の記録"];

pub struct Xlsx;

fn colors(status: CellStatus) -> (u32, u32) {
    match status {
        CellStatus::Pass => (0xE3F4E8, 0x17633A),
        CellStatus::Warn => (0xFFF4D6, 0x7A5200),
        CellStatus::Fail => (0xFDE2E1, 0xA3231C),
        CellStatus::Waived => (0xE6ECFB, 0x2F4A9A),
        CellStatus::Error => (0xF0E3F6, 0x6D2A86),
        CellStatus::Skip => (0xF1F2F4, 0x6B7280),
    }
}

fn status_format(status: CellStatus) -> Format {
    let (bg, fg) = colors(status);
    Format::new()
        .set_background_color(Color::RGB(bg))
        .set_font_color(Color::RGB(fg))
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_border(FormatBorder::Thin)
}

fn verdict_status(s: SheetStatus) -> CellStatus {
    match s {
        SheetStatus::Pass => CellStatus::Pass,
        SheetStatus::Fail => CellStatus::Fail,
        SheetStatus::Error => CellStatus::Error,
    }
}

/// The creation date written into the document properties.
fn creation_date() -> Result<ExcelDateTime, XlsxError> {
    match std::env::var("SOURCE_DATE_EPOCH").ok().and_then(|s| s.trim().parse::<i64>().ok()) {
        Some(secs) => ExcelDateTime::from_timestamp(secs),
        None => ExcelDateTime::from_ymd(2000, 1, 1),
    }
}

/// `format`, with Excel's quote prefix when `text` looks like a formula
/// ([`view::formula_like`]): written with `write_string` it is text, but
/// once someone edits the cell (F2, Enter) Excel would re-read it as a
/// formula; with the prefix it stays text. The cell's value is unchanged
/// (the prefix is formatting), so what reads the workbook back gets the
/// text as written. For every cell of vendor or catalog text, in the report
/// and in `kaiji export`'s fill-in workbook.
pub fn text_format<'f>(text: &str, format: &'f Format) -> std::borrow::Cow<'f, Format> {
    if view::formula_like(text) {
        std::borrow::Cow::Owned(format.clone().set_quote_prefix())
    } else {
        std::borrow::Cow::Borrowed(format)
    }
}

/// A worksheet writer that keeps column widths and neutralises text.
struct Sheet<'a> {
    ws: &'a mut Worksheet,
    widths: Vec<usize>,
    text: Format,
    quoted: Format,
}

impl<'a> Sheet<'a> {
    fn new(ws: &'a mut Worksheet, text: Format) -> Self {
        let quoted = text.clone().set_quote_prefix();
        Sheet { ws, widths: Vec::new(), text, quoted }
    }

    fn measure(&mut self, col: u16, text: &str) {
        let c = usize::from(col);
        if self.widths.len() <= c {
            self.widths.resize(c + 1, 0);
        }
        self.widths[c] = self.widths[c].max(view::width(text).min(MAX_WIDTH));
    }

    /// Write vendor or report text as a string cell, in `format` (or the
    /// sheet's text format), quote-prefixed when it looks like a formula.
    fn string(&mut self, row: u32, col: u16, text: &str, format: Option<&Format>) -> Result<(), XlsxError> {
        // XML 1.0 cannot hold most C0 controls; bidi controls would
        // reorder the cell on screen: show them all as escapes.
        let text = crate::text::printable(text);
        let text: String = if text.chars().count() > MAX_CELL_CHARS {
            text.chars().take(MAX_CELL_CHARS - 1).chain(['…']).collect()
        } else {
            text.to_string()
        };
        self.measure(col, &text);
        let format = match format {
            Some(f) => text_format(&text, f),
            None if view::formula_like(&text) => std::borrow::Cow::Borrowed(&self.quoted),
            None => std::borrow::Cow::Borrowed(&self.text),
        };
        self.ws.write_string_with_format(row, col, text, &format)?;
        Ok(())
    }

    fn number(&mut self, row: u32, col: u16, n: usize) -> Result<(), XlsxError> {
        self.measure(col, &n.to_string());
        self.ws.write_number_with_format(row, col, n as f64, &self.text)?;
        Ok(())
    }

    /// Set widths from the measured text (CJK = 2 columns), with a margin.
    fn finish(self, min: usize) -> Result<(), XlsxError> {
        for (c, w) in self.widths.iter().enumerate() {
            self.ws.set_column_width(c as u16, (w.max(&min) + 2) as f64)?;
        }
        Ok(())
    }
}

impl Xlsx {
    fn build(m: &mut Matrix, summary: &Summary, out: &mut dyn Write) -> Result<(), XlsxError> {
        let columns = m.columns();
        let mut wb = Workbook::new();
        let title = format!("kaiji {} — 開示書評価一覧", m.command());
        wb.set_properties(
            &DocProperties::new()
                .set_title(&title)
                .set_author("kaiji")
                .set_comment(format!("{} sheet(s): {}", summary.sheets, summary.verdicts()))
                .set_creation_datetime(&creation_date()?),
        );
        let text = Format::new().set_align(FormatAlign::Top).set_text_wrap();
        let header = Format::new()
            .set_bold()
            .set_background_color(Color::RGB(0xF3F5F8))
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::Top)
            .set_text_wrap();

        // Tabs in reading order; the two that grow with the sheets are
        // written a row at a time, the findings first, as the matrix links
        // to their rows.
        wb.add_worksheet_with_constant_memory()?.set_name(MATRIX_SHEET)?;
        wb.add_worksheet_with_constant_memory()?.set_name(FINDINGS_SHEET)?;
        wb.add_worksheet().set_name(POLICIES_SHEET)?;
        wb.add_worksheet().set_name(PROVENANCE_SHEET)?;
        // The findings row each matrix cell links to, by (row, column).
        let mut first_row = vec![u32::MAX; m.rows.len() * columns.len()];
        {
            let details = m.details().map_err(XlsxError::IoError)?;
            let mut s = Sheet::new(wb.worksheet_from_name(FINDINGS_SHEET)?, text.clone());
            for (c, h) in FINDINGS_HEADER.iter().enumerate() {
                s.string(0, c as u16, h, Some(&header))?;
            }
            let mut row = 1u32;
            for (ri, (r, d)) in m.rows.iter().zip(details).enumerate() {
                let d = d.map_err(XlsxError::IoError)?;
                let base = |s: &mut Sheet, row: u32, check: &str, st: CellStatus| -> Result<(), XlsxError> {
                    s.string(row, 0, &r.path, None)?;
                    s.string(row, 1, &r.vendor, None)?;
                    s.string(row, 2, &r.service, None)?;
                    s.string(row, 3, check, None)?;
                    s.string(row, 4, &format!("{} {}", st.symbol(), st.label_ja()), Some(&status_format(st)))
                };
                // Errors about the whole sheet once; every errored cell links to them.
                let general_row = row;
                for (_, e) in d.run_errors.iter().filter(|(p, _)| p.is_none()) {
                    base(&mut s, row, "", CellStatus::Error)?;
                    s.string(row, 14, e, None)?;
                    row += 1;
                }
                let has_general = row > general_row;
                for (ci, c) in columns.iter().enumerate() {
                    let status = m.cell(r, c);
                    let own_errors = d.run_errors.iter().filter(|(p, _)| p.as_deref() == Some(c.id()));
                    let start = row;
                    for (_, e) in own_errors {
                        base(&mut s, row, c.id(), CellStatus::Error)?;
                        s.string(row, 14, e, None)?;
                        row += 1;
                    }
                    for f in d.findings_in(c) {
                        base(&mut s, row, c.id(), f.status())?;
                        finding_cells(&mut s, row, f)?;
                        if let Some((file, _)) = &r.source {
                            s.string(row, 20, file, None)?;
                        }
                        row += 1;
                    }
                    if row > start {
                        first_row[ri * columns.len() + ci] = start;
                    } else if status == CellStatus::Error && has_general {
                        first_row[ri * columns.len() + ci] = general_row;
                    }
                }
            }
            let last = row.saturating_sub(1).max(1);
            s.ws.set_freeze_panes(1, 0)?;
            s.ws.autofilter(0, 0, last, FINDINGS_HEADER.len() as u16 - 1)?;
            s.finish(4)?;
        }

        {
            let mut s = Sheet::new(wb.worksheet_from_name(MATRIX_SHEET)?, text.clone());
            let fixed = ["事業者", "サービス", "ファイル", "判定"];
            // row by row: the headings, then the titles under them
            for (c, h) in fixed.iter().enumerate() {
                s.string(0, c as u16, h, Some(&header))?;
            }
            for (ci, c) in columns.iter().enumerate() {
                let col = (fixed.len() + ci) as u16;
                s.string(0, col, c.id(), Some(&header))?;
            }
            let import_col = (fixed.len() + columns.len()) as u16;
            let documents = m.rows.iter().any(|r| r.import.is_some());
            if documents {
                for (i, h) in IMPORT_HEADER.iter().enumerate() {
                    s.string(0, import_col + i as u16, h, Some(&header))?;
                }
            }
            for (c, _) in fixed.iter().enumerate() {
                s.ws.write_blank(1, c as u16, &header)?;
            }
            for (ci, c) in columns.iter().enumerate() {
                let col = (fixed.len() + ci) as u16;
                // Titles wrap under the id; keep them from widening the column.
                let title = crate::text::printable(&m.column_title(c)).into_owned();
                s.ws.write_string_with_format(1, col, title, &header.clone().set_font_size(9))?;
            }
            if documents {
                for i in 0..IMPORT_HEADER.len() {
                    s.ws.write_blank(1, import_col + i as u16, &header)?;
                }
            }
            // before row 2 is begun: in constant memory a row is final then
            s.ws.set_row_height(1, 48)?;
            for (ri, r) in m.rows.iter().enumerate() {
                let row = 2 + ri as u32;
                s.string(row, 0, &r.vendor, None)?;
                s.string(row, 1, &r.service, None)?;
                s.string(row, 2, &r.path, None)?;
                let v = verdict_status(r.status);
                s.string(row, 3, r.status.as_str(), Some(&status_format(v)))?;
                for (ci, c) in columns.iter().enumerate() {
                    let col = (fixed.len() + ci) as u16;
                    let status = m.cell(r, c);
                    let n = m.findings(r, c);
                    let label = if n > 0 {
                        format!("{} {} ({n})", status.symbol(), status.label_ja())
                    } else {
                        format!("{} {}", status.symbol(), status.label_ja())
                    };
                    s.measure(col, &label);
                    match first_row[ri * columns.len() + ci] {
                        u32::MAX => {
                            s.ws.write_string_with_format(row, col, label, &status_format(status))?;
                        }
                        // The cell a link shows, as `write_url_with_format`
                        // writes it; the link itself is added to the saved
                        // file (see `add_links`): rust_xlsxwriter keeps every
                        // link in memory, ~400 bytes each, 40 a sheet.
                        _ => {
                            let f = status_format(status).set_underline(rust_xlsxwriter::FormatUnderline::Single);
                            s.ws.write_string_with_format(row, col, label, &f)?;
                        }
                    }
                }
                if let Some(i) = &r.import {
                    s.string(row, import_col, i.format, None)?;
                    s.number(row, import_col + 1, i.answered)?;
                    s.number(row, import_col + 2, i.unanswered)?;
                    s.number(row, import_col + 3, i.ambiguous)?;
                    let look = (i.needs_a_look).then(|| status_format(CellStatus::Warn));
                    s.string(row, import_col + 4, &i.line, look.as_ref())?;
                }
            }
            s.ws.set_freeze_panes(2, 2)?;
            s.finish(10)?;
        }

        {
            let mut s = Sheet::new(wb.worksheet_from_name(POLICIES_SHEET)?, text.clone());
            for (c, h) in ["ID", "評価項目", "根拠", "ファイル"].iter().enumerate() {
                s.string(0, c as u16, h, Some(&header))?;
            }
            for (i, c) in columns.iter().enumerate() {
                let row = 1 + i as u32;
                s.string(row, 0, c.id(), None)?;
                s.string(row, 1, &m.column_title(c), None)?;
                if let Column::Policy(id) = c
                    && let Some(p) = m.policy(id)
                {
                    s.string(row, 2, &p.refs, None)?;
                    s.string(row, 3, &p.path, None)?;
                }
            }
            s.ws.set_freeze_panes(1, 0)?;
            s.finish(6)?;
        }

        {
            let mut s = Sheet::new(wb.worksheet_from_name(PROVENANCE_SHEET)?, text.clone());
            for (c, h) in ["ファイル (file)", "SHA-256"].iter().enumerate() {
                s.string(0, c as u16, h, Some(&header))?;
            }
            for (i, (what, value)) in m.provenance().iter().enumerate() {
                let row = 1 + i as u32;
                s.string(row, 0, what, None)?;
                s.string(row, 1, value, None)?;
            }
            s.ws.set_freeze_panes(1, 0)?;
            s.finish(2)?;
        }
        // rust_xlsxwriter writes only to a `Send` writer: a temporary file,
        // so the workbook is never whole in memory
        let mut file = tempfile::tempfile().map_err(XlsxError::IoError)?;
        wb.save_to_writer(&mut file)?;
        // the matrix is the first worksheet
        let links = |w: &mut dyn Write| -> io::Result<()> {
            for (ri, r) in m.rows.iter().enumerate() {
                for (ci, c) in columns.iter().enumerate() {
                    let target = first_row[ri * columns.len() + ci];
                    if target == u32::MAX {
                        continue;
                    }
                    let n = m.findings(r, c);
                    let status = m.cell(r, c);
                    let label = if n > 0 {
                        format!("{} {} ({n})", status.symbol(), status.label_ja())
                    } else {
                        format!("{} {}", status.symbol(), status.label_ja())
                    };
                    let cell = rust_xlsxwriter::utility::row_col_to_cell(2 + ri as u32, (4 + ci) as u16);
                    write!(
                        w,
                        "<hyperlink ref=\"{cell}\" location=\"'{FINDINGS_SHEET}'!A{}\" display=\"{}\"/>",
                        target + 1,
                        xml_escape(&label)
                    )?;
                }
            }
            Ok(())
        };
        let any = first_row.iter().any(|&t| t != u32::MAX);
        add_links(file, out, "xl/worksheets/sheet1.xml", any.then_some(&links)).map_err(XlsxError::IoError)
    }
}

/// Text in an XML attribute, as rust_xlsxwriter escapes it.
fn xml_escape(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains(['&', '<', '>', '"', '\n']) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' => out.push_str("&#xA;"),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Writes a worksheet's `<hyperlink>` elements.
type Links<'a> = dyn Fn(&mut dyn Write) -> io::Result<()> + 'a;

/// Copy the saved workbook to `out`, writing `links` (the `<hyperlink>`
/// elements) into worksheet `sheet` where rust_xlsxwriter would have:
/// after its data, before `<pageMargins`. Every other part is copied as it
/// is; that worksheet is read and compressed again a piece at a time.
fn add_links(mut xlsx: std::fs::File, out: &mut dyn Write, sheet: &str, links: Option<&Links<'_>>) -> io::Result<()> {
    use std::io::{Read, Seek};
    xlsx.rewind()?;
    let Some(links) = links else {
        io::copy(&mut xlsx, out)?;
        return Ok(());
    };
    let zip_err = |e: zip::result::ZipError| io::Error::other(e);
    let mut archive = zip::ZipArchive::new(io::BufReader::new(xlsx)).map_err(zip_err)?;
    let mut copy = zip::ZipWriter::new(io::BufWriter::new(tempfile::tempfile()?));
    for i in 0..archive.len() {
        let part = archive.by_index(i).map_err(zip_err)?;
        let name = part.name().map_err(zip_err)?.into_owned();
        if name != sheet {
            copy.raw_copy_file(part).map_err(zip_err)?;
            continue;
        }
        let mut options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .compression_level(Some(6));
        if let Some(t) = part.last_modified() {
            options = options.last_modified_time(t);
        }
        if let Some(mode) = part.unix_mode() {
            options = options.unix_permissions(mode);
        }
        copy.start_file(name, options).map_err(zip_err)?;
        // up to `<pageMargins`, found across the pieces it is read in
        const AT: &[u8] = b"<pageMargins";
        let mut part = part;
        let mut buf = vec![0u8; 64 << 10];
        let mut held: Vec<u8> = Vec::new();
        let mut inserted = false;
        loop {
            let n = part.read(&mut buf)?;
            if n == 0 {
                break;
            }
            if inserted {
                copy.write_all(&buf[..n])?;
                continue;
            }
            held.extend_from_slice(&buf[..n]);
            match memchr::memmem::find(&held, AT) {
                Some(at) => {
                    copy.write_all(&held[..at])?;
                    copy.write_all(b"<hyperlinks>")?;
                    links(&mut copy)?;
                    copy.write_all(b"</hyperlinks>")?;
                    copy.write_all(&held[at..])?;
                    held.clear();
                    inserted = true;
                }
                None => {
                    // keep what may be the start of the marker
                    let keep = held.len().saturating_sub(AT.len() - 1);
                    copy.write_all(&held[..keep])?;
                    held.drain(..keep);
                }
            }
        }
        copy.write_all(&held)?;
        if !inserted {
            return Err(io::Error::other(format!("{sheet} has no <pageMargins> to put its links before")));
        }
    }
    let mut file = copy.finish().map_err(zip_err)?.into_inner().map_err(io::IntoInnerError::into_error)?;
    file.rewind()?;
    io::copy(&mut file, out)?;
    Ok(())
}

fn finding_cells(s: &mut Sheet, row: u32, f: &FindingView) -> Result<(), XlsxError> {
    s.string(row, 5, &f.rule, None)?;
    s.string(row, 6, f.severity.as_str(), None)?;
    s.string(row, 7, f.question.as_deref().unwrap_or(""), None)?;
    s.string(row, 8, f.section.as_deref().unwrap_or(""), None)?;
    s.string(row, 9, f.question_text.as_deref().unwrap_or(""), None)?;
    s.string(row, 10, f.answer.as_deref().unwrap_or(""), None)?;
    s.string(row, 11, &f.remarks.join("\n"), None)?;
    if let Some(r) = f.range {
        s.number(row, 12, r.line)?;
        s.number(row, 13, r.column)?;
    }
    s.string(row, 14, &f.message, None)?;
    if let Some(w) = &f.waived {
        s.string(row, 15, &w.reason, None)?;
        s.string(row, 16, w.approver.as_deref().unwrap_or(""), None)?;
        s.string(row, 17, &w.expires, None)?;
    }
    if let Some(at) = &f.read_at {
        s.string(row, 18, at, None)?;
    }
    if f.changed_since_import {
        s.string(row, 19, "取込後に変更", Some(&status_format(CellStatus::Warn)))?;
    }
    Ok(())
}

impl MatrixFormat for Xlsx {
    fn render(matrix: &mut Matrix, summary: &Summary, out: &mut dyn Write) -> io::Result<()> {
        Xlsx::build(matrix, summary, out).map_err(|e| match e {
            XlsxError::IoError(e) => e,
            e => io::Error::other(e),
        })
    }
}
