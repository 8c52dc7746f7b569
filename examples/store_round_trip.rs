//! Keep the history in SQLite: import the example transactions, re-import
//! them (nothing is added), build the pyramid from the database, and erase
//! one customer.
//!
//! Run with `cargo run --features sqlite --example store_round_trip`.

use crm::csv::{ImportOptions, transactions};
use crm::pyramid::{PyramidOptions, pyramid};
use crm::store::{SqliteStore, Store, load_ledger};
use crm::{Ledger, Period};

/// Imports into a database in a temporary directory and reads it back.
pub fn main() -> Result<(), Box<dyn std::error::Error>> {
    let data =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/data/transactions.csv");
    let dir = tempfile::tempdir()?;
    let mut store = SqliteStore::open(dir.path().join("crm.db"))?;

    for round in ["first", "second"] {
        let file = std::io::BufReader::new(std::fs::File::open(&data)?);
        let mut rows = transactions(file, &data, &ImportOptions::new())?
            .map(|r| r.map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>));
        let added = store.import_transactions(&mut rows)?;
        println!(
            "{round} import: {} new, {} duplicate",
            added.new, added.duplicate
        );
    }

    let year: Period = "2025".parse()?;
    let mut ledger = Ledger::new([year]);
    load_ledger(&store, &mut ledger)?;
    let p = pyramid(&ledger, &year, &PyramidOptions::new())?;
    let best = p
        .ranking()
        .first()
        .map(|&id| ledger.key(id).map(str::to_string))
        .ok_or("no customers")??;
    println!(
        "{} active customers in 2025; the best is {best}",
        p.active()
    );

    let erased = store.erase(&best)?;
    println!("erased {best}: {} rows", erased.total());
    assert!(store.history(&best)?.is_none());
    Ok(())
}
