//! The serialised form is the contract: options, enums, fitted models and
//! summaries read back what they wrote (deserialize(serialize(x)) == x).
#![cfg(feature = "serde")]

use std::fmt::Debug;

use crm::clv::{BgNbd, FitOptions, LifetimeOptions, Summary, TimeUnit};
use crm::migration::{Estimator, Movement, Source};
use crm::ops::{
    CampaignOptions, ComplaintGroup, ComplaintOptions, Direction, FigureName, FunnelOptions,
    GroupBy, Unit,
};
use crm::strategy::Strategy;
use crm::value::{DevelopBy, RetentionInputs, RfmOptions, RiskOptions};
use crm::{Basis, Decimal};
use proptest::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;

fn round_trip<T: Serialize + DeserializeOwned + PartialEq + Debug>(x: &T) -> T {
    let json = serde_json::to_string(x).unwrap();
    serde_json::from_str(&json).unwrap_or_else(|e| panic!("{json}: {e}"))
}

#[test]
fn enums_read_their_names() {
    for m in Movement::ALL {
        assert_eq!(round_trip(&m), m);
    }
    for s in Source::ALL {
        assert_eq!(round_trip(&s), s);
    }
    for e in [Estimator::Pooled, Estimator::AverageOfShares] {
        assert_eq!(round_trip(&e), e);
    }
    for f in FigureName::ALL {
        assert_eq!(round_trip(&f), f);
        assert_eq!(round_trip(&f.unit()), f.unit());
    }
    for g in ComplaintGroup::ALL {
        assert_eq!(round_trip(&g), g);
    }
    for g in [GroupBy::Owner, GroupBy::Source] {
        assert_eq!(round_trip(&g), g);
    }
    for d in [Direction::About, Direction::Above] {
        assert_eq!(round_trip(&d), d);
    }
    for u in [Unit::Share, Unit::Count, Unit::Money] {
        assert_eq!(round_trip(&u), u);
    }
    for d in [DevelopBy::Share, DevelopBy::Room] {
        assert_eq!(round_trip(&d), d);
    }
    for s in Strategy::ALL {
        assert_eq!(round_trip(s), *s);
    }
    for u in [TimeUnit::DAY, TimeUnit::WEEK, TimeUnit::MONTH] {
        assert_eq!(round_trip(&u), u);
    }
    // A name that is not one is an error, not a default.
    assert!(serde_json::from_str::<Strategy>("\"conquer\"").is_err());
    assert!(serde_json::from_str::<Source>("\"giant\"").is_err());
    assert!(serde_json::from_str::<FigureName>("\"happiness\"").is_err());
}

