//! Any text as a rulebook (TOML and JSON, as `crm actions --rules` reads
//! it): a compiled rulebook or every problem with its place, never a panic.
#![no_main]

use crm_strategy::{Error, Format, Rulebook};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for format in [Format::Toml, Format::Json] {
        match Rulebook::parse(text, format, "rules") {
            Ok(book) => assert!(book.rules().len() <= crm_strategy::MAX_RULES),
            Err(Error::Rulebook { problems, .. }) => {
                // Every problem has a place inside the text.
                let lines = text.matches('\n').count() + 1;
                for p in &problems {
                    let at = p.position;
                    assert!(at.line >= 1 && at.line <= lines, "{p}");
                }
            }
            Err(_) => {}
        }
    }
});
