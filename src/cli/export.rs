use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use miette::IntoDiagnostic;

use super::import::refuse_overwrite;
use super::output::write_atomic;
use crate::form::FormRegistry;
use crate::sheet::{self, write};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// A workbook in the form's layout (needs -o).
    Xlsx,
    /// Canonical TOML.
    Toml,
    /// JSON with the same structure.
    Json,
}

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  kaiji export vendor.toml -o vendor.xlsx        the familiar workbook, from the TOML
  kaiji export vendor.json -f toml -o vendor.toml
  kaiji export vendor.toml -f json               JSON to stdout")]
pub struct ExportArgs {
    /// The sheet file (TOML or JSON).
    #[arg(value_name = "SHEET")]
    pub sheet: PathBuf,

    /// Output format (default: from the -o extension, else toml).
    #[arg(short, long, value_enum)]
    pub format: Option<ExportFormat>,

    /// Write to FILE (stdout for toml/json when absent).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Overwrite FILE if it exists.
    #[arg(long)]
    pub force: bool,
}

fn format_of(path: &Path) -> Option<ExportFormat> {
    match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
        "xlsx" => Some(ExportFormat::Xlsx),
        "json" => Some(ExportFormat::Json),
        "toml" => Some(ExportFormat::Toml),
        _ => None,
    }
}

pub fn run(args: ExportArgs, forms: &FormRegistry, form_files: &[PathBuf]) -> miette::Result<u8> {
    let format = args.format.or_else(|| args.output.as_deref().and_then(format_of)).unwrap_or(ExportFormat::Toml);
    if format == ExportFormat::Xlsx && args.output.is_none() {
        miette::bail!(help = "e.g. kaiji export sheet.toml -o sheet.xlsx", "an xlsx export needs -o FILE");
    }
    // Before the --force check: --force replaces an old output, never the input.
    let mut read = super::output::RunInputs::default();
    read.add("sheet", &args.sheet);
    for f in form_files {
        read.add("form catalog", f);
    }
    read.refuse_as_output(args.output.as_deref())?;
    if let Some(out) = &args.output {
        refuse_overwrite(out, args.force)?;
    }
    let loaded = sheet::load_file(&args.sheet, forms)?;
    let doc = loaded.to_doc();
    let bytes = match format {
        ExportFormat::Xlsx => crate::export::to_xlsx(&doc, &loaded.form)?,
        ExportFormat::Toml => write::to_toml(&doc, Some(&loaded.form), &[]).into_bytes(),
        ExportFormat::Json => write::to_json(&doc).into_bytes(),
    };
    match &args.output {
        Some(out) => write_atomic(out, &bytes, args.force)?,
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(&bytes).into_diagnostic()?;
            stdout.flush().into_diagnostic()?;
        }
    }
    Ok(0)
}
