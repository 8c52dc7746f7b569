use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use crm_core::{Customer, Interaction, Ledger, Money, NaiveDate, Sale};

use crate::fields::{CustomerCols, DateCache, InteractionCols, TxCols};
use crate::header::{Header, parse_header, read_prefix};
use crate::scan::{Fields, LateError, Refused, RowError, Scanned, Sink, scan_file, scan_stream};
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

/// Imports `path` through the sink `make` builds: a regular file is read
/// on several threads when large; anything else (a pipe, a FIFO, a
/// terminal, `/dev/stdin`) is opened once and read in one pass.
fn import_path<C, S: LedgerSink>(
    path: &Path,
    options: &ImportOptions,
    ledger: &mut Ledger,
    cols: impl FnOnce(&Path, &Header) -> Result<C>,
    make: impl FnOnce(Ledger, C) -> S,
) -> Result<ImportReport> {
    import_path_parts(path, options, ledger, cols, make).map(|(r, _)| r)
}

/// As [`import_path`], giving back what the sink gathered beside the
/// ledger.
fn import_path_parts<C, S: LedgerSink>(
    path: &Path,
    options: &ImportOptions,
    ledger: &mut Ledger,
    cols: impl FnOnce(&Path, &Header) -> Result<C>,
    make: impl FnOnce(Ledger, C) -> S,
) -> Result<(ImportReport, S::Rest)> {
    let io = |e| Error::io(path, e);
    let mut file = File::open(path).map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    if !meta.is_file() {
        return import_reader_parts(file, path, options, ledger, cols, make);
    }
    let prefix = read_prefix(&mut file).map_err(io)?;
    let header = parse_header(path, &prefix, options)?;
    let cols = cols(path, &header)?;
    drop(file);
    let mut sink = make(std::mem::replace(ledger, Ledger::new([])), cols);
    let scanned = scan_file(
        path,
        meta.len(),
        &header,
        options.mode,
        options.threads,
        &mut sink,
    );
    let (back, rest) = sink.into_parts();
    *ledger = back;
    Ok((report(path, &header, scanned?), rest))
}

/// Imports from `reader`, called `name` in errors, in one pass on this
/// thread.
fn import_reader<C, S: LedgerSink>(
    reader: impl Read,
    name: &Path,
    options: &ImportOptions,
    ledger: &mut Ledger,
    cols: impl FnOnce(&Path, &Header) -> Result<C>,
    make: impl FnOnce(Ledger, C) -> S,
) -> Result<ImportReport> {
    import_reader_parts(reader, name, options, ledger, cols, make).map(|(r, _)| r)
}

/// As [`import_reader`], giving back what the sink gathered beside the
/// ledger.
fn import_reader_parts<C, S: LedgerSink>(
    mut reader: impl Read,
    name: &Path,
    options: &ImportOptions,
    ledger: &mut Ledger,
    cols: impl FnOnce(&Path, &Header) -> Result<C>,
    make: impl FnOnce(Ledger, C) -> S,
) -> Result<(ImportReport, S::Rest)> {
    let prefix = read_prefix(&mut reader).map_err(|e| Error::io(name, e))?;
    let header = parse_header(name, &prefix, options)?;
    let cols = cols(name, &header)?;
    let rest = usize::try_from(header.data_start)
        .ok()
        .and_then(|start| prefix.get(start..))
        .unwrap_or_default()
        .to_vec();
    let mut sink = make(std::mem::replace(ledger, Ledger::new([])), cols);
    let scanned = scan_stream(reader, name, rest, &header, options.mode, &mut sink);
    let (back, gathered) = sink.into_parts();
    *ledger = back;
    Ok((report(name, &header, scanned?), gathered))
}

fn report(file: &Path, header: &Header, scanned: Scanned) -> ImportReport {
    ImportReport {
        file: file.to_path_buf(),
        rows: scanned.rows,
        imported: scanned.rows - scanned.rejects.len() as u64,
        rejects: scanned.rejects,
        delimiter: header.delimiter,
        threads: scanned.threads,
    }
}

