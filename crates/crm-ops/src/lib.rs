//! Operational measures: the half of the method that measures the actions.
//!
//! The pyramid and the migration matrix measure the customers; this crate
//! measures what is done with them: how leads become orders, how complaints
//! are handled and what that does to retention, what a campaign changed
//! against the group held out from it, and one scorecard of the figures the
//! method steers by. Each measure is a plain function over the ledger (and
//! leads); nothing here reads a file or a database.
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_debug_implementations)]

mod error;

pub use error::{Error, Result};
