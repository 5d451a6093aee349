//! The result model every renderer reads: findings, per-policy outcomes and
//! per-sheet verdicts. Built by the runner, one [`SheetReport`] at a time.

use std::borrow::Cow;
use std::sync::Arc;

use serde::Serialize;

use crate::sheet::{Sheet, Span};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// `--fail-on`: the lowest severity that makes a sheet fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FailOn {
    #[default]
    Error,
    Warning,
    Never,
}

impl FailOn {
    /// Every choice, in the order `--help` lists them.
    pub const ALL: &[FailOn] = &[FailOn::Error, FailOn::Warning, FailOn::Never];

    /// The `--fail-on` name: `error`, `warning`, `never`.
    pub fn name(self) -> &'static str {
        match self {
            FailOn::Error => "error",
            FailOn::Warning => "warning",
            FailOn::Never => "never",
        }
    }

    pub fn fails(self, severity: Severity) -> bool {
        match self {
            FailOn::Error => severity >= Severity::Error,
            FailOn::Warning => true,
            FailOn::Never => false,
        }
    }
}

/// A 1-based place in a file, for machine formats.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    pub path: String,
    pub line: usize,
    pub column: usize,
}

impl Location {
    pub fn of(path: &str, source: &str, span: Span) -> Location {
        let (line, column) = crate::text::line_col(source, span.start);
        Location { path: path.to_string(), line, column }
    }
}

/// Where a policy raised a finding: the `fail(...)`/`warn(...)` call.
#[derive(Debug, Clone)]
pub struct PolicySite {
    /// Shared: every finding a call in a loop raises carries the same.
    pub path: Arc<str>,
    pub source: Arc<str>,
    pub span: Span,
}

/// A waiver that turned a failure into an accepted deviation.
#[derive(Debug, Clone, Serialize)]
pub struct WaiverNote {
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approver: Option<String>,
    pub expires: String,
}

/// Which check raised a finding. Set where the finding is made (the
/// constructors [`Finding::lint`], [`Finding::policy`], [`Finding::waiver`]),
/// so a renderer tells lint findings from policy findings by it, not by
/// looking the id up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A built-in lint rule.
    Lint,
    /// A policy (`fail`/`warn`, or the note that some were not kept).
    Policy,
    /// The waiver check itself (`expired-waiver`).
    Waiver,
}

/// One problem found in one sheet, by a lint rule, a policy or the waiver
/// check.
#[derive(Debug, Clone)]
pub struct Finding {
    /// Lint rule name, policy id, or the waiver check's rule name. Shared:
    /// a policy's findings all carry its one id.
    pub rule: Arc<str>,
    /// Which check raised it.
    pub origin: Origin,
    pub severity: Severity,
    /// The question's id: shared with the form ([`crate::form::Form::shared_id`])
    /// when it is one of the form's, else the id as the sheet wrote it (a lint
    /// finding about an unknown id).
    pub question: Option<Arc<str>>,
    pub message: String,
    /// The offending value in the sheet file.
    pub span: Option<Span>,
    /// Short text under the underline ("answered いいえ here").
    /// Mostly a fixed text (`answered いいえ`), so not allocated per finding.
    pub label: Option<Cow<'static, str>>,
    /// Further places in the same sheet file worth showing (e.g. the gate
    /// that closed a question), each with its label.
    pub secondary: Vec<(Span, String)>,
    pub help: Option<Arc<str>>,
    /// Set for policy findings.
    pub policy_site: Option<PolicySite>,
    /// Set when a waiver accepted this finding (rare, so boxed: findings
    /// are moved while they are sorted).
    pub waived: Option<Box<WaiverNote>>,
    /// Form-order index of `question`, for sorting.
    pub order: Option<usize>,
    /// Where the question's answer was read in the vendor's file (an
    /// imported sheet's `[evidence]`): `PDF p.3 (412, 530)`.
    pub read_at: Option<String>,
}

impl Finding {
    /// A finding of lint rule `rule`.
    pub fn lint(rule: impl Into<Arc<str>>, severity: Severity, message: impl Into<String>) -> Finding {
        Finding::new(Origin::Lint, rule.into(), severity, message.into())
    }

    /// A finding of the policy with id `policy`.
    pub fn policy(policy: impl Into<Arc<str>>, severity: Severity, message: impl Into<String>) -> Finding {
        Finding::new(Origin::Policy, policy.into(), severity, message.into())
    }

