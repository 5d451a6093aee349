use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use clap::Args;
use miette::IntoDiagnostic;

use kaiji::form::FormRegistry;
use kaiji::policytest;
use kaiji::policytest::run::TestFormat;
use kaiji::report::Style;

#[derive(Debug, Args)]
#[command(after_help = "\
Test cases live beside the policies, in POLICY_DIR/tests/*.toml:

  # policies/tests/auth-two-factor.toml   (policy: the file stem or a policy id)
  [[case]]
  name = \"17.1.d いいえ\"
  answers = { \"17.1.d\" = \"いいえ\" }     # overrides of the base sheet
  expect = \"fail\"                        # pass | fail | warn | error | skip
  questions = [\"17.1.d\"]                 # where its findings must point

Cases start from a built-in sheet that meets the baseline pack, or from
`base = \"PATH\"` (relative to the test file).

Examples:
  kaiji test                           the policies/ directory
  kaiji test hospital/ --require-coverage
  kaiji test hospital/ -f junit -o policy-tests.xml   for a CI's test view

Every policy is also run on a sheet with no answers: one that does not fail
it is reported as vacuous (a blank answer is never compliance).

Exit codes: 0 every case passed, 1 a case failed (or, with --require-coverage,
a policy has no case or is vacuous), 2 a policy directory or test file could
not be read.")]
pub struct TestArgs {
    /// Policy directories to test (default: policies/).
    #[arg(value_name = "POLICY_DIR")]
    pub dirs: Vec<PathBuf>,

    /// Fail when some policy has no test case, or passes a sheet with no answers.
    #[arg(long)]
    pub require_coverage: bool,

    /// Output format: human (default), json (schema kaiji.test/v1) or junit.
    #[arg(short, long, value_parser = super::values::parser::<TestFormat>(), default_value = "human")]
    pub format: TestFormat,

    /// Write the report to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    #[command(flatten)]
    pub limits: super::check::LimitArgs,
}

pub fn run(args: TestArgs, forms: &FormRegistry, form_files: &[PathBuf]) -> miette::Result<u8> {
    let dirs = if args.dirs.is_empty() {
        let default = PathBuf::from("policies");
        if !default.is_dir() {
            return Err(miette::miette!(
                help = "run it in a directory that has policies/, or give one: `kaiji test DIR`",
                "no policy directory `policies/` here"
            ));
        }
        vec![default]
    } else {
        args.dirs.clone()
    };
    // The report is never written over what the run reads: a policy, a
    // module, a test file (all under the directories), a catalog, and the
    // base sheets the cases name, known once the test files are read.
    let mut read = super::output::RunInputs::default();
    for d in &dirs {
        read.add_policy_arg(d);
    }
    read.add_form_catalogs(form_files);
    read.refuse_as_output(args.output.as_deref())?;
    let run = policytest::run::run(&dirs, args.limits.limits(), forms, args.require_coverage);
    read.add_owned("base sheet", run.base_files().map(Path::to_path_buf));
    read.refuse_as_output(args.output.as_deref())?;
    for e in run.read_errors() {
        eprintln!("{e}");
    }
    // Colour only for a terminal: a report written to a file has none.
    let style = Style::detect(args.output.is_none() && std::io::stdout().is_terminal());
    let report = run.render(args.format, &style).into_diagnostic()?;
    match &args.output {
        Some(path) => super::output::write_atomic(path, &report, true)?,
        None => super::output::print_bytes(&report)?,
    }
    Ok(run.exit_code())
}
