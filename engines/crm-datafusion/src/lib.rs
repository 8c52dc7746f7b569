//! The customer-facts pass of the crm toolkit as an [Apache DataFusion]
//! plan, run in-process or on a [Ballista] cluster.
//!
//! Every analysis of the toolkit reads per-customer aggregates, never rows:
//! the ledger (`crm_core::Ledger`) can be fed one row per customer, the
//! **customer facts** table ([`CustomerFacts`]), instead of every
//! transaction. This crate computes that table where the data lives: one
//! `GROUP BY` customer over a folder of CSV or Parquet files (the
//! *partitions*), planned by DataFusion, and executed either in this
//! process ([`local_context`]) or on a Ballista cluster
//! ([`cluster_context`]). The rows it returns go into a ledger with
//! [`Ledger::record_facts`]; from there the pyramid, the migration and
//! every other analysis run unchanged, and give exactly what the CSV path
//! (crm-csv's `read_transactions` into a ledger) gives on the same rows.
//!
//! [Apache DataFusion]: https://datafusion.apache.org/
//! [Ballista]: https://datafusion.apache.org/ballista/
//!
//! # The table computed
//!
//! One row per customer key, over every transaction of the partitions
//! (as the CSV path records every row), for the ledger's periods: the
//! number of transactions and of transactions without a margin, the first
//! and last transaction, the first and last purchase per basis (revenue,
//! margin: a purchase is a transaction whose value on that basis is
//! positive), and per period the sum of revenue and of margin (a missing
//! margin counts as zero), the number of transactions and the last purchase
//! per basis dated before the period's start; the distinct days with a
//! positive revenue when the ledger keeps purchase days. `crm_core`'s
//! `facts` module defines each column; [`facts_sql`] shows the query.
//!
//! # Money stays exact
//!
//! Amounts are never floats on the way. In a CSV file every column is read
//! as text; the plan trims the amount and casts it to `DECIMAL(38, 10)`
//! (a 128-bit integer of units of 10⁻¹⁰), which fails on anything that is
//! not a plain decimal number with a point. The cast would drop digits past
//! the tenth decimal place, so the plan also takes, per customer, period and
//! basis, the largest number of decimal places written; a value with more
//! than ten is refused ([`Error::Inexact`]). The sums are 128-bit integer
//! sums; each is turned into a `rust_decimal::Decimal` exactly and then
//! given the scale of its widest amount, so `12.50 + 3.25` is `15.75`, as
//! the CSV path writes it. In a Parquet file an amount is a `DECIMAL`
//! column (any precision up to 38, its scale at most ten) or text read as
//! in a CSV file; a float column is refused ([`Error::Column`]).
//!
//! # What is computed where
//!
//! The scan, the parsing and casting, and the aggregation to one row per
//! customer run in the engine: in-process, DataFusion reads the partitions
//! in parallel on this machine's cores; on a cluster, the scheduler splits
//! the plan into stages, the executors scan the partitions and aggregate
//! them partially, shuffle by customer key and finish the aggregation, and
//! the client receives only the result: one row per customer, sorted by
//! key. Checking the headers of the partitions (before the plan is sent),
//! converting the result to [`CustomerFacts`] and feeding the ledger run in
//! the calling process.
//!
//! # Pointing it at a real cluster
//!
//! Start a Ballista scheduler (`ballista-scheduler`, port 50050 by
//! default) and executors registered with it (`ballista-executor
//! --scheduler-host HOST --scheduler-port 50050`), all of Ballista
//! 55 (DataFusion 55), the versions this crate is built with. Then
//!
//! ```no_run
//! # async fn run() -> Result<(), crm_datafusion::Error> {
//! use crm_core::{Ledger, Period};
//! use crm_datafusion::{Partitions, cluster_context, record_facts};
//!
//! let ctx = cluster_context("df://scheduler.internal:50050").await?;
//! let year: Period = "2025".parse().map_err(crm_datafusion::Error::Ledger)?;
//! let mut ledger = Ledger::new([year]);
//! let parts = Partitions::csv("/shared/sales/2025/")?;
//! let report = record_facts(&ctx, &parts, &mut ledger).await?;
//! # Ok(()) }
//! ```
//!
//! The folder (or file) is named by a path that must mean the same files on
//! the client and on every executor: the client reads the headers (CSV) or
//! the schemas (Parquet) of the partitions to check the columns, and the
//! executors read the rows. Mount the same shared file system (NFS, a
//! cluster file system) at the same path on all of them. The client needs
//! only the scheduler's port; the executors must reach the scheduler and
//! each other (their flight ports, for the shuffle).
//!
//! # Errors
//!
//! A missing file or folder, a partition without a required column and a
//! partition whose header differs from the first are refused before the
//! plan runs, naming the file. A bad value (an amount that is not a number,
//! a date that is not `YYYY-MM-DD`) fails the plan; the error then names
//! the partition that holds it, found by running the check on each
//! partition alone. No input makes this crate panic.

