//! Integration tests of crm-clv.

mod checks;
mod common;
mod hyp2f1;
mod large;
mod models;
mod published;
mod recovery;
mod reference;
mod summary;
