use std::fmt;
use std::path::PathBuf;

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Where in a file a value was bad: file, line, column and field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file, as given (`-` or a name like `<input>` for readers).
    pub file: PathBuf,
    /// The 1-based line the record starts on.
    pub line: u64,
    /// The 1-based column, when one field is to blame.
    pub column: Option<usize>,
    /// The column's header name, when one field is to blame.
    pub field: Option<String>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file.display(), self.line)?;
        match (&self.column, &self.field) {
            (Some(c), Some(name)) => write!(f, ": column {c} ({name})"),
            (Some(c), None) => write!(f, ": column {c}"),
            _ => Ok(()),
        }
    }
}

/// What was wrong with a row.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Problem {
    /// A field could not be read as what its column holds.
    #[error("bad value {value:?}: expected {expected}")]
    BadValue {
        /// The field as found (cut to 80 characters).
        value: String,
        /// What was expected, with an example.
        expected: &'static str,
    },
    /// A required field is empty.
    #[error("missing value: the field is empty")]
    Missing,
    /// The row has another number of fields than the header.
    #[error("row has {found} fields, the header has {expected}")]
    RowLength {
        /// Fields in the header.
        expected: usize,
        /// Fields in the row.
        found: usize,
    },
    /// A field is not valid UTF-8.
    #[error("field is not valid UTF-8")]
    Utf8,
    /// The value is well-formed but the model refuses it (a bad customer
    /// key, a total out of range).
    #[error("{0}")]
    Model(#[from] crm_core::Error),
    /// The value is well-formed but refused, for the reason given (a
    /// date outside the analysed period).
    #[error("{0}")]
    Refused(String),
    /// A quote opened in this field is never closed, and the field runs
    /// over `rows` following lines that look like rows: CSV would read
    /// them as part of this one field. The record is refused whole, and
    /// those lines with it (see [`Problem::lines_lost`]).
    #[error(
        "the quoted field runs over {rows} following line(s) that look like rows: \
         a quote opened in this field is never closed (close it, or double a \
         quote meant as text: \"\")"
    )]
    Swallowed {
        /// The following lines that look like rows (as many delimiters as
        /// a row has).
        rows: u64,
    },
    /// The CSV syntax itself is broken.
    #[error("malformed CSV: {0}")]
    Syntax(String),
}

impl Problem {
    /// Lines that look like rows lost with the refused record besides its
    /// own (those inside a quote never closed): a reader's count of
    /// rejects counts the record once, and these are not in it.
    ///
    /// ```
    /// use crm_csv::Problem;
    /// assert_eq!(Problem::Swallowed { rows: 3 }.lines_lost(), 3);
    /// assert_eq!(Problem::Missing.lines_lost(), 0);
    /// ```
    pub fn lines_lost(&self) -> u64 {
        match self {
            Problem::Swallowed { rows } => *rows,
            _ => 0,
        }
    }
}

impl From<BadRow> for Error {
    fn from(bad: BadRow) -> Error {
        Error::Row(Box::new(bad))
    }
}

/// A bad row: where and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRow {
    /// Where.
    pub location: Location,
    /// What.
    pub problem: Problem,
}

/// Why a file could not be read or written.
///
/// Every error about input names the file and, for rows, the line, column
/// and field (see [`Error::location`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The file could not be opened, read or written.
    #[error("{}: {source}", file.display())]
    Io {
        /// The file.
        file: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// The file is empty: not even a header row.
    #[error("{}: the file is empty (expected a header row)", file.display())]
    Empty {
        /// The file.
        file: PathBuf,
    },
    /// A required column is not in the header.
    #[error("{}:1: missing column {column:?} (the header has: {found})", file.display())]
    MissingColumn {
        /// The file.
        file: PathBuf,
        /// The column looked for.
        column: String,
        /// The header's columns, comma separated (cut after 200
        /// characters).
        found: String,
    },
    /// Two header columns map to the same field.
    #[error("{}:1: column {column:?} appears twice in the header", file.display())]
    DuplicateColumn {
        /// The file.
        file: PathBuf,
        /// The repeated column.
        column: String,
    },
    /// A row is bad (strict mode stops at the first one).
    #[error("{}: {}", .0.location, .0.problem)]
    Row(Box<BadRow>),
    /// An option is invalid (a column mapping to an unknown field, a bad
    /// delimiter).
    #[error("invalid option: {0}")]
    Option(String),
}

impl Error {
    /// Where in the input the error is, for row errors.
    pub fn location(&self) -> Option<&Location> {
        match self {
            Error::Row(bad) => Some(&bad.location),
            _ => None,
        }
    }

    /// Whether the error is an I/O error rather than bad data.
    pub fn is_io(&self) -> bool {
        matches!(self, Error::Io { .. })
    }

    /// What was wrong with the row, for row errors.
    pub fn problem(&self) -> Option<&Problem> {
        match self {
            Error::Row(bad) => Some(&bad.problem),
            _ => None,
        }
    }

    pub(crate) fn row(location: Location, problem: Problem) -> Error {
        Error::from(BadRow { location, problem })
    }

    pub(crate) fn io(file: &std::path::Path, source: std::io::Error) -> Error {
        Error::Io {
            file: file.to_path_buf(),
            source,
        }
    }
}