/// A sink that records into a ledger, and perhaps gathers more beside it.
trait LedgerSink: Sink {
    /// What the sink gathers beside the ledger.
    type Rest;
    fn into_parts(self) -> (Ledger, Self::Rest);
}

/// What a read gathers beside the ledger from the records it takes: the
/// potentials of a register, the cost of the interactions per customer.
///
/// A large regular file is read in parts on several threads (see
/// [`ImportOptions::threads`]), each part with its own gatherer made by
/// [`Gather::fresh`]; the parts are then combined in file order with
/// [`Gather::absorb`], so that the result is that of one sequential read
/// when `absorb` adds what a later part gathered as `take` would have.
///
/// ```
/// use crm_core::{Interaction, Ledger, Period};
/// use crm_csv::{Gather, ImportOptions, read_interactions_gathering};
///
/// /// Counts the interactions.
/// #[derive(Default)]
/// struct Count(u64);
///
/// impl Gather<Interaction> for Count {
///     fn take(&mut self, _: &Interaction) -> Result<(), crm_core::Error> {
///         self.0 += 1;
///         Ok(())
///     }
///     fn fresh(&self) -> Count {
///         Count(0)
///     }
///     fn absorb(&mut self, later: Count) -> Result<(), crm_core::Error> {
///         self.0 += later.0;
///         Ok(())
///     }
/// }
///
/// let dir = std::env::temp_dir().join(format!("crm-gather-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir)?;
/// let path = dir.join("interactions.csv");
/// std::fs::write(&path, "customer_id,date,kind\nC1,2024-03-01,visit\nC2,2024-03-02,call\n")?;
/// let mut ledger = Ledger::new(["2024".parse::<Period>()?]);
/// let (report, count) =
///     read_interactions_gathering(&path, &ImportOptions::new(), &mut ledger, Count(0))?;
/// assert_eq!((report.imported, count.0), (2, 2));
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait Gather<T>: Send + Sized {
    /// Takes one record, before the ledger records it.
    ///
    /// # Errors
    ///
    /// What the gatherer refuses (an overflowing sum, say): the row is
    /// then a bad row, reported with its file and line, and the ledger
    /// does not record it.
    fn take(&mut self, record: &T) -> std::result::Result<(), crm_core::Error>;
    /// A new, empty gatherer like this one, for another part of the file.
    fn fresh(&self) -> Self;
    /// Adds what `later` gathered from the part of the file right after
    /// this one's.
    ///
    /// # Errors
    ///
    /// As [`Gather::take`].
    fn absorb(&mut self, later: Self) -> std::result::Result<(), crm_core::Error>;
    /// Whether [`Gather::absorb`] of `later` would succeed, changing
    /// nothing. A reader asks before it merges the later part's ledger:
    /// on an error it reads that part again row by row into this one,
    /// so that the row at fault is named with its line (a gatherer
    /// whose `absorb` cannot fail need not implement it; one whose
    /// `absorb` can should, else such an error names no line).
    ///
    /// # Errors
    ///
    /// As [`Gather::absorb`].
    fn check_absorb(&self, later: &Self) -> std::result::Result<(), crm_core::Error> {
        let _ = later;
        Ok(())
    }
}

/// Gathers nothing.
impl<T> Gather<T> for () {
    fn take(&mut self, _: &T) -> std::result::Result<(), crm_core::Error> {
        Ok(())
    }
    fn fresh(&self) {}
    fn absorb(&mut self, _: ()) -> std::result::Result<(), crm_core::Error> {
        Ok(())
    }
}

pub(crate) fn model_error(key_col: usize, e: crm_core::Error) -> RowError {
    let col = matches!(e, crm_core::Error::InvalidKey { .. }).then_some(key_col);
    (col, Problem::Model(e))
}

/// An empty ledger like `l` (same periods and options), for another range.
pub(crate) fn like(l: &Ledger) -> Ledger {
    Ledger::with_options(l.periods().iter().copied(), l.options())
}

/// Rows per batch handed to [`Ledger::record_sales`].
const BATCH: usize = 256;

/// Transactions: parsed rows are batched, then recorded together.
struct TxSink {
    ledger: Ledger,
    cols: TxCols,
    dates: DateCache,
    batch: KeyBatch,
    late: Vec<LateError>,
}

