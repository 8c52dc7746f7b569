//! Integration tests of the migration matrix: a hand-computed example and
//! the invariants of DOMAIN section 3 as property tests.

mod examples;
mod laws;
