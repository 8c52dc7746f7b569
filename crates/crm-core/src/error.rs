use crate::Period;

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why a value of the core model could not be built or used.
///
/// Messages are lowercase, name the offending input and say what was
/// expected, so that an adapter can wrap them with a file position.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A customer key was empty, too long, padded with spaces or held a
    /// control character.
    #[error("invalid customer key {key:?}: {reason}")]
    InvalidKey {
        /// The rejected key (cut to 80 characters).
        key: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A period could not be parsed or is empty.
    #[error("invalid period {input:?}: {reason}")]
    InvalidPeriod {
        /// The rejected input.
        input: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A money amount could not be parsed.
    #[error("invalid amount {input:?}: expected a decimal number like 1234.56")]
    InvalidMoney {
        /// The rejected input.
        input: String,
    },
    /// A name (basis, stage, interaction kind, ...) is not one of the known ones.
    #[error("invalid {what} {input:?}: expected one of {expected}")]
    InvalidName {
        /// What kind of name was expected.
        what: &'static str,
        /// The rejected input.
        input: String,
        /// The accepted names, comma separated.
        expected: &'static str,
    },
    /// Two ledgers (or other aggregates) that track different periods, the
    /// same periods in another order, or different options cannot be
    /// merged. `reason` says which differs, e.g. `this ledger tracks
    /// [2023, 2024], the other [2024, 2023] (the order of the periods
    /// matters)`.
    #[error("cannot merge: {reason}")]
    PeriodMismatch {
        /// What differs between the two.
        reason: String,
    },
    /// The `order` given to [`Ledger::merge_disjoint`](crate::Ledger::merge_disjoint)
    /// does not name every customer of every part exactly once.
    #[error("invalid merge order: {reason}")]
    MergeOrder {
        /// What is wrong with the order, e.g. `entry 1 names part 2, but
        /// there are 2 parts` or `part 0's customer 3 is missing`.
        reason: String,
    },
    /// Two parts given to [`Ledger::merge_disjoint`](crate::Ledger::merge_disjoint)
    /// hold the same customer: the parts must hold disjoint sets of
    /// customers (merge them with [`Ledger::merge`](crate::Ledger::merge)
    /// otherwise).
    #[error(
        "customer {key:?} is held by parts {first} and {second}: the parts must hold disjoint sets of customers"
    )]
    NotDisjoint {
        /// The shared customer key (cut to 80 characters).
        key: String,
        /// The first part that holds it.
        first: usize,
        /// Another part that holds it.
        second: usize,
    },
    /// A period was asked of a ledger that does not track it.
    #[error("period {period} is not tracked by this ledger")]
    UntrackedPeriod {
        /// The period asked for.
        period: Period,
    },
    /// A sum left the range of [`Money`](crate::Money) (about 7.9e28).
    #[error("amount overflow in the totals of customer {key:?}")]
    Overflow {
        /// The customer whose total overflowed (cut to 80 characters).
        key: String,
    },
    /// A computation on amounts (a sum, a cost times a count, a scaled
    /// potential) left the range of [`Money`](crate::Money), about ±7.9e28.
    /// `what` names the figure, and the customer when there is one.
    #[error("amount overflow: {what} leaves the range of an amount (about ±7.9e28)")]
    AmountOverflow {
        /// The figure that overflowed, e.g. `handling cost of customer "C1"
        /// (2 orders at 79228162514264337593543950335)`.
        what: String,
    },
    /// A row of customer facts does not fit the ledger it was fed to.
    #[error("customer facts of {key:?} do not fit the ledger: {reason}")]
    FactsMismatch {
        /// The customer of the row (cut to 80 characters).
        key: String,
        /// What does not fit.
        reason: String,
    },
    /// A customer id made by another ledger (or interner, or a clone of
    /// it) was used with this one: ids are only meaningful for the ledger
    /// that made them.
    #[error("customer id #{index} was made by another ledger")]
    ForeignId {
        /// The id's index in the ledger that made it.
        index: u64,
    },
    /// A tracked-period index beyond the ledger's periods.
    #[error("period index {index} is out of range: the ledger tracks {tracked} periods")]
    PeriodIndex {
        /// The index asked for.
        index: usize,
        /// The number of tracked periods.
        tracked: usize,
    },
    /// More customers (or key bytes) than the ledger's dense indices hold.
    #[error("too many customers: the ledger holds at most {max} customers and 4 GiB of keys")]
    Capacity {
        /// The most customers a ledger holds.
        max: u64,
    },
}
