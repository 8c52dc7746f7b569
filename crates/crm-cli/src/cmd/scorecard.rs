//! `crm scorecard`: the figures the method steers by, beside its
//! benchmarks and a plan's targets.

use std::io::{Read, Write};

use anyhow::Context;
use crm::ops::{ComplaintOptions, complaints};
use crm::ops::{Plan, ScorecardInputs, scorecard};
use crm::value::CostTable;
use crm::{Datelike, Ledger, Period};

use crate::Outcome;
use crate::args::{Format, ScorecardArgs};
use crate::cmd::pyramids;
use crate::input::{
    load, name_of, open_input, potentials_of, read_config, spool_stdin, warn_margin,
    with_interactions,
};
use crate::options::{period, pyramid_options};
use crate::output::ops as render;

/// The same calendar span five years earlier (the period of equal length
/// 5 × 365.25 days earlier when a date has no counterpart).
fn five_years_before(p: &Period) -> Option<Period> {
    let back = |d: crm::NaiveDate| d.with_year(d.year().checked_sub(5)?);
    Period::new(back(p.start())?, back(p.end())?).ok()
}

pub(crate) fn read_plan(path: &std::path::Path) -> anyhow::Result<Plan> {
    let mut text = String::new();
    open_input(path)?
        .read_to_string(&mut text)
        .with_context(|| format!("cannot read {}", name_of(path).display()))?;
    Ok(Plan::parse(&text, &name_of(path).display().to_string())?)
}

pub(crate) fn run(mut a: ScorecardArgs) -> Outcome {
    // The interactions (and, for a campaign, the transactions) are read
    // twice: standard input is kept for the second.
    let _spool = spool_stdin(&mut a.input.interactions)?;
    let _spool_t = spool_stdin(&mut a.input.transactions)?;
    let now_p = period("period", &a.period)?;
    let options = pyramid_options(&a.levels)?;
    let lang = crate::options::lang(a.out.lang.as_deref())?;
    let plan = a
        .plan
        .as_deref()
        .map(read_plan)
        .transpose()
        .context("invalid plan")?;
    let costs: CostTable = match &a.costs {
        Some(path) => read_config(path, "cost table")?,
        None => CostTable::default(),
    };
    let prev_p = now_p.previous_calendar();
    let old_p = five_years_before(&now_p);
    let periods: Vec<Period> = [Some(now_p), prev_p, old_p].into_iter().flatten().collect();
    let mut ledger = Ledger::new(periods.iter().copied());
    load(&a.input, &mut ledger)?;
    warn_margin(&ledger, options.basis);
    let built = pyramids(&ledger, &periods, &options)?;
    let find = |p: Option<Period>| p.and_then(|p| built.iter().find(|b| *b.period() == p));
    let now = find(Some(now_p)).context("no pyramid")?;
    let previous = find(prev_p).filter(|p| p.active() > 0);
    let mut inputs = ScorecardInputs::new(now);
    inputs.previous = previous;
    inputs.five_years_before = find(old_p);

    // Always computed: whether margins are there shows in its total (a
    // count of the rows read would differ between a file and a database,
    // which loads only up to the period's end).
    let cuts = options.cuts.clone();
    let profit = Some(with_interactions(&a.input, &now_p, |interactions| {
        Ok(crm::value::profitability(
            &ledger,
            &now_p,
            &costs,
            interactions,
            &cuts,
        )?)
    })?);
    inputs.profitability = profit.as_ref();

    let has_register = a.input.db.is_some() || a.input.customers.is_some();
    let wallet = if has_register {
        let potentials = potentials_of(&a.input)?;
        (!potentials.is_empty())
            .then(|| crm::value::share_of_wallet(&ledger, now, |k| potentials.get(k).copied()))
            .transpose()
            .context("cannot compute the share of wallet")?
    } else {
        None
    };
    inputs.wallet = wallet.as_ref();

    let has_complaints =
        (a.input.db.is_some() || a.input.interactions.is_some()) && previous.is_some();
    let report = match previous {
        Some(prev) if has_complaints => Some(
            complaints(
                &ledger,
                prev,
                Some(now),
                &ComplaintOptions::new().sla_days(a.sla_days),
            )
            .context("cannot measure the complaints")?,
        ),
        _ => None,
    };
    inputs.complaints = report.as_ref().filter(|r| r.received > 0);

    let campaign = match (&a.campaign, &a.campaign_control) {
        (Some(name), Some(control)) => Some(
            crate::cmd::campaign::fed(&a.input, name, control, a.window_days)?
                .finish(&ledger, None, None)
                .context("cannot measure the campaign")?,
        ),
        _ => None,
    };
    inputs.campaign_response = campaign.and_then(|c| c.treated.response_rate);

    let card = scorecard(&ledger, &inputs, plan.as_ref()).context("cannot build the scorecard")?;
    let mut out = crate::output::stdout_for(a.out.format)?;
    match a.out.format {
        Format::Table => render::scorecard_table(&mut out, &card, lang)?,
        Format::Json => crate::output::write_json(&mut out, &card)?,
        Format::Csv | Format::Parquet => render::scorecard_csv(&mut out, &card)?,
    }
    out.flush().context("cannot write the output")?;
    Ok(())
}
