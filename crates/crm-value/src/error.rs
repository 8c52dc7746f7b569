/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why a value analysis could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The ledger lacks what the analysis needs (a period, purchase days).
    #[error("the ledger cannot answer this: {0}")]
    Ledger(String),
    /// An option is out of range.
    #[error("invalid option: {0}")]
    Option(String),
    /// A core error (an untracked period, an overflowing total).
    #[error(transparent)]
    Core(#[from] crm_core::Error),
    /// A pyramid error.
    #[error(transparent)]
    Pyramid(#[from] crm_pyramid::Error),
}

/// An amount overflow naming the figure that overflowed.
pub(crate) fn overflow(what: impl Into<String>) -> Error {
    Error::Core(crm_core::Error::AmountOverflow { what: what.into() })
}
