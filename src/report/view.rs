//! What the matrix and machine formats derive from the result model, in one
//! place so every format agrees: the columns of the vendor × policy matrix,
//! the status of each cell, where a finding sits in its file, and the
//! question, answer and 備考 it concerns.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::sync::Arc;

use unicode_width::UnicodeWidthStr;

use super::{Finding, Origin, PolicySite, PolicyStatus, RunInfo, Severity, SheetReport, WaiverNote};
use crate::text::LineIndex;

/// The status of one matrix cell (one sheet × one policy, or the sheet's
/// lint results). `Warn` is a pass that raised warnings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CellStatus {
    Pass,
    Warn,
    Fail,
    Waived,
    Error,
    Skip,
}

impl CellStatus {
    pub const ALL: [CellStatus; 6] =
        [CellStatus::Pass, CellStatus::Warn, CellStatus::Fail, CellStatus::Waived, CellStatus::Error, CellStatus::Skip];

    pub fn as_str(self) -> &'static str {
        match self {
            CellStatus::Pass => "pass",
            CellStatus::Warn => "warn",
            CellStatus::Fail => "fail",
            CellStatus::Waived => "waived",
            CellStatus::Error => "error",
            CellStatus::Skip => "skip",
        }
    }

    /// The word a committee reads in the matrix.
    pub fn label_ja(self) -> &'static str {
        match self {
            CellStatus::Pass => "適合",
            CellStatus::Warn => "警告",
            CellStatus::Fail => "不適合",
            CellStatus::Waived => "免除",
            CellStatus::Error => "評価不能",
            CellStatus::Skip => "対象外",
        }
    }

    /// A symbol that survives black-and-white printing.
    pub fn symbol(self) -> &'static str {
        match self {
            CellStatus::Pass => "✓",
            CellStatus::Warn => "!",
            CellStatus::Fail => "✗",
            CellStatus::Waived => "◇",
            CellStatus::Error => "?",
            CellStatus::Skip => "–",
        }
    }
}

/// A column of the matrix.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Column {
    Policy(String),
    /// The built-in lint rules (and any finding that is not a policy's).
    Lint,
}

impl Column {
    pub fn id(&self) -> &str {
        match self {
            Column::Policy(id) => id,
            Column::Lint => "lint",
        }
    }
}

/// The policy ids a run knows: from [`RunInfo`] and from a sheet's outcomes.
pub fn policy_ids<'a>(run: &'a RunInfo, report: &'a SheetReport) -> BTreeSet<&'a str> {
    run.policies.iter().map(|p| p.id.as_str()).chain(report.policies.iter().map(|p| p.id.as_str())).collect()
}

/// Whether a finding belongs to a policy (else it goes in the lint column:
/// lint rules' and the waiver check's).
pub fn is_policy_finding(f: &Finding) -> bool {
    f.origin == Origin::Policy
}

/// The matrix columns of one sheet: its policies by id, then lint when lint
/// ran or when the sheet has findings that are no policy's (such as a
/// waiver file's own warnings), so no finding is ever left out.
pub fn sheet_columns(run: &RunInfo, report: &SheetReport, policies: &BTreeSet<&str>) -> Vec<Column> {
    let mut columns: Vec<Column> = policies.iter().map(|id| Column::Policy(id.to_string())).collect();
    if run.lint() || report.findings.iter().any(|f| !is_policy_finding(f)) {
        columns.push(Column::Lint);
    }
    columns
}

/// The findings of `report` that belong to `column`, in report order.
pub fn column_findings<'r>(report: &'r SheetReport, column: &'r Column) -> impl Iterator<Item = &'r Finding> {
    report.findings.iter().filter(move |f| match column {
        Column::Policy(id) => is_policy_finding(f) && *f.rule == **id,
        Column::Lint => !is_policy_finding(f),
    })
}

