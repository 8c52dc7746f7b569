//! The migration matrix of the customer pyramid: how customers moved
//! between levels from one period to the next, what that did to the value,
//! who is at risk, and the Markov view over several periods (Pfeifer &
//! Carraway 2000): projection, steady state and lifetime value per level.
//!
//! Most users want the `crm` facade crate, which re-exports this one as
//! `crm::migration`.
//!
//! ```
//! use crm_core::{Ledger, NaiveDate, Period};
//! use crm_migration::{migration, Movement};
//! use crm_pyramid::PyramidOptions;
//!
//! let (a, b): (Period, Period) = ("2024-Q1".parse()?, "2024-Q2".parse()?);
//! let mut ledger = Ledger::new([a, b]); // one pass serves both periods
//! let d = |m, day| NaiveDate::from_ymd_opt(2024, m, day).unwrap();
//! ledger.record_sale("A", d(1, 5), "500".parse()?, None)?;
//! ledger.record_sale("A", d(4, 5), "900".parse()?, None)?;
//! ledger.record_sale("B", d(4, 9), "100".parse()?, None)?;
//! let m = migration(&ledger, &a, &b, &PyramidOptions::new())?;
//! assert_eq!(m.summary.new, 1);
//! let steps: crm_core::Money = m.bridge.steps.iter().map(|s| s.1).sum();
//! assert_eq!(steps, m.bridge.to_total - m.bridge.from_total);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Overview
//!
//! - [`migration`] and [`Migration::between`]: the matrix of two periods,
//!   with its [`Cell`]s, [`MigrationSummary`] and value [`Bridge`].
//! - [`risk_list`]: customers who moved down or lapsed, by value lost.
//! - [`series`]: matrices over consecutive periods and the [`Markov`]
//!   chain they estimate from the pooled counts (the maximum-likelihood
//!   estimate; [`series_with`] and [`Estimator`] keep the average of each
//!   pair's shares as an option); [`parse_periods`] reads `2021..2025`.
//!
//! # Definitions
//!
//! Two periods A (earlier) and B (later). Every customer known by B's end
//! has a level in A and a level in B, levels as in `crm-pyramid`; one not
//! yet known at A's end is `new` in A. The matrix has a row per level in A
//! and a column per level in B, with the count of customers and the sum of
//! their values in A and in B. Levels from high to low: Top, Big, Medium,
//! Small, Inactive, Prospect, Suspect, (new).
//!
//! - **Up**: to a higher active level, or from any level that is not
//!   active into an active one (new and reactivated customers). **Down**:
//!   to a lower active level. **Lapsed**: active in A, inactive in B
//!   (still in the pyramid, can be reactivated). **Stayed**: the same
//!   level. **Lost**: in A's pyramid, out of B's (beyond the inactivity
//!   horizon, the pyramid's *lost*); not in the matrix, counted apart.
//! - **Net movement**: up − down − lapsed. **Net inflow**: new +
//!   reactivated − lapsed, the growth of the active base (moves between
//!   active levels do not change it); the method's health figure.
//! - The change of value B − A splits exactly over the cells: the
//!   [`Bridge`] says where growth came from and where it went.
//! - The cuts are relative, so a customer can change level without
//!   changing spend; that is intended.
//! - Over consecutive periods the transitions estimate a Markov chain over
//!   the levels (Pfeifer & Carraway 2000): the pooled counts over all
//!   pairs, row-normalised (the maximum-likelihood estimate), with the
//!   counts shown; the average of each pair's row shares is an option.
//!   The chain projects the pyramid ahead (with the observed inflow of new
//!   customers) and gives a lifetime value per level: the sum over t of
//!   (Pᵗ v)/(1 + d)ᵗ, with v the average value per level and d the
//!   discount rate per period.
//!
//! # Crate features
//!
//! - `serde`: `Serialize` for the reports.

#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_debug_implementations)]

mod error;
mod markov;
mod matrix;
mod risk;
mod series;

pub use crate::{
    error::{Error, Result},
    markov::{Markov, N as STATE_COUNT, STATES},
    matrix::{Bridge, Cell, Migration, MigrationSummary, Movement, Source, migration},
    risk::{Risk, risk_list},
    series::{Estimator, MAX_PERIODS, MigrationSeries, parse_periods, series, series_with},
};