/// Sales waiting to be recorded, their keys as bytes in one buffer: each
/// key was checked to be valid UTF-8 when it was parsed, mostly by a
/// one-pass test for plain ASCII, and the buffer is turned into text once
/// per batch (where the check of long ASCII runs a word at a time)
/// instead of once per row.
#[derive(Default)]
struct KeyBatch {
    keys: Vec<u8>,
    /// Key end in `keys`, date, revenue, margin, line.
    rows: Vec<(usize, NaiveDate, Money, Option<Money>, u64)>,
}

impl TxSink {
    fn new(ledger: Ledger, cols: TxCols) -> TxSink {
        TxSink {
            ledger,
            cols,
            dates: DateCache::default(),
            batch: KeyBatch::default(),
            late: Vec::new(),
        }
    }
}

impl Sink for TxSink {
    fn row<F: Fields>(&mut self, rec: &F, line: u64) -> std::result::Result<(), RowError> {
        let (key, date, revenue, margin) = self.cols.parse_sale_bytes(rec, &mut self.dates)?;
        let batch = &mut self.batch;
        batch.keys.extend_from_slice(key);
        batch
            .rows
            .push((batch.keys.len(), date, revenue, margin, line));
        if batch.rows.len() == BATCH {
            self.flush();
        }
        Ok(())
    }

    fn flush(&mut self) {
        let TxSink {
            ledger,
            cols,
            batch,
            late,
            ..
        } = self;
        if batch.rows.is_empty() {
            return;
        }
        // Each key is valid UTF-8, so their concatenation is, and each
        // key's ends are character boundaries of it.
        let text = std::str::from_utf8(&batch.keys).unwrap_or("");
        let mut sales = Vec::with_capacity(batch.rows.len());
        let mut lines = Vec::with_capacity(batch.rows.len());
        let mut start = 0;
        for &(end, date, revenue, margin, line) in &batch.rows {
            match text.get(start..end) {
                Some(key) => {
                    sales.push(Sale {
                        key,
                        date,
                        revenue,
                        margin,
                    });
                    lines.push(line);
                }
                // Not reached (see above); refused rather than trusted.
                None => late.push((
                    line,
                    (Some(cols.key_col()), Problem::Utf8),
                    vec![
                        String::from_utf8_lossy(batch.keys.get(start..end).unwrap_or_default())
                            .into_owned(),
                    ],
                )),
            }
            start = end;
        }
        for (i, e) in ledger.record_sales(&sales) {
            let s = sales[i];
            let record = vec![
                s.key.to_string(),
                s.date.to_string(),
                s.revenue.to_string(),
                s.margin.map(|m| m.to_string()).unwrap_or_default(),
            ];
            late.push((lines[i], model_error(cols.key_col(), e), record));
        }
        drop(sales);
        batch.keys.clear();
        batch.rows.clear();
    }

    fn late(&mut self) -> Option<&mut Vec<LateError>> {
        Some(&mut self.late)
    }

    fn fresh(&self) -> Self {
        TxSink::new(like(&self.ledger), self.cols)
    }

    fn absorb(&mut self, later: Self) -> std::result::Result<(), Refused> {
        self.ledger.merge_from(later.ledger).map_err(Refused::merge)
    }
}

impl LedgerSink for TxSink {
    type Rest = ();
    fn into_parts(self) -> (Ledger, ()) {
        (self.ledger, ())
    }
}

