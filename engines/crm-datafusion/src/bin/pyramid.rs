//! The pyramid of one year (with the year before for the change) from the
//! customer facts computed by DataFusion in this process, over a CSV or
//! Parquet file or a folder of CSV or Parquet partitions (`*.parquet`
//! files or a folder holding them are read as Parquet): what
//! `benches/compare/datafusion_vs_csv.sh` times against `crm pyramid`.
//!
//! Build and run with `cargo run --release --no-default-features
//! --features bench --bin crm-datafusion-pyramid -- PATH YEAR`; prints one
//! line per level (`level customers value previous_customers
//! previous_value`) and, on standard error, the seconds of the facts pass.

use crm_core::{Ledger, Period};
use crm_datafusion::{Partitions, local_context, record_facts};
use crm_pyramid::{PyramidOptions, PyramidReport, pyramid};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(path), Some(year)) = (args.next(), args.next()) else {
        return Err("usage: pyramid PATH YEAR".into());
    };
    let year: Period = year.parse()?;
    let before = year.previous_calendar().ok_or("no previous year")?;
    let mut ledger = Ledger::new([year, before]);
    let p = std::path::Path::new(&path);
    let parquet = if p.is_dir() {
        std::fs::read_dir(p)?
            .flatten()
            .any(|e| e.path().extension().is_some_and(|x| x == "parquet"))
    } else {
        p.extension().is_some_and(|x| x == "parquet")
    };
    let parts = if parquet {
        Partitions::parquet(p)?
    } else {
        Partitions::csv(p)?
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let started = std::time::Instant::now();
    let report = rt.block_on(record_facts(&local_context(), &parts, &mut ledger))?;
    eprintln!(
        "facts pass: {} customers, {} transactions, {:.2} s",
        report.customers,
        report.transactions,
        started.elapsed().as_secs_f64()
    );
    let options = PyramidOptions::new();
    let now = pyramid(&ledger, &year, &options)?;
    let then = pyramid(&ledger, &before, &options)?;
    for row in PyramidReport::new(&now, Some(&then)).levels {
        let previous = row.previous.map(|p| (p.customers, p.value.to_string()));
        let (pc, pv) = previous.unwrap_or((0, "0".into()));
        println!(
            "{} {} {} {pc} {pv}",
            row.level.to_string().to_lowercase(),
            row.customers,
            row.value
        );
    }
    Ok(())
}
