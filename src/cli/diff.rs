use std::path::PathBuf;

use clap::{Args, ValueEnum};
use std::io::Write;

use miette::IntoDiagnostic;

use super::output::Output;
use crate::diff;
use crate::form::FormRegistry;
use crate::sheet::{self, Sheet};

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  kaiji diff vendors/aozora-2025.toml vendors/aozora-2026.toml
  kaiji diff old.toml new.json -f json -o changes.json

Exit codes: 0 no differences, 1 differences, 2 a sheet could not be read.")]
pub struct DiffArgs {
    /// The earlier version of the sheet (TOML or JSON).
    #[arg(value_name = "OLD_SHEET")]
    pub old: PathBuf,

    /// The later version of the sheet.
    #[arg(value_name = "NEW_SHEET")]
    pub new: PathBuf,

    /// Output format.
    #[arg(short, long, value_enum, default_value = "human")]
    pub format: DiffFormat,

    /// Write the diff to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
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
    let load = |p: &PathBuf| sheet::load_file(p, forms).map_err(|e| eprintln!("{:?}", miette::Report::new(e)));
    let (old, new) = (load(&args.old), load(&args.new));
    Some((old.ok()?, new.ok()?))
}

pub fn run(args: DiffArgs, forms: &FormRegistry) -> miette::Result<u8> {
    let Some((old, new)) = load_both(&args, forms) else { return Ok(2) };
    let d = diff::diff(&old, &new);
    let out = Output::open(args.output.as_deref())?;
    {
        let mut w = out.writer()?;
        match args.format {
            DiffFormat::Human => diff::human::render(&d, &out.style(), &mut w).into_diagnostic()?,
            DiffFormat::Json => {
                serde_json::to_writer_pretty(&mut w, &diff::json::value(&d)).into_diagnostic()?;
                writeln!(w).into_diagnostic()?;
                w.flush().into_diagnostic()?;
            }
        }
    }
    out.commit()?;
    Ok(u8::from(d.is_changed()))
}
