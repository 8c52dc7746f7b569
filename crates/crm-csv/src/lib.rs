//! Streaming CSV import and export for the `crm` customer-marketing
//! toolkit: transactions, customers (the register) and interactions into a
//! [`crm_core::Ledger`], and exports safe to open in a spreadsheet.
//!
//! Most users want the `crm` facade crate, which re-exports this one as
//! `crm::csv` (feature `csv`).
//!
//! ```
//! use std::io::Write;
//! use crm_core::{Basis, Ledger, Period};
//! use crm_csv::{read_transactions, ImportOptions};
//!
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("sales.csv");
//! std::fs::write(&path, "\u{feff}customer_id;date;revenue\nC1;01-03-2024;12,50\nC1;20240401;-2,50\n")?;
//!
//! let year: Period = "2024".parse()?;
//! let mut ledger = Ledger::new([year]);
//! let report = read_transactions(&path, &ImportOptions::new(), &mut ledger)?;
//! assert_eq!(report.imported, 2);
//! let c1 = ledger.id("C1").unwrap();
//! assert_eq!(ledger.period_totals(c1, 0)?.value(Basis::Revenue).to_string(), "10.00");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Overview
//!
//! - [`read_transactions`], [`read_customers`], [`read_interactions`]:
//!   stream a file into a ledger without loading it, on several threads
//!   when it is a large regular file, and return an [`ImportReport`].
//!   A path that is not a regular file (a FIFO, `/dev/stdin`, a process
//!   substitution's `/dev/fd/N`) is opened once and read in one pass.
//! - [`read_transactions_from`], [`read_customers_from`],
//!   [`read_interactions_from`]: the same from any reader (standard input,
//!   a decompressor), in one pass on the calling thread.
//! - [`transactions`], [`customers`], [`interactions`]: iterate full
//!   records from any reader.
//! - [`rows`]: the rows of a table of one's own (outcomes of actions),
//!   read with the same reader, checks, errors and lenient mode.
//! - [`ImportOptions`]: delimiter (detected by default), decimal point or
//!   comma, column names, [`Mode::Strict`] or [`Mode::Lenient`].
//! - [`Writer`]: CSV export with formula-injection protection.
//! - [`value`]: one field parsed as the reader parses it, for readers of
//!   other formats that meet the same values as text.
//!
//! # What is accepted
//!
//! - Delimiters `,`, `;` or tab (detected from the header line), UTF-8
//!   with or without BOM, quoted fields with delimiters, quotes (`""`) and
//!   newlines inside, fields trimmed of surrounding spaces.
//! - Lines ending in `\n`, `\r\n` or a lone `\r` (old Mac exports), mixed
//!   freely; blank lines are skipped. Line numbers in errors and rejects
//!   are those an editor shows: each of those endings ends one line, in
//!   quoted fields too, and a record's line is that of its first
//!   character.
//! - A byte-order mark (U+FEFF) is not data wherever an export or a
//!   concatenation of exports leaves one: at the start of the file, at the
//!   start of any line (before a quote or not), and at either end of any
//!   field, quoted or not, it is dropped like surrounding spaces, so that
//!   `\u{feff}C1` is the customer `C1`, never a second, invisible one. A
//!   mark between other characters of a value is kept.
//! - Dates `2024-03-01` (a time after it is ignored), `2024/03/01`,
//!   `01-03-2024`, `1/3/2024`, `01.03.2024` (day first) and `20240301`.
//! - Amounts with a decimal point or, with [`DecimalSeparator::Comma`] (the
//!   automatic choice for `;` files), a decimal comma. Thousands
//!   separators are refused, so that a wrong locale fails loudly instead of
//!   reading `1.234` as 1234.
//!
//! Every error names the file, the line, the column and its header, and
//! the value found.

#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_debug_implementations)]

mod error;
mod fields;
mod header;
mod import;
mod options;
mod parse;
mod partitioned;
mod reader;
mod records;
mod scan;
pub mod value;
mod write;

pub use crate::{
    error::{BadRow, Error, Location, Problem, Result},
    header::sniff_delimiter,
    import::{
        Gather, ImportReport, Reject, read_customers, read_customers_from,
        read_customers_from_gathering, read_customers_gathering, read_interactions,
        read_interactions_from, read_interactions_from_gathering, read_interactions_gathering,
        read_transactions, read_transactions_from, write_rejects,
    },
    options::{ImportOptions, Mode},
    parse::{DATE_EXPECTED, DecimalSeparator, parse_date_field},
    records::{FieldError, Records, Row, customers, interactions, leads, rows, transactions},
    write::{Writer, is_formula_like},
};
