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
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_debug_implementations)]

mod error;
mod funnel;

pub use error::{Error, Result};
pub use funnel::{
    AcquisitionRates, Funnel, FunnelGroup, FunnelOptions, GroupBy, LostReason, Pipeline, Quality,
    StageFigures, StaleLead, WinProbability, acquisition_rates, funnel,
};
