//! `crm import`: CSV files into a database, atomically and idempotently.
//!
//! Every file of one command is one transaction: a bad row in any file (in
//! strict mode), or a kill at any moment, leaves nothing of any file.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use crm::csv::{ImportOptions, ImportReport, Mode, Records};
use crm::store::{Imported, Record};

use crate::args::ImportArgs;
use crate::input::{import_options, name_of, open, open_input, read_outcomes, report_rejects};
use crate::progress::Progress;
use crate::{Failure, Outcome};

type BoxError = Box<dyn std::error::Error + Send + Sync>;
type Reader = Box<dyn std::io::Read + Send>;
type RecordIter<'a> = Box<dyn Iterator<Item = Result<Record, BoxError>> + Send + 'a>;

/// Records handed from the reading thread to the store at a time.
const BATCH: usize = 4096;

/// Imports `rows` into `store`, reading and parsing them on a second
/// thread while the store writes (the parse of a CSV row and its insert
/// cost about the same: both cores work). Reading stops when the store
/// stops taking rows.
fn import_in_parallel(
    store: &mut dyn crm::store::Store,
    rows: impl Iterator<Item = Result<Record, BoxError>> + Send,
) -> crm::store::Result<crm::store::ImportSummary> {
    std::thread::scope(|scope| {
        let (send, receive) = std::sync::mpsc::sync_channel::<Vec<Result<Record, BoxError>>>(8);
        scope.spawn(move || {
            let mut batch = Vec::with_capacity(BATCH);
            for row in rows {
                let failed = row.is_err();
                batch.push(row);
                if batch.len() == BATCH || failed {
                    // The store stopped (an error): stop reading.
                    if send.send(std::mem::take(&mut batch)).is_err() || failed {
                        return;
                    }
                    batch.reserve(BATCH);
                }
            }
            let _ = send.send(batch);
        });
        let mut received = receive.into_iter().flatten();
        let summary = store.import(&mut received);
        // Dropping the receiver ends the reading thread's sends.
        drop(received);
        summary
    })
}

/// Opens one CSV file (`-`: standard input) and reads its header; the
/// bytes read from it move `progress`.
fn records<T>(
    path: &Path,
    options: &ImportOptions,
    progress: &Progress,
    read: impl FnOnce(Reader, &Path, &ImportOptions) -> crm::csv::Result<Records<Reader, T>>,
) -> anyhow::Result<Records<Reader, T>> {
    let reader: Reader = Box::new(progress.reader(open_input(path)?));
    Ok(read(reader, name_of(path), options)?)
}

/// The records of one file as store records.
fn feed<'a, T: 'a>(
    records: &'a mut Option<Records<Reader, T>>,
    wrap: fn(T) -> Record,
) -> Option<RecordIter<'a>> {
    let r = records.as_mut()?;
    Some(Box::new(r.by_ref().map(move |row| {
        row.map(wrap).map_err(|e| Box::new(e) as BoxError)
    })))
}

/// What was read of one file, once the import is done.
fn report<T>(path: &Path, records: &Records<Reader, T>) -> ImportReport {
    let mut report = ImportReport::empty(name_of(path));
    report.rows = records.rows();
    report.rejects = records.rejects().to_vec();
    report.imported = report.rows - report.rejects.len() as u64;
    report
}

fn say(out: &mut dyn Write, r: &ImportReport, i: Imported) -> std::io::Result<()> {
    write!(
        out,
        "{}: {} rows: {} new, {} duplicate, {} rejected",
        crate::output::sanitize(&r.file.display().to_string()),
        r.rows,
        i.new,
        i.duplicate,
        r.rejects.len()
    )?;
    if i.suppressed > 0 {
        write!(out, ", {} of erased customers refused", i.suppressed)?;
    }
    writeln!(out)
}

