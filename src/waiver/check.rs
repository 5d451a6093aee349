//! Applying waivers to a run: [`WaiverCheck`] runs after every other check
//! and turns matching findings into waived ones, counting per waiver what it
//! matched so that expired and stale waivers can be reported at the end.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use jiff::civil::Date;
use miette::{Diagnostic, LabeledSpan, SourceCode};

use super::{Waiver, WaiverSet, header_span};
use crate::outcome::Check;
use crate::outcome::{
    Finding, Location, PolicySite, PolicyStatus, Severity, SheetReport, Summary, WaiverNote, WaiverReport, WaiverStatus,
};
use crate::sheet::Sheet;
use crate::text::SharedSource;

/// Rule name of the warning an expired waiver raises on each sheet where it
/// would still have waived something.
pub const EXPIRED_RULE: &str = "expired-waiver";

#[derive(Default)]
struct Tally {
    findings: AtomicUsize,
    sheets: AtomicUsize,
}

/// The waivers of one file, applied to every sheet of a run. Place it last
/// among the checks so it sees every finding.
pub struct WaiverCheck {
    set: WaiverSet,
    today: Date,
    tallies: Vec<Tally>,
    /// Indices of the waivers in application order: those in force first,
    /// so an expired entry kept beside its renewal stays quiet.
    order: Vec<usize>,
    /// The file's text with its line index, as its diagnostics show it:
    /// locating each of thousands of waivers by rescanning the text from
    /// its start was quadratic.
    text: SharedSource,
    /// Waivers whose policy is not in this run (by index), each with the
    /// nearest id that is, if one is close: stale whatever the sheets say.
    not_in_run: std::collections::HashMap<usize, Option<String>>,
}

impl WaiverCheck {
    /// Apply `set` as of `today` (waivers whose `expires` is before it are
    /// expired).
    pub fn new(set: WaiverSet, today: Date) -> WaiverCheck {
        let tallies = set.waivers.iter().map(|_| Tally::default()).collect();
        let (mut order, expired): (Vec<usize>, Vec<usize>) =
            (0..set.waivers.len()).partition(|&i| !set.waivers[i].is_expired(today));
        order.extend(expired);
        let text = set.shown().clone();
        WaiverCheck { set, today, tallies, order, text, not_in_run: Default::default() }
    }

    /// Mark the waivers whose policy is none of `rules` (the run's policy
    /// ids and lint rule names) as stale: "its policy is not in this run",
    /// with a did-you-mean, which catches a misspelt id.
    pub fn in_run<'a>(mut self, rules: impl IntoIterator<Item = &'a str> + Clone) -> WaiverCheck {
        let known: std::collections::HashSet<&str> = rules.clone().into_iter().collect();
        for (i, w) in self.set.waivers.iter().enumerate() {
            if !known.contains(w.policy.value.as_str()) {
                let hint = crate::text::did_you_mean(&w.policy.value, rules.clone()).map(str::to_string);
                self.not_in_run.insert(i, hint);
            }
        }
        self
    }

    /// Whether some waiver is stale (matched nothing, or its policy is not
    /// in the run): an error under `--strict-waivers`.
    pub fn any_stale(&self) -> bool {
        (0..self.set.waivers.len()).any(|i| self.status(i) == WaiverStatus::Stale)
    }

    /// Today's date in the local time zone.
    pub fn local_today() -> Date {
        jiff::Zoned::now().date()
    }

    pub fn set(&self) -> &WaiverSet {
        &self.set
    }

    /// Where a waiver's entry starts in the file.
    fn locate(&self, w: &Waiver) -> Location {
        let text = self.text.inner();
        let (line, column) = text.lines.line_col(&text.text, w.span.start);
        Location { path: self.set.path.clone(), line, column }
    }

    fn note(w: &Waiver) -> WaiverNote {
        WaiverNote {
            reason: w.reason.value.clone(),
            approver: w.approver.as_ref().map(|a| a.value.clone()),
            expires: w.expires.value.to_string(),
        }
    }

    fn status(&self, i: usize) -> WaiverStatus {
        if self.not_in_run.contains_key(&i) {
            WaiverStatus::Stale
        } else if self.set.waivers[i].is_expired(self.today) {
            WaiverStatus::Expired
        } else if self.tallies[i].findings.load(Ordering::Relaxed) == 0 {
            WaiverStatus::Stale
        } else {
            WaiverStatus::Active
        }
    }

    /// How every waiver fared so far (complete once the run is over), in
    /// file order.
    pub fn reports(&self) -> Vec<WaiverReport> {
        self.set
            .waivers
            .iter()
            .enumerate()
            .map(|(i, w)| WaiverReport {
                policy: w.policy.value.clone(),
                vendor: w.vendor.as_ref().map(|v| v.value.clone()),
                service: w.service.as_ref().map(|v| v.value.clone()),
                question: w.question.as_ref().map(|v| v.value.clone()),
                expires: w.expires.value.to_string(),
                status: self.status(i),
                matched: self.tallies[i].findings.load(Ordering::Relaxed),
                sheets: self.tallies[i].sheets.load(Ordering::Relaxed),
                location: self.locate(w),
            })
            .collect()
    }

    /// Warnings for people (stderr of human output): one per expired or
    /// stale waiver, underlining its entry in the waiver file.
    pub fn warnings(&self) -> Vec<WaiverWarning> {
        (0..self.set.waivers.len())
            .filter_map(|i| {
                let w = &self.set.waivers[i];
                let matched = self.tallies[i].findings.load(Ordering::Relaxed);
                let (message, help) = match self.status(i) {
                    WaiverStatus::Active => return None,
                    WaiverStatus::Stale if self.not_in_run.contains_key(&i) => (
                        format!(
                            "waiver for {} is stale: its policy is not in this run{}",
                            w.describe(),
                            match &self.not_in_run[&i] {
                                Some(near) => format!(" — did you mean `{near}`?"),
                                None => String::new(),
                            }
                        ),
                        "a waiver names a policy id (its `//! id:` line) or a lint rule; with -p only those \
                         policies run, so a hospital-wide file may name others (--strict-waivers makes this an error)"
                            .to_string(),
                    ),
                    WaiverStatus::Expired => (
                        format!(
                            "waiver for {} expired on {}{}",
                            w.describe(),
                            w.expires.value,
                            match matched {
                                0 => String::new(),
                                n => format!("; {n} finding(s) it covered count again"),
                            }
                        ),
                        "renew it with a later `expires`, or remove it once the sheet is fixed".to_string(),
                    ),
                    WaiverStatus::Stale => (
                        format!("waiver for {} matched nothing in this run (stale)", w.describe()),
                        "the sheet may have been fixed: remove the waiver, or check its policy, vendor, service and question against the sheet".to_string(),
                    ),
                };
                Some(WaiverWarning {
                    message,
                    help,
                    source: self.text.clone(),
                    span: header_span(&self.set.source, w.span),
                })
            })
            .collect()
    }

    fn expired_finding(&self, w: &Waiver, sheet: &Sheet, hits: usize) -> Finding {
        let line = self.locate(w).line;
        let mut f = Finding::waiver(
            EXPIRED_RULE,
            Severity::Warning,
            format!(
                "waiver for {} expired on {}; {hits} finding(s) it covered count again",
                w.policy.value, w.expires.value
            ),
        )
        .with_help(format!(
            "{}:{line}: renew the waiver with a later `expires`, or fix the sheet and remove it (it was granted because: {})",
            self.set.path, w.reason.value
        ));
        if let Some(q) = w.question.as_ref().and_then(|q| sheet.form.index_of(&q.value)) {
            f = f.at_question(sheet, q).with_label("no longer waived");
        }
        f.policy_site = Some(PolicySite {
            path: self.set.path.as_str().into(),
            source: self.set.source.clone(),
            span: w.expires.span,
        });
        f
    }
}

