use std::fs::File;
use std::path::{Path, PathBuf};

use crm_core::{Ledger, Money, NaiveDate, Sale};

use crate::fields::{CustomerCols, DateCache, InteractionCols, TxCols};
use crate::header::{Header, parse_header, read_prefix};
use crate::scan::{LateError, RowError, Sink, scan_file};
use crate::{Error, ImportOptions, Location, Problem, Result};

/// A row skipped in lenient mode: where, why, and the row as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reject {
    /// File, line, and the column to blame when there is one.
    pub location: Location,
    /// What was wrong.
    pub problem: Problem,
    /// The row's fields as read (invalid UTF-8 replaced).
    pub record: Vec<String>,
}

impl std::fmt::Display for Reject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.location, self.problem)
    }
}

/// What an import read: rows, rows taken, and every row skipped.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ImportReport {
    /// The file read.
    pub file: PathBuf,
    /// Data rows read (the header not counted).
    pub rows: u64,
    /// Rows taken into the ledger.
    pub imported: u64,
    /// Rows skipped (lenient mode only), in file order.
    pub rejects: Vec<Reject>,
    /// The delimiter used (given or detected).
    pub delimiter: u8,
    /// Threads used.
    pub threads: usize,
}

impl ImportReport {
    /// An empty report for `file`, for importers that fill it themselves.
    pub fn empty(file: impl AsRef<Path>) -> ImportReport {
        ImportReport {
            file: file.as_ref().to_path_buf(),
            rows: 0,
            imported: 0,
            rejects: Vec::new(),
            delimiter: b',',
            threads: 1,
        }
    }
}

fn header_of(path: &Path, options: &ImportOptions) -> Result<Header> {
    let mut f = File::open(path).map_err(|e| Error::io(path, e))?;
    let prefix = read_prefix(&mut f).map_err(|e| Error::io(path, e))?;
    let header = parse_header(path, &prefix, options)?;
    if prefix.len() == 64 * 1024 && header.data_start >= prefix.len() as u64 {
        return Err(Error::from(crate::BadRow {
            location: Location {
                file: path.to_path_buf(),
                line: 1,
                column: None,
                field: None,
            },
            problem: Problem::Syntax("the header row is longer than 64 KiB".into()),
        }));
    }
    Ok(header)
}

fn import<S: Sink>(
    path: &Path,
    options: &ImportOptions,
    header: &Header,
    sink: &mut S,
) -> Result<ImportReport> {
    let scanned = scan_file(path, header, options.mode, options.threads, sink)?;
    Ok(ImportReport {
        file: path.to_path_buf(),
        rows: scanned.rows,
        imported: scanned.rows - scanned.rejects.len() as u64,
        rejects: scanned.rejects,
        delimiter: header.delimiter,
        threads: scanned.threads,
    })
}

fn model_error(key_col: usize, e: crm_core::Error) -> RowError {
    let col = matches!(e, crm_core::Error::InvalidKey { .. }).then_some(key_col);
    (col, Problem::Model(e))
}

/// Rows per batch handed to [`Ledger::record_sales`].
const BATCH: usize = 256;

/// Parsed rows waiting to be recorded; keys are copied into one string.
#[derive(Default)]
struct Batch {
    keys: String,
    /// Key end in `keys`, date, revenue, margin, line.
    rows: Vec<(usize, NaiveDate, Money, Option<Money>, u64)>,
    late: Vec<LateError>,
}

struct TxSink {
    ledger: Ledger,
    cols: TxCols,
    dates: DateCache,
    batch: Batch,
}

impl Sink for TxSink {
    fn row(&mut self, rec: &csv::ByteRecord, line: u64) -> std::result::Result<(), RowError> {
        let (key, date, revenue, margin) = self.cols.parse_sale(rec, &mut self.dates)?;
        let b = &mut self.batch;
        b.keys.push_str(key);
        b.rows.push((b.keys.len(), date, revenue, margin, line));
        if b.rows.len() == BATCH {
            self.flush();
        }
        Ok(())
    }

