//! `crm pyramid`: the customer pyramid of a period beside the previous one.

use std::io::Write;

use anyhow::Context;
use crm::pyramid::PyramidReport;
use crm::{Ledger, Period};

use crate::Outcome;
use crate::args::{Format, PyramidArgs};
use crate::cmd::pyramids;
use crate::input::{load, warn_margin};
use crate::options::{period, pyramid_options};
use crate::output::pyramid as render;

pub(crate) fn run(a: PyramidArgs) -> Outcome {
    let period = period("period", &a.period)?;
    let options = pyramid_options(&a.levels)?;
    let lang = crate::options::lang(a.lang.as_deref())?;
    let periods: Vec<Period> = [Some(period), period.previous_calendar()]
        .into_iter()
        .flatten()
        .collect();
    let mut ledger = Ledger::new(periods.iter().copied());
    load(&a.input, &mut ledger)?;
    warn_margin(&ledger, options.basis);
    let mut built = pyramids(&ledger, &periods, &options)?.into_iter();
    let now = built.next().context("no pyramid")?;
    let before = built.next();
    let report = PyramidReport::new(&now, before.as_ref());

    let mut out = crate::output::stdout_for(a.format)?;
    let assignments = match a.assignments {
        true => Some(
            now.assignments(&ledger)
                .context("cannot list the assignments")?,
        ),
        false => None,
    };
    match a.format {
        Format::Table => render::table(
            &mut out,
            &report,
            assignments,
            &now.register_customers_without_purchase_keys(&ledger)
                .context("cannot list the register customers")?,
            lang,
        )?,
        Format::Json => render::json(&mut out, &report, assignments)?,
        Format::Csv | Format::Parquet => render::csv(&mut out, &report, assignments)?,
    }
    out.flush().context("cannot write the output")?;
    Ok(())
}
