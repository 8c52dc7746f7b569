//! With `rust_decimal/serde-float` on in the build, a bare `Decimal`
//! serialises as a float; the library's decimal fields stay strings.

use crm::pyramid::{PyramidOptions, pyramid};
use crm::{Decimal, Ledger, Money, NaiveDate, Period};
use proptest::prelude::*;

#[test]
fn this_build_has_serde_float() {
    // Guards the test below: without serde-float it would prove nothing.
    let bare = serde_json::to_value(Decimal::new(5, 1)).unwrap();
    assert!(bare.is_number(), "{bare}");
}

proptest! {
    /// Shares, rates and quantities are decimal strings that read back to
    /// the same value.
    #[test]
    fn decimal_fields_are_strings(cents in prop::collection::vec(1i64..10_000_000, 1..30), qty in 1i64..100_000) {
        let year: Period = "2025".parse().unwrap();
        let mut ledger = Ledger::new([year]);
        let day = NaiveDate::from_ymd_opt(2025, 3, 1).unwrap();
        for (i, c) in cents.iter().enumerate() {
            ledger.record_sale(&format!("C{i}"), day, Money::from_minor(*c, 2), None).unwrap();
        }
        let p = pyramid(&ledger, &year, &PyramidOptions::new()).unwrap();
        let wallet = crm::value::share_of_wallet(&ledger, &p, |_| Some(Money::from_minor(20_000_000, 2))).unwrap();
        let json = serde_json::to_value(&wallet).unwrap();
        prop_assert!(json["months"].is_string(), "{}", json["months"]);
        for (s, share) in json["shares"].as_array().unwrap().iter().zip(&wallet.shares) {
            let text = s["share"].as_str().unwrap();
            prop_assert_eq!(text.parse::<Decimal>().unwrap(), share.share);
        }

        let q = Decimal::new(qty, 3);
        let mut t = crm::Transaction::new("C0".parse().unwrap(), day, Money::from_minor(100, 2));
        t.quantity = Some(q);
        let json = serde_json::to_value(&t).unwrap();
        prop_assert_eq!(json["quantity"].as_str().unwrap().parse::<Decimal>().unwrap(), q);
        let back: crm::Transaction = serde_json::from_value(json).unwrap();
        prop_assert_eq!(back, t);

        // A fact's value is written as its own JSON type (a number as a
        // number), with or without serde-float.
        let fact = crm::strategy::FactValue::Number(q);
        let v = serde_json::to_value(&fact).unwrap();
        prop_assert!(v.is_number(), "{}", v);
        prop_assert_eq!(v.to_string().parse::<Decimal>().unwrap(), q.normalize());
    }
}

/// A scorecard plan's targets follow the JSON rule with serde-float on: a
/// share as a normalised decimal string, a count as an integer (they were
/// bare `Decimal`s, which serde-float turned into floats).
#[test]
fn plan_targets_are_strings_or_integers() {
    let plan = crm::ops::ScorecardPlan::parse(
        "[targets]\nretention-rate = \"0.80\"\ncustomers-lost = 200\n",
        "plan.toml",
    )
    .unwrap();
    let json = serde_json::to_value(&plan).unwrap();
    assert_eq!(json["targets"]["retention-rate"], "0.8", "{json}");
    assert_eq!(json["targets"]["customers-lost"], 200, "{json}");
}

proptest! {
    /// Shares kept as `f64` (the pyramid report's) are decimal strings, and
    /// money is normalised, with serde-float on.
    #[test]
    fn pyramid_shares_are_strings(cents in prop::collection::vec(1i64..10_000_000, 1..30)) {
        let year: Period = "2025".parse().unwrap();
        let mut ledger = Ledger::new([year]);
        let day = NaiveDate::from_ymd_opt(2025, 3, 1).unwrap();
        for (i, c) in cents.iter().enumerate() {
            ledger.record_sale(&format!("C{i}"), day, Money::from_minor(*c * 10, 3), None).unwrap();
        }
        let p = pyramid(&ledger, &year, &PyramidOptions::new()).unwrap();
        let report = crm::pyramid::PyramidReport::new(&p, None);
        let json = serde_json::to_value(&report).unwrap();
        for level in json["levels"].as_array().unwrap() {
            prop_assert!(level["share_of_customers"].is_string() || level["share_of_customers"].is_null(), "{}", level);
            let value = level["value"].as_str().unwrap();
            prop_assert!(!(value.contains('.') && value.ends_with('0')), "{}", value);
        }
        prop_assert!(json["pareto"].is_string() || json["pareto"].is_null(), "{}", json["pareto"]);
    }
}

/// The cuts of the pyramid options are decimal strings with serde-float
/// on (a bare `Vec<Decimal>` would be floats), and read back.
#[test]
fn cuts_are_strings() {
    let options = PyramidOptions::new().cuts(crm::pyramid::Cuts::abc());
    let json = serde_json::to_value(&options).unwrap();
    assert_eq!(json["cuts"]["cuts"][0], "0.8", "{json}");
    let back: PyramidOptions = serde_json::from_value(json).unwrap();
    assert_eq!(back, options);
}
