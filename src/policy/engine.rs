//! The sandboxed Rhai engine policies run in, and the per-evaluation state
//! the registered functions reach.
//!
//! One [`Engine`] is built per [`PolicySet`](super::PolicySet) and shared by
//! every worker thread (`rhai/sync`). What differs between evaluations — the
//! findings being collected, the policy raising them, the deadline — lives
//! in a thread-local [`Evaluation`] installed for exactly the duration of one
//! `run_ast_with_scope` call. A Rhai evaluation never leaves the thread that
//! started it, so under rayon each worker sees only its own evaluation.

use std::cell::{Cell, RefCell};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rhai::packages::{
    ArithmeticPackage, BasicArrayPackage, BasicFnPackage, BasicIteratorPackage, BasicMapPackage, BasicMathPackage,
    BasicStringPackage, LogicPackage, MoreStringPackage, Package,
};
use rhai::{Dynamic, Engine, ModuleResolver, OptimizationLevel};

use super::PolicyCtx;
use crate::report::Finding;
use crate::sheet::Sheet;

/// Resource limits for one evaluation of one policy on one sheet. Every
/// limit is a `kaiji check` flag.
///
/// Call and expression depth are bounded by the Rust stack of the thread
/// that evaluates: the CLI caps both at 256 and runs policies on workers
/// with [`WORKER_STACK`](crate::runner::WORKER_STACK) bytes of stack; library
/// users raising them should give their threads a similar stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Rhai operations (roughly: expressions evaluated).
    pub max_operations: u64,
    /// Nested function calls (recursion depth).
    pub max_call_depth: usize,
    /// Nesting of expressions in the policy text (checked when compiling).
    pub max_expr_depth: usize,
    /// Bytes in any one string.
    pub max_string_size: usize,
    /// Elements in any one array.
    pub max_array_size: usize,
    /// Entries in any one object map.
    pub max_map_size: usize,
    /// Wall-clock time.
    pub timeout: Duration,
}

impl Default for Limits {
    /// Generous for any real policy (the baseline pack needs a few thousand
    /// operations per sheet) and small enough that a runaway one ends fast.
    fn default() -> Self {
        Limits {
            max_operations: 1_000_000,
            max_call_depth: 32,
            max_expr_depth: 64,
            max_string_size: 1 << 20,
            max_array_size: 10_000,
            max_map_size: 10_000,
            timeout: Duration::from_millis(2_000),
        }
    }
}

/// Operations between two clock reads for the wall-time limit.
const CLOCK_EVERY: u64 = 1 << 10;

/// What one running evaluation collects and needs.
pub(crate) struct Evaluation {
    pub sheet: Arc<Sheet>,
    pub policy: Arc<PolicyCtx>,
    pub findings: Vec<Finding>,
}

thread_local! {
    static CURRENT: RefCell<Option<Evaluation>> = const { RefCell::new(None) };
    static DEADLINE: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// Installs a deadline (and optionally an evaluation) on this thread and
/// removes both when dropped, even on panic.
pub(crate) struct Installed {
    prev_deadline: Option<Instant>,
    had_eval: bool,
}

impl Installed {
    pub fn new(timeout: Duration, eval: Option<Evaluation>) -> Installed {
        let prev_deadline = DEADLINE.replace(Some(Instant::now() + timeout));
        let had_eval = eval.is_some();
        if let Some(e) = eval {
            CURRENT.set(Some(e));
        }
        Installed { prev_deadline, had_eval }
    }

    /// End the evaluation and take what it collected.
    pub fn finish(self) -> Option<Evaluation> {
        if self.had_eval { CURRENT.take() } else { None }
    }
}

impl Drop for Installed {
    fn drop(&mut self) {
        DEADLINE.set(self.prev_deadline);
        if self.had_eval {
            CURRENT.set(None);
        }
    }
}

/// Run `f` with the evaluation of this thread, if one is running.
pub(crate) fn with_current<R>(f: impl FnOnce(Option<&mut Evaluation>) -> R) -> R {
    CURRENT.with_borrow_mut(|c| f(c.as_mut()))
}

/// The token `on_progress` stops a script with when its time is up.
pub(crate) const TIMEOUT_TOKEN: &str = "kaiji: wall-time limit";

rhai::def_package! {
    /// The language without LanguageCorePackage (which brings `sleep`, an
    /// escape from the wall-time limit) and without the time and blob
    /// packages: policies are pure functions of the sheet. One module (as
    /// Rhai's own StandardPackage is), so a call that is not yet in an
    /// evaluation's resolution cache searches one package, not nine.
    PolicyPackage(_lib):
        ArithmeticPackage, LogicPackage, BasicStringPackage, MoreStringPackage, BasicIteratorPackage,
        BasicFnPackage, BasicMathPackage, BasicArrayPackage, BasicMapPackage {}
}

/// A sandboxed engine: no file, network or process access, no `eval`, no
/// `sleep`, no clock; `print`/`debug` go to stderr tagged with the policy;
/// `import` goes through `resolver` only.
pub(crate) fn build(limits: &Limits, resolver: impl ModuleResolver + 'static) -> Engine {
    let mut e = Engine::new_raw();
    PolicyPackage::new().register_into_engine(&mut e);

    e.disable_symbol("eval");
    e.set_strict_variables(true);
    e.set_fail_on_invalid_map_property(true);
    e.set_optimization_level(OptimizationLevel::Simple);

    e.set_max_operations(limits.max_operations);
    e.set_max_call_levels(limits.max_call_depth);
    e.set_max_expr_depths(limits.max_expr_depth, limits.max_expr_depth);
    e.set_max_string_size(limits.max_string_size);
    e.set_max_array_size(limits.max_array_size);
    e.set_max_map_size(limits.max_map_size);
    e.set_max_modules(64);
    e.on_progress(|ops| {
        if ops % CLOCK_EVERY == 0 && DEADLINE.get().is_some_and(|d| Instant::now() >= d) {
            return Some(Dynamic::from(TIMEOUT_TOKEN));
        }
        None
    });

    e.on_print(|text| log("print", text));
    e.on_debug(|text, _, pos| log("debug", &format!("{text} (line {})", pos.line().unwrap_or(0))));

    e.set_module_resolver(resolver);
    super::api::register(&mut e);
    e
}

fn log(kind: &str, text: &str) {
    let who = with_current(|c| c.map(|c| format!("{} on {}", c.policy.meta.id, c.sheet.path)));
    // Policies print sheet values: vendor text, never live on the terminal.
    let line = format!("[{kind}] {}: {text}", who.as_deref().unwrap_or("policy"));
    eprintln!("{}", crate::text::printable(&line));
}

/// The resolver of the shared runtime engine: imports with literal paths
/// were resolved and embedded when the policy loaded, so anything that
/// reaches here is a computed path.
pub(crate) struct NoImports;

impl ModuleResolver for NoImports {
    fn resolve(
        &self,
        _: &Engine,
        _: Option<&str>,
        path: &str,
        pos: rhai::Position,
    ) -> Result<Arc<rhai::Module>, Box<rhai::EvalAltResult>> {
        Err(rhai::EvalAltResult::ErrorRuntime(
            format!(
                "cannot import \"{path}\": import paths must be string literals (they are resolved when policies load)"
            )
            .into(),
            pos,
        )
        .into())
    }
}
