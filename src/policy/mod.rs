//! Policies: a hospital's acceptance criteria as Rhai scripts (docs/policies.md).
//!
//! A [`PolicySet`] loads `.rhai` files (or the built-in pack), compiles each
//! once, and evaluates every policy against a sheet in a sandboxed engine
//! shared by all threads. Usable without the CLI:
//!
//! ```no_run
//! use std::sync::Arc;
//! use kaiji::{form::FormRegistry, policy::{Limits, PolicySet}, sheet};
//!
//! let forms = FormRegistry::builtin();
//! let sheet = Arc::new(sheet::load_file("vendor.toml".as_ref(), &forms).unwrap());
//! let policies = PolicySet::builtin(Limits::default());
//! for e in policies.evaluate(&sheet) {
//!     println!("{} {}", e.outcome.id, e.outcome.status.as_str());
//! }
//! ```

mod api;
mod call_site;
mod callbacks;
mod diag;
mod engine;
pub mod front_matter;
mod load;
pub mod reference;
mod text_api;

// `tls_versions` is a text helper (`crate::text::tls`); the API registers it.
use crate::text::tls;

#[cfg(test)]
mod fail_closed_tests;
#[cfg(test)]
mod query_tests;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use rhai::{AST, Engine, Scope};

pub use diag::PolicyDiagnostic;
pub use engine::Limits;
pub use front_matter::FrontMatter;
pub use load::LoadError;

use crate::outcome::Check;
use crate::outcome::{Finding, PolicyInfo, PolicyOutcome, PolicyStatus, RunError, Severity, SheetReport};
use crate::sheet::Sheet;

include!(concat!(env!("OUT_DIR"), "/builtin_policies.rs"));

/// Display prefix of the built-in pack's files.
pub const BUILTIN_PREFIX: &str = "builtin:";

/// What registered functions need to know about the running policy.
pub(crate) struct PolicyCtx {
    pub meta: FrontMatter,
    /// `meta.id`, shared by every finding the policy raises.
    pub rule: Arc<str>,
    pub path: String,
    pub source: Arc<str>,
    /// Line starts of `source`, to place `fail(...)` calls quickly.
    pub lines: crate::text::LineIndex,
    pub help: Option<Arc<str>>,
    /// Imported modules' texts by shown path, for findings raised in them.
    pub modules: HashMap<String, Arc<str>>,
}

/// One loaded policy: its metadata and either its compiled script or the
/// error that will be reported for it on every sheet.
pub struct Policy {
    ctx: Arc<PolicyCtx>,
    compiled: Result<AST, RunError>,
}

impl Policy {
    pub fn meta(&self) -> &FrontMatter {
        &self.ctx.meta
    }

    pub fn id(&self) -> &str {
        &self.ctx.meta.id
    }

    /// The path shown in reports (`builtin:…` for the built-in pack).
    pub fn path(&self) -> &str {
        &self.ctx.path
    }

    pub fn source(&self) -> &Arc<str> {
        &self.ctx.source
    }

    /// The compile (or front-matter) error, if the policy cannot run.
    pub fn error(&self) -> Option<&RunError> {
        self.compiled.as_ref().err()
    }

    pub fn info(&self) -> PolicyInfo {
        PolicyInfo {
            id: self.ctx.meta.id.clone(),
            title: self.ctx.meta.title.clone(),
            refs: self.ctx.meta.refs.clone(),
            path: self.ctx.path.clone(),
        }
    }
}

/// Everything one policy's evaluation on one sheet gave: its
/// [`PolicyOutcome`] (the verdict a report lists, one per policy and
/// sheet), the findings and errors behind it, and what it read. The runner
/// splits it into a [`SheetReport`]'s outcomes, findings and errors;
/// `kaiji test` judges it whole against a case's `expect`.
#[derive(Debug, Clone)]
pub struct PolicyEvaluation {
    pub outcome: PolicyOutcome,
    /// Findings it raised (none when it errored).
    pub findings: Vec<Finding>,
    /// Why it could not be evaluated (status `error`).
    pub errors: Vec<RunError>,
    /// With [`PolicySet::explain`]: the sheet values it read, in order.
    pub explain: Option<Vec<crate::outcome::Read>>,
}

