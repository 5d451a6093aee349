use std::io::{IsTerminal, Write};

use std::path::PathBuf;

use clap::Args;
use miette::IntoDiagnostic;

use crate::form::FormRegistry;
use crate::policy::PolicySet;
use crate::policytest::{self, Case, CaseResult};
use crate::report::Style;
use crate::text::display_width;

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

Exit codes: 0 every case passed, 1 a case failed (or, with --require-coverage,
a policy has no case), 2 a policy directory or test file could not be read.")]
pub struct TestArgs {
    /// Policy directories to test (default: policies/).
    #[arg(value_name = "POLICY_DIR")]
    pub dirs: Vec<PathBuf>,

    /// Fail when some policy has no test case.
    #[arg(long)]
    pub require_coverage: bool,

    #[command(flatten)]
    pub limits: super::check::LimitArgs,
}

struct Printer {
    style: Style,
}

impl Printer {
    fn paint(&self, text: &str, code: &str) -> String {
        if self.style.color { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_string() }
    }
}

pub fn run(args: TestArgs, forms: &FormRegistry) -> miette::Result<u8> {
    let dirs = if args.dirs.is_empty() { vec![PathBuf::from("policies")] } else { args.dirs.clone() };
    let p = Printer { style: Style::detect(std::io::stdout().is_terminal()) };
    // The whole report is written at the end, through `print` (a closed
    // pipe is not an error); runs are short.
    let mut out: Vec<u8> = Vec::new();
    let (mut passed, mut failed) = (0usize, 0usize);
    let mut unreadable = false;
    let mut uncovered = Vec::new();
    for dir in &dirs {
        let policies = match PolicySet::load(std::slice::from_ref(dir), args.limits.limits()) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("{:?}", miette::Report::new(crate::text::PrintableDiagnostic::new(&e)));
                unreadable = true;
                continue;
            }
        };
        let mut cases: Vec<Case> = Vec::new();
        let files = policytest::file::discover(dir);
        if files.is_empty() {
            writeln!(out, "{}: no test files in {}", dir.display(), dir.join("tests").display()).into_diagnostic()?;
        }
        for f in &files {
            let parsed = std::fs::read_to_string(f)
                .map_err(|e| miette::miette!("cannot read {}: {e}", f.display()))
                .and_then(|text| policytest::file::parse(f, &text).map_err(miette::Report::new));
            match parsed {
                Ok(c) => cases.extend(c),
                Err(report) => {
                    eprintln!("{:?}", crate::text::PrintableDiagnostic::report(&report));
                    unreadable = true;
                }
            }
        }
        let results: Vec<CaseResult<'_>> = cases.iter().map(|c| policytest::run_case(c, &policies, forms)).collect();
        let id_w = results.iter().map(|r| display_width(r.policy.as_deref().unwrap_or(&r.case.policy))).max();
        for r in &results {
            print_result(&mut out, &p, r, id_w.unwrap_or(0)).into_diagnostic()?;
            if r.passed() {
                passed += 1;
            } else {
                failed += 1;
            }
        }
        for id in policytest::uncovered(&policies, &results) {
            uncovered.push(format!("{id} ({})", policy_path(&policies, &id)));
        }
    }
    if uncovered.is_empty() {
        writeln!(out, "\nevery policy has a test case").into_diagnostic()?;
    } else {
        let what = if args.require_coverage { p.paint("error", "31") } else { p.paint("warning", "33") };
        let n = uncovered.len();
        let policies = if n == 1 { "policy has" } else { "policies have" };
        writeln!(out, "\n{what}: {n} {policies} no test case:").into_diagnostic()?;
        for u in &uncovered {
            writeln!(out, "  {u}").into_diagnostic()?;
        }
    }
    writeln!(out, "\n{passed} passed, {failed} failed").into_diagnostic()?;
    super::output::print(&String::from_utf8_lossy(&out))?;
    Ok(if unreadable {
        2
    } else if failed > 0 || (args.require_coverage && !uncovered.is_empty()) {
        1
    } else {
        0
    })
}

fn policy_path(policies: &PolicySet, id: &str) -> String {
    policies.policies().iter().find(|p| p.id() == id).map_or_else(String::new, |p| p.path().to_string())
}

fn print_result(out: &mut dyn Write, p: &Printer, r: &CaseResult<'_>, id_w: usize) -> std::io::Result<()> {
    let c = r.case;
    let id = r.policy.as_deref().unwrap_or(&c.policy);
    let pad = " ".repeat(id_w.saturating_sub(display_width(id)));
    let place = format!("{}:{}", c.file, c.line);
    let mark = if r.passed() { p.paint("ok  ", "32") } else { p.paint("FAIL", "31") };
    writeln!(out, "{mark}  {id}{pad}  {}  ({place})", c.name)?;
    if r.passed() {
        return Ok(());
    }
    for why in &r.failure {
        writeln!(out, "        {why}")?;
    }
    if let Ok(actual) = &r.actual {
        if actual.findings.is_empty() {
            writeln!(out, "        actual findings: none")?;
        } else {
            writeln!(out, "        actual findings:")?;
            for f in &actual.findings {
                let q = f.question.as_deref().unwrap_or("-");
                writeln!(out, "          {:<7}  {q}  {}", f.severity.as_str(), f.message)?;
            }
        }
        for e in &actual.errors {
            writeln!(out, "        error: {}", e.message)?;
        }
    }
    Ok(())
}
