//! One `kaiji test` run over policy directories, as data: every case's
//! result, the policies no case covers, the vacuous ones and the ones that
//! cannot run; and its renderings (human, JSON, JUnit) and exit code.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{Case, Expect, Vacuous};
use crate::form::FormRegistry;
use crate::policy::{Limits, PolicyEvaluation, PolicySet};
use crate::report::Style;
use crate::text::{display_width, printable, printable_line};

/// The formats a test run is reported in (`kaiji test -f`): the ones a CI
/// shows policy tests in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TestFormat {
    #[default]
    Human,
    /// Schema `kaiji.test/v1`.
    Json,
    Junit,
}

impl TestFormat {
    /// Every format, in the order `--help` lists them.
    pub const ALL: &[TestFormat] = &[TestFormat::Human, TestFormat::Json, TestFormat::Junit];

    /// The `-f` name: `human`, `json`, `junit`.
    pub fn name(self) -> &'static str {
        match self {
            TestFormat::Human => "human",
            TestFormat::Json => "json",
            TestFormat::Junit => "junit",
        }
    }
}

/// How one case went, owning what it reports.
#[derive(Debug)]
pub struct CaseOutcome {
    pub case: Case,
    /// The policy id the case resolved to.
    pub policy: Option<String>,
    pub actual: Result<PolicyEvaluation, String>,
    /// Why the case failed, one line per mismatch; empty when it passed.
    pub failure: Vec<String>,
}

impl CaseOutcome {
    pub fn passed(&self) -> bool {
        self.failure.is_empty()
    }

    fn policy_shown(&self) -> &str {
        self.policy.as_deref().unwrap_or(&self.case.policy)
    }
}

/// A policy that cannot run (compile error, import cycle, unknown form).
#[derive(Debug, Clone, Serialize)]
pub struct Broken {
    pub policy: String,
    pub path: String,
    pub message: String,
}

/// A policy no case tests.
#[derive(Debug, Clone, Serialize)]
pub struct Uncovered {
    pub policy: String,
    pub path: String,
}

/// The results of one policy directory.
#[derive(Debug, Default)]
pub struct DirRun {
    pub dir: PathBuf,
    pub cases: Vec<CaseOutcome>,
    pub uncovered: Vec<Uncovered>,
    pub vacuous: Vec<Vacuous>,
    pub broken: Vec<Broken>,
    /// Why the directory or one of its test files could not be read.
    pub unreadable: Vec<String>,
    /// The directory has no test files.
    pub no_tests: bool,
    /// The base sheet files its cases read, sorted.
    pub bases: Vec<PathBuf>,
}

/// A whole `kaiji test` run.
#[derive(Debug, Default)]
pub struct TestRun {
    pub dirs: Vec<DirRun>,
    /// `--require-coverage`: uncovered and vacuous policies fail the run.
    pub require_coverage: bool,
}

/// Test every directory: load its policies, run the cases under
/// `DIR/tests/`, run every policy on an empty sheet.
pub fn run(dirs: &[PathBuf], limits: Limits, forms: &FormRegistry, require_coverage: bool) -> TestRun {
    let dirs = dirs.iter().map(|d| run_dir(d, limits, forms)).collect();
    TestRun { dirs, require_coverage }
}

