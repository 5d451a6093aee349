//! The vendor × policy matrix that the committee formats (html, xlsx,
//! markdown) show. The matrix needs every sheet before it can be drawn (its
//! columns, its tally and the sections of its filter come first), so it
//! keeps one compact [`Row`] per sheet — names, and per cell its status,
//! number of findings and sections — and writes the rest of each sheet (its
//! findings as [`FindingView`]s, run errors, `--explain` lines: the
//! drill-down) to a temporary file as the sheet arrives. The formats read
//! the drill-down back one sheet at a time ([`Matrix::details`]) while they
//! write the document, so memory grows by a few hundred bytes a sheet, not
//! by the sheet's findings.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{self, BufReader, BufWriter, Read, Seek, Write};
use std::marker::PhantomData;

use super::view::{self, CellStatus, Column, FindingView, Range};
use super::{PolicyInfo, Renderer, RunInfo, Severity, SheetReport, SheetStatus, Summary, WaiverNote};

/// What the lint column stands for.
pub const LINT_TITLE: &str = "記入内容の整合性（lint ルールほか）";

/// One sheet's cell, compactly: what the matrix shows of it (12 bytes).
#[derive(Debug, Clone, Copy)]
struct Cell {
    status: CellStatus,
    explain: bool,
    sections_len: u16,
    /// The sections of its findings: `Row::sections[from..from + len]`.
    sections_from: u32,
    findings: u32,
}

/// One sheet's row: what the matrix shows, without the drill-down.
#[derive(Debug, Clone)]
pub struct Row {
    pub path: String,
    pub vendor: String,
    pub service: String,
    pub version: String,
    pub created: String,
    pub status: SheetStatus,
    /// Whether the sheet could be read at all.
    pub readable: bool,
    /// SHA-256 of the sheet file as read (none when it could not be read).
    pub sha256: Option<String>,
    pub errors: usize,
    pub warnings: usize,
    pub waived: usize,
    /// By [`Matrix`]'s column number; `None` for a column the sheet never saw.
    cells: Vec<Option<Cell>>,
    /// The cells' sections, as [`Matrix`] numbers them, one run per cell.
    sections: Vec<u32>,
    /// Whether the sheet has run errors tied to no policy (shown in every
    /// errored cell), and the policies with errors of their own.
    general_errors: bool,
    error_policies: Vec<String>,
    /// Whether the drill-down holds anything: findings or run errors.
    pub has_details: bool,
    /// The import account, for a document imported in the run.
    pub import: Option<view::ImportSummary>,
    /// The vendor document the sheet was read from and its SHA-256 (its
    /// `[source]`), when it was imported.
    pub source: Option<(String, String)>,
}

impl Row {
    /// `vendor / service`, or the file name when the sheet names neither.
    pub fn title(&self) -> String {
        match (self.vendor.as_str(), self.service.as_str()) {
            ("", "") => self.path.clone(),
            (v, "") | ("", v) => v.to_string(),
            (v, s) => format!("{v} / {s}"),
        }
    }

    /// Whether run errors explain `column`'s cell.
    fn has_errors_in(&self, column: &Column) -> bool {
        self.general_errors
            || match column {
                Column::Policy(id) => self.error_policies.iter().any(|p| p == id),
                Column::Lint => false,
            }
    }
}

/// One sheet's drill-down, read back from the temporary file.
#[derive(Debug, Clone, Default)]
pub struct Detail {
    /// Findings per column, in report order.
    pub findings: BTreeMap<Column, Vec<FindingView>>,
    /// Run errors per column (`None`: not tied to a policy).
    pub run_errors: Vec<(Option<String>, String)>,
    /// `--explain`: what each policy read, as one line, by policy id.
    pub explain: BTreeMap<String, String>,
}

impl Detail {
    fn new(run: &RunInfo, report: &SheetReport, columns: &[Column]) -> Detail {
        let loc = view::Locator::new(report);
        let mut findings = BTreeMap::new();
        for c in columns {
            let fs: Vec<FindingView> = view::column_findings(report, c).map(|f| FindingView::new(&loc, f)).collect();
            if !fs.is_empty() {
                findings.insert(c.clone(), fs);
            }
        }
        let _ = run;
        Detail {
            findings,
            run_errors: report.errors.iter().map(|e| (e.policy.clone(), e.message.clone())).collect(),
            explain: report.explain.iter().map(|(id, reads)| (id.clone(), super::explain_line(reads))).collect(),
        }
    }

