//! The storage interface of the `crm` customer-marketing toolkit: the
//! [`Store`] trait that the analyses read through, its records and
//! reports, its [`Error`], and [`load_ledger`].
//!
//! This crate holds no database. The `crm-sqlite` crate implements
//! [`Store`] on an embedded SQLite; integrators with their own database
//! implement it themselves, get every analysis through [`load_ledger`], and
//! check their implementation with the conformance suite (feature
//! `conformance`). Most users want the `crm` facade crate, which re-exports
//! this one as `crm::store` (feature `store`, or `sqlite` with the SQLite
//! store).
//!
//! ```
//! use crm_core::{Customer, CustomerKey, Stage};
//! use crm_store::{ImportSummary, Record, Store};
//!
//! // An integrator's store would write to its database here.
//! fn import_all(store: &mut dyn Store, rows: Vec<Record>) -> crm_store::Result<ImportSummary> {
//!     store.import(&mut rows.into_iter().map(Ok))
//! }
//! let c = Customer::new(CustomerKey::new("ACME")?, Stage::Prospect);
//! let rows = vec![Record::Customer(c)];
//! # let _ = (import_all, rows);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Overview
//!
//! - [`Store`]: imports of records of every kind in one transaction that
//!   report new, duplicate and suppressed rows, the ledger's input
//!   streamed back (all of it, or what is dated before a day; in any
//!   order, as the ledger does not depend on it), one customer's [`History`] (the right of
//!   access) and [`Store::erase`] (the right to erasure, with a
//!   suppression list).
//! - [`Record`], [`ImportSummary`], [`Imported`], [`History`] (with a
//!   public constructor, for implementations), [`Erased`].
//! - [`MIN_DATE`] and [`MAX_DATE`]: the dates a store keeps.
//! - [`stage_dates_to_text`], [`stage_dates_from_text`] and
//!   [`keyed_hash`]: how the built-in stores keep a lead's stage dates and
//!   the suppression list's digests, for other stores to keep the same.
//!
//! # Crate features
//!
//! - `serde`: `Serialize` for [`History`], [`Imported`],
//!   [`ImportSummary`] and [`Erased`].
//! - `conformance`: the `conformance` module, the [`Store`] contract as a
//!   test suite that any implementation runs.

#![deny(missing_docs)]
#![warn(missing_debug_implementations)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod codec;
#[cfg(feature = "conformance")]
#[cfg_attr(docsrs, doc(cfg(feature = "conformance")))]
pub mod conformance;
mod error;
mod store;

pub use crate::{
    codec::{keyed_hash, stage_dates_from_text, stage_dates_to_text},
    error::{Error, Result},
    store::{
        BoxError, Erased, History, ImportSummary, Imported, MAX_DATE, MIN_DATE, Record, Rows,
        Store, check_date, is_before, load_ledger, load_register_and_contacts, load_sequentially,
    },
};