/// The status of `column` for `report`.
pub fn cell_status(report: &SheetReport, column: &Column) -> CellStatus {
    match column {
        Column::Policy(id) => match report.policies.iter().find(|p| &p.id == id) {
            Some(p) => match p.status {
                PolicyStatus::Pass if p.warnings > 0 => CellStatus::Warn,
                PolicyStatus::Pass => {
                    // A pass may still carry warnings the outcome did not count.
                    findings_status(column_findings(report, column)).unwrap_or(CellStatus::Pass)
                }
                PolicyStatus::Fail => CellStatus::Fail,
                PolicyStatus::Error => CellStatus::Error,
                PolicyStatus::Waived => CellStatus::Waived,
                PolicyStatus::Skip => CellStatus::Skip,
            },
            None if report.sheet.is_none() || errors_of(report, Some(id)).next().is_some() => CellStatus::Error,
            None => CellStatus::Skip,
        },
        Column::Lint if report.sheet.is_none() => CellStatus::Error,
        Column::Lint => findings_status(column_findings(report, column)).unwrap_or(CellStatus::Pass),
    }
}

/// The status a set of findings gives a cell: the worst active one, else
/// waived when all were waived; `None` for no findings.
fn findings_status<'a>(findings: impl Iterator<Item = &'a Finding>) -> Option<CellStatus> {
    let mut any_waived = false;
    let mut worst: Option<Severity> = None;
    for f in findings {
        if f.is_active() {
            worst = worst.max(Some(f.severity));
        } else {
            any_waived = true;
        }
    }
    match worst {
        Some(Severity::Error) => Some(CellStatus::Fail),
        Some(Severity::Warning) => Some(CellStatus::Warn),
        None if any_waived => Some(CellStatus::Waived),
        None => None,
    }
}

/// Run errors of `report` attributed to `policy` (`None`: errors not tied to
/// a policy, such as an unreadable sheet).
pub fn errors_of<'r>(report: &'r SheetReport, policy: Option<&'r str>) -> impl Iterator<Item = &'r super::RunError> {
    report.errors.iter().filter(move |e| e.policy.as_deref() == policy)
}

/// A 1-based range in a file: columns are in characters, `end` is exclusive
/// (the column after the last character), as SARIF and GitHub expect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

impl Range {
    /// The range of `span` in `source`, scanning it: for one-off lookups.
    /// Renderers locate findings through a [`Locator`] instead.
    pub fn of(source: &str, span: crate::sheet::Span) -> Range {
        Range::with(span, |o| crate::text::line_col(source, o))
    }

    fn with(span: crate::sheet::Span, line_col: impl Fn(usize) -> (usize, usize)) -> Range {
        let (line, column) = line_col(span.start);
        let (end_line, end_column) = line_col(span.end);
        Range { line, column, end_line, end_column }
    }
}

/// Where one sheet's findings sit, in O(log lines + column) per lookup:
/// sheet spans through the sheet's own line index (built once per sheet),
/// policy spans through an index built the first time each policy text is
/// met. Scanning the text from its start for every finding made a sheet
/// with 40,000 findings take seconds per format.
pub struct Locator<'r> {
    pub report: &'r SheetReport,
    /// One entry per distinct policy text (by pointer): a run has few.
    policies: RefCell<Vec<(Arc<str>, Arc<LineIndex>)>>,
}

