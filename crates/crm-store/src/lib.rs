//! Storage for the `crm` customer-marketing toolkit: the [`Store`]
//! interface that the analyses read through, and [`SqliteStore`], its
//! implementation on an embedded SQLite (bundled: nothing to install).
//!
//! Most users want the `crm` facade crate, which re-exports this one as
//! `crm::store` (feature `sqlite`). Integrators with their own database
//! implement [`Store`] and get every analysis through [`load_ledger`].
//!
//! ```
//! use crm_core::{Customer, CustomerKey, Ledger, Period, Stage};
//! use crm_store::{load_ledger, SqliteStore, Store};
//!
//! let mut store = SqliteStore::open_in_memory()?;
//! let c = Customer::new(CustomerKey::new("ACME")?, Stage::Prospect);
//! store.import_customers(&mut std::iter::once(Ok(c)))?;
//! let mut ledger = Ledger::new(["2025".parse::<Period>()?]);
//! load_ledger(&store, &mut ledger)?;
//! assert_eq!(ledger.len(), 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Overview
//!
//! - [`Store`]: atomic imports that report new and duplicate rows, the
//!   ledger's input streamed back by period, one customer's [`History`]
//!   (the right of access) and [`Store::erase`] (the right to erasure).
//! - [`SqliteStore`]: versioned schema migrated on open, WAL, foreign keys,
//!   exact money, idempotent re-imports by transaction id.
//!
//! # Crate features
//!
//! - `serde`: `Serialize` for [`History`], [`Imported`] and [`Erased`].

#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_debug_implementations)]

mod error;
mod schema;
mod sqlite;
mod store;

pub use crate::{
    error::{Error, Result},
    sqlite::SqliteStore,
    store::{Erased, History, Imported, Store, load_ledger},
};
