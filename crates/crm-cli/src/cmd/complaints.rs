//! `crm complaints`: complaint handling in a period and the retention of
//! the complainers in the next.

use std::io::Write;

use anyhow::Context;
use crm::Ledger;
use crm::ops::{ComplaintOptions, complaints};

use crate::Outcome;
use crate::args::{ComplaintsArgs, Format};
use crate::cmd::pyramids;
use crate::input::{load, warn_margin};
use crate::options::{period, pyramid_options, usage};
use crate::output::ops as render;

pub(crate) fn run(a: ComplaintsArgs) -> Outcome {
    if a.input.db.is_none() && a.input.interactions.is_none() {
        return Err(usage(
            "give --interactions (with the complaint and complaint-resolved rows) or --db",
        ));
    }
    let period = period("period", &a.period)?;
    let next = period
        .next_calendar()
        .ok_or_else(|| usage("--period: no period follows it within the supported dates"))?;
    let options = pyramid_options(&a.levels)?;
    let lang = crate::options::lang(a.out.lang.as_deref())?;
    let mut ledger = Ledger::new([period, next]);
    load(&a.input, &mut ledger)?;
    warn_margin(&ledger, options.basis);
    let built = pyramids(&ledger, &[period, next], &options)?;
    let (now, after) = (built.first().context("no pyramid")?, built.get(1));
    // Without a purchase in the next period yet, retention would read as
    // everyone lost: leave it out.
    let after = after.filter(|p| p.active() > 0);
    let report = complaints(
        &ledger,
        now,
        after,
        &ComplaintOptions::new().sla_days(a.sla_days),
    )
    .context("cannot measure the complaints")?;
    let mut out = crate::output::stdout_for(a.out.format)?;
    match a.out.format {
        Format::Table => render::complaints_table(&mut out, &report, next, lang)?,
        Format::Json => crate::output::write_json(&mut out, &report)?,
        Format::Csv | Format::Parquet => render::complaints_csv(&mut out, &report)?,
    }
    out.flush().context("cannot write the output")?;
    Ok(())
}
