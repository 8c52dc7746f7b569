//! The SQLite store of the `crm` customer-marketing toolkit:
//! [`SqliteStore`] implements the `crm-store` interface ([`Store`]) on an
//! embedded SQLite (bundled: nothing to install).
//!
//! Most users want the `crm` facade crate, which re-exports it as
//! `crm::store::SqliteStore` (feature `sqlite`).
//!
//! ```
//! use crm_core::{Customer, CustomerKey, Ledger, Period, Stage};
//! use crm_sqlite::SqliteStore;
//! use crm_store::{load_ledger, Store};
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
//! - Versioned schema, upgraded in place on [`SqliteStore::open`]; files
//!   carry an application id, and another program's database is refused.
//! - [`SqliteStore::open_read_only`] for analyses: nothing written.
//! - WAL, foreign keys, exact money, one write transaction per import
//!   (begun as a writer: a second import waits), idempotent re-imports by
//!   transaction and interaction id; into an empty table the rows go in
//!   first and the indexes are built after (sorted once, not updated at
//!   random).
//! - Erasure that checks its checkpoint, with a suppression list of keyed
//!   hashes of erased keys.

#![deny(missing_docs)]
#![warn(missing_debug_implementations)]

mod schema;
mod store;

pub use crate::store::SqliteStore;

/// The schema version this build writes (`PRAGMA user_version` of its
/// files); an older file is upgraded in place when opened for writing.
pub const SCHEMA_VERSION: i64 = schema::LATEST;
pub use crm_store::Store;
