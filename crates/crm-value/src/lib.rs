//! What each customer is worth (the non-probabilistic measures): RFM scores and segments, profitability (margin minus cost to
//! serve) with the whale curve, share of wallet, risk signals, and simple
//! lifetime value with the economics of retention.
//!
//! Most users want the `crm` facade crate, which re-exports this one as
//! `crm::value`. Every analysis is a function of a [`crm_core::Ledger`]
//! (and, where needed, pyramids, interactions or the register's potential).
//!
//! ```
//! use crm_core::{Ledger, LedgerOptions, NaiveDate};
//! use crm_value::{rfm, rfm_period, RfmOptions};
//!
//! let as_of = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
//! let mut ledger = Ledger::with_options([rfm_period(as_of)?], LedgerOptions::new().purchase_days(true));
//! for (key, day) in [("A", 1), ("A", 20), ("B", 5)] {
//!     ledger.record_sale(key, NaiveDate::from_ymd_opt(2024, 12, day).unwrap(), "10".parse()?, None)?;
//! }
//! let r = rfm(&ledger, as_of, &RfmOptions::new())?;
//! assert_eq!(r.scores[0].customer, "A");
//! assert_eq!((r.scores[0].recency_days, r.scores[0].frequency), (12, 2));
//! assert!(r.scores[0].f > r.scores[1].f);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Overview
//!
//! - [`rfm`]: recency, frequency, monetary; quintile scores where ties
//!   share a score; segments from [`default_segments`] or your own rules;
//!   [`rfm_grid`]: the same scores counted per R × F cell and per segment,
//!   without a row per customer.
//! - [`profitability`] with a [`CostTable`]: profit per customer, the
//!   [`WhaleCurve`] (drawn by [`whale_svg`] or [`whale_chart`]), the profit
//!   pyramid.
//! - [`share_of_wallet`]: share and growth room from the register's
//!   potential (scaled to the period by [`year_fraction`]: a calendar year
//!   is one year); undefined potentials are listed, not guessed; the Small
//!   and Medium customers to develop ranked by share of wallet
//!   ([`DevelopBy`]).
//! - [`risk`]: four signals, each reported on its own; P(alive) is a
//!   parameter for when a lifetime-value model is fitted.
//! - [`simple_clv`] and [`retention_economics`].
//!
//! # Crate features
//!
//! - `serde`: `Serialize` for the reports; `Deserialize` for [`CostTable`]
//!   and [`SegmentRule`] (TOML or JSON files).

#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_debug_implementations)]

mod clv;
mod error;
mod profit;
mod rfm;
mod risk;
mod wallet;

pub use crate::{
    clv::{RetentionEconomics, RetentionInputs, retention_economics, simple_clv},
    error::{Error, Result},
    profit::{
        CostSource, CostTable, CostToServe, CostsUsed, CustomerProfit, Profitability, WhaleCurve,
        profit_by_id, profitability, profitability_of, profitability_with_ids, whale_chart,
        whale_curve, whale_svg,
    },
    rfm::{
        Rfm, RfmGrid, RfmOptions, RfmScore, SegmentRule, default_segments, quintile_scores, rfm,
        rfm_grid, rfm_period,
    },
    risk::{AtRisk, RiskOptions, Signal, risk},
    wallet::{
        DevelopBy, Wallet, WalletOptions, WalletShare, share_of_wallet, share_of_wallet_by_id,
        share_of_wallet_with, year_fraction,
    },
};

pub(crate) use crate::error::overflow;