pub(crate) fn run(a: ImportArgs) -> Outcome {
    if let Some(p) = a
        .transactions
        .as_deref()
        .filter(|p| crate::input::is_parquet(p))
    {
        return Err(crate::options::usage(format!(
            "--transactions {}: crm import reads CSV; the analyses read Parquet directly (--transactions FILE.parquet)",
            p.display()
        )));
    }
    let options = import_options(&a.csv)?;
    // One bar over the bytes of every file (a spinner when one has no
    // size, as standard input).
    let files = [&a.customers, &a.interactions, &a.leads, &a.transactions];
    let sizes: Option<Vec<u64>> = files
        .iter()
        .filter_map(|p| p.as_deref())
        .map(crate::progress::size_of)
        .collect();
    let progress = crate::progress::bytes(
        format!("importing into {}", crate::input::shown(&a.db)),
        sizes.map(|s| s.iter().sum()),
    );
    // Every file is opened, and its header read, before the database.
    let mut customers = a
        .customers
        .as_deref()
        .map(|p| {
            records(p, &options, &progress, |r, p, o| {
                crm::csv::customers(r, p, o)
            })
        })
        .transpose()
        .context("cannot import the customers")?;
    let mut interactions = a
        .interactions
        .as_deref()
        .map(|p| {
            records(p, &options, &progress, |r, p, o| {
                crm::csv::interactions(r, p, o)
            })
        })
        .transpose()
        .context("cannot import the interactions")?;
    let mut leads = a
        .leads
        .as_deref()
        .map(|p| records(p, &options, &progress, |r, p, o| crm::csv::leads(r, p, o)))
        .transpose()
        .context("cannot import the leads")?;
    let mut transactions = a
        .transactions
        .as_deref()
        .map(|p| {
            records(p, &options, &progress, |r, p, o| {
                crm::csv::transactions(r, p, o)
            })
        })
        .transpose()
        .context("cannot import the transactions")?;
    // Outcomes are checked whole (as `crm actions --outcomes` reads them)
    // before the database is opened.
    let outcomes = a
        .outcomes
        .as_deref()
        .map(|p| read_outcomes(p, None, options.mode == Mode::Lenient, |_| None))
        .transpose()?;
    // A rejects file that cannot be written is said before anything is
    // imported, not after the import is committed.
    if let Some(path) = a
        .csv
        .rejects
        .as_deref()
        .filter(|_| options.mode == Mode::Lenient)
    {
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => std::path::Path::new("."),
        };
        if !dir.is_dir() {
            return Err(Failure::Data(anyhow::anyhow!(
                "cannot write the rejects file {}: no folder {}",
                path.display(),
                dir.display()
            )));
        }
    }
    let mut store = open(&a.db)?;
    // One iterator over every file: one transaction.
    let summary = {
        let all = [
            feed(&mut customers, Record::Customer),
            feed(&mut interactions, Record::Interaction),
            feed(&mut leads, Record::Lead),
            feed(&mut transactions, Record::Transaction),
        ]
        .into_iter()
        .flatten()
        .flatten()
        .chain(
            outcomes
                .iter()
                .flat_map(|(o, _)| o)
                .map(|o| Ok(Record::Outcome(o.clone()))),
        );
        import_in_parallel(store.as_mut(), all).context("cannot import (nothing was imported)")?
    };
    drop(progress);
    let mut done = Vec::new();
    if let (Some(p), Some(r)) = (&a.customers, &customers) {
        done.push((report(p, r), summary.customers));
    }
    if let (Some(p), Some(r)) = (&a.interactions, &interactions) {
        done.push((report(p, r), summary.interactions));
    }
    if let (Some(p), Some(r)) = (&a.leads, &leads) {
        done.push((report(p, r), summary.leads));
    }
    if let (Some(p), Some(r)) = (&a.transactions, &transactions) {
        done.push((report(p, r), summary.transactions));
    }
    if let Some((_, r)) = &outcomes {
        let mut r = r.clone();
        if let Some(p) = &a.outcomes {
            r.file = name_of(p).to_path_buf();
        }
        done.push((r, summary.outcomes));
    }
    // The import is committed: a closed or full output only loses the
    // report (a closed pipe exits quietly, like every other command).
    // Said with the error, so that nobody runs it again (rows without an
    // id would be added twice).
    const COMMITTED: &str = "the import is committed; only its report could not be written";
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for (r, i) in &done {
        say(&mut out, r, *i)
            .context("cannot write the output")
            .context(COMMITTED)?;
    }
    out.flush()
        .context("cannot write the output")
        .context(COMMITTED)?;
    if options.mode == Mode::Lenient {
        let reports: Vec<ImportReport> = done.into_iter().map(|(r, _)| r).collect();
        report_rejects(&a.csv, &reports).map_err(|f| match f {
            Failure::Data(e) => Failure::Data(e.context(COMMITTED)),
            usage => usage,
        })?;
    }
    Ok(())
}
