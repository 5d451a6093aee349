//! The runner: expands inputs, loads sheets in parallel, applies every
//! [`Check`] (lint rules, policies, waivers) and streams one
//! [`SheetReport`] per sheet to a renderer in path order, whatever the
//! number of jobs.

mod inputs;
mod save;

use std::io;
use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;

pub use inputs::{Accept, Expanded, Input, expand, expand_all, expand_inputs, skipped_by_walk};
pub use save::SaveImported;

use crate::form::FormRegistry;
use crate::outcome::{FailOn, Provenance, RunCommand};
use crate::policy::PolicySet;
use crate::report::{Renderer, RunError, RunInfo, SheetReport, SheetStatus, Summary};
use crate::sheet::{self, Sheet};
use crate::waiver::WaiverCheck;

pub use crate::outcome::Check;

/// The built-in lint rules as a check.
pub struct LintCheck;

impl Check for LintCheck {
    fn check(&self, sheet: &Arc<Sheet>, report: &mut SheetReport) {
        report.findings.extend(crate::lint::lint(sheet));
    }
}

/// One run, described once: the form catalogs, which checks it applies
/// (the lint rules, a policy set, waivers, any other [`Check`]), how it
/// judges (`fail_on`), its worker threads and the date its report states.
/// [`Run::build`] makes the [`Runner`] and, inside it, the run's
/// [`RunInfo`] (what the renderers are told) from this one description, so
/// the verdicts and the report cannot disagree about the severity that
/// fails, the rules that ran or the policies applied.
///
/// ```no_run
/// # use kaiji::{form::FormRegistry, policy::{Limits, PolicySet}, outcome::{FailOn, RunCommand}, runner::Run};
/// let forms = FormRegistry::builtin();
/// let policies = PolicySet::builtin(Limits::default());
/// let runner = Run::new(RunCommand::Check, &forms).lint(true).policies(&policies).fail_on(FailOn::Warning).build();
/// assert_eq!(runner.info().fail_on, FailOn::Warning);
/// ```
pub struct Run<'a> {
    forms: &'a FormRegistry,
    command: RunCommand,
    lint: bool,
    policies: Option<&'a PolicySet>,
    checks: Vec<&'a dyn Check>,
    waivers: Option<&'a WaiverCheck>,
    fail_on: FailOn,
    jobs: usize,
    date: Option<String>,
    names_under: Option<&'a std::path::Path>,
    document_form: Option<Arc<crate::form::Form>>,
}

