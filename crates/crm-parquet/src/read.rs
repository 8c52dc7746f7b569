//! Reading transactions from Parquet files into a ledger.

use std::fs::File;
use std::path::{Path, PathBuf};

use arrow_array::{Array, RecordBatch};
use arrow_schema::Schema;
use crm_core::{Ledger, Money, NaiveDate, SaleBatch};
use crm_csv::{DecimalSeparator, ImportOptions, ImportReport, Location, Mode, Problem, Reject};
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder,
};

use crate::columns::{Col, Role, accepts};
use crate::runs::Fast;
use crate::{BadRow, Error, Position, Result};

/// How to read Parquet files.
///
/// ```
/// use crm_parquet::ReadOptions;
/// use crm_csv::Mode;
///
/// let options = ReadOptions::new()
///     .column("customer_id", "klant")?
///     .mode(Mode::Lenient)
///     .float_money(false);
/// assert_eq!(options.mode, Mode::Lenient);
/// # Ok::<(), crm_parquet::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReadOptions {
    /// Strict (default): stop at the first bad row; lenient: skip bad rows,
    /// each reported in the [`ImportReport`].
    pub mode: Mode,
    /// Column names for fields whose column is not named canonically, as
    /// `(field, column)` pairs.
    pub columns: Vec<(String, String)>,
    /// Threads reading row groups at once; `0` (default) uses every
    /// available core.
    pub threads: usize,
    /// The decimal separator of amounts held as strings (the point by
    /// default; [`DecimalSeparator::Auto`] is the point).
    pub decimal: DecimalSeparator,
    /// Whether money may be read from float columns (`FLOAT`, `DOUBLE`),
    /// each value taken as the decimal its shortest text shows. Off by
    /// default: such a column is then an error.
    pub float_money: bool,
    /// Rows per record batch decoded at once (default 8192).
    pub batch_rows: usize,
    /// Whether consecutive rows of one customer (a file sorted or
    /// clustered by customer, as `crm convert` writes it) are added up
    /// before they reach the ledger, one update per customer instead of
    /// one per row (default on). The result is the same either way, to
    /// the last digit; off, every row goes to the ledger on its own.
    pub runs: bool,
}

impl Default for ReadOptions {
    fn default() -> ReadOptions {
        ReadOptions {
            mode: Mode::Strict,
            columns: Vec::new(),
            threads: 0,
            decimal: DecimalSeparator::Point,
            float_money: false,
            batch_rows: 8192,
            runs: true,
        }
    }
}

/// The fields of a transactions file this reader reads.
const FIELDS: [&str; 4] = ["customer_id", "date", "revenue", "margin"];

impl ReadOptions {
    /// The defaults: strict, canonical column names, every core, the
    /// decimal point, no float money.
    pub fn new() -> ReadOptions {
        ReadOptions::default()
    }

    /// The options of a CSV import that apply to Parquet: mode, column
    /// mappings, threads and decimal separator (for amounts held as
    /// strings).
    pub fn from_import(import: &ImportOptions) -> ReadOptions {
        ReadOptions {
            mode: import.mode,
            columns: import.columns.clone(),
            threads: import.threads,
            decimal: import.decimal,
            ..ReadOptions::default()
        }
    }

    /// Sets the mode.
    #[must_use]
    pub fn mode(mut self, mode: Mode) -> ReadOptions {
        self.mode = mode;
        self
    }

    /// Sets the number of threads (`0` for all cores).
    #[must_use]
    pub fn threads(mut self, threads: usize) -> ReadOptions {
        self.threads = threads;
        self
    }

    /// Accepts (or not) money in float columns.
    #[must_use]
    pub fn float_money(mut self, yes: bool) -> ReadOptions {
        self.float_money = yes;
        self
    }

    /// Adds up (or not) consecutive rows of one customer before they reach
    /// the ledger; see [`ReadOptions::runs`](ReadOptions#structfield.runs).
    #[must_use]
    pub fn runs(mut self, yes: bool) -> ReadOptions {
        self.runs = yes;
        self
    }

