use std::path::PathBuf;

use clap::Args;
use miette::IntoDiagnostic;

use super::output::Output;
use crate::form::FormRegistry;
use crate::report::{self, FailOn, Format, RunInfo};
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

    /// Output format.
    #[arg(short, long, value_enum, default_value = "human")]
    pub format: Format,

    /// Write the report to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Lowest severity that fails a sheet (exit 1).
    #[arg(long, value_enum, default_value = "error")]
    pub fail_on: FailOn,

    /// Worker threads (default: one per core).
    #[arg(short, long, default_value_t = 0)]
    pub jobs: usize,

    /// List the lint rules and exit.
    #[arg(long)]
    pub list_rules: bool,

    /// Explain one lint rule and exit.
    #[arg(long, value_name = "RULE")]
    pub explain: Option<String>,
}

pub fn run(args: LintArgs, forms: &FormRegistry) -> miette::Result<u8> {
    if args.list_rules {
        for r in crate::lint::RULES {
            let i = r.info();
            println!("{:<20} {:<8} {}", i.name, i.severity.as_str(), i.summary);
        }
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
        println!("{} ({})\n\n{}\n\n{}", i.name, i.severity.as_str(), i.summary, i.explanation);
        return Ok(0);
    }
    let inputs = runner::expand(&args.sheets);
    let lint = LintCheck;
    let runner = Runner { forms, checks: vec![&lint], fail_on: args.fail_on, jobs: args.jobs };
    let info = RunInfo { command: "lint", policies: Vec::new(), fail_on: args.fail_on, lint: true };
    let out = Output::open(args.output.as_deref())?;
    if args.format.is_binary() && out.is_terminal() {
        let name = clap::ValueEnum::to_possible_value(&args.format).map(|v| v.get_name().to_string());
        miette::bail!("-f {} writes a binary file, not for a terminal: add -o FILE", name.unwrap_or_default());
    }
    let style = out.style();
    let on_terminal = out.is_terminal();
    let summary = {
        let mut renderer = report::renderer(args.format, out.writer()?, style);
        super::progress::run(&runner, &inputs, &info, renderer.as_mut(), on_terminal).into_diagnostic()?
    };
    out.commit()?;
    Ok(summary.exit_code() as u8)
}