#![deny(missing_docs)]
#![forbid(unsafe_code)]

use std::collections::HashSet;
use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crm_core::{CustomerFacts, Decimal, Ledger, Money, NaiveDate, PeriodFacts};
use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, Date32Array, Decimal128Array, Int64Array, StringArray,
};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::prelude::{CsvReadOptions, ParquetReadOptions, SessionContext};

pub use datafusion;

/// The scale of the decimal amounts inside the plan: ten decimal places.
pub const SCALE: u32 = 10;

/// An error of the facts pass, naming the file it concerns where there is
/// one.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file or folder could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A folder without a partition of the expected kind.
    #[error("{path}: no {kind} partition (files ending in .{kind}) in the folder")]
    NoPartitions {
        /// The folder.
        path: PathBuf,
        /// `csv` or `parquet`.
        kind: &'static str,
    },
    /// A partition lacks a required column, or holds one of a type that
    /// cannot be read exactly.
    #[error("{path}: {reason}")]
    Column {
        /// The partition.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The engine refused or failed the plan; `path` names the partition
    /// whose rows fail it when one could be found.
    #[error("{}{message}", .path.as_ref().map(|p| format!("{}: ", p.display())).unwrap_or_default())]
    Engine {
        /// The partition whose rows fail the plan, if one was found.
        path: Option<PathBuf>,
        /// The engine's message.
        message: String,
    },
    /// An amount with more decimal places than the plan keeps exactly.
    #[error(
        "{path}: customer {key:?} has an amount with {places} decimal places; at most {SCALE} are read exactly"
    )]
    Inexact {
        /// The partition (or folder) read.
        path: PathBuf,
        /// The customer.
        key: String,
        /// The decimal places written.
        places: i64,
    },
    /// A row without a customer key, a date or a revenue.
    #[error("{path}: {rows} rows of customer {key:?} without a {field}")]
    Missing {
        /// The partition (or folder) read.
        path: PathBuf,
        /// The customer (empty when the key is missing).
        key: String,
        /// The field missing.
        field: &'static str,
        /// How many rows lack it.
        rows: i64,
    },
    /// The ledger refused a row of facts, or a sum left the range of a
    /// `Decimal`.
    #[error("{path}: {source}")]
    Facts {
        /// The partition (or folder) read.
        path: PathBuf,
        /// The cause.
        source: crm_core::Error,
    },
    /// An error of the ledger not tied to a file (a bad period, say).
    #[error(transparent)]
    Ledger(#[from] crm_core::Error),
}

/// A result of this crate.
pub type Result<T> = std::result::Result<T, Error>;

/// The file format of a set of partitions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Format {
    /// CSV files with a header line, comma-separated, amounts with a
    /// decimal point, dates as `YYYY-MM-DD`.
    Csv,
    /// Parquet files.
    Parquet,
}

impl Format {
    fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Parquet => "parquet",
        }
    }
}

/// The names of the columns read; other columns are ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Columns {
    /// The customer's key (`customer_id`).
    pub customer: String,
    /// The date (`date`).
    pub date: String,
    /// The revenue (`revenue`).
    pub revenue: String,
    /// The margin (`margin`), optional: without it every transaction has no
    /// margin.
    pub margin: String,
}

impl Default for Columns {
    fn default() -> Columns {
        Columns {
            customer: "customer_id".into(),
            date: "date".into(),
            revenue: "revenue".into(),
            margin: "margin".into(),
        }
    }
}

/// A set of partitions: one file, or every `.csv` (or `.parquet`) file of
/// a folder, read as one table.
#[derive(Debug, Clone)]
pub struct Partitions {
    path: PathBuf,
    dir: bool,
    format: Format,
    files: Vec<PathBuf>,
    columns: Columns,
}

