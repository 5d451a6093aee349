use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use super::output::refuse_overwrite;
use kaiji::form::FormRegistry;
use kaiji::sheet::{self, write};

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

    /// Output format (default: from the -o extension .xlsx/.toml/.json, else toml to stdout;
    /// another -o extension needs -f, and .xls/.csv/.ods are refused).
    #[arg(short, long, value_enum)]
    pub format: Option<ExportFormat>,

    /// Write to FILE (stdout for toml/json when absent).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Overwrite FILE if it exists.
    #[arg(long)]
    pub force: bool,
}

impl ExportFormat {
    fn name(self) -> &'static str {
        match self {
            ExportFormat::Xlsx => "xlsx",
            ExportFormat::Toml => "toml",
            ExportFormat::Json => "json",
        }
    }
}

fn extension(path: &Path) -> Option<String> {
    Some(path.extension()?.to_str()?.to_ascii_lowercase())
}

fn format_of(ext: &str) -> Option<ExportFormat> {
    match ext {
        "xlsx" => Some(ExportFormat::Xlsx),
        "json" => Some(ExportFormat::Json),
        "toml" => Some(ExportFormat::Toml),
        _ => None,
    }
}

/// Formats people ask for by extension that export cannot write: a TOML
/// text named `.xls` or `.csv` would open as garbage, whatever -f says.
const UNWRITABLE: &[&str] = &["xls", "xlsm", "xlsb", "ods", "csv", "tsv"];

/// The format to write: -f, else the -o extension, else TOML (stdout). An
/// -o extension that names no format is refused without -f, as `check`
/// does, rather than getting TOML silently; one that names a format export
/// cannot write is refused even with -f.
fn resolve(flag: Option<ExportFormat>, out: Option<&Path>) -> miette::Result<ExportFormat> {
    let Some(out) = out else { return Ok(flag.unwrap_or(ExportFormat::Toml)) };
    let ext = extension(out);
    if let Some(e) = ext.as_deref().filter(|e| UNWRITABLE.contains(e)) {
        miette::bail!(
            code = "kaiji::usage::export_format",
            help = "name the file .xlsx (the form's workbook, which Excel and LibreOffice open), .toml or .json",
            "kaiji export cannot write .{e} files (-o {}); it writes xlsx, toml and json; nothing was written",
            out.display()
        );
    }
    match (flag, ext.as_deref().and_then(format_of)) {
        (Some(given), Some(named)) if given != named => {
            Err(super::output::format_conflict(given.name(), out, named.name()))
        }
        (Some(given), _) => Ok(given),
        (None, Some(named)) => Ok(named),
        // A stream (`-o /dev/stdout`) has no extension: TOML, as on stdout.
        (None, None) if super::output::is_stream(out) => Ok(ExportFormat::Toml),
        (None, None) => miette::bail!(
            code = "kaiji::usage::export_format",
            help = "name the file .xlsx, .toml or .json, or add -f xlsx|toml|json",
            "cannot tell what to write to -o {} from {}; kaiji export writes xlsx, toml and json; nothing was written",
            out.display(),
            ext.map(|e| format!("the extension `.{e}`")).unwrap_or_else(|| "its name (no extension)".into())
        ),
    }
}

pub fn run(args: ExportArgs, forms: &FormRegistry, form_files: &[PathBuf]) -> miette::Result<u8> {
    // Before the --force check: --force replaces an old output, never the input.
    let mut read = super::output::RunInputs::default();
    read.add("sheet", &args.sheet);
    read.add_form_catalogs(form_files);
    read.refuse_as_output(args.output.as_deref())?;
    let format = resolve(args.format, args.output.as_deref())?;
    if format == ExportFormat::Xlsx && args.output.is_none() {
        miette::bail!(help = "e.g. kaiji export sheet.toml -o sheet.xlsx", "an xlsx export needs -o FILE");
    }
    if let Some(out) = &args.output {
        refuse_overwrite(out, args.force)?;
    }
    let loaded = sheet::load_file(&args.sheet, forms)?;
    let doc = loaded.to_doc();
    let bytes = match format {
        ExportFormat::Xlsx => kaiji::export::to_xlsx(&doc, &loaded.form)?,
        ExportFormat::Toml => write::to_toml(&doc, Some(&loaded.form), &[]).into_bytes(),
        ExportFormat::Json => write::to_json(&doc).into_bytes(),
    };
    super::output::write_or_stdout(args.output.as_deref(), &bytes, args.force)?;
    Ok(0)
}
