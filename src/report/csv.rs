//! `-f csv`: one row per sheet × check × finding (a check with no findings
//! still gets its row, so every verdict is in the file), RFC 4180 quoting and
//! CRLF line ends, streamed sheet by sheet.
//!
//! Cells that a spreadsheet would take for a formula (`=`, `+`, `-`, `@`,
//! tab, CR first) are prefixed with `'`, per OWASP's CSV-injection guidance:
//! vendor text is data, never a formula.

use std::io::{self, Write};
use std::sync::Arc;

use super::view::{self, CellStatus, Column, FindingView};
use super::{Renderer, RunInfo, SheetEncoder, SheetReport, Summary};

pub const HEADER: [&str; 26] = [
    "path",
    "vendor",
    "service",
    "sheet_status",
    "check",
    "check_title",
    "status",
    "rule",
    "severity",
    "question",
    "section",
    "question_text",
    "answer",
    "remarks",
    "line",
    "column",
    "message",
    "waiver_reason",
    "waiver_approver",
    "waiver_expires",
    "read_at",
    "import_format",
    "import_recognised",
    "import_answered",
    "import_unanswered",
    "import_ambiguous",
];

/// Columns of a row.
const N: usize = HEADER.len();

pub struct Csv<'w> {
    out: Box<dyn Write + 'w>,
    sheets: Arc<CsvSheet>,
    bom: bool,
}

/// UTF-8 byte order mark: without it Japanese Excel reads a CSV as
/// Shift_JIS and shows mojibake.
const BOM: &[u8] = b"\xEF\xBB\xBF";

impl<'w> Csv<'w> {
    /// `bom`: start with a UTF-8 BOM (the default; `--no-bom` for tools
    /// that take the BOM for part of the first header).
    pub fn new(out: Box<dyn Write + 'w>, bom: bool) -> Self {
        Csv { out, sheets: Arc::new(CsvSheet { run: RunInfo::default() }), bom }
    }
}

/// One CSV record.
fn record(out: &mut Vec<u8>, cells: &[&str]) {
    let mut line = String::new();
    for (i, c) in cells.iter().enumerate() {
        if i > 0 {
            line.push(',');
        }
        field(&mut line, c);
    }
    line.push_str("\r\n");
    out.extend_from_slice(line.as_bytes());
}

/// Append one field, neutralised and quoted when needed. Control
/// characters are shown escaped (a CSV is also read with `cat`); line
/// breaks and tabs stay, quoted.
fn field(line: &mut String, text: &str) {
    let text = crate::text::printable(text);
    let text = view::inert(&text);
    if text.contains([',', '"', '\r', '\n']) {
        line.push('"');
        line.push_str(&text.replace('"', "\"\""));
        line.push('"');
    } else {
        line.push_str(&text);
    }
}

impl Renderer for Csv<'_> {
    fn begin(&mut self, run: &RunInfo) -> io::Result<()> {
        self.sheets = Arc::new(CsvSheet { run: run.clone() });
        let mut header = Vec::new();
        if self.bom {
            header.extend_from_slice(BOM);
        }
        record(&mut header, &HEADER);
        self.out.write_all(&header)
    }

    fn encoder(&self) -> Option<Arc<dyn SheetEncoder>> {
        Some(self.sheets.clone())
    }

    fn sheet_encoded(&mut self, encoded: &[u8]) -> io::Result<()> {
        self.out.write_all(encoded)
    }

    fn finish(&mut self, _summary: &Summary) -> io::Result<()> {
        self.out.flush()
    }
}

/// One sheet's rows; needs the run's policy list for the columns.
struct CsvSheet {
    run: RunInfo,
}

impl SheetEncoder for CsvSheet {
    fn encode(&self, r: &SheetReport, out: &mut Vec<u8>) -> io::Result<()> {
        let ids = view::policy_ids(&self.run, r);
        let sheet_status = r.status.as_str();
        let mut rows: Vec<[String; N]> = Vec::new();
        let import = view::ImportSummary::of(r);
        let base = |check: &str, title: &str, status: CellStatus| -> [String; N] {
            let mut row: [String; N] = std::array::from_fn(|_| String::new());
            if let Some(i) = &import {
                row[21] = i.format.to_string();
                row[22] = i.recognised.to_string();
                row[23] = i.answered.to_string();
                row[24] = i.unanswered.to_string();
                row[25] = i.ambiguous.to_string();
            }
            row[0] = r.path.clone();
            row[1] = r.vendor().to_string();
            row[2] = r.service().to_string();
            row[3] = sheet_status.to_string();
            row[4] = check.to_string();
            row[5] = title.to_string();
            row[6] = status.as_str().to_string();
            row
        };
        let with_finding = |mut row: [String; N], f: &FindingView| -> [String; N] {
            row[7] = f.rule.clone();
            row[8] = f.severity.as_str().to_string();
            row[9] = f.question.clone().unwrap_or_default();
            row[10] = f.section.clone().unwrap_or_default();
            row[11] = f.question_text.clone().unwrap_or_default();
            row[12] = f.answer.clone().unwrap_or_default();
            row[13] = f.remarks.join("\n");
            if let Some(range) = f.range {
                row[14] = range.line.to_string();
                row[15] = range.column.to_string();
            }
            row[16] = f.message.clone();
            if let Some(w) = &f.waived {
                row[17] = w.reason.clone();
                row[18] = w.approver.clone().unwrap_or_default();
                row[19] = w.expires.clone();
            }
            row[20] = f.read_at.clone().unwrap_or_default();
            row
        };
        let columns = view::sheet_columns(&self.run, r, &ids);
        let loc = view::Locator::new(r);
        for column in &columns {
            let status = view::cell_status(r, column);
            let title = match column {
                Column::Policy(id) => {
                    self.run.policies.iter().find(|p| &p.id == id).map(|p| p.title.as_str()).unwrap_or("")
                }
                Column::Lint => super::matrix::LINT_TITLE,
            };
            let before = rows.len();
            for f in view::column_findings(r, column) {
                rows.push(with_finding(base(column.id(), title, status), &FindingView::new(&loc, f)));
            }
            if let Column::Policy(id) = column {
                for e in view::errors_of(r, Some(id)) {
                    let mut row = base(column.id(), title, status);
                    row[16] = e.message.clone();
                    rows.push(row);
                }
            }
            if rows.len() == before && (r.sheet.is_some() || matches!(column, Column::Policy(_))) {
                rows.push(base(column.id(), title, status));
            }
        }
        for e in view::errors_of(r, None) {
            let mut row = base("", "", CellStatus::Error);
            if let Some(l) = &e.location {
                row[14] = l.line.to_string();
                row[15] = l.column.to_string();
            }
            row[16] = e.message.clone();
            rows.push(row);
        }
        for row in &rows {
            let cells: Vec<&str> = row.iter().map(String::as_str).collect();
            record(out, &cells);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> String {
        let mut s = String::new();
        field(&mut s, text);
        s
    }

    #[test]
    fn quotes_per_rfc4180() {
        assert_eq!(one("plain"), "plain");
        assert_eq!(one("a,b"), "\"a,b\"");
        assert_eq!(one("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(one("two\nlines"), "\"two\nlines\"");
        assert_eq!(one("株式会社テスト"), "株式会社テスト");
    }

    #[test]
    fn formulas_become_text() {
        assert_eq!(one("=HYPERLINK(\"http://x\",\"y\")"), "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
        assert_eq!(one("@cmd"), "'@cmd");
        assert_eq!(one("-1"), "'-1");
    }
}