impl Partitions {
    /// CSV partitions at `path` (a file, or a folder of `.csv` files).
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when the path cannot be read, [`Error::NoPartitions`]
    /// for a folder without `.csv` files.
    pub fn csv(path: impl AsRef<Path>) -> Result<Partitions> {
        Partitions::new(path.as_ref(), Format::Csv)
    }

    /// Parquet partitions at `path` (a file, or a folder of `.parquet`
    /// files).
    ///
    /// # Errors
    ///
    /// As [`Partitions::csv`].
    pub fn parquet(path: impl AsRef<Path>) -> Result<Partitions> {
        Partitions::new(path.as_ref(), Format::Parquet)
    }

    /// Partitions of `format` at `path`.
    ///
    /// # Errors
    ///
    /// As [`Partitions::csv`].
    pub fn new(path: &Path, format: Format) -> Result<Partitions> {
        let io = |source| Error::Io {
            path: path.to_path_buf(),
            source,
        };
        let meta = std::fs::metadata(path).map_err(io)?;
        let files = if meta.is_dir() {
            let mut files = Vec::new();
            for entry in std::fs::read_dir(path).map_err(io)? {
                let p = entry.map_err(io)?.path();
                if p.extension().and_then(|e| e.to_str()) == Some(format.extension()) {
                    files.push(p);
                }
            }
            files.sort();
            if files.is_empty() {
                return Err(Error::NoPartitions {
                    path: path.to_path_buf(),
                    kind: format.extension(),
                });
            }
            files
        } else {
            vec![path.to_path_buf()]
        };
        Ok(Partitions {
            path: path.to_path_buf(),
            dir: meta.is_dir(),
            format,
            files,
            columns: Columns::default(),
        })
    }

    /// Reads the columns under other names.
    pub fn with_columns(mut self, columns: Columns) -> Partitions {
        self.columns = columns;
        self
    }

    /// The file or folder given.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The partition files, sorted by name.
    pub fn files(&self) -> &[PathBuf] {
        &self.files
    }

    /// The format.
    pub fn format(&self) -> Format {
        self.format
    }

    /// The same columns over one of the partitions.
    fn only(&self, file: &Path) -> Partitions {
        Partitions {
            path: file.to_path_buf(),
            dir: false,
            format: self.format,
            files: vec![file.to_path_buf()],
            columns: self.columns.clone(),
        }
    }
}

/// A context that runs the plan in this process, on all its cores.
pub fn local_context() -> SessionContext {
    SessionContext::new()
}

/// A context whose plans run on the Ballista cluster whose scheduler is at
/// `url` (`df://host:port`; the port defaults to 50050). The connection is
/// made when the first plan runs. Feature `cluster` (a default one).
///
/// # Errors
///
/// [`Error::Engine`] for a URL that names no host.
#[cfg(feature = "cluster")]
pub async fn cluster_context(url: &str) -> Result<SessionContext> {
    use ballista::prelude::SessionContextExt;
    SessionContext::remote(url)
        .await
        .map_err(|e| Error::Engine {
            path: None,
            message: format!("scheduler {url}: {e}"),
        })
}

/// What [`record_facts`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct FactsReport {
    /// Rows of customer facts recorded: one per customer.
    pub customers: u64,
    /// Transactions aggregated.
    pub transactions: u64,
    /// Partition files read.
    pub partitions: usize,
}

/// Computes the customer facts of `parts` for the ledger's periods on
/// `ctx` and records them into `ledger`, in key order.
///
/// # Errors
///
/// See [`facts`]; [`Error::Facts`] when the ledger refuses a row (nothing
/// of that row is recorded, earlier rows stay).
pub async fn record_facts(
    ctx: &SessionContext,
    parts: &Partitions,
    ledger: &mut Ledger,
) -> Result<FactsReport> {
    let periods: Vec<(NaiveDate, NaiveDate)> = ledger
        .periods()
        .iter()
        .map(|p| (p.start(), p.end()))
        .collect();
    let rows = facts(ctx, parts, &periods, ledger.options().purchase_days).await?;
    let mut transactions = 0u64;
    for f in &rows {
        ledger.record_facts(f).map_err(|source| Error::Facts {
            path: parts.path.clone(),
            source,
        })?;
        transactions = transactions.saturating_add(f.transactions);
    }
    Ok(FactsReport {
        customers: rows.len() as u64,
        transactions,
        partitions: parts.files.len(),
    })
}

