//! Probabilistic customer lifetime value: the "buy till you die" models.
//!
//! From nothing but each customer's purchase history — how many repeat
//! purchases (`frequency`), when the last one was (`recency`) and how long
//! the customer has been known (`T`) — these models tell which customers
//! are still alive, how much each will buy, and (with a spend model) what
//! each is worth:
//!
//! - [`BgNbd`], [`MbgNbd`], [`ParetoNbd`]: purchases in continuous time;
//! - [`BgBb`]: purchases at discrete opportunities (with weights);
//! - [`GammaGamma`]: the value of a purchase;
//! - [`lifetime_value`]: discounted value over a horizon in months.
//!
//! Summaries come from transactions ([`SummaryBuilder`], the definitions
//! of the Python `lifetimes` package) or from a summary file
//! ([`read_summaries`]). Fits maximise the likelihood on the distinct
//! histories with exact gradients (forward-mode differentiation through
//! every special function, the hypergeometric series included) and a
//! quasi-Newton method; standard errors come from the Hessian. The
//! hypergeometric terms are evaluated in the Euler-transformed forms whose
//! parameters do not grow with the frequency, so predictions stay finite
//! for customers with tens of thousands of purchases.
//!
//! ```
//! use crm_clv::{BgNbd, FitOptions, PurchaseModel, Summary};
//!
//! // frequency, recency, T (weeks)
//! let data: Vec<Summary> = [(2, 30.4, 38.9), (1, 1.7, 38.9), (0, 0.0, 38.9), (0, 0.0, 38.9),
//!     (0, 0.0, 38.9), (7, 29.4, 38.9), (1, 5.0, 38.9), (0, 0.0, 38.9), (2, 35.7, 38.9),
//!     (0, 0.0, 38.9), (5, 24.3, 38.9), (0, 0.0, 38.7), (10, 34.1, 38.7), (1, 4.9, 38.7)]
//!     .into_iter()
//!     .map(|(x, tx, t)| Summary::new(x, tx, t))
//!     .collect();
//! let fit = BgNbd::fit(&data, &FitOptions::new())?;
//! let customer = Summary::new(2, 30.4, 38.9);
//! let alive = fit.model.p_alive(&customer)?;
//! let next_year = fit.model.expected_purchases(&customer, 52.0)?;
//! assert!(alive > 0.0 && alive <= 1.0 && next_year > 0.0);
//! # Ok::<(), crm_clv::Error>(())
//! ```
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

/// Declares a model's parameter struct: private fields (only `new`, the
/// fits and deserialisation, which all validate, build one), a getter per
/// parameter, and `Deserialize` through `new`.
macro_rules! parameters {
    (
        $(#[$meta:meta])*
        $name:ident { $( #[doc = $doc:literal] $field:ident ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize))]
        pub struct $name {
            $( pub(crate) $field: f64, )+
        }

        impl $name {
            $(
                #[doc = $doc]
                pub fn $field(&self) -> f64 {
                    self.$field
                }
            )+
        }

        #[cfg(feature = "serde")]
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
                #[derive(serde::Deserialize)]
                #[serde(deny_unknown_fields)]
                struct Raw {
                    $( $field: f64, )+
                }
                let raw = Raw::deserialize(d)?;
                $name::new($(raw.$field),+).map_err(serde::de::Error::custom)
            }
        }
    };
}

mod bgbb;
mod bgnbd;
pub mod checks;
mod clv;
mod error;
mod fit;
mod gamma_gamma;
mod optim;
mod pnbd;
mod real;
#[cfg(feature = "simulate")]
pub mod simulate;
mod special;
mod summary;

#[allow(deprecated)]
pub use crate::error::ClvError;
pub use crate::{
    bgbb::{BgBb, MAX_OPPORTUNITIES},
    bgnbd::{BgNbd, MbgNbd},
    clv::{LifetimeOptions, lifetime_value},
    error::{Error, Result},
    fit::{Fit, FitOptions, Parameters},
    gamma_gamma::{GammaGamma, LeftOut},
    pnbd::ParetoNbd,
    special::{MAX_SERIES_TERMS, SeriesError, hyp2f1, ln_hyp2f1},
    summary::{
        DAYS_PER_MONTH, Holdout, Summaries, Summary, SummaryBuilder, TimeUnit, Timeline,
        from_ledger, read_summaries, read_summaries_from,
    },
};

/// What a purchase model predicts for a customer.
///
/// Times are in the unit the model was fitted in (for [`BgBb`], whole
/// opportunities).
pub trait PurchaseModel {
    /// The model's name (`bg-nbd`, `mbg-nbd`, `pareto-nbd`, `bg-bb`).
    fn name(&self) -> &'static str;

    /// The probability that the customer is still alive at the end of the
    /// history (for [`BgBb`], at the next opportunity).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidSummary`] for an inconsistent history;
    /// [`Error::Series`] when a series does not converge.
    fn p_alive(&self, customer: &Summary) -> Result<f64>;

    /// The expected number of purchases in the next `t` time units.
    ///
    /// # Errors
    ///
    /// As [`PurchaseModel::p_alive`]; [`Error::InvalidArgument`] for a
    /// negative or non-finite `t`.
    fn expected_purchases(&self, customer: &Summary, t: f64) -> Result<f64>;

    /// The expected number of repeat purchases in the first `t` time units
    /// of a new customer.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] for a negative or non-finite `t`;
    /// [`Error::Series`] when a series does not converge.
    fn expected_purchases_new(&self, t: f64) -> Result<f64>;

    /// [`PurchaseModel::expected_purchases`] over each of `horizons`. A
    /// model may share work between them when they increase (BG/NBD and
    /// MBG/NBD continue their series from one horizon to the next, so that
    /// a horizon per month costs the same for month 1,000 as for month 1).
    ///
    /// # Errors
    ///
    /// As [`PurchaseModel::expected_purchases`].
    fn expected_purchases_along(&self, customer: &Summary, horizons: &[f64]) -> Result<Vec<f64>> {
        horizons
            .iter()
            .map(|&t| self.expected_purchases(customer, t))
            .collect()
    }
}
