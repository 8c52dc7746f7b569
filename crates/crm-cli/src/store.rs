//! The database commands: import, customer, erase, export-customer.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use crm::csv::{ImportOptions, ImportReport, Mode, Records};
use crm::pyramid::{PyramidOptions, pyramid};
use crm::store::{History, Imported, SqliteStore, Store};
use crm::{Datelike, Ledger, Period};

use crate::args::{CustomerArgs, ImportArgs};
use crate::pyramid::{import_options, report_rejects};
use crate::{Failure, Outcome};

type BoxError = Box<dyn std::error::Error + Send + Sync>;
type Reader = std::io::BufReader<std::fs::File>;

fn open(db: &Path) -> Result<SqliteStore, Failure> {
    Ok(SqliteStore::open(db).with_context(|| format!("cannot open {}", db.display()))?)
}

/// Opens an existing database (a missing file is an error, not a new empty
/// database).
pub(crate) fn open_existing(db: &Path) -> Result<SqliteStore, Failure> {
    if !db.exists() {
        return Err(Failure::Data(anyhow::anyhow!(
            "{}: no such database (create it with crm import)",
            db.display()
        )));
    }
    open(db)
}

/// Imports one CSV file through `import`, atomically: in strict mode the
/// first bad row rolls the whole file back.
fn import_file<T>(
    path: &Path,
    options: &ImportOptions,
    read: impl FnOnce(Reader, &Path, &ImportOptions) -> crm::csv::Result<Records<Reader, T>>,
    import: impl FnOnce(&mut dyn Iterator<Item = Result<T, BoxError>>) -> crm::store::Result<Imported>,
) -> anyhow::Result<(Imported, ImportReport)> {
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut records = read(
        std::io::BufReader::with_capacity(1 << 20, file),
        path,
        options,
    )?;
    let imported = import(
        &mut records
            .by_ref()
            .map(|r| r.map_err(|e| Box::new(e) as BoxError)),
    )?;
    let mut report = crm::csv::ImportReport::empty(path);
    report.rows = records.rows();
    report.rejects = records.rejects().to_vec();
    report.imported = report.rows - report.rejects.len() as u64;
    Ok((imported, report))
}

pub(crate) fn import(a: ImportArgs) -> Outcome {
    let options = import_options(&a.csv)?;
    let mut store = open(&a.db)?;
    let mut reports = Vec::new();
    let say = |name: &Path, i: Imported, r: &ImportReport| {
        println!(
            "{}: {} rows: {} new, {} duplicate, {} rejected",
            name.display(),
            r.rows,
            i.new,
            i.duplicate,
            r.rejects.len()
        );
    };
    if let Some(p) = &a.customers {
        let (i, r) = import_file(
            p,
            &options,
            |r, p, o| crm::csv::customers(r, p, o),
            |rows| store.import_customers(rows),
        )
        .context("cannot import the customers")?;
        say(p, i, &r);
        reports.push(r);
    }
    if let Some(p) = &a.interactions {
        let (i, r) = import_file(
            p,
            &options,
            |r, p, o| crm::csv::interactions(r, p, o),
            |rows| store.import_interactions(rows),
        )
        .context("cannot import the interactions")?;
        say(p, i, &r);
        reports.push(r);
    }
    if let Some(p) = &a.leads {
        let (i, r) = import_file(
            p,
            &options,
            |r, p, o| crm::csv::leads(r, p, o),
            |rows| store.import_leads(rows),
        )
        .context("cannot import the leads")?;
        say(p, i, &r);
        reports.push(r);
    }
    if let Some(p) = &a.transactions {
        let (i, r) = import_file(
            p,
            &options,
            |r, p, o| crm::csv::transactions(r, p, o),
            |rows| store.import_transactions(rows),
        )
        .context("cannot import the transactions")?;
        say(p, i, &r);
        reports.push(r);
    }
    if options.mode == Mode::Lenient {
        report_rejects(&a.csv, &reports)?;
    }
    Ok(())
}

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

pub(crate) fn customer(a: CustomerArgs) -> Outcome {
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

pub(crate) fn erase(a: CustomerArgs) -> Outcome {
    let mut store = open_existing(&a.db)?;
    let erased = store.erase(&a.key).context("cannot erase the customer")?;
    if erased.total() == 0 {
        return Err(Failure::Data(anyhow::anyhow!(
            "{}: no customer with key {:?}",
            a.db.display(),
            a.key
        )));
    }
    let parts: Vec<String> = erased
        .rows
        .iter()
        .map(|(t, n)| format!("{n} {t}"))
        .collect();
    println!("erased {:?}: {}", a.key, parts.join(", "));
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