impl PolicyEvaluation {
    /// Question ids the findings point at, in form order, without repeats.
    pub fn questions(&self) -> Vec<String> {
        let mut qs: Vec<(usize, &str)> = self
            .findings
            .iter()
            .filter_map(|f| Some((f.order.unwrap_or(usize::MAX), f.question.as_deref()?)))
            .collect();
        qs.sort();
        qs.dedup();
        qs.into_iter().map(|(_, q)| q.to_string()).collect()
    }
}

/// Compiled policies and the engine that runs them.
pub struct PolicySet {
    policies: Vec<Policy>,
    engine: Engine,
    limits: Limits,
    /// The built-in pack's digest, when this is it.
    pack: Option<String>,
    /// Record what each evaluation reads (`--explain`).
    explain: bool,
}

impl PolicySet {
    /// Load policies from files and directories (recursively; names starting
    /// with `_` or `.` are skipped, they are for `import`). A policy that
    /// does not compile is kept and reported as an error on every sheet; a
    /// missing path or a duplicate id is an error for the whole load.
    pub fn load<P: AsRef<Path>>(paths: &[P], limits: Limits) -> Result<PolicySet, LoadError> {
        let mut files = Vec::new();
        for p in paths {
            files.extend(load::discover(p.as_ref())?);
        }
        PolicySet::compile(files, limits)
    }

    /// The built-in baseline pack (`policies/` in the source tree).
    pub fn builtin(limits: Limits) -> PolicySet {
        let mut set =
            PolicySet::from_memory(BUILTIN, BUILTIN_PREFIX, limits).expect("the built-in policy ids are unique");
        set.pack = Some(builtin_pack_digest());
        set
    }

    /// Every policy file and imported module by shown path, with the
    /// SHA-256 of its text as read, sorted by path.
    pub fn digests(&self) -> Vec<crate::outcome::FileDigest> {
        let mut by_path: std::collections::BTreeMap<&str, &str> = std::collections::BTreeMap::new();
        for p in &self.policies {
            by_path.insert(&p.ctx.path, &p.ctx.source);
            for (path, text) in &p.ctx.modules {
                by_path.insert(path, text);
            }
        }
        by_path
            .into_iter()
            .map(|(path, text)| crate::outcome::FileDigest {
                path: path.to_string(),
                sha256: crate::walk::sha256_hex(text.as_bytes()),
            })
            .collect()
    }

    /// The built-in pack's digest ([`builtin_pack_digest`]) when this set
    /// is the built-in pack.
    pub fn pack_digest(&self) -> Option<&str> {
        self.pack.as_deref()
    }

    /// Policies from in-memory files: `(relative path, text)` pairs, with
    /// `prefix` prepended to paths in reports. Imports resolve among the
    /// same files.
    pub fn from_memory(files: &[(&str, &str)], prefix: &str, limits: Limits) -> Result<PolicySet, LoadError> {
        PolicySet::compile(load::memory(files, prefix), limits)
    }

    fn compile(files: Vec<load::PolicyFile>, limits: Limits) -> Result<PolicySet, LoadError> {
        let mut policies: Vec<Policy> = Vec::with_capacity(files.len());
        let mut by_id: HashMap<String, String> = HashMap::new();
        // One compile engine per import root (consecutive files share one).
        let mut current: Option<(String, Engine, Arc<Mutex<load::Imports>>)> = None;
        let mut table = load::ModuleTable::default();
        // What a root's resolver compiled, for the runtime resolver.
        let keep = |table: &mut load::ModuleTable, root: &str, imports: &Mutex<load::Imports>| {
            if let Ok(i) = imports.lock() {
                for (key, shown, ast) in i.modules() {
                    table.modules.insert((root.to_string(), key.to_string()), (shown.to_string(), ast.clone()));
                }
            }
        };
        for f in files {
            let root_key = root_id(&f.root);
            if current.as_ref().is_none_or(|(k, ..)| *k != root_key) {
                if let Some((k, _, imports)) = &current {
                    keep(&mut table, k, imports);
                }
                let imports = Arc::new(Mutex::new(load::Imports::default()));
                let resolver = load::RootResolver { root: f.root.clone(), imports: imports.clone() };
                current = Some((root_key.clone(), engine::build(&limits, resolver), imports));
            }
            let (_, compile_engine, imports) = current.as_ref().expect("set above");
            let policy = compile_one(compile_engine, imports, &f, &limits);
            if let Ok(i) = imports.lock() {
                for (importer, path, key) in i.edges() {
                    table.edges.insert((importer.clone(), path.clone()), (root_key.clone(), key.clone()));
                }
            }
            if crate::lint::rule(policy.id()).is_some() {
                return Err(LoadError::LintName { id: policy.id().to_string(), path: f.shown });
            }
            if let Some(first) = by_id.insert(policy.id().to_string(), f.shown.clone()) {
                return Err(LoadError::Duplicate { id: policy.id().to_string(), first, second: f.shown });
            }
            policies.push(policy);
        }
        if let Some((k, _, imports)) = &current {
            keep(&mut table, k, imports);
        }
        policies.sort_by(|a, b| a.id().cmp(b.id()));
        let runtime = load::RuntimeResolver { table: Arc::new(table) };
        Ok(PolicySet { policies, engine: engine::build(&limits, runtime), limits, pack: None, explain: false })
    }

