//! Reading the inputs of a command: CSV files with their import options
//! and rejects, databases, and configuration files, into a ledger or plain
//! rows.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use crm::csv::{DecimalSeparator, ImportOptions, ImportReport, Mode};
use crm::store::{PostgresStore, SqliteStore, Store};
use crm::{Basis, Interaction, Ledger, Money, Period};

use crate::Failure;
use crate::args::{CsvArgs, DecimalArg, InputArgs};
use crate::options::usage;
use crate::output::sanitize;

/// What standard input is called in messages.
pub(crate) const STDIN_NAME: &str = "<stdin>";

/// Whether an input flag's value asks for standard input (`-`).
pub(crate) fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// The name of an input in messages.
pub(crate) fn name_of(path: &Path) -> &Path {
    if is_stdin(path) {
        Path::new(STDIN_NAME)
    } else {
        path
    }
}

/// Refuses a command line that asks for standard input more than once.
pub(crate) fn stdin_at_most_once(inputs: &[&Path]) -> Result<(), Failure> {
    if inputs.iter().filter(|p| is_stdin(p)).count() > 1 {
        return Err(usage(
            "only one input can be read from standard input (-)".to_string(),
        ));
    }
    Ok(())
}

/// Opens an input for one pass: `-` is standard input; anything else is
/// opened once (a FIFO or `/dev/stdin` too).
pub(crate) fn open_input(path: &Path) -> anyhow::Result<Box<dyn Read + Send>> {
    if is_stdin(path) {
        return Ok(Box::new(std::io::stdin()));
    }
    let f = std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    Ok(Box::new(std::io::BufReader::with_capacity(1 << 20, f)))
}

/// An input that cannot be read twice (standard input, a FIFO, a process
/// substitution) copied to a temporary file, for the commands that read
/// one input twice; removed when dropped.
#[derive(Debug)]
pub(crate) struct Spool(#[allow(dead_code)] tempfile::TempPath);

/// Whether `path` can be read once only: `-` (standard input), or a path
/// that is neither a regular file nor a folder (a FIFO, `<(...)`,
/// `/dev/stdin` on a pipe, a character device). Opened a second time,
/// such an input would block or start again from nothing.
fn read_once_only(path: &Path) -> bool {
    is_stdin(path) || std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir())
}

/// When `path` can be read once only (`-`, a FIFO, a process
/// substitution), copies it (read once) to a temporary file and points
/// `path` at it; the file lives as long as the guard. Regular files are
/// read where they are.
pub(crate) fn spool_stdin(path: &mut Option<PathBuf>) -> Result<Option<Spool>, Failure> {
    let Some(p) = path.as_deref().filter(|p| read_once_only(p)) else {
        return Ok(None);
    };
    let mut tmp = tempfile::NamedTempFile::new().context("cannot create a temporary file")?;
    if is_stdin(p) {
        std::io::copy(&mut std::io::stdin().lock(), &mut tmp)
            .context("cannot read standard input")?;
    } else {
        let mut f =
            std::fs::File::open(p).with_context(|| format!("cannot open {}", p.display()))?;
        std::io::copy(&mut f, &mut tmp).with_context(|| format!("cannot read {}", p.display()))?;
    }
    let tmp = tmp.into_temp_path();
    *path = Some(tmp.to_path_buf());
    Ok(Some(Spool(tmp)))
}

/// The import options the input flags ask for.
pub(crate) fn import_options(input: &CsvArgs) -> Result<ImportOptions, Failure> {
    let mut o = ImportOptions::new()
        .threads(usize::from(input.threads))
        .partitioned(input.partitioned);
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
        crm::csv::write_rejects(path, &rejects)
            .with_context(|| format!("cannot write the rejects file {}", path.display()))?;
        for r in reports.iter().filter(|r| !r.rejects.is_empty()) {
            let _ = writeln!(
                err,
                "crm: warning: skipped {} of {} rows in {}{} (see {})",
                r.rejects.len(),
                r.rows,
                sanitize(&r.file.display().to_string()),
                lost_lines(&r.rejects),
                sanitize(&path.display().to_string())
            );
        }
    } else {
        for r in &rejects {
            let _ = writeln!(err, "crm: skipped: {}", sanitize(&r.to_string()));
        }
        let _ = writeln!(
            err,
            "crm: warning: skipped {} rows in all{}",
            rejects.len(),
            lost_lines(&rejects)
        );
    }
    Ok(())
}

