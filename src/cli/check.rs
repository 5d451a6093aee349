use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use super::output::{ReportArgs, RunInputs, print, render_run};
use kaiji::form::FormRegistry;
use kaiji::outcome::RunCommand;
use kaiji::policy::{Limits, PolicySet};
use kaiji::runner::Run;
use kaiji::text::printable_line;
use kaiji::waiver::{WaiverCheck, WaiverSet};

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  kaiji check examples/sheets/*.toml                  the built-in baseline policies
  kaiji check 'vendors/**/*.toml' -p hospital/ -f json -o report.json
  kaiji check vendor.toml -p policies/auth.rhai --no-lint
  kaiji check vendors/ --fail-on warning              warnings fail too
  kaiji check --list-policies -p hospital/            what would run
  kaiji check vendor.toml --explain                   what each policy read, and its verdict
  kaiji check vendors/ --waivers waivers.toml         accepted deviations count as waived
  kaiji check vendors/ -p auth/ --waivers hospital.toml --strict-waivers
                                                      stale waivers (their policy not in the run,
                                                      or matching nothing) exit 2, for CI

Exit codes: 0 nothing at or above --fail-on, 1 some finding at or above it,
2 some sheet or policy could not be evaluated (everything else is still reported).")]
pub struct CheckArgs {
    /// Sheets and vendor documents: files, directories or glob patterns (quote globs to
    /// let kaiji expand them). Documents (.pdf, .xlsx/.xlsm/.xls/.xlsb/.ods, .txt) are
    /// imported in the run, as `kaiji import` would, and their import account reported.
    /// A directory is searched for sheets (.toml/.json) and documents, not entering hidden
    /// directories or target/; what it finds that is not a sheet (TOML/JSON without a
    /// top-level [sheet] or [answers], text without the form's title) is skipped with a
    /// note, and a document with a sheet of the same name beside it (acme.pdf, acme.toml)
    /// gives way to the sheet. A file named here is always read.
    #[arg(value_name = "SHEET|DOCUMENT|GLOB", required_unless_present = "list_policies")]
    pub sheets: Vec<String>,

    /// Policy file or directory (recursive; repeatable). Default: the built-in baseline pack.
    #[arg(short, long = "policy", value_name = "POLICY_FILE_OR_DIR")]
    pub policies: Vec<PathBuf>,

    #[command(flatten)]
    pub report: ReportArgs,

    #[command(flatten)]
    pub documents: super::documents::DocumentArgs,

    /// Skip the built-in lint rules; run only the policies.
    #[arg(long)]
    pub no_lint: bool,

    /// Accepted deviations: a TOML file of [[waiver]] entries (policy, vendor/service,
    /// optional question, reason, approver, expires). Matching failures are reported
    /// as waived; expired and stale waivers (matched nothing, or their policy is not in
    /// this run) are reported as warnings and the run goes on.
    #[arg(long, value_name = "FILE")]
    pub waivers: Option<PathBuf>,

    /// Make a stale waiver (one that matched nothing, or whose policy is not in this run)
    /// an error: exit 2 after the report, for CI that keeps the waiver file tidy.
    #[arg(long, requires = "waivers")]
    pub strict_waivers: bool,

    /// For every policy on every sheet, the sheet values it read, in order (question ids
    /// and answers, remark numbers, metadata, text helpers' results), with the verdict:
    /// under each sheet in human output, an `explain` array per policy outcome in JSON,
    /// and in the html drill-down.
    #[arg(long)]
    pub explain: bool,

    /// The date the report is for (YYYY-MM-DD): stated in the report's provenance, and
    /// the day waivers are judged on (default: today, and no date in the report unless
    /// SOURCE_DATE_EPOCH is set, so reports stay byte-stable).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub date: Option<jiff::civil::Date>,

    /// List the policies that would run (id, title, file) and exit.
    #[arg(long)]
    pub list_policies: bool,

    #[command(flatten)]
    pub limits: LimitArgs,
}

/// The sandbox limits, per evaluation of one policy on one sheet. None can
/// be switched off: 0 is refused (Rhai would read it as "unlimited").
#[derive(Debug, Args)]
#[command(next_help_heading = "Sandbox limits (per policy and sheet; 0 is refused)")]
pub struct LimitArgs {
    /// Operations a policy may run.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_operations,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub max_operations: u64,
    /// Wall-clock time in milliseconds, native helpers included.
    #[arg(long, value_name = "MS", default_value_t = Limits::default().timeout.as_millis() as u64,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub timeout_ms: u64,
    /// Nested function calls (at most 256).
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_call_depth as u16,
          value_parser = clap::value_parser!(u16).range(1..=256))]
    pub max_call_depth: u16,
    /// Nesting of expressions in a policy's text (at most 256).
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_expr_depth as u16,
          value_parser = clap::value_parser!(u16).range(1..=256))]
    pub max_expr_depth: u16,
    /// Bytes in one string.
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().max_string_size as u64,
          value_parser = clap::value_parser!(u64).range(1..=u32::MAX as u64))]
    pub max_string_size: u64,
    /// Elements in one array.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_array_size as u64,
          value_parser = clap::value_parser!(u64).range(1..=u32::MAX as u64))]
    pub max_array_size: u64,
    /// Entries in one object map.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_map_size as u64,
          value_parser = clap::value_parser!(u64).range(1..=u32::MAX as u64))]
    pub max_map_size: u64,
    /// Memory one evaluation may hold, in MiB (closures' captures included).
    #[arg(long, value_name = "MIB", default_value_t = (Limits::default().max_memory >> 20) as u64,
          value_parser = clap::value_parser!(u64).range(1..=1 << 20))]
    pub max_memory: u64,
}

