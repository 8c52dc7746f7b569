//! Integration tests of the migration matrix: a hand-computed example and
//! the invariants of the migration matrix's definition as property tests.

mod examples;
mod laws;
