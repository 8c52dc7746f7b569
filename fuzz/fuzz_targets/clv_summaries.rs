//! Any bytes as a summary file for `crm clv --summary`: summaries or an
//! error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(e) = crm_clv::read_summaries_from(data, std::path::Path::new("fuzz.csv")) {
        let _ = e.to_string();
    }
});