impl<'r> Locator<'r> {
    pub fn new(report: &'r SheetReport) -> Locator<'r> {
        Locator { report, policies: RefCell::new(Vec::new()) }
    }

    /// 1-based line and column of a byte offset in the sheet file, if the
    /// sheet was read from one (a document imported in the run has no lines
    /// of kaiji's sheet: its findings say where they were read instead).
    pub fn sheet_line_col(&self, offset: usize) -> Option<(usize, usize)> {
        self.report.sheet.as_ref().filter(|s| !s.imported).map(|s| s.line_col(offset))
    }

    pub fn sheet_range(&self, span: crate::sheet::Span) -> Option<Range> {
        let sheet = self.report.sheet.as_deref().filter(|s| !s.imported)?;
        Some(Range::with(span, |o| sheet.line_col(o)))
    }

    /// 1-based line and column of a byte offset in a policy file.
    pub fn policy_line_col(&self, source: &Arc<str>, offset: usize) -> (usize, usize) {
        self.policy_index(source).line_col(source, offset)
    }

    pub fn policy_range(&self, site: &PolicySite) -> Range {
        let index = self.policy_index(&site.source);
        Range::with(site.span, |o| index.line_col(&site.source, o))
    }

    fn policy_index(&self, source: &Arc<str>) -> Arc<LineIndex> {
        let mut known = self.policies.borrow_mut();
        if let Some((_, index)) = known.iter().find(|(s, _)| Arc::ptr_eq(s, source)) {
            return index.clone();
        }
        let index = Arc::new(LineIndex::new(source));
        known.push((source.clone(), index.clone()));
        index
    }
}

/// Everything a report shows about one finding, detached from the sheet so
/// renderers that hold results until the end keep only this.
#[derive(Debug, Clone)]
pub struct FindingView {
    pub rule: String,
    pub severity: Severity,
    pub question: Option<String>,
    /// Form-order index of the question.
    pub order: Option<usize>,
    /// The question's text in the form.
    pub question_text: Option<String>,
    pub section: Option<String>,
    /// The vendor's answer as written (a valid word, or the invalid text).
    pub answer: Option<String>,
    /// Texts of the 備考 the answer cites, then its inline note.
    pub remarks: Vec<String>,
    pub message: String,
    pub help: Option<String>,
    pub range: Option<Range>,
    /// The policy file and the place of the `fail`/`warn` call.
    pub policy_site: Option<(String, Range)>,
    pub waived: Option<WaiverNote>,
    /// Where the answer was read in the vendor's file (imported sheets).
    pub read_at: Option<String>,
    /// The answer is no longer the word read in the vendor's file (changed
    /// after the import, e.g. in the fill-in workbook).
    pub changed_since_import: bool,
}

impl FindingView {
    pub fn new(loc: &Locator<'_>, f: &Finding) -> FindingView {
        let sheet = loc.report.sheet.as_deref();
        let q = match (f.order, &f.question, sheet) {
            (Some(q), _, _) => Some(q),
            (None, Some(id), Some(s)) => s.form.index_of(id),
            _ => None,
        };
        let question = sheet.zip(q).and_then(|(s, q)| s.form.questions().get(q));
        let entry = sheet.zip(q).and_then(|(s, q)| s.entry_at(q));
        let answer = entry.and_then(|e| e.answer.as_ref()).map(|a| a.value.as_str().to_string());
        let remarks = sheet
            .zip(q)
            .map(|(s, q)| s.remark_texts_at(q).into_iter().map(str::to_string).collect())
            .unwrap_or_default();
        FindingView {
            rule: f.rule.to_string(),
            severity: f.severity,
            question: f.question.as_deref().map(str::to_string),
            order: q,
            question_text: question.map(|q| q.text.clone()),
            section: question.map(|q| q.section.clone()),
            answer,
            remarks,
            message: f.message.clone(),
            help: f.help.as_deref().map(str::to_string),
            range: f.span.and_then(|span| loc.sheet_range(span)),
            policy_site: f.policy_site.as_ref().map(|p| (p.path.to_string(), loc.policy_range(p))),
            waived: f.waived.as_deref().cloned(),
            read_at: f.read_at.clone(),
            changed_since_import: sheet.zip(q).is_some_and(|(s, q)| s.changed_since_import(q)),
        }
    }

    pub fn is_active(&self) -> bool {
        self.waived.is_none()
    }

    /// The status this finding gives its cell on its own.
    pub fn status(&self) -> CellStatus {
        match (&self.waived, self.severity) {
            (Some(_), _) => CellStatus::Waived,
            (None, Severity::Error) => CellStatus::Fail,
            (None, Severity::Warning) => CellStatus::Warn,
        }
    }

