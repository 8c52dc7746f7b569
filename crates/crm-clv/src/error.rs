//! Errors of the lifetime-value models.

use crate::special::SeriesError;

/// What went wrong in summarising, fitting or predicting.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A summary that is not a valid purchase history.
    #[error("{row}: {field}: {message}")]
    InvalidSummary {
        /// Where: a file and line, or a row index.
        row: String,
        /// The field at fault.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// A bad value in a summary file.
    #[error("{file}:{line}: {field}: {message}")]
    Csv {
        /// The file.
        file: String,
        /// The 1-based line.
        line: u64,
        /// The column.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// A file that cannot be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// The data cannot identify the model (no customers, no repeat buyers,
    /// no positive spend, a single customer).
    #[error("cannot fit {model}: {reason}")]
    Degenerate {
        /// The model.
        model: &'static str,
        /// Why.
        reason: String,
    },
    /// The likelihood's maximum was not found.
    #[error("{model} did not converge: {reason}")]
    NoConvergence {
        /// The model.
        model: &'static str,
        /// What happened.
        reason: String,
    },
    /// A parameter or argument outside its domain.
    #[error("{0}")]
    InvalidArgument(String),
    /// A hypergeometric series that could not be summed.
    #[error(transparent)]
    Series(#[from] SeriesError),
    /// A customer key the model layer refuses.
    #[error(transparent)]
    Model(#[from] crm_core::Error),
}

/// The former name of [`Error`].
#[deprecated(
    since = "0.2.0",
    note = "renamed to `crm_clv::Error`, like every crate's error"
)]
pub type ClvError = Error;

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
