//! `proptest` strategies for the core model, for property tests in this
//! workspace and downstream.

use chrono::NaiveDate;
use proptest::prelude::*;

use crate::{CustomerKey, Money, Period};

/// Short valid customer keys drawn from a small alphabet, so that
/// collisions (several rows of one customer) are common.
pub fn key() -> impl Strategy<Value = CustomerKey> {
    "[A-Za-z0-9][A-Za-z0-9_-]{0,5}"
        .prop_map(|s| CustomerKey::new(s).expect("valid by construction"))
}

/// Amounts from -1,000.00 to 100,000.00 with cents; mostly positive.
pub fn money() -> impl Strategy<Value = Money> {
    prop_oneof![
        8 => (0i64..10_000_000).prop_map(|c| Money::from_minor(c, 2)),
        1 => (-100_000i64..0).prop_map(|c| Money::from_minor(c, 2)),
        1 => Just(Money::ZERO),
    ]
}

/// Dates from 2020-01-01 to 2025-12-31.
pub fn date() -> impl Strategy<Value = NaiveDate> {
    let base = NaiveDate::from_ymd_opt(2020, 1, 1).expect("valid date");
    (0u64..2192).prop_map(move |d| base + chrono::Days::new(d))
}

/// One of the calendar years 2021 to 2025.
pub fn year() -> impl Strategy<Value = Period> {
    (2021i32..=2025).prop_map(|y| Period::year(y).expect("valid year"))
}