    fn flush(&mut self) {
        let b = &mut self.batch;
        if b.rows.is_empty() {
            return;
        }
        let mut start = 0;
        let sales: Vec<Sale<'_>> = b
            .rows
            .iter()
            .map(|&(end, date, revenue, margin, _)| {
                let key = &b.keys[start..end];
                start = end;
                Sale {
                    key,
                    date,
                    revenue,
                    margin,
                }
            })
            .collect();
        for (i, e) in self.ledger.record_sales(&sales) {
            let s = &sales[i];
            let record = vec![
                s.key.to_string(),
                s.date.to_string(),
                s.revenue.to_string(),
                s.margin.map(|m| m.to_string()).unwrap_or_default(),
            ];
            b.late
                .push((b.rows[i].4, model_error(self.cols.key_col(), e), record));
        }
        drop(sales);
        b.keys.clear();
        b.rows.clear();
    }

    fn late(&mut self) -> Option<&mut Vec<LateError>> {
        Some(&mut self.batch.late)
    }

    fn fresh(&self) -> Self {
        TxSink {
            ledger: Ledger::with_options(
                self.ledger.periods().iter().copied(),
                self.ledger.options(),
            ),
            cols: self.cols,
            dates: DateCache::default(),
            batch: Batch::default(),
        }
    }

    fn absorb(&mut self, later: Self) -> std::result::Result<(), Problem> {
        self.ledger.merge(&later.ledger).map_err(Problem::Model)
    }
}

/// Streams a transactions file into `ledger`.
///
/// Columns are found by header name: `customer_id`, `date` and `revenue`
/// are required; `margin` is read when present (an empty margin is
/// unknown). Those fields are validated; other columns
/// (`transaction_id`, `quantity`, `product`, ...) are not read, as the
/// ledger does not use them: [`transactions`](crate::transactions) reads
/// and validates them all. Large files are read on several threads (see
/// [`ImportOptions::threads`]) with exactly the result of a sequential
/// read; memory stays that of the ledger, whatever the file's size.
///
/// # Errors
///
/// [`Error::Io`], [`Error::Empty`], [`Error::MissingColumn`],
/// [`Error::DuplicateColumn`]; in strict mode the first bad row as
/// [`Error::Row`]. After a row error the ledger holds the rows before it
/// and should be dropped.
///
/// ```no_run
/// use crm_core::{Ledger, Period};
/// use crm_csv::{read_transactions, ImportOptions};
///
/// let year: Period = "2024".parse()?;
/// let mut ledger = Ledger::new([year]);
/// let report = read_transactions("transactions.csv", &ImportOptions::new(), &mut ledger)?;
/// println!("{} rows", report.rows);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_transactions(
    path: impl AsRef<Path>,
    options: &ImportOptions,
    ledger: &mut Ledger,
) -> Result<ImportReport> {
    let path = path.as_ref();
    let header = header_of(path, options)?;
    let cols = TxCols::resolve(path, &header, options)?;
    let mut sink = TxSink {
        ledger: std::mem::replace(ledger, Ledger::new([])),
        cols,
        dates: DateCache::default(),
        batch: Batch::default(),
    };
    let result = import(path, options, &header, &mut sink);
    *ledger = sink.ledger;
    result
}

struct CustomerSink {
    ledger: Ledger,
    cols: CustomerCols,
}

impl Sink for CustomerSink {
    fn row(&mut self, rec: &csv::ByteRecord, _line: u64) -> std::result::Result<(), RowError> {
        let c = self.cols.parse(rec)?;
        self.ledger
            .add_customer(&c)
            .map(drop)
            .map_err(|e| (None, Problem::Model(e)))
    }

