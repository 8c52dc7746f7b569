//! Integration tests of crm-clv.

mod common;
mod hyp2f1;
mod large;
mod published;
mod recovery;
mod reference;
mod summary;
