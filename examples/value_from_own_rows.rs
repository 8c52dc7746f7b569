//! What each customer is worth, from a CRM's own order rows: RFM scores
//! and segments as of a date, written as JSON for the CRM's front end. No
//! CSV, no command line.
//!
//! Run with `cargo run --example value_from_own_rows --features serde`.

use crm::value::{RfmOptions, rfm, rfm_period};
use crm::{Ledger, LedgerOptions, Money, NaiveDate};

/// An invoice line as the CRM keeps it: account, day, amount in cents.
const INVOICES: &[(&str, (i32, u32, u32), i64)] = &[
    ("ACME", (2025, 1, 10), 120_000),
    ("ACME", (2025, 4, 2), 95_000),
    ("ACME", (2025, 9, 15), 130_000),
    ("Bolt", (2024, 11, 3), 20_000),
    ("Cobra", (2025, 6, 20), 45_000),
    ("Cobra", (2025, 10, 1), 51_000),
    ("Delta", (2023, 2, 14), 80_000),
    ("Echo", (2025, 11, 28), 9_900),
];

/// Prints the RFM analysis as JSON.
pub fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("{}", scores()?);
    Ok(())
}

/// The RFM analysis as of 1 December 2025, as JSON.
pub fn scores() -> Result<String, Box<dyn std::error::Error>> {
    let as_of = NaiveDate::from_ymd_opt(2025, 12, 1).ok_or("bad date")?;
    // RFM reads every purchase day before the date.
    let mut ledger = Ledger::with_options(
        [rfm_period(as_of)?],
        LedgerOptions::new().purchase_days(true),
    );
    for &(account, (y, m, d), cents) in INVOICES {
        let day = NaiveDate::from_ymd_opt(y, m, d).ok_or("bad date")?;
        ledger.record_sale(account, day, Money::from_minor(cents, 2), None)?;
    }
    let analysis = rfm(&ledger, as_of, &RfmOptions::new())?;
    Ok(serde_json::to_string_pretty(&analysis)?)
}
