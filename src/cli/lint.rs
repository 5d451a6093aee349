use clap::Args;

use super::output::{ReportArgs, RunInputs, print, render_run};
use kaiji::form::FormRegistry;
use kaiji::outcome::RunCommand;
use kaiji::runner::Run;

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  kaiji lint examples/sheets/*.toml
  kaiji lint 'vendors/*.toml' -f json -o lint.json
  kaiji lint --list-rules
  kaiji lint --explain unanswered")]
pub struct LintArgs {
    /// Sheets and vendor documents: files, directories or glob patterns (quote globs to
    /// let kaiji expand them). Documents (.pdf, .xlsx/.xlsm/.xls/.xlsb/.ods, .txt) are
    /// imported in the run, as `kaiji import` would, and their import account reported.
    /// A directory is searched for sheets (.toml/.json) and documents, not entering hidden
    /// directories or target/; what it finds that is not a sheet (TOML/JSON without a
    /// top-level [sheet] or [answers], text without the form's title) is skipped with a
    /// note, and a document with a sheet of the same name beside it (acme.pdf, acme.toml)
    /// gives way to the sheet. A file named here is always read.
    #[arg(value_name = "SHEET|DOCUMENT|GLOB", required_unless_present_any = ["list_rules", "explain"])]
    pub sheets: Vec<String>,

    #[command(flatten)]
    pub report: ReportArgs,

    #[command(flatten)]
    pub documents: super::documents::DocumentArgs,

    /// List the lint rules and exit.
    #[arg(long)]
    pub list_rules: bool,

    /// Explain one lint rule and exit.
    #[arg(long, value_name = "RULE")]
    pub explain: Option<String>,

    /// For an imported sheet, read the vendor's file its [source] names
    /// where it lies beside the sheet, and report `source-changed` (an
    /// error) when its SHA-256 is not the one recorded.
    #[arg(long)]
    pub verify_source: bool,
}

pub fn run(args: LintArgs, forms: &FormRegistry, form_files: &[std::path::PathBuf]) -> miette::Result<u8> {
    if args.list_rules {
        let list: String = kaiji::lint::RULES
            .iter()
            .map(|r| format!("{:<20} {:<8} {}\n", r.info().name, r.info().severity.as_str(), r.info().summary))
            .collect();
        print(&list)?;
        return Ok(0);
    }
    if let Some(name) = &args.explain {
        let Some(rule) = kaiji::lint::rule(name) else {
            let hint = suggest_rule(name).map(|s| format!(" — did you mean {s}?")).unwrap_or_default();
            miette::bail!(
                code = "kaiji::usage::unknown_rule",
                help = "`kaiji lint --list-rules` lists them",
                "no lint rule named `{name}`{hint}"
            );
        };
        print(&rule.info().explain())?;
        return Ok(0);
    }
    let inputs = args.documents.expand(&args.sheets);
    let mut read = RunInputs::default();
    read.add_sheets(&inputs);
    read.add_form_catalogs(form_files);
    read.refuse_as_output(args.report.output.as_deref())?;
    // Before any sheet is evaluated: a contradicting -f/-o is a usage error.
    // After the check above, whose message matters more.
    args.report.resolved_format()?;
    let verify = kaiji::lint::verify_source::VerifySource;
    let save = args.documents.save(&inputs)?;
    let mut run = args.documents.apply(Run::new(RunCommand::Lint, forms).lint(true), forms, save.as_ref())?;
    if args.verify_source {
        run = run.check(&verify);
    }
    let runner = run.fail_on(args.report.fail_on).jobs(args.report.jobs).date(super::output::report_date(None)).build();
    let summary = render_run(&runner, &inputs, &args.report)?;
    Ok(summary.exit_code())
}

/// The rules `name` probably means: those with `name` as one of their
/// dash-separated words (`gating` → `gating-conflict`; edit distance alone
/// finds nothing for a short word of a long name), else the nearest by
/// edit distance.
fn suggest_rule(name: &str) -> Option<String> {
    let names = || kaiji::lint::RULES.iter().map(|r| r.info().name);
    let word = name.trim().to_ascii_lowercase();
    let by_word: Vec<String> =
        names().filter(|n| !word.is_empty() && n.split('-').any(|w| w == word)).map(|n| format!("`{n}`")).collect();
    if !by_word.is_empty() {
        return Some(by_word.join(" or "));
    }
    kaiji::text::did_you_mean(&word, names()).map(|n| format!("`{n}`"))
}