impl<'a> Run<'a> {
    /// A run of `command` over sheets of `forms` that applies nothing yet:
    /// no lint rules, no policies, `fail_on` error, one thread per core,
    /// no date.
    pub fn new(command: RunCommand, forms: &'a FormRegistry) -> Run<'a> {
        Run {
            forms,
            command,
            lint: false,
            policies: None,
            checks: Vec::new(),
            waivers: None,
            fail_on: FailOn::default(),
            jobs: 0,
            date: None,
            names_under: None,
            document_form: None,
        }
    }

    /// The form vendor documents among the inputs are imported against
    /// (default: the registry's [`crate::form::DEFAULT_FORM`]).
    pub fn document_form(mut self, form: Arc<crate::form::Form>) -> Self {
        self.document_form = Some(form);
        self
    }

    /// Apply the built-in lint rules (first, before every other check).
    pub fn lint(mut self, on: bool) -> Self {
        self.lint = on;
        self
    }

    /// Apply `policies`, after the lint rules; they are the run's policies
    /// and their files part of its provenance.
    pub fn policies(mut self, policies: &'a PolicySet) -> Self {
        self.policies = Some(policies);
        self
    }

    /// Apply another check, after the policies and before the waivers.
    pub fn check(mut self, check: &'a dyn Check) -> Self {
        self.checks.push(check);
        self
    }

    /// Apply waivers, last (they see every finding the other checks
    /// raised); the waiver file is part of the run's provenance.
    pub fn waivers(mut self, waivers: &'a WaiverCheck) -> Self {
        self.waivers = Some(waivers);
        self
    }

    /// The lowest severity that fails a sheet (`--fail-on`).
    pub fn fail_on(mut self, fail_on: FailOn) -> Self {
        self.fail_on = fail_on;
        self
    }

    /// Worker threads; 0 means one per core.
    pub fn jobs(mut self, jobs: usize) -> Self {
        self.jobs = jobs;
        self
    }

    /// The date the report states (ISO), if any (`--date`).
    pub fn date(mut self, date: Option<String>) -> Self {
        self.date = date;
        self
    }

    /// Name each input under `dir` by its path relative to `dir` in the
    /// report (its rows, locations and provenance): `kaiji serve` holds its
    /// documents in a temporary directory whose name means nothing to the
    /// reader, and must not show in a report the committee keeps.
    pub fn names_under(mut self, dir: &'a std::path::Path) -> Self {
        self.names_under = Some(dir);
        self
    }

    /// The runner, carrying the run's [`RunInfo`].
    pub fn build(self) -> Runner<'a> {
        let mut checks: Vec<&'a dyn Check> = Vec::new();
        if self.lint {
            checks.push(&LintCheck);
        }
        if let Some(p) = self.policies {
            checks.push(p);
        }
        checks.extend(self.checks);
        if let Some(w) = self.waivers {
            checks.push(w);
        }
        let mut provenance = Provenance::of(self.forms, self.policies, self.waivers.and_then(|w| w.set().digest()));
        provenance.date = self.date;
        let info = RunInfo {
            command: self.command,
            policies: self.policies.map(PolicySet::infos).unwrap_or_default(),
            fail_on: self.fail_on,
            rules: if self.lint { crate::lint::rule_infos() } else { Vec::new() },
            provenance,
        };
        Runner {
            forms: self.forms,
            checks,
            info,
            jobs: self.jobs,
            document_form: self.document_form,
            names_under: self.names_under,
        }
    }
}

/// Applies a run's checks to sheets and streams their reports; made by
/// [`Run::build`].
pub struct Runner<'a> {
    forms: &'a FormRegistry,
    checks: Vec<&'a dyn Check>,
    /// The run's description: renderers are told it, and its `fail_on`
    /// sets every sheet's verdict.
    info: RunInfo,
    /// Worker threads; 0 means one per core.
    jobs: usize,
    /// See [`Run::names_under`].
    names_under: Option<&'a std::path::Path>,
    document_form: Option<Arc<crate::form::Form>>,
}

/// Sheets evaluated per batch before their reports are rendered: large
/// enough to keep every core busy, small enough that memory stays bounded
/// by the job count, not by the number of sheets.
const BATCH_PER_JOB: usize = 32;

/// Stack of each worker thread. Policy scripts recurse on the Rust stack
/// (Rhai is a tree-walking interpreter, ~25 KiB per call level in debug
/// builds), so `--max-call-depth` and `--max-expr-depth` are only safe with
/// room to spare; the memory is reserved, not committed.
pub const WORKER_STACK: usize = 32 << 20;