    /// `--explain`: what the policy of `column` read on this sheet.
    pub fn explain_in(&self, column: &Column) -> Option<&str> {
        match column {
            Column::Policy(id) => self.explain.get(id).map(String::as_str),
            Column::Lint => None,
        }
    }

    pub fn findings_in(&self, column: &Column) -> &[FindingView] {
        self.findings.get(column).map_or(&[], Vec::as_slice)
    }

    /// Run errors that explain `column`'s cell.
    pub fn errors_in<'a>(&'a self, column: &'a Column) -> impl Iterator<Item = &'a str> {
        self.run_errors
            .iter()
            .filter(move |(p, _)| match (column, p) {
                (_, None) => true,
                (Column::Policy(id), Some(p)) => id == p,
                (Column::Lint, Some(_)) => false,
            })
            .map(|(_, m)| m.as_str())
    }
}

/// Rows in path order, and the run they belong to.
#[derive(Debug, Default)]
pub struct Matrix {
    pub rows: Vec<Row>,
    run: RunInfo,
    /// Every column some sheet had, numbered as first met.
    columns: Vec<Column>,
    column_ids: HashMap<Column, u32>,
    /// Every section some finding is in, numbered as first met, with the
    /// first form position it was met at.
    sections: Vec<(String, usize)>,
    section_ids: HashMap<String, u32>,
    /// The drill-down of each row, in row order.
    spool: Option<BufWriter<std::fs::File>>,
}

impl Matrix {
    pub fn begin(&mut self, run: &RunInfo) {
        self.run = run.clone();
    }

    /// The run the matrix shows, as the renderers were told it.
    pub fn run(&self) -> &RunInfo {
        &self.run
    }

    /// Which command the run is (`check`, `lint`).
    pub fn command(&self) -> crate::outcome::RunCommand {
        self.run.command
    }

    fn column_id(&mut self, c: &Column) -> u32 {
        if let Some(&id) = self.column_ids.get(c) {
            return id;
        }
        let id = self.columns.len() as u32;
        self.columns.push(c.clone());
        self.column_ids.insert(c.clone(), id);
        id
    }

    fn section_id(&mut self, name: &str, order: Option<usize>) -> u32 {
        let order = order.unwrap_or(usize::MAX);
        if let Some(&id) = self.section_ids.get(name) {
            let at = &mut self.sections[id as usize].1;
            *at = (*at).min(order);
            return id;
        }
        let id = self.sections.len() as u32;
        self.sections.push((name.to_string(), order));
        self.section_ids.insert(name.to_string(), id);
        id
    }