    /// Sets the decimal separator of amounts held as strings.
    #[must_use]
    pub fn decimal(mut self, decimal: DecimalSeparator) -> ReadOptions {
        self.decimal = decimal;
        self
    }

    /// Reads `field` (`customer_id`, `date`, `revenue` or `margin`) from the
    /// column named `column` (matched ignoring case and surrounding
    /// spaces).
    ///
    /// # Errors
    ///
    /// [`Error::Option`] for another field.
    pub fn column(mut self, field: &str, column: &str) -> Result<ReadOptions> {
        if !FIELDS.contains(&field) {
            return Err(Error::Option(format!(
                "unknown field {field:?} in a column mapping; a transactions file has {}",
                FIELDS.join(", ")
            )));
        }
        self.columns.retain(|(f, _)| f != field);
        self.columns
            .push((field.to_string(), column.trim().to_string()));
        Ok(self)
    }

    fn name_for<'a>(&'a self, field: &'a str) -> &'a str {
        self.columns
            .iter()
            .find(|(f, _)| f == field)
            .map_or(field, |(_, c)| c.as_str())
    }
}

/// Whether `path` is read as Parquet: a file named `*.parquet` (any case)
/// or a folder.
pub fn is_parquet(path: &Path) -> bool {
    path.is_dir()
        || path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("parquet"))
}

/// The Parquet files `path` stands for: the file itself, or every
/// `*.parquet` file in the folder and its subfolders (as a partitioned
/// data set lays them out), sorted by path so that the order, and with it
/// every result, is the same on every run and machine. Names starting with
/// `.` or `_` (hidden files, `_SUCCESS`, `_metadata`, temporary folders)
/// are left out. Each file is read once however many names lead to it: a
/// link to a folder already walked (a loop, or a second name for a
/// partition) adds nothing, so no row is counted twice.
///
/// # Errors
///
/// [`Error::Io`] when the folder cannot be listed, [`Error::NoFiles`] when
/// it holds no Parquet file.
pub fn files(path: &Path) -> Result<Vec<PathBuf>> {
    if !path.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let real = |p: &Path| std::fs::canonicalize(p).map_err(|e| Error::io(p, e));
    let mut out = Vec::new();
    let mut seen_dirs = std::collections::HashSet::new();
    let mut seen_files = std::collections::HashSet::new();
    seen_dirs.insert(real(path)?);
    let mut todo = vec![path.to_path_buf()];
    while let Some(dir) = todo.pop() {
        let mut entries = Vec::new();
        for entry in std::fs::read_dir(&dir).map_err(|e| Error::io(&dir, e))? {
            let entry = entry.map_err(|e| Error::io(&dir, e))?;
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with('.') || name.starts_with('_') {
                continue;
            }
            entries.push(entry.path());
        }
        // Walked in name order (the deepest last name first off the
        // stack), so that which name a linked file is read under is the
        // same on every run.
        entries.sort();
        for p in entries.into_iter().rev() {
            if p.is_dir() {
                if seen_dirs.insert(real(&p)?) {
                    todo.push(p);
                }
            } else if p
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("parquet"))
            {
                // A dangling link is listed as it is: reading it names it.
                let id = std::fs::canonicalize(&p).unwrap_or_else(|_| p.clone());
                if seen_files.insert(id) {
                    out.push(p);
                }
            }
        }
    }
    if out.is_empty() {
        return Err(Error::NoFiles {
            folder: path.to_path_buf(),
        });
    }
    out.sort();
    Ok(out)
}

