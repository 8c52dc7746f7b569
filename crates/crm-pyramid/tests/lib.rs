//! Integration tests of the pyramid: hand-computed examples and the
//! invariants of DOMAIN section 2 as property tests.

mod examples;
mod laws;
mod util;