    /// Add a sheet: its row stays, its drill-down goes to the temporary file.
    pub fn add(&mut self, report: &SheetReport) -> io::Result<()> {
        let ids = view::policy_ids(&self.run, report);
        let columns = view::sheet_columns(&self.run, report, &ids);
        let detail = Detail::new(&self.run, report, &columns);
        let mut cells: Vec<Option<Cell>> = Vec::new();
        let mut all_sections: Vec<u32> = Vec::new();
        for c in &columns {
            let id = self.column_id(c) as usize;
            let findings = detail.findings_in(c);
            let mut sections: Vec<u32> = findings
                .iter()
                .filter_map(|f| f.section.as_deref().map(|s| (s, f.order)))
                .map(|(s, o)| self.section_id(s, o))
                .collect();
            sections.sort_unstable();
            sections.dedup();
            if cells.len() <= id {
                cells.resize(id + 1, None);
            }
            // a cell's findings are in a few of the form's sections: a
            // form with more than 65,535 shows the first that many
            let len = u16::try_from(sections.len()).unwrap_or(u16::MAX);
            let from = u32::try_from(all_sections.len()).unwrap_or(u32::MAX);
            all_sections.extend(sections.iter().take(usize::from(len)));
            cells[id] = Some(Cell {
                status: view::cell_status(report, c),
                explain: detail.explain_in(c).is_some(),
                sections_len: len,
                sections_from: from,
                findings: u32::try_from(findings.len()).unwrap_or(u32::MAX),
            });
        }
        cells.shrink_to_fit();
        all_sections.shrink_to_fit();
        let sheet = report.sheet.as_deref();
        let mut error_policies: Vec<String> = report.errors.iter().filter_map(|e| e.policy.clone()).collect();
        error_policies.sort();
        error_policies.dedup();
        self.rows.push(Row {
            path: report.path.clone(),
            vendor: report.vendor().to_string(),
            service: report.service().to_string(),
            version: sheet.map(|s| s.version().to_string()).unwrap_or_default(),
            created: sheet.and_then(|s| s.created()).map(|d| d.to_string()).unwrap_or_default(),
            status: report.status,
            readable: sheet.is_some(),
            sha256: report.sha256().map(str::to_string),
            errors: report.count(Severity::Error),
            warnings: report.count(Severity::Warning),
            waived: report.findings.iter().filter(|f| !f.is_active()).count(),
            cells,
            sections: all_sections,
            general_errors: report.errors.iter().any(|e| e.policy.is_none()),
            error_policies,
            has_details: !detail.findings.is_empty() || !detail.run_errors.is_empty(),
            import: view::ImportSummary::of(report),
            source: view::source_document(report),
        });
        let spool = match &mut self.spool {
            Some(s) => s,
            None => self.spool.insert(BufWriter::new(tempfile::tempfile()?)),
        };
        let mut bytes = Vec::new();
        encode_detail(&detail, &mut bytes);
        spool.write_all(&(bytes.len() as u64).to_le_bytes())?;
        spool.write_all(&bytes)
    }

