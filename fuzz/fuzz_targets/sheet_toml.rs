//! TOML sheet text → loader → lint → every renderer: no panic, whatever the bytes;
//! and the TOML fast path reads whatever it accepts as the `toml` crate does.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    kaiji::fuzzing::sheet(data, kaiji::sheet::SheetFormat::Toml);
});
