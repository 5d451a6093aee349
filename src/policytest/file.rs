//! Reading policy test files and building each case's sheet.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use miette::{NamedSource, SourceSpan};
use serde::Deserialize;

use crate::form::FormRegistry;
use crate::outcome::PolicyStatus;
use crate::policy::PolicyEvaluation;
use crate::sheet::{self, Sheet, SheetFormat};
use crate::text::normalize;

/// The sheet a case starts from when it names no `base`: every gate 該当,
/// every question はい, and remarks that state what the baseline pack asks
/// for. See `base.toml` beside this file.
pub const BUILTIN_BASE: &str = include_str!("base.toml");
/// How the built-in base is named in messages.
pub const BUILTIN_BASE_NAME: &str = "builtin:base.toml";

/// What a case expects of its policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Expect {
    /// Passed without findings.
    Pass,
    /// Failed (at least one `fail`).
    Fail,
    /// Passed with warnings only.
    Warn,
    /// Could not be evaluated (runtime error, limit, unknown question id).
    Error,
    /// Not run: the policy's `forms` exclude the sheet's form.
    Skip,
}

impl Expect {
    /// What a policy's evaluation did, in the words of `expect`.
    pub fn of(evaluation: &PolicyEvaluation) -> Expect {
        match evaluation.outcome.status {
            PolicyStatus::Pass if evaluation.findings.is_empty() => Expect::Pass,
            PolicyStatus::Pass | PolicyStatus::Waived => Expect::Warn,
            PolicyStatus::Fail => Expect::Fail,
            PolicyStatus::Error => Expect::Error,
            PolicyStatus::Skip => Expect::Skip,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Expect::Pass => "pass",
            Expect::Fail => "fail",
            Expect::Warn => "warn",
            Expect::Error => "error",
            Expect::Skip => "skip",
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    policy: Option<String>,
    base: Option<String>,
    #[serde(default)]
    case: Vec<toml::Spanned<RawCase>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCase {
    name: String,
    policy: Option<String>,
    base: Option<String>,
    #[serde(default)]
    sheet: toml::Table,
    #[serde(default)]
    answers: toml::Table,
    #[serde(default)]
    remarks: toml::Table,
    expect: Expect,
    questions: Option<Vec<String>>,
}

/// Where a case's sheet comes from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Base {
    Builtin,
    File(PathBuf),
}

/// One `[[case]]`.
#[derive(Debug, Clone)]
pub struct Case {
    pub name: String,
    pub policy: String,
    pub base: Base,
    /// Overrides of `[sheet]` fields.
    pub sheet: toml::Table,
    /// Answer entries to set (same syntax as a sheet's `[answers]`; `""`
    /// leaves the question unanswered).
    pub answers: toml::Table,
    /// Remark texts to set, by number.
    pub remarks: toml::Table,
    pub expect: Expect,
    /// Question ids the policy's findings must point at (any order), when given.
    pub questions: Option<Vec<String>>,
    /// The test file and the 1-based line of the case, for messages.
    pub file: String,
    pub line: usize,
}

/// A test file that cannot be read or parsed.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{path}: {message}")]
#[diagnostic(
    code(kaiji::test),
    help(
        "a test file has optional top-level `policy` and `base`, then [[case]] tables with name, expect (pass|fail|warn|error|skip) and optional policy, base, sheet, answers, remarks, questions"
    )
)]
pub struct TestFileError {
    pub path: String,
    pub message: String,
    #[source_code]
    pub src: Option<NamedSource<Arc<str>>>,
    #[label("here")]
    pub label: Option<SourceSpan>,
}

/// Parse one test file. `policy` defaults to the file stem; `base` paths are
/// relative to the file.
pub fn parse(path: &Path, text: &str) -> Result<Vec<Case>, TestFileError> {
    let shown = path.display().to_string();
    let source: Arc<str> = Arc::from(text);
    let raw: RawFile = toml::from_str(text).map_err(|e| TestFileError {
        path: shown.clone(),
        message: e.message().trim().to_string(),
        src: Some(NamedSource::new(shown.clone(), source.clone())),
        label: e.span().map(|r| (r.start, r.end - r.start).into()),
    })?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let resolve = |b: &str| if b == "builtin" { Base::Builtin } else { Base::File(dir.join(b)) };
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
    let stem = stem.strip_suffix(".test").unwrap_or(stem);
    let file_policy = raw.policy.map_or_else(|| normalize(stem), |p| normalize(&p));
    let file_base = raw.base.as_deref().map_or(Base::Builtin, resolve);
    // One index for the file: finding each case's line by counting the
    // newlines before it made a file of many cases quadratic.
    let lines = crate::text::LineIndex::new(text);
    Ok(raw
        .case
        .into_iter()
        .map(|c| {
            let line = lines.line_col(text, c.span().start).0;
            let c = c.into_inner();
            Case {
                name: c.name,
                policy: c.policy.map_or_else(|| file_policy.clone(), |p| normalize(&p)),
                base: c.base.as_deref().map_or_else(|| file_base.clone(), resolve),
                sheet: c.sheet,
                answers: c.answers,
                remarks: c.remarks,
                expect: c.expect,
                questions: c.questions.map(|qs| qs.iter().map(|q| normalize(q)).collect()),
                file: shown.clone(),
                line,
            }
        })
        .collect())
}

