use std::io::Read;
use std::path::{Path, PathBuf};

use crm_core::{Customer, Interaction, Lead, Transaction};

use crate::fields::{CustomerCols, DateCache, InteractionCols, LeadCols, TxCols};
use crate::header::{Header, parse_header, read_prefix};
use crate::reader::RecordReader;
use crate::scan::RowError;
use crate::{Error, ImportOptions, Location, Mode, Problem, Reject, Result};

type Parser<T> = Box<dyn FnMut(&csv::ByteRecord) -> std::result::Result<T, RowError> + Send>;

/// An iterator of records read from any [`Read`], one at a time.
///
/// Made by [`transactions`], [`customers`] and [`interactions`]. In strict
/// mode the first bad row is yielded as an error and iteration ends; in
/// lenient mode bad rows are skipped and collected in
/// [`Records::rejects`].
pub struct Records<R: Read, T> {
    rdr: RecordReader<R>,
    file: PathBuf,
    header: Header,
    parse: Parser<T>,
    mode: Mode,
    rec: csv::ByteRecord,
    rows: u64,
    /// The line of the last record read.
    line: u64,
    rejects: Vec<Reject>,
    done: bool,
}

impl<R: Read, T> std::fmt::Debug for Records<R, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Records")
            .field("file", &self.file)
            .field("rows", &self.rows)
            .field("rejects", &self.rejects.len())
            .finish_non_exhaustive()
    }
}

impl<R: Read, T> Records<R, T> {
    /// Data rows read so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// The line (1-based, as an editor shows it) on which the row last
    /// yielded starts; 0 before the first.
    pub fn line(&self) -> u64 {
        self.line
    }

    /// Rows skipped so far (lenient mode).
    pub fn rejects(&self) -> &[Reject] {
        &self.rejects
    }

    /// The header's column names.
    pub fn headers(&self) -> &[String] {
        &self.header.names
    }

    fn location(&self, line: u64, col: Option<usize>) -> Location {
        Location {
            file: self.file.clone(),
            line,
            column: col.map(|c| c + 1),
            field: col.and_then(|c| self.header.names.get(c).cloned()),
        }
    }
}

impl<R: Read, T> Iterator for Records<R, T> {
    type Item = Result<T>;

    fn next(&mut self) -> Option<Result<T>> {
        while !self.done {
            let line = match self.rdr.read(&mut self.rec) {
                Ok(Some(start)) => start.line,
                Ok(None) => {
                    self.done = true;
                    break;
                }
                Err(source) => {
                    self.done = true;
                    return Some(Err(Error::Io {
                        file: self.file.clone(),
                        source,
                    }));
                }
            };
            self.rows += 1;
            self.line = line;
            let width = self.header.names.len();
            let swallowed = crate::scan::swallowed_rows(&self.rec, self.header.delimiter, width)
                .or_else(|| {
                    self.rdr
                        .open_quote()
                        .then(|| crate::scan::open_quote_at_end(&self.rec))
                });
            let outcome = if let Some(err) = swallowed {
                Err(err)
            } else if self.rec.len() == width {
                (self.parse)(&self.rec)
            } else {
                Err((
                    None,
                    Problem::RowLength {
                        expected: width,
                        found: self.rec.len(),
                    },
                ))
            };
            match outcome {
                Ok(t) => return Some(Ok(t)),
                Err((col, problem)) => {
                    let location = self.location(line, col);
                    if self.mode == Mode::Strict {
                        self.done = true;
                        return Some(Err(Error::row(location, problem)));
                    }
                    let record = self
                        .rec
                        .iter()
                        .map(|f| String::from_utf8_lossy(f).into_owned())
                        .collect();
                    self.rejects.push(Reject {
                        location,
                        problem,
                        record,
                    });
                }
            }
        }
        None
    }
}

