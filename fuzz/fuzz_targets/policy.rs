//! Policy text → front matter + Rhai compilation → evaluation on an example
//! sheet under tight limits → every renderer: no panic, errors explained.
#![no_main]

use libfuzzer_sys::fuzz_target;

// As in the binary: the per-evaluation memory bound reads this allocator.
#[global_allocator]
static ALLOC: kaiji::memory::CountingAlloc = kaiji::memory::CountingAlloc;

fuzz_target!(|data: &[u8]| {
    kaiji::fuzzing::policy(data);
});
