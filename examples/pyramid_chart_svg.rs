//! The customer pyramid of a CRM's own rows, drawn as an SVG file for a
//! dashboard: the levels' counts and value from the pyramid, the drawing
//! from the chart crate. No CSV, no command line.
//!
//! Run with `cargo run --example pyramid_chart_svg [out.svg]`.

use std::path::{Path, PathBuf};

use crm::chart::{Meta, PyramidChart, PyramidPanel, Tier, palette};
use crm::pyramid::{Level, PyramidOptions, pyramid};
use crm::{Ledger, Money, NaiveDate, Period};

/// Writes the chart to the path given, or to `pyramid.svg` in the
/// temporary directory.
pub fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args_os()
        .nth(1)
        .map_or_else(|| std::env::temp_dir().join("pyramid.svg"), PathBuf::from);
    write_chart(&out)?;
    println!("wrote {}", out.display());
    Ok(())
}

/// Builds the pyramid of 2025 from generated account rows and writes its
/// chart to `out`.
pub fn write_chart(out: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let year: Period = "2025".parse()?;
    let mut ledger = Ledger::new([year]);
    let day = NaiveDate::from_ymd_opt(2025, 6, 1).ok_or("bad date")?;
    // 200 accounts with spend falling off with rank, as sales usually do.
    for n in 1..=200i64 {
        let cents = 10_000_000 / n;
        ledger.record_sale(&format!("A{n:03}"), day, Money::from_minor(cents, 2), None)?;
    }
    let p = pyramid(&ledger, &year, &PyramidOptions::new())?;

    let colours = [
        palette::BLUE,
        palette::SKY_BLUE,
        palette::GREEN,
        palette::YELLOW,
    ];
    let mut panel = PyramidPanel::new("2025");
    for (level, colour) in Level::ACTIVE.iter().zip(colours) {
        let f = p.figures(*level);
        panel.active.push(Tier::new(
            level.as_str(),
            f.customers as f64,
            &f.customers.to_string(),
            &format!("value {}", f.value),
            colour,
        ));
    }
    let mut chart = PyramidChart::new(Meta::new(
        "pyramid-2025",
        "Customer pyramid 2025",
        "Active customers per level in 2025, top first.",
    ));
    chart.panels.push(panel);
    std::fs::write(out, chart.to_svg())?;
    Ok(())
}
