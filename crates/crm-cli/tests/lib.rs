//! End-to-end tests of the `crm` binary, driven as a user would.

mod actions;
mod clv;
mod equivalence;
mod funnel;
mod generate;
mod hardening;
mod library_json;
mod migration;
mod ops;
mod output;
#[cfg(feature = "parquet")]
mod parquet;
mod progress;
mod pyramid;
mod report;
mod schema;
mod stdin;
mod store;
mod terminal;
mod util;
mod value;
#[cfg(not(feature = "parquet"))]
mod without_parquet;
