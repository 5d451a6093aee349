//! `-f junit`: JUnit XML for CI test dashboards. One `<testsuite>` per
//! sheet, one `<testcase>` per policy and one per lint rule (so a dashboard
//! shows *which* rule broke, and keeps a stable history per rule).
//!
//! - a failure at or above `--fail-on` is a `<failure>` whose text lists
//!   every finding as `path:line:column [question] message`;
//! - findings below it, and waived ones, go to `<system-out>`;
//! - a waived policy and a skipped one are `<skipped>` with the reason;
//! - a policy that could not be evaluated, or an unreadable sheet, is an
//!   `<error>`.
//!
//! Vendor text is made [`printable`] before quick-junit sees it (which
//! would drop escape sequences silently, leaving "PASS" of a spoof): XML
//! 1.0 cannot hold most control characters at all.
//!
//! The document's totals head the file: each sheet's suite is written as
//! XML when the sheet arrives (on the worker that evaluated it) to a
//! temporary file, with its counts, and the file is copied out under the
//! totals at the end.

use std::collections::BTreeSet;
use std::io::{self, BufWriter, Seek, Write};
use std::sync::Arc;

use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

use super::view::{self, Column, FindingView};
use super::{FailOn, PolicyStatus, Renderer, RunError, RunInfo, SheetEncoder, SheetReport, Summary};
use crate::text::{printable, printable_line};

pub struct Junit<'w> {
    out: Box<dyn Write + 'w>,
    run: Arc<RunInfo>,
    /// The suites written so far, and their counts.
    suites: Option<BufWriter<std::fs::File>>,
    counts: Counts,
}

impl<'w> Junit<'w> {
    pub fn new(out: Box<dyn Write + 'w>) -> Self {
        Junit { out, run: Arc::new(RunInfo::default()), suites: None, counts: Counts::default() }
    }
}

/// A suite's test cases by outcome, for the document's totals.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Counts {
    tests: usize,
    skipped: usize,
    failures: usize,
    errors: usize,
}

impl Counts {
    const BYTES: usize = 32;

    fn add(&mut self, o: Counts) {
        self.tests += o.tests;
        self.skipped += o.skipped;
        self.failures += o.failures;
        self.errors += o.errors;
    }

    fn put(self, out: &mut Vec<u8>) {
        for n in [self.tests, self.skipped, self.failures, self.errors] {
            out.extend_from_slice(&(n as u64).to_le_bytes());
        }
    }

    fn take(bytes: &[u8]) -> Option<(Counts, &[u8])> {
        let (head, rest) = bytes.split_at_checked(Counts::BYTES)?;
        let n = |i: usize| u64::from_le_bytes(head[8 * i..8 * i + 8].try_into().unwrap()) as usize;
        Some((Counts { tests: n(0), skipped: n(1), failures: n(2), errors: n(3) }, rest))
    }
}

/// Encodes a sheet's suite: its [`Counts`], then its XML as it stands in
/// the whole document (indented, vendor text made printable).
struct SuiteEncoder {
    run: Arc<RunInfo>,
}

impl SheetEncoder for SuiteEncoder {
    fn encode(&self, report: &SheetReport, out: &mut Vec<u8>) -> io::Result<()> {
        let suite = suite(&self.run, report);
        let counts =
            Counts { tests: suite.tests, skipped: suite.skipped, failures: suite.failures, errors: suite.errors };
        // quick-junit writes a document, not a suite: this suite's part of
        // a document holding only it is what it is in the whole one
        let mut doc = Report::new(format!("kaiji {}", self.run.command));
        doc.add_test_suite(suite);
        let mut xml = Vec::new();
        doc.serialize(&mut xml).map_err(io::Error::other)?;
        let xml = String::from_utf8(xml).map_err(io::Error::other)?;
        let from = xml.find("<testsuites").and_then(|at| xml[at..].find('\n').map(|nl| at + nl + 1));
        let to = xml.rfind("</testsuites>");
        let (Some(from), Some(to)) = (from, to) else {
            return Err(io::Error::other("quick-junit wrote no <testsuites> document"));
        };
        counts.put(out);
        out.extend_from_slice(crate::text::printable(&xml[from..to]).as_bytes());
        Ok(())
    }
}

/// `path:line:column [question] message`, plus the waiver when there is one.
fn line(path: &str, f: &FindingView) -> String {
    let q = f.question.as_deref().map(|q| format!("[{q}] ")).unwrap_or_default();
    let mut s = format!("{}: {} {q}{}", f.place(path), f.severity.as_str(), f.message);
    if let Some(w) = &f.waived {
        s.push_str(&format!(" (waived until {}: {})", w.expires, w.reason));
    }
    printable(&s).into_owned()
}