/// Streams a transactions file into `ledger`.
///
/// Columns are found by header name: `customer_id`, `date` and `revenue`
/// are required; `margin` is read when present (an empty margin is
/// unknown). Those fields are validated; other columns
/// (`transaction_id`, `quantity`, `product`, ...) are not read, as the
/// ledger does not use them: [`transactions`](crate::transactions) reads
/// and validates them all. Large regular files are read on several threads
/// (see [`ImportOptions::threads`]) with exactly the result of a sequential
/// read; a path that is not a regular file (a FIFO, `/dev/stdin`, a
/// process substitution's `/dev/fd/N`) is opened once and read in one pass
/// on this thread. Memory stays that of the ledger, whatever the input's
/// size.
///
/// # Errors
///
/// [`Error::Io`], [`Error::Empty`], [`Error::MissingColumn`],
/// [`Error::DuplicateColumn`]; in strict mode the first bad row as
/// [`Error::Row`]. After an error the ledger holds what it held before plus
/// some of the file's rows (those before the error, and perhaps others that
/// a parallel read had taken): drop it, or read the file again.
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
    let len = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if !options.partitioned || !len.is_file() || len.len() < 2 * crate::scan::MIN_CHUNK {
        return import_path(
            path,
            options,
            ledger,
            |p, h| TxCols::resolve(p, h, options),
            TxSink::new,
        );
    }
    let threads = crate::scan::threads_for(options.threads, len.len());
    read_transactions_partitioned(path, options, ledger, crate::partitioned::PIECE, threads)
}

/// [`read_transactions`] of a regular file by key partitions (see
/// [`crate::partitioned`]), in pieces of `piece` bytes on `threads`
/// threads.
pub(crate) fn read_transactions_partitioned(
    path: &Path,
    options: &ImportOptions,
    ledger: &mut Ledger,
    piece: u64,
    threads: usize,
) -> Result<ImportReport> {
    if ledger.stats().transactions > 0 {
        // Sums the partitions do not see could overflow only when merged,
        // where no row can be blamed: the sequential read blames the row.
        return import_path(
            path,
            &options.clone().threads(threads),
            ledger,
            |p, h| TxCols::resolve(p, h, options),
            TxSink::new,
        );
    }
    let io = |e| Error::io(path, e);
    let mut file = File::open(path).map_err(io)?;
    let len = file.metadata().map_err(io)?.len();
    let prefix = read_prefix(&mut file).map_err(io)?;
    let header = parse_header(path, &prefix, options)?;
    let cols = TxCols::resolve(path, &header, options)?;
    drop(file);
    let done = crate::partitioned::read_partitioned(
        path,
        len,
        &header,
        options.mode,
        threads,
        cols,
        ledger,
        piece,
    )?;
    let mut scanned = done.scanned;
    if let Some((at, line)) = done.rest {
        // A cut fell inside a quoted field: the rest of the file, from the
        // true record start, is read as a file of its own would be.
        let rest_header = Header {
            data_start: at,
            data_line: line,
            ..header.clone()
        };
        let mut sink = TxSink::new(std::mem::replace(ledger, Ledger::new([])), cols);
        let more = scan_file(
            path,
            len,
            &rest_header,
            options.mode,
            options.threads,
            &mut sink,
        );
        *ledger = sink.ledger;
        let more = more?;
        scanned.rows += more.rows;
        scanned.rejects.extend(more.rejects);
    }
    Ok(report(path, &header, scanned))
}

/// Reads transactions from `reader`, called `name` in errors (`-` for
/// standard input, say), into `ledger`: as [`read_transactions`], in one
/// pass on this thread, for inputs that can be read only once.
///
/// # Errors
///
/// As [`read_transactions`].
///
/// ```
/// use crm_core::{Ledger, Period};
/// use crm_csv::{read_transactions_from, ImportOptions};
///
/// let data = "customer_id,date,revenue\r\nC1,2024-03-01,12.50\r\n";
/// let mut ledger = Ledger::new(["2024".parse::<Period>()?]);
/// let report = read_transactions_from(data.as_bytes(), "-", &ImportOptions::new(), &mut ledger)?;
/// assert_eq!((report.imported, report.threads), (1, 1));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_transactions_from(
    reader: impl Read,
    name: impl AsRef<Path>,
    options: &ImportOptions,
    ledger: &mut Ledger,
) -> Result<ImportReport> {
    import_reader(
        reader,
        name.as_ref(),
        options,
        ledger,
        |p, h| TxCols::resolve(p, h, options),
        TxSink::new,
    )
}

/// Register entries and interactions: each row is parsed and recorded at
/// once by `take`, which hands the record (of type `R`) to the gatherer
/// too.
struct RowSink<C, R, G> {
    ledger: Ledger,
    cols: C,
    dates: DateCache,
    gather: G,
    take: RowTake<C, G>,
    record: std::marker::PhantomData<fn(&R)>,
}