    /// Turn every policy whose `//! forms:` names a form no catalog of
    /// `forms` has into an error on every sheet: such a policy would
    /// otherwise be skipped everywhere, silently.
    pub fn check_forms(mut self, forms: &crate::form::FormRegistry) -> PolicySet {
        let known: Vec<&str> = forms.forms().iter().map(|f| f.id.as_str()).collect();
        for p in &mut self.policies {
            if p.compiled.is_err() {
                continue;
            }
            let Some(unknown) = p.ctx.meta.forms.iter().find(|f| !known.contains(&f.as_str())) else { continue };
            let hint = crate::text::did_you_mean(unknown, known.iter().copied())
                .map(|k| format!(" — did you mean `{k}`?"))
                .unwrap_or_default();
            let message = format!(
                "front matter: `forms:` names `{unknown}`, a form no catalog has{hint} (known forms: {}; \
                 more with --form-file)",
                known.join(", ")
            );
            let ctx = &p.ctx;
            let err = diag::run_error(
                &ctx.meta.id,
                &ctx.path,
                &ctx.source,
                ctx.meta.forms_span,
                &message,
                "unknown form",
                None,
            );
            p.compiled = Err(err);
        }
        self
    }

    /// Record, for every evaluation, the sheet values it reads
    /// ([`PolicyEvaluation::explain`]). Off by default: then each read
    /// costs one check of a thread-local.
    pub fn explain(mut self, on: bool) -> PolicySet {
        self.explain = on;
        self
    }

