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
use rhai::{Dynamic, Engine, EvalAltResult, ModuleResolver, OptimizationLevel};

use super::PolicyCtx;
use crate::outcome::{Finding, PolicySite};
use crate::sheet::Sheet;

/// Resource limits for one evaluation of one policy on one sheet. Every
/// limit is a `kaiji check` flag.
///
/// Call and expression depth are bounded by the Rust stack of the thread
/// that evaluates: the CLI caps both at 256 and runs policies on workers
/// with [`WORKER_STACK`](crate::runner::WORKER_STACK) bytes of stack; library
/// users raising them should give their threads a similar stack.
///
/// No limit is ever "unlimited": the CLI refuses 0, and a 0 given through
/// the library allows as little as the engine can express (one operation,
/// one byte, one element).
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
    /// Bytes the evaluation may hold at once (net allocations on its
    /// thread), closures' captures included. Enforced when the program runs
    /// with [`crate::memory::CountingAlloc`] as its global allocator (the
    /// `kaiji` binary does); without it only the other limits apply.
    pub max_memory: usize,
    /// Wall-clock time, native helpers included.
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
            max_memory: 256 << 20,
            timeout: Duration::from_millis(2_000),
        }
    }
}

/// Operations between two clock reads for the wall-time limit.
const CLOCK_EVERY: u64 = 1 << 10;

/// Findings one policy may raise on one sheet; past it they are counted and
/// reported as one more finding, so a runaway loop of `fail()` stays small.
pub const MAX_FINDINGS: usize = 1_000;

/// Bytes of `print`/`debug` output one evaluation may write to stderr.
pub const MAX_PRINT_BYTES: usize = 64 << 10;

/// What one running evaluation collects and needs.
pub(crate) struct Evaluation {
    pub sheet: Arc<Sheet>,
    pub policy: Arc<PolicyCtx>,
    pub findings: Vec<Finding>,
    /// Findings past [`MAX_FINDINGS`], not kept: (count, any of them an error).
    pub dropped: (usize, bool),
    /// Why the policy called `skip(reason)`.
    pub skipped: Option<String>,
    /// The last `fail`/`warn` call site placed in the policy's text: a loop
    /// raises many findings from one call, and placing it walks its line.
    /// Keyed by the call's position and the address of its file's path.
    pub last_site: Option<((rhai::Position, usize), Option<PolicySite>)>,
}

impl Evaluation {
    pub fn new(sheet: Arc<Sheet>, policy: Arc<PolicyCtx>) -> Evaluation {
        Evaluation { sheet, policy, findings: Vec::new(), dropped: (0, false), skipped: None, last_site: None }
    }
}

/// Why an evaluation is stopped from outside the script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    Timeout,
    Memory,
}

/// The budget of the evaluation running on this thread, and the first
/// kaiji error it hit. That error is kept even when the script catches it
/// (`try`/`catch`) or a Rhai built-in swallows it: the evaluation is then an
/// error whatever the script goes on to do, so no policy error can end as
/// a pass.
struct Budget {
    printed: usize,
    first_error: Option<Box<EvalAltResult>>,
}

/// The limits of the evaluation running on this thread, which Rhai's
/// progress callback checks on every operation: kept in a `Cell`, apart
/// from the [`Budget`], so that check is a plain read with no `RefCell`
/// borrow (it runs several times per policy statement).
#[derive(Clone, Copy)]
struct Bounds {
    deadline: Option<Instant>,
    /// Net bytes of this thread when the evaluation began, when counted.
    memory_base: Option<isize>,
    max_memory: usize,
    max_string_size: usize,
}

const NO_BOUNDS: Bounds =
    Bounds { deadline: None, memory_base: None, max_memory: usize::MAX, max_string_size: usize::MAX };

const NO_BUDGET: Budget = Budget { printed: 0, first_error: None };

/// Reads one evaluation keeps for `--explain`; past it they are counted.
pub const MAX_READS: usize = 10_000;

/// The reads of the evaluation on this thread, when explaining: `None`
/// (the default) costs each sheet accessor one check.
struct Trace {
    reads: Vec<crate::outcome::Read>,
    dropped: usize,
}

thread_local! {
    static TRACE: RefCell<Option<Trace>> = const { RefCell::new(None) };
    static CURRENT: RefCell<Option<Evaluation>> = const { RefCell::new(None) };
    static BUDGET: RefCell<Budget> = const { RefCell::new(NO_BUDGET) };
    static BOUNDS: Cell<Bounds> = const { Cell::new(NO_BOUNDS) };
}