    /// `path:line:column`, or the path alone.
    pub fn place(&self, path: &str) -> String {
        match self.range {
            Some(r) => format!("{path}:{}:{}", r.line, r.column),
            None => path.to_string(),
        }
    }
}

/// Whether a spreadsheet would read `text` as a formula (or Excel trim it
/// into one): it starts with `=`, `+`, `-`, `@`, a tab or a CR.
pub fn formula_like(text: &str) -> bool {
    text.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// Text that spreadsheets would read as a formula (or that Excel trims into
/// one) gets a leading `'`, per OWASP's CSV-injection guidance.
pub fn inert(text: &str) -> std::borrow::Cow<'_, str> {
    if formula_like(text) { std::borrow::Cow::Owned(format!("'{text}")) } else { std::borrow::Cow::Borrowed(text) }
}

/// Display width in terminal/spreadsheet columns: CJK characters count 2.
pub fn width(text: &str) -> usize {
    text.lines().map(UnicodeWidthStr::width).max().unwrap_or(0)
}

/// A document's import account as the tabular formats show it (html,
/// xlsx, csv, markdown): the counts, and the whole account in one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportSummary {
    /// `pdf`, `workbook` or `text`.
    pub format: &'static str,
    pub questions: usize,
    pub recognised: usize,
    pub answered: usize,
    pub unanswered: usize,
    pub ambiguous: usize,
    /// Places hidden from a person, not read.
    pub hidden: usize,
    /// [`crate::import::DocumentImport::line`].
    pub line: String,
    /// Whether something in the account asks for a person's look.
    pub needs_a_look: bool,
}

impl ImportSummary {
    pub fn of(report: &SheetReport) -> Option<ImportSummary> {
        let d = report.import.as_deref()?;
        Some(ImportSummary {
            format: d.format.as_str(),
            questions: d.account.questions,
            recognised: d.account.recognised,
            answered: d.account.answered,
            unanswered: d.unanswered(),
            ambiguous: d.account.ambiguous.len(),
            hidden: d.account.hidden.len() + d.account.hidden_more,
            line: d.line(),
            needs_a_look: d.needs_a_look(),
        })
    }
}

/// The vendor document a sheet rests on: the document itself when it was
/// imported in the run, else the one its `[source]` names (a sheet imported
/// earlier, or a fill-in workbook carrying the vendor's PDF), with its
/// SHA-256.
pub fn source_document(report: &SheetReport) -> Option<(String, String)> {
    let sheet = report.sheet.as_deref()?;
    let s = sheet.source_file.as_ref()?;
    Some((s.file.clone(), s.sha256.clone()))
}

/// `vendor / service`, or whichever is present.
pub fn who(report: &SheetReport) -> String {
    match (report.vendor(), report.service()) {
        ("", "") => String::new(),
        (v, "") | ("", v) => v.to_string(),
        (v, s) => format!("{v} / {s}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inert_neutralises_formula_starts_only() {
        for bad in ["=HYPERLINK(\"x\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\r=1"] {
            assert_eq!(inert(bad), format!("'{bad}"));
        }
        for ok in ["TLS 1.2", "はい", "", "a=b", "'quoted"] {
            assert_eq!(inert(ok), ok);
        }
    }

    #[test]
    fn width_counts_cjk_double() {
        assert_eq!(width("abc"), 3);
        assert_eq!(width("二要素"), 6);
        assert_eq!(width("ab\n株式会社"), 8);
    }

    #[test]
    fn range_end_is_exclusive_in_chars() {
        let src = "a = \"はい\"\nb = 1";
        let start = src.find('"').unwrap();
        let end = src.rfind('"').unwrap() + 1;
        let r = Range::of(src, crate::sheet::Span::new(start, end));
        assert_eq!(r, Range { line: 1, column: 5, end_line: 1, end_column: 9 });
    }
}
