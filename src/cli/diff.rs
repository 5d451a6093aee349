use std::path::PathBuf;

use clap::{Args, ValueEnum};
use std::io::Write;
use std::sync::Arc;

use miette::IntoDiagnostic;

use super::output::{Output, WriteError};
use kaiji::diff;
use kaiji::form::FormRegistry;
use kaiji::policy::PolicySet;
use kaiji::report::SheetReport;
use kaiji::runner::Check;
use kaiji::sheet::{self, Sheet};
use kaiji::text::{PrintableDiagnostic, printable, printable_line};

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  kaiji diff vendors/aozora-2025.toml vendors/aozora-2026.toml
  kaiji diff old.toml new.toml -p hospital/          outcomes of the hospital's policies
  kaiji diff old.toml new.json -f json -o changes.json
  kaiji diff old.toml new.toml --no-policies         the sheets' contents only

Policy outcomes are compared with the built-in baseline pack unless -p is given.

Exit codes: 0 no differences, 1 differences, 2 a sheet could not be read or a
policy could not be evaluated on one of them.")]
pub struct DiffArgs {
    /// The earlier version of the sheet (TOML or JSON).
    #[arg(value_name = "OLD_SHEET")]
    pub old: PathBuf,

    /// The later version of the sheet.
    #[arg(value_name = "NEW_SHEET")]
    pub new: PathBuf,

    /// Policy file or directory whose outcomes to compare (repeatable).
    /// Default: the built-in baseline pack.
    #[arg(short, long = "policy", value_name = "POLICY_FILE_OR_DIR")]
    pub policies: Vec<PathBuf>,

    /// Compare only the sheets' contents, not policy outcomes.
    #[arg(long, conflicts_with = "policies")]
    pub no_policies: bool,

    /// Output format.
    #[arg(short, long, value_enum, default_value = "human")]
    pub format: DiffFormat,

    /// Write the diff to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    #[command(flatten)]
    pub limits: super::check::LimitArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// Aligned text with remark line diffs.
    Human,
    /// The `kaiji.diff/v1` JSON document.
    Json,
}

/// Load both sheets, reporting every one that cannot be read.
fn load_both(args: &DiffArgs, forms: &FormRegistry) -> Option<(Sheet, Sheet)> {
    let load = |p: &PathBuf| {
        sheet::load_file(p, forms).map_err(|e| eprintln!("{:?}", miette::Report::new(PrintableDiagnostic::new(&e))))
    };
    let (old, new) = (load(&args.old), load(&args.new));
    Some((old.ok()?, new.ok()?))
}

/// Evaluate `policies` on both sheets and record the outcomes that differ.
/// Returns whether every policy could be evaluated on both; the errors of
/// those that could not go to stderr.
fn compare_policies(d: &mut diff::SheetDiff, policies: &PolicySet, old: Sheet, new: Sheet) -> bool {
    let evaluate = |sheet: Sheet| {
        let sheet = Arc::new(sheet);
        let mut report = SheetReport::new(sheet.path.clone(), Some(sheet.clone()));
        policies.check(&sheet, &mut report);
        report
    };
    let (old, new) = (evaluate(old), evaluate(new));
    d.compare_policies(&old, &new);
    let mut clean = true;
    for r in [&old, &new] {
        for e in &r.errors {
            clean = false;
            match &e.detail {
                Some(detail) => eprintln!("{:?}", PrintableDiagnostic::report(detail)),
                None => eprintln!("{}: {}", printable_line(&r.path), printable(&e.message)),
            }
        }
    }
    clean
}

pub fn run(args: DiffArgs, forms: &FormRegistry) -> miette::Result<u8> {
    let policies = if args.no_policies {
        None
    } else {
        Some(super::check::load_policies(&args.policies, args.limits.limits(), forms)?)
    };
    let Some((old, new)) = load_both(&args, forms) else { return Ok(2) };
    let mut d = diff::diff(&old, &new);
    let evaluated = match &policies {
        Some(p) => compare_policies(&mut d, p, old, new),
        None => true,
    };
    let mut read = super::output::RunInputs::default();
    read.add("old sheet", &args.old).add("new sheet", &args.new);
    for p in &args.policies {
        read.add_policy_arg(p);
    }
    read.refuse_as_output(args.output.as_deref())?;
    let out = Output::open(args.output.as_deref())?;
    {
        let mut w = out.writer()?;
        // Write errors (a closed pipe included) go through WriteError, which
        // `kaiji diff … | head` ends on quietly.
        match args.format {
            DiffFormat::Human => diff::human::render(&d, &out.style(), &mut w).map_err(WriteError)?,
            DiffFormat::Json => {
                let text = serde_json::to_string_pretty(&diff::json::value(&d)).into_diagnostic()?;
                writeln!(w, "{text}").and_then(|()| w.flush()).map_err(WriteError)?;
            }
        }
    }
    out.commit()?;
    Ok(if evaluated { u8::from(d.is_changed()) } else { 2 })
}
