use std::fmt;
use std::path::PathBuf;

use crm_csv::Problem;

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Where in a Parquet file a value was bad: file, row group, row and
/// column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    /// The file.
    pub file: PathBuf,
    /// The 0-based row group, as Parquet tools number them.
    pub row_group: usize,
    /// The 1-based row within the row group.
    pub row_in_group: u64,
    /// The 1-based row within the file.
    pub row: u64,
    /// The column's name in the file, when one column is to blame.
    pub column: Option<String>,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: row {} (row group {}, row {} of it)",
            self.file.display(),
            self.row,
            self.row_group,
            self.row_in_group
        )?;
        if let Some(c) = &self.column {
            write!(f, ": column {c}")?;
        }
        Ok(())
    }
}

/// A bad row: where and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRow {
    /// Where.
    pub position: Position,
    /// What (the same problems the CSV reader reports).
    pub problem: Problem,
}

/// Why a Parquet file could not be read or written.
///
/// Every error names the file; errors about a value also name the row
/// group, the row and the column (see [`Error::position`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The file or folder could not be opened, listed, read or written.
    #[error("{}: {source}", file.display())]
    Io {
        /// The file or folder.
        file: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not Parquet, or is damaged (its footer, a page, a
    /// codec's data).
    #[error("{}: not a readable Parquet file: {message}", file.display())]
    Format {
        /// The file.
        file: PathBuf,
        /// What the Parquet reader found.
        message: String,
    },
    /// A folder holds no `*.parquet` file.
    #[error("{}: no *.parquet file in the folder", folder.display())]
    NoFiles {
        /// The folder.
        folder: PathBuf,
    },
    /// A required column is not in the file's schema.
    #[error("{}: missing column {column:?} (the file has: {found})", file.display())]
    MissingColumn {
        /// The file.
        file: PathBuf,
        /// The column looked for.
        column: String,
        /// The schema's top-level columns, comma separated (cut after 200
        /// characters).
        found: String,
    },
    /// Two columns map to the same field (names differing only in case).
    #[error("{}: column {column:?} appears twice in the schema", file.display())]
    DuplicateColumn {
        /// The file.
        file: PathBuf,
        /// The repeated column.
        column: String,
    },
    /// A column's type cannot hold its field (a float for money without
    /// the opt-in, a timestamp in a named time zone, a list).
    #[error("{}: column {column} has type {found}: expected {expected}", file.display())]
    ColumnType {
        /// The file.
        file: PathBuf,
        /// The column's name in the file.
        column: String,
        /// The column's Arrow type.
        found: String,
        /// What the field accepts.
        expected: String,
    },
    /// A row is bad (strict mode stops at the first one).
    #[error("{}: {}", .0.position, .0.problem)]
    Row(Box<BadRow>),
    /// The model refused what the files hold together (a customer's sum
    /// leaving the range of money when the row groups read in parallel are
    /// put together).
    #[error("{}: {source}", file.display())]
    Model {
        /// The file or folder.
        file: PathBuf,
        /// The model's error.
        #[source]
        source: crm_core::Error,
    },
    /// A column chunk's bytes do not match the checksum the file carries
    /// for it: the file was damaged after it was written (a flipped bit on
    /// a disk or in a copy), and its values cannot be trusted.
    #[error(
        "{}: row group {row_group}, column {column}: the data is damaged ({what}); \
         convert the file again from its source",
        file.display()
    )]
    Checksum {
        /// The file.
        file: PathBuf,
        /// The 0-based row group.
        row_group: usize,
        /// The column's path in the file.
        column: String,
        /// What was found.
        what: String,
    },
    /// An option is invalid.
    #[error("invalid option: {0}")]
    Option(String),
    /// A table to write is not one (columns of different lengths), or a
    /// value does not fit its Parquet type.
    #[error("cannot write the table: {0}")]
    Table(String),
}

impl Error {
    /// Where in the file the error is, for row errors.
    pub fn position(&self) -> Option<&Position> {
        match self {
            Error::Row(bad) => Some(&bad.position),
            _ => None,
        }
    }

    /// What was wrong with the row, for row errors.
    pub fn problem(&self) -> Option<&Problem> {
        match self {
            Error::Row(bad) => Some(&bad.problem),
            _ => None,
        }
    }

    pub(crate) fn io(file: &std::path::Path, source: std::io::Error) -> Error {
        Error::Io {
            file: file.to_path_buf(),
            source,
        }
    }

    pub(crate) fn format(file: &std::path::Path, e: impl fmt::Display) -> Error {
        Error::Format {
            file: file.to_path_buf(),
            message: e.to_string(),
        }
    }
}