    pub fn policies(&self) -> &[Policy] {
        &self.policies
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    pub fn len(&self) -> usize {
        self.policies.len()
    }

    pub fn is_empty(&self) -> bool {
        self.policies.is_empty()
    }

    /// The policies as reports describe them, in id order.
    pub fn infos(&self) -> Vec<PolicyInfo> {
        self.policies.iter().map(Policy::info).collect()
    }

    /// Evaluate every policy on `sheet`, in id order.
    pub fn evaluate(&self, sheet: &Arc<Sheet>) -> Vec<PolicyEvaluation> {
        self.policies.iter().map(|p| self.evaluate_policy(p, sheet)).collect()
    }

    /// Evaluate one policy on `sheet`.
    pub fn evaluate_policy(&self, policy: &Policy, sheet: &Arc<Sheet>) -> PolicyEvaluation {
        let outcome = |status, warnings| PolicyOutcome { id: policy.id().to_string(), status, warnings, reason: None };
        // A policy that cannot run is an error on every sheet, whatever its
        // forms: a broken acceptance criterion never reads as "skip".
        let ast = match &policy.compiled {
            Ok(ast) => ast,
            Err(e) => {
                return PolicyEvaluation {
                    outcome: outcome(PolicyStatus::Error, 0),
                    findings: Vec::new(),
                    errors: vec![e.clone()],
                    explain: None,
                };
            }
        };
        if !policy.meta().applies_to(&sheet.form.id) {
            return PolicyEvaluation {
                outcome: outcome(PolicyStatus::Skip, 0),
                findings: Vec::new(),
                errors: Vec::new(),
                explain: self.explain.then(Vec::new),
            };
        }
        let running = engine::Evaluation::new(sheet.clone(), policy.ctx.clone());
        if self.explain {
            engine::start_trace();
        }
        let installed = engine::Installed::new(&self.limits, Some(running));
        let mut scope = policy_scope(sheet.clone());
        let mut result = self.engine.run_ast_with_scope(&mut scope, ast);
        if result.is_ok() {
            // Rhai does not size a map grown by `m[k] = v`; what the policy
            // kept is checked here (inside functions, memory bounds it).
            result = scope.iter_raw().try_for_each(|(_, _, v)| self.engine.ensure_data_size_within_limits(v));
        }
        drop(scope);
        let finished = installed.finish();
        let explain = if self.explain { engine::take_trace() } else { None };
        let eval = finished.eval;
        let skipped = eval.as_ref().and_then(|e| e.skipped.clone());
        let (mut findings, dropped) = eval.map(|e| (e.findings, e.dropped)).unwrap_or_default();
        let error = match result {
            Err(e) if skipped.is_some() && is_skip(&e) => finished.first_error,
            Err(e) => Some(e),
            // A kaiji error the script caught, or a built-in swallowed.
            Ok(()) => finished.first_error,
        };
        if let Some(err) = error {
            return PolicyEvaluation {
                outcome: outcome(PolicyStatus::Error, 0),
                findings: Vec::new(),
                errors: vec![error_for(&policy.ctx, &err, &self.limits, None)],
                explain,
            };
        }
        if dropped.0 > 0 {
            let severity = if dropped.1 { Severity::Error } else { Severity::Warning };
            findings.push(Finding::policy(
                policy.ctx.rule.clone(),
                severity,
                format!(
                    "{} more findings of this policy on this sheet were not kept (at most {} are)",
                    dropped.0,
                    engine::MAX_FINDINGS
                ),
            ));
        }
        let failed = findings.iter().any(|f| f.severity == Severity::Error);
        let warnings = findings.iter().filter(|f| f.severity == Severity::Warning).count();
        // A policy that failed before it skipped stays failed.
        let status = match (&skipped, failed) {
            (_, true) => PolicyStatus::Fail,
            (Some(_), false) => PolicyStatus::Skip,
            (None, false) => PolicyStatus::Pass,
        };
        let mut outcome = outcome(status, warnings);
        if status == PolicyStatus::Skip {
            outcome.reason = skipped;
        }
        PolicyEvaluation { outcome, findings, errors: Vec::new(), explain }
    }
}

/// The built-in pack as a whole: the SHA-256 of its manifest, one
/// `sha256sum` line (`HEX  PATH\n`, path relative to `policies/`) per
/// file in path order. The same as
/// `(cd policies && find . -name '*.rhai' | sed 's|^\./||' | LC_ALL=C sort | xargs sha256sum) | sha256sum`.
pub fn builtin_pack_digest() -> String {
    let mut files: Vec<&(&str, &str)> = BUILTIN.iter().collect();
    files.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let mut manifest = String::new();
    for (path, text) in files {
        manifest.push_str(&crate::walk::sha256_hex(text.as_bytes()));
        manifest.push_str("  ");
        manifest.push_str(path);
        manifest.push('\n');
    }
    crate::walk::sha256_hex(manifest.as_bytes())
}

/// The error `skip()` stops an evaluation with.
fn is_skip(e: &rhai::EvalAltResult) -> bool {
    let mut e = e;
    loop {
        match e {
            rhai::EvalAltResult::ErrorInFunctionCall(_, _, inner, _)
            | rhai::EvalAltResult::ErrorInModule(_, inner, _) => e = inner,
            rhai::EvalAltResult::ErrorTerminated(token, _) => {
                return token.read_lock::<rhai::ImmutableString>().is_some_and(|t| t.as_str() == engine::SKIP_TOKEN);
            }
            _ => return false,
        }
    }
}

impl Check for PolicySet {
    fn check(&self, sheet: &Arc<Sheet>, report: &mut SheetReport) {
        let evaluations = self.evaluate(sheet);
        report.findings.reserve(evaluations.iter().map(|e| e.findings.len()).sum());
        for e in evaluations {
            if let Some(reads) = e.explain {
                report.explain.insert(e.outcome.id.clone(), reads);
            }
            report.policies.push(e.outcome);
            report.findings.extend(e.findings);
            report.errors.extend(e.errors);
        }
    }
}

/// A stable identity for an import root, to share compile engines.
fn root_id(root: &load::Root) -> String {
    match root {
        load::Root::Dir { canonical, .. } => canonical.display().to_string(),
        load::Root::Memory { files, prefix } => format!("{prefix}{:p}", Arc::as_ptr(files)),
    }
}

fn compile_one(engine: &Engine, imports: &Arc<Mutex<load::Imports>>, f: &load::PolicyFile, limits: &Limits) -> Policy {
    let (meta, meta_err) = match front_matter::parse(&f.text, &f.stem) {
        Ok(m) => (m, None),
        Err(e) => (FrontMatter { id: crate::text::normalize(&f.stem), ..FrontMatter::default() }, Some(e)),
    };
    let help = meta.help().map(Arc::from);
    let lines = crate::text::LineIndex::new(&f.text);
    let rule = Arc::from(meta.id.as_str());
    let mut ctx =
        PolicyCtx { meta, rule, path: f.shown.clone(), source: f.text.clone(), lines, help, modules: HashMap::new() };
    if let Some(e) = meta_err {
        let err = diag::run_error(
            &ctx.meta.id,
            &ctx.path,
            &ctx.source,
            Some(e.span),
            &format!("front matter: {}", e.message),
            "here",
            None,
        );
        return Policy { ctx: Arc::new(ctx), compiled: Err(err) };
    }
    if let Ok(mut i) = imports.lock() {
        i.begin(&f.key, &f.shown);
    }
    let compiled = {
        // Resolving the imports now (compiling and running each module once,
        // within the limits) reports a missing or broken module, or an
        // import cycle, when the policy loads. The AST kept is the plain
        // one: evaluations import their modules afresh.
        let _deadline = engine::Installed::new(limits, None);
        let mut scope = Scope::new();
        scope.push("sheet", ());
        engine
            .compile_into_self_contained(&scope, &*f.text)
            .and_then(|_| Ok(engine.compile_with_scope(&scope, &*f.text)?))
    };
    let (sources, failed) = match imports.lock() {
        Ok(mut i) => (std::mem::take(&mut i.sources), i.failed.take()),
        Err(_) => (HashMap::new(), None),
    };
    ctx.modules = sources;
    match compiled {
        Ok(mut ast) => {
            ast.set_source(f.shown.as_str());
            Policy { ctx: Arc::new(ctx), compiled: Ok(ast) }
        }
        Err(err) => {
            let import_span = failed.as_deref().and_then(|p| diag::import_span(&f.text, p));
            let run_error = error_for(&ctx, &err, limits, import_span);
            Policy { ctx: Arc::new(ctx), compiled: Err(run_error) }
        }
    }
}

/// A Rhai error of `policy` as a report error pointing into the policy (or
/// the imported module where it happened). `fallback` is used when Rhai
/// gives no position.
fn error_for(
    policy: &PolicyCtx,
    err: &rhai::EvalAltResult,
    limits: &Limits,
    fallback: Option<crate::sheet::Span>,
) -> RunError {
    let d = diag::describe(err, limits);
    let (path, source) = match d.source.as_deref() {
        Some(s) if s != policy.path => match policy.modules.get(s) {
            Some(text) => (s.to_string(), Some(text.clone())),
            None => (policy.path.clone(), None),
        },
        _ => (policy.path.clone(), Some(policy.source.clone())),
    };
    let (source, span) = match source {
        Some(text) => {
            let span = diag::span_at(&text, d.pos).or(fallback);
            (text, span)
        }
        None => (policy.source.clone(), fallback),
    };
    diag::run_error(&policy.meta.id, &path, &source, span, &d.what, &d.label, d.help)
}

/// The variables a policy sees: the sheet under evaluation as the global
/// constant `sheet`. The runtime and the editor definitions
/// ([`reference::definitions`]) both take it from here.
pub(crate) fn policy_scope(sheet: Arc<Sheet>) -> Scope<'static> {
    let mut scope = Scope::new();
    scope.push_constant("sheet", api::SheetRef(sheet));
    scope
}