/// What a count of skipped rows leaves out: the lines that look like rows
/// inside a quote never closed, lost with the row that opened it (the
/// reader cannot tell where the rows inside would have ended, so they are
/// not counted as rows). Empty when there are none.
fn lost_lines(rejects: &[crm::csv::Reject]) -> String {
    let lost: u64 = rejects.iter().map(|r| r.problem.lines_lost()).sum();
    if lost == 0 {
        return String::new();
    }
    format!(", and with them {lost} more line(s) that look like rows, inside a quote never closed")
}

/// Reads the input (CSV files or a database) into `ledger`, reporting
/// skipped rows.
pub(crate) fn load(input: &InputArgs, ledger: &mut Ledger) -> Result<(), Failure> {
    if let Some(db) = &input.db {
        let store = open_read_only(db)?;
        let _step = crate::progress::step(format!("reading {}", shown(db)));
        // `--threads` limits the connections a database is read on too.
        store
            .load_with_threads(ledger, usize::from(input.csv.threads))
            .with_context(|| format!("cannot read {}", shown(db)))?;
        return Ok(());
    }
    let options = import_options(&input.csv)?;
    let mut reports = Vec::new();
    if let Some(path) = &input.customers {
        reports.push(
            read_csv(
                path,
                &options,
                ledger,
                |p, o, l| crm::csv::read_customers(p, o, l),
                |r, n, o, l| crm::csv::read_customers_from(r, n, o, l),
            )
            .context("cannot import the customers")?,
        );
    }
    if let Some(path) = &input.interactions {
        reports.push(
            read_csv(
                path,
                &options,
                ledger,
                |p, o, l| crm::csv::read_interactions(p, o, l),
                |r, n, o, l| crm::csv::read_interactions_from(r, n, o, l),
            )
            .context("cannot import the interactions")?,
        );
    }
    if let Some(path) = &input.transactions {
        reports.push(read_transactions(
            path,
            &options,
            input.csv.float_money,
            ledger,
        )?);
    }
    report_rejects(&input.csv, &reports)
}

/// Whether a `--transactions` path is Parquet: a `*.parquet` file or a
/// folder (standard input is CSV).
pub(crate) fn is_parquet(path: &Path) -> bool {
    !is_stdin(path)
        && (path.is_dir()
            || path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("parquet")))
}

/// Reads Parquet transactions (a file or a folder) into `ledger`.
#[cfg(feature = "parquet")]
fn read_parquet(
    path: &Path,
    options: &ImportOptions,
    float_money: bool,
    ledger: &mut Ledger,
) -> Result<ImportReport, Failure> {
    let options = crm::parquet::ReadOptions::from_import(options).float_money(float_money);
    let _step = crate::progress::step(format!("reading {}", path.display()));
    Ok(crm::parquet::read_transactions(path, &options, ledger)
        .context("cannot import the transactions")?)
}

#[cfg(not(feature = "parquet"))]
fn read_parquet(
    path: &Path,
    _options: &ImportOptions,
    _float_money: bool,
    _ledger: &mut Ledger,
) -> Result<ImportReport, Failure> {
    Err(Failure::Data(anyhow::anyhow!(
        "{}: Parquet input needs crm built with the parquet feature (cargo install crm-cli --features parquet)",
        path.display()
    )))
}

