//! Rhai built-ins that take a callback, replaced where Rhai's own version
//! swallows the callback's errors.
//!
//! Rhai's `sort(comparer)` and `dedup(comparer)` treat a comparer that
//! throws, runs out of time or names an unknown question as "equal" and
//! carry on, so the policy could pass. These versions stop at the first
//! error and return it. The other callback-taking built-ins (`map`,
//! `filter`, `reduce`, `some`, `all`, `retain`, `drain`, `index_of`, `find`,
//! ...) already propagate errors; `tests.rs` throws inside every one of
//! them. Registered on the engine itself, they take precedence over the
//! package versions of the same signature.

use std::cmp::Ordering;
use std::panic::{AssertUnwindSafe, catch_unwind};

use rhai::{Array, Dynamic, Engine, EvalAltResult, FnPtr, FuncRegistration, NativeCallContext};

type Res<T> = Result<T, Box<EvalAltResult>>;

fn runtime(msg: String, ctx: &NativeCallContext) -> Box<EvalAltResult> {
    EvalAltResult::ErrorRuntime(msg.into(), ctx.call_position()).into()
}

/// What a comparer's result means as an order: an integer (its sign) or a
/// bool (`true`: first before second), as in Rhai; anything else is an error.
fn as_order(v: &Dynamic, ctx: &NativeCallContext) -> Res<Ordering> {
    if let Ok(n) = v.as_int() {
        return Ok(n.cmp(&0));
    }
    if let Ok(b) = v.as_bool() {
        return Ok(if b { Ordering::Less } else { Ordering::Greater });
    }
    Err(runtime(format!("sort: the comparer returned {}, not an integer or a bool", v.type_name()), ctx))
}

fn sort_by(ctx: NativeCallContext, array: &mut Array, comparer: FnPtr) -> Res<()> {
    if array.len() <= 1 {
        return Ok(());
    }
    let mut failure: Option<Box<EvalAltResult>> = None;
    // `slice::sort_by` may panic when the comparer is not a total order.
    let sorted = catch_unwind(AssertUnwindSafe(|| {
        array.sort_by(|x, y| {
            if failure.is_some() {
                return Ordering::Equal;
            }
            match comparer.call_raw(&ctx, None, [x.clone(), y.clone()]).and_then(|v| as_order(&v, &ctx)) {
                Ok(o) => o,
                Err(e) => {
                    failure = Some(e);
                    Ordering::Equal
                }
            }
        });
    }));
    if let Some(e) = failure {
        return Err(e);
    }
    sorted.map_err(|_| runtime("sort: the comparer is not a consistent order".into(), &ctx))
}

fn dedup_by(ctx: NativeCallContext, array: &mut Array, comparer: FnPtr) -> Res<()> {
    let mut failure: Option<Box<EvalAltResult>> = None;
    array.dedup_by(|x, y| {
        if failure.is_some() {
            return false;
        }
        let same = comparer.call_raw(&ctx, None, [y.clone(), x.clone()]).and_then(|v| {
            v.as_bool().map_err(|t| runtime(format!("dedup: the comparer returned {t}, not a bool"), &ctx))
        });
        same.unwrap_or_else(|e| {
            failure = Some(e);
            false
        })
    });
    failure.map_or(Ok(()), Err)
}

pub(crate) fn register(e: &mut Engine) {
    for name in ["sort", "sort_by"] {
        FuncRegistration::new(name)
            .with_params_info(["array: Array", "comparer: FnPtr", "()"])
            .with_comments([
                "/// Sort the array with `comparer(a, b)`: a negative integer (or `true`) puts `a` first.\n\
                 /// An error inside the comparer stops the policy (it is not read as \"equal\").",
            ])
            .register_into_engine(e, sort_by);
    }
    FuncRegistration::new("dedup")
        .with_params_info(["array: Array", "comparer: FnPtr", "()"])
        .with_comments(["/// Remove consecutive elements that `comparer(a, b)` says are the same.\n\
             /// An error inside the comparer stops the policy (it is not read as \"different\")."])
        .register_into_engine(e, dedup_by);
}