impl Check for WaiverCheck {
    fn check(&self, sheet: &Arc<Sheet>, report: &mut SheetReport) {
        let (vendor, service) = (sheet.vendor(), sheet.service());
        let mut raised = Vec::new();
        for &i in &self.order {
            let w = &self.set.waivers[i];
            if !w.names(vendor, service) {
                continue;
            }
            let expired = w.is_expired(self.today);
            let mut hits = 0;
            for f in &mut report.findings {
                let on_question = w.question.as_ref().is_none_or(|q| f.question.as_deref() == Some(q.value.as_str()));
                if *f.rule != *w.policy.value || !on_question {
                    continue;
                }
                if expired {
                    // Only what no waiver in force already covers.
                    hits += usize::from(f.is_active());
                } else {
                    hits += 1;
                    f.waived.get_or_insert_with(|| Box::new(Self::note(w)));
                }
            }
            if hits == 0 {
                continue;
            }
            self.tallies[i].findings.fetch_add(hits, Ordering::Relaxed);
            self.tallies[i].sheets.fetch_add(1, Ordering::Relaxed);
            if expired {
                raised.push(self.expired_finding(w, sheet, hits));
            }
        }
        report.findings.extend(raised);
        for outcome in report.policies.iter_mut().filter(|o| o.status == PolicyStatus::Fail) {
            let mut failing =
                report.findings.iter().filter(|f| *f.rule == *outcome.id && f.severity == Severity::Error).peekable();
            if failing.peek().is_some() && failing.all(|f| !f.is_active()) {
                outcome.status = PolicyStatus::Waived;
            }
        }
    }

    fn finish(&self, summary: &mut Summary) {
        summary.waivers = Some(self.reports());
    }
}

/// An expired or stale waiver, as a warning that underlines its entry.
#[derive(Debug)]
pub struct WaiverWarning {
    pub message: String,
    help: String,
    /// The waiver file, shared by all its warnings.
    source: SharedSource,
    span: crate::sheet::Span,
}

impl fmt::Display for WaiverWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for WaiverWarning {}

impl Diagnostic for WaiverWarning {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new("kaiji::waiver"))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Warning)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.help))
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(crate::text::source_of(&self.source))
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(LabeledSpan::new_primary_with_span(Some("this waiver".into()), self.span))))
    }
}
