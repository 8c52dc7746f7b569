//! Lifetime value of the CDNOW customers: summarise their purchases up to
//! the calibration end, fit BG/NBD and Gamma-Gamma, and print the five
//! customers worth the most over the next year, with the fit's check
//! against the holdout.
//!
//! Run with `cargo run --example clv_from_csv`.

use crm::NaiveDate;
use crm::clv::checks::holdout_by_frequency;
use crm::clv::{
    BgNbd, FitOptions, GammaGamma, LifetimeOptions, PurchaseModel, SummaryBuilder, TimeUnit,
    lifetime_value,
};

/// Reads `examples/data/cdnow_transactions.csv`, fits and prints.
pub fn main() -> Result<(), Box<dyn std::error::Error>> {
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/data/cdnow_transactions.csv");
    let calibration_end = NaiveDate::from_ymd_opt(1997, 9, 30).ok_or("date")?;
    let observation_end = NaiveDate::from_ymd_opt(1998, 6, 30).ok_or("date")?;

    // One pass over the transactions: frequency, recency, T and mean spend
    // in weeks, plus the holdout figures.
    let mut builder =
        SummaryBuilder::new(calibration_end, TimeUnit::WEEK).observation_end(observation_end)?;
    let reader = std::io::BufReader::new(std::fs::File::open(&file)?);
    for t in crm::csv::transactions(reader, &file, &crm::csv::ImportOptions::new())? {
        builder.add(&t?)?;
    }
    let summaries = builder.finish()?;
    let customers = &summaries.customers;

    let purchases = BgNbd::fit(customers, &FitOptions::new())?;
    let (spend, left_out) = GammaGamma::fit(customers, &FitOptions::new())?;
    let m = &purchases.model;
    println!(
        "BG/NBD on {} customers: r {:.3}, alpha {:.3}, a {:.3}, b {:.3}, log-likelihood {:.2}",
        purchases.customers,
        m.r(),
        m.alpha(),
        m.a(),
        m.b(),
        purchases.log_likelihood
    );
    println!(
        "Gamma-Gamma on {} repeat buyers ({} without a repeat purchase left out)",
        spend.customers, left_out.no_repeat
    );

    // Value over 12 months at 1% a month.
    let mut values = Vec::with_capacity(customers.len());
    for c in customers {
        let s = spend.model.expected_spend(c)?;
        let v = lifetime_value(m, c, s, &LifetimeOptions::new(TimeUnit::WEEK))?;
        values.push((v, c));
    }
    values.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.key.cmp(&b.1.key)));
    for (v, c) in values.iter().take(5) {
        println!(
            "customer {:>5}: {} repeat purchases, P(alive) {:.2}, next year {:.1} purchases, value {:.2}",
            c.key,
            c.frequency,
            m.p_alive(c)?,
            m.expected_purchases(c, 52.0)?,
            v
        );
    }

    // The model against the 39 holdout weeks.
    for row in holdout_by_frequency(m, customers, 5)? {
        println!(
            "calibration frequency {}{}: actual {:.2}, predicted {:.2} purchases",
            row.frequency,
            if row.open { "+" } else { "" },
            row.actual,
            row.predicted
        );
    }
    Ok(())
}