fn run_dir(dir: &Path, limits: Limits, forms: &FormRegistry) -> DirRun {
    let mut out = DirRun { dir: dir.to_path_buf(), ..DirRun::default() };
    if !dir.is_dir() {
        let what = if dir.exists() { "is not a directory" } else { "does not exist" };
        out.unreadable.push(format!(
            "policy directory `{}` {what}; give the directory that holds your .rhai policies: `kaiji test DIR`",
            printable_line(&dir.display().to_string())
        ));
        return out;
    }
    let policies = match PolicySet::load(&[dir], limits) {
        Ok(p) => p.check_forms(forms),
        Err(e) => {
            out.unreadable.push(format!("{:?}", miette::Report::new(crate::text::PrintableDiagnostic::new(&e))));
            return out;
        }
    };
    let files = super::file::discover(dir);
    out.no_tests = files.is_empty();
    let mut cases: Vec<Case> = Vec::new();
    for f in &files {
        let parsed = crate::walk::read_input_text(f, crate::walk::InputKind::PolicyTest)
            .map_err(|e| format!("{:?}", miette::Report::new(crate::text::PrintableDiagnostic::new(&e))))
            .and_then(|text| {
                super::file::parse(f, &text)
                    .map_err(|e| format!("{:?}", miette::Report::new(crate::text::PrintableDiagnostic::new(&e))))
            });
        match parsed {
            Ok(c) => cases.extend(c),
            Err(e) => out.unreadable.push(e),
        }
    }
    let mut bases = super::Bases::default();
    let results: Vec<_> = cases.iter().map(|c| super::run_case_with(c, &policies, forms, &mut bases)).collect();
    out.bases = bases.files().map(Path::to_path_buf).collect();
    out.bases.sort();
    out.uncovered = super::uncovered(&policies, &results)
        .into_iter()
        .map(|id| Uncovered { path: path_of(&policies, &id), policy: id })
        .collect();
    out.cases = results
        .into_iter()
        .map(|r| CaseOutcome { case: r.case.clone(), policy: r.policy, actual: r.actual, failure: r.failure })
        .collect();
    out.vacuous = super::vacuous(&policies, forms);
    out.broken = policies
        .policies()
        .iter()
        .filter_map(|p| {
            p.error().map(|e| Broken {
                policy: p.id().to_string(),
                path: p.path().to_string(),
                message: e.message.clone(),
            })
        })
        .collect();
    out
}

fn path_of(policies: &PolicySet, id: &str) -> String {
    policies.policies().iter().find(|p| p.id() == id).map_or_else(String::new, |p| p.path().to_string())
}

impl TestRun {
    pub fn passed(&self) -> usize {
        self.dirs.iter().flat_map(|d| &d.cases).filter(|c| c.passed()).count()
    }

    /// Failed cases, and policies that cannot run.
    pub fn failed(&self) -> usize {
        self.dirs.iter().map(|d| d.cases.iter().filter(|c| !c.passed()).count() + d.broken.len()).sum()
    }

    fn uncovered(&self) -> impl Iterator<Item = &Uncovered> {
        self.dirs.iter().flat_map(|d| &d.uncovered)
    }

    fn vacuous(&self) -> impl Iterator<Item = &Vacuous> {
        self.dirs.iter().flat_map(|d| &d.vacuous)
    }

    /// 2 a directory or test file could not be read; 1 a case failed, a
    /// policy cannot run, or (with `--require-coverage`) a policy is
    /// uncovered or vacuous; else 0.
    pub fn exit_code(&self) -> u8 {
        let coverage_gap = self.uncovered().next().is_some() || self.vacuous().next().is_some();
        if self.dirs.iter().any(|d| !d.unreadable.is_empty()) {
            2
        } else if self.failed() > 0 || (self.require_coverage && coverage_gap) {
            1
        } else {
            0
        }
    }

    /// The base sheet files the cases read, in every directory: inputs of
    /// the run a report must not be written over.
    pub fn base_files(&self) -> impl Iterator<Item = &Path> {
        self.dirs.iter().flat_map(|d| d.bases.iter().map(PathBuf::as_path))
    }

    /// Problems reading directories and test files, for stderr.
    pub fn read_errors(&self) -> impl Iterator<Item = &str> {
        self.dirs.iter().flat_map(|d| d.unreadable.iter().map(String::as_str))
    }

    /// The report in `format`; `style` colours the human one (or not).
    pub fn render(&self, format: TestFormat, style: &Style) -> io::Result<Vec<u8>> {
        Ok(match format {
            TestFormat::Human => {
                let mut out = Vec::new();
                self.write_human(&mut out, style)?;
                out
            }
            // serde_json escapes C0; the C1 and bidi controls too, as the
            // check report does.
            TestFormat::Json => {
                format!("{}\n", crate::text::escape_json_controls(&format!("{:#}", self.to_json()))).into_bytes()
            }
            TestFormat::Junit => self.to_junit().map_err(io::Error::other)?.into_bytes(),
        })
    }

