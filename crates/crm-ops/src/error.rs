/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why an operational measure could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A pyramid the measure needs could not be built.
    #[error(transparent)]
    Pyramid(#[from] crm_pyramid::Error),
    /// A sum overflowed, or a period or key was not usable.
    #[error(transparent)]
    Core(#[from] crm_core::Error),
    /// Inputs that do not belong together: a pyramid of another ledger, a
    /// next period that does not follow the period.
    #[error("{what} does not match: {detail}")]
    Mismatch {
        /// Which input.
        what: &'static str,
        /// What is wrong.
        detail: String,
    },
    /// A sum of money left the range of an amount.
    #[error("amount overflow: {what} leaves the range of an amount (about ±7.9e28)")]
    Overflow {
        /// The figure.
        what: &'static str,
    },
}