/// Installs a budget (and optionally an evaluation) on this thread and
/// removes both when dropped, even on panic.
pub(crate) struct Installed {
    /// What was installed before, put back when this one is removed.
    prev: Option<(Budget, Bounds)>,
    had_eval: bool,
}

/// What an evaluation left behind besides its result.
pub(crate) struct Finished {
    pub eval: Option<Evaluation>,
    /// The first kaiji error or limit it hit, even if the script went on.
    pub first_error: Option<Box<EvalAltResult>>,
}

impl Installed {
    pub fn new(limits: &Limits, eval: Option<Evaluation>) -> Installed {
        let bounds = Bounds {
            deadline: Some(Instant::now() + limits.timeout),
            memory_base: crate::memory::thread_net_bytes(),
            max_memory: limits.max_memory.max(1),
            max_string_size: limits.max_string_size.max(1),
        };
        let prev = Some((BUDGET.replace(NO_BUDGET), BOUNDS.replace(bounds)));
        let had_eval = eval.is_some();
        if let Some(e) = eval {
            CURRENT.set(Some(e));
        }
        Installed { prev, had_eval }
    }

    /// End the evaluation and take what it collected.
    pub fn finish(mut self) -> Finished {
        let first_error = BUDGET.with_borrow_mut(|b| b.first_error.take());
        let eval = if self.had_eval { CURRENT.take() } else { None };
        self.had_eval = false;
        self.restore();
        Finished { eval, first_error }
    }

    /// Put back the budget and limits that were installed before.
    fn restore(&mut self) {
        if let Some((budget, bounds)) = self.prev.take() {
            BUDGET.set(budget);
            BOUNDS.set(bounds);
        }
    }
}

impl Drop for Installed {
    fn drop(&mut self) {
        self.restore();
        if self.had_eval {
            CURRENT.set(None);
        }
    }
}

/// Start recording this thread's reads (`--explain`).
pub(crate) fn start_trace() {
    TRACE.set(Some(Trace { reads: Vec::new(), dropped: 0 }));
}

/// Stop recording and take the reads made since [`start_trace`].
pub(crate) fn take_trace() -> Option<Vec<crate::outcome::Read>> {
    TRACE.take().map(|mut t| {
        if t.dropped > 0 {
            t.reads.push(crate::outcome::Read::new("truncated", format!("… {} more reads not kept", t.dropped)));
        }
        t.reads
    })
}

/// Record a read when explaining; `read` is only called then.
#[inline]
pub(crate) fn trace(read: impl FnOnce() -> crate::outcome::Read) {
    TRACE.with_borrow_mut(|t| {
        if let Some(t) = t {
            if t.reads.len() < MAX_READS {
                t.reads.push(read());
            } else {
                t.dropped += 1;
            }
        }
    });
}

/// Whether this thread records reads.
#[inline]
pub(crate) fn tracing() -> bool {
    TRACE.with_borrow(Option::is_some)
}

/// Run `f` with the evaluation of this thread, if one is running.
pub(crate) fn with_current<R>(f: impl FnOnce(Option<&mut Evaluation>) -> R) -> R {
    CURRENT.with_borrow_mut(|c| f(c.as_mut()))
}

/// The tokens an evaluation is stopped with (`ErrorTerminated`, which a
/// script cannot catch).
pub(crate) const TIMEOUT_TOKEN: &str = "kaiji: wall-time limit";
pub(crate) const MEMORY_TOKEN: &str = "kaiji: memory limit";
pub(crate) const SKIP_TOKEN: &str = "kaiji: skip";

/// Remember `e` as the evaluation's first kaiji error (if it is the first)
/// and hand it back to be returned.
pub(crate) fn record(e: Box<EvalAltResult>) -> Box<EvalAltResult> {
    BUDGET.with_borrow_mut(|b| {
        if b.first_error.is_none() {
            b.first_error = Some(copy_of(&e));
        }
    });
    e
}

