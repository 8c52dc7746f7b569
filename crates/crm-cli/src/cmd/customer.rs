//! `crm customer` and `crm export-customer`: one customer's history, for
//! people and as JSON.

use std::io::Write;

use anyhow::Context;
use crm::pyramid::{PyramidOptions, pyramid};
use crm::store::{History, SqliteStore, Store};
use crm::{Datelike, Ledger, Period};

use crate::args::CustomerArgs;
use crate::input::open_existing;
use crate::{Failure, Outcome};

fn history(a: &CustomerArgs) -> Result<(SqliteStore, History), Failure> {
    let store = open_existing(&a.db)?;
    let h = store
        .history(&a.key)
        .context("cannot read the customer")?
        .ok_or_else(|| {
            Failure::Data(anyhow::anyhow!(
                "{}: no customer with key {:?}",
                a.db.display(),
                a.key
            ))
        })?;
    Ok((store, h))
}

pub(crate) fn run(a: CustomerArgs) -> Outcome {
    let (store, h) = history(&a)?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let write = |out: &mut dyn Write| -> anyhow::Result<()> {
        writeln!(out, "Customer {}", a.key)?;
        if let Some(c) = &h.customer {
            writeln!(
                out,
                "  register: {}{}",
                c.stage,
                c.name
                    .as_ref()
                    .map(|n| format!(", {n}"))
                    .unwrap_or_default()
            )?;
            if let Some(p) = c.potential {
                writeln!(out, "  potential: {p}")?;
            }
        } else {
            writeln!(out, "  not in the register")?;
        }
        // The level in each calendar year from the first activity to the last.
        let dates = h
            .transactions
            .iter()
            .map(|t| t.date)
            .chain(h.interactions.iter().map(|i| i.date));
        let (first, last) = dates.fold((None, None), |(a, b): (Option<i32>, Option<i32>), d| {
            (
                Some(a.map_or(d.year(), |a| a.min(d.year()))),
                Some(b.map_or(d.year(), |b| b.max(d.year()))),
            )
        });
        if let (Some(first), Some(last)) = (first, last) {
            let years: Vec<Period> = (first..=last)
                .filter_map(|y| Period::year(y).ok())
                .collect();
            let mut ledger = Ledger::new(years.iter().copied());
            crm::store::load_ledger(&store, &mut ledger)?;
            writeln!(out, "  level per year:")?;
            for y in &years {
                let p = pyramid(&ledger, y, &PyramidOptions::new())?;
                let id = ledger.id(&a.key);
                let level = id.and_then(|id| p.level_of(id)).map_or("-", |l| l.as_str());
                let rank = id
                    .and_then(|id| p.rank_of(id))
                    .map(|r| format!(" (rank {r} of {})", p.active()))
                    .unwrap_or_default();
                let value = id.map(|id| p.value_of(id).to_string()).unwrap_or_default();
                writeln!(
                    out,
                    "    {}  {level:<9} value {value}{rank}",
                    y.start().year()
                )?;
            }
        }
        writeln!(out, "  transactions: {}", h.transactions.len())?;
        for t in &h.transactions {
            writeln!(
                out,
                "    {}  {:>12}{}{}",
                t.date,
                t.revenue.to_string(),
                t.margin
                    .map(|m| format!("  margin {m}"))
                    .unwrap_or_default(),
                t.id.as_ref().map(|i| format!("  {i}")).unwrap_or_default()
            )?;
        }
        writeln!(out, "  interactions: {}", h.interactions.len())?;
        for i in &h.interactions {
            writeln!(out, "    {}  {}", i.date, i.kind)?;
        }
        writeln!(out, "  leads: {}", h.leads.len())?;
        for l in &h.leads {
            writeln!(out, "    {}  {}", l.stage, l.value)?;
        }
        Ok(())
    };
    write(&mut out)?;
    Ok(())
}

pub(crate) fn export(a: CustomerArgs) -> Outcome {
    let (_, h) = history(&a)?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    serde_json::to_writer_pretty(&mut out, &h).context("cannot write the output")?;
    writeln!(out).context("cannot write the output")?;
    Ok(())
}