    /// The human report, coloured as `style` says. Every text in it that
    /// came from a file (case names, policy ids and messages, a base
    /// sheet's values quoted in findings, paths) is [`printable`]: it goes
    /// to a terminal or a CI log.
    pub fn write_human(&self, out: &mut dyn Write, style: &Style) -> io::Result<()> {
        let paint = &|text: &str, code: &str| style.paint(text, code);
        for d in &self.dirs {
            if d.no_tests && d.unreadable.is_empty() {
                let (dir, tests) = (d.dir.display().to_string(), d.dir.join("tests").display().to_string());
                writeln!(out, "{}: no test files in {}", printable_line(&dir), printable_line(&tests))?;
            }
            let id_w = d.cases.iter().map(|c| display_width(&printable_line(c.policy_shown()))).max().unwrap_or(0);
            for c in &d.cases {
                write_case(out, paint, c, id_w)?;
            }
            for b in &d.broken {
                let (policy, path) = (printable_line(&b.policy), printable_line(&b.path));
                writeln!(out, "{}  {policy}  cannot run  ({path})", paint("FAIL", "31"))?;
                writeln!(out, "        {}", indented(&b.message))?;
            }
        }
        let severity = || if self.require_coverage { paint("error", "31") } else { paint("warning", "33") };
        let uncovered: Vec<_> = self.uncovered().collect();
        if uncovered.is_empty() {
            writeln!(out, "\nevery policy has a test case")?;
        } else {
            let n = uncovered.len();
            let policies = if n == 1 { "policy has" } else { "policies have" };
            writeln!(out, "\n{}: {n} {policies} no test case:", severity())?;
            for u in uncovered {
                writeln!(out, "  {} ({})", printable_line(&u.policy), printable_line(&u.path))?;
            }
        }
        let vacuous: Vec<_> = self.vacuous().collect();
        if !vacuous.is_empty() {
            let n = vacuous.len();
            let policies = if n == 1 { "policy does" } else { "policies do" };
            writeln!(out, "\n{}: {n} {policies} not fail a sheet with no answers (vacuous):", severity())?;
            for v in vacuous {
                let (policy, path, form) =
                    (printable_line(&v.policy), printable_line(&v.path), printable_line(&v.form));
                writeln!(out, "  {policy} ({path}): {} on an empty {form} sheet", v.status.as_str())?;
            }
            writeln!(
                out,
                "  an unanswered question a policy needs must fail (\"未回答のため確認できない\"); \
                 skip(reason) only where an answer says the requirement does not apply"
            )?;
        }
        writeln!(out, "\n{} passed, {} failed", self.passed(), self.failed())
    }

    /// `-f json`: schema `kaiji.test/v1`.
    pub fn to_json(&self) -> serde_json::Value {
        let cases: Vec<serde_json::Value> = self
            .dirs
            .iter()
            .flat_map(|d| &d.cases)
            .map(|c| {
                let actual = c.actual.as_ref().ok();
                serde_json::json!({
                    "policy": c.policy_shown(),
                    "name": c.case.name,
                    "file": c.case.file,
                    "line": c.case.line,
                    "status": if c.passed() { "pass" } else { "fail" },
                    "expected": c.case.expect.as_str(),
                    "actual": actual.map(|a| Expect::of(a).as_str()),
                    "questions": actual.map(PolicyEvaluation::questions),
                    "problems": c.failure,
                })
            })
            .collect();
        let vacuous: Vec<serde_json::Value> = self
            .vacuous()
            .map(|v| serde_json::json!({"policy": v.policy, "path": v.path, "form": v.form, "status": v.status.as_str()}))
            .collect();
        serde_json::json!({
            "schema": "kaiji.test/v1",
            "summary": {
                "passed": self.passed(),
                "failed": self.failed(),
                "uncovered": self.uncovered().count(),
                "vacuous": self.vacuous().count(),
                "require_coverage": self.require_coverage,
            },
            "cases": cases,
            "broken": self.dirs.iter().flat_map(|d| &d.broken).collect::<Vec<_>>(),
            "uncovered": self.uncovered().collect::<Vec<_>>(),
            "vacuous": vacuous,
            "errors": self.read_errors().collect::<Vec<_>>(),
        })
    }

