//! Reading the inputs of a command: CSV files with their import options
//! and rejects, databases, and configuration files, into a ledger or plain
//! rows.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use crm::csv::{DecimalSeparator, ImportOptions, ImportReport, Mode};
use crm::store::SqliteStore;
use crm::{Basis, Interaction, Ledger, Money, Period};

use crate::Failure;
use crate::args::{CsvArgs, DecimalArg, InputArgs};
use crate::options::usage;

/// The import options the input flags ask for.
pub(crate) fn import_options(input: &CsvArgs) -> Result<ImportOptions, Failure> {
    let mut o = ImportOptions::new().threads(usize::from(input.threads));
    if input.lenient {
        o = o.mode(Mode::Lenient);
    }
    if let Some(d) = &input.delimiter {
        o = o.delimiter(delimiter(d)?);
    }
    o = o.decimal(match input.decimal {
        DecimalArg::Auto => DecimalSeparator::Auto,
        DecimalArg::Point => DecimalSeparator::Point,
        DecimalArg::Comma => DecimalSeparator::Comma,
    });
    if let Some(c) = &input.columns {
        for pair in c.split(',') {
            if let Some((field, header)) = pair.split_once('=')
                && (field.trim().is_empty() || header.trim().is_empty())
            {
                return Err(usage(format!(
                    "--columns: {pair:?} needs a field and a header name, like customer_id=klant"
                )));
            }
        }
        o = o.columns_from_str(c).map_err(usage)?;
    }
    Ok(o)
}

/// The byte of a `--delimiter` flag: one ASCII character other than the
/// quote and line ends, or `tab`.
fn delimiter(d: &str) -> Result<u8, Failure> {
    let byte = match d {
        "\\t" | "tab" | "\t" => b'\t',
        s if s.len() == 1 => s.as_bytes()[0],
        s if s.chars().count() == 1 => {
            return Err(usage(format!(
                "--delimiter: {s:?} is not an ASCII character; a delimiter is one byte"
            )));
        }
        _ => {
            return Err(usage(format!(
                "--delimiter: {d:?} is not one character (or `tab`)"
            )));
        }
    };
    if matches!(byte, b'"' | b'\n' | b'\r') {
        return Err(usage(format!(
            "--delimiter: {d:?} cannot separate fields (it quotes or ends records)"
        )));
    }
    Ok(byte)
}

/// Reports skipped rows on stderr, or writes them to the rejects file.
pub(crate) fn report_rejects(csv: &CsvArgs, reports: &[ImportReport]) -> Result<(), Failure> {
    let rejects: Vec<_> = reports
        .iter()
        .flat_map(|r| r.rejects.iter().cloned())
        .collect();
    if rejects.is_empty() {
        return Ok(());
    }
    let stderr = std::io::stderr();
    let mut err = stderr.lock();
    if let Some(path) = &csv.rejects {
        crm::csv::write_rejects(path, &rejects).context("cannot write the rejects file")?;
        for r in reports.iter().filter(|r| !r.rejects.is_empty()) {
            let _ = writeln!(
                err,
                "crm: warning: skipped {} of {} rows in {} (see {})",
                r.rejects.len(),
                r.rows,
                r.file.display(),
                path.display()
            );
        }
    } else {
        for r in &rejects {
            let _ = writeln!(err, "crm: skipped: {r}");
        }
        let _ = writeln!(err, "crm: warning: skipped {} rows in all", rejects.len());
    }
    Ok(())
}

/// Reads the input (CSV files or a database) into `ledger`, reporting
/// skipped rows.
pub(crate) fn load(input: &InputArgs, ledger: &mut Ledger) -> Result<(), Failure> {
    if let Some(db) = &input.db {
        let store = open_existing(db)?;
        crm::store::load_ledger(&store, ledger)
            .with_context(|| format!("cannot read {}", db.display()))?;
        return Ok(());
    }
    let options = import_options(&input.csv)?;
    let mut reports = Vec::new();
    if let Some(path) = &input.customers {
        reports.push(
            crm::csv::read_customers(path, &options, ledger)
                .context("cannot import the customers")?,
        );
    }
    if let Some(path) = &input.interactions {
        reports.push(
            crm::csv::read_interactions(path, &options, ledger)
                .context("cannot import the interactions")?,
        );
    }
    if let Some(path) = &input.transactions {
        reports.push(
            crm::csv::read_transactions(path, &options, ledger)
                .context("cannot import the transactions")?,
        );
    }
    report_rejects(&input.csv, &reports)
}