/// One file, opened and checked: its metadata and where each field is.
struct Plan {
    file: PathBuf,
    meta: ArrowReaderMetadata,
    /// The checksums of the column chunks, by row group, when the file
    /// carries them.
    sums: Option<Vec<Vec<u32>>>,
    /// The leaf columns read (those under the roots of `index`).
    leaves: Vec<usize>,
    /// Root column index in the file of key, date, revenue, margin.
    index: [Option<usize>; 4],
    /// Their names in the file.
    names: [String; 4],
    /// Position of each field's column in a projected batch.
    pos: [Option<usize>; 4],
    mask: ProjectionMask,
}

fn plan(file: &Path, options: &ReadOptions) -> Result<Plan> {
    let f = File::open(file).map_err(|e| Error::io(file, e))?;
    let meta = ArrowReaderMetadata::load(&f, ArrowReaderOptions::new())
        .map_err(|e| Error::format(file, e))?;
    let sums = crate::checksum::of(file, meta.metadata())?;
    let schema: &Schema = meta.schema();
    let mut index = [None; 4];
    let mut names: [String; 4] = Default::default();
    for (k, field) in FIELDS.iter().enumerate() {
        let want = options.name_for(field);
        let mut found = schema
            .fields()
            .iter()
            .enumerate()
            .filter(|(_, f)| f.name().trim().eq_ignore_ascii_case(want));
        let Some((i, f)) = found.next() else {
            if k == 3 {
                continue;
            }
            let mut list = schema
                .fields()
                .iter()
                .map(|f| f.name().as_str())
                .collect::<Vec<_>>()
                .join(",");
            if list.len() > 200 {
                let cut = (0..=200)
                    .rev()
                    .find(|&i| list.is_char_boundary(i))
                    .unwrap_or(0);
                list.truncate(cut);
                list.push_str("...");
            }
            return Err(Error::MissingColumn {
                file: file.to_path_buf(),
                column: want.to_string(),
                found: list,
            });
        };
        if found.next().is_some() {
            return Err(Error::DuplicateColumn {
                file: file.to_path_buf(),
                column: want.to_string(),
            });
        }
        let role = match k {
            0 => Role::Key,
            1 => Role::Date,
            _ => Role::Money,
        };
        accepts(role, f.data_type(), options.float_money).map_err(|expected| {
            Error::ColumnType {
                file: file.to_path_buf(),
                column: f.name().clone(),
                found: f.data_type().to_string(),
                expected,
            }
        })?;
        index[k] = Some(i);
        names[k] = f.name().clone();
    }
    let mut sorted: Vec<usize> = index.iter().flatten().copied().collect();
    sorted.sort_unstable();
    sorted.dedup();
    let pos = index.map(|i| i.and_then(|i| sorted.iter().position(|&s| s == i)));
    let mask = ProjectionMask::roots(meta.parquet_schema(), sorted.iter().copied());
    let descr = meta.parquet_schema();
    let leaves = (0..descr.num_columns())
        .filter(|&l| sorted.contains(&descr.get_column_root_idx(l)))
        .collect();
    Ok(Plan {
        file: file.to_path_buf(),
        sums,
        leaves,
        meta,
        index,
        names,
        pos,
        mask,
    })
}

/// One row group of one file.
#[derive(Debug, Clone, Copy)]
struct Unit {
    plan: usize,
    group: usize,
    rows: u64,
    /// Rows of the file before this group.
    before: u64,
}

/// What one worker read.
struct Done {
    rows: u64,
    rejects: Vec<Reject>,
}

