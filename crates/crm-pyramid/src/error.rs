/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why a pyramid could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The cuts are not 1 to 3 increasing shares in (0, 1], or not 1 to 3
    /// decreasing value bands.
    #[error("invalid cuts {cuts}: {reason}")]
    InvalidCuts {
        /// The cuts as given.
        cuts: String,
        /// What is wrong with them.
        reason: &'static str,
    },
    /// A pyramid was used with a ledger other than the one it was built
    /// from (or a clone of it).
    #[error("the pyramid of {period} was built from another ledger")]
    OtherLedger {
        /// The pyramid's period.
        period: crm_core::Period,
    },
    /// The ledger does not track the period, a total overflowed, or a
    /// customer id of another ledger was looked up.
    #[error(transparent)]
    Core(#[from] crm_core::Error),
}

impl Error {
    /// The core cause when this error is one ([`Error::Core`]), else the
    /// error itself: for the crates that wrap this error, so that a core
    /// cause is matched at one level.
    ///
    /// # Errors
    ///
    /// The error itself when it is not a core error.
    pub fn into_core(self) -> std::result::Result<crm_core::Error, Error> {
        match self {
            Error::Core(c) => Ok(c),
            e => Err(e),
        }
    }
}