    /// A finding of the waiver check (rule `expired-waiver`).
    pub fn waiver(rule: impl Into<Arc<str>>, severity: Severity, message: impl Into<String>) -> Finding {
        Finding::new(Origin::Waiver, rule.into(), severity, message.into())
    }

    fn new(origin: Origin, rule: Arc<str>, severity: Severity, message: String) -> Finding {
        Finding {
            rule,
            origin,
            severity,
            question: None,
            message,
            span: None,
            label: None,
            secondary: Vec::new(),
            help: None,
            policy_site: None,
            waived: None,
            order: None,
            read_at: None,
        }
    }

    /// Tie the finding to question `q` (form index) of `sheet`, pointing at
    /// its answer (or the best place the sheet has for it).
    pub fn at_question(mut self, sheet: &Sheet, q: usize) -> Finding {
        self.question = Some(sheet.form.shared_id(q).clone());
        self.order = Some(q);
        self.span = Some(sheet.span_for_question(q));
        self.read_at = sheet.read_at(q);
        self
    }

    pub fn with_span(mut self, span: Span) -> Finding {
        self.span = Some(span);
        self
    }

    pub fn with_label(mut self, label: impl Into<Cow<'static, str>>) -> Finding {
        self.label = Some(label.into());
        self
    }

    pub fn with_help(mut self, help: impl Into<Arc<str>>) -> Finding {
        self.help = Some(help.into());
        self
    }

    /// Counts against the sheet (not waived).
    pub fn is_active(&self) -> bool {
        self.waived.is_none()
    }

    /// Deterministic report order: form order, then place in file, then rule.
    pub fn sort_key(&self) -> (usize, usize, &str, &str) {
        (self.order.unwrap_or(usize::MAX), self.span.map_or(usize::MAX, |s| s.start), &self.rule, self.message.as_str())
    }
}

/// Stable sort by [`Finding::sort_key`]. It sorts positions and then moves
/// each finding once: a finding is a couple of hundred bytes, and a sheet
/// that fails a list rule in ten policies has over a hundred of them.
fn sort_findings(findings: &mut Vec<Finding>) {
    if findings.is_sorted_by(|a, b| a.sort_key() <= b.sort_key()) {
        return;
    }
    let mut order: Vec<usize> = (0..findings.len()).collect();
    order.sort_by(|&a, &b| findings[a].sort_key().cmp(&findings[b].sort_key()));
    let mut slots: Vec<Option<Finding>> = std::mem::take(findings).into_iter().map(Some).collect();
    *findings = order.into_iter().map(|i| slots[i].take().expect("a permutation names each position once")).collect();
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PolicyStatus {
    Pass,
    Fail,
    Error,
    Waived,
    Skip,
}

impl PolicyStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyStatus::Pass => "pass",
            PolicyStatus::Fail => "fail",
            PolicyStatus::Error => "error",
            PolicyStatus::Waived => "waived",
            PolicyStatus::Skip => "skip",
        }
    }
}

/// What one policy concluded on one sheet: the verdict a report lists, one
/// per policy and sheet. Its findings and errors are kept beside it in the
/// [`SheetReport`]; `policy::PolicyEvaluation` is the whole result of one
/// evaluation (this outcome, its findings and errors, what it read).
#[derive(Debug, Clone, Serialize)]
pub struct PolicyOutcome {
    pub id: String,
    pub status: PolicyStatus,
    /// Number of warnings it raised (a pass may carry warnings).
    #[serde(skip_serializing_if = "is_zero")]
    pub warnings: usize,
    /// Why the requirement does not apply (status `skip` by `skip(reason)`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// One sheet value a policy read (`kaiji check --explain`), in the order
/// it read them. Fields are in key order (the JSON report sorts keys).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Read {
    /// The metadata field (`vendor`, `service`, `version`, `form`,
    /// `created`), or what a text helper looked for (words, a pattern).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub question: Option<String>,
    /// What was read: `answer`, `in_scope`, `remarks` (those a question
    /// cites), `remark` (one by number), `all_remarks`, `metadata`,
    /// `planned` (whether a question's remarks say it is only planned), or a
    /// text helper's result: `tls_versions`, `mentions`, `matches`;
    /// `truncated` when more reads were made than are kept.
    pub read: &'static str,
    /// The 備考 numbers read.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub remarks: Vec<u32>,
    /// What it gave: the answer word or `unanswered`, `in scope` or the
    /// gate that closes it, the TLS versions found, `yes`/`no` ...
    pub value: String,
}