/// Streams the transactions of a Parquet file, or of every Parquet file
/// in a folder (see [`files`] for which and in what order), into `ledger`.
///
/// Columns are found by name as the CSV reader finds them (ignoring case
/// and surrounding spaces, or as [`ReadOptions::column`] maps them):
/// `customer_id`, `date` and `revenue` are required, `margin` is read when
/// present; other columns are not read from disk at all. The ledger gets
/// exactly what the CSV reader would give it for the same rows. Types:
///
/// - `customer_id`: strings (plain, large, view or dictionary-encoded),
///   trimmed and checked as in CSV, or integers (written in decimal).
/// - `date`: `DATE`; `TIMESTAMP` of any unit: without time zone (a local
///   time) its date as written, with a fixed one (UTC, `+02:00`) its date
///   in that zone, so an instant stored in UTC is dated in UTC; a named
///   zone (`Europe/Amsterdam`) is refused, as its offset changes over the
///   year. Strings are parsed as in CSV.
/// - `revenue`, `margin`: `DECIMAL(p, s)` of any physical type (int32,
///   int64, fixed-length byte array) converted exactly to
///   [`Decimal`](crm_core::Decimal), never through a float; a value that
///   does not fit without rounding is an error at its row. Integers are
///   exact amounts; strings are parsed as in CSV. Floats only with
///   [`ReadOptions::float_money`].
///
/// A null `customer_id`, `date` or `revenue` is a missing value, like an
/// empty CSV field; a null `margin` is unknown. Row groups are read on
/// several threads ([`ReadOptions::threads`]) with exactly the result of a
/// sequential read. Consecutive rows of one customer (a file sorted by
/// customer) are added up before they reach the ledger, one update per
/// customer, with exactly the result of recording them one by one (see
/// [`ReadOptions::runs`](ReadOptions#structfield.runs)).
///
/// The [`ImportReport`]'s rejects locate rows by file and row: the `line`
/// of their [`Location`] is the 1-based row within the file (in files of
/// one row group per file a line of CSV and a row are the same thing).
///
/// # Errors
///
/// [`Error::Io`], [`Error::Format`] (not Parquet, damaged),
/// [`Error::NoFiles`], [`Error::MissingColumn`], [`Error::DuplicateColumn`],
/// [`Error::ColumnType`]; in strict mode the first bad row as
/// [`Error::Row`], naming file, row group, row and column. After an error
/// drop the ledger, as after a failed CSV import.
pub fn read_transactions(
    path: impl AsRef<Path>,
    options: &ReadOptions,
    ledger: &mut Ledger,
) -> Result<ImportReport> {
    let path = path.as_ref();
    let files = files(path)?;
    let plans = files
        .iter()
        .map(|f| plan(f, options))
        .collect::<Result<Vec<_>>>()?;
    let mut units = Vec::new();
    for (p, plan) in plans.iter().enumerate() {
        let mut before = 0;
        for (group, rg) in plan.meta.metadata().row_groups().iter().enumerate() {
            let rows = u64::try_from(rg.num_rows()).unwrap_or(0);
            units.push(Unit {
                plan: p,
                group,
                rows,
                before,
            });
            before += rows;
        }
    }
    let threads = match options.threads {
        0 => std::thread::available_parallelism().map_or(1, usize::from),
        n => n,
    }
    .clamp(1, units.len().max(1));
    let chunks = split(&units, threads);
    let mut report = ImportReport::empty(path);
    report.threads = chunks.len().max(1);
    let mut done = Vec::with_capacity(chunks.len());
    if chunks.len() <= 1 {
        done.push(read_units(&plans, &units, options, ledger));
    } else {
        let like = || Ledger::with_options(ledger.periods().iter().copied(), ledger.options());
        let mut ledgers: Vec<Ledger> = (1..chunks.len()).map(|_| like()).collect();
        let first = std::mem::replace(ledger, like());
        let mut results = Vec::new();
        let mut first = first;
        std::thread::scope(|s| {
            let handles: Vec<_> = chunks[1..]
                .iter()
                .zip(ledgers.iter_mut())
                .map(|(c, l)| {
                    let plans = &plans;
                    s.spawn(move || read_units(plans, c, options, l))
                })
                .collect();
            results.push(read_units(&plans, chunks[0], options, &mut first));
            for h in handles {
                results.push(
                    h.join()
                        .unwrap_or_else(|_| Err(Error::Option("a reading thread stopped".into()))),
                );
            }
        });
        *ledger = first;
        for (r, l) in results
            .into_iter()
            .zip(std::iter::once(None).chain(ledgers.iter().map(Some)))
        {
            if r.is_ok()
                && let Some(l) = l
            {
                ledger.merge(l).map_err(|e| Error::Model {
                    file: path.to_path_buf(),
                    source: e,
                })?;
            }
            done.push(r);
        }
    }
    for d in done {
        let d = d?;
        report.rows += d.rows;
        report.rejects.extend(d.rejects);
    }
    report.imported = report.rows - report.rejects.len() as u64;
    Ok(report)
}