/// A testcase for a set of findings (a lint rule, or a policy that ran).
fn findings_case(name: &str, path: &str, findings: &[FindingView], fail_on: FailOn, must_fail: bool) -> TestCase {
    let failing: Vec<&FindingView> = findings.iter().filter(|f| f.is_active() && fail_on.fails(f.severity)).collect();
    let others: Vec<&FindingView> = findings.iter().filter(|f| !(f.is_active() && fail_on.fails(f.severity))).collect();
    let status = if failing.is_empty() && !must_fail {
        TestCaseStatus::success()
    } else {
        let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
        let first =
            failing.first().map(|f| printable(&f.message).into_owned()).unwrap_or_else(|| format!("{name} failed"));
        let message = match failing.len() {
            0 | 1 => first,
            n => format!("{first} (and {} more)", n - 1),
        };
        s.set_message(message).set_type(name);
        let text: Vec<String> = failing.iter().map(|f| line(path, f)).collect();
        if !text.is_empty() {
            s.set_description(text.join("\n"));
        }
        s
    };
    let mut case = TestCase::new(printable_line(name).as_ref(), status);
    case.set_classname(path);
    if !others.is_empty() {
        let text: Vec<String> = others.iter().map(|f| line(path, f)).collect();
        case.set_system_out(text.join("\n"));
    }
    case
}

/// A run error with its place, unless the message already starts with it.
fn error_text(e: &RunError) -> String {
    let text = match &e.location {
        Some(l) if !e.message.starts_with(&format!("{}:{}:", l.path, l.line)) => {
            format!("{}:{}:{}: {}", l.path, l.line, l.column, e.message)
        }
        _ => e.message.clone(),
    };
    printable(&text).into_owned()
}

fn error_case(name: &str, path: &str, messages: &[&str]) -> TestCase {
    let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
    s.set_message(messages.first().copied().unwrap_or("could not be evaluated")).set_type("error");
    if messages.len() > 1 {
        s.set_description(messages.join("\n"));
    }
    let mut case = TestCase::new(printable_line(name).as_ref(), s);
    case.set_classname(path);
    case
}

/// The name of the suite holding the run's provenance.
pub const PROVENANCE_SUITE: &str = "kaiji.provenance";

/// The provenance as property names and values: `kaiji.version`,
/// `kaiji.date`, `form.ID.sha256`, `policy-pack.sha256`, `policy.PATH.sha256`,
/// `waivers.PATH.sha256`.
fn junit_provenance(p: &super::Provenance) -> Vec<(String, String)> {
    let mut out = vec![("kaiji.version".to_string(), p.kaiji.clone())];
    if let Some(d) = &p.date {
        out.push(("kaiji.date".to_string(), d.clone()));
    }
    for f in &p.forms {
        out.push((format!("form.{}.path", f.id), printable_line(&f.path).into_owned()));
        out.push((format!("form.{}.sha256", f.id), f.sha256.clone()));
    }
    if let Some(h) = &p.builtin_pack {
        out.push(("policy-pack.sha256".to_string(), h.clone()));
    }
    for f in &p.policies {
        out.push((format!("policy.{}.sha256", printable_line(&f.path)), f.sha256.clone()));
    }
    if let Some(w) = &p.waivers {
        out.push((format!("waivers.{}.sha256", printable_line(&w.path)), w.sha256.clone()));
    }
    out
}