    fn cell_of<'r>(&self, row: &'r Row, column: &Column) -> Option<&'r Cell> {
        let id = *self.column_ids.get(column)?;
        row.cells.get(id as usize)?.as_ref()
    }

    /// The cell of `row` in `column`; a column the sheet never saw is an
    /// error for an unreadable sheet and not applicable otherwise.
    pub fn cell(&self, row: &Row, column: &Column) -> CellStatus {
        match self.cell_of(row, column) {
            Some(c) => c.status,
            None if !row.readable => CellStatus::Error,
            None => CellStatus::Skip,
        }
    }

    /// How many findings the cell has.
    pub fn findings(&self, row: &Row, column: &Column) -> usize {
        self.cell_of(row, column).map_or(0, |c| c.findings as usize)
    }

    /// Whether the cell has anything to drill down to: findings, run errors
    /// that explain an error, or what its policy read (`--explain`).
    pub fn has_detail(&self, row: &Row, column: &Column) -> bool {
        let cell = self.cell_of(row, column);
        cell.is_some_and(|c| c.findings > 0 || c.explain)
            || (self.cell(row, column) == CellStatus::Error && row.has_errors_in(column))
    }

    /// The sections of the cell's findings, by their place in
    /// [`Matrix::sections`] (`places` is [`Matrix::section_places`]).
    pub fn cell_sections(&self, row: &Row, column: &Column, places: &[usize]) -> Vec<usize> {
        let mut out: Vec<usize> = self
            .cell_of(row, column)
            .and_then(|c| {
                let from = c.sections_from as usize;
                row.sections.get(from..from + usize::from(c.sections_len))
            })
            .map(|s| s.iter().filter_map(|&s| places.get(s as usize).copied()).collect())
            .unwrap_or_default();
        out.sort_unstable();
        out
    }

    /// Policy columns by id (every policy of the run and any outcome seen),
    /// then lint (when it ran, or some sheet has findings of no policy).
    pub fn columns(&self) -> Vec<Column> {
        let mut ids: BTreeSet<&str> = self.run.policies.iter().map(|p| p.id.as_str()).collect();
        ids.extend(self.columns.iter().filter_map(|c| match c {
            Column::Policy(id) => Some(id.as_str()),
            Column::Lint => None,
        }));
        let mut cols: Vec<Column> = ids.into_iter().map(|id| Column::Policy(id.to_string())).collect();
        if self.run.lint() || self.column_ids.contains_key(&Column::Lint) {
            cols.push(Column::Lint);
        }
        cols
    }

    /// What the run rested on, file by file: the run's provenance lines,
    /// then every sheet read with its digest.
    pub fn provenance(&self) -> Vec<(String, String)> {
        let mut out = self.run.provenance.lines();
        for r in &self.rows {
            if let Some(h) = &r.sha256 {
                out.push((format!("sheet {}", r.path), h.clone()));
            }
        }
        out
    }

    pub fn policy(&self, id: &str) -> Option<&PolicyInfo> {
        self.run.policies.iter().find(|p| p.id == id)
    }

    /// The heading of a column: the policy's title, or what lint is.
    pub fn column_title(&self, column: &Column) -> String {
        match column {
            Column::Policy(id) => self.policy(id).map(|p| p.title.clone()).unwrap_or_default(),
            Column::Lint => LINT_TITLE.to_string(),
        }
    }

    /// For each section number, its place in [`Matrix::sections`].
    pub fn section_places(&self) -> Vec<usize> {
        let mut by: Vec<usize> = (0..self.sections.len()).collect();
        by.sort_by(|&a, &b| {
            let (sa, oa) = &self.sections[a];
            let (sb, ob) = &self.sections[b];
            (oa, sa).cmp(&(ob, sb))
        });
        let mut place = vec![0; by.len()];
        for (i, s) in by.into_iter().enumerate() {
            place[s] = i;
        }
        place
    }

    /// Sections of the form that findings in this matrix concern, in form
    /// order.
    pub fn sections(&self) -> Vec<String> {
        let order = self.section_places();
        let mut out = vec![String::new(); order.len()];
        for (s, &at) in order.iter().enumerate() {
            out[at] = self.sections[s].0.clone();
        }
        out
    }

    /// How many cells of the matrix have each status.
    pub fn tally(&self) -> BTreeMap<CellStatus, usize> {
        let cols = self.columns();
        let mut t = BTreeMap::new();
        for r in &self.rows {
            for c in &cols {
                *t.entry(self.cell(r, c)).or_insert(0) += 1;
            }
        }
        t
    }

    /// The drill-down of every row, in row order, read back from the
    /// temporary file (once: it is handed over).
    pub fn details(&mut self) -> io::Result<Details> {
        let reader = match self.spool.take() {
            Some(w) => {
                let mut file = w.into_inner().map_err(io::IntoInnerError::into_error)?;
                file.rewind()?;
                Some(BufReader::new(file))
            }
            None => None,
        };
        Ok(Details { reader, left: self.rows.len() })
    }
}

/// The rows' drill-downs, one at a time (see [`Matrix::details`]).
pub struct Details {
    reader: Option<BufReader<std::fs::File>>,
    left: usize,
}

impl Iterator for Details {
    type Item = io::Result<Detail>;

    fn next(&mut self) -> Option<io::Result<Detail>> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let reader = self.reader.as_mut()?;
        let mut read = || -> io::Result<Detail> {
            let mut len = [0u8; 8];
            reader.read_exact(&mut len)?;
            let mut bytes = vec![0u8; u64::from_le_bytes(len) as usize];
            reader.read_exact(&mut bytes)?;
            decode_detail(&bytes).ok_or_else(|| io::Error::other("the report's temporary file is damaged"))
        };
        Some(read())
    }
}

// The drill-down's encoding in the temporary file: lengths and strings,
// little-endian, in field order. Only this module writes and reads it.

