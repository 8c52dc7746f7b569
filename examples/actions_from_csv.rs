//! Decisions for the shipped customers: load the 2025 history with the
//! register and the interactions, run the default rulebook (Curry's method
//! as data) and print the most urgent actions with their reasons.
//!
//! Run with `cargo run --example actions_from_csv`.

use crm::csv::{ImportOptions, read_customers, read_interactions, read_transactions};
use crm::pyramid::{PyramidOptions, pyramid};
use crm::strategy::{FactsBuilder, Plan, Rulebook, plan};
use crm::{Ledger, LedgerOptions, Period};

/// Loads `examples/data`, plans the actions of 2025 and prints the top ten.
pub fn main() -> Result<(), Box<dyn std::error::Error>> {
    let planned = actions()?;
    println!(
        "{} actions for {} customers of {} under {} ({}):",
        planned.actions.len(),
        planned.summary.customers,
        planned.period,
        planned.rulebook,
        planned.policy
    );
    for (strategy, n) in &planned.summary.by_strategy {
        println!("  {strategy:<10} {n:>5}");
    }
    println!("The most urgent:");
    for a in planned.actions.iter().take(10) {
        println!("- {a}");
    }
    Ok(())
}

/// The plan of 2025 under the default rulebook, with two earlier years for
/// the history (best former level, periods at a level).
pub fn actions() -> Result<Plan, Box<dyn std::error::Error>> {
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/data");
    let years: Vec<Period> = ["2025", "2024", "2023"]
        .iter()
        .map(|y| y.parse())
        .collect::<Result<_, _>>()?;
    // Purchase days give the recency and rhythm facts.
    let mut ledger = Ledger::with_options(years.clone(), LedgerOptions::new().purchase_days(true));
    let options = ImportOptions::new();
    let customers = data.join("customers.csv");
    read_customers(&customers, &options, &mut ledger)?;
    read_interactions(data.join("interactions.csv"), &options, &mut ledger)?;
    read_transactions(data.join("transactions.csv"), &options, &mut ledger)?;
    // The register once more, whole: consent, segment and potential are
    // facts.
    let register: Vec<crm::Customer> =
        crm::csv::customers(std::fs::File::open(&customers)?, &customers, &options)?
            .collect::<Result<_, _>>()?;
    let pyramids: Vec<_> = years
        .iter()
        .map(|y| pyramid(&ledger, y, &PyramidOptions::new()))
        .collect::<Result<_, _>>()?;
    let facts = FactsBuilder::new(&ledger, &pyramids[0])
        .history(&pyramids[1..])
        .register(&register)
        .build()?;
    Ok(plan(&facts, &Rulebook::curry()))
}
