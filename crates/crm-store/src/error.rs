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
    /// A stored value could not be read back (the file was changed by
    /// another program).
    #[error("corrupt row in table {table}: {reason}")]
    Corrupt {
        /// The table.
        table: &'static str,
        /// What was wrong.
        reason: String,
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

    pub(crate) fn sqlite(e: rusqlite::Error) -> Error {
        Error::Backend(Box::new(e))
    }
}
