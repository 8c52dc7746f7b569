//! Test data: the shipped reference sets.

use std::path::PathBuf;

use crm_clv::{Summary, read_summaries};

pub fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// The 2,357 CDNOW customers, weeks, calibration end 1997-09-30.
pub fn cdnow() -> Vec<Summary> {
    read_summaries(data("cdnow_customers_summary_with_transactions.csv")).unwrap()
}

/// The donations data (BG/BB), 22 weighted histories.
pub fn donations() -> Vec<Summary> {
    read_summaries(data("donations.csv")).unwrap()
}

/// |a - b| <= rel * |b|
#[track_caller]
pub fn close(a: f64, b: f64, rel: f64) {
    assert!(
        (a - b).abs() <= rel * b.abs(),
        "{a} vs {b} (rel {})",
        (a - b).abs() / b.abs()
    );
}

/// Equal to `sig` significant figures after rounding.
#[track_caller]
pub fn sig(a: f64, b: f64, sig: i32) {
    let mag = b.abs().log10().floor() as i32;
    let unit = 10f64.powi(mag - sig + 1);
    assert!(
        ((a / unit).round() - (b / unit).round()).abs() < 0.5,
        "{a} vs published {b} to {sig} significant figures"
    );
}
