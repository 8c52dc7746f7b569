//! Strategy for the `crm` customer-marketing toolkit: per customer, which
//! of Curry's five strategies applies, how urgent it is, who acts, through
//! which channel, and why.
//!
//! Most users want the `crm` facade crate, which re-exports this one as
//! `crm::strategy`. This crate does no I/O: it reads rulebooks from
//! strings and facts from the other analyses' results.
//!
//! ```
//! use crm_core::{Ledger, NaiveDate, Period};
//! use crm_pyramid::{pyramid, PyramidOptions};
//! use crm_strategy::{plan, FactsBuilder, Rulebook, Strategy};
//!
//! let (y24, y25): (Period, Period) = ("2024".parse()?, "2025".parse()?);
//! let mut ledger = Ledger::new([y24, y25]);
//! let d = |y, m| NaiveDate::from_ymd_opt(y, m, 1).unwrap();
//! ledger.record_sale("ACME", d(2024, 2), "9000".parse()?, Some("2500".parse()?))?;
//! ledger.record_sale("ACME", d(2025, 2), "3000".parse()?, Some("800".parse()?))?;
//! ledger.record_sale("Bolt", d(2025, 6), "700".parse()?, Some("90".parse()?))?;
//!
//! let now = pyramid(&ledger, &y25, &PyramidOptions::new())?;
//! let before = pyramid(&ledger, &y24, &PyramidOptions::new())?;
//! let facts = FactsBuilder::new(&ledger, &now).history([&before]).build()?;
//! let plan = plan(&facts, &Rulebook::curry());
//! let acme = plan.actions.iter().find(|a| a.customer == "ACME").unwrap();
//! assert_eq!((acme.rule.as_str(), acme.strategy), ("risk-dropped", Strategy::Retain));
//! assert_eq!(acme.because[1].test, "< -30"); // value fell by 66.67%
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Overview
//!
//! - [`Facts`] of one customer, typed ([`Fact`], [`FactKind`]), assembled by
//!   a [`FactsBuilder`] from the ledger, the pyramids of the period and the
//!   ones before, the register, profitability, leads and a lifetime-value
//!   model. An unknown fact stays unknown: a test on it is neither true
//!   nor false, and the rule does not fire.
//! - [`Rulebook`]: rules as data (TOML or JSON), validated with every
//!   problem's line and column, compiled once so that evaluation does no
//!   string lookups. [`DEFAULT_RULES`] is the method as data.
//! - [`plan`] turns facts into [`Action`]s under the rulebook's
//!   [`Policy`], with consent and contact pressure, stable ids and the
//!   reasons; [`Rulebook::explain`] tells for one customer what every rule
//!   made of them.
//! - [`winback`]: reactivation rates per (best former level, periods
//!   lapsed) from the history, and former customers ranked by expected
//!   margin.
//! - [`Outcome`]s close the loop: recently declined actions are not
//!   proposed again, and the acceptance rate per rule and owner is
//!   reported.
//! - [`target_list`]: one campaign's list for one channel, with everyone
//!   left out counted by reason and a control group held out by a seeded
//!   hash.
//!
//! # Crate features
//!
//! - `serde`: `Serialize` for actions, plans, explanations and reports.

#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_debug_implementations)]

mod error;
mod eval;
mod fact;
mod node;
mod outcome;
mod plan;
mod rulebook;
mod target;
mod winback;

/// An outcome and its status live in `crm-core` (a store keeps them);
/// re-exported here, where they are used.
pub use crm_core::{Outcome, OutcomeStatus};

pub use crate::{
    error::{Error, Position, Problem, ProblemKind, Result},
    eval::Check,
    fact::{Fact, FactKind, FactTable, FactValue, Facts, FactsBuilder},
    outcome::{
        Acceptance, AcceptanceReport, acceptance, declined_recently, explain_declined,
        suppress_declined,
    },
    plan::{
        ACTION_NAMESPACE, Action, BlockReason, Blocked, Overview, Plan, PlanSummary, RuleVerdict,
        Verdict, action_id, decide, overview, plan,
    },
    rulebook::{
        ActionChannel, ActionSpec, DEFAULT_RULES, Format, MAX_RULES, Policy, Rule, Rulebook,
        Strategy,
    },
    target::{Control, LeftOut, Placement, TargetList, control_hash, target_list},
    winback::{FormerCustomer, MIN_CELL_CUSTOMERS, ReactivationRate, WinBack, winback},
};