/// Reads the transactions (`-`: standard input; a `*.parquet` file or a
/// folder: Parquet) into `ledger`, with progress.
pub(crate) fn read_transactions(
    path: &Path,
    options: &ImportOptions,
    float_money: bool,
    ledger: &mut Ledger,
) -> Result<ImportReport, Failure> {
    if is_parquet(path) {
        return read_parquet(path, options, float_money, ledger);
    }
    Ok(read_csv(
        path,
        options,
        ledger,
        |p, o, l| crm::csv::read_transactions(p, o, l),
        |r, n, o, l| crm::csv::read_transactions_from(r, n, o, l),
    )
    .context("cannot import the transactions")?)
}

/// A `crm::csv::read_*_from` function over a counting reader.
type ReadFrom = fn(
    crate::progress::Counting<Box<dyn Read + Send>>,
    &Path,
    &ImportOptions,
    &mut Ledger,
) -> crm::csv::Result<ImportReport>;

/// Reads one CSV input into `ledger` with a progress bar by bytes: a
/// regular file through `from_path` (on every core; the bar follows the
/// bytes the process reads), anything else (standard input, a FIFO)
/// through `from_reader` in one pass, counting the bytes.
fn read_csv(
    path: &Path,
    options: &ImportOptions,
    ledger: &mut Ledger,
    from_path: fn(&Path, &ImportOptions, &mut Ledger) -> crm::csv::Result<ImportReport>,
    from_reader: ReadFrom,
) -> anyhow::Result<ImportReport> {
    let size = crate::progress::size_of(path);
    let progress = crate::progress::bytes(format!("reading {}", name_of(path).display()), size);
    Ok(match size {
        Some(_) => {
            let _progress = progress.follow_process_reads();
            from_path(path, options, ledger)?
        }
        None => from_reader(
            progress.reader(open_input(path)?),
            name_of(path),
            options,
            ledger,
        )?,
    })
}

/// Warns when the margin basis meets transactions without margin.
pub(crate) fn warn_margin(ledger: &Ledger, basis: Basis) {
    if basis == Basis::Margin && ledger.stats().transactions_without_margin > 0 {
        note!(
            "crm: warning: {} of {} transactions have no margin; they add nothing on the margin basis",
            ledger.stats().transactions_without_margin,
            ledger.stats().transactions
        );
    }
}

/// A database the commands read and write: an SQLite file, or a
/// PostgreSQL database when `--db` is a `postgres://` or `postgresql://`
/// URL.
pub(crate) type Db = Box<dyn Store>;

/// Whether `--db` names a PostgreSQL database (by its URL's scheme) rather
/// than an SQLite file.
pub(crate) fn is_postgres(db: &Path) -> bool {
    db.to_str()
        .is_some_and(|s| s.starts_with("postgres://") || s.starts_with("postgresql://"))
}

/// A `--db` that is no file and reads like a libpq `key=value`
/// connection string is a usage error, not an SQLite file of that name
/// (whose name would hold the password). The message does not repeat it.
fn refuse_connection_string(db: &Path) -> Result<(), Failure> {
    if !is_postgres(db) && !db.exists() && looks_like_connection_string(db) {
        return Err(Failure::Usage(
            "--db: this looks like a PostgreSQL key=value connection string; give the \
             database as a postgres://user@host:port/dbname URL (a name that is not a \
             postgres:// URL is an SQLite file, and none is created under this name)"
                .into(),
        ));
    }
    Ok(())
}

/// Whether `--db` reads like a libpq `key=value` connection string
/// (`host=... dbname=...`) rather than a file name: a space-separated
/// list of words that each hold `=` and start with a connection keyword.
fn looks_like_connection_string(db: &Path) -> bool {
    const KEYS: [&str; 8] = [
        "host",
        "hostaddr",
        "port",
        "dbname",
        "user",
        "password",
        "sslmode",
        "connect_timeout",
    ];
    let Some(s) = db.to_str() else {
        return false;
    };
    s.split_whitespace().any(|w| {
        w.split_once('=')
            .is_some_and(|(k, _)| KEYS.contains(&k.trim()))
    }) && s.contains(' ')
        || KEYS
            .iter()
            .any(|k| s.trim_start().starts_with(&format!("{k}=")))
}

