use crm_core::Period;

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why a migration analysis could not be made.
///
/// A cause from the pyramid or the core model arrives as
/// [`Error::Pyramid`] or [`Error::Core`] directly, never wrapped twice: an
/// untracked period is `Error::Core(crm_core::Error::UntrackedPeriod {..})`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Two periods in the wrong order: `later` does not end after
    /// `earlier` (pyramids given in the wrong order, or a series out of
    /// order).
    #[error("invalid periods: {later} must end after {earlier}: give the earlier period first")]
    PeriodOrder {
        /// The period given first.
        earlier: Period,
        /// The period given second.
        later: Period,
    },
    /// The same period given twice (as the earlier and the later period,
    /// or twice in a row in a series): a migration compares two different
    /// periods.
    #[error("invalid periods: {period} is given twice: a migration compares two different periods")]
    SamePeriod {
        /// The period given twice.
        period: Period,
    },
    /// A series of fewer than two periods.
    #[error("invalid periods: a series needs at least two periods, {given} given")]
    TooFewPeriods {
        /// The number of periods given.
        given: usize,
    },
    /// A list of periods (see [`parse_periods`](crate::parse_periods))
    /// that cannot be read.
    #[error("invalid periods {spec:?}: {reason}")]
    PeriodList {
        /// The list as given.
        spec: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A transition estimator name that is not one of the accepted ones.
    #[error("unknown transition estimate {input:?}: expected pooled or average-of-shares")]
    UnknownEstimator {
        /// The name given.
        input: String,
    },
    /// The pyramids were built with different options.
    #[error("the two pyramids do not belong together: they were built with different options")]
    OptionsDiffer,
    /// A pyramid was built from a ledger other than the one given.
    #[error("the two pyramids do not belong together: they were built from another ledger")]
    OtherLedger,
    /// A pyramid could not be built (its cuts); a core cause of it arrives
    /// as [`Error::Core`].
    #[error(transparent)]
    Pyramid(crm_pyramid::Error),
    /// A core error: an untracked period, an overflowing sum, an id of
    /// another ledger.
    #[error(transparent)]
    Core(#[from] crm_core::Error),
}

impl From<crm_pyramid::Error> for Error {
    /// Unwraps a core cause, so that it is matched at one level.
    fn from(e: crm_pyramid::Error) -> Error {
        e.into_core().map_or_else(Error::Pyramid, Error::Core)
    }
}