/// A sheet's `<testsuite>`.
fn suite(run: &RunInfo, r: &SheetReport) -> TestSuite {
    let fail_on = run.fail_on;
    let path = &*printable_line(&r.path);
    let ids: BTreeSet<&str> = view::policy_ids(run, r);
    let mut suite = TestSuite::new(path);
    suite.add_property(Property::new("vendor", printable_line(r.vendor()).as_ref()));
    suite.add_property(Property::new("service", printable_line(r.service()).as_ref()));
    suite.add_property(Property::new("status", r.status.as_str()));
    // The file this suite's verdicts rest on. No digest is claimed for
    // a sheet that could not be read.
    if let Some(h) = r.sha256() {
        suite.add_property(Property::new("sha256", h));
    }
    // A document imported in the run: its account as properties, and in
    // the suite's system-err, as a warning, when it leaves something for a
    // person to look at.
    if let Some(import) = &r.import {
        suite.add_property(Property::new("import.format", import.format.as_str()));
        suite.add_property(Property::new("import.answered", import.account.answered.to_string().as_str()));
        suite.add_property(Property::new("import.unanswered", import.unanswered().to_string().as_str()));
        suite.add_property(Property::new("import.ambiguous", import.account.ambiguous.len().to_string().as_str()));
        let text = printable(&import.text()).into_owned();
        if import.needs_a_look() {
            suite.set_system_err(format!("warning: {text}"));
        } else {
            suite.set_system_out(text);
        }
    }

    let general: Vec<String> = view::errors_of(r, None).map(error_text).collect();
    let general: Vec<&str> = general.iter().map(String::as_str).collect();
    if !general.is_empty() {
        suite.add_test_case(error_case("sheet", path, &general));
    }
    let loc = view::Locator::new(r);
    for id in &ids {
        let errors: Vec<String> = view::errors_of(r, Some(id)).map(error_text).collect();
        let errors: Vec<&str> = errors.iter().map(String::as_str).collect();
        let column = Column::Policy(id.to_string());
        let findings: Vec<FindingView> = view::column_findings(r, &column).map(|f| FindingView::new(&loc, f)).collect();
        let outcome = r.policies.iter().find(|p| p.id == *id);
        let case = match outcome.map(|p| p.status) {
            _ if !errors.is_empty() => error_case(id, path, &errors),
            Some(PolicyStatus::Error) => error_case(id, path, &[]),
            None if r.sheet.is_none() => error_case(id, path, &["the sheet could not be read"]),
            Some(PolicyStatus::Pass) => findings_case(id, path, &findings, fail_on, false),
            // A failure that raised no finding still fails, unless
            // nothing may fail the run.
            Some(PolicyStatus::Fail) => {
                findings_case(id, path, &findings, fail_on, findings.is_empty() && fail_on != FailOn::Never)
            }
            status @ (Some(PolicyStatus::Waived | PolicyStatus::Skip) | None) => {
                let mut s = TestCaseStatus::skipped();
                let message = match status {
                    Some(PolicyStatus::Waived) => findings
                        .iter()
                        .find_map(|f| f.waived.as_ref())
                        .map(|w| printable(&format!("waived until {}: {}", w.expires, w.reason)).into_owned())
                        .unwrap_or_else(|| "waived".to_string()),
                    Some(PolicyStatus::Skip) => match outcome.and_then(|p| p.reason.as_deref()) {
                        Some(reason) => printable(&format!("does not apply: {reason}")).into_owned(),
                        None => "not applicable to this sheet's form".to_string(),
                    },
                    _ => "not evaluated on this sheet".to_string(),
                };
                s.set_message(message);
                let mut case = TestCase::new(*id, s);
                case.set_classname(path);
                if !findings.is_empty() {
                    let text: Vec<String> = findings.iter().map(|f| line(path, f)).collect();
                    case.set_system_out(text.join("\n"));
                }
                case
            }
        };
        suite.add_test_case(case);
    }
    if r.sheet.is_some() {
        // One case per rule: every built-in one when lint ran, then any
        // other rule that raised a finding of no policy, in report order.
        let mut names: Vec<String> = run.rules.iter().map(|x| x.name.to_string()).collect();
        for f in view::column_findings(r, &Column::Lint) {
            if !names.iter().any(|n| **n == *f.rule) {
                names.push(f.rule.to_string());
            }
        }
        for name in names {
            let findings: Vec<FindingView> = view::column_findings(r, &Column::Lint)
                .filter(|f| *f.rule == *name)
                .map(|f| FindingView::new(&loc, f))
                .collect();
            suite.add_test_case(findings_case(&format!("lint/{name}"), path, &findings, fail_on, false));
        }
    }
    suite
}

impl Renderer for Junit<'_> {
    fn begin(&mut self, run: &RunInfo) -> io::Result<()> {
        self.run = Arc::new(run.clone());
        Ok(())
    }

    fn encoder(&self) -> Option<Arc<dyn SheetEncoder>> {
        Some(Arc::new(SuiteEncoder { run: self.run.clone() }))
    }

    fn sheet_encoded(&mut self, encoded: &[u8]) -> io::Result<()> {
        let (counts, xml) =
            Counts::take(encoded).ok_or_else(|| io::Error::other("a JUnit suite without its counts"))?;
        self.counts.add(counts);
        let suites = match &mut self.suites {
            Some(s) => s,
            None => self.suites.insert(BufWriter::new(tempfile::tempfile()?)),
        };
        suites.write_all(xml)
    }

    fn finish(&mut self, _summary: &Summary) -> io::Result<()> {
        let mut report = Report::new(format!("kaiji {}", self.run.command));
        // The run's provenance once, as the properties of a first suite
        // with no test case (JUnit has no document-level properties).
        let mut provenance = TestSuite::new(PROVENANCE_SUITE);
        for (name, value) in junit_provenance(&self.run.provenance) {
            provenance.add_property(Property::new(name.as_str(), value.as_str()));
        }
        report.add_test_suite(provenance);
        let c = self.counts;
        report.tests += c.tests;
        report.skipped += c.skipped;
        report.failures += c.failures;
        report.errors += c.errors;
        let mut xml = Vec::new();
        report.serialize(&mut xml).map_err(io::Error::other)?;
        // XML 1.0 cannot hold most C0 controls (not even as `&#27;`), and a
        // CI log shows this file: kaiji's own XML has no control character
        // but line breaks, so every other one is vendor text, shown escaped
        // (the suites were, as they were encoded).
        let xml = String::from_utf8(xml).map_err(io::Error::other)?;
        let xml = crate::text::printable(&xml);
        // the sheets' suites go after the provenance, before the end tag
        let end = xml.rfind("</testsuites>").ok_or_else(|| io::Error::other("quick-junit wrote no </testsuites>"))?;
        self.out.write_all(xml[..end].as_bytes())?;
        if let Some(suites) = self.suites.take() {
            let mut file = suites.into_inner().map_err(io::IntoInnerError::into_error)?;
            file.rewind()?;
            io::copy(&mut file, &mut self.out)?;
        }
        self.out.write_all(xml[end..].as_bytes())?;
        self.out.flush()
    }
}