/// How an input column is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Text, parsed by the plan.
    Text,
    /// A native value (a Parquet date or decimal); for a decimal, its
    /// scale.
    Native(i8),
}

/// The kinds of the four columns (customer, date, revenue, margin; the
/// margin `None` when absent), checked on every partition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Layout {
    key: Kind,
    date: Kind,
    revenue: Kind,
    margin: Option<Kind>,
}

/// The customer facts of `parts` for the half-open periods
/// `[start, end)`, one row per customer sorted by key, computed on `ctx`.
/// `purchase_days` asks for the distinct days with a positive revenue.
///
/// # Errors
///
/// [`Error::Column`] for a partition without a required column or with a
/// header unlike the first's, or an amount of a float type;
/// [`Error::Engine`] when the plan fails (a value the engine cannot
/// parse), naming the partition where possible; [`Error::Inexact`],
/// [`Error::Missing`]; [`Error::Facts`] for a sum beyond a `Decimal`.
pub async fn facts(
    ctx: &SessionContext,
    parts: &Partitions,
    periods: &[(NaiveDate, NaiveDate)],
    purchase_days: bool,
) -> Result<Vec<CustomerFacts>> {
    let (layout, csv_schema) = check(parts)?;
    match run(
        ctx,
        parts,
        layout,
        csv_schema.clone(),
        periods,
        purchase_days,
    )
    .await
    {
        Ok(rows) => Ok(rows),
        Err(Error::Engine {
            path: None,
            message,
        }) if parts.files.len() > 1 => {
            // Find the partition whose rows fail the plan: run it on each
            // alone. When every one fails, the cause is not in one file (a
            // cluster out of reach, say): the folder is named.
            let mut first = None;
            let mut failed = 0;
            for file in &parts.files {
                let one = parts.only(file);
                if let Err(e) = run(
                    ctx,
                    &one,
                    layout,
                    csv_schema.clone(),
                    periods,
                    purchase_days,
                )
                .await
                {
                    failed += 1;
                    if first.is_none() {
                        first = Some(match e {
                            Error::Engine { message, .. } => Error::Engine {
                                path: Some(file.clone()),
                                message,
                            },
                            other => other,
                        });
                    }
                }
            }
            match first {
                Some(e) if failed < parts.files.len() => Err(e),
                _ => Err(Error::Engine {
                    path: Some(parts.path.clone()),
                    message,
                }),
            }
        }
        Err(Error::Engine {
            path: None,
            message,
        }) => Err(Error::Engine {
            // One partition: it is the one that fails.
            path: Some(parts.files.first().unwrap_or(&parts.path).clone()),
            message,
        }),
        Err(e) => Err(e),
    }
}

/// Checks every partition's columns; for CSV, the schema to read them
/// with (every column as text, in the header's order).
fn check(parts: &Partitions) -> Result<(Layout, Option<Arc<Schema>>)> {
    let c = &parts.columns;
    match parts.format {
        Format::Csv => {
            let mut first: Option<Vec<String>> = None;
            for file in &parts.files {
                let header = csv_header(file)?;
                for need in [&c.customer, &c.date, &c.revenue] {
                    if !header.iter().any(|h| h == need) {
                        return Err(Error::Column {
                            path: file.clone(),
                            reason: format!("no column {need:?} in the header"),
                        });
                    }
                }
                let mut seen = HashSet::new();
                if let Some(dup) = header.iter().find(|h| !seen.insert(h.as_str())) {
                    return Err(Error::Column {
                        path: file.clone(),
                        reason: format!("column {dup:?} appears twice in the header"),
                    });
                }
                match &first {
                    None => first = Some(header),
                    Some(f) if *f != header => {
                        return Err(Error::Column {
                            path: file.clone(),
                            reason: format!(
                                "the header differs from that of {}",
                                parts.files[0].display()
                            ),
                        });
                    }
                    Some(_) => {}
                }
            }
            let header = first.unwrap_or_default();
            let margin = header.contains(&c.margin).then_some(Kind::Text);
            let schema = Schema::new(
                header
                    .iter()
                    .map(|h| Field::new(h, DataType::Utf8, true))
                    .collect::<Vec<_>>(),
            );
            Ok((
                Layout {
                    key: Kind::Text,
                    date: Kind::Text,
                    revenue: Kind::Text,
                    margin,
                },
                Some(Arc::new(schema)),
            ))
        }
        Format::Parquet => {
            let mut layout: Option<Layout> = None;
            for file in &parts.files {
                let l = parquet_layout(file, c)?;
                match layout {
                    None => layout = Some(l),
                    Some(f) if f != l => {
                        return Err(Error::Column {
                            path: file.clone(),
                            reason: format!(
                                "the columns' types differ from those of {}",
                                parts.files[0].display()
                            ),
                        });
                    }
                    Some(_) => {}
                }
            }
            let layout = layout.ok_or_else(|| Error::NoPartitions {
                path: parts.path.clone(),
                kind: "parquet",
            })?;
            Ok((layout, None))
        }
    }
}

