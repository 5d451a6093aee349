//! The command line. Each subcommand lives in its own file and only wires
//! arguments to the library; `main.rs` calls [`main`].

mod api;
#[cfg(feature = "synth")]
mod bench_data;
mod check;
mod coverage;
mod diff;
mod documents;
mod export;
mod form;
mod import;
mod init;
mod lint;
mod output;
mod progress;
#[cfg(feature = "serve")]
mod serve;
mod test;
mod values;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use kaiji::form::{Form, FormRegistry};

const AFTER_HELP: &str = "\
Examples:
  kaiji check examples/sheets/*.toml         check sheets against the built-in policies
  kaiji check vendors/ -p hospital/ -f json  your own policies, a JSON report
  kaiji lint examples/sheets/*.toml          check sheets for consistency
  kaiji lint 'vendors/**/*.toml' -f json     quoted globs are expanded by kaiji
  kaiji import vendor.txt -o vendor.toml     a vendor's PDF text (or .xlsx) as a sheet
  kaiji export vendor.toml -o vendor.xlsx    the sheet as a workbook in the form's layout
  kaiji form show 17.1.d                     print a question of the form
  kaiji form new mds.pdf --id mds-6.0 -o mds-6.0.toml   a catalog from a form's PDF or text
  kaiji lint --explain gating-conflict       what a lint rule checks
  kaiji diff old.toml new.toml               what changed between two versions
  kaiji coverage -p hospital/                questions no policy reads
  kaiji serve vendors/ --open                a page for the vendors' documents (127.0.0.1 only)
  kaiji init hospital my-policies            a policy repository to start from

Exit codes: 0 clean, 1 findings at or above --fail-on, 2 input or policy that could not be evaluated.";

#[derive(Debug, Parser)]
#[command(
    name = "kaiji",
    version,
    about = "Check medical-information security disclosure sheets (JAHIS/JIRA MDS/SDS) against your policies",
    long_about = "kaiji (開示) checks vendors' 医療情報セキュリティ開示書 (MDS/SDS, guideline 6.0) \
                  for consistency and against a hospital's acceptance criteria written as policies.",
    after_help = AFTER_HELP
)]
pub struct Cli {
    /// Load an extra form catalog (TOML), e.g. for MDS or another guideline version.
    #[arg(long = "form-file", value_name = "FILE", global = true)]
    pub form_files: Vec<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check sheets against policies (the built-in baseline pack unless -p) and the lint rules.
    Check(check::CheckArgs),
    /// Run the built-in consistency rules over sheets.
    Lint(lint::LintArgs),
    /// List the questions of a form, show one, or build a catalog from a form's text.
    Form(form::FormArgs),
    /// Print the reference of every function a policy can call (Markdown).
    Api(api::ApiArgs),
    /// Turn a vendor's sheet (PDF text or workbook) into a kaiji TOML sheet.
    Import(import::ImportArgs),
    /// Write a sheet out as a workbook in the form's layout, or as TOML/JSON.
    Export(export::ExportArgs),
    /// Show what changed between two versions of a vendor's sheet.
    Diff(diff::DiffArgs),
    /// Run the policies' declarative test cases (POLICY_DIR/tests/*.toml).
    Test(test::TestArgs),
    /// List the questions no policy read and the 備考 no policy looked at.
    Coverage(coverage::CoverageArgs),
    /// A local page (127.0.0.1 only): drop vendor documents, see the matrix, download the report.
    #[cfg(feature = "serve")]
    Serve(serve::ServeArgs),
    /// Start a hospital's policy repository or a vendor's sheet repository.
    Init(init::InitArgs),
    /// Write synthetic sheets (deterministic from a seed) for benchmarks and trials.
    #[cfg(feature = "synth")]
    BenchData(bench_data::BenchDataArgs),
}

/// Parse arguments, run, and turn the outcome into an exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        // `kaiji check … | head`: the reader has what it wanted.
        Err(report) if output::is_broken_pipe(&report) => ExitCode::SUCCESS,
        Err(report) => {
            // Errors quote their inputs (a sheet's line, a path).
            eprintln!("{:?}", kaiji::text::PrintableDiagnostic::report(&report));
            ExitCode::from(2)
        }
    }
}

/// Run a parsed command line; `Err` is a usage or setup problem (exit 2).
pub fn run(cli: Cli) -> miette::Result<u8> {
    let forms = load_forms(&cli.form_files)?;
    match cli.command {
        Command::Lint(args) => lint::run(args, &forms, &cli.form_files),
        Command::Form(args) => form::run(args, &forms, &cli.form_files),
        Command::Check(args) => check::run(args, &forms, &cli.form_files),
        Command::Api(args) => api::run(args),
        Command::Import(args) => import::run(args, &forms, &cli.form_files),
        Command::Export(args) => export::run(args, &forms, &cli.form_files),
        Command::Diff(args) => diff::run(args, &forms),
        Command::Test(args) => test::run(args, &forms, &cli.form_files),
        Command::Coverage(args) => coverage::run(args, &forms, &cli.form_files),
        #[cfg(feature = "serve")]
        Command::Serve(args) => serve::run(args, forms),
        Command::Init(args) => init::run(args, &forms),
        #[cfg(feature = "synth")]
        Command::BenchData(args) => bench_data::run(args, &forms),
    }
}

fn load_forms(files: &[PathBuf]) -> miette::Result<FormRegistry> {
    let mut forms = FormRegistry::builtin();
    for f in files {
        forms.add(Form::from_file(f)?);
    }
    Ok(forms)
}
