//! The PostgreSQL store of the `crm` customer-marketing toolkit:
//! [`PostgresStore`] implements the `crm-store` interface ([`Store`]) on a
//! PostgreSQL server (13 or later), for a team that shares one database.
//!
//! Most users want the `crm` facade crate, which re-exports it as
//! `crm::store::PostgresStore` (feature `postgres`), or the `crm` command
//! with `--db postgres://...`.
//!
//! ```no_run
//! use crm_core::{Ledger, Period};
//! use crm_postgres::PostgresStore;
//! use crm_store::load_ledger;
//!
//! let store = PostgresStore::open_read_only("postgres://analyst@db.example/crm?sslmode=require")?;
//! let mut ledger = Ledger::new(["2025".parse::<Period>()?]);
//! load_ledger(&store, &mut ledger)?; // one row per customer over the wire
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Why the synchronous client
//!
//! The [`Store`] interface is synchronous, and so are its callers (the
//! CLI, the analyses). The `postgres` crate is the blocking facade of
//! `tokio-postgres`, kept by the same maintainers: it runs a
//! single-threaded runtime inside the client, so this crate needs no
//! runtime of its own and callers need no `async`. It is pure Rust, speaks
//! `COPY` in both directions and streams query results row by row.
//!
//! # Overview
//!
//! - Versioned migrations (table `crm_schema`), applied by
//!   [`PostgresStore::open`] under an advisory lock;
//!   [`PostgresStore::open_read_only`] writes nothing.
//! - Imports stream every record through `COPY` into a temporary table and
//!   merge it in the same transaction: atomic, idempotent by transaction
//!   and interaction id, one lead per lead id (a re-imported lead is
//!   folded into the stored one, as in the SQLite store), with new,
//!   duplicate and suppressed counts; concurrent importers copy in
//!   parallel and merge in turn. The first import of transactions (into
//!   an empty table) copies them straight into their table in `COPY`'s
//!   binary format, customer ids given in the client, indexes built after
//!   the rows; a later import leaves out the stored ids by an anti-join.
//! - [`Store::load`] aggregates the sales in the server into customer
//!   facts ([`crm_core::CustomerFacts`]): one row per customer, the same
//!   ledger as reading every row.
//! - Erasure with a suppression list of keyed hashes, as in the SQLite
//!   store.
//!
//! # Connection strings and TLS
//!
//! `postgres://user[:password]@host[:port]/database?param=value`, or
//! libpq's `key=value` form. Without `sslmode`, or with
//! `sslmode=disable`, the connection is plain text (a server on the same
//! machine or network). With `sslmode=require` (or `prefer`, `verify-ca`,
//! `verify-full`) it is TLS (rustls), and the server's certificate is
//! always verified, against the system's root certificates and those in
//! the file named by `sslrootcert=` (a company's own certificate
//! authority): this is stricter than libpq's `require`, which encrypts
//! without checking whom it talks to. Messages never show the password.
//!
//! To keep the tables in a schema of their own in a shared database, give
//! the connection a search path: `?options=-csearch_path%3Dcrm` (the schema
//! must exist).
//!
//! # Erasure in PostgreSQL
//!
//! [`Store::erase`] deletes every row of the key in one transaction, puts
//! the key's keyed hash on the suppression list, and runs `VACUUM` on the
//! tables so that the deleted rows' space is reclaimed. PostgreSQL may
//! still hold the old rows' bytes in its write-ahead log (until it is
//! recycled), in WAL archives, base backups and replicas: those are the
//! operator's to expire, as for any other table of the company.

#![deny(missing_docs)]
#![warn(missing_debug_implementations)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod binary;
mod connect;
mod schema;
mod store;
#[cfg(feature = "testing")]
#[cfg_attr(docsrs, doc(cfg(feature = "testing")))]
pub mod testing;

pub use crate::store::PostgresStore;
pub use crm_store::Store;
