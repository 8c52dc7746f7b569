//! `crm winback`: reactivation rates from the history and former
//! customers ranked by expected margin.

use std::io::Write;

use anyhow::Context;
use crm::Ledger;

use crate::Outcome;
use crate::args::{Format, WinbackArgs};
use crate::cmd::pyramids;
use crate::input::{load, warn_margin};
use crate::options::{periods, pyramid_options, usage};
use crate::output::strategy as render;

pub(crate) fn run(a: WinbackArgs) -> Outcome {
    let lang = crate::options::lang(a.lang.lang.as_deref())?;
    let options = pyramid_options(&a.levels)?;
    let periods = periods("periods", &a.periods)?;
    if periods.len() < 2 {
        return Err(usage("--periods: give at least two consecutive periods"));
    }
    let mut ledger = Ledger::new(periods.iter().copied());
    load(&a.input, &mut ledger)?;
    warn_margin(&ledger, options.basis);
    let built = pyramids(&ledger, &periods, &options)?;
    let w =
        crm::strategy::winback(&ledger, &built).map_err(|e| usage(format!("--periods: {e}")))?;
    let mut out = crate::output::stdout_for(a.format)?;
    match a.format {
        Format::Table => render::winback_table(&mut out, &w, a.limit, lang)?,
        Format::Json => crate::output::write_json(&mut out, &w)?,
        Format::Csv | Format::Parquet => render::winback_csv(&mut out, &w)?,
    }
    out.flush().context("cannot write the output")?;
    Ok(())
}