impl Read {
    pub fn new(read: &'static str, value: impl Into<String>) -> Read {
        Read { field: None, question: None, read, remarks: Vec::new(), value: value.into() }
    }

    pub fn on(mut self, question: &str) -> Read {
        self.question = Some(question.to_string());
        self
    }

    pub fn field(mut self, field: impl Into<String>) -> Read {
        self.field = Some(field.into());
        self
    }

    pub fn remarks(mut self, numbers: Vec<u32>) -> Read {
        self.remarks = numbers;
        self
    }

    /// A text helper's result, which reads the text read just before it.
    pub fn is_helper(&self) -> bool {
        matches!(self.read, "tls_versions" | "mentions" | "matches")
    }

    /// For people: `17.1.d = はい`, `all remarks`, `→ TLS 1.2, 1.3`. Sheet
    /// text in it is made printable.
    pub fn describe(&self) -> String {
        let q = self.question.as_deref().map(crate::text::printable_line).unwrap_or_default();
        let numbers = || self.remarks.iter().map(u32::to_string).collect::<Vec<_>>().join(", ");
        let value = crate::text::printable_line(&self.value);
        match self.read {
            "answer" => format!("{q} = {value}"),
            "in_scope" => format!("{q} {value}"),
            "remarks" if self.remarks.is_empty() => format!("remarks of {q} ({value})"),
            "remarks" => format!("remarks of {q} ({}{})", numbers(), if value.is_empty() { "" } else { " + note" }),
            "remark" => format!("remark {} ({value})", numbers()),
            "planned" => format!("planned? {q} → {value}"),
            "all_remarks" => "all remarks".to_string(),
            "metadata" => {
                format!("{} = {value}", self.field.as_deref().map(crate::text::printable_line).unwrap_or_default())
            }
            "tls_versions" => format!("→ {value}"),
            "mentions" | "matches" => format!(
                "→ {} {}: {value}",
                self.read,
                self.field.as_deref().map(crate::text::printable_line).unwrap_or_default()
            ),
            _ => value.into_owned(),
        }
    }
}

/// A policy's reads as one line: `read 17.1.d = はい, all remarks → TLS
/// 1.2, 1.3` (a helper's result follows the text it read).
pub fn explain_line(reads: &[Read]) -> String {
    if reads.is_empty() {
        return "read nothing from the sheet".to_string();
    }
    let mut out = String::from("read ");
    for (i, r) in reads.iter().enumerate() {
        if i > 0 {
            out.push_str(if r.is_helper() { " " } else { ", " });
        }
        out.push_str(&r.describe());
    }
    out
}

/// Something that could not be evaluated: an unreadable sheet, a policy
/// that failed to compile or raised a runtime error.
#[derive(Debug, Clone)]
pub struct RunError {
    pub message: String,
    /// The policy at fault, if any.
    pub policy: Option<String>,
    pub location: Option<Location>,
    /// The full diagnostic, for the human renderer.
    pub detail: Option<Arc<miette::Report>>,
}

impl RunError {
    pub fn new(message: impl Into<String>) -> RunError {
        RunError { message: message.into(), policy: None, location: None, detail: None }
    }

    pub fn from_diagnostic(report: miette::Report) -> RunError {
        RunError { message: report.to_string(), policy: None, location: None, detail: Some(Arc::new(report)) }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SheetStatus {
    Pass,
    Fail,
    Error,
}

impl SheetStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SheetStatus::Pass => "pass",
            SheetStatus::Fail => "fail",
            SheetStatus::Error => "error",
        }
    }
}

/// Everything known about one sheet after a run.
#[derive(Debug, Clone)]
pub struct SheetReport {
    pub path: String,
    /// The loaded sheet; `None` when it could not be read.
    pub sheet: Option<Arc<Sheet>>,
    pub policies: Vec<PolicyOutcome>,
    pub findings: Vec<Finding>,
    pub errors: Vec<RunError>,
    pub status: SheetStatus,
    /// `--explain`: each policy's reads of this sheet, by policy id.
    pub explain: std::collections::BTreeMap<String, Vec<Read>>,
    /// Set when the input was a vendor document imported in the run: the
    /// importer's account, which every format reports with the sheet.
    pub import: Option<Arc<crate::import::DocumentImport>>,
}