/// Every `*.toml` under `dir/tests/`, sorted.
pub fn discover(policy_dir: &Path) -> Vec<PathBuf> {
    crate::walk::files_under(&policy_dir.join("tests"), crate::walk::has_extension(&["toml"]))
}

/// A base sheet as read and parsed, before a case's overrides.
#[derive(Debug)]
struct ParsedBase {
    /// How messages name it.
    name: String,
    doc: toml::Table,
}

/// The base sheets of a run's cases, each read and parsed once: a file of
/// thousands of cases on one base read and parsed it per case.
#[derive(Debug, Default)]
pub struct Bases {
    parsed: HashMap<Base, Result<Arc<ParsedBase>, String>>,
}

impl Bases {
    fn get(&mut self, base: &Base) -> Result<Arc<ParsedBase>, String> {
        if let Some(known) = self.parsed.get(base) {
            return known.clone();
        }
        let parsed = parse_base(base).map(Arc::new);
        self.parsed.insert(base.clone(), parsed.clone());
        parsed
    }

    /// The base sheet files read so far.
    pub fn files(&self) -> impl Iterator<Item = &Path> {
        self.parsed.keys().filter_map(|b| match b {
            Base::File(p) => Some(p.as_path()),
            Base::Builtin => None,
        })
    }
}

fn parse_base(base: &Base) -> Result<ParsedBase, String> {
    let (name, text) = match base {
        Base::Builtin => (BUILTIN_BASE_NAME.to_string(), BUILTIN_BASE.to_string()),
        Base::File(p) => {
            let t = crate::walk::read_input_text(p, crate::walk::InputKind::Sheet)
                .map_err(|e| format!("cannot read base sheet {}: {}", p.display(), e.reason()))?;
            (p.display().to_string(), t)
        }
    };
    let doc: toml::Table = match base {
        Base::File(p) if SheetFormat::from_path(p) == SheetFormat::Json => {
            let v: serde_json::Value =
                serde_json::from_str(&text).map_err(|e| format!("base sheet {name} is not valid JSON: {e}"))?;
            toml::Table::try_from(v).map_err(|e| format!("base sheet {name}: {e}"))?
        }
        _ => text.parse().map_err(|e: toml::de::Error| format!("base sheet {name}: {}", e.message().trim()))?,
    };
    Ok(ParsedBase { name, doc })
}

impl Case {
    /// The case's sheet: its base with the overrides applied.
    pub fn build_sheet(&self, forms: &FormRegistry) -> Result<Sheet, String> {
        self.build_sheet_with(&mut Bases::default(), forms)
    }

    /// [`Case::build_sheet`], taking the base from `bases` (read and
    /// parsed there on first use).
    pub fn build_sheet_with(&self, bases: &mut Bases, forms: &FormRegistry) -> Result<Sheet, String> {
        let base = bases.get(&self.base)?;
        let name = &base.name;
        let mut doc = base.doc.clone();
        for (table, overrides) in [("sheet", &self.sheet), ("answers", &self.answers), ("remarks", &self.remarks)] {
            if overrides.is_empty() {
                continue;
            }
            let entry = doc.entry(table).or_insert_with(|| toml::Value::Table(toml::Table::new()));
            let toml::Value::Table(t) = entry else {
                return Err(format!("base sheet {name}: `{table}` is not a table"));
            };
            for (k, v) in overrides {
                t.insert(k.clone(), v.clone());
            }
        }
        let text = toml::to_string(&doc).map_err(|e| format!("cannot build the sheet: {e}"))?;
        let shown = format!("{}:{} ({})", self.file, self.line, self.name);
        let sheet = sheet::load_str(&shown, text, SheetFormat::Toml, forms).map_err(|e| {
            let mut m = e.message;
            if let Some(h) = e.help {
                m.push_str(&format!(" ({h})"));
            }
            format!("the case's sheet is not valid: {m}")
        })?;
        // An override of a question the form lacks tests nothing: say so.
        for id in self.answers.keys().chain(self.questions.iter().flatten()) {
            let id = normalize(id);
            if sheet.form.index_of(&id).is_none() {
                let hint = sheet.form.suggest(&id).map(|s| format!(" (did you mean {s}?)")).unwrap_or_default();
                return Err(format!("question `{id}` is not in form {}{hint}", sheet.form.id));
            }
        }
        Ok(sheet)
    }
}