/// A copy of the errors kaiji raises itself (they are not `Clone`).
fn copy_of(e: &EvalAltResult) -> Box<EvalAltResult> {
    match e {
        EvalAltResult::ErrorTerminated(token, pos) => EvalAltResult::ErrorTerminated(token.clone(), *pos).into(),
        EvalAltResult::ErrorDataTooLarge(what, pos) => EvalAltResult::ErrorDataTooLarge(what.clone(), *pos).into(),
        other => EvalAltResult::ErrorRuntime(Dynamic::from(other.to_string()), other.position()).into(),
    }
}

/// Whether this thread's evaluation is past its memory budget.
fn over_memory(b: &Bounds) -> bool {
    b.memory_base.is_some_and(|base| {
        let used = crate::memory::net_bytes_unchecked().wrapping_sub(base);
        used > 0 && used as usize > b.max_memory
    })
}

/// Record why the evaluation stops and give the token to stop it with.
fn stop(why: Stop) -> &'static str {
    let token = match why {
        Stop::Timeout => TIMEOUT_TOKEN,
        Stop::Memory => MEMORY_TOKEN,
    };
    BUDGET.with_borrow_mut(|b| {
        if b.first_error.is_none() {
            b.first_error = Some(EvalAltResult::ErrorTerminated(Dynamic::from(token), rhai::Position::NONE).into());
        }
    });
    token
}

/// For native helpers with loops of their own: an error once the
/// evaluation is past its deadline or memory budget, so one native call
/// cannot outrun the limits the interpreter checks between operations.
pub(crate) fn check_budget(pos: rhai::Position) -> Result<(), Box<EvalAltResult>> {
    let b = BOUNDS.get();
    let why = if over_memory(&b) {
        Stop::Memory
    } else if b.deadline.is_some_and(|d| Instant::now() >= d) {
        Stop::Timeout
    } else {
        return Ok(());
    };
    Err(EvalAltResult::ErrorTerminated(Dynamic::from(stop(why)), pos).into())
}

/// The string-size limit of the running evaluation, for helpers that
/// build text (joins) before Rhai could check it.
pub(crate) fn max_string_size() -> usize {
    BOUNDS.get().max_string_size
}

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

    // Rhai reads 0 as "unlimited": a 0 here means as little as possible.
    e.set_max_operations(limits.max_operations.max(1));
    e.set_max_call_levels(limits.max_call_depth);
    e.set_max_expr_depths(limits.max_expr_depth.max(1), limits.max_expr_depth.max(1));
    e.set_max_string_size(limits.max_string_size.max(1));
    e.set_max_array_size(limits.max_array_size.max(1));
    e.set_max_map_size(limits.max_map_size.max(1));
    e.set_max_modules(64);
    e.on_progress(|ops| {
        let b = BOUNDS.get();
        // Memory on every operation (a thread-local read): one operation
        // can allocate up to the string-size limit.
        let why = if over_memory(&b) {
            Stop::Memory
        } else if ops % CLOCK_EVERY == 0 && b.deadline.is_some_and(|d| Instant::now() >= d) {
            Stop::Timeout
        } else {
            return None;
        };
        Some(Dynamic::from(stop(why)))
    });

    e.on_print(|text| log("print", text));
    e.on_debug(|text, _, pos| log("debug", &format!("{text} (line {})", pos.line().unwrap_or(0))));

    e.set_module_resolver(resolver);
    super::api::register(&mut e);
    e
}

/// `print`/`debug` to stderr, tagged with the policy and sheet, at most
/// [`MAX_PRINT_BYTES`] per evaluation (then one line saying so).
fn log(kind: &str, text: &str) {
    let who = with_current(|c| c.map(|c| format!("{} on {}", c.policy.meta.id, c.sheet.path)));
    // Policies print sheet values: vendor text, never live on the terminal.
    let line = format!("[{kind}] {}: {text}", who.as_deref().unwrap_or("policy"));
    let line = crate::text::printable(&line);
    // Whole lines count, tag included: the cap bounds what reaches the log.
    let (before, after) = BUDGET.with_borrow_mut(|b| {
        let before = b.printed;
        b.printed = b.printed.saturating_add(line.len() + 1);
        (before, b.printed)
    });
    if after <= MAX_PRINT_BYTES {
        eprintln!("{line}");
    } else if before <= MAX_PRINT_BYTES {
        eprintln!(
            "[{kind}] {}: output truncated: more than {} KiB of print/debug output in one evaluation",
            crate::text::printable(who.as_deref().unwrap_or("policy")),
            MAX_PRINT_BYTES >> 10
        );
    }
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
