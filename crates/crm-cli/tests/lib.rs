//! End-to-end tests of the `crm` binary, driven as a user would.

mod actions;
mod clv;
mod equivalence;
mod generate;
mod migration;
mod pyramid;
mod report;
mod store;
mod util;
mod value;
