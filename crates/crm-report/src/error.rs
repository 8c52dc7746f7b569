//! The errors of building a report.

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why a report could not be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The options or the ledger do not fit together (a period the ledger
    /// does not track, no purchase days).
    #[error("invalid report options: {0}")]
    Options(String),
    /// Not a language of the report.
    #[error("unknown language {0:?}: expected en or nl")]
    Language(String),
    /// A pyramid could not be built.
    #[error(transparent)]
    Pyramid(#[from] crm_pyramid::Error),
    /// The migration could not be built.
    #[error(transparent)]
    Migration(#[from] crm_migration::Error),
    /// A value analysis failed (an overflow).
    #[error(transparent)]
    Value(#[from] crm_value::Error),
}
