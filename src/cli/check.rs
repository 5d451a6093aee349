use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use super::output::{ReportArgs, print, render_run};
use crate::form::FormRegistry;
use crate::policy::{Limits, PolicySet};
use crate::report::RunInfo;
use crate::runner::{self, Check, LintCheck, Runner};
use crate::waiver::{WaiverCheck, WaiverSet};

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  kaiji check examples/sheets/*.toml                  the built-in baseline policies
  kaiji check 'vendors/**/*.toml' -p hospital/ -f json -o report.json
  kaiji check vendor.toml -p policies/auth.rhai --no-lint
  kaiji check vendors/ --fail-on warning              warnings fail too
  kaiji check --list-policies -p hospital/            what would run
  kaiji check vendors/ --waivers waivers.toml         accepted deviations count as waived

Exit codes: 0 nothing at or above --fail-on, 1 some finding at or above it,
2 some sheet or policy could not be evaluated (everything else is still reported).")]
pub struct CheckArgs {
    /// Sheet files, directories or glob patterns (quote globs to let kaiji expand them).
    #[arg(value_name = "SHEET|GLOB", required_unless_present = "list_policies")]
    pub sheets: Vec<String>,

    /// Policy file or directory (recursive; repeatable). Default: the built-in baseline pack.
    #[arg(short, long = "policy", value_name = "POLICY_FILE_OR_DIR")]
    pub policies: Vec<PathBuf>,

    #[command(flatten)]
    pub report: ReportArgs,

    /// Skip the built-in lint rules; run only the policies.
    #[arg(long)]
    pub no_lint: bool,

    /// Accepted deviations: a TOML file of [[waiver]] entries (policy, vendor/service,
    /// optional question, reason, approver, expires). Matching failures are reported
    /// as waived; expired and stale waivers are reported too.
    #[arg(long, value_name = "FILE")]
    pub waivers: Option<PathBuf>,

    /// List the policies that would run (id, title, file) and exit.
    #[arg(long)]
    pub list_policies: bool,

    #[command(flatten)]
    pub limits: LimitArgs,
}

/// The sandbox limits of DESIGN §4, per evaluation of one policy on one sheet.
#[derive(Debug, Args)]
#[command(next_help_heading = "Sandbox limits (per policy and sheet)")]
pub struct LimitArgs {
    /// Operations a policy may run.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_operations)]
    pub max_operations: u64,
    /// Wall-clock time in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = Limits::default().timeout.as_millis() as u64)]
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
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().max_string_size)]
    pub max_string_size: usize,
    /// Elements in one array.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_array_size)]
    pub max_array_size: usize,
    /// Entries in one object map.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_map_size)]
    pub max_map_size: usize,
}

impl LimitArgs {
    pub fn limits(&self) -> Limits {
        Limits {
            max_operations: self.max_operations,
            max_call_depth: usize::from(self.max_call_depth),
            max_expr_depth: usize::from(self.max_expr_depth),
            max_string_size: self.max_string_size,
            max_array_size: self.max_array_size,
            max_map_size: self.max_map_size,
            timeout: Duration::from_millis(self.timeout_ms),
        }
    }
}

/// The policies of `-p` paths, or the built-in pack when there are none.
pub fn load_policies(paths: &[PathBuf], limits: Limits) -> miette::Result<PolicySet> {
    if paths.is_empty() { Ok(PolicySet::builtin(limits)) } else { Ok(PolicySet::load(paths, limits)?) }
}

pub fn run(args: CheckArgs, forms: &FormRegistry) -> miette::Result<u8> {
    let policies = load_policies(&args.policies, args.limits.limits())?;
    if args.list_policies {
        let mut list = String::new();
        for p in policies.policies() {
            let state = if p.error().is_some() { "  (does not compile)" } else { "" };
            list.push_str(&format!("{:<16} {}  [{}]{state}\n", p.id(), p.meta().title, p.path()));
        }
        print(&list)?;
        return Ok(0);
    }
    let waivers = match &args.waivers {
        Some(path) => Some(load_waivers(path, &policies, forms)?),
        None => None,
    };
    let inputs = runner::expand(&args.sheets);
    let lint = LintCheck;
    let mut checks: Vec<&dyn Check> = Vec::new();
    if !args.no_lint {
        checks.push(&lint);
    }
    checks.push(&policies);
    // Last: waivers see every finding the other checks raised.
    if let Some(w) = &waivers {
        checks.push(w);
    }
    let runner = Runner { forms, checks, fail_on: args.report.fail_on, jobs: args.report.jobs };
    let info =
        RunInfo { command: "check", policies: policies.infos(), fail_on: args.report.fail_on, lint: !args.no_lint };
    let summary = render_run(&runner, &inputs, &info, &args.report)?;
    // Expired and stale waivers concern the hospital, not one sheet: say so on
    // stderr whatever the format (machine formats also carry them).
    for warning in waivers.iter().flat_map(WaiverCheck::warnings) {
        eprintln!("{:?}", miette::Report::new(crate::text::PrintableDiagnostic::new(&warning)));
    }
    Ok(summary.exit_code() as u8)
}

/// Read and validate the waiver file against the policies and lint rules of
/// this run; any problem stops the run (exit 2).
fn load_waivers(path: &std::path::Path, policies: &PolicySet, forms: &FormRegistry) -> miette::Result<WaiverCheck> {
    let set = WaiverSet::load(path)?;
    let rules: Vec<&str> =
        policies.policies().iter().map(|p| p.id()).chain(crate::lint::RULES.iter().map(|r| r.info().name)).collect();
    set.validate(forms, rules.iter().copied())?;
    Ok(WaiverCheck::new(set, WaiverCheck::local_today()))
}
