//! One error for an integrator's function that calls several crates.

/// The result type of the facade: any crate's error, as [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Any error of the toolkit, so that `?` works across crates in one
/// function returning [`crm::Result`](Result).
///
/// Every crate's error converts into it (`From`), and a cause is unwrapped
/// on the way: an untracked period is `Error::Model(ModelError::UntrackedPeriod
/// {..})` whether the ledger, a pyramid, the migration or a strategy met
/// it, never a wrapper of a wrapper. The other variants hold the crate's
/// own error, whose variants name what was wrong.
///
/// ```
/// use crm::{Ledger, ModelError, Period};
/// use crm::pyramid::{pyramid, PyramidOptions};
///
/// fn level_count(ledger: &Ledger, year: &str) -> crm::Result<u64> {
///     let year: Period = year.parse()?; // a core error
///     let p = pyramid(ledger, &year, &PyramidOptions::new())?; // a pyramid error
///     let m = crm::migration::Migration::between(ledger, &p, &p); // a migration error
///     Ok(p.active() + u64::from(m.is_err()))
/// }
///
/// let ledger = Ledger::new(["2024".parse()?]);
/// let e = level_count(&ledger, "2023").unwrap_err();
/// assert!(matches!(e, crm::Error::Model(ModelError::UntrackedPeriod { .. })));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The core model: a key, amount or period that is not valid, a period
    /// the ledger does not track, an overflow, an id of another ledger.
    #[error(transparent)]
    Model(crm_core::Error),
    /// The pyramid (its cuts, another ledger).
    #[error(transparent)]
    Pyramid(crm_pyramid::Error),
    /// The migration analyses.
    #[error(transparent)]
    Migration(crm_migration::Error),
    /// The value analyses.
    #[error(transparent)]
    Value(crm_value::Error),
    /// Probabilistic lifetime value.
    #[error(transparent)]
    Clv(crm_clv::Error),
    /// Strategy: rulebooks and plans.
    #[error(transparent)]
    Strategy(crm_strategy::Error),
    /// The operational measures.
    #[error(transparent)]
    Ops(crm_ops::Error),
    /// The report.
    #[error(transparent)]
    Report(crm_report::Error),
    /// CSV import and export (feature `csv`).
    #[cfg(feature = "csv")]
    #[error(transparent)]
    Csv(crm_csv::Error),
    /// Example data (feature `synth`).
    #[cfg(feature = "synth")]
    #[error(transparent)]
    Synth(crm_synth::Error),
    /// A store (feature `store`).
    #[cfg(feature = "store")]
    #[error(transparent)]
    Store(crm_store::Error),
    /// Parquet input and output (feature `parquet`).
    #[cfg(feature = "parquet")]
    #[error(transparent)]
    Parquet(crm_parquet::Error),
    /// Reading or writing a file or stream in the integrator's own code
    /// (`?` on a [`std::io::Error`]); the message includes the I/O
    /// error's, which is also the [`source`](std::error::Error::source).
    #[error("input/output error: {0}")]
    Io(#[from] std::io::Error),
}

#[cfg(feature = "parquet")]
impl From<crm_parquet::Error> for Error {
    fn from(e: crm_parquet::Error) -> Error {
        Error::Parquet(e)
    }
}

impl From<crm_core::Error> for Error {
    fn from(e: crm_core::Error) -> Error {
        Error::Model(e)
    }
}

impl From<crm_pyramid::Error> for Error {
    fn from(e: crm_pyramid::Error) -> Error {
        e.into_core().map_or_else(Error::Pyramid, Error::Model)
    }
}

impl From<crm_migration::Error> for Error {
    fn from(e: crm_migration::Error) -> Error {
        match e {
            crm_migration::Error::Core(c) => Error::Model(c),
            crm_migration::Error::Pyramid(p) => p.into(),
            e => Error::Migration(e),
        }
    }
}

impl From<crm_value::Error> for Error {
    fn from(e: crm_value::Error) -> Error {
        match e {
            crm_value::Error::Core(c) => Error::Model(c),
            crm_value::Error::Pyramid(p) => p.into(),
            e => Error::Value(e),
        }
    }
}

impl From<crm_clv::Error> for Error {
    fn from(e: crm_clv::Error) -> Error {
        match e {
            crm_clv::Error::Model(c) => Error::Model(c),
            e => Error::Clv(e),
        }
    }
}

impl From<crm_strategy::Error> for Error {
    fn from(e: crm_strategy::Error) -> Error {
        match e {
            crm_strategy::Error::Core(c) => Error::Model(c),
            crm_strategy::Error::Pyramid(p) => p.into(),
            crm_strategy::Error::Migration(m) => m.into(),
            crm_strategy::Error::Value(v) => v.into(),
            e => Error::Strategy(e),
        }
    }
}

impl From<crm_ops::Error> for Error {
    fn from(e: crm_ops::Error) -> Error {
        match e {
            crm_ops::Error::Core(c) => Error::Model(c),
            crm_ops::Error::Pyramid(p) => p.into(),
            crm_ops::Error::Migration(m) => m.into(),
            e => Error::Ops(e),
        }
    }
}

impl From<crm_report::Error> for Error {
    fn from(e: crm_report::Error) -> Error {
        match e {
            crm_report::Error::Core(c) => Error::Model(c),
            crm_report::Error::Pyramid(p) => p.into(),
            crm_report::Error::Migration(m) => m.into(),
            crm_report::Error::Value(v) => v.into(),
            e => Error::Report(e),
        }
    }
}

#[cfg(feature = "csv")]
impl From<crm_csv::Error> for Error {
    fn from(e: crm_csv::Error) -> Error {
        Error::Csv(e)
    }
}

#[cfg(feature = "synth")]
impl From<crm_synth::Error> for Error {
    fn from(e: crm_synth::Error) -> Error {
        Error::Synth(e)
    }
}

#[cfg(feature = "store")]
impl From<crm_store::Error> for Error {
    fn from(e: crm_store::Error) -> Error {
        match e {
            crm_store::Error::Model(c) => Error::Model(c),
            e => Error::Store(e),
        }
    }
}
