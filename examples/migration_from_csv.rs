//! How customers moved between the pyramid levels of 2024 and 2025 in the
//! shipped example data, where the value change came from, and who is at
//! risk.
//!
//! Run with `cargo run --example migration_from_csv`.

use crm::csv::{ImportOptions, read_customers, read_transactions};
use crm::migration::{Migration, Source, risk_list};
use crm::pyramid::{Level, PyramidOptions, pyramid};
use crm::{Ledger, Period};

/// Reads the example files and prints the matrix's summary, its bridge and
/// the top of the risk list.
pub fn main() -> Result<(), Box<dyn std::error::Error>> {
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/data");
    let (earlier, later): (Period, Period) = ("2024".parse()?, "2025".parse()?);

    // One pass over the files serves both periods.
    let mut ledger = Ledger::new([earlier, later]);
    read_customers(
        data.join("customers.csv"),
        &ImportOptions::new(),
        &mut ledger,
    )?;
    read_transactions(
        data.join("transactions.csv"),
        &ImportOptions::new(),
        &mut ledger,
    )?;

    let options = PyramidOptions::new();
    let (a, b) = (
        pyramid(&ledger, &earlier, &options)?,
        pyramid(&ledger, &later, &options)?,
    );
    let m = Migration::between(&ledger, &a, &b)?;
    let s = m.summary;
    println!(
        "up {} (new {}, reactivated {}), down {}, lapsed {}, stayed {}; net inflow {:+}",
        s.up, s.new, s.reactivated, s.down, s.lapsed, s.stayed, s.net_inflow
    );
    println!(
        "Top customers who stayed Top: {}",
        m.cell(Source::Level(Level::Top), Level::Top).customers
    );
    println!("value {} -> {}", m.bridge.from_total, m.bridge.to_total);
    for (movement, change) in &m.bridge.steps {
        println!("  {movement:<12} {change}");
    }
    for r in risk_list(&ledger, &a, &b)?.iter().take(3) {
        println!(
            "at risk: {} {} -> {}, value lost {}",
            r.customer, r.from, r.to, r.value_lost
        );
    }
    Ok(())
}