fn put_u64(out: &mut Vec<u8>, n: u64) {
    out.extend_from_slice(&n.to_le_bytes());
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    put_u64(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

fn put_opt_str(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => {
            out.push(1);
            put_str(out, s);
        }
        None => out.push(0),
    }
}

fn put_range(out: &mut Vec<u8>, r: &Range) {
    for n in [r.line, r.column, r.end_line, r.end_column] {
        put_u64(out, n as u64);
    }
}

fn put_column(out: &mut Vec<u8>, c: &Column) {
    match c {
        Column::Policy(id) => {
            out.push(0);
            put_str(out, id);
        }
        Column::Lint => out.push(1),
    }
}

fn put_finding(out: &mut Vec<u8>, f: &FindingView) {
    put_str(out, &f.rule);
    out.push(match f.severity {
        Severity::Error => 0,
        Severity::Warning => 1,
    });
    put_opt_str(out, f.question.as_deref());
    match f.order {
        Some(o) => {
            out.push(1);
            put_u64(out, o as u64);
        }
        None => out.push(0),
    }
    put_opt_str(out, f.question_text.as_deref());
    put_opt_str(out, f.section.as_deref());
    put_opt_str(out, f.answer.as_deref());
    put_u64(out, f.remarks.len() as u64);
    for r in &f.remarks {
        put_str(out, r);
    }
    put_str(out, &f.message);
    put_opt_str(out, f.help.as_deref());
    match &f.range {
        Some(r) => {
            out.push(1);
            put_range(out, r);
        }
        None => out.push(0),
    }
    match &f.policy_site {
        Some((p, r)) => {
            out.push(1);
            put_str(out, p);
            put_range(out, r);
        }
        None => out.push(0),
    }
    match &f.waived {
        Some(w) => {
            out.push(1);
            put_str(out, &w.reason);
            put_opt_str(out, w.approver.as_deref());
            put_str(out, &w.expires);
        }
        None => out.push(0),
    }
    put_opt_str(out, f.read_at.as_deref());
    out.push(u8::from(f.changed_since_import));
}

fn encode_detail(d: &Detail, out: &mut Vec<u8>) {
    put_u64(out, d.findings.len() as u64);
    for (c, fs) in &d.findings {
        put_column(out, c);
        put_u64(out, fs.len() as u64);
        for f in fs {
            put_finding(out, f);
        }
    }
    put_u64(out, d.run_errors.len() as u64);
    for (p, m) in &d.run_errors {
        put_opt_str(out, p.as_deref());
        put_str(out, m);
    }
    put_u64(out, d.explain.len() as u64);
    for (id, line) in &d.explain {
        put_str(out, id);
        put_str(out, line);
    }
}

/// Reads what the `put_` functions wrote.
struct Take<'a>(&'a [u8]);

impl Take<'_> {
    fn bytes(&mut self, n: usize) -> Option<&[u8]> {
        let (head, rest) = self.0.split_at_checked(n)?;
        self.0 = rest;
        Some(head)
    }

    fn u8(&mut self) -> Option<u8> {
        Some(self.bytes(1)?[0])
    }

    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.bytes(8)?.try_into().ok()?))
    }

    fn usize(&mut self) -> Option<usize> {
        usize::try_from(self.u64()?).ok()
    }

    fn string(&mut self) -> Option<String> {
        let n = self.usize()?;
        String::from_utf8(self.bytes(n)?.to_vec()).ok()
    }

    fn opt<T>(&mut self, f: impl FnOnce(&mut Self) -> Option<T>) -> Option<Option<T>> {
        match self.u8()? {
            0 => Some(None),
            _ => f(self).map(Some),
        }
    }

    fn range(&mut self) -> Option<Range> {
        Some(Range { line: self.usize()?, column: self.usize()?, end_line: self.usize()?, end_column: self.usize()? })
    }

    fn column(&mut self) -> Option<Column> {
        match self.u8()? {
            0 => Some(Column::Policy(self.string()?)),
            _ => Some(Column::Lint),
        }
    }

    fn finding(&mut self) -> Option<FindingView> {
        Some(FindingView {
            rule: self.string()?,
            severity: if self.u8()? == 0 { Severity::Error } else { Severity::Warning },
            question: self.opt(Self::string)?,
            order: self.opt(Self::usize)?,
            question_text: self.opt(Self::string)?,
            section: self.opt(Self::string)?,
            answer: self.opt(Self::string)?,
            remarks: {
                let n = self.usize()?;
                (0..n).map(|_| self.string()).collect::<Option<Vec<_>>>()?
            },
            message: self.string()?,
            help: self.opt(Self::string)?,
            range: self.opt(Self::range)?,
            policy_site: self.opt(|t| Some((t.string()?, t.range()?)))?,
            waived: self.opt(|t| {
                Some(WaiverNote { reason: t.string()?, approver: t.opt(Self::string)?, expires: t.string()? })
            })?,
            read_at: self.opt(Self::string)?,
            changed_since_import: self.u8()? == 1,
        })
    }
}