    /// `-f junit`: one test suite per policy directory, one test case per
    /// case; policies that cannot run, and (with `--require-coverage`)
    /// uncovered and vacuous ones, as failing test cases.
    pub fn to_junit(&self) -> Result<String, quick_junit::SerializeError> {
        use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
        // Texts from files, made printable before quick-junit sees them, as
        // the check report's JUnit does: a CI shows them in its log.
        let line = |s: &str| printable_line(s).into_owned();
        let mut report = Report::new("kaiji test");
        let gap = |message: String| {
            if self.require_coverage {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                s.set_message(printable(&message).into_owned());
                s
            } else {
                let mut s = TestCaseStatus::skipped();
                s.set_message(printable(&message).into_owned());
                s
            }
        };
        for d in &self.dirs {
            let mut suite = TestSuite::new(line(&d.dir.display().to_string()));
            for c in &d.cases {
                let status = if c.passed() {
                    TestCaseStatus::success()
                } else {
                    let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                    s.set_message(printable(&c.failure.join("; ")).into_owned());
                    s
                };
                let mut case = TestCase::new(line(&format!("{}: {}", c.policy_shown(), c.case.name)), status);
                case.set_classname(line(&format!("{}:{}", c.case.file, c.case.line)));
                suite.add_test_case(case);
            }
            for b in &d.broken {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
                s.set_message(printable(&b.message).into_owned());
                let mut case = TestCase::new(line(&format!("{}: cannot run", b.policy)), s);
                case.set_classname(line(&b.path));
                suite.add_test_case(case);
            }
            for u in &d.uncovered {
                let mut case =
                    TestCase::new(line(&format!("{}: has a test case", u.policy)), gap("no test case".into()));
                case.set_classname(line(&u.path));
                suite.add_test_case(case);
            }
            for v in &d.vacuous {
                let message =
                    format!("{} on an empty {} sheet: a blank answer must not pass", v.status.as_str(), v.form);
                let mut case =
                    TestCase::new(line(&format!("{}: fails a sheet with no answers", v.policy)), gap(message));
                case.set_classname(line(&v.path));
                suite.add_test_case(case);
            }
            report.add_test_suite(suite);
        }
        report.to_string()
    }
}

fn write_case(
    out: &mut dyn Write,
    paint: &dyn Fn(&str, &str) -> String,
    r: &CaseOutcome,
    id_w: usize,
) -> io::Result<()> {
    let c = &r.case;
    let id = printable_line(r.policy_shown());
    let pad = " ".repeat(id_w.saturating_sub(display_width(&id)));
    let place = printable_line(&format!("{}:{}", c.file, c.line)).into_owned();
    let mark = if r.passed() { paint("ok  ", "32") } else { paint("FAIL", "31") };
    writeln!(out, "{mark}  {id}{pad}  {}  ({place})", printable_line(&c.name))?;
    if r.passed() {
        return Ok(());
    }
    for why in &r.failure {
        writeln!(out, "        {}", indented(why))?;
    }
    if let Ok(actual) = &r.actual {
        if actual.findings.is_empty() {
            writeln!(out, "        actual findings: none")?;
        } else {
            writeln!(out, "        actual findings:")?;
            for f in &actual.findings {
                let q = printable_line(f.question.as_deref().unwrap_or("-"));
                writeln!(out, "          {:<7}  {q}  {}", f.severity.as_str(), printable_line(&f.message))?;
            }
        }
        for e in &actual.errors {
            writeln!(out, "        error: {}", indented(&e.message))?;
        }
    }
    Ok(())
}

/// A message that may span lines (a policy error), [`printable`] and with
/// its later lines indented under the first.
fn indented(text: &str) -> String {
    printable(text).trim_end().replace('\n', "\n        ")
}