/// The header of a CSV file: its first line, split on commas, fields
/// unquoted and trimmed, a byte order mark dropped.
fn csv_header(file: &Path) -> Result<Vec<String>> {
    let io = |source| Error::Io {
        path: file.to_path_buf(),
        source,
    };
    let mut line = String::new();
    BufReader::new(File::open(file).map_err(io)?)
        .read_line(&mut line)
        .map_err(io)?;
    let line = line
        .trim_start_matches('\u{feff}')
        .trim_end_matches(['\r', '\n']);
    if line.is_empty() {
        return Err(Error::Column {
            path: file.to_path_buf(),
            reason: "empty file: no header line".into(),
        });
    }
    Ok(line
        .split(',')
        .map(|h| h.trim().trim_matches('"').to_string())
        .collect())
}

/// The kinds of a Parquet file's columns.
fn parquet_layout(file: &Path, c: &Columns) -> Result<Layout> {
    use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let io = |source| Error::Io {
        path: file.to_path_buf(),
        source,
    };
    let bad = |reason: String| Error::Column {
        path: file.to_path_buf(),
        reason,
    };
    let builder = ParquetRecordBatchReaderBuilder::try_new(File::open(file).map_err(io)?)
        .map_err(|e| bad(format!("not a readable Parquet file: {e}")))?;
    let schema = builder.schema().clone();
    let field = |name: &str| {
        schema
            .field_with_name(name)
            .ok()
            .map(|f| f.data_type().clone())
    };
    let text =
        |t: &DataType| matches!(t, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View);
    let money = |name: &str, t: DataType| -> Result<Kind> {
        match t {
            t if text(&t) => Ok(Kind::Text),
            DataType::Decimal128(_, s) | DataType::Decimal64(_, s) | DataType::Decimal32(_, s)
                if (0..=SCALE as i8).contains(&s) =>
            {
                Ok(Kind::Native(s))
            }
            DataType::Int8 | DataType::Int16 | DataType::Int32 | DataType::Int64 => {
                Ok(Kind::Native(0))
            }
            t => Err(bad(format!(
                "column {name:?} is {t}: amounts must be DECIMAL with at most {SCALE} decimal places, integers or text, never floats"
            ))),
        }
    };
    let key = field(&c.customer).ok_or_else(|| bad(format!("no column {:?}", c.customer)))?;
    if !text(&key) && !key.is_integer() {
        return Err(bad(format!(
            "column {:?} is {key}: a customer key is text or an integer",
            c.customer
        )));
    }
    let date = match field(&c.date).ok_or_else(|| bad(format!("no column {:?}", c.date)))? {
        t if text(&t) => Kind::Text,
        DataType::Date32 | DataType::Date64 | DataType::Timestamp(..) => Kind::Native(0),
        t => {
            return Err(bad(format!(
                "column {:?} is {t}: a date is a DATE, a TIMESTAMP or text",
                c.date
            )));
        }
    };
    let revenue = money(
        &c.revenue,
        field(&c.revenue).ok_or_else(|| bad(format!("no column {:?}", c.revenue)))?,
    )?;
    let margin = field(&c.margin).map(|t| money(&c.margin, t)).transpose()?;
    Ok(Layout {
        key: if text(&key) {
            Kind::Text
        } else {
            Kind::Native(0)
        },
        date,
        revenue,
        margin,
    })
}