/// The database as messages show it: a URL without its password.
pub(crate) fn shown(db: &Path) -> String {
    match db.to_str() {
        Some(url) if is_postgres(db) => PostgresStore::redact(url),
        _ => db.display().to_string(),
    }
}

/// An error opening a database: the store's errors name the file already.
fn open_error(db: &Path, e: crm::store::Error) -> Failure {
    use crm::store::Error;
    match e {
        Error::NotFound { .. } if is_postgres(db) => Failure::Data(anyhow::anyhow!(
            "{}: no such database on the server (create it with CREATE DATABASE, then crm import)",
            shown(db)
        )),
        Error::NotFound { .. } => Failure::Data(anyhow::anyhow!(
            "{}: no such database (create it with crm import)",
            shown(db)
        )),
        e @ (Error::NotOurs { .. }
        | Error::NewerSchema { .. }
        | Error::OlderSchema { .. }
        | Error::UnreadableWal { .. }) => Failure::Data(e.into()),
        e => Failure::Data(anyhow::Error::new(e).context(format!("cannot open {}", shown(db)))),
    }
}

/// The URL of a PostgreSQL `--db`.
fn url(db: &Path) -> &str {
    db.to_str().unwrap_or_default()
}

/// Opens a database to write to it (import, erase): a missing or empty
/// file becomes a new database, an older one is upgraded, another
/// program's file is refused. A PostgreSQL database must exist on the
/// server; it gets the tables on first use.
pub(crate) fn open(db: &Path) -> Result<Db, Failure> {
    refuse_connection_string(db)?;
    let store: crm::store::Result<Db> = if is_postgres(db) {
        PostgresStore::open(url(db)).map(|s| Box::new(s) as Db)
    } else {
        SqliteStore::open(db).map(|s| Box::new(s) as Db)
    };
    store.map_err(|e| open_error(db, e))
}

/// Opens an existing database to write to it (a missing file is an error,
/// not a new empty database).
///
/// An empty file is refused as analyses refuse it: only `crm import` turns
/// a file into a database. A PostgreSQL database without the tables is
/// refused the same way.
pub(crate) fn open_existing(db: &Path) -> Result<Db, Failure> {
    refuse_connection_string(db)?;
    if is_postgres(db) {
        open_read_only(db)?;
        return open(db);
    }
    match std::fs::metadata(db) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(open_error(
                db,
                crm::store::Error::NotFound {
                    path: db.display().to_string(),
                },
            ));
        }
        Ok(m) if m.is_file() && m.len() == 0 => {
            return Err(open_error(
                db,
                crm::store::Error::NotOurs {
                    path: db.display().to_string(),
                    reason: "the file is empty".into(),
                },
            ));
        }
        _ => {}
    }
    open(db)
}

/// Opens a database to analyse it: read-only, nothing written to the file
/// (or the server); missing, empty and foreign databases are refused.
pub(crate) fn open_read_only(db: &Path) -> Result<Db, Failure> {
    refuse_connection_string(db)?;
    let store: crm::store::Result<Db> = if is_postgres(db) {
        PostgresStore::open_read_only(url(db)).map(|s| Box::new(s) as Db)
    } else {
        SqliteStore::open_read_only(db).map(|s| Box::new(s) as Db)
    };
    let store = store.map_err(|e| open_error(db, e))?;
    if !store.holds_data().map_err(|e| open_error(db, e))? {
        let erased = store.erased_count().map_err(|e| open_error(db, e))?;
        if let Some(n) = erased.filter(|&n| n > 0) {
            return Err(Failure::Data(anyhow::anyhow!(
                "{}: the database holds no customers: {n} {} erased (crm erase) and \
                 nothing else is left; import with `crm import --db {} --transactions FILE`",
                shown(db),
                if n == 1 { "was" } else { "were" },
                shown(db)
            )));
        }
        return Err(Failure::Data(anyhow::anyhow!(
            "{}: the database holds no data: nothing has been imported into it \
             (an interrupted import keeps nothing); import with \
             `crm import --db {} --transactions FILE`",
            shown(db),
            shown(db)
        )));
    }
    Ok(store)
}