impl SheetReport {
    pub fn new(path: impl Into<String>, sheet: Option<Arc<Sheet>>) -> SheetReport {
        SheetReport {
            path: path.into(),
            sheet,
            policies: Vec::new(),
            findings: Vec::new(),
            errors: Vec::new(),
            status: SheetStatus::Pass,
            explain: std::collections::BTreeMap::new(),
            import: None,
        }
    }

    pub fn vendor(&self) -> &str {
        self.sheet.as_ref().map_or("", |s| s.vendor())
    }

    pub fn service(&self) -> &str {
        self.sheet.as_ref().map_or("", |s| s.service())
    }

    /// SHA-256 (hex) of the sheet file's bytes as read; `None` when the
    /// sheet was not read from a file, or could not be read or loaded.
    pub fn sha256(&self) -> Option<&str> {
        self.sheet.as_ref().and_then(|s| s.sha256.as_deref())
    }

    /// Location of a span in this sheet's file; none for a sheet imported
    /// in the run (its text is kaiji's, not the document's: the finding's
    /// `read_at` says where in the document).
    pub fn location(&self, span: Span) -> Option<Location> {
        self.sheet.as_ref().filter(|s| !s.imported).map(|s| {
            let (line, column) = s.line_col(span.start);
            Location { path: self.path.clone(), line, column }
        })
    }

    /// Sort findings and policies into report order and set the verdict.
    pub fn finalize(&mut self, fail_on: FailOn) {
        sort_findings(&mut self.findings);
        self.policies.sort_by(|a, b| a.id.cmp(&b.id));
        let errored = !self.errors.is_empty() || self.policies.iter().any(|p| p.status == PolicyStatus::Error);
        let failed = self.findings.iter().any(|f| f.is_active() && fail_on.fails(f.severity));
        self.status = if errored {
            SheetStatus::Error
        } else if failed {
            SheetStatus::Fail
        } else {
            SheetStatus::Pass
        };
    }

    /// Passed, but only because every policy of the run was `skip` on it
    /// (a sheet of another form, or answers that put it out of scope): no
    /// acceptance criterion was applied, so it must not read as compliant.
    pub fn no_policy_applied(&self) -> bool {
        self.status == SheetStatus::Pass
            && !self.policies.is_empty()
            && self.policies.iter().all(|p| p.status == PolicyStatus::Skip)
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.findings.iter().filter(|f| f.is_active() && f.severity == severity).count()
    }
}

/// Run-wide totals (the `summary` of the JSON report).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub sheets: usize,
    pub policies: usize,
    pub passed: usize,
    pub failed: usize,
    pub errors: usize,
    /// Sheets that passed only because no policy applied to them (every
    /// policy `skip`, e.g. a sheet of another form); not counted in `passed`.
    #[serde(skip_serializing_if = "is_zero")]
    pub skipped: usize,
    /// How each waiver fared, when the run used a waiver file (`--waivers`).
    /// Reported beside the summary, not inside it (the JSON `waivers` array).
    #[serde(skip)]
    pub waivers: Option<Vec<WaiverReport>>,
}

/// How a waiver fared over a whole run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum WaiverStatus {
    /// In force, and it waived at least one finding.
    Active,
    /// Past its `expires` date: it waived nothing.
    Expired,
    /// In force, but no finding in the whole run matched it.
    Stale,
}

impl WaiverStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            WaiverStatus::Active => "active",
            WaiverStatus::Expired => "expired",
            WaiverStatus::Stale => "stale",
        }
    }
}

/// One waiver's run-wide result (an entry of the JSON report's `waivers`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WaiverReport {
    pub policy: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub question: Option<String>,
    /// ISO date, inclusive: the waiver holds through this day.
    pub expires: String,
    pub status: WaiverStatus,
    /// Findings it waived, or (expired) would have waived.
    pub matched: usize,
    /// Sheets those findings were on.
    pub sheets: usize,
    /// The `[[waiver]]` entry in the waiver file.
    pub location: Location,
}

