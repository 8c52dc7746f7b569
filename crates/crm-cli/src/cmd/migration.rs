//! `crm migration`: the matrix between two periods, or the Markov view
//! over several.

use std::io::Write;

use anyhow::Context;
use crm::Ledger;
use crm::migration::{Estimator, Migration, risk_list, series_with};

use crate::Outcome;
use crate::args::{Format, MigrationArgs, TransitionsArg};
use crate::cmd::pyramids;
use crate::input::{load, warn_margin};
use crate::options::{period, pyramid_options, usage};
use crate::output::migration::{
    MarkovView, csv, json, markov_csv, markov_json, markov_table, table,
};

pub(crate) fn run(a: MigrationArgs) -> Outcome {
    let options = pyramid_options(&a.levels)?;
    let lang = crate::options::lang(a.lang.as_deref())?;
    let mut out = crate::output::stdout_for(a.format)?;
    if let (Some(from), Some(to)) = (&a.from, &a.to) {
        let (from, to) = (period("from", from)?, period("to", to)?);
        if to.end() <= from.end() {
            return Err(usage(format!("--to {to} must end after --from {from}")));
        }
        let mut ledger = Ledger::new([from, to]);
        load(&a.input, &mut ledger)?;
        warn_margin(&ledger, options.basis);
        let built = pyramids(&ledger, &[from, to], &options)?;
        let m =
            Migration::between(&ledger, &built[0], &built[1]).context("cannot build the matrix")?;
        let risk = if a.risk {
            Some(risk_list(&ledger, &built[0], &built[1]).context("cannot build the risk list")?)
        } else {
            None
        };
        match a.format {
            Format::Table => table(&mut out, &m, risk.as_deref(), lang)?,
            Format::Json => json(&mut out, &m, risk.as_deref())?,
            Format::Csv | Format::Parquet => csv(&mut out, &m, risk.as_deref())?,
        }
    } else {
        let spec = a.periods.as_deref().unwrap_or_default();
        let periods = crate::options::periods("periods", spec)?;
        if periods.len() < 2 {
            return Err(usage("--periods: give at least two periods"));
        }
        if !(a.discount > 0.0 && a.discount.is_finite()) {
            return Err(usage(
                "--discount: give a rate above 0, such as 0.1 for 10%",
            ));
        }
        let mut ledger = Ledger::new(periods.iter().copied());
        load(&a.input, &mut ledger)?;
        warn_margin(&ledger, options.basis);
        let estimator = match a.transitions {
            TransitionsArg::Pooled => Estimator::Pooled,
            TransitionsArg::AverageOfShares => Estimator::AverageOfShares,
        };
        let s = series_with(&ledger, &periods, &options, estimator)
            .context("cannot build the series")?;
        let view = MarkovView::new(&s, usize::from(a.project), a.discount);
        match a.format {
            Format::Table => markov_table(&mut out, &s, &view, lang)?,
            Format::Json => markov_json(&mut out, &s, &view)?,
            Format::Csv | Format::Parquet => markov_csv(&mut out, &view)?,
        }
    }
    out.flush().context("cannot write the output")?;
    Ok(())
}
