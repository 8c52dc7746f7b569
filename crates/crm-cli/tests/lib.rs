//! End-to-end tests of the `crm` binary, driven as a user would.

mod clv;
mod generate;
mod hardening;
mod migration;
mod output;
mod pyramid;
mod report;
mod store;
mod util;
mod value;
