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
//! # Complaints
//!
//! [`complaints`]: complaints received, resolved and open per period, days
//! to resolve, the share resolved within a service level, who complained
//! (pyramid level, value), and retention in the next period of three
//! groups: no complaint, complaint resolved, complaint unresolved. A
//! resolution closes the oldest open complaint of the same customer (see
//! [`crm_core::Ledger::complaint_history`]).
//!
//! # Campaign results
//!
//! What a campaign changed against the group held out from it: response
//! rate, buyers, revenue per customer, uplift with 95% intervals (Newcombe
//! for the response rate, Welch for revenue), cost per response, and the
//! pyramid movement of each group.
//!
//! A campaign's sends are interactions of kind `campaign-sent` with the
//! campaign's name in [`Interaction::campaign`](crm_core::Interaction::campaign); its control group is the
//! list `crm actions --control` held out (the customers of the selection
//! with the smallest [`control_hash`](crm_strategy::control_hash) of campaign and key). Measuring
//! streams the interactions, then the transactions, into per-customer
//! aggregates of the campaign's customers only:
//!
//! 1. [`CampaignMeasure::new`], then [`CampaignMeasure::add_interaction`]
//!    for every interaction (sends of this campaign; responses);
//! 2. [`CampaignMeasure::set_control`] with the control group's keys;
//! 3. [`CampaignMeasure::add_sale`] for every transaction;
//! 4. [`CampaignMeasure::finish`], with the pyramids before and after for
//!    the movement.
//!
//! Definitions:
//! - a treated customer is one with a send of the campaign (the first send
//!   is its day 0); a control customer is on the control list without a
//!   send (one with a send is treated, and counted in
//!   `control_with_send`); the two groups are disjoint and the treated
//!   group is exactly the customers sent to;
//! - the control group's day 0 is the campaign's first send;
//! - the window is day 0 to day 0 + `window_days`, both included (a
//!   purchase on day 30 of a 30-day window counts, day 31 does not);
//! - a customer responded when it has a `campaign-response` of this
//!   campaign (or without a campaign) or a purchase (revenue > 0) in its
//!   window; a buyer has a purchase in it; revenue is the revenue in it;
//! - uplift of the response rate: treated minus control, with Newcombe's
//!   hybrid score interval (method 10 of Newcombe 1998: the Wilson
//!   intervals of the two proportions combined) at 95%;
//! - uplift of revenue per customer: the difference of the means, with
//!   Welch's interval (unequal variances, Welch–Satterthwaite degrees of
//!   freedom; the t quantile by the Cornish–Fisher expansion, within 0.2%
//!   of the exact one from 3 degrees of freedom on, exact for 1 and 2);
//! - cost per response: the summed cost of the sends (their `cost`) over
//!   the treated responders; per extra response: over the responders
//!   beyond the control rate (`uplift × treated`), when the uplift is
//!   positive.
//!
//! # The scorecard
//!
//! [`scorecard`]: one page of the figures the method steers by, each beside
//! the method's benchmark and, with a plan, beside the target and the gap.
//!
//! Every figure comes from an analysis the toolkit already has: the
//! pyramids (top 20% share, existing customers, lost, retention, survival),
//! the migration matrix (new, reactivated, average value of new and loyal
//! customers), profitability (top 20% share of profit), share of wallet
//! (Small customers with a low share), the complaint report of the
//! previous period (complainer retention) and a campaign measurement. A
//! figure whose input was not given has no value and says which input
//! would give it.
//!
//! Shares are exact decimals (`None` when there is nothing to divide by);
//! day counts are summarised by [`DaysSummary`].
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_debug_implementations)]

mod campaign;
mod complaints;
mod error;
mod funnel;
mod scorecard;
mod stats;

pub use campaign::{
    CampaignMeasure, CampaignOptions, CampaignResult, GroupResult, Uplift, newcombe, t_quantile,
    welch, wilson,
};
pub use complaints::{
    ComplaintGroup, ComplaintOptions, ComplaintReport, GroupRetention, LevelComplaints, complaints,
    group_of,
};
pub use error::{Error, Result};
pub use funnel::{
    AcquisitionRates, Funnel, FunnelGroup, FunnelOptions, GroupBy, LostReason, Pipeline, Quality,
    StageFigures, StaleLead, WinProbability, acquisition_rates, funnel,
};
pub use scorecard::{
    Benchmark, Direction, Figure, FigureName, LOW_WALLET_SHARE, PlanProblem, Scorecard,
    ScorecardInputs, ScorecardPlan, Unit, scorecard,
};

/// The scorecard's targets, under their 0.1 name.
#[deprecated(
    since = "0.2.0",
    note = "renamed `ScorecardPlan`: `Plan` is the strategy crate's plan of actions"
)]
pub type Plan = ScorecardPlan;
pub use stats::DaysSummary;