impl Summary {
    pub fn add(&mut self, report: &SheetReport) {
        self.add_sheet(report.status, report.no_policy_applied());
    }

    /// [`Summary::add`] for a sheet whose report is no longer at hand.
    pub fn add_status(&mut self, status: SheetStatus) {
        self.add_sheet(status, false);
    }

    /// A sheet of `status`; `skipped`: it passed only because no policy
    /// applied ([`SheetReport::no_policy_applied`]).
    pub fn add_sheet(&mut self, status: SheetStatus, skipped: bool) {
        self.sheets += 1;
        match status {
            SheetStatus::Pass if skipped => self.skipped += 1,
            SheetStatus::Pass => self.passed += 1,
            SheetStatus::Fail => self.failed += 1,
            SheetStatus::Error => self.errors += 1,
        }
    }

    /// The closing line of a run: "N sheet(s) × P policies: a passed, b
    /// failed, c could not be evaluated" (no policy count for `lint`).
    pub fn line(&self, command: RunCommand) -> String {
        let what = if command == RunCommand::Lint { String::new() } else { format!(" × {} policies", self.policies) };
        let skipped = match self.skipped {
            0 => String::new(),
            n => format!(", {n} skipped (no policy applied)"),
        };
        format!("{} sheet(s){what}: {}{skipped}", self.sheets, self.verdicts())
    }

    /// "a passed, b failed, c could not be evaluated": the sheets' verdicts,
    /// as [`Summary::line`] and the markdown and xlsx reports state them.
    pub fn verdicts(&self) -> String {
        format!("{} passed, {} failed, {} could not be evaluated", self.passed, self.failed, self.errors)
    }

    /// The exit code (docs/reports.md, "Exit codes"): 2 when anything could not be evaluated, else 1 when some
    /// sheet failed, else 0.
    pub fn exit_code(&self) -> u8 {
        if self.errors > 0 {
            2
        } else if self.failed > 0 {
            1
        } else {
            0
        }
    }
}

/// Which command a run is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RunCommand {
    #[default]
    Check,
    Lint,
}

impl RunCommand {
    pub fn as_str(self) -> &'static str {
        match self {
            RunCommand::Check => "check",
            RunCommand::Lint => "lint",
        }
    }
}

impl std::fmt::Display for RunCommand {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What renderers are told before the first sheet.
#[derive(Debug, Clone, Default)]
pub struct RunInfo {
    pub command: RunCommand,
    pub policies: Vec<PolicyInfo>,
    pub fail_on: FailOn,
    /// The lint rules the run applied, empty when it ran none (`--no-lint`):
    /// renderers describe the rules from here.
    pub rules: Vec<&'static RuleInfo>,
    /// What the run rested on (kaiji, form catalogs, policy and waiver
    /// files, by SHA-256), for every report to state.
    pub provenance: Provenance,
}

impl RunInfo {
    /// Whether the lint rules ran.
    pub fn lint(&self) -> bool {
        !self.rules.is_empty()
    }
}

pub use crate::walk::sha256_hex;

/// A rule's identity and documentation, in the shape ruff documents its
/// rules: what it flags, why that matters, an example that triggers it, and
/// how to fix it. `kaiji lint --explain`, SARIF's rule help and the rule table of
/// docs/lint.md are all made from it, and the example is tested to trigger
/// the rule (with a snapshot of the diagnostic it gives).
#[derive(Debug)]
pub struct RuleInfo {
    /// The name used in reports and on the command line.
    pub name: &'static str,
    pub severity: Severity,
    /// One line: what it flags.
    pub summary: &'static str,
    /// One paragraph: why it matters.
    pub why: &'static str,
    /// Sheet lines that trigger it, laid over a clean sheet: `[answers]`
    /// lines (the table header may be left out) replace the same question's
    /// line, a `[sheet]` table replaces the header, `[remarks]` lines are
    /// added, other tables appended.
    pub example: &'static str,
    /// How to fix it.
    pub fix: &'static str,
}

impl RuleInfo {
    /// The whole documentation as `kaiji lint --explain` prints it.
    pub fn explain(&self) -> String {
        let example: String = self.example.lines().map(|l| format!("    {l}\n")).collect();
        format!(
            "{} ({})\n\n{}\n\nWhy it matters\n\n{}\n\nExample\n\n{example}\nHow to fix\n\n{}\n",
            self.name,
            self.severity.as_str(),
            self.summary,
            self.why,
            self.fix
        )
    }

