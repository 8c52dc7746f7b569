use crm_core::{Basis, Money, Period};

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why a value analysis could not be made.
///
/// A cause from the pyramid or the core model arrives as
/// [`Error::Pyramid`] or [`Error::Core`] directly, never wrapped twice.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The analysis needs the ledger's purchase days
    /// ([`LedgerOptions::purchase_days`](crm_core::LedgerOptions::purchase_days)).
    #[error(
        "the ledger cannot answer this: {analysis} needs purchase days (LedgerOptions::purchase_days)"
    )]
    NeedsPurchaseDays {
        /// The analysis, e.g. `RFM`.
        analysis: &'static str,
    },
    /// A cost in a cost table is negative.
    #[error(
        "invalid option: cost table: the cost of {cost} is {amount}; a cost cannot be negative"
    )]
    NegativeCost {
        /// The cost: `handling_per_order` or an interaction kind.
        cost: String,
        /// The amount given.
        amount: Money,
    },
    /// Two pyramids in the wrong order: `now` does not end after `before`.
    #[error("invalid option: {now} must end after {before}: give the earlier pyramid first")]
    PeriodOrder {
        /// The period of the pyramid given as earlier.
        before: Period,
        /// The period of the pyramid given as later.
        now: Period,
    },
    /// Two pyramids on different value bases.
    #[error("invalid option: the pyramids are on different bases ({before} and {now})")]
    BasisDiffers {
        /// The basis of the earlier pyramid.
        before: Basis,
        /// The basis of the later pyramid.
        now: Basis,
    },
    /// An input of a calculation is out of its range (a retention rate
    /// above 1, a negative discount).
    #[error("invalid input: {input} is {value}; it must be {expected}")]
    OutOfRange {
        /// The input, by its field name (`retention`, `improved`,
        /// `discount`).
        input: &'static str,
        /// The value given, as text.
        value: String,
        /// The range it must be in.
        expected: &'static str,
    },
    /// A core error (an untracked period, an overflowing total, an id of
    /// another ledger).
    #[error(transparent)]
    Core(#[from] crm_core::Error),
    /// A pyramid error (its cuts, another ledger).
    #[error(transparent)]
    Pyramid(crm_pyramid::Error),
}

impl From<crm_pyramid::Error> for Error {
    /// Unwraps a core cause, so that it is matched at one level.
    fn from(e: crm_pyramid::Error) -> Error {
        e.into_core().map_or_else(Error::Pyramid, Error::Core)
    }
}

/// An amount overflow naming the figure that overflowed.
pub(crate) fn overflow(what: impl Into<String>) -> Error {
    Error::Core(crm_core::Error::AmountOverflow { what: what.into() })
}
