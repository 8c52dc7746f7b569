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
    /// A pyramid given with a ledger was built from another ledger (it
    /// covers another number of customers).
    #[error(
        "the pyramid of {period} covers {pyramid} customers, the ledger {ledger}: it was built from another ledger"
    )]
    PyramidOfAnotherLedger {
        /// The pyramid's period.
        period: crm_core::Period,
        /// Customers the pyramid covers.
        pyramid: usize,
        /// Customers in the ledger.
        ledger: usize,
    },
}