impl Runner<'_> {
    /// What the run is, as renderers are told it.
    pub fn info(&self) -> &RunInfo {
        &self.info
    }

    /// Evaluate one input into its report.
    pub fn evaluate(&self, input: &Input) -> SheetReport {
        let path = match input {
            Input::File(p) => p,
            Input::NoMatch { pattern, not_sheets } => {
                let message = match not_sheets {
                    0 => {
                        format!("{pattern}: the pattern matched no file (check the pattern, or the current directory)")
                    }
                    n => format!(
                        "{pattern}: the pattern matched no sheet, only {n} TOML/JSON file(s) that are not sheets \
                         (no [sheet] or [answers] table; name a file to read it anyway)"
                    ),
                };
                return self.unread(pattern, message);
            }
            Input::NoSheet { dir, not_sheets } => {
                let message = match not_sheets {
                    0 => format!(
                        "{dir}: the directory holds no sheet (no .toml or .json sheet, nor a vendor document \
                         that kaiji check reads, below it; hidden directories and target/ are not searched)"
                    ),
                    n => format!(
                        "{dir}: the directory holds no sheet, only {n} TOML/JSON file(s) that are not sheets \
                         (no [sheet] or [answers] table; name a file to read it anyway)"
                    ),
                };
                return self.unread(dir, message);
            }
        };
        let shown = self.shown(path);
        if let Some(source) = crate::import::Source::of_document(path) {
            return self.document_report(path, shown, source);
        }
        self.report_for(shown.clone(), sheet::load_file_named(path, &shown, self.forms))
    }

    /// How the report names an input file (see [`Run::names_under`]).
    fn shown(&self, path: &std::path::Path) -> String {
        let relative = self.names_under.and_then(|dir| path.strip_prefix(dir).ok());
        relative.unwrap_or(path).display().to_string()
    }

    /// The report for a vendor document: imported against the run's
    /// document form, then checked as the sheet `kaiji import` would write,
    /// with the importer's account. A document that cannot be read as a
    /// sheet (damaged, a scan, another form) is an error for it alone.
    fn document_report(&self, path: &std::path::Path, shown: String, source: crate::import::Source) -> SheetReport {
        let form = match &self.document_form {
            Some(f) => Ok(f.clone()),
            None => self.forms.get(crate::form::DEFAULT_FORM).map_err(miette::Report::new),
        };
        let loaded = form.and_then(|form| {
            crate::import::load_document_file_named(path, &shown, source, &form, self.forms)
                .map_err(miette::Report::new)
        });
        match loaded {
            Ok((sheet, import)) => self.checked(shown, Arc::new(sheet), Some(Arc::new(import))),
            Err(e) => {
                let mut r = SheetReport::new(shown, None);
                r.errors.push(RunError::from_diagnostic(e));
                r.finalize(self.info.fail_on);
                r
            }
        }
    }

    /// The report for an argument that gave no sheet.
    fn unread(&self, arg: &str, message: String) -> SheetReport {
        let mut r = SheetReport::new(arg.to_string(), None);
        r.errors.push(RunError::new(message));
        r.finalize(self.info.fail_on);
        r
    }

    /// The report for a sheet already read (or the error reading it).
    pub fn report_for(&self, shown: String, loaded: Result<Sheet, sheet::SheetError>) -> SheetReport {
        match loaded {
            Ok(sheet) => self.checked(shown, Arc::new(sheet), None),
            Err(e) => {
                let mut r = SheetReport::new(shown, None);
                let location =
                    e.line_col().map(|(line, column)| crate::outcome::Location { path: e.path.clone(), line, column });
                let mut err = RunError::from_diagnostic(miette::Report::new(e));
                err.location = location;
                r.errors.push(err);
                r.finalize(self.info.fail_on);
                r
            }
        }
    }

    /// Apply every check to a loaded sheet.
    fn checked(
        &self,
        shown: String,
        sheet: Arc<Sheet>,
        import: Option<Arc<crate::import::DocumentImport>>,
    ) -> SheetReport {
        let mut report = SheetReport::new(shown, Some(sheet.clone()));
        report.import = import;
        for check in &self.checks {
            check.check(&sheet, &mut report);
        }
        report.finalize(self.info.fail_on);
        report
    }

    /// Evaluate every input and stream the reports to `renderer`.
    pub fn run(&self, inputs: &[Input], renderer: &mut dyn Renderer) -> io::Result<Summary> {
        self.run_with_progress(inputs, renderer, &|| {})
    }

    /// [`Runner::run`], calling `on_sheet` (from any worker thread) each
    /// time a sheet has been evaluated, e.g. to advance a progress bar.
    ///
    /// Sheets go through in batches: while the workers evaluate (and, when
    /// the renderer has an [`encoder`](Renderer::encoder), encode) one
    /// batch, this thread writes the previous one, so neither waits for the
    /// other and at most two batches are held at a time.
    pub fn run_with_progress(
        &self,
        inputs: &[Input],
        renderer: &mut dyn Renderer,
        on_sheet: &(dyn Fn() + Sync),
    ) -> io::Result<Summary> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(self.jobs)
            .stack_size(WORKER_STACK)
            .build()
            .map_err(io::Error::other)?;
        let batch = BATCH_PER_JOB * pool.current_num_threads().max(1);
        let mut summary = Summary { policies: self.info.policies.len(), ..Summary::default() };
        renderer.begin(&self.info)?;
        let encoder = renderer.encoder();
        let evaluate = |chunk: &[Input]| -> Vec<Evaluated> {
            pool.install(|| {
                chunk
                    .par_iter()
                    .map(|i| {
                        let report = self.evaluate(i);
                        on_sheet();
                        match &encoder {
                            // The report is dropped here, on the worker that
                            // allocated it: freeing every sheet on the writing
                            // thread contended with the workers' allocations.
                            Some(e) => {
                                let bytes = encode_exact(e.as_ref(), &report);
                                Evaluated::Encoded { status: report.status, skipped: report.no_policy_applied(), bytes }
                            }
                            None => Evaluated::Report(report),
                        }
                    })
                    .collect()
            })
        };
        std::thread::scope(|scope| -> io::Result<()> {
            let mut chunks = inputs.chunks(batch);
            let mut ready = chunks.next().map(evaluate);
            while let Some(done) = ready.take() {
                let next = chunks.next().map(|chunk| scope.spawn(move || evaluate(chunk)));
                let written = write_batch(done, renderer, &mut summary);
                // Join before returning an error, so no batch outlives the run.
                ready = next.map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)));
                written?;
            }
            Ok(())
        })?;
        for check in &self.checks {
            check.finish(&mut summary);
        }
        renderer.finish(&summary)?;
        Ok(summary)
    }
}