fn open<R: Read, T>(
    mut reader: R,
    name: &Path,
    options: &ImportOptions,
    make: impl FnOnce(&Header) -> Result<Parser<T>>,
) -> Result<Records<R, T>> {
    let prefix = read_prefix(&mut reader).map_err(|e| Error::io(name, e))?;
    let header = parse_header(name, &prefix, options)?;
    let parse = make(&header)?;
    let rest = usize::try_from(header.data_start)
        .ok()
        .and_then(|start| prefix.get(start..))
        .unwrap_or_default()
        .to_vec();
    let rdr = RecordReader::new(reader, header.delimiter, rest, header.data_line);
    Ok(Records {
        rdr,
        file: name.to_path_buf(),
        header,
        parse,
        mode: options.mode,
        rec: csv::ByteRecord::new(),
        rows: 0,
        line: 0,
        rejects: Vec::new(),
        done: false,
    })
}

/// Reads transactions one by one from `reader`, which is called `name` in
/// errors. Columns as for [`read_transactions`](crate::read_transactions).
///
/// # Errors
///
/// Errors about the header at once; errors about rows from the iterator.
///
/// ```
/// use crm_csv::{transactions, ImportOptions};
///
/// let data = "customer_id;date;revenue\nC1;01-03-2024;12,50\n";
/// let rows: Vec<_> = transactions(data.as_bytes(), "inline.csv", &ImportOptions::new())?
///     .collect::<Result<_, _>>()?;
/// assert_eq!(rows[0].revenue.to_string(), "12.50");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn transactions<R: Read>(
    reader: R,
    name: impl AsRef<Path>,
    options: &ImportOptions,
) -> Result<Records<R, Transaction>> {
    let name = name.as_ref();
    open(reader, name, options, |h| {
        let cols = TxCols::resolve(name, h, options)?;
        let mut dates = DateCache::default();
        Ok(Box::new(move |rec: &csv::ByteRecord| {
            cols.parse(rec, &mut dates)
                .and_then(|r| r.to_transaction(cols.key_col()))
        }) as Parser<Transaction>)
    })
}

/// Reads register entries one by one from `reader`. Columns as for
/// [`read_customers`](crate::read_customers).
///
/// # Errors
///
/// Errors about the header at once; errors about rows from the iterator.
pub fn customers<R: Read>(
    reader: R,
    name: impl AsRef<Path>,
    options: &ImportOptions,
) -> Result<Records<R, Customer>> {
    let name = name.as_ref();
    open(reader, name, options, |h| {
        let cols = CustomerCols::resolve(name, h, options)?;
        Ok(Box::new(move |rec: &csv::ByteRecord| cols.parse(rec)) as Parser<Customer>)
    })
}

/// Reads interactions one by one from `reader`. Columns as for
/// [`read_interactions`](crate::read_interactions).
///
/// # Errors
///
/// Errors about the header at once; errors about rows from the iterator.
pub fn interactions<R: Read>(
    reader: R,
    name: impl AsRef<Path>,
    options: &ImportOptions,
) -> Result<Records<R, Interaction>> {
    let name = name.as_ref();
    open(reader, name, options, |h| {
        let cols = InteractionCols::resolve(name, h, options)?;
        let mut dates = DateCache::default();
        Ok(
            Box::new(move |rec: &csv::ByteRecord| cols.parse(rec, &mut dates))
                as Parser<Interaction>,
        )
    })
}

/// Reads leads one by one from `reader`: `customer_id`, `stage` (`lead`,
/// `qualified`, `quote`, `won`, `lost`) and `value` are required; the dates
/// each stage was entered are read from `lead_date`, `qualified_date`,
/// `quote_date`, `won_date` and `lost_date` when present (the snapshot
/// form: one row per lead as it stands), and from `date` for the row's own
/// stage (the history form: one row per stage change,
/// `lead_id,customer_id,stage,date,value,owner,source,lost_reason`).
/// `lead_id`, `owner`, `source` and `lost_reason` are optional.
///
/// Each row is returned as it is: rows of one lead (the same `lead_id`)
/// fold into one with [`crm_core::merge_leads`].
///
/// # Errors
///
/// Errors about the header at once; errors about rows from the iterator.
pub fn leads<R: Read>(
    reader: R,
    name: impl AsRef<Path>,
    options: &ImportOptions,
) -> Result<Records<R, Lead>> {
    let name = name.as_ref();
    open(reader, name, options, |h| {
        let cols = LeadCols::resolve(name, h, options)?;
        Ok(Box::new(move |rec: &csv::ByteRecord| cols.parse(rec)) as Parser<Lead>)
    })
}

