//! Any bytes as a interactions file: rows or a positioned error, never a panic.
#![no_main]

use crm::csv::{ImportOptions, Mode};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for mode in [Mode::Strict, Mode::Lenient] {
        let o = ImportOptions::new().mode(mode);
        if let Ok(it) = crm::csv::interactions(data, "fuzz.csv", &o) {
            for r in it {
                if let Err(e) = r {
                    let _ = e.to_string();
                }
            }
        }
        let mut l = crm::Ledger::new(["2024".parse::<crm::Period>().expect("a period")]);
        let _ = crm::csv::read_interactions_from(data, "fuzz.csv", &o, &mut l);
    }
});
