//! `-f human`: a verdict line per sheet, a miette report per finding that
//! underlines the answer in the sheet file (and the `fail(...)` call in the
//! policy, for policy findings), and a closing summary.
//!
//! Every text from a sheet (names, messages that quote it, the snippets
//! miette shows of the file) is [`printable`]: vendor text never writes a
//! live control character to the terminal.

use std::fmt;
use std::io::{self, Write};
use std::sync::Arc;

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode};

use super::{Finding, Renderer, RunInfo, Severity, SheetEncoder, SheetReport, SheetStatus, Style, Summary};
use crate::text::{IndexedText, PrintableDiagnostic, PrintableText, printable, printable_line};

pub struct Human<'w> {
    out: Box<dyn Write + 'w>,
    sheets: Arc<HumanSheet>,
    command: crate::outcome::RunCommand,
}

impl<'w> Human<'w> {
    pub fn new(out: Box<dyn Write + 'w>, style: Style) -> Self {
        let theme = if style.color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
        let handler = GraphicalReportHandler::new_themed(theme).with_width(style.width).with_links(false);
        Human { out, sheets: Arc::new(HumanSheet { handler, style }), command: crate::outcome::RunCommand::Check }
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
        self.style.paint(text, code)
    }
}

impl SheetEncoder for HumanSheet {
    fn encode(&self, r: &SheetReport, out: &mut Vec<u8>) -> io::Result<()> {
        let (mark, color) = match r.status {
            SheetStatus::Pass if r.no_policy_applied() => ("SKIP", "33"),
            SheetStatus::Pass => ("PASS", "32"),
            SheetStatus::Fail => ("FAIL", "31"),
            SheetStatus::Error => ("ERROR", "35"),
        };
        let who = match printable_line(&super::view::who(r)) {
            w if w.is_empty() => String::new(),
            w => format!("  {w}"),
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
        writeln!(out, "{verdict} {}{who}  ({counts})", printable_line(&r.path))?;
        // A document imported in the run: its account, so a reader sees how
        // much of the verdict rests on what was read.
        if let Some(import) = &r.import {
            writeln!(out, "      {}", printable_line(&import.line()))?;
        }
        writeln!(out)?;
        for e in &r.errors {
            match &e.detail {
                Some(report) => self.render(out, &PrintableDiagnostic::new(report.as_ref().as_ref()))?,
                None => {
                    writeln!(out, "  error: {}", printable(&e.message))?;
                    writeln!(out)?;
                }
            }
        }
        if let Some(sheet) = &r.sheet {
            // Escaped once per sheet (and per policy file), shared by all
            // its findings; the sheet's own line index when nothing needs it.
            let shown = PrintableText::new(&sheet.indexed_text());
            // An imported document's snippets are of the sheet kaiji read
            // from it, not lines of the PDF or workbook: say so.
            let source_name = if sheet.imported { format!("{}, as imported", r.path) } else { r.path.clone() };
            let mut policies: Vec<(Arc<str>, PrintableText)> = Vec::new();
            for item in self.layout(r) {
                let f = match item {
                    Item::One(f) => f,
                    Item::Group(group) => {
                        self.group(out, &group)?;
                        continue;
                    }
                };
                let policy = f.policy_site.as_ref().map(|site| {
                    match policies.iter().find(|(s, _)| Arc::ptr_eq(s, &site.source)) {
                        Some((_, p)) => p.clone(),
                        None => {
                            let p = PrintableText::new(&IndexedText::new(site.source.clone()));
                            policies.push((site.source.clone(), p.clone()));
                            p
                        }
                    }
                });
                let diag = FindingDiagnostic::new(f, &source_name, shown.clone(), policy);
                self.render(out, &diag)?;
            }
        }
        // `--explain`: what each policy read, under the sheet, passes too.
        if !r.explain.is_empty() {
            for p in &r.policies {
                if let Some(reads) = r.explain.get(&p.id) {
                    let line = super::explain_line(reads);
                    writeln!(out, "  {} {}: {}", printable_line(&p.id), p.status.as_str(), printable(&line))?;
                }
            }
            writeln!(out)?;
        }
        Ok(())
    }
}

/// Active findings of one severity of one rule on a sheet, past which the
/// human view shows one line for them all (unless `--verbose`): 191
/// `unanswered` warnings must not bury the one `unknown-question` error.
const GROUP_WARNINGS_OVER: usize = 5;
const GROUP_ERRORS_OVER: usize = 20;
/// Question ids a grouped line names.
const GROUP_IDS_SHOWN: usize = 8;

/// What the human view shows of a sheet's findings, in order.
enum Item<'a> {
    One(&'a Finding),
    Group(Vec<&'a Finding>),
}

impl HumanSheet {
    /// Errors, then warnings, then waived findings (each in form order);
    /// findings under `--min-severity` left out; many of one rule grouped.
    fn layout<'r>(&self, r: &'r SheetReport) -> Vec<Item<'r>> {
        let rank = |f: &Finding| match (f.is_active(), f.severity) {
            (true, Severity::Error) => 0,
            (true, Severity::Warning) => 1,
            (false, _) => 2,
        };
        let mut shown: Vec<&Finding> = r
            .findings
            .iter()
            .filter(|f| {
                f.is_active() && f.severity >= self.style.min_severity
                    || !f.is_active() && self.style.min_severity == Severity::Warning
            })
            .collect();
        shown.sort_by_key(|f| rank(f));
        if self.style.verbose {
            return shown.into_iter().map(Item::One).collect();
        }
        let mut counts: std::collections::HashMap<(&str, usize), usize> = std::collections::HashMap::new();
        for f in &shown {
            *counts.entry((&*f.rule, rank(f))).or_default() += 1;
        }
        let mut items: Vec<Item<'r>> = Vec::new();
        let mut grouped: std::collections::HashMap<(&str, usize), usize> = std::collections::HashMap::new();
        for f in shown {
            let key = (&*f.rule, rank(f));
            let over = if key.1 == 0 { GROUP_ERRORS_OVER } else { GROUP_WARNINGS_OVER };
            if counts[&key] <= over {
                items.push(Item::One(f));
                continue;
            }
            match grouped.get(&key) {
                Some(&at) => {
                    if let Item::Group(g) = &mut items[at] {
                        g.push(f);
                    }
                }
                None => {
                    grouped.insert(key, items.len());
                    items.push(Item::Group(vec![f]));
                }
            }
        }
        items
    }

