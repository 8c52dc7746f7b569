//! `crm import`: CSV files into a database, atomically and idempotently.

use std::path::Path;

use anyhow::Context;
use crm::csv::{ImportOptions, ImportReport, Mode, Records};
use crm::store::{Imported, Store};

use crate::Outcome;
use crate::args::ImportArgs;
use crate::input::{import_options, open, report_rejects};

type BoxError = Box<dyn std::error::Error + Send + Sync>;
type Reader = std::io::BufReader<std::fs::File>;

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

pub(crate) fn run(a: ImportArgs) -> Outcome {
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