/// A column name as a quoted SQL identifier.
fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A date as a SQL literal.
fn lit(d: NaiveDate) -> String {
    format!("DATE '{}'", d.format("%Y-%m-%d"))
}

/// The SQL of the facts query over the table `rows_in`, for the half-open
/// periods given, as [`facts`] runs it on a CSV source with a margin
/// column and the default column names.
///
/// ```
/// use crm_core::NaiveDate;
/// let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
/// let sql = crm_datafusion::facts_sql(&[(d(2025, 1, 1), d(2026, 1, 1))], false);
/// assert!(sql.contains("GROUP BY k"));
/// ```
pub fn facts_sql(periods: &[(NaiveDate, NaiveDate)], purchase_days: bool) -> String {
    sql(
        "rows_in",
        &Columns::default(),
        Layout {
            key: Kind::Text,
            date: Kind::Text,
            revenue: Kind::Text,
            margin: Some(Kind::Text),
        },
        periods,
        purchase_days,
    )
}

/// Decimal places written in a trimmed text amount `x` (a SQL expression).
fn places(x: &str) -> String {
    format!(
        "CASE WHEN strpos({x}, '.') > 0 THEN CAST(length({x}) - strpos({x}, '.') AS BIGINT) ELSE CAST(0 AS BIGINT) END"
    )
}

/// The facts query over `table`.
fn sql(
    table: &str,
    c: &Columns,
    layout: Layout,
    periods: &[(NaiveDate, NaiveDate)],
    purchase_days: bool,
) -> String {
    let dec = format!("DECIMAL(38, {SCALE})");
    let amount = |col: &str, kind: Kind| -> (String, String) {
        match kind {
            Kind::Text => {
                let t = format!("nullif(trim({}), '')", ident(col));
                (format!("CAST({t} AS {dec})"), places(&t))
            }
            Kind::Native(s) => (
                format!("CAST({} AS {dec})", ident(col)),
                format!(
                    "CASE WHEN {} IS NULL THEN NULL ELSE CAST({s} AS BIGINT) END",
                    ident(col)
                ),
            ),
        }
    };
    let date = match layout.date {
        Kind::Text => format!("CAST(nullif(trim({}), '') AS DATE)", ident(&c.date)),
        Kind::Native(_) => format!("CAST({} AS DATE)", ident(&c.date)),
    };
    let (r, rs) = amount(&c.revenue, layout.revenue);
    let (m, ms) = match layout.margin {
        Some(kind) => amount(&c.margin, kind),
        None => (
            format!("CAST(NULL AS {dec})"),
            "CAST(NULL AS BIGINT)".into(),
        ),
    };
    let mut q = format!(
        "WITH t AS (SELECT {key} AS k, {date} AS d, \
         {r} AS r, {m} AS m, {rs} AS rs, {ms} AS ms FROM {table}) \
         SELECT k, count(*) AS n, count(*) - count(m) AS n_nomargin, \
         min(d) AS first_t, max(d) AS last_t, \
         min(CASE WHEN r > 0 THEN d END) AS first_r, max(CASE WHEN r > 0 THEN d END) AS last_r, \
         min(CASE WHEN m > 0 THEN d END) AS first_m, max(CASE WHEN m > 0 THEN d END) AS last_m, \
         count(*) - count(d) AS no_date, count(*) - count(r) AS no_revenue, \
         max(rs) AS places_r, max(ms) AS places_m",
        key = match layout.key {
            Kind::Text => format!("nullif(trim({}), '')", ident(&c.customer)),
            Kind::Native(_) => format!("CAST({} AS VARCHAR)", ident(&c.customer)),
        }
    );
    if purchase_days {
        q.push_str(", array_agg(DISTINCT CASE WHEN r > 0 THEN d END) AS days");
    }
    for (i, (s, e)) in periods.iter().enumerate() {
        let (s, e) = (lit(*s), lit(*e));
        let inside = format!("d >= {s} AND d < {e}");
        let _ = write!(
            q,
            ", sum(CASE WHEN {inside} THEN r END) AS v{i}_r, \
             sum(CASE WHEN {inside} THEN coalesce(m, 0) END) AS v{i}_m, \
             count(CASE WHEN {inside} THEN 1 END) AS n{i}, \
             max(CASE WHEN d < {s} AND r > 0 THEN d END) AS before{i}_r, \
             max(CASE WHEN d < {s} AND m > 0 THEN d END) AS before{i}_m, \
             max(CASE WHEN {inside} THEN rs END) AS places{i}_r, \
             max(CASE WHEN {inside} THEN ms END) AS places{i}_m"
        );
    }
    q.push_str(" FROM t GROUP BY k ORDER BY k");
    q
}

