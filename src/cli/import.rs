use std::path::{Path, PathBuf};

use clap::Args;

use kaiji::form::{DEFAULT_FORM, FormRegistry};
use kaiji::import::{self, Source};
use kaiji::sheet::write;

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  kaiji import vendor.pdf -o vendor.toml
  kaiji import vendor.xlsx -o vendor.toml
  kaiji import sheet.ods --from xlsx > vendor.toml
  pdftotext -layout vendor.pdf vendor.txt && kaiji import vendor.txt -o vendor.toml

A PDF is read as printed: the chosen word circled or boxed, its cell shaded,
the other words greyed, a mark (● ■ ✓) beside it, only it printed, or a
checked form field. Rows whose marks do not single out one word are left
unanswered and listed with their page.

The account of the import (questions recognised, answered, unanswered, how
the answers were read, and what was not understood, with page, line or row
numbers) goes to stderr.")]
pub struct ImportArgs {
    /// The vendor's file: the sheet's PDF, text extracted from it, or a workbook.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// Input format (default: pdf for .pdf, xlsx for .xlsx/.xlsm/.xls/.xlsb/.ods, else text).
    #[arg(long, value_parser = super::values::parser::<Source>())]
    pub from: Option<Source>,

    /// Write the TOML sheet to OUT instead of stdout.
    #[arg(short, long, value_name = "OUT")]
    pub output: Option<PathBuf>,

    /// Overwrite OUT if it exists.
    #[arg(long)]
    pub force: bool,

    /// The form the sheet is filled against.
    #[arg(long, default_value = DEFAULT_FORM)]
    pub form: String,

    /// Keep what was read even when fewer than half the form's questions
    /// were recognised (by default that is an error: a damaged file, or
    /// another form).
    #[arg(long)]
    pub partial: bool,

    /// In a workbook, the worksheet that is the form (where more than one
    /// could be: the vendor's and a 記入例, two revisions).
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
}

pub fn run(args: ImportArgs, forms: &FormRegistry, form_files: &[PathBuf]) -> miette::Result<u8> {
    // Before the --force check: --force replaces an old output, never the input.
    let mut read = super::output::RunInputs::default();
    read.add("imported", &args.file);
    read.add_form_catalogs(form_files);
    read.refuse_as_output(args.output.as_deref())?;
    if let Some(out) = &args.output {
        super::output::refuse_overwrite(out, args.force)?;
    }
    let form = forms.get(&args.form)?;
    let source = args.from.unwrap_or_else(|| Source::from_path(&args.file));
    let shown = args.file.display().to_string();
    if source == Source::Text {
        // A kaiji sheet given to import (a JSON one to be made TOML, or a
        // hand-written one to be made canonical) is not a PDF's text: the
        // text importer would find "no line matches a question".
        let bytes = kaiji::walk::read_input(&args.file, kaiji::walk::InputKind::TextImport)?;
        if let Some(format) = std::str::from_utf8(&bytes).ok().and_then(kaiji::sheet::marks_a_sheet) {
            return convert_sheet(&args, &shown, bytes, format, forms);
        }
    }
    let options = import::ImportOptions { partial: args.partial, sheet: args.sheet.clone() };
    let imported = import::import_file(&args.file, source, &form, &options)?;
    let from = source.as_str();
    let header = [
        format!("Imported by kaiji from {shown} ({from}) against form {}.", form.id),
        format!("{}.", imported.report.to_string().lines().next().unwrap_or_default()),
    ];
    let toml = write::to_toml_fill_in(&imported.doc, &form, &header);
    write_out(&args, &toml)?;
    let target = args.output.as_ref().map(|o| format!(" → {}", o.display())).unwrap_or_default();
    let next = next_step(&imported.report, args.output.as_deref());
    // The account quotes what the input said where it was not understood.
    eprintln!("{}", kaiji::text::printable(&format!("kaiji import: {shown}{target}\n  {}\n{next}", imported.report)));
    Ok(0)
}

/// The account's last lines: what to do with the sheet just written.
fn next_step(report: &import::ImportReport, out: Option<&Path>) -> String {
    let toml = out.map_or_else(|| "SHEET.toml".to_string(), |o| o.display().to_string());
    let unanswered = report.questions - report.answered.min(report.questions);
    if unanswered == 0 {
        return format!("  next: kaiji check {toml}");
    }
    let xlsx = out.map_or_else(|| "SHEET.xlsx".to_string(), |o| o.with_extension("xlsx").display().to_string());
    format!(
        "  next: fill in the {unanswered} unanswered questions, either in {toml} (each is an entry without an \
         answer, under its question text) or in a workbook with drop-downs:\n    \
         kaiji export {toml} -o {xlsx}\n    \
         (choose はい/いいえ/対象外 or 該当/非該当 in the 回答 column; unanswered rows are highlighted)\n    \
         kaiji import {xlsx} -o {toml} --force\n  \
         then: kaiji check {toml}"
    )
}

/// `kaiji import` of a file that is already a kaiji sheet: load it (every
/// check of the loader applies) and write it as the canonical TOML import
/// writes, saying so on stderr.
fn convert_sheet(
    args: &ImportArgs,
    shown: &str,
    bytes: Vec<u8>,
    format: kaiji::sheet::SheetFormat,
    forms: &FormRegistry,
) -> miette::Result<u8> {
    let loaded = kaiji::sheet::load_bytes(shown, bytes, format, forms)?;
    let what = match format {
        kaiji::sheet::SheetFormat::Toml => "TOML",
        kaiji::sheet::SheetFormat::Json => "JSON",
    };
    let header = [format!("Converted by kaiji from {shown} (a kaiji {what} sheet) against form {}.", loaded.form.id)];
    let toml = write::to_toml(&loaded.to_doc(), Some(&loaded.form), &header);
    write_out(args, &toml)?;
    let target = args.output.as_ref().map(|o| format!(" → {}", o.display())).unwrap_or_default();
    eprintln!(
        "kaiji import: {shown}{target}\n  {shown} is already a kaiji sheet ({what}, form {}): written as canonical \
         TOML (answers in form order, remarks by number); nothing was imported",
        loaded.form.id
    );
    Ok(0)
}

fn write_out(args: &ImportArgs, toml: &str) -> miette::Result<()> {
    super::output::write_or_stdout(args.output.as_deref(), toml.as_bytes(), args.force)
}