/// `units` cut into at most `n` contiguous runs of about equal rows.
fn split(units: &[Unit], n: usize) -> Vec<&[Unit]> {
    let total: u64 = units.iter().map(|u| u.rows).sum();
    let target = total.div_ceil(n as u64).max(1);
    let mut out = Vec::new();
    let (mut start, mut acc) = (0, 0);
    for (i, u) in units.iter().enumerate() {
        acc += u.rows;
        if acc >= target && out.len() + 1 < n {
            out.push(&units[start..=i]);
            start = i + 1;
            acc = 0;
        }
    }
    if start < units.len() {
        out.push(&units[start..]);
    }
    out
}

/// Rows per batch handed to the ledger, as in the CSV reader.
const BATCH: usize = 256;

/// Reads a contiguous run of row groups into `ledger`.
fn read_units(
    plans: &[Plan],
    units: &[Unit],
    options: &ReadOptions,
    ledger: &mut Ledger,
) -> Result<Done> {
    let mut w = Worker {
        options,
        batch: SaleBatch::new(),
        at: Vec::new(),
        rejects: Vec::new(),
        rows: 0,
        key: String::new(),
        runs: crate::runs::Runs::new(ledger),
    };
    let mut start = 0;
    while start < units.len() {
        let p = units[start].plan;
        let end = units[start..]
            .iter()
            .position(|u| u.plan != p)
            .map_or(units.len(), |k| start + k);
        w.read_file(&plans[p], &units[start..end], ledger)?;
        start = end;
    }
    w.flush(ledger, &plans[units.last().map_or(0, |u| u.plan)], None)?;
    Ok(Done {
        rows: w.rows,
        rejects: w.rejects,
    })
}

/// Where a row is: its row group (index into the units of its file) and
/// 1-based row in it.
#[derive(Debug, Clone, Copy)]
struct At {
    unit: Unit,
    row: u64,
}

struct Worker<'o> {
    options: &'o ReadOptions,
    batch: SaleBatch,
    /// The row of each sale in `batch`.
    at: Vec<At>,
    rejects: Vec<Reject>,
    rows: u64,
    key: String,
    /// The state of the fast path for runs of one customer's rows.
    runs: crate::runs::Runs,
}