    fn fresh(&self) -> Self {
        CustomerSink {
            ledger: Ledger::with_options(
                self.ledger.periods().iter().copied(),
                self.ledger.options(),
            ),
            cols: self.cols.clone(),
        }
    }

    fn absorb(&mut self, later: Self) -> std::result::Result<(), Problem> {
        self.ledger.merge(&later.ledger).map_err(Problem::Model)
    }
}

/// Streams a customers (register) file into `ledger`, recording each
/// party's register stage.
///
/// `customer_id` is required; `stage` (`suspect`, `prospect`,
/// `customer`; empty or absent is `suspect`), `name`, `segment`,
/// `region`, `acquired`, `potential`, `consent_email`, `consent_phone`,
/// `consent_post` are read and validated when present; other columns are
/// free attributes. Use [`customers`](crate::customers) to get the full
/// [`Customer`](crm_core::Customer) records.
///
/// # Errors
///
/// As [`read_transactions`].
pub fn read_customers(
    path: impl AsRef<Path>,
    options: &ImportOptions,
    ledger: &mut Ledger,
) -> Result<ImportReport> {
    let path = path.as_ref();
    let header = header_of(path, options)?;
    let cols = CustomerCols::resolve(path, &header, options)?;
    let mut sink = CustomerSink {
        ledger: std::mem::replace(ledger, Ledger::new([])),
        cols,
    };
    let result = import(path, options, &header, &mut sink);
    *ledger = sink.ledger;
    result
}

struct InteractionSink {
    ledger: Ledger,
    cols: InteractionCols,
    dates: DateCache,
}

impl Sink for InteractionSink {
    fn row(&mut self, rec: &csv::ByteRecord, _line: u64) -> std::result::Result<(), RowError> {
        let i = self.cols.parse(rec, &mut self.dates)?;
        self.ledger
            .add_interaction(&i)
            .map(drop)
            .map_err(|e| (None, Problem::Model(e)))
    }

    fn fresh(&self) -> Self {
        InteractionSink {
            ledger: Ledger::with_options(
                self.ledger.periods().iter().copied(),
                self.ledger.options(),
            ),
            cols: self.cols,
            dates: DateCache::default(),
        }
    }

    fn absorb(&mut self, later: Self) -> std::result::Result<(), Problem> {
        self.ledger.merge(&later.ledger).map_err(Problem::Model)
    }
}

/// Streams an interactions file into `ledger`.
///
/// `customer_id`, `date` and `kind` are required; `cost` and `note` are
/// read when present.
///
/// # Errors
///
/// As [`read_transactions`].
pub fn read_interactions(
    path: impl AsRef<Path>,
    options: &ImportOptions,
    ledger: &mut Ledger,
) -> Result<ImportReport> {
    let path = path.as_ref();
    let header = header_of(path, options)?;
    let cols = InteractionCols::resolve(path, &header, options)?;
    let mut sink = InteractionSink {
        ledger: std::mem::replace(ledger, Ledger::new([])),
        cols,
        dates: DateCache::default(),
    };
    let result = import(path, options, &header, &mut sink);
    *ledger = sink.ledger;
    result
}

/// Writes rejected rows to `path` as CSV: `file,line,column,field,problem`
/// followed by the row's own fields, with formula protection.
///
/// # Errors
///
/// [`Error::Io`] when the file cannot be written.
pub fn write_rejects(path: impl AsRef<Path>, rejects: &[Reject]) -> Result<()> {
    let path = path.as_ref();
    let mut w = crate::Writer::from_path(path)?;
    w.write_row(["file", "line", "column", "field", "problem", "record"])?;
    for r in rejects {
        let mut row = vec![
            r.location.file.display().to_string(),
            r.location.line.to_string(),
            r.location.column.map(|c| c.to_string()).unwrap_or_default(),
            r.location.field.clone().unwrap_or_default(),
            r.problem.to_string(),
        ];
        row.extend(r.record.iter().cloned());
        w.write_row(&row)?;
    }
    w.flush()
}
