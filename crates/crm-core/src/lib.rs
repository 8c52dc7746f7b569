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
//! let totals = ledger.period_totals(id, ledger.period_index(&year)?);
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
//!   of DOMAIN section 1.
//! - [`Ledger`]: per-customer aggregates ([`CustomerTotals`],
//!   [`PeriodTotals`]) behind dense [`CustomerId`]s.
//!
//! # Crate features
//!
//! - `serde`: `Serialize`/`Deserialize` for the model (money as decimal
//!   strings, periods as `{"start", "end"}`).
//! - `proptest`: strategies for property tests in [`arbitrary`].

#![deny(missing_docs)]
#![warn(missing_debug_implementations)]

#[cfg(feature = "proptest")]
pub mod arbitrary;
mod contact;
mod error;
mod interner;
mod key;
mod ledger;
mod model;
mod money;
mod period;

pub use crate::{
    contact::{OpenComplaints, PeriodContacts},
    error::{Error, Result},
    interner::{CustomerId, Interner},
    key::{CustomerKey, MAX_KEY_LEN, check_key},
    ledger::{CustomerTotals, Ledger, LedgerOptions, LedgerStats, PeriodTotals, Sale, SaleBatch},
    model::{
        Basis, Channel, Consent, Customer, Interaction, InteractionKind, Lead, LeadStage, Stage,
        Transaction,
    },
    money::Money,
    period::Period,
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
