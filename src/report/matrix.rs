//! The vendor × policy matrix that the committee formats (html, xlsx,
//! markdown) show. The matrix needs every sheet before it can be drawn, so it
//! keeps a compact row per sheet — names, cell statuses and detached
//! [`FindingView`]s — never the sheets themselves.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};
use std::marker::PhantomData;

use super::view::{self, CellStatus, Column, FindingView};
use super::{PolicyInfo, Renderer, RunInfo, Severity, SheetReport, SheetStatus, Summary};

/// What the lint column stands for.
pub const LINT_TITLE: &str = "記入内容の整合性（lint ルールほか）";

/// One sheet's row.
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
    cells: BTreeMap<Column, CellStatus>,
    /// Findings per column, in report order.
    pub findings: BTreeMap<Column, Vec<FindingView>>,
    /// Run errors per column (`None`: not tied to a policy).
    pub run_errors: Vec<(Option<String>, String)>,
    /// `--explain`: what each policy read, as one line, by policy id.
    pub explain: BTreeMap<String, String>,
}

impl Row {
    pub fn new(run: &RunInfo, report: &SheetReport) -> Row {
        let ids = view::policy_ids(run, report);
        let columns = view::sheet_columns(run, report, &ids);
        let mut cells = BTreeMap::new();
        let mut findings = BTreeMap::new();
        let loc = view::Locator::new(report);
        for c in columns {
            cells.insert(c.clone(), view::cell_status(report, &c));
            let fs: Vec<FindingView> = view::column_findings(report, &c).map(|f| FindingView::new(&loc, f)).collect();
            if !fs.is_empty() {
                findings.insert(c, fs);
            }
        }
        let sheet = report.sheet.as_deref();
        Row {
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
            findings,
            run_errors: report.errors.iter().map(|e| (e.policy.clone(), e.message.clone())).collect(),
            explain: report.explain.iter().map(|(id, reads)| (id.clone(), super::explain_line(reads))).collect(),
        }
    }

    /// The cell in `column`; a column this sheet never saw is an error for
    /// an unreadable sheet and not applicable otherwise.
    pub fn cell(&self, column: &Column) -> CellStatus {
        match self.cells.get(column) {
            Some(s) => *s,
            None if !self.readable => CellStatus::Error,
            None => CellStatus::Skip,
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

    /// `vendor / service`, or the file name when the sheet names neither.
    pub fn title(&self) -> String {
        match (self.vendor.as_str(), self.service.as_str()) {
            ("", "") => self.path.clone(),
            (v, "") | ("", v) => v.to_string(),
            (v, s) => format!("{v} / {s}"),
        }
    }
}

/// Rows in path order, and the run they belong to.
#[derive(Debug, Default)]
pub struct Matrix {
    pub rows: Vec<Row>,
    run: RunInfo,
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

    pub fn add(&mut self, report: &SheetReport) {
        self.rows.push(Row::new(&self.run, report));
    }

    /// Policy columns by id (every policy of the run and any outcome seen),
    /// then lint (when it ran, or some sheet has findings of no policy).
    pub fn columns(&self) -> Vec<Column> {
        let mut ids: BTreeSet<&str> = self.run.policies.iter().map(|p| p.id.as_str()).collect();
        for r in &self.rows {
            ids.extend(r.cells.keys().filter_map(|c| match c {
                Column::Policy(id) => Some(id.as_str()),
                Column::Lint => None,
            }));
        }
        let mut cols: Vec<Column> = ids.into_iter().map(|id| Column::Policy(id.to_string())).collect();
        if self.run.lint() || self.rows.iter().any(|r| r.cells.contains_key(&Column::Lint)) {
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

    /// Sections of the form that findings in this matrix concern, in form
    /// order.
    pub fn sections(&self) -> Vec<String> {
        let mut first: BTreeMap<&str, usize> = BTreeMap::new();
        for f in self.rows.iter().flat_map(|r| r.findings.values().flatten()) {
            if let Some(s) = &f.section {
                let at = first.entry(s.as_str()).or_insert(usize::MAX);
                *at = (*at).min(f.order.unwrap_or(usize::MAX));
            }
        }
        let mut out: Vec<(&str, usize)> = first.into_iter().collect();
        out.sort_by_key(|&(s, o)| (o, s));
        out.into_iter().map(|(s, _)| s.to_string()).collect()
    }

    /// How many cells of the matrix have each status.
    pub fn tally(&self) -> BTreeMap<CellStatus, usize> {
        let cols = self.columns();
        let mut t = BTreeMap::new();
        for r in &self.rows {
            for c in &cols {
                *t.entry(r.cell(c)).or_insert(0) += 1;
            }
        }
        t
    }
}

/// A format drawn from the whole matrix once every sheet is in.
pub trait MatrixFormat {
    fn render(matrix: &Matrix, summary: &Summary) -> io::Result<Vec<u8>>;
}

/// The renderer the matrix formats share: it collects one compact row per
/// sheet and draws the document in `finish`.
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
        self.matrix.add(report);
        Ok(())
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        let bytes = F::render(&self.matrix, summary)?;
        self.out.write_all(&bytes)?;
        self.out.flush()
    }
}
