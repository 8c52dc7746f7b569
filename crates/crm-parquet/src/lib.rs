//! Parquet input and output for the `crm` customer-marketing toolkit:
//! transactions from Parquet files (or folders of them) into a
//! [`crm_core::Ledger`], and result tables written as Parquet.
//!
//! Most users want the `crm` facade crate, which re-exports this one as
//! `crm::parquet` (feature `parquet`).
//!
//! ```
//! use crm_core::{Basis, Ledger, Period};
//! use crm_parquet::{ReadOptions, TransactionWriter, read_transactions};
//!
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("sales.parquet");
//! // Two sales, money as DECIMAL(38, 2).
//! let mut w = TransactionWriter::new(std::fs::File::create(&path)?, 2)?;
//! w.push(None, "C1", "2024-03-01".parse()?, "12.50".parse()?, None)?;
//! w.push(None, "C1", "2024-04-01".parse()?, "-2.50".parse()?, Some("-1".parse()?))?;
//! w.finish()?;
//!
//! let year: Period = "2024".parse()?;
//! let mut ledger = Ledger::new([year]);
//! let report = read_transactions(&path, &ReadOptions::new(), &mut ledger)?;
//! assert_eq!(report.imported, 2);
//! let c1 = ledger.id("C1").unwrap();
//! assert_eq!(ledger.period_totals(c1, 0)?.value(Basis::Revenue).to_string(), "10.00");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Overview
//!
//! - [`read_transactions`]: a Parquet file, or every `*.parquet` file of a
//!   folder in sorted order ([`files`]), into a ledger, with the result of
//!   the CSV reader for the same rows; only the needed columns are read,
//!   row groups on several threads, and in a file sorted by customer (as
//!   [`TransactionWriter::with_layout`] writes it) each run of a
//!   customer's rows reaches the ledger as one update.
//! - [`ReadOptions`]: column names, strict or lenient, threads, the
//!   opt-in for money in float columns.
//! - [`TransactionWriter`]: transactions as Parquet (money as `DECIMAL`),
//!   for conversions from CSV and for tests.
//! - [`Column`] and [`write_table`]: any result table (assignments,
//!   actions, summaries) as Parquet, decimals as `DECIMAL` with the scale of
//!   the data; [`read_table`] reads such a table back.
//!
//! # Types read
//!
//! See [`read_transactions`]: `DECIMAL` of any physical type exactly,
//! integers, strings parsed as the CSV reader parses them, `DATE` and
//! `TIMESTAMP` (a timestamp's date is its date in its own fixed time zone,
//! or as written when it has none), and floats for money only on request.
//! Every error names the file, and for values the row group, the row and
//! the column.

#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_debug_implementations)]

mod checksum;
mod columns;
mod error;
mod read;
mod runs;
mod write;

pub use crate::{
    error::{BadRow, Error, Position, Result},
    read::{ReadOptions, files, is_parquet, read_transactions},
    write::{Column, ColumnData, TransactionWriter, digits, read_table, write_table},
};