    /// The row of docs/lint.md's rule table: `| `name` | severity | summary |`.
    pub fn table_row(&self) -> String {
        format!("| `{}` | {} | {} |", self.name, self.severity.as_str(), self.summary.replace('|', "\\|"))
    }
}

/// What a run's decisions rest on, so a committee can prove which rules
/// (and, with each sheet's own digest, which sheet versions) a report
/// judged by: every digest is the SHA-256 of the bytes kaiji read. No
/// clock is read: `date` is set only by `--date` or `SOURCE_DATE_EPOCH`,
/// so the same inputs give the same report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Provenance {
    /// The kaiji version.
    pub kaiji: String,
    /// The date the report is for (ISO), when one was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// The form catalogs the run knew.
    pub forms: Vec<FormDigest>,
    /// The built-in pack as a whole, when the run used it: the SHA-256 of
    /// its manifest (`sha256sum` lines, `HEX  PATH\n`, in path order).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub builtin_pack: Option<String>,
    /// Every policy file, and every module a policy imported, by path.
    pub policies: Vec<FileDigest>,
    /// The waiver file (`--waivers`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waivers: Option<FileDigest>,
}

impl Default for Provenance {
    fn default() -> Self {
        Provenance {
            kaiji: env!("CARGO_PKG_VERSION").to_string(),
            date: None,
            forms: Vec::new(),
            builtin_pack: None,
            policies: Vec::new(),
            waivers: None,
        }
    }
}

/// A form catalog: its id, where it came from, and its digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FormDigest {
    pub id: String,
    pub path: String,
    pub sha256: String,
}

/// A file read by the run and its digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileDigest {
    pub path: String,
    pub sha256: String,
}

impl Provenance {
    /// Lines `name: value` for text formats, in a fixed order.
    pub fn lines(&self) -> Vec<(String, String)> {
        let mut out = vec![("kaiji".to_string(), self.kaiji.clone())];
        if let Some(d) = &self.date {
            out.push(("date".to_string(), d.clone()));
        }
        for f in &self.forms {
            out.push((format!("form {} ({})", f.id, f.path), f.sha256.clone()));
        }
        if let Some(p) = &self.builtin_pack {
            out.push(("built-in policy pack".to_string(), p.clone()));
        }
        for p in &self.policies {
            out.push((format!("policy {}", p.path), p.sha256.clone()));
        }
        if let Some(w) = &self.waivers {
            out.push((format!("waivers {}", w.path), w.sha256.clone()));
        }
        out
    }
}

/// A policy as reports describe it.
#[derive(Debug, Clone, Serialize)]
pub struct PolicyInfo {
    pub id: String,
    pub title: String,
    pub refs: String,
    pub path: String,
}

/// Something evaluated against every loaded sheet.
pub trait Check: Sync {
    /// Add outcomes, findings or errors for `sheet` to `report`.
    fn check(&self, sheet: &Arc<Sheet>, report: &mut SheetReport);

    /// Called once after every sheet was checked, before the report is
    /// finished: add run-wide results (e.g. stale waivers) to the summary.
    fn finish(&self, _summary: &mut Summary) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn findings_sort_by_key_and_keep_the_order_of_equal_keys() {
        // Equal keys (same question, place, rule, message) differ only in
        // their label, which tells whether the sort kept their order.
        let make = |i: usize| {
            let mut f = Finding::policy(["P-B", "P-A"][i % 2], Severity::Error, ["y", "x"][i % 3 % 2]);
            f.order = Some((i * 7) % 5);
            f.span = (!i.is_multiple_of(4)).then(|| Span::new(i % 3, i % 3 + 1));
            f.with_label(format!("#{i}"))
        };
        for n in [0, 1, 2, 17, 200] {
            let mut fast: Vec<Finding> = (0..n).map(make).collect();
            let mut plain = fast.clone();
            sort_findings(&mut fast);
            plain.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
            let labels = |v: &[Finding]| v.iter().map(|f| f.label.clone().unwrap_or_default()).collect::<Vec<_>>();
            assert_eq!(labels(&fast), labels(&plain), "{n} findings");
        }
    }
}