impl Worker<'_> {
    fn read_file(&mut self, plan: &Plan, units: &[Unit], ledger: &mut Ledger) -> Result<()> {
        let mut f = File::open(&plan.file).map_err(|e| Error::io(&plan.file, e))?;
        if let Some(sums) = &plan.sums {
            // The chunks about to be decoded, as the file was written.
            for u in units {
                crate::checksum::verify(
                    &plan.file,
                    &mut f,
                    plan.meta.metadata(),
                    sums,
                    u.group,
                    plan.leaves.iter().copied(),
                )?;
            }
        }
        let reader = ParquetRecordBatchReaderBuilder::new_with_metadata(f, plan.meta.clone())
            .with_projection(plan.mask.clone())
            .with_row_groups(units.iter().map(|u| u.group).collect())
            .with_batch_size(self.options.batch_rows.max(1))
            .build()
            .map_err(|e| Error::format(&plan.file, e))?;
        let mut cursor = (0usize, 0u64);
        for batch in reader {
            let batch = batch.map_err(|e| Error::format(&plan.file, e))?;
            self.read_batch(plan, units, &mut cursor, &batch, ledger)?;
        }
        // Sales of this file are recorded before the next file's, so that
        // rejects and errors name this file.
        self.flush(ledger, plan, None)
    }

    fn read_batch(
        &mut self,
        plan: &Plan,
        units: &[Unit],
        cursor: &mut (usize, u64),
        batch: &RecordBatch,
        ledger: &mut Ledger,
    ) -> Result<()> {
        let arrays: [Option<&dyn Array>; 4] = plan.pos.map(|p| p.map(|p| batch.column(p).as_ref()));
        let cols: [Option<Col<'_>>; 4] = arrays.map(|a| a.and_then(Col::new));
        if let Some(k) = (0..3).find(|&k| cols[k].is_none()) {
            return Err(Error::format(
                &plan.file,
                format!("column {} could not be decoded as checked", plan.names[k]),
            ));
        }
        let n = batch.num_rows();
        if self.options.runs
            && let Some(fast) = Fast::new(&arrays, &cols)
            && fast.clustered(n)
        {
            let mut start = 0;
            while start < n {
                let raw = fast.raw_key(start);
                let end = (start + 1..n)
                    .find(|&i| fast.raw_key(i) != raw)
                    .unwrap_or(n);
                if !self.run(plan, units, cursor, &fast, raw, start..end, ledger)? {
                    self.read_rows(plan, units, cursor, &arrays, &cols, start..end, ledger)?;
                }
                start = end;
            }
            return Ok(());
        }
        self.read_rows(plan, units, cursor, &arrays, &cols, 0..n, ledger)
    }

    /// Records rows `[start, end)` of one customer (key `raw` as stored)
    /// at once; `false`, with nothing done, when they must be read row by
    /// row.
    #[allow(clippy::too_many_arguments)] // the reading state, private
    fn run(
        &mut self,
        plan: &Plan,
        units: &[Unit],
        cursor: &mut (usize, u64),
        fast: &Fast<'_>,
        raw: &str,
        rows: std::ops::Range<usize>,
        ledger: &mut Ledger,
    ) -> Result<bool> {
        let Ok(key) = crm_csv::value::key(raw) else {
            return Ok(false);
        };
        // Rows before these are recorded first: customers are numbered,
        // and errors raised, in file order.
        if !self.batch.is_empty() {
            self.flush(ledger, plan, None)?;
        }
        let len = rows.len() as u64;
        if !self.runs.record(fast, key, rows, ledger) {
            return Ok(false);
        }
        self.rows += len;
        advance(cursor, units, len);
        Ok(true)
    }

    /// Reads rows `rows` of a batch one by one.
    #[allow(clippy::too_many_arguments)] // the reading state, private
    fn read_rows(
        &mut self,
        plan: &Plan,
        units: &[Unit],
        cursor: &mut (usize, u64),
        arrays: &[Option<&dyn Array>; 4],
        cols: &[Option<Col<'_>>; 4],
        rows: std::ops::Range<usize>,
        ledger: &mut Ledger,
    ) -> Result<()> {
        let mut key = std::mem::take(&mut self.key);
        for i in rows {
            // The row group of this row: skip finished (and empty) groups.
            while cursor.0 < units.len() && cursor.1 >= units[cursor.0].rows {
                *cursor = (cursor.0 + 1, 0);
            }
            cursor.1 += 1;
            let at = At {
                unit: units[cursor.0.min(units.len().saturating_sub(1))],
                row: cursor.1,
            };
            self.rows += 1;
            match row(arrays, cols, i, self.options.decimal, &mut key) {
                Ok((key, date, revenue, margin)) => {
                    self.runs.saw(key);
                    self.batch.push(key, date, revenue, margin);
                    self.at.push(at);
                    if self.batch.len() == BATCH {
                        self.flush(ledger, plan, None)?;
                    }
                }
                Err((k, problem)) => {
                    let bad = (at, k, problem, record(arrays, cols, i));
                    self.flush(ledger, plan, Some(bad))?;
                }
            }
        }
        self.key = key;
        Ok(())
    }
}

/// Moves `cursor` (row group, rows read in it) past `rows` rows, as
/// reading them one by one does.
fn advance(cursor: &mut (usize, u64), units: &[Unit], mut rows: u64) {
    while rows > 0 {
        while cursor.0 < units.len() && cursor.1 >= units[cursor.0].rows {
            *cursor = (cursor.0 + 1, 0);
        }
        let room = units
            .get(cursor.0)
            .map_or(rows, |u| (u.rows - cursor.1).min(rows));
        cursor.1 += room;
        rows -= room;
    }
}

/// The row's key, date, revenue and margin; the key is borrowed from the
/// array or written into `buf`.
#[allow(clippy::type_complexity)] // a private tuple, named at its one use
fn row<'b>(
    arrays: &[Option<&dyn Array>; 4],
    cols: &'b [Option<Col<'_>>; 4],
    i: usize,
    decimal: DecimalSeparator,
    buf: &'b mut String,
) -> std::result::Result<(&'b str, NaiveDate, Money, Option<Money>), (usize, Problem)> {
    let null = |k: usize| arrays[k].is_some_and(|a| a.is_null(i));
    let col = |k: usize| cols[k].as_ref().ok_or((k, Problem::Missing));
    for k in 0..3 {
        if null(k) {
            return Err((k, Problem::Missing));
        }
    }
    let date = col(1)?.date(i).map_err(|p| (1, p))?;
    let revenue = col(2)?
        .money(i, decimal)
        .map_err(|p| (2, p))?
        .ok_or((2, Problem::Missing))?;
    let margin = match &cols[3] {
        Some(c) if !null(3) => c.money(i, decimal).map_err(|p| (3, p))?,
        _ => None,
    };
    let key = col(0)?.key(i, buf).map_err(|p| (0, p))?;
    Ok((key, date, revenue, margin))
}

