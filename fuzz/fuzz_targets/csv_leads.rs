//! Any bytes as a leads file: rows or a positioned error, never a panic.
#![no_main]

use crm::csv::{ImportOptions, Mode};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for mode in [Mode::Strict, Mode::Lenient] {
        let o = ImportOptions::new().mode(mode);
        if let Ok(it) = crm::csv::leads(data, "fuzz.csv", &o) {
            for r in it {
                if let Err(e) = r {
                    let _ = e.to_string();
                }
            }
        }
    }
});