/// A field a row parser refused: its 0-based column (`None` when no one
/// field is to blame) and what was wrong with it.
pub type FieldError = (Option<usize>, Problem);

/// One data row of a table read by [`rows`], with the header's number of
/// fields.
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    rec: &'a csv::ByteRecord,
}

impl<'a> Row<'a> {
    /// The field of `column` (0-based) as the readers of this crate see
    /// fields: surrounding blanks and byte-order marks removed; `""` past
    /// the last field.
    ///
    /// # Errors
    ///
    /// [`Problem::Utf8`] at `column` when the field is not UTF-8.
    pub fn text(&self, column: usize) -> std::result::Result<&'a str, FieldError> {
        crate::parse::text(self.rec.get(column).unwrap_or_default()).map_err(|p| (Some(column), p))
    }

    /// Every field as text, invalid UTF-8 replaced (for a reject's record).
    pub fn fields(&self) -> Vec<String> {
        self.rec
            .iter()
            .map(|f| String::from_utf8_lossy(f).into_owned())
            .collect()
    }

    /// The number of fields.
    pub fn len(&self) -> usize {
        self.rec.len()
    }

    /// Whether the row has no field.
    pub fn is_empty(&self) -> bool {
        self.rec.is_empty()
    }
}

/// Reads the rows of a table this crate has no reader for (outcomes of
/// actions, a list of one's own) from `reader`, called `name` in errors,
/// with the reader of the known tables: the same delimiter detection,
/// quoting, line numbers and checks (a row of another width than the
/// header, a quote never closed that swallows rows or runs to the end of
/// the file), and the same [`Mode`]: in strict mode the first bad row ends
/// the iteration with an error naming file, line, column and field; in
/// lenient mode it is skipped and kept in [`Records::rejects`].
///
/// `make` gets the header's column names (trimmed) and returns the parser
/// of a row, or an error about the header such as
/// [`Error::MissingColumn`]. A parser's [`FieldError`] is reported with the
/// column's header name.
///
/// # Errors
///
/// Errors about the header at once (and `make`'s); errors about rows from
/// the iterator.
///
/// ```
/// use crm_csv::{rows, ImportOptions, Mode, Problem};
///
/// let data = "name,score\nada,3\nbob,x\n";
/// let options = ImportOptions::new().mode(Mode::Lenient);
/// let mut scores = rows(data.as_bytes(), "scores.csv", &options, |_header| {
///     Ok(|row: crm_csv::Row<'_>| {
///         let score = row.text(1)?;
///         let n: u32 = score.parse().map_err(|_| {
///             (Some(1), Problem::BadValue { value: score.into(), expected: "a number" })
///         })?;
///         Ok((row.text(0)?.to_string(), n))
///     })
/// })?;
/// let good: Vec<_> = scores.by_ref().collect::<Result<_, _>>()?;
/// assert_eq!(good, [("ada".to_string(), 3)]);
/// assert_eq!(scores.rejects()[0].location.to_string(), "scores.csv:3: column 2 (score)");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn rows<R, T, P>(
    reader: R,
    name: impl AsRef<Path>,
    options: &ImportOptions,
    make: impl FnOnce(&[String]) -> Result<P>,
) -> Result<Records<R, T>>
where
    R: Read,
    P: FnMut(Row<'_>) -> std::result::Result<T, FieldError> + Send + 'static,
{
    open(reader, name.as_ref(), options, |h| {
        let mut parse = make(&h.names)?;
        Ok(Box::new(move |rec: &csv::ByteRecord| parse(Row { rec })) as Parser<T>)
    })
}
