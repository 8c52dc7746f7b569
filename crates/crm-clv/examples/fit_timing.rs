//! Times fits of one model on a summary file, for comparison scripts:
//! `fit_timing MODEL FILE RUNS` prints one JSON line with the median fit
//! time in milliseconds over RUNS fits after one untimed warm-up fit
//! (reading the file excluded), and the parameters.
//!
//! Run with `cargo run --release -p crm-clv --example fit_timing --
//! bg-nbd tests/data/cdnow_customers_summary_with_transactions.csv 20`.

use std::time::Instant;

use crm_clv::{BgBb, BgNbd, FitOptions, GammaGamma, MbgNbd, Parameters, ParetoNbd, read_summaries};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, model, file, runs] = &args[..] else {
        return Err("usage: fit_timing MODEL FILE RUNS".into());
    };
    let runs: usize = runs.parse()?;
    let data = read_summaries(file)?;
    let o = FitOptions::new();
    let mut times = Vec::with_capacity(runs);
    let mut values = Vec::new();
    let mut names: &[&str] = &[];
    for run in 0..=runs.max(1) {
        let start = Instant::now();
        (names, values) = match model.as_str() {
            "bg-nbd" => (BgNbd::NAMES, BgNbd::fit(&data, &o)?.model.values()),
            "mbg-nbd" => (MbgNbd::NAMES, MbgNbd::fit(&data, &o)?.model.values()),
            "pareto-nbd" => (ParetoNbd::NAMES, ParetoNbd::fit(&data, &o)?.model.values()),
            "bg-bb" => (BgBb::NAMES, BgBb::fit(&data, &o)?.model.values()),
            "gamma-gamma" => (
                GammaGamma::NAMES,
                GammaGamma::fit(&data, &o)?.0.model.values(),
            ),
            other => return Err(format!("unknown model {other}").into()),
        };
        if run > 0 {
            times.push(start.elapsed().as_secs_f64() * 1000.0);
        }
    }
    times.sort_by(f64::total_cmp);
    let params: Vec<String> = names
        .iter()
        .zip(&values)
        .map(|(n, v)| format!("\"{n}\":{v}"))
        .collect();
    println!(
        "{{\"median_ms\":{},\"params\":{{{}}}}}",
        times[times.len() / 2],
        params.join(",")
    );
    Ok(())
}
