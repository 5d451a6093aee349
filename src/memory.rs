//! Per-thread allocation accounting, for the per-evaluation memory bound
//! (`--max-memory`).
//!
//! Rhai counts operations, string, array and map sizes, but nothing bounds
//! what closures capture or what a policy keeps alive in many small values.
//! [`CountingAlloc`] wraps the system allocator and keeps, per thread, the
//! net number of bytes allocated; the policy engine reads it while a policy
//! runs (a policy evaluation never leaves its thread) and stops the policy
//! when it has grown past its budget.
//!
//! The `kaiji` binary installs it as the global allocator. A program that
//! embeds the library and wants the memory bound installs it too:
//!
//! ```no_run
//! #[global_allocator]
//! static ALLOC: kaiji::memory::CountingAlloc = kaiji::memory::CountingAlloc;
//!
//! fn main() {
//!     // ... load policies and check sheets as usual
//! }
//! ```
//!
//! Without it, [`thread_net_bytes`] is `None` and only the other limits
//! apply (documented on [`crate::policy::Limits::max_memory`]).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering};

/// The system allocator, counting each thread's net allocated bytes.
pub struct CountingAlloc;

static INSTALLED: AtomicBool = AtomicBool::new(false);

thread_local! {
    // Const-initialised and without a destructor: reading it never
    // allocates and never fails, so the allocator may touch it.
    static NET: Cell<isize> = const { Cell::new(0) };
}

#[inline]
fn add(delta: isize) {
    // `try_with`: a thread being torn down may still free memory.
    let _ = NET.try_with(|n| n.set(n.get().wrapping_add(delta)));
}

// SAFETY: every method forwards to `System` with the caller's arguments and
// only adds bookkeeping that neither allocates nor panics.
unsafe impl GlobalAlloc for CountingAlloc {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            add(layout.size() as isize);
        }
        p
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            add(layout.size() as isize);
        }
        p
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        add(-(layout.size() as isize));
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            add(new_size as isize - layout.size() as isize);
        }
        p
    }
}

/// Net bytes this thread has allocated so far (allocations minus frees,
/// wherever they happened), or `None` when [`CountingAlloc`] is not the
/// global allocator. Only differences between two readings mean anything.
pub fn thread_net_bytes() -> Option<isize> {
    if !INSTALLED.load(Ordering::Relaxed) {
        // A first allocation moves the counter only if we are installed.
        let before = NET.with(Cell::get);
        let probe = std::hint::black_box(Box::new(0u64));
        let moved = NET.with(Cell::get) != before;
        drop(probe);
        if !moved {
            return None;
        }
        INSTALLED.store(true, Ordering::Relaxed);
    }
    Some(NET.with(Cell::get))
}

/// The counter without the installation check, for hot paths that already
/// know it is installed (the policy engine checks once per evaluation).
#[inline]
pub(crate) fn net_bytes_unchecked() -> isize {
    NET.with(Cell::get)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_this_threads_allocations() {
        // The unit tests install CountingAlloc (lib.rs).
        let before = thread_net_bytes().expect("installed for unit tests");
        let v = vec![0u8; 1 << 20];
        let during = thread_net_bytes().unwrap();
        assert!(during - before >= 1 << 20, "{before} → {during}");
        drop(v);
        let after = thread_net_bytes().unwrap();
        assert!(after - before < 1 << 16, "{before} → {after}");
    }
}