#[test]
fn options_take_defaults_and_refuse_unknown_fields() {
    let o: FunnelOptions = serde_json::from_str("{}").unwrap();
    assert_eq!(o, FunnelOptions::default());
    let o: RiskOptions = serde_json::from_str(r#"{"value_drop":"0.25"}"#).unwrap();
    assert_eq!(o.value_drop, Decimal::new(25, 2));
    assert_eq!(round_trip(&RfmOptions::default()), RfmOptions::default());
    assert!(serde_json::from_str::<ComplaintOptions>(r#"{"sla":3}"#).is_err());
    // Checked as the setters check: a discount of -1 or less is refused.
    assert!(serde_json::from_str::<LifetimeOptions>(r#"{"unit":"week","discount":-2.0}"#).is_err());
    let o: LifetimeOptions = serde_json::from_str(r#"{"unit":"week"}"#).unwrap();
    assert_eq!(o, LifetimeOptions::new(TimeUnit::WEEK));
    // A fitted model is checked as `new` checks it.
    assert!(serde_json::from_str::<BgNbd>(r#"{"r":-1.0,"alpha":1.0,"a":1.0,"b":1.0}"#).is_err());
}

/// The scorecard's targets read back what they wrote, and are checked on
/// reading as the plan file's parser checks them.
#[test]
fn scorecard_plan_round_trips() {
    use crm::ops::ScorecardPlan;
    let plan = ScorecardPlan::parse(
        "[targets]\nretention-rate = 0.8\ncustomers-lost = 40\naverage-value-new = \"1250.50\"\nnet-inflow = -5\n",
        "plan.toml",
    )
    .unwrap();
    let v = serde_json::to_value(&plan).unwrap();
    assert_eq!(v["targets"]["retention-rate"], serde_json::json!("0.8"));
    assert_eq!(v["targets"]["customers-lost"], serde_json::json!(40));
    assert_eq!(
        v["targets"]["average-value-new"],
        serde_json::json!("1250.5")
    );
    assert_eq!(round_trip(&plan), plan);
    for bad in [
        r#"{"targets": {"retention-rate": "80"}}"#,
        r#"{"targets": {"customers-lost": "1.5"}}"#,
        r#"{"targets": {"average-value-new": 12.5}}"#,
        r#"{"targets": {"happiness": "1"}}"#,
        r#"{"target": {}}"#,
    ] {
        assert!(serde_json::from_str::<ScorecardPlan>(bad).is_err(), "{bad}");
    }
}

/// RFM segment rules write their score ranges as objects, read them back,
/// still read the two-element lists of 0.1, and refuse a range that is
/// not one.
#[test]
fn rfm_segment_ranges_are_objects() {
    let o = RfmOptions::default();
    let v = serde_json::to_value(&o).unwrap();
    for rule in v["segments"].as_array().unwrap() {
        for k in ["r", "f"] {
            let range = rule[k].as_object().unwrap_or_else(|| panic!("{rule}"));
            assert_eq!(range.len(), 2, "{rule}");
            assert!(range["min"].as_u64().unwrap() <= range["max"].as_u64().unwrap());
        }
    }
    assert_eq!(round_trip(&o), o);
    let rule: crm::value::SegmentRule =
        serde_json::from_str(r#"{"name": "x", "r": [4, 5], "f": {"min": 1, "max": 2}}"#).unwrap();
    assert_eq!((rule.r, rule.f), ((4, 5), (1, 2)));
    for bad in [
        r#"{"name": "x", "r": {"min": 5, "max": 4}, "f": [1, 5]}"#,
        r#"{"name": "x", "r": {"min": 0, "max": 4}, "f": [1, 5]}"#,
        r#"{"name": "x", "r": [1, 6], "f": [1, 5]}"#,
        r#"{"name": "x", "r": {"min": 1, "max": 4, "mid": 2}, "f": [1, 5]}"#,
    ] {
        assert!(
            serde_json::from_str::<crm::value::SegmentRule>(bad).is_err(),
            "{bad}"
        );
    }
}

/// The economics of retention: money as decimal strings, the customer
/// count an integer, the rates numbers; a rate out of range is refused on
/// reading with the input's name, as `retention_economics` refuses it.
#[test]
fn retention_economics_follow_the_json_rule() {
    let inputs = RetentionInputs::default();
    let v = serde_json::to_value(inputs).unwrap();
    assert_eq!(v["customers"], serde_json::json!(1000));
    assert_eq!(v["margin"], serde_json::json!("100"));
    assert_eq!(v["cost_per_customer"], serde_json::json!("250"));
    assert_eq!(v["retention"], serde_json::json!(0.8));
    let e = crm::value::retention_economics(&inputs).unwrap();
    let v = serde_json::to_value(e).unwrap();
    for money in ["profit_now", "profit_improved", "gain", "acquisition_cost"] {
        assert!(v[money].is_string(), "{money}: {v}");
    }
    assert!(v["customers_kept"].is_f64(), "{v}");
    assert_eq!(round_trip(&e), e);
    for (json, input) in [
        (r#"{"retention": 1.5}"#, "retention"),
        (r#"{"improved": -0.1}"#, "improved"),
        (r#"{"discount": -0.5}"#, "discount"),
    ] {
        let err = serde_json::from_str::<RetentionInputs>(json)
            .unwrap_err()
            .to_string();
        assert!(err.contains(input), "{json}: {err}");
    }
    assert!(serde_json::from_str::<RetentionInputs>(r#"{"customers": 10.5}"#).is_err());
    assert!(serde_json::from_str::<RetentionInputs>(r#"{"margin": 10.5}"#).is_err());
    let read: RetentionInputs =
        serde_json::from_str(r#"{"margin": "12.5", "customers": 7}"#).unwrap();
    assert_eq!(
        (read.customers, read.margin.to_string()),
        (7, "12.5".to_string())
    );
}

proptest! {
    #[test]
    fn options_round_trip(
        window in 0u32..1000,
        sla in 0u32..1000,
        stale in 0u32..1000,
        by in proptest::option::of(prop_oneof![Just(GroupBy::Owner), Just(GroupBy::Source)]),
        drop in 0i64..10_000,
        overdue in 0.0f64..10.0,
        below in 0.0f64..1.0,
        penalizer in 0.0f64..10.0,
        months in 0u32..600,
        discount in -0.99f64..1.0,
        margin in any::<bool>(),
    ) {
        let mut c = CampaignOptions::new();
        c.window_days = window;
        prop_assert_eq!(round_trip(&c), c);
        let mut k = ComplaintOptions::new();
        k.sla_days = sla;
        prop_assert_eq!(round_trip(&k), k);
        let mut f = FunnelOptions::default();
        f.stale_days = stale;
        f.by = by;
        prop_assert_eq!(round_trip(&f), f);
        let mut r = RiskOptions::default();
        r.value_drop = Decimal::new(drop, 4);
        r.overdue_factor = overdue;
        r.p_alive_below = below;
        prop_assert_eq!(round_trip(&r), r);
        let mut rfm = RfmOptions::default();
        rfm.basis = if margin { Basis::Margin } else { Basis::Revenue };
        prop_assert_eq!(round_trip(&rfm), rfm.clone());
        let fit = FitOptions::new().penalizer(penalizer).unwrap();
        prop_assert_eq!(round_trip(&fit), fit);
        let life = LifetimeOptions::new(TimeUnit::WEEK).months(months).discount(discount).unwrap();
        prop_assert_eq!(round_trip(&life), life);
        let inputs = RetentionInputs { periods: months, discount: discount.abs(), ..RetentionInputs::default() };
        prop_assert_eq!(round_trip(&inputs), inputs);
    }

    #[test]
    fn models_and_summaries_round_trip(
        r in 0.01f64..10.0, alpha in 0.01f64..100.0, a in 0.01f64..10.0, b in 0.01f64..10.0,
        x in 0u32..100, tx in 0.0f64..100.0, extra in 0.0f64..100.0,
    ) {
        let m = BgNbd::new(r, alpha, a, b).unwrap();
        prop_assert_eq!(round_trip(&m), m);
        let s = Summary::new(x, tx, tx + extra);
        prop_assert_eq!(round_trip(&s), s);
    }
}

/// The migration matrix and the series serialise in the shape the command
/// prints: cells with their movement, the bridge's steps as objects, one
/// summary per pair.
#[test]
fn migration_and_series_shapes() {
    use crm::pyramid::{PyramidOptions, pyramid};
    use crm::{Ledger, Money, NaiveDate, Period};
    let years: Vec<Period> = ["2023", "2024", "2025"]
        .iter()
        .map(|y| y.parse().unwrap())
        .collect();
    let mut l = Ledger::new(years.iter().copied());
    for (i, y) in [2023, 2024, 2025].into_iter().enumerate() {
        for c in 0..20u32 {
            if !(c + i as u32).is_multiple_of(3) {
                let day = NaiveDate::from_ymd_opt(y, 3, 1).unwrap();
                let cents = i64::from(c + 1) * 1050;
                l.record_sale(&format!("C{c}"), day, Money::from_minor(cents, 2), None)
                    .unwrap();
            }
        }
    }
    let o = PyramidOptions::new();
    let a = pyramid(&l, &years[1], &o).unwrap();
    let b = pyramid(&l, &years[2], &o).unwrap();
    let m = crm::migration::Migration::between(&l, &a, &b).unwrap();
    let v = serde_json::to_value(&m).unwrap();
    assert_eq!(v["levels"].as_array().unwrap().len(), 8);
    let cells = v["cells"].as_array().unwrap();
    assert_eq!(cells.len(), m.cells().count());
    for (c, cell) in cells.iter().zip(m.cells()) {
        assert_eq!(c["movement"].as_str().unwrap(), cell.movement().to_string());
        assert_eq!(c["customers"].as_u64().unwrap(), cell.customers);
    }
    for step in v["bridge"]["steps"].as_array().unwrap() {
        assert!(
            step["movement"].is_string() && step["value"].is_string(),
            "{step}"
        );
        let text = step["value"].as_str().unwrap();
        assert!(!(text.contains('.') && text.ends_with('0')), "{text}");
    }
    let s = crm::migration::series(&l, &years, &o).unwrap();
    let v = serde_json::to_value(&s).unwrap();
    assert_eq!(v["pairs"].as_array().unwrap().len(), 2);
    assert_eq!(v["counts"].as_array().unwrap().len(), 3);
    assert_eq!(v["states"].as_array().unwrap().len(), 5);
    assert_eq!(
        v["pairs"][1]["summary"]["net_inflow"].as_i64().unwrap(),
        s.migrations[1].summary.net_inflow
    );
}