/// Parses one row with the columns, records it into the ledger and hands
/// it to the gatherer.
type RowTake<C, G> =
    fn(&C, &mut Ledger, &mut G, &dyn Fields, &mut DateCache) -> std::result::Result<(), RowError>;

impl<C, R, G> RowSink<C, R, G> {
    fn new(ledger: Ledger, cols: C, gather: G, take: RowTake<C, G>) -> RowSink<C, R, G> {
        RowSink {
            ledger,
            cols,
            dates: DateCache::default(),
            gather,
            take,
            record: std::marker::PhantomData,
        }
    }
}

/// A gatherer's refusal as a row's problem.
fn refused(e: crm_core::Error) -> RowError {
    (None, Problem::Model(e))
}

impl<C: Clone + Send, R, G: Gather<R>> Sink for RowSink<C, R, G> {
    fn row<F: Fields>(&mut self, rec: &F, _line: u64) -> std::result::Result<(), RowError> {
        (self.take)(
            &self.cols,
            &mut self.ledger,
            &mut self.gather,
            rec,
            &mut self.dates,
        )
    }

    fn fresh(&self) -> Self {
        RowSink::new(
            like(&self.ledger),
            self.cols.clone(),
            self.gather.fresh(),
            self.take,
        )
    }

    fn absorb(&mut self, later: Self) -> std::result::Result<(), Refused> {
        // Checked first, so that a refusal leaves both as they were and
        // the later part is read again row by row, naming the row.
        self.gather
            .check_absorb(&later.gather)
            .map_err(|e| Refused {
                problem: Problem::Model(e),
                intact: true,
            })?;
        self.ledger.merge(&later.ledger).map_err(Refused::merge)?;
        // The ledger is merged by now: not intact.
        self.gather.absorb(later.gather).map_err(|e| Refused {
            problem: Problem::Model(e),
            intact: false,
        })
    }
}

