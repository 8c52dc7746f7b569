//! The errors of building a report.

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why a report could not be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The options or the ledger do not fit together (a period the ledger
    /// does not track).
    #[error("invalid report options: {0}")]
    Options(String),
    /// The ledger keeps no purchase days, which the report's RFM and
    /// lifetime-value sections need.
    #[error(
        "the ledger keeps no purchase days, which the report needs: make it with \
         LedgerOptions::purchase_days(true) (ReportOptions::ledger_options gives the options to use)"
    )]
    NoPurchaseDays,
    /// Not a language of the report.
    #[error("unknown language {0:?}: expected en or nl")]
    Language(String),
    /// A pyramid could not be built (its cuts).
    #[error(transparent)]
    Pyramid(crm_pyramid::Error),
    /// The migration could not be built.
    #[error(transparent)]
    Migration(crm_migration::Error),
    /// A value analysis failed.
    #[error(transparent)]
    Value(crm_value::Error),
    /// A core model error (an untracked period, an overflow), from
    /// whichever analysis it arose in: causes are unwrapped, so that they
    /// are matched at one level.
    #[error(transparent)]
    Core(#[from] crm_core::Error),
}

impl From<crm_pyramid::Error> for Error {
    fn from(e: crm_pyramid::Error) -> Error {
        e.into_core().map_or_else(Error::Pyramid, Error::Core)
    }
}

impl From<crm_migration::Error> for Error {
    fn from(e: crm_migration::Error) -> Error {
        match e {
            crm_migration::Error::Core(c) => Error::Core(c),
            crm_migration::Error::Pyramid(p) => p.into(),
            e => Error::Migration(e),
        }
    }
}

impl From<crm_value::Error> for Error {
    fn from(e: crm_value::Error) -> Error {
        match e {
            crm_value::Error::Core(c) => Error::Core(c),
            crm_value::Error::Pyramid(p) => p.into(),
            e => Error::Value(e),
        }
    }
}
