//! `-f human`: a verdict line per sheet, a miette report per finding that
//! underlines the answer in the sheet file (and the `fail(...)` call in the
//! policy, for policy findings), and a closing summary.

use std::fmt;
use std::io::{self, Write};
use std::sync::Arc;

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode};

use super::{Finding, Renderer, RunInfo, Severity, SheetEncoder, SheetReport, SheetStatus, Style, Summary};
use crate::sheet::Sheet;
use crate::text::IndexedText;

pub struct Human<'w> {
    out: Box<dyn Write + 'w>,
    sheets: Arc<HumanSheet>,
    command: &'static str,
}

impl<'w> Human<'w> {
    pub fn new(out: Box<dyn Write + 'w>, style: Style) -> Self {
        let theme = if style.color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
        let handler = GraphicalReportHandler::new_themed(theme).with_width(style.width).with_links(false);
        Human { out, sheets: Arc::new(HumanSheet { handler, style }), command: "check" }
    }
}

/// One sheet's verdict line and diagnostics.
struct HumanSheet {
    handler: GraphicalReportHandler,
    style: Style,
}

impl HumanSheet {
    fn render(&self, out: &mut Vec<u8>, diag: &dyn Diagnostic) -> io::Result<()> {
        let mut s = String::new();
        self.handler.render_report(&mut s, diag).map_err(io::Error::other)?;
        writeln!(out, "{}", s.trim_end())?;
        writeln!(out)
    }

    fn paint(&self, text: &str, code: &str) -> String {
        if self.style.color { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_string() }
    }
}

impl SheetEncoder for HumanSheet {
    fn encode(&self, r: &SheetReport, out: &mut Vec<u8>) -> io::Result<()> {
        let (mark, color) = match r.status {
            SheetStatus::Pass => ("PASS", "32"),
            SheetStatus::Fail => ("FAIL", "31"),
            SheetStatus::Error => ("ERROR", "35"),
        };
        let who = match (r.vendor(), r.service()) {
            ("", "") => String::new(),
            (v, "") | ("", v) => format!("  {v}"),
            (v, s) => format!("  {v} / {s}"),
        };
        let counts = format!(
            "{} error(s), {} warning(s){}",
            r.count(Severity::Error),
            r.count(Severity::Warning),
            match r.findings.iter().filter(|f| !f.is_active()).count() {
                0 => String::new(),
                n => format!(", {n} waived"),
            }
        );
        // An input that was never read has no counts to show: say why instead.
        let counts = match (&r.sheet, r.errors.first()) {
            (None, Some(e)) => {
                let first = e.message.lines().next().unwrap_or_default();
                let reason = first.strip_prefix(&format!("{}: ", r.path)).unwrap_or(first);
                // The gist; the whole message follows below the line.
                reason.split(" (").next().unwrap_or(reason).to_string()
            }
            _ => counts,
        };
        let verdict = self.paint(&format!("{mark:<5}"), color);
        writeln!(out, "{verdict} {}{who}  ({counts})", r.path)?;
        writeln!(out)?;
        for e in &r.errors {
            match &e.detail {
                Some(report) => self.render(out, report.as_ref().as_ref())?,
                None => {
                    writeln!(out, "  error: {}", e.message)?;
                    writeln!(out)?;
                }
            }
        }
        if let Some(sheet) = &r.sheet {
            for f in &r.findings {
                let diag = FindingDiagnostic::in_sheet(f, &r.path, sheet);
                self.render(out, &diag)?;
            }
        }
        Ok(())
    }
}

impl Renderer for Human<'_> {
    fn begin(&mut self, run: &RunInfo) -> io::Result<()> {
        self.command = run.command;
        Ok(())
    }

    fn encoder(&self) -> Option<Arc<dyn SheetEncoder>> {
        Some(self.sheets.clone())
    }

    fn sheet_encoded(&mut self, encoded: &[u8]) -> io::Result<()> {
        self.out.write_all(encoded)
    }

    fn finish(&mut self, s: &Summary) -> io::Result<()> {
        writeln!(self.out, "{}", s.line(self.command))?;
        self.out.flush()
    }
}

/// A finding as a miette diagnostic over the sheet file.
pub struct FindingDiagnostic<'a> {
    finding: &'a Finding,
    source: NamedSource<IndexedText>,
    policy: Option<PolicyDiagnostic>,
}

impl<'a> FindingDiagnostic<'a> {
    pub fn new(finding: &'a Finding, path: &str, source: std::sync::Arc<str>) -> Self {
        Self::with_text(finding, path, IndexedText::new(source))
    }

    /// A finding in a loaded sheet, reusing the sheet's line index so each
    /// diagnostic reads only the lines it shows.
    pub fn in_sheet(finding: &'a Finding, path: &str, sheet: &Sheet) -> Self {
        Self::with_text(finding, path, sheet.indexed_text())
    }

    fn with_text(finding: &'a Finding, path: &str, text: IndexedText) -> Self {
        let policy = finding.policy_site.as_ref().map(|site| PolicyDiagnostic {
            rule: finding.rule.clone(),
            source: NamedSource::new(site.path.clone(), site.source.clone()),
            span: site.span,
        });
        FindingDiagnostic { finding, source: NamedSource::new(path, text), policy }
    }
}

impl fmt::Debug for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FindingDiagnostic").field("rule", &self.finding.rule).finish()
    }
}

impl fmt::Display for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.finding.question {
            Some(q) => write!(f, "[{q}] {}", self.finding.message),
            None => f.write_str(&self.finding.message),
        }
    }
}

impl std::error::Error for FindingDiagnostic<'_> {}

impl Diagnostic for FindingDiagnostic<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(&self.finding.rule))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match (self.finding.severity, self.finding.is_active()) {
            (_, false) => miette::Severity::Advice,
            (Severity::Error, true) => miette::Severity::Error,
            (Severity::Warning, true) => miette::Severity::Warning,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        let f = self.finding;
        match (&f.waived, &f.help) {
            (Some(w), _) => Some(Box::new(format!("waived until {}: {}", w.expires, w.reason))),
            (None, Some(h)) => Some(Box::new(h)),
            (None, None) => None,
        }
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.finding.span.map(|_| &self.source as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.finding.span?;
        let label = self.finding.label.clone();
        let primary = LabeledSpan::new_primary_with_span(label, span);
        let rest = self.finding.secondary.iter().map(|(s, l)| LabeledSpan::new_with_span(Some(l.clone()), *s));
        Some(Box::new(std::iter::once(primary).chain(rest)))
    }

    fn related<'b>(&'b self) -> Option<Box<dyn Iterator<Item = &'b dyn Diagnostic> + 'b>> {
        let p = self.policy.as_ref()?;
        Some(Box::new(std::iter::once(p as &dyn Diagnostic)))
    }
}

/// The policy line that raised a finding, shown beneath it.
#[derive(Debug)]
struct PolicyDiagnostic {
    rule: String,
    source: NamedSource<std::sync::Arc<str>>,
    span: crate::sheet::Span,
}

impl fmt::Display for PolicyDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "raised by {}", self.rule)
    }
}

impl std::error::Error for PolicyDiagnostic {}

impl Diagnostic for PolicyDiagnostic {
    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Advice)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(LabeledSpan::new_primary_with_span(Some("here".into()), self.span))))
    }
}
