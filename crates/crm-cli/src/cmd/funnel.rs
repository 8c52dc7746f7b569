//! `crm funnel`: from lead to order in a period, or, without leads, the
//! suspect → prospect → customer rates of the migration matrix.

use std::io::Write;

use anyhow::Context;
use crm::migration::Migration;
use crm::ops::{FunnelOptions, GroupBy, acquisition_rates, funnel};
use crm::{Ledger, Period};

use crate::Outcome;
use crate::args::{Format, FunnelArgs, FunnelByArg};
use crate::cmd::pyramids;
use crate::input::{leads_of, leads_of_db, load, warn_margin};
use crate::options::{period, pyramid_options, usage};
use crate::output::funnel::{FunnelView, csv, table};

/// At most this many periods of history are tracked for the quality of
/// acquisition (older first orders count as not known).
const MAX_HISTORY: usize = 100;

pub(crate) fn run(a: FunnelArgs) -> Outcome {
    let options = pyramid_options(&a.levels)?;
    let lang = crate::options::lang(a.lang.as_deref())?;
    let p = period("period", &a.period)?;
    let leads = match (&a.leads, &a.input.db) {
        (Some(path), _) => leads_of(path, &a.input.csv)?,
        (None, Some(db)) => leads_of_db(db)?,
        (None, None) => Vec::new(),
    };
    let earliest = leads.iter().filter_map(crm::Lead::created).min();
    let periods = history(p, earliest);
    if periods.len() < 2 {
        return Err(usage(format!(
            "--period {p}: the period before it is out of the calendar's range"
        )));
    }
    let mut ledger = Ledger::new(periods.iter().copied());
    load(&a.input, &mut ledger)?;
    warn_margin(&ledger, options.basis);
    let built = pyramids(&ledger, &periods, &options)?;
    let (before, now) = match built.as_slice() {
        [.., b, n] => (b, n),
        _ => return Err(usage("--period: no period before it")),
    };
    let m = Migration::between(&ledger, before, now).context("cannot build the matrix")?;
    let rates = acquisition_rates(&m);
    let mut fo = FunnelOptions::new().stale_days(a.stale_days);
    if let Some(by) = a.by {
        fo = fo.by(match by {
            FunnelByArg::Owner => GroupBy::Owner,
            FunnelByArg::Source => GroupBy::Source,
        });
    }
    let f = if leads.is_empty() {
        None
    } else {
        Some(funnel(&leads, &ledger, &built, &p, &fo).context("cannot measure the funnel")?)
    };
    let view = FunnelView {
        funnel: f,
        acquisition_rates: rates,
    };
    let mut out = crate::output::stdout_for(a.format)?;
    match a.format {
        Format::Table => table(&mut out, &view, a.limit, lang)?,
        Format::Json => crate::output::write_json(&mut out, &view)?,
        Format::Csv | Format::Parquet => csv(&mut out, &view)?,
    }
    out.flush().context("cannot write the output")?;
    Ok(())
}

/// `period` and the periods before it (previous calendar unit, or of equal
/// length), oldest first: back to the one holding `earliest`, at least one
/// before `period`, at most [`MAX_HISTORY`].
fn history(period: Period, earliest: Option<crm::NaiveDate>) -> Vec<Period> {
    let mut v = vec![period];
    let mut p = period;
    while v.len() < MAX_HISTORY {
        let Some(prev) = p.previous_calendar() else {
            break;
        };
        v.push(prev);
        p = prev;
        if earliest.is_none_or(|e| prev.start() <= e) {
            break;
        }
    }
    v.reverse();
    v
}