/// A sheet's report, or its verdict and output when the renderer encodes
/// on workers.
enum Evaluated {
    Report(SheetReport),
    Encoded { status: SheetStatus, skipped: bool, bytes: io::Result<Vec<u8>> },
}

/// Encode `report` into a buffer of exactly its size. The encoding is
/// written into a per-thread scratch buffer that keeps its capacity, then
/// copied once: growing a fresh buffer to a sheet of a hundred findings
/// moved its bytes a dozen times.
fn encode_exact(encoder: &dyn crate::report::SheetEncoder, report: &SheetReport) -> io::Result<Vec<u8>> {
    thread_local! {
        static SCRATCH: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    // Past this, a rare huge report does not stay held by the thread.
    const KEEP: usize = 4 << 20;
    SCRATCH.with_borrow_mut(|buf| {
        buf.clear();
        let done = encoder.encode(report, buf).map(|()| buf.as_slice().to_vec());
        if buf.capacity() > KEEP {
            *buf = Vec::new();
        }
        done
    })
}

fn write_batch(batch: Vec<Evaluated>, renderer: &mut dyn Renderer, summary: &mut Summary) -> io::Result<()> {
    for evaluated in batch {
        match evaluated {
            Evaluated::Report(report) => {
                summary.add(&report);
                renderer.sheet(&report)?;
            }
            Evaluated::Encoded { status, skipped, bytes } => {
                summary.add_sheet(status, skipped);
                renderer.sheet_encoded(&bytes?)?;
            }
        }
    }
    Ok(())
}

/// Paths of the inputs, for callers that only need files.
pub fn files(inputs: &[Input]) -> impl Iterator<Item = &PathBuf> {
    inputs.iter().filter_map(|i| match i {
        Input::File(p) => Some(p),
        Input::NoMatch { .. } | Input::NoSheet { .. } => None,
    })
}
/// The provenance of a run lives with the runner, which knows what a run
/// is made of: the result model itself knows no policies.
impl crate::outcome::Provenance {
    /// The provenance of a run over `forms`, with `policies` (if any ran)
    /// and a waiver file's digest.
    pub fn of(
        forms: &crate::form::FormRegistry,
        policies: Option<&crate::policy::PolicySet>,
        waivers: Option<crate::outcome::FileDigest>,
    ) -> crate::outcome::Provenance {
        let mut forms: Vec<crate::outcome::FormDigest> = forms
            .forms()
            .iter()
            .map(|f| crate::outcome::FormDigest { id: f.id.clone(), path: f.path.clone(), sha256: f.sha256.clone() })
            .collect();
        forms.sort_by(|a, b| a.id.cmp(&b.id));
        let (policies, builtin_pack) = match policies {
            Some(p) => (p.digests(), p.pack_digest().map(str::to_string)),
            None => (Vec::new(), None),
        };
        crate::outcome::Provenance { forms, policies, builtin_pack, waivers, ..crate::outcome::Provenance::default() }
    }
}