impl LimitArgs {
    pub fn limits(&self) -> Limits {
        // The ranges above keep every value within usize on 32-bit targets.
        let size = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
        Limits {
            max_operations: self.max_operations,
            max_call_depth: usize::from(self.max_call_depth),
            max_expr_depth: usize::from(self.max_expr_depth),
            max_string_size: size(self.max_string_size),
            max_array_size: size(self.max_array_size),
            max_map_size: size(self.max_map_size),
            max_memory: size(self.max_memory).saturating_mul(1 << 20),
            timeout: Duration::from_millis(self.timeout_ms),
        }
    }
}

/// The policies of `-p` paths, or the built-in pack when there are none.
pub fn load_policies(paths: &[PathBuf], limits: Limits, forms: &FormRegistry) -> miette::Result<PolicySet> {
    let set = if paths.is_empty() { PolicySet::builtin(limits) } else { PolicySet::load(paths, limits)? };
    Ok(set.check_forms(forms))
}

pub fn run(args: CheckArgs, forms: &FormRegistry, form_files: &[PathBuf]) -> miette::Result<u8> {
    let policies = load_policies(&args.policies, args.limits.limits(), forms)?.explain(args.explain);
    if args.list_policies {
        let mut list = String::new();
        let mut broken = 0;
        for p in policies.policies() {
            let state = if p.error().is_some() { "  (cannot run: see below)" } else { "" };
            // A policy's id, title and path are shown as any file's text.
            let (id, title, path) = (printable_line(p.id()), printable_line(&p.meta().title), printable_line(p.path()));
            list.push_str(&format!("{:<16} {title}  [{path}]{state}\n", id));
        }
        print(&list)?;
        for e in policies.policies().iter().filter_map(|p| p.error()) {
            broken += 1;
            match &e.detail {
                Some(d) => eprintln!("{:?}", kaiji::text::PrintableDiagnostic::report(d)),
                None => eprintln!("error: {}", kaiji::text::printable(&e.message)),
            }
        }
        return Ok(if broken > 0 { 2 } else { 0 });
    }
    let waivers = match &args.waivers {
        Some(path) => Some(load_waivers(path, &policies, forms, args.date)?),
        None => None,
    };
    let inputs = args.documents.expand(&args.sheets);
    let mut read = RunInputs::default();
    read.add_sheets(&inputs);
    for p in &args.policies {
        read.add_policy_arg(p);
    }
    if let Some(w) = &args.waivers {
        read.add("waiver", w);
    }
    read.add_form_catalogs(form_files);
    read.refuse_as_output(args.report.output.as_deref())?;
    // Before any sheet is evaluated: a contradicting -f/-o is a usage error.
    // After the check above, whose message matters more.
    args.report.resolved_format()?;
    let save = args.documents.save(&inputs)?;
    let run = Run::new(RunCommand::Check, forms);
    let mut run = args
        .documents
        .apply(run, forms, save.as_ref())?
        .lint(!args.no_lint)
        .policies(&policies)
        .fail_on(args.report.fail_on)
        .jobs(args.report.jobs)
        .date(super::output::report_date(args.date));
    if let Some(w) = &waivers {
        run = run.waivers(w);
    }
    let summary = render_run(&run.build(), &inputs, &args.report)?;
    // Expired and stale waivers concern the hospital, not one sheet: say so on
    // stderr whatever the format (machine formats also carry them).
    if let Some(w) = &waivers {
        print_waiver_warnings(w);
    }
    if args.strict_waivers && waivers.as_ref().is_some_and(WaiverCheck::any_stale) {
        eprintln!(
            "error: --strict-waivers: the waiver file has stale waivers (see the warnings above); \
             remove or correct them, or drop --strict-waivers"
        );
        return Ok(2);
    }
    Ok(summary.exit_code())
}

/// Read and validate the waiver file; a malformed file stops the run (exit
/// 2). Waivers whose policy is not among this run's policies and lint rules
/// are reported stale, not refused: one hospital-wide file serves runs of
/// part of the pack.
fn load_waivers(
    path: &std::path::Path,
    policies: &PolicySet,
    forms: &FormRegistry,
    date: Option<jiff::civil::Date>,
) -> miette::Result<WaiverCheck> {
    let set = WaiverSet::load(path)?;
    let rules: Vec<&str> =
        policies.policies().iter().map(|p| p.id()).chain(kaiji::lint::RULES.iter().map(|r| r.info().name)).collect();
    set.validate(forms)?;
    Ok(WaiverCheck::new(set, date.unwrap_or_else(WaiverCheck::local_today)).in_run(rules.iter().copied()))
}

/// The expired and stale waivers on stderr: the first
/// [`kaiji::text::DIAGNOSTICS_SHOWN`], sharing one printable copy of the
/// file, then how many more (a copy per warning was quadratic: 10,000
/// stale waivers took most of a minute).
fn print_waiver_warnings(waivers: &WaiverCheck) {
    let warnings = waivers.warnings();
    let shown = warnings.len().min(kaiji::text::DIAGNOSTICS_SHOWN);
    let diags = warnings[..shown].iter().map(|w| w as &dyn miette::Diagnostic);
    for d in kaiji::text::PrintableDiagnostic::each(diags) {
        eprintln!("{:?}", miette::Report::new(d));
    }
    if warnings.len() > shown {
        eprintln!(
            "warning: … and {} more expired or stale waivers in {}, not shown; -f json lists every waiver \
             with its status",
            warnings.len() - shown,
            kaiji::text::printable_line(&waivers.set().path)
        );
    }
}
