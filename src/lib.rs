//! The customer-marketing toolkit: turn a company's sales and contact
//! history into the decisions of Jay Curry's Customer Marketing Method.
//!
//! This facade re-exports the `crm-*` crates under short module names, so
//! that one dependency gives the whole toolkit; each crate can also be
//! embedded alone. Data flows one way: rows (a CSV file, a database, or
//! your own code) → the [`Ledger`] (one streaming pass, per-customer
//! aggregates) → the [`pyramid`] per period → reports and exports.
//!
//! ```
//! use crm::{Ledger, NaiveDate, Period};
//! use crm::pyramid::{pyramid, Level, PyramidOptions, PyramidReport};
//!
//! let year: Period = "2024".parse()?;
//! let mut ledger = Ledger::new([year, year.previous_calendar().unwrap()]);
//! let d = |m| NaiveDate::from_ymd_opt(2024, m, 1).unwrap();
//! ledger.record_sale("ACME", d(2), "12000.00".parse()?, Some("3100.00".parse()?))?;
//! ledger.record_sale("Bolt", d(5), "800.00".parse()?, None)?;
//! ledger.record_interaction("Cobra", d(6))?;
//!
//! let now = pyramid(&ledger, &year, &PyramidOptions::new())?;
//! assert_eq!(now.level_of(ledger.id("ACME").unwrap())?, Some(Level::Top));
//! assert_eq!(now.level_of(ledger.id("Cobra").unwrap())?, Some(Level::Prospect));
//! let report = PyramidReport::new(&now, None);
//! assert_eq!(report.active, 2);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Overview
//!
//! - The core model at the root: [`CustomerKey`], [`Money`], [`Period`],
//!   [`Transaction`], [`Customer`], [`Interaction`], [`Lead`], and the
//!   [`Ledger`].
//! - [`pyramid`]: the customer pyramid and its report.
//! - [`migration`]: the migration matrix, value bridge, risk list and
//!   Markov projection.
//! - [`value`]: RFM, profitability and the whale curve, share of wallet,
//!   risk signals, simple lifetime value.
//! - [`clv`]: probabilistic lifetime value (BG/NBD, MBG/NBD, Pareto/NBD,
//!   BG/BB, Gamma-Gamma) with summaries and model checks.
//! - [`strategy`]: from facts to an action per customer under a rulebook
//!   (Curry's five strategies), with explanations, target lists, outcomes
//!   and win-back.
//! - [`chart`]: small accessible SVG charts (pyramid, heatmap, waterfall,
//!   stacked bars, lines, histogram, grid, bars).
//! - [`report`]: the whole picture of a period on one self-contained HTML
//!   page, in English or Dutch.
//! - [`csv`] (feature `csv`): streaming CSV import and safe export.
//! - [`synth`] (feature `synth`): deterministic realistic example data.
//! - `store` (feature `store`, or `sqlite` / `postgres` with a store): the
//!   store interface, the SQLite store and the PostgreSQL store.
//! - `parquet` (feature `parquet`): transactions from Parquet files and
//!   folders, result tables as Parquet.
//!
//! # Crate features
//!
//! - `csv` (default): the CSV adapter.
//! - `synth` (default): the example-data generator (pulls in `rand`).
//! - `store`: the store interface alone (implement it for your own
//!   database; no SQLite).
//! - `conformance`: the store interface and its conformance suite,
//!   `crm::store::conformance`, to test your own store against the
//!   contract the bundled stores pass.
//! - `sqlite`: the store interface and the SQLite store (compiles the
//!   bundled SQLite).
//! - `postgres`: the store interface and the PostgreSQL store (a pure-Rust
//!   client, rustls for TLS).
//! - `parquet`: Parquet input and output (with `csv`; the Arrow `parquet`
//!   crate, some 100 crates more to build).
//! - `serde`: `Serialize`/`Deserialize` on the model and reports.
//! - `proptest`: `proptest` strategies for the model, in
//!   `crm::arbitrary`.

#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_debug_implementations)]

mod error;

