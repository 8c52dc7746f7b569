/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The database file was written by a newer version of this crate.
    #[error(
        "{path}: the database has schema version {found}, newer than this program's {supported}; upgrade the program"
    )]
    NewerSchema {
        /// The database file.
        path: String,
        /// The schema version found.
        found: i64,
        /// The newest version this build knows.
        supported: i64,
    },
    /// The database file was written by an older version, and was opened
    /// read-only, so it cannot be upgraded.
    #[error(
        "{path}: the database has schema version {found}, older than this program's {supported}; open it for writing once (an import upgrades it in place) before analysing it"
    )]
    OlderSchema {
        /// The database file.
        path: String,
        /// The schema version found.
        found: i64,
        /// The version this build reads.
        supported: i64,
    },
    /// The database file does not exist (and was opened to be read).
    #[error("{path}: no such database")]
    NotFound {
        /// The database file.
        path: String,
    },
    /// The file is not a database of this crate: another program's
    /// database, an empty file, or not a database at all. Nothing was
    /// changed in it.
    #[error("{path}: not a crm database ({reason})")]
    NotOurs {
        /// The file.
        path: String,
        /// What gave it away.
        reason: String,
    },
    /// A stored value could not be read back (the file was changed by
    /// another program).
    #[error("corrupt row in table {table}: {reason}")]
    Corrupt {
        /// The table.
        table: &'static str,
        /// What was wrong.
        reason: String,
    },
    /// A record's date lies outside the dates a store keeps
    /// ([`MIN_DATE`](crate::MIN_DATE) to [`MAX_DATE`](crate::MAX_DATE));
    /// nothing of the import was stored.
    #[error(
        "import rolled back: the {what} date {date} is outside the dates a store keeps (0000-01-01 to 9999-12-31)"
    )]
    DateOutOfRange {
        /// The date.
        date: crm_core::NaiveDate,
        /// What it is the date of.
        what: &'static str,
    },
    /// Another connection kept the database locked for longer than the
    /// store waits (its busy timeout); nothing was changed.
    #[error(
        "the database is busy: another program kept it locked for {} s; nothing was changed, try again when it is done",
        waited.as_secs_f64()
    )]
    Busy {
        /// How long the store waited.
        waited: std::time::Duration,
    },
    /// An erasure deleted the customer's rows, but their old content could
    /// not yet be overwritten in the file (another connection is reading an
    /// older state of the database). Erase the key again once it is done.
    #[error(
        "the customer's rows are deleted, but their old content is still in the file: {reason}; erase the key again when other programs have closed the database"
    )]
    EraseIncomplete {
        /// Why.
        reason: String,
    },
    /// The database cannot be read where it lies: its write-ahead log
    /// holds committed changes that are not in the database file yet, and
    /// reading them needs a shared-memory file beside it that cannot be
    /// made there (a read-only directory or medium). Nothing was changed.
    #[error(
        "{path}: cannot be read in this place: its write-ahead log ({path}-wal) holds changes not yet in the database file, and reading them needs {path}-shm, which cannot be created or opened here (a read-only directory or medium); open the database once where it can be written (for example with crm import, or with sqlite3 and PRAGMA wal_checkpoint) so that the log is folded in, then copy the database file alone"
    )]
    UnreadableWal {
        /// The database file.
        path: String,
    },
    /// A record given to the store is invalid.
    #[error(transparent)]
    Model(#[from] crm_core::Error),
    /// The input of an import failed; nothing of that import was stored.
    #[error("import rolled back: {0}")]
    Input(Box<dyn std::error::Error + Send + Sync>),
    /// The database engine failed (I/O, locking, constraint).
    #[error("database error: {0}")]
    Backend(Box<dyn std::error::Error + Send + Sync>),
}

impl Error {
    /// Wraps an error of a store implementation's database.
    pub fn backend(e: impl std::error::Error + Send + Sync + 'static) -> Error {
        Error::Backend(Box::new(e))
    }
}