fn decode_detail(bytes: &[u8]) -> Option<Detail> {
    let mut t = Take(bytes);
    let mut findings = BTreeMap::new();
    for _ in 0..t.usize()? {
        let c = t.column()?;
        let n = t.usize()?;
        let fs = (0..n).map(|_| t.finding()).collect::<Option<Vec<_>>>()?;
        findings.insert(c, fs);
    }
    let n = t.usize()?;
    let run_errors = (0..n).map(|_| Some((t.opt(Take::string)?, t.string()?))).collect::<Option<Vec<_>>>()?;
    let n = t.usize()?;
    let explain = (0..n).map(|_| Some((t.string()?, t.string()?))).collect::<Option<BTreeMap<_, _>>>()?;
    t.0.is_empty().then_some(Detail { findings, run_errors, explain })
}

/// A format drawn from the whole matrix once every sheet is in, written
/// straight to the output.
pub trait MatrixFormat {
    fn render(matrix: &mut Matrix, summary: &Summary, out: &mut dyn Write) -> io::Result<()>;
}

/// The renderer the matrix formats share: it collects one compact row per
/// sheet (the drill-down to a temporary file) and draws the document in
/// `finish`.
pub struct MatrixRenderer<'w, F> {
    out: Box<dyn Write + 'w>,
    matrix: Matrix,
    format: PhantomData<F>,
}

impl<'w, F: MatrixFormat> MatrixRenderer<'w, F> {
    pub fn new(out: Box<dyn Write + 'w>) -> Self {
        MatrixRenderer { out, matrix: Matrix::default(), format: PhantomData }
    }
}

impl<F: MatrixFormat> Renderer for MatrixRenderer<'_, F> {
    fn begin(&mut self, run: &RunInfo) -> io::Result<()> {
        self.matrix.begin(run);
        Ok(())
    }

    fn sheet(&mut self, report: &SheetReport) -> io::Result<()> {
        self.matrix.add(report)
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        // buffered: the formats write in many small pieces
        let mut out = BufWriter::new(&mut self.out);
        F::render(&mut self.matrix, summary, &mut out)?;
        out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_drill_down_reads_back_as_written() {
        let f = FindingView {
            rule: "H-AUTH-001".into(),
            severity: Severity::Warning,
            question: Some("17.1.d".into()),
            order: Some(42),
            question_text: Some("二要素認証".into()),
            section: Some("認証".into()),
            answer: Some("はい".into()),
            remarks: vec!["OTP".into(), "".into()],
            message: "m".into(),
            help: None,
            range: Some(Range { line: 3, column: 1, end_line: 3, end_column: 9 }),
            policy_site: Some(("p.rhai".into(), Range { line: 1, column: 2, end_line: 1, end_column: 5 })),
            waived: Some(WaiverNote { reason: "r".into(), approver: None, expires: "2026-01-01".into() }),
            read_at: Some("page 2".into()),
            changed_since_import: true,
        };
        let plain = FindingView {
            waived: None,
            range: None,
            policy_site: None,
            order: None,
            changed_since_import: false,
            ..f.clone()
        };
        let d = Detail {
            findings: BTreeMap::from([
                (Column::Policy("P".into()), vec![f, plain.clone()]),
                (Column::Lint, vec![plain]),
            ]),
            run_errors: vec![(None, "unreadable".into()), (Some("P".into()), "limit".into())],
            explain: BTreeMap::from([("P".into(), "read 17.1.d = はい".into())]),
        };
        let mut bytes = Vec::new();
        encode_detail(&d, &mut bytes);
        let back = decode_detail(&bytes).expect("reads back");
        assert_eq!(format!("{back:?}"), format!("{d:?}"));
        // a cut-off record is refused, not misread
        assert!(decode_detail(&bytes[..bytes.len() - 1]).is_none());
    }
}