/// Reads a TOML or JSON file (by extension) into `T`.
pub(crate) fn read_config<T: serde::de::DeserializeOwned>(
    path: &Path,
    what: &str,
) -> Result<T, Failure> {
    let mut text = String::new();
    open_input(path)?
        .read_to_string(&mut text)
        .with_context(|| format!("cannot read {}", name_of(path).display()))?;
    let path = name_of(path);
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
                let store = open_read_only(&db).map_err(|e| match e {
                    Failure::Data(e) => e,
                    Failure::Usage(m) => anyhow::anyhow!(m),
                })?;
                let mut open = true;
                crm::store::Store::interactions(&*store, Some(before), &mut |i| {
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
    let records = crm::csv::interactions(open_input(path)?, name_of(path), &options)
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

/// Runs `f` on every sale (key, date, revenue) from the database or the
/// transactions file, as a stream; a bad row of the file (in lenient mode:
/// skipped, as the ledger's import skips it) ends the stream with its
/// error.
pub(crate) fn with_sales(
    input: &InputArgs,
    f: &mut dyn FnMut(&str, crm::NaiveDate, Money) -> anyhow::Result<()>,
) -> Result<(), Failure> {
    if let Some(db) = &input.db {
        let store = open_read_only(db)?;
        let mut failed = None;
        store
            .sales(None, &mut |batch| {
                for s in batch {
                    if failed.is_none()
                        && let Err(e) = f(s.key, s.date, s.revenue)
                    {
                        failed = Some(e);
                    }
                }
            })
            .context("cannot read the transactions")?;
        return match failed {
            Some(e) => Err(e.into()),
            None => Ok(()),
        };
    }
    let Some(path) = &input.transactions else {
        return Ok(());
    };
    let options = import_options(&input.csv)?;
    for t in crm::csv::transactions(open_input(path)?, name_of(path), &options)
        .context("cannot read the transactions")?
    {
        match t {
            Ok(t) => f(t.customer.as_str(), t.date, t.revenue)?,
            Err(_) if input.csv.lenient => {}
            Err(e) => {
                return Err(anyhow::Error::from(e)
                    .context("cannot read the transactions")
                    .into());
            }
        }
    }
    Ok(())
}

/// The customer keys of a list such as `crm actions --control-out` writes:
/// a CSV with a `customer` or `customer_id` column.
///
/// With `campaign`, a file with a `campaign` column (as `crm actions
/// --control-out` writes it) gives only that campaign's rows; the rows of
/// other campaigns are counted on standard error.
pub(crate) fn customer_list(path: &Path, campaign: Option<&str>) -> Result<Vec<String>, Failure> {
    let name = name_of(path).display().to_string();
    let mut r = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(open_input(path)?);
    let headers = r
        .headers()
        .with_context(|| format!("{name}: cannot read the header"))?
        .clone();
    let col = headers
        .iter()
        .position(|h| {
            let h = h.trim().trim_start_matches('\u{feff}');
            h.eq_ignore_ascii_case("customer") || h.eq_ignore_ascii_case("customer_id")
        })
        .ok_or_else(|| {
            Failure::Data(anyhow::anyhow!(
                "{name}: no column \"customer\" or \"customer_id\" in the header"
            ))
        })?;
    let campaign_col = campaign.and_then(|c| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case("campaign"))
            .map(|i| (i, c))
    });
    let mut keys = Vec::new();
    let mut other_campaigns = 0u64;
    for rec in r.records() {
        let rec = rec.with_context(|| format!("cannot read {name}"))?;
        let line = rec.position().map_or(0, |p| p.line());
        if let Some((i, c)) = campaign_col
            && rec.get(i).map(str::trim) != Some(c)
        {
            other_campaigns += 1;
            continue;
        }
        match rec.get(col).map(str::trim) {
            Some(k) if !k.is_empty() => keys.push(k.to_string()),
            _ => {
                return Err(Failure::Data(anyhow::anyhow!(
                    "{name}:{line}: field customer: empty"
                )));
            }
        }
    }
    if other_campaigns > 0 {
        let rows = if other_campaigns == 1 { "row" } else { "rows" };
        note!("{name}: {other_campaigns} {rows} of other campaigns left out");
    }
    Ok(keys)
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
        let store = open_read_only(db)?;
        crm::store::Store::customers(&*store, &mut take).context("cannot read the register")?;
    } else if let Some(path) = &input.customers {
        let options = import_options(&input.csv)?;
        for c in crm::csv::customers(open_input(path)?, name_of(path), &options)
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

/// The register (every field), from the database or the customers file;
/// empty when neither is given.
pub(crate) fn register_of(input: &InputArgs) -> Result<Vec<crm::Customer>, Failure> {
    let mut all = Vec::new();
    if let Some(db) = &input.db {
        let store = open_existing(db)?;
        crm::store::Store::customers(&*store, &mut |c| all.push(c))
            .context("cannot read the register")?;
    } else if let Some(path) = &input.customers {
        let options = import_options(&input.csv)?;
        let name = if is_stdin(path) {
            Path::new(STDIN_NAME)
        } else {
            path.as_path()
        };
        for c in crm::csv::customers(open_input(path)?, name, &options)
            .context("cannot read the register")?
        {
            match c {
                Ok(c) => all.push(c),
                Err(e) if input.csv.lenient => note!("crm: skipped: {e}"),
                Err(e) => {
                    return Err(anyhow::Error::from(e)
                        .context("cannot read the register")
                        .into());
                }
            }
        }
    }
    Ok(all)
}

/// The leads of a leads file, rows of one `lead_id` folded into one lead
/// (so that a history of stage changes counts each lead once); with
/// `--lenient`, bad rows are skipped, each reported on stderr with their
/// count.
pub(crate) fn leads_of(path: &Path, csv: &CsvArgs) -> Result<Vec<crm::Lead>, Failure> {
    let options = import_options(csv)?;
    let name = name_of(path);
    let mut all = Vec::new();
    let mut skipped = 0u64;
    for l in crm::csv::leads(open_input(path)?, name, &options).context("cannot read the leads")? {
        match l {
            Ok(l) => all.push(l),
            Err(e) if csv.lenient => {
                skipped += 1;
                note!("crm: skipped: {}", sanitize(&e.to_string()));
            }
            Err(e) => {
                return Err(anyhow::Error::from(e)
                    .context("cannot read the leads")
                    .into());
            }
        }
    }
    if skipped > 0 {
        note!(
            "crm: warning: skipped {skipped} rows in {}",
            sanitize(&name.display().to_string())
        );
    }
    Ok(crm::merge_leads(all))
}

/// Every lead of a database.
pub(crate) fn leads_of_db(db: &Path) -> Result<Vec<crm::Lead>, Failure> {
    let store = open_read_only(db)?;
    let mut all = Vec::new();
    store
        .leads(&mut |l| all.push(l))
        .with_context(|| format!("cannot read the leads of {}", shown(db)))?;
    Ok(all)
}

/// The rulebook of `--rules` (TOML, or JSON by extension), or the
/// default one.
pub(crate) fn rulebook(path: Option<&Path>) -> Result<crm::strategy::Rulebook, Failure> {
    let Some(path) = path else {
        return Ok(crm::strategy::Rulebook::curry());
    };
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let name = path.display().to_string();
    crm::strategy::Rulebook::parse_bytes(&bytes, crm::strategy::Format::from_path(&name), &name)
        .map_err(|e| Failure::Data(anyhow::Error::new(e)))
}

/// The outcomes a database holds, dated before `until`, in a stable order
/// (date, customer, rule).
pub(crate) fn stored_outcomes(
    db: &Path,
    until: crm::NaiveDate,
) -> Result<Vec<crm::strategy::Outcome>, Failure> {
    let store = open_read_only(db)?;
    let mut all = Vec::new();
    store
        .outcomes(Some(until), &mut |o| all.push(o))
        .context("cannot read the outcomes")?;
    all.sort_by(|a, b| {
        (a.date, &a.customer, &a.rule, a.status).cmp(&(b.date, &b.customer, &b.rule, b.status))
    });
    Ok(all)
}

/// Reads an outcomes CSV (delimiter `,`, `;` or tab, picked from the
/// header as for the other inputs): `customer` (or `customer_id`), `rule`,
/// `status` (done, declined, no-answer) and `date` (YYYY-MM-DD); `id` and
/// `owner` optional.
///
/// An outcome dated on or after `until` (the end of the analysed period)
/// cannot have happened yet: like any bad row it is an error naming the
/// file and line, or with `lenient` skipped, reported and counted.
///
/// `unknown` says what is wrong with an outcome that reads well but names
/// something the run does not know (a customer not in the data, a rule not
/// in the rulebook): `Some((field, message))`. Such outcomes are never
/// dropped silently: strict, they fail the command with their count and
/// the first few lines; lenient, they are skipped and reported as rejects.
pub(crate) fn read_outcomes(
    path: &Path,
    until: Option<crm::NaiveDate>,
    lenient: bool,
    unknown: impl Fn(&crm::strategy::Outcome) -> Option<(&'static str, String)>,
) -> Result<(Vec<crm::strategy::Outcome>, crm::csv::ImportReport), Failure> {
    use crm::csv::{FieldError, Problem, Row};
    let name = path.display().to_string();
    let options = ImportOptions::new().mode(if lenient { Mode::Lenient } else { Mode::Strict });
    let file = std::fs::File::open(path).with_context(|| format!("cannot open {name}"))?;
    // Read by the reader of the other inputs: its delimiter detection,
    // quoting, line numbers, checks (a quote never closed) and lenient mode.
    let mut records = crm::csv::rows(
        std::io::BufReader::new(file),
        path,
        &options,
        |headers: &[String]| {
            let col = |names: &[&str]| {
                headers
                    .iter()
                    .position(|h| names.iter().any(|n| h.eq_ignore_ascii_case(n)))
            };
            let need = |names: &[&str]| {
                col(names).ok_or_else(|| crm::csv::Error::MissingColumn {
                    file: path.to_path_buf(),
                    column: names[0].to_string(),
                    found: headers.join(",").chars().take(200).collect(),
                })
            };
            let (ck, cr, cs, cd) = (
                need(&["customer", "customer_id"])?,
                need(&["rule"])?,
                need(&["status", "outcome"])?,
                need(&["date"])?,
            );
            let (cid, cowner) = (col(&["id"]), col(&["owner"]));
            Ok(
                move |row: Row<'_>| -> Result<(crm::strategy::Outcome, Vec<String>), FieldError> {
                    let bad = |column: usize, value: &str, expected: &'static str| {
                        (
                            Some(column),
                            Problem::BadValue {
                                value: value.chars().take(80).collect(),
                                expected,
                            },
                        )
                    };
                    let status = row.text(cs)?;
                    let status: crm::strategy::OutcomeStatus = status
                        .parse()
                        .map_err(|_| bad(cs, status, "done, declined or no-answer"))?;
                    let date = row.text(cd)?;
                    let date = crm::csv::parse_date_field(date)
                        .map_err(|_| bad(cd, date, crm::csv::DATE_EXPECTED))?;
                    if let Some(until) = until
                        && date >= until
                    {
                        return Err((
                            Some(cd),
                            Problem::Refused(format!(
                                "{date} is after the end of the analysed period (the last day is {})",
                                until.pred_opt().unwrap_or(until)
                            )),
                        ));
                    }
                    let (customer, rule) = (row.text(ck)?, row.text(cr)?);
                    for (c, v) in [(ck, customer), (cr, rule)] {
                        if v.is_empty() {
                            return Err((Some(c), Problem::Missing));
                        }
                    }
                    let customer = crm::CustomerKey::new(customer)
                        .map_err(|e| (Some(ck), Problem::Model(e)))?;
                    let mut o = crm::strategy::Outcome::new(customer, rule, status, date);
                    if let Some(i) = cid {
                        let id = row.text(i)?;
                        if !id.is_empty() {
                            o.id = Some(id.parse().map_err(|_| bad(i, id, "a UUID"))?);
                        }
                    }
                    if let Some(i) = cowner {
                        let owner = row.text(i)?;
                        if !owner.is_empty() {
                            o.owner = Some(owner.to_string());
                        }
                    }
                    Ok((o, row.fields()))
                },
            )
        },
    )
    .map_err(|e| Failure::Data(e.into()))?;
    let mut all = Vec::new();
    // Outcomes naming a customer or rule the run does not know: line,
    // field, column, message and the record.
    let mut strangers = Vec::new();
    while let Some(r) = records.next() {
        let (o, rec) = r.map_err(|e| Failure::Data(e.into()))?;
        match unknown(&o) {
            None => all.push(o),
            Some((f, message)) => {
                let column = outcome_column(records.headers(), f);
                strangers.push((records.line(), f, column, message, rec));
            }
        }
    }
    let mut report = crm::csv::ImportReport::empty(path);
    report.rows = records.rows();
    report.rejects = records.rejects().to_vec();
    if !strangers.is_empty() && !lenient {
        let first: Vec<String> = strangers
            .iter()
            .take(5)
            .map(|(line, f, _, m, _)| format!("  {name}:{line}: field {f}: {m}"))
            .collect();
        return Err(Failure::Data(anyhow::anyhow!(
            "{name}: {} of {} outcomes name a customer or a rule this run does not know{}:\n{}\n(correct them, or pass --lenient to skip and report them)",
            strangers.len(),
            report.rows,
            if strangers.len() > first.len() {
                ", the first"
            } else {
                ""
            },
            first.join("\n")
        )));
    }
    for (line, f, column, _, rec) in strangers {
        report.rejects.push(crm::csv::Reject {
            location: crm::csv::Location {
                file: path.to_path_buf(),
                line,
                column: Some(column + 1),
                field: Some(f.to_string()),
            },
            problem: crm::csv::Problem::BadValue {
                value: rec
                    .get(column)
                    .map_or("", |v| v.trim())
                    .chars()
                    .take(80)
                    .collect(),
                expected: if f == "rule" {
                    "a rule of the rulebook"
                } else {
                    "a customer of the data"
                },
            },
            record: rec,
        });
    }
    // Rejects in file order, the reader's and those naming strangers.
    report.rejects.sort_by_key(|r| r.location.line);
    report.imported = all.len() as u64;
    Ok((all, report))
}

/// The column of an outcome's `customer` or `rule` field in `headers`.
fn outcome_column(headers: &[String], field: &str) -> usize {
    let names: &[&str] = if field == "rule" {
        &["rule"]
    } else {
        &["customer", "customer_id"]
    };
    headers
        .iter()
        .position(|h| names.iter().any(|n| h.eq_ignore_ascii_case(n)))
        .unwrap_or(0)
}

/// Refuses a command whose output file is one of its inputs, its database
/// or another of its outputs (`--rejects orders.csv` on `orders.csv` would
/// replace the data with its rejects): a usage error, before anything is
/// read or written. Files are compared as the system sees them (device and
/// inode, through `same-file`), so another path to the same file is caught
/// too; standard input (`-`) and files that do not exist yet are not.
pub(crate) fn refuse_overwriting(outputs: &[&Path], reads: &[&Path]) -> Result<(), Failure> {
    for (i, out) in outputs.iter().enumerate() {
        let others = reads.iter().chain(&outputs[i + 1..]);
        for other in others.filter(|p| p.as_os_str() != "-") {
            if same_file::is_same_file(out, other).unwrap_or(false) {
                return Err(usage(format!(
                    "{} is read by this command and cannot also be written: choose another output file",
                    out.display()
                )));
            }
        }
    }
    Ok(())
}