pub use crate::error::{Error, Result};
/// The core model's error (keys, amounts, periods, the ledger), as
/// `crm_core::Error`; it converts into [`Error`] as [`Error::Model`].
pub use crm_core::Error as ModelError;
pub use crm_core::{
    Basis, Channel, Consent, Customer, CustomerFacts, CustomerId, CustomerKey, CustomerTotals,
    Datelike, Days, Decimal, Interaction, InteractionKind, Interner, Lead, LeadStage, Ledger,
    LedgerOptions, LedgerStats, LedgerTag, MAX_KEY_LEN, Money, NaiveDate, OpenComplaints, Period,
    PeriodContacts, PeriodFacts, PeriodTotals, Sale, SaleBatch, Stage, Transaction, check_key,
    merge_leads,
};

#[cfg(feature = "proptest")]
#[cfg_attr(docsrs, doc(cfg(feature = "proptest")))]
pub use crm_core::arbitrary;

/// The customer pyramid: levels, cuts, per-customer assignments and the
/// report (the `crm-pyramid` crate).
pub mod pyramid {
    pub use crm_pyramid::*;
}

/// The migration matrix between periods, its value bridge, the risk list
/// and the Markov view (the `crm-migration` crate).
pub mod migration {
    pub use crm_migration::*;
}

/// What each customer is worth: RFM, profitability and the whale curve,
/// share of wallet, risk signals, simple lifetime value (the `crm-value`
/// crate).
pub mod value {
    pub use crm_value::*;
}

/// Probabilistic lifetime value: BG/NBD, MBG/NBD, Pareto/NBD, BG/BB and
/// Gamma-Gamma, summaries, model checks (the `crm-clv` crate).
pub mod clv {
    pub use crm_clv::*;
}

/// Strategy: per-customer facts, rulebooks as data, actions with consent
/// and contact pressure, explanations, target lists, outcomes and win-back
/// (the `crm-strategy` crate).
pub mod strategy {
    pub use crm_strategy::*;
}

/// Operational measures: lead to order, complaints, campaign results and
/// the scorecard (the `crm-ops` crate).
pub mod ops {
    pub use crm_ops::*;
}

/// Small, accessible, deterministic SVG charts (the `crm-chart` crate).
pub mod chart {
    pub use crm_chart::*;
}

/// The customer report as data and as one HTML page (the `crm-report`
/// crate).
pub mod report {
    pub use crm_report::*;
}

/// Streaming CSV import into a ledger and safe CSV export (the `crm-csv`
/// crate).
#[cfg(feature = "csv")]
#[cfg_attr(docsrs, doc(cfg(feature = "csv")))]
pub mod csv {
    pub use crm_csv::*;
}

/// Parquet input and output (the `crm-parquet` crate; feature `parquet`):
/// transactions from Parquet files or folders into a ledger, with the
/// CSV reader's result for the same rows, and result tables as Parquet.
#[cfg(feature = "parquet")]
#[cfg_attr(docsrs, doc(cfg(feature = "parquet")))]
pub mod parquet {
    pub use crm_parquet::*;
}

/// Storage: the store interface (the `crm-store` crate; feature `store`)
/// and, with feature `sqlite`, the SQLite store (the `crm-sqlite` crate's
/// [`SqliteStore`](crm_sqlite::SqliteStore)); with feature `postgres`, the
/// PostgreSQL store (the `crm-postgres` crate's
/// [`PostgresStore`](crm_postgres::PostgresStore)).
#[cfg(feature = "store")]
#[cfg_attr(docsrs, doc(cfg(feature = "store")))]
pub mod store {
    pub use crm_store::*;

    /// The conformance suite: the [`Store`] contract as tests that any
    /// implementation runs (feature `conformance`):
    /// `crm::store::conformance::run(MyStore::new)` in a test.
    #[cfg(feature = "conformance")]
    #[cfg_attr(docsrs, doc(cfg(feature = "conformance")))]
    pub use crm_store::conformance;

    #[cfg(feature = "postgres")]
    #[cfg_attr(docsrs, doc(cfg(feature = "postgres")))]
    pub use crm_postgres::PostgresStore;
    #[cfg(feature = "sqlite")]
    #[cfg_attr(docsrs, doc(cfg(feature = "sqlite")))]
    pub use crm_sqlite::SqliteStore;
}

/// Deterministic realistic example data (the `crm-synth` crate).
#[cfg(feature = "synth")]
#[cfg_attr(docsrs, doc(cfg(feature = "synth")))]
pub mod synth {
    pub use crm_synth::*;
}

// The README's examples are compiled and run as doctests, so that it stays
// true. Not public API.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
