//! `kaiji coverage`: the questions no policy read and the 備考 no policy
//! looked at, on the given sheets or on the built-in base sheet and the
//! policy tests' sheets.

use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;

use super::output::{RunInputs, print, write_atomic};
use kaiji::form::FormRegistry;

#[derive(Debug, Args)]
#[command(after_help = "\
Without sheets, the policies run on the built-in all-compliant base sheet and on
every test case's sheet under each -p directory's tests/ (the sheets `kaiji test`
builds). A question counts as read when some policy read its answer on some sheet;
`in_scope(id)` reads the applicability gates above id.

Examples:
  kaiji coverage                          the built-in pack on the base sheet
  kaiji coverage -p hospital/             hospital/ on the base sheet and hospital/tests/
  kaiji coverage -p hospital/ vendors/ -f json

Exit codes: 0 the report was written, 2 a sheet or policy could not be read.")]
pub struct CoverageArgs {
    /// Sheet files, directories or glob patterns (default: the built-in base sheet and
    /// the policy tests' sheets).
    #[arg(value_name = "SHEET|GLOB")]
    pub sheets: Vec<String>,

    /// Policy file or directory (recursive; repeatable). Default: the built-in baseline pack.
    #[arg(short, long = "policy", value_name = "POLICY_FILE_OR_DIR")]
    pub policies: Vec<PathBuf>,

    /// Output format.
    #[arg(short, long, value_enum, default_value = "human")]
    pub format: CoverageFormat,

    /// Write the report to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    #[command(flatten)]
    pub limits: super::check::LimitArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CoverageFormat {
    Human,
    /// The `kaiji.coverage/v1` JSON report.
    Json,
}

pub fn run(args: CoverageArgs, forms: &FormRegistry, form_files: &[PathBuf]) -> miette::Result<u8> {
    let policies = super::check::load_policies(&args.policies, args.limits.limits(), forms)?;
    let mut failed = false;
    for e in policies.policies().iter().filter_map(|p| p.error()) {
        failed = true;
        match &e.detail {
            Some(d) => eprintln!("{:?}", kaiji::text::PrintableDiagnostic::report(d)),
            None => eprintln!("error: {}", kaiji::text::printable(&e.message)),
        }
    }
    // each sheet is evaluated as it is loaded and dropped after: memory
    // holds the paths and the gaps, not the sheets
    let mut report = kaiji::coverage::CoverageRun::new(policies);
    let inputs = if args.sheets.is_empty() { Vec::new() } else { super::output::expand_sheets(&args.sheets) };
    let mut read = RunInputs::default();
    read.add_sheets(&inputs);
    for p in &args.policies {
        read.add_policy_arg(p);
    }
    read.add_form_catalogs(form_files);
    read.refuse_as_output(args.output.as_deref())?;
    let mut bases = kaiji::policytest::Bases::default();
    if args.sheets.is_empty() {
        let base = kaiji::policytest::file::BUILTIN_BASE;
        let name = kaiji::policytest::file::BUILTIN_BASE_NAME;
        let sheet = kaiji::sheet::load_str(name, base.to_string(), kaiji::sheet::SheetFormat::Toml, forms)
            .map_err(|e| miette::miette!("the built-in base sheet does not load: {e}"))?;
        report.add(&Arc::new(sheet));
        for dir in args.policies.iter().filter(|p| p.is_dir()) {
            for file in kaiji::policytest::file::discover(dir) {
                let cases = kaiji::walk::read_input_text(&file, kaiji::walk::InputKind::PolicyTest)
                    .map_err(|e| e.reason())
                    .and_then(|text| kaiji::policytest::file::parse(&file, &text).map_err(|e| e.to_string()));
                match cases {
                    Ok(cases) => {
                        for case in cases {
                            match case.build_sheet_with(&mut bases, forms) {
                                Ok(s) => report.add(&Arc::new(s)),
                                Err(e) => {
                                    failed = true;
                                    eprintln!("error: {}: {}", file.display(), kaiji::text::printable(&e));
                                }
                            }
                        }
                    }
                    Err(e) => {
                        failed = true;
                        eprintln!("error: {}: {}", file.display(), kaiji::text::printable(&e));
                    }
                }
            }
        }
    } else {
        for input in &inputs {
            match input {
                kaiji::runner::Input::File(p) => match kaiji::sheet::load_file(p, forms) {
                    Ok(s) => report.add(&Arc::new(s)),
                    Err(e) => {
                        failed = true;
                        eprintln!("{:?}", miette::Report::new(kaiji::text::PrintableDiagnostic::new(&e)));
                    }
                },
                kaiji::runner::Input::NoMatch { pattern, .. } => {
                    failed = true;
                    eprintln!("error: {}: the pattern matched no sheet", kaiji::text::printable(pattern));
                }
                kaiji::runner::Input::NoSheet { dir, .. } => {
                    failed = true;
                    eprintln!("error: {}: the directory holds no sheet", kaiji::text::printable(dir));
                }
            }
        }
    }
    // The cases' base sheets are inputs too, known once the tests are read.
    read.add_owned("base sheet", bases.files().map(std::path::Path::to_path_buf));
    read.refuse_as_output(args.output.as_deref())?;
    let report = report.finish();
    let text = match args.format {
        CoverageFormat::Human => report.human(),
        CoverageFormat::Json => {
            let json = serde_json::to_string_pretty(&report).map_err(|e| miette::miette!("{e}"))?;
            format!("{}\n", kaiji::text::escape_json_controls(&json))
        }
    };
    match &args.output {
        Some(path) => write_atomic(path, text.as_bytes(), true)?,
        None => print(&text)?,
    }
    Ok(if failed { 2 } else { 0 })
}
