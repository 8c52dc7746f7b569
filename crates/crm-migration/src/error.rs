/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why a migration analysis could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The periods are not usable: the later one does not end after the
    /// earlier one, or a series has fewer than two periods.
    #[error("invalid periods: {0}")]
    Periods(String),
    /// An option is not one of the accepted values.
    #[error("invalid option: {0}")]
    Option(String),
    /// The pyramids were built from another ledger or with other options.
    #[error("the two pyramids do not belong together: {0}")]
    Mismatch(&'static str),
    /// A pyramid could not be built.
    #[error(transparent)]
    Pyramid(#[from] crm_pyramid::Error),
    /// A sum overflowed.
    #[error(transparent)]
    Core(#[from] crm_core::Error),
}
