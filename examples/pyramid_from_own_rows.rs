//! Embedding the toolkit in a CRM that has its own order rows: no CSV, no
//! command line. The rows go into a ledger in batches, the pyramid of this
//! year is compared with last year's, and the report is written as JSON
//! for the CRM's own front end.
//!
//! Run with `cargo run --example pyramid_from_own_rows --features serde`.

use crm::pyramid::{Level, PyramidOptions, PyramidReport, pyramid_with_previous};
use crm::{Ledger, Money, NaiveDate, Period, SaleBatch};

/// An order as the CRM stores it.
struct Order {
    account: &'static str,
    booked: (i32, u32, u32),
    net_amount_cents: i64,
    gross_profit_cents: Option<i64>,
}

/// The CRM's orders (in a real system: a database cursor).
fn orders() -> Vec<Order> {
    let mut rows = Vec::new();
    for (i, account) in ["ACME", "Bolt", "Cobra", "Delta", "Echo", "Fjord"]
        .into_iter()
        .enumerate()
    {
        let base = 100_000 * (6 - i as i64);
        rows.push(Order {
            account,
            booked: (2024, 3, 1 + i as u32),
            net_amount_cents: base,
            gross_profit_cents: Some(base / 4),
        });
        if account != "Fjord" {
            // Fjord did not buy again: inactive this year.
            rows.push(Order {
                account,
                booked: (2025, 5, 1 + i as u32),
                net_amount_cents: base + 50_000 * i as i64,
                gross_profit_cents: None,
            });
        }
    }
    rows
}

/// Prints the report of 2025 as JSON.
pub fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("{}", report()?);
    Ok(())
}

/// Builds the pyramid of 2025 from the CRM's own rows and returns the
/// report as JSON.
pub fn report() -> Result<String, Box<dyn std::error::Error>> {
    let year: Period = "2025".parse()?;
    // This year and the one before, for the comparison.
    let mut ledger = Ledger::new(year.with_previous());

    // Batches let the ledger overlap the memory lookups of many rows.
    let mut batch = SaleBatch::new();
    for o in orders() {
        let (y, m, d) = o.booked;
        let date = NaiveDate::from_ymd_opt(y, m, d).ok_or("bad date")?;
        let cents = |c| Money::from_minor(c, 2);
        batch.push(
            o.account,
            date,
            cents(o.net_amount_cents),
            o.gross_profit_cents.map(cents),
        );
    }
    let mut rejected = Vec::new();
    batch.record_into(&mut ledger, |i, e, sale| {
        rejected.push(format!("row {i} ({}): {e}", sale.key));
    });
    if !rejected.is_empty() {
        return Err(rejected.join("; ").into());
    }

    let (now, before) = pyramid_with_previous(&ledger, &year, &PyramidOptions::new())?;
    assert_eq!(now.figures(Level::Inactive).customers, 1);
    let report = PyramidReport::new(&now, before.as_ref());
    Ok(serde_json::to_string_pretty(&report)?)
}
