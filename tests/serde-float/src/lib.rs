//! A test crate (see `tests/`): the library's JSON keeps decimals as
//! strings in a build where `rust_decimal`'s `serde-float` is on.
