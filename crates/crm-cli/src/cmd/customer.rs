//! `crm customer` and `crm export-customer`: one customer's history, for
//! people and as JSON.

use std::io::Write;

use anyhow::Context;
use crm::pyramid::{PyramidOptions, pyramid};
use crm::store::{History, Store};
use crm::{Datelike, Ledger, Period};

use crate::args::{CustomerArgs, CustomerShowArgs};
use crate::input::open_read_only;
use crate::output::{count_in, exact_in as exact, fill, level_in};
use crate::{Failure, Outcome};
use crm::report::Lang;

fn history(a: &CustomerArgs) -> Result<(crate::input::Db, History), Failure> {
    let store = open_read_only(&a.db)?;
    let h = store
        .history(&a.key)
        .context("cannot read the customer")?
        .ok_or_else(|| {
            Failure::Data(anyhow::anyhow!(
                "{}: no customer with key {:?}",
                crate::input::shown(&a.db),
                a.key
            ))
        })?;
    Ok((store, h))
}

/// Years whose pyramids are built from one pass over the database: memory
/// is this many periods per customer of the database.
const YEARS_PER_PASS: usize = 8;

/// The customer's level, value and rank in each calendar year from `first`
/// to `last`.
///
/// Memory follows the customers, not the years spanned (one mistyped date
/// like 0202-01-01 spans eighteen centuries). Only in a year with its own
/// transactions can the customer be active, and only there does its level
/// depend on the others: those years are built from the database,
/// [`YEARS_PER_PASS`] at a time. In every other year the customer is not
/// active, and its level (inactive, prospect, suspect) follows from its own
/// history alone: a ledger of that one customer gives it.
fn levels(
    store: &dyn Store,
    h: &History,
    key: &str,
    first: i32,
    last: i32,
    lang: Lang,
) -> anyhow::Result<Vec<(i32, String)>> {
    let tt = &lang.texts().customer_table;
    let years: Vec<Period> = (first..=last)
        .filter_map(|y| Period::year(y).ok())
        .collect();
    let line = |ledger: &Ledger, y: &Period| -> anyhow::Result<String> {
        let p = pyramid(ledger, y, &PyramidOptions::new())?;
        let id = ledger.id(key);
        let level = id
            .map(|id| p.level_of(id))
            .transpose()?
            .flatten()
            .map_or("-", |l| level_in(lang, l.as_str()));
        let rank = id
            .map(|id| p.rank_of(id))
            .transpose()?
            .flatten()
            .map(|r| {
                fill(
                    tt.rank,
                    &[
                        ("rank", &count_in(lang, r)),
                        ("active", &count_in(lang, p.active())),
                    ],
                )
            })
            .unwrap_or_default();
        let value = id
            .map(|id| p.value_of(id))
            .transpose()?
            .map(|v| exact(lang, v))
            .unwrap_or_default();
        let value = fill(tt.value, &[("value", &value)]);
        Ok(format!("{level:<9} {value}{rank}"))
    };
    let mut out: std::collections::BTreeMap<i32, String> = std::collections::BTreeMap::new();
    // Years with own transactions: everyone's pyramid.
    let active: std::collections::BTreeSet<i32> =
        h.transactions.iter().map(|t| t.date.year()).collect();
    let active: Vec<Period> = years
        .iter()
        .filter(|y| active.contains(&y.start().year()))
        .copied()
        .collect();
    for chunk in active.chunks(YEARS_PER_PASS) {
        let mut ledger = Ledger::new(chunk.iter().copied());
        crm::store::load_ledger(store, &mut ledger)?;
        for y in chunk {
            out.insert(y.start().year(), line(&ledger, y)?);
        }
    }
    // The other years: this customer alone.
    let mut own = Ledger::new(years.iter().copied());
    if let Some(c) = &h.customer {
        own.record_register(key, c.stage)?;
    }
    for i in &h.interactions {
        own.add_interaction(i)?;
    }
    for t in &h.transactions {
        own.add_transaction(t)?;
    }
    for y in &years {
        if let std::collections::btree_map::Entry::Vacant(e) = out.entry(y.start().year()) {
            e.insert(line(&own, y)?);
        }
    }
    Ok(out.into_iter().collect())
}

pub(crate) fn run(show: CustomerShowArgs) -> Outcome {
    let lang = crate::options::lang(show.lang.lang.as_deref())?;
    let a = show.customer;
    let (store, h) = history(&a)?;
    let tt = &lang.texts().customer_table;
    let count = |template: &str, n: usize| fill(template, &[("n", &count_in(lang, n as u64))]);
    let mut out = crate::output::stdout(true);
    let write = |out: &mut dyn Write| -> anyhow::Result<()> {
        writeln!(out, "{}", fill(tt.heading, &[("key", &a.key)]))?;
        if let Some(c) = &h.customer {
            let name = c
                .name
                .as_ref()
                .map(|n| format!(", {n}"))
                .unwrap_or_default();
            writeln!(
                out,
                "{}",
                fill(
                    tt.register,
                    &[("stage", lang.stage(c.stage.as_str())), ("name", &name)]
                )
            )?;
            if let Some(p) = c.potential {
                writeln!(
                    out,
                    "{}",
                    fill(tt.potential, &[("potential", &exact(lang, p))])
                )?;
            }
        } else {
            writeln!(out, "{}", tt.not_in_register)?;
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
            writeln!(out, "{}", tt.levels)?;
            for (year, line) in levels(&*store, &h, &a.key, first, last, lang)? {
                writeln!(out, "    {year}  {line}")?;
            }
        }
        writeln!(out, "{}", count(tt.counts[0], h.transactions.len()))?;
        for t in &h.transactions {
            writeln!(
                out,
                "    {}  {:>12}{}{}",
                t.date,
                exact(lang, t.revenue),
                t.margin
                    .map(|m| fill(tt.margin, &[("margin", &exact(lang, m))]))
                    .unwrap_or_default(),
                t.id.as_ref().map(|i| format!("  {i}")).unwrap_or_default()
            )?;
        }
        writeln!(out, "{}", count(tt.counts[1], h.interactions.len()))?;
        for i in &h.interactions {
            writeln!(out, "    {}  {}", i.date, lang.kind(i.kind.as_str()))?;
        }
        writeln!(out, "{}", count(tt.counts[2], h.leads.len()))?;
        for l in &h.leads {
            let mut line = format!(
                "    {}  {}",
                lang.lead_stage(l.stage.as_str()),
                exact(lang, l.value)
            );
            if let Some(d) = l.entered.get(&l.stage) {
                line.push_str(&format!("  since {d}"));
            }
            for (label, v) in [
                ("", &l.id),
                ("owner ", &l.owner),
                ("source ", &l.source),
                ("lost: ", &l.lost_reason),
            ] {
                if let Some(v) = v {
                    line.push_str(&format!("  {label}{v}"));
                }
            }
            writeln!(out, "{line}")?;
        }
        Ok(())
    };
    write(&mut out)?;
    // The writer buffers: an error of the last write (a full disk) shows
    // here, not when it is dropped.
    out.flush().context("cannot write the output")?;
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