/// Plans and runs the query on `ctx`; converts the result.
async fn run(
    ctx: &SessionContext,
    parts: &Partitions,
    layout: Layout,
    csv_schema: Option<Arc<Schema>>,
    periods: &[(NaiveDate, NaiveDate)],
    purchase_days: bool,
) -> Result<Vec<CustomerFacts>> {
    let engine = |e: datafusion::error::DataFusionError| Error::Engine {
        path: None,
        message: e.to_string(),
    };
    // One table name per query, so that concurrent passes on one context
    // never see each other's files.
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let table = format!(
        "crm_rows_{}",
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    );
    let path = parts.path.to_string_lossy().into_owned();
    let path = if parts.dir && !path.ends_with('/') {
        format!("{path}/")
    } else {
        path
    };
    match (parts.format, &csv_schema) {
        (Format::Csv, Some(schema)) => {
            let opts = CsvReadOptions::new()
                .has_header(true)
                .schema(schema)
                .file_extension(".csv");
            ctx.register_csv(table.as_str(), &path, opts)
                .await
                .map_err(engine)?;
        }
        _ => {
            let opts = ParquetReadOptions::default().file_extension(".parquet");
            ctx.register_parquet(table.as_str(), &path, opts)
                .await
                .map_err(engine)?;
        }
    }
    let result = async {
        let q = sql(&table, &parts.columns, layout, periods, purchase_days);
        let df = ctx.sql(&q).await.map_err(engine)?;
        df.collect().await.map_err(engine)
    }
    .await;
    let _ = ctx.deregister_table(table.as_str());
    let batches = result?;
    let mut out = Vec::new();
    for b in &batches {
        convert(b, parts, periods.len(), purchase_days, &mut out)?;
    }
    Ok(out)
}

/// A result column cast to `to`.
fn column(b: &RecordBatch, i: usize, to: &DataType) -> Result<ArrayRef> {
    let a = b.column(i);
    if a.data_type() == to {
        return Ok(a.clone());
    }
    cast(a, to).map_err(|e| Error::Engine {
        path: None,
        message: format!("result column {i}: {e}"),
    })
}

