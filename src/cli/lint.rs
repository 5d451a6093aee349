use clap::Args;

use super::output::{ReportArgs, RunInputs, print, render_run};
use crate::form::FormRegistry;
use crate::report::RunInfo;
use crate::runner::{self, LintCheck, Runner};

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  kaiji lint examples/sheets/*.toml
  kaiji lint 'vendors/*.toml' -f json -o lint.json
  kaiji lint --list-rules
  kaiji lint --explain unanswered")]
pub struct LintArgs {
    /// Sheet files, directories or glob patterns (quote globs to let kaiji expand them).
    #[arg(value_name = "SHEET|GLOB", required_unless_present_any = ["list_rules", "explain"])]
    pub sheets: Vec<String>,

    #[command(flatten)]
    pub report: ReportArgs,

    /// List the lint rules and exit.
    #[arg(long)]
    pub list_rules: bool,

    /// Explain one lint rule and exit.
    #[arg(long, value_name = "RULE")]
    pub explain: Option<String>,
}

pub fn run(args: LintArgs, forms: &FormRegistry, form_files: &[std::path::PathBuf]) -> miette::Result<u8> {
    if args.list_rules {
        let list: String = crate::lint::RULES
            .iter()
            .map(|r| format!("{:<20} {:<8} {}\n", r.info().name, r.info().severity.as_str(), r.info().summary))
            .collect();
        print(&list)?;
        return Ok(0);
    }
    if let Some(name) = &args.explain {
        let Some(rule) = crate::lint::rule(name) else {
            let names = crate::lint::RULES.iter().map(|r| r.info().name);
            let hint =
                crate::text::did_you_mean(name, names).map(|s| format!(" — did you mean `{s}`?")).unwrap_or_default();
            miette::bail!("no lint rule named `{name}`{hint}; `kaiji lint --list-rules` lists them");
        };
        let i = rule.info();
        print(&format!("{} ({})\n\n{}\n\n{}\n", i.name, i.severity.as_str(), i.summary, i.explanation))?;
        return Ok(0);
    }
    // Before any sheet is read: a contradicting -f/-o is a usage error.
    args.report.resolved_format()?;
    let inputs = runner::expand(&args.sheets);
    let mut read = RunInputs::default();
    for f in runner::files(&inputs) {
        read.add("sheet", f);
    }
    for f in form_files {
        read.add("form catalog", f);
    }
    read.refuse_as_output(args.report.output.as_deref())?;
    let lint = LintCheck;
    let runner = Runner { forms, checks: vec![&lint], fail_on: args.report.fail_on, jobs: args.report.jobs };
    let info = RunInfo { command: "lint", policies: Vec::new(), fail_on: args.report.fail_on, lint: true };
    let summary = render_run(&runner, &inputs, &info, &args.report)?;
    Ok(summary.exit_code() as u8)
}