impl<C: Clone + Send, R, G: Gather<R>> LedgerSink for RowSink<C, R, G> {
    type Rest = G;
    fn into_parts(self) -> (Ledger, G) {
        (self.ledger, self.gather)
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
    import_path(
        path.as_ref(),
        options,
        ledger,
        |p, h| CustomerCols::resolve(p, h, options),
        |l, c| customer_sink(l, c, ()),
    )
}

/// Reads a customers (register) file from `reader`, called `name` in
/// errors, into `ledger`: as [`read_customers`], in one pass on this
/// thread.
///
/// # Errors
///
/// As [`read_transactions`].
pub fn read_customers_from(
    reader: impl Read,
    name: impl AsRef<Path>,
    options: &ImportOptions,
    ledger: &mut Ledger,
) -> Result<ImportReport> {
    import_reader(
        reader,
        name.as_ref(),
        options,
        ledger,
        |p, h| CustomerCols::resolve(p, h, options),
        |l, c| customer_sink(l, c, ()),
    )
}

/// Streams a customers (register) file into `ledger` as
/// [`read_customers`] does (on several threads when it is a large regular
/// file), handing every register entry taken to `gather` too; returns the
/// import report and what was gathered.
///
/// # Errors
///
/// As [`read_transactions`]; a record `gather` refuses is a bad row.
pub fn read_customers_gathering<G: Gather<Customer>>(
    path: impl AsRef<Path>,
    options: &ImportOptions,
    ledger: &mut Ledger,
    gather: G,
) -> Result<(ImportReport, G)> {
    import_path_parts(
        path.as_ref(),
        options,
        ledger,
        |p, h| CustomerCols::resolve(p, h, options),
        |l, c| customer_sink(l, c, gather),
    )
}

/// Reads a customers (register) file from `reader`, called `name` in
/// errors, as [`read_customers_gathering`] does, in one pass on this
/// thread.
///
/// # Errors
///
/// As [`read_customers_gathering`].
pub fn read_customers_from_gathering<G: Gather<Customer>>(
    reader: impl Read,
    name: impl AsRef<Path>,
    options: &ImportOptions,
    ledger: &mut Ledger,
    gather: G,
) -> Result<(ImportReport, G)> {
    import_reader_parts(
        reader,
        name.as_ref(),
        options,
        ledger,
        |p, h| CustomerCols::resolve(p, h, options),
        |l, c| customer_sink(l, c, gather),
    )
}

fn customer_sink<G: Gather<Customer>>(
    ledger: Ledger,
    cols: CustomerCols,
    gather: G,
) -> RowSink<CustomerCols, Customer, G> {
    RowSink::new(ledger, cols, gather, |cols, ledger, gather, rec, _| {
        let c = cols.parse(rec)?;
        gather.take(&c).map_err(refused)?;
        ledger
            .add_customer(&c)
            .map(drop)
            .map_err(|e| (None, Problem::Model(e)))
    })
}

/// Streams an interactions file into `ledger`.
///
/// `customer_id`, `date` and `kind` are required; `cost`, `note`,
/// `interaction_id` and `campaign` (the campaign of a `campaign-sent` or
/// `campaign-response`) are read when present. Every row is a contact: two
/// identical rows are two contacts (a store tells interactions apart by
/// `interaction_id` only).
///
/// # Errors
///
/// As [`read_transactions`].
pub fn read_interactions(
    path: impl AsRef<Path>,
    options: &ImportOptions,
    ledger: &mut Ledger,
) -> Result<ImportReport> {
    import_path(
        path.as_ref(),
        options,
        ledger,
        |p, h| InteractionCols::resolve(p, h, options),
        |l, c| interaction_sink(l, c, ()),
    )
}

/// Reads an interactions file from `reader`, called `name` in errors,
/// into `ledger`: as [`read_interactions`], in one pass on this thread.
///
/// # Errors
///
/// As [`read_transactions`].
pub fn read_interactions_from(
    reader: impl Read,
    name: impl AsRef<Path>,
    options: &ImportOptions,
    ledger: &mut Ledger,
) -> Result<ImportReport> {
    import_reader(
        reader,
        name.as_ref(),
        options,
        ledger,
        |p, h| InteractionCols::resolve(p, h, options),
        |l, c| interaction_sink(l, c, ()),
    )
}

/// Streams an interactions file into `ledger` as [`read_interactions`]
/// does (on several threads when it is a large regular file), handing
/// every interaction taken to `gather` too; returns the import report and
/// what was gathered.
///
/// # Errors
///
/// As [`read_transactions`]; a record `gather` refuses is a bad row.
pub fn read_interactions_gathering<G: Gather<Interaction>>(
    path: impl AsRef<Path>,
    options: &ImportOptions,
    ledger: &mut Ledger,
    gather: G,
) -> Result<(ImportReport, G)> {
    import_path_parts(
        path.as_ref(),
        options,
        ledger,
        |p, h| InteractionCols::resolve(p, h, options),
        |l, c| interaction_sink(l, c, gather),
    )
}

/// Reads an interactions file from `reader`, called `name` in errors, as
/// [`read_interactions_gathering`] does, in one pass on this thread.
///
/// # Errors
///
/// As [`read_interactions_gathering`].
pub fn read_interactions_from_gathering<G: Gather<Interaction>>(
    reader: impl Read,
    name: impl AsRef<Path>,
    options: &ImportOptions,
    ledger: &mut Ledger,
    gather: G,
) -> Result<(ImportReport, G)> {
    import_reader_parts(
        reader,
        name.as_ref(),
        options,
        ledger,
        |p, h| InteractionCols::resolve(p, h, options),
        |l, c| interaction_sink(l, c, gather),
    )
}

fn interaction_sink<G: Gather<Interaction>>(
    ledger: Ledger,
    cols: InteractionCols,
    gather: G,
) -> RowSink<InteractionCols, Interaction, G> {
    RowSink::new(ledger, cols, gather, |cols, ledger, gather, rec, dates| {
        let i = cols.parse(rec, dates)?;
        gather.take(&i).map_err(refused)?;
        ledger
            .add_interaction(&i)
            .map(drop)
            .map_err(|e| (None, Problem::Model(e)))
    })
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
