//! The customer pyramid of 2025 from the shipped example data, with the
//! change against 2024: what an integrator writes to embed the toolkit.
//!
//! Run with `cargo run --example pyramid_from_csv`.

use crm::csv::{ImportOptions, read_customers, read_interactions, read_transactions};
use crm::pyramid::{Level, PyramidOptions, PyramidReport, pyramid};
use crm::{Ledger, Period};

/// Reads the example files and prints one line per level.
pub fn main() -> Result<(), Box<dyn std::error::Error>> {
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/data");
    let year: Period = "2025".parse()?;
    let before = year.previous_calendar().ok_or("no previous year")?;

    // One streaming pass per file into per-customer aggregates.
    let mut ledger = Ledger::new([year, before]);
    let options = ImportOptions::new();
    read_customers(data.join("customers.csv"), &options, &mut ledger)?;
    read_interactions(data.join("interactions.csv"), &options, &mut ledger)?;
    let report = read_transactions(data.join("transactions.csv"), &options, &mut ledger)?;
    println!("{} transactions, {} parties", report.imported, ledger.len());

    let options = PyramidOptions::new();
    let now = pyramid(&ledger, &year, &options)?;
    let then = pyramid(&ledger, &before, &options)?;
    let report = PyramidReport::new(&now, Some(&then));
    for row in &report.levels {
        let change = row.change.map_or(0, |c| c.customers);
        println!(
            "{:<9} {:>6} customers ({change:+}), value {}",
            row.level, row.customers, row.value
        );
    }
    let top = now
        .ranking()
        .first()
        .map(|&id| ledger.key(id))
        .transpose()?
        .unwrap_or("-");
    println!(
        "best customer: {top}; Top customers: {}",
        now.figures(Level::Top).customers
    );
    Ok(())
}
