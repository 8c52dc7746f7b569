/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why an operational measure could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A pyramid the measure needs could not be built (its cuts); a core
    /// cause arrives as [`Error::Core`].
    #[error(transparent)]
    Pyramid(crm_pyramid::Error),
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
    /// Inputs that do not belong together: a pyramid of another ledger, a
    /// next period that does not follow the period.
    #[error("{what} does not match: {detail}")]
    Mismatch {
        /// Which input.
        what: &'static str,
        /// What is wrong.
        detail: String,
    },
    /// A migration matrix the measure needs could not be built.
    #[error(transparent)]
    Migration(#[from] crm_migration::Error),
    /// A name that is not a scorecard figure.
    #[error("unknown scorecard figure {name:?}")]
    UnknownFigure {
        /// The name given (cut to 80 characters).
        name: String,
    },
    /// A plan file with problems, each with its line and column.
    #[error("{}", plan_problems(source_name, problems))]
    Plan {
        /// The file's name, as given.
        source_name: String,
        /// Every problem found.
        problems: Vec<crate::scorecard::PlanProblem>,
    },
    /// A sum of money left the range of an amount.
    #[error("amount overflow: {what} leaves the range of an amount (about ±7.9e28)")]
    Overflow {
        /// The figure.
        what: &'static str,
    },
}

fn plan_problems(source: &str, problems: &[crate::scorecard::PlanProblem]) -> String {
    problems
        .iter()
        .map(|p| format!("{source}: {p}"))
        .collect::<Vec<_>>()
        .join("; ")
}

impl From<crm_pyramid::Error> for Error {
    /// Unwraps a core cause, so that it is matched at one level.
    fn from(e: crm_pyramid::Error) -> Error {
        e.into_core().map_or_else(Error::Pyramid, Error::Core)
    }
}
