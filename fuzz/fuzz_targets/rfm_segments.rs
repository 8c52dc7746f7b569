//! Any text as an RFM segment file (TOML or JSON, as `crm value rfm
//! --segments` reads it): rules or an error; rules that parse score a
//! small ledger without a panic.
#![no_main]

use crm::value::{RfmOptions, SegmentRule, rfm};
use crm::{Decimal, Ledger, LedgerOptions, Money, NaiveDate, Transaction};
use libfuzzer_sys::fuzz_target;

#[derive(serde::Deserialize)]
struct Rules {
    segment: Vec<SegmentRule>,
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let rules = [
        toml::from_str::<Rules>(text).ok(),
        serde_json::from_str::<Rules>(text).ok(),
    ];
    let as_of = NaiveDate::from_ymd_opt(2025, 1, 1).expect("a date");
    let Ok(period) = crm::value::rfm_period(as_of) else {
        return;
    };
    let mut ledger = Ledger::with_options([period], LedgerOptions::new().purchase_days(true));
    for i in 0..12u32 {
        let key: crm::CustomerKey = format!("C{}", i % 7).parse().expect("a key");
        let day = NaiveDate::from_ymd_opt(2024, 1 + i % 12, 1 + i).expect("a date");
        let _ = ledger.add_transaction(&Transaction::new(
            key,
            day,
            Money::new(Decimal::from(i * 13 % 50 + 1)),
        ));
    }
    for r in rules.into_iter().flatten() {
        let _ = rfm(&ledger, as_of, &RfmOptions::new().segments(r.segment));
    }
});