/// The row's fields as text, for a reject.
fn record(arrays: &[Option<&dyn Array>; 4], cols: &[Option<Col<'_>>; 4], i: usize) -> [String; 4] {
    std::array::from_fn(|k| match (&arrays[k], &cols[k]) {
        (Some(a), Some(c)) if !a.is_null(i) => c.text(i),
        _ => String::new(),
    })
}

impl Worker<'_> {
    /// Records the pending sales; then handles `bad` (a row that could
    /// not be parsed, after them in the file): in strict mode the first
    /// problem in file order is the error, in lenient mode each is a
    /// reject.
    fn flush(
        &mut self,
        ledger: &mut Ledger,
        plan: &Plan,
        bad: Option<(At, usize, Problem, [String; 4])>,
    ) -> Result<()> {
        let mut late = Vec::new();
        let at = &self.at;
        self.batch.record_into(ledger, |i, e, s| {
            let col = matches!(e, crm_core::Error::InvalidKey { .. }).then_some(0);
            let text = [
                s.key.to_string(),
                s.date.to_string(),
                s.revenue.to_string(),
                s.margin.map(|m| m.to_string()).unwrap_or_default(),
            ];
            late.push((at[i], col, Problem::Model(e), text));
        });
        self.at.clear();
        let bad = bad.map(|(at, k, p, rec)| (at, Some(k), p, rec));
        for (at, col, problem, record) in late.into_iter().chain(bad) {
            let position = Position {
                file: plan.file.clone(),
                row_group: at.unit.group,
                row_in_group: at.row,
                row: at.unit.before + at.row,
                column: col.map(|k| plan.names[k].clone()),
            };
            if self.options.mode == Mode::Strict {
                return Err(Error::Row(Box::new(BadRow { position, problem })));
            }
            self.rejects.push(Reject {
                location: Location {
                    file: position.file,
                    line: position.row,
                    column: col.and_then(|k| plan.index[k]).map(|c| c + 1),
                    field: position.column,
                },
                problem,
                record: record.to_vec(),
            });
        }
        Ok(())
    }
}
