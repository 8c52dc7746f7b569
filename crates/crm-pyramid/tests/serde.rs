//! The serialised form is the contract: what is written reads back to the
//! same value.
#![cfg(feature = "serde")]

use crm_core::arbitrary;
use crm_core::{Basis, Period};
use crm_pyramid::{Cuts, Level, PyramidOptions, PyramidReport, pyramid};
use proptest::prelude::*;

use crate::laws::cuts;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(100))]

    /// deserialize(serialize(x)) == x for the options and the report.
    #[test]
    fn options_and_report_round_trip(
        rows in prop::collection::vec((arbitrary::key(), arbitrary::date(), arbitrary::money()), 0..100),
        y in arbitrary::year(),
        c in cuts(),
        margin in any::<bool>(),
        horizon in proptest::option::of(0u32..5000),
    ) {
        let basis = if margin { Basis::Margin } else { Basis::Revenue };
        let options = PyramidOptions::new().cuts(c).basis(basis).inactivity_horizon_days(horizon);
        let json = serde_json::to_string(&options).unwrap();
        let back: PyramidOptions = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(&back, &options);

        let prev = y.previous_calendar().unwrap();
        let l = build_two(prev, y, &rows);
        let now = pyramid(&l, &y, &options).unwrap();
        let before = pyramid(&l, &prev, &options).unwrap();
        // The pyramid itself serialises as its figures.
        let pj = serde_json::to_value(&now).unwrap();
        let levels = pj["levels"].as_array().unwrap();
        prop_assert_eq!(levels.len(), 7);
        for (l, level) in levels.iter().zip(Level::ALL) {
            prop_assert_eq!(l["level"].as_str().unwrap(), level.as_str());
            prop_assert_eq!(l["customers"].as_u64().unwrap(), now.figures(level).customers);
        }
        prop_assert_eq!(pj["active"].as_u64().unwrap(), now.active());
        prop_assert!(pj["pareto"].is_string() || pj["pareto"].is_null());
        let opts: PyramidOptions = serde_json::from_value(pj["options"].clone()).unwrap();
        prop_assert_eq!(&opts, &options);
        let report = PyramidReport::new(&now, Some(&before));
        let json = serde_json::to_string(&report).unwrap();
        let back: PyramidReport = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(back, report);
    }
}

fn build_two(
    prev: Period,
    y: Period,
    rows: &[(crm_core::CustomerKey, crm_core::NaiveDate, crm_core::Money)],
) -> crm_core::Ledger {
    let mut l = crm_core::Ledger::new([prev, y]);
    for (k, d, v) in rows {
        l.record_sale(k.as_str(), *d, *v, None).unwrap();
    }
    l
}

#[test]
fn levels_read_their_names_and_cuts_are_checked() {
    for level in Level::ALL {
        let json = serde_json::to_string(&level).unwrap();
        assert_eq!(serde_json::from_str::<Level>(&json).unwrap(), level);
    }
    assert!(serde_json::from_str::<Level>("\"giant\"").is_err());
    let c: Cuts = serde_json::from_str(r#"{"by":"value_shares","cuts":["0.8","0.95"]}"#).unwrap();
    assert_eq!(c, Cuts::abc());
    // Shares are strings, normalised.
    assert_eq!(
        serde_json::to_string(&Cuts::curry()).unwrap(),
        r#"{"by":"customer_shares","cuts":["0.01","0.05","0.2"]}"#
    );
    // Invalid cuts are refused as `Cuts::validate` refuses them.
    let e = serde_json::from_str::<Cuts>(r#"{"by":"customer_shares","cuts":["0.5","0.2"]}"#);
    assert!(e.is_err());
    let e = serde_json::from_str::<PyramidOptions>(r#"{"basis":"revenue","speed":1}"#);
    assert!(e.is_err(), "unknown fields are refused");
}