/// Appends the facts of one result batch to `out`.
fn convert(
    b: &RecordBatch,
    parts: &Partitions,
    periods: usize,
    purchase_days: bool,
    out: &mut Vec<CustomerFacts>,
) -> Result<()> {
    let path = &parts.path;
    let dec = DataType::Decimal128(38, SCALE as i8);
    let keys = column(b, 0, &DataType::Utf8)?;
    let keys: &StringArray = keys.as_string::<i32>();
    let int = |i: usize| -> Result<Int64Array> {
        Ok(column(b, i, &DataType::Int64)?.as_primitive().clone())
    };
    let date = |i: usize| -> Result<Date32Array> {
        Ok(column(b, i, &DataType::Date32)?.as_primitive().clone())
    };
    let n = int(1)?;
    let no_margin = int(2)?;
    let dates: Vec<Date32Array> = (3..9).map(date).collect::<Result<_>>()?;
    let (no_date, no_revenue) = (int(9)?, int(10)?);
    let (places_r, places_m) = (int(11)?, int(12)?);
    let mut col = 13;
    let days = if purchase_days {
        col += 1;
        Some(column(
            b,
            13,
            &DataType::List(Arc::new(Field::new_list_field(DataType::Date32, true))),
        )?)
    } else {
        None
    };
    struct P {
        value: [Decimal128Array; 2],
        n: Int64Array,
        before: [Date32Array; 2],
        places: [Int64Array; 2],
    }
    let mut ps = Vec::with_capacity(periods);
    for _ in 0..periods {
        let d = |i: usize| -> Result<Decimal128Array> {
            Ok(column(b, i, &dec)?.as_primitive().clone())
        };
        ps.push(P {
            value: [d(col)?, d(col + 1)?],
            n: int(col + 2)?,
            before: [date(col + 3)?, date(col + 4)?],
            places: [int(col + 5)?, int(col + 6)?],
        });
        col += 7;
    }
    let get_date = |a: &Date32Array, row: usize| -> Option<NaiveDate> {
        if a.is_null(row) {
            None
        } else {
            a.value_as_date(row)
        }
    };
    let count = |a: &Int64Array, row: usize| -> u64 {
        if a.is_null(row) {
            0
        } else {
            u64::try_from(a.value(row)).unwrap_or(0)
        }
    };
    for row in 0..b.num_rows() {
        let key = if keys.is_null(row) {
            ""
        } else {
            keys.value(row)
        };
        for (a, field) in [(&no_date, "date"), (&no_revenue, "revenue")] {
            let missing = if a.is_null(row) { 0 } else { a.value(row) };
            if missing > 0 {
                return Err(Error::Missing {
                    path: path.clone(),
                    key: key.into(),
                    field,
                    rows: missing,
                });
            }
        }
        if keys.is_null(row) {
            return Err(Error::Missing {
                path: path.clone(),
                key: String::new(),
                field: "customer key",
                rows: n.value(row),
            });
        }
        for a in [&places_r, &places_m] {
            if !a.is_null(row) && a.value(row) > i64::from(SCALE) {
                return Err(Error::Inexact {
                    path: path.clone(),
                    key: key.into(),
                    places: a.value(row),
                });
            }
        }
        let mut f = CustomerFacts::new(key);
        f.transactions = count(&n, row);
        f.transactions_without_margin = count(&no_margin, row);
        f.first_transaction = get_date(&dates[0], row);
        f.last_transaction = get_date(&dates[1], row);
        f.first_purchase = [get_date(&dates[2], row), get_date(&dates[4], row)];
        f.last_purchase = [get_date(&dates[3], row), get_date(&dates[5], row)];
        if let Some(days) = &days {
            let list = days.as_list::<i32>();
            if !list.is_null(row) {
                let v = list.value(row);
                let v: &Date32Array = v.as_primitive();
                let mut seen: Vec<NaiveDate> = (0..v.len())
                    .filter(|&i| !v.is_null(i))
                    .filter_map(|i| v.value_as_date(i))
                    .collect();
                seen.sort_unstable();
                seen.dedup();
                f.purchase_days = seen;
            }
        }
        for p in &ps {
            let mut pf = PeriodFacts::new();
            pf.transactions = count(&p.n, row);
            pf.last_purchase_before = [get_date(&p.before[0], row), get_date(&p.before[1], row)];
            for basis in 0..2 {
                let v = &p.value[basis];
                if v.is_null(row) || pf.transactions == 0 {
                    continue;
                }
                let places = if p.places[basis].is_null(row) {
                    0
                } else {
                    u32::try_from(p.places[basis].value(row))
                        .unwrap_or(SCALE)
                        .min(SCALE)
                };
                pf.value[basis] = money(v.value(row), places).ok_or_else(|| Error::Facts {
                    path: path.clone(),
                    source: crm_core::Error::Overflow {
                        key: key.chars().take(80).collect(),
                    },
                })?;
            }
            f.periods.push(pf);
        }
        out.push(f);
    }
    Ok(())
}

/// A sum in units of 10⁻¹⁰ as money of `places` decimal places (exact:
/// the sum of amounts of at most `places` places has no more), or `None`
/// beyond the range of a `Decimal`.
fn money(units: i128, places: u32) -> Option<Money> {
    let drop = SCALE - places;
    let divisor = 10i128.checked_pow(drop)?;
    if units % divisor != 0 {
        return None;
    }
    let d = Decimal::try_from_i128_with_scale(units / divisor, places).ok()?;
    Some(Money::new(d))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_keep_the_scale_of_their_widest_amount() {
        assert_eq!(money(157_500_000_000, 2).unwrap().to_string(), "15.75");
        assert_eq!(money(-10_000_000_000, 0).unwrap().to_string(), "-1");
        assert_eq!(money(i128::MAX, 10), None);
    }

    #[test]
    fn identifiers_are_quoted() {
        assert_eq!(ident("a\"b"), "\"a\"\"b\"");
    }
}