/// Warns when the margin basis meets transactions without margin.
pub(crate) fn warn_margin(ledger: &Ledger, basis: Basis) {
    if basis == Basis::Margin && ledger.stats().transactions_without_margin > 0 {
        eprintln!(
            "crm: warning: {} of {} transactions have no margin; they add nothing on the margin basis",
            ledger.stats().transactions_without_margin,
            ledger.stats().transactions
        );
    }
}

pub(crate) fn open(db: &Path) -> Result<SqliteStore, Failure> {
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

/// Reads a TOML or JSON file (by extension) into `T`.
pub(crate) fn read_config<T: serde::de::DeserializeOwned>(
    path: &Path,
    what: &str,
) -> Result<T, Failure> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let parsed = if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
    {
        serde_json::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
    } else {
        toml::from_str(&text).map_err(|e| {
            anyhow::anyhow!("{}: {}", path.display(), e.to_string().replace('\n', " "))
        })
    };
    Ok(parsed.with_context(|| format!("invalid {what}"))?)
}

/// Runs `f` on the interactions dated in `period`, from the database or
/// the interactions file (none when neither is given), as a stream: they
/// are read one by one while `f` consumes them, never all held at once.
///
/// A database is read on a second thread that hands the interactions over
/// through a bounded channel (its reader takes a callback); a bad row of the
/// file ends the stream and is the error.
pub(crate) fn with_interactions<T>(
    input: &InputArgs,
    period: &Period,
    f: impl FnOnce(&mut dyn Iterator<Item = Interaction>) -> anyhow::Result<T>,
) -> Result<T, Failure> {
    if let Some(db) = &input.db {
        let db = db.clone();
        let before = period.end();
        return std::thread::scope(|s| {
            let (tx, rx) = std::sync::mpsc::sync_channel::<Interaction>(4096);
            let reader = s.spawn(move || -> anyhow::Result<()> {
                let store = open_existing(&db).map_err(|e| match e {
                    Failure::Data(e) => e,
                    Failure::Usage(m) => anyhow::anyhow!(m),
                })?;
                let mut open = true;
                crm::store::Store::interactions(&store, Some(before), &mut |i| {
                    if open && period.contains(i.date) {
                        // The consumer stopped (an error): read on quietly.
                        open = tx.send(i).is_ok();
                    }
                })
                .context("cannot read the interactions")?;
                Ok(())
            });
            let out = f(&mut rx.into_iter());
            let read = reader
                .join()
                .unwrap_or_else(|e| std::panic::resume_unwind(e));
            read?;
            Ok(out?)
        });
    }
    let Some(path) = &input.interactions else {
        return Ok(f(&mut std::iter::empty())?);
    };
    let options = import_options(&input.csv)?;
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let records = crm::csv::interactions(std::io::BufReader::new(file), path, &options)
        .context("cannot read the interactions")?;
    let mut failed = None;
    let mut stream = records
        .map_while(|r| r.map_err(|e| failed = Some(e)).ok())
        .filter(|i| period.contains(i.date));
    let out = f(&mut stream);
    drop(stream);
    if let Some(e) = failed {
        return Err(anyhow::Error::from(e)
            .context("cannot read the interactions")
            .into());
    }
    Ok(out?)
}

/// The potential per customer key, from the register or the database.
pub(crate) fn potentials_of(
    input: &InputArgs,
) -> Result<std::collections::HashMap<String, Money>, Failure> {
    let mut map = std::collections::HashMap::new();
    let mut take = |c: crm::Customer| {
        if let Some(p) = c.potential {
            map.insert(c.key.as_str().to_string(), p);
        }
    };
    if let Some(db) = &input.db {
        let store = crm::store::SqliteStore::open(db)
            .with_context(|| format!("cannot open {}", db.display()))?;
        crm::store::Store::customers(&store, &mut take).context("cannot read the register")?;
    } else if let Some(path) = &input.customers {
        let options = import_options(&input.csv)?;
        let f =
            std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
        for c in crm::csv::customers(std::io::BufReader::new(f), path, &options)
            .context("cannot read the register")?
        {
            take(c.context("cannot read the register")?);
        }
    } else {
        return Err(Failure::Usage(
            "give --customers (with a potential column) or --db for the potential".into(),
        ));
    }
    Ok(map)
}
