//! Operational measures: the half of the method that measures the actions.
//!
//! The pyramid and the migration matrix measure the customers; this crate
//! measures what is done with them: how leads become orders, how complaints
//! are handled and what that does to retention, what a campaign changed
//! against the group held out from it, and one scorecard of the figures the
//! method steers by. Each measure is a plain function over the ledger (and
//! leads); nothing here reads a file or a database.
//!
//! # From lead to order
//!
//! [`funnel`] follows the leads created in a period through the stages
//! `lead`, `qualified`, `quote` to `won` (or `lost`, anywhere), as they
//! stood at the period's end: how many reached each stage (a stage
//! skipped counts as passed), the conversion from stage to stage, the
//! median days in each stage, the win rate and the lost reasons, in total
//! and per owner or source ([`FunnelOptions`]). Beside it: the pipeline
//! (open value weighted by P(win | stage), estimated from the closed leads
//! of the history, with the counts), the stale open leads, and the quality
//! of acquisition (the pyramid level of customers won from leads one
//! period after their first order, by source and owner). Without leads,
//! [`acquisition_rates`] reads the suspect → prospect → customer rates
//! from a migration matrix.
//!
//! - [`complaints`]: complaints received, resolved and open per period,
//!   days to resolve, the share resolved within a service level, who
//!   complained (pyramid level, value), and retention in the next period
//!   of three groups: no complaint, complaint resolved, complaint
//!   unresolved. A resolution closes the oldest open complaint of the same
//!   customer (see [`crm_core::Ledger::complaint_history`]).
//! - [`campaign`]: a campaign's sends against its control group: response
//!   rate, buyers, revenue per customer, uplift with 95% intervals
//!   (Newcombe for the response rate, Welch for revenue), cost per
//!   response, and the pyramid movement of each group.
//! - [`scorecard`]: one page of the figures the method steers by, each
//!   beside the method's benchmark and a plan's target, read from the
//!   pyramids, the migration matrix, profitability, share of wallet, the
//!   complaint report and a campaign measurement; a figure whose input is
//!   missing says which input would give it.
//!
//! Shares are exact decimals (`None` when there is nothing to divide by);
//! day counts are summarised by [`DaysSummary`].
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_debug_implementations)]

pub mod campaign;
pub mod complaints;
mod error;
mod funnel;
pub mod scorecard;
mod stats;

pub use error::{Error, Result};
pub use funnel::{
    AcquisitionRates, Funnel, FunnelGroup, FunnelOptions, GroupBy, LostReason, Pipeline, Quality,
    StageFigures, StaleLead, WinProbability, acquisition_rates, funnel,
};
pub use stats::DaysSummary;
