//! TOML sheet text → loader → lint → every renderer: no panic, whatever the bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    kaiji::fuzzing::sheet(data, kaiji::sheet::SheetFormat::Toml);
});
