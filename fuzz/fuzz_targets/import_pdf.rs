//! PDF bytes → PDF importer → canonical TOML → loader → lint → every
//! renderer: no panic, and the import always loads.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    kaiji::fuzzing::import(data, kaiji::fuzzing::Importer::Pdf);
});