    /// One line for many findings of one rule: how many, the questions, the
    /// (first) message.
    fn group(&self, out: &mut Vec<u8>, group: &[&Finding]) -> io::Result<()> {
        let first = group[0];
        let (word, color) = match (first.is_active(), first.severity) {
            (false, _) => ("waived", "36"),
            (true, Severity::Error) => ("error", "31"),
            (true, Severity::Warning) => ("warning", "33"),
        };
        let ids: Vec<&str> = group.iter().filter_map(|f| f.question.as_deref()).collect();
        let mut named: Vec<String> = ids.iter().take(GROUP_IDS_SHOWN).map(|q| printable_line(q).into_owned()).collect();
        if ids.len() > GROUP_IDS_SHOWN {
            named.push("…".into());
        }
        let on = if ids.is_empty() { String::new() } else { format!(" on questions {}", named.join(", ")) };
        let head = self.paint(&format!("{word}[{}]", printable_line(&first.rule)), color);
        writeln!(out, "  {head}: {} findings{on} (`--verbose` lists each)", group.len())?;
        let same = group.iter().all(|f| f.message == first.message);
        let message = printable(&first.message);
        if same {
            writeln!(out, "    {message}")?;
        } else {
            writeln!(out, "    e.g. {message}")?;
        }
        writeln!(out)
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

/// A finding as a miette diagnostic over the sheet file, shown printable.
pub struct FindingDiagnostic<'a> {
    finding: &'a Finding,
    source: NamedSource<PrintableText>,
    raised_by: Option<PolicySiteDiagnostic>,
}

impl<'a> FindingDiagnostic<'a> {
    /// `sheet` is the sheet file's text as shown ([`PrintableText::new`]
    /// of it, built once per sheet); `policy` likewise the policy file's,
    /// for a finding with a policy site.
    pub fn new(finding: &'a Finding, path: &str, sheet: PrintableText, policy: Option<PrintableText>) -> Self {
        let raised_by = finding.policy_site.as_ref().zip(policy).map(|(site, text)| PolicySiteDiagnostic {
            rule: printable_line(&finding.rule).into_owned(),
            span: text.span(site.span.into()),
            source: NamedSource::new(printable_line(&site.path), text),
        });
        FindingDiagnostic { finding, source: NamedSource::new(printable_line(path), sheet), raised_by }
    }
}

impl fmt::Debug for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FindingDiagnostic").field("rule", &self.finding.rule).finish()
    }
}

impl fmt::Display for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let message = printable(&self.finding.message);
        match (&self.finding.question, &self.finding.read_at) {
            (Some(q), Some(at)) => write!(f, "[{} · {}] {message}", printable_line(q), printable_line(at)),
            (Some(q), None) => write!(f, "[{}] {message}", printable_line(q)),
            (None, _) => f.write_str(&message),
        }
    }
}

impl std::error::Error for FindingDiagnostic<'_> {}

impl Diagnostic for FindingDiagnostic<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(printable_line(&self.finding.rule)))
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
            (Some(w), _) => {
                Some(Box::new(printable(&format!("waived until {}: {}", w.expires, w.reason)).into_owned()))
            }
            (None, Some(h)) => Some(Box::new(printable(h))),
            (None, None) => None,
        }
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.finding.span.map(|_| &self.source as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.finding.span?;
        let shown = self.source.inner();
        let label = self.finding.label.as_deref().map(|l| printable_line(l).into_owned());
        let primary = LabeledSpan::new_primary_with_span(label, shown.span(span.into()));
        let rest =
            self.finding.secondary.iter().map(|(s, l)| {
                LabeledSpan::new_with_span(Some(printable_line(l).into_owned()), shown.span((*s).into()))
            });
        Some(Box::new(std::iter::once(primary).chain(rest)))
    }

    fn related<'b>(&'b self) -> Option<Box<dyn Iterator<Item = &'b dyn Diagnostic> + 'b>> {
        let p = self.raised_by.as_ref()?;
        Some(Box::new(std::iter::once(p as &dyn Diagnostic)))
    }
}

/// The policy line that raised a finding (its `policy_site`), shown
/// beneath the finding as a related diagnostic. Not to be confused with
/// `policy::PolicyDiagnostic`, a policy's own error shown over its text.
#[derive(Debug)]
struct PolicySiteDiagnostic {
    rule: String,
    source: NamedSource<PrintableText>,
    /// In the shown text.
    span: miette::SourceSpan,
}

impl fmt::Display for PolicySiteDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "raised by {}", self.rule)
    }
}

impl std::error::Error for PolicySiteDiagnostic {}

impl Diagnostic for PolicySiteDiagnostic {
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
