//! The core model of the `crm` customer-marketing toolkit: customer keys,
//! exact money, half-open periods, the records (transactions, customers,
//! interactions, leads), and the [`Ledger`]: one streaming pass over the
//! history into per-customer aggregates that every analysis reads.
//!
//! Most users want the `crm` facade crate, which re-exports this one
//! together with the analyses and the file adapters. This crate does no I/O
//! and has few dependencies, so that another CRM can embed it alone.
//!
//! ```
//! use crm_core::{Basis, Ledger, Period};
//! use chrono::NaiveDate;
//!
//! let year: Period = "2024".parse()?;
//! let mut ledger = Ledger::new([year]);
//! let date = NaiveDate::from_ymd_opt(2024, 5, 17).unwrap();
//! ledger.record_sale("C-17", date, "250.00".parse()?, Some("75.00".parse()?))?;
//! let id = ledger.id("C-17").unwrap();
//! let totals = ledger.period_totals(id, ledger.period_index(&year)?)?;
//! assert_eq!(totals.value(Basis::Margin).to_string(), "75.00");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Overview
//!
//! - [`CustomerKey`], [`Money`] and [`Period`]: validated newtypes for the
//!   integrator's ids, exact amounts (`rust_decimal`) and `[start, end)`
//!   date ranges with the shorthands `2024`, `2024-Q3`, `2024-07`.
//! - [`Transaction`], [`Customer`], [`Interaction`], [`Lead`]: the records
//!   defined below.
//! - [`Ledger`]: per-customer aggregates ([`CustomerTotals`],
//!   [`PeriodTotals`]) behind dense [`CustomerId`]s.
//! - [`CustomerFacts`]: the ledger's input as one row per customer, for
//!   engines (databases) that aggregate the transactions themselves
//!   ([`Ledger::record_facts`]).
//!
//! # Definitions
//!
//! - A **customer** is a party that buys or could buy, identified by the
//!   integrator's own key (a string). Its lifecycle stage is `suspect` (in
//!   the target market, never contacted), `prospect` (contacted, never
//!   bought) or `customer` (has bought). The register may add a name,
//!   segment, region, acquisition date, potential (the yearly spend the
//!   customer has in our category) and consent per channel.
//! - A **transaction** is one sale or credit note: key, date, revenue
//!   (negative for a credit note), optional margin, quantity, transaction
//!   id (for idempotent re-imports) and product. One currency per data set.
//! - An **interaction** is a contact moment: key, date, kind (visit, call,
//!   e-mail, meeting, quote, complaint, complaint resolved, campaign
//!   response, other), optional cost and note.
//! - A **lead** is an opportunity on the road from lead to order: an id,
//!   the customer or prospect, owner, source, value, its stage history
//!   (the date each of `lead`, `qualified`, `quote`, `won`, `lost` was
//!   entered), the current stage and, when lost, the reason. Rows with the
//!   same id are one lead ([`merge_leads`]); rows without an id (older
//!   files) are told apart by their whole content.
//! - A **period** is a half-open date range `[start, end)`; the previous
//!   period has the same length, or is the previous calendar unit.
//! - The **ledger** holds, per customer, the value on both bases (revenue
//!   and margin) in each tracked period, the first and last transaction
//!   and purchase (positive value), counts, whether there was a purchase
//!   before each period, and optionally the purchase days. It is built in
//!   one pass; memory grows with the customers, not with the rows.
//!
//! # JSON
//!
//! With the `serde` feature, every crate of the toolkit serialises its
//! results by one rule, which the `crm` command's `--format json` follows
//! too (it prints these types):
//!
//! - money and shares (a part of a whole: share of customers, conversion,
//!   retention rate) are decimal strings, normalised (`"12.5"`, never
//!   `"12.50"`; no exponent), through [`Money`]'s `Serialize`,
//!   `decimal_str` for a plain [`Decimal`] and `share_str` for a share
//!   kept as `f64` (both with the `serde` feature), so that rust_decimal's
//!   `serde-float`, turned on by any other crate of a build, does not
//!   change them;
//! - every share computed as a quotient is rounded to [`SHARE_DECIMALS`]
//!   (6) places half to even by [`share`] / [`round_share`] /
//!   [`share_f64`], and every average of money to cents by [`average`],
//!   so one figure has one text whichever type carries it;
//! - counts are JSON integers;
//! - statistics (fitted parameters, predictions, probabilities of a model,
//!   intervals, means and medians of days) are JSON numbers;
//! - dates are `"YYYY-MM-DD"`, a [`Period`] is `{"start", "end"}` (end
//!   excluded); keys are `snake_case`; a list of pairs is a list of
//!   objects; a value per basis is `{"revenue", "margin"}`.
//!
//! # Crate features
//!
//! - `serde`: `Serialize`/`Deserialize` for the model (money as decimal
//!   strings, periods as `{"start", "end"}`).
//! - `proptest`: strategies for property tests in the `arbitrary` module.

#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_debug_implementations)]

#[cfg(feature = "proptest")]
pub mod arbitrary;
mod contact;
mod error;
mod facts;
mod interner;
mod key;
mod ledger;
mod model;
mod money;
mod outcome;
mod period;
mod share;

#[cfg(feature = "serde")]
pub use crate::money::{decimal_str, share_str};
pub use crate::{
    contact::{ComplaintCase, ComplaintHistory, OpenComplaints, PeriodContacts},
    error::{Error, Result},
    facts::{CustomerFacts, PeriodFacts},
    interner::{CustomerId, Interner, LedgerTag},
    key::{CustomerKey, MAX_KEY_LEN, check_key, is_plain_ascii_key},
    ledger::{CustomerTotals, Ledger, LedgerOptions, LedgerStats, PeriodTotals, Sale, SaleBatch},
    model::{
        Basis, Channel, Consent, Customer, Interaction, InteractionKind, Lead, LeadStage, Stage,
        Transaction, merge_leads,
    },
    money::Money,
    outcome::{Outcome, OutcomeStatus},
    period::Period,
    share::{
        MONEY_AVERAGE_DECIMALS, SHARE_DECIMALS, average, round_share, share, share_f64,
        share_to_f64,
    },
};

/// Year, month and day accessors of [`NaiveDate`], re-exported from chrono.
pub use chrono::Datelike;
/// Day counts for date arithmetic (`date + Days::new(7)`), re-exported from chrono.
pub use chrono::Days;
/// The date type used throughout, re-exported so that users need not name
/// chrono's version.
pub use chrono::NaiveDate;
/// The decimal type behind [`Money`], re-exported for the same reason.
pub use rust_decimal::Decimal;
