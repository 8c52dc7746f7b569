//! Integration tests of the pyramid: hand-computed examples and the
//! invariants of the pyramid's definition as property tests.

mod examples;
mod laws;
mod ranking;
mod serde;
mod util;
