//! What the figures mean: each case shows the former reading (reachable by
//! an option where someone may rely on it) beside the current one.

use std::collections::BTreeMap;

use crm_core::{CustomerKey, Decimal, Interaction, InteractionKind, Ledger, Money, Period};
use crm_pyramid::{Cuts, Level, PyramidOptions, pyramid};
use crm_value::{
    CostTable, CostsUsed, DevelopBy, WalletOptions, profitability, share_of_wallet,
    share_of_wallet_with, year_fraction,
};

use super::{d, m};

fn call(key: &str, day: u32, cost: Option<&str>) -> Interaction {
    let mut i = Interaction::new(
        CustomerKey::new(key).unwrap(),
        d(2024, 3, day),
        InteractionKind::Call,
    );
    i.cost = cost.map(m);
    i
}

#[test]
fn recorded_costs_count_by_default_and_the_table_fills_in() {
    let p = Period::year(2024).unwrap();
    let mut l = Ledger::new([p]);
    l.record_sale("A", d(2024, 1, 1), m("1000"), Some(m("300")))
        .unwrap();
    // A call recorded at 37.71, and one without a recorded cost.
    let calls = || vec![call("A", 1, Some("37.71")), call("A", 2, None)];
    let profit = |costs: &CostTable| {
        let r = profitability(&l, &p, costs, calls(), &Cuts::curry()).unwrap();
        (r.customers[0].cost_to_serve, r.costs)
    };
    let used = |recorded, table, none| {
        let mut c = CostsUsed::default();
        (c.recorded, c.table, c.none) = (recorded, table, none);
        c
    };
    // No cost table at all: the recorded call costs 37.71 (it used to cost
    // nothing, so that profit was the margin).
    assert_eq!(profit(&CostTable::default()), (m("37.71"), used(1, 0, 1)));
    // A table with calls at 5: it fills in the call without a cost.
    let mut table = CostTable::default();
    table.interactions = BTreeMap::from([(InteractionKind::Call, m("5"))]);
    assert_eq!(profit(&table), (m("42.71"), used(1, 1, 0)));
    // The former default, by option: every call at the table's 5.
    table.use_recorded_cost = false;
    assert_eq!(profit(&table), (m("10"), used(0, 2, 0)));
    let mut ignore = CostTable::default();
    ignore.use_recorded_cost = false;
    assert_eq!(profit(&ignore), (m("0"), used(0, 0, 2)));
}

#[test]
fn a_huge_handling_cost_is_an_error_naming_it() {
    // Regression: 79228162514264337593543950335 per order on two orders
    // panicked ("Multiplication overflowed").
    let p = Period::year(2024).unwrap();
    let mut l = Ledger::new([p]);
    l.record_sale("C1", d(2024, 1, 1), m("10"), Some(m("3")))
        .unwrap();
    l.record_sale("C1", d(2024, 2, 1), m("10"), Some(m("3")))
        .unwrap();
    let mut costs = CostTable::default();
    costs.handling_per_order = Money::new(Decimal::MAX);
    let err = profitability(&l, &p, &costs, Vec::new(), &Cuts::curry())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("amount overflow") && err.contains("handling cost of customer \"C1\""),
        "{err}"
    );
    // One order at that cost fits; the profit then does not.
    let mut l = Ledger::new([p]);
    l.record_sale("C1", d(2024, 1, 1), m("10"), Some(m("-3")))
        .unwrap();
    let err = profitability(&l, &p, &costs, Vec::new(), &Cuts::curry())
        .unwrap_err()
        .to_string();
    assert!(err.contains("the profit of customer \"C1\""), "{err}");
    // Recorded interaction costs that sum past the range.
    let max = Decimal::MAX.to_string();
    let calls = vec![call("C1", 1, Some(&max)), call("C1", 2, Some(&max))];
    let err = profitability(&l, &p, &CostTable::default(), calls, &Cuts::curry())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("interaction costs of customer \"C1\""),
        "{err}"
    );
}

/// The potential for `period` of a single active customer with a yearly
/// potential of 100,000.
fn potential_for(period: &str) -> Money {
    let p: Period = period.parse().unwrap();
    let mut l = Ledger::new([p]);
    l.record_sale("A", p.start(), m("10"), None).unwrap();
    let py = pyramid(&l, &p, &PyramidOptions::new()).unwrap();
    let w = share_of_wallet(&l, &py, |_| Some(m("100000"))).unwrap();
    w.shares[0].potential
}

#[test]
fn calendar_periods_are_exact_fractions_of_the_yearly_potential() {
    // Scaled by days / 365.25 as before, 2025 showed 99,931.55 of a
    // 100,000 potential and leap year 2024 100,205.34.
    assert_eq!(potential_for("2025"), m("100000.00"));
    assert_eq!(potential_for("2024"), m("100000.00"));
    assert_eq!(potential_for("2023-01-01..2025-01-01"), m("200000.00"));
    assert_eq!(potential_for("2024-Q1"), m("25000.00")); // 91 days
    assert_eq!(potential_for("2025-Q1"), m("25000.00")); // 90 days
    assert_eq!(potential_for("2024-07-01..2025-01-01"), m("50000.00"));
    assert_eq!(potential_for("2024-02"), m("8333.33"));
    assert_eq!(potential_for("2024-03"), m("8333.33"));
    assert_eq!(potential_for("2024-02-01..2024-05-01"), m("25000.00"));
    // Other periods: each day is 1 / (days in its month) of a month.
    // 2024-01-16..2024-03-16: 16/31 + 1 + 15/31 = 2 months.
    assert_eq!(potential_for("2024-01-16..2024-03-16"), m("16666.67"));
    // 14 days of February 2024 (29 days): 14/29 of a month.
    assert_eq!(potential_for("2024-02-01..2024-02-15"), m("4022.99"));
    assert_eq!(
        year_fraction(&"2024-02-01..2024-02-15".parse().unwrap()),
        Decimal::from(14) / Decimal::from(29)
    );
}

#[test]
fn develop_ranks_by_share_with_room_as_tie_break() {
    let p = Period::year(2024).unwrap();
    let mut l = Ledger::new([p]);
    // T is Top (one of four); X, Y and Z are Small.
    for (k, v) in [("T", "100000"), ("X", "100"), ("Y", "5000"), ("Z", "200")] {
        l.record_sale(k, d(2024, 5, 1), m(v), None).unwrap();
    }
    let potentials = BTreeMap::from([
        ("T", m("200000")),
        ("X", m("10000")), // share 1%, room 9,900
        ("Y", m("50000")), // share 10%, room 45,000
        ("Z", m("20000")), // share 1%, room 19,800
    ]);
    let py = pyramid(&l, &p, &PyramidOptions::new()).unwrap();
    assert_eq!(py.level_of(l.id("X").unwrap()).unwrap(), Some(Level::Small));
    let develop = |by| {
        let w = share_of_wallet_with(
            &l,
            &py,
            |k| potentials.get(k).copied(),
            &WalletOptions::new().develop_by(by),
        )
        .unwrap();
        assert_eq!(w.develop_by, by);
        w.develop
            .iter()
            .map(|s| (s.customer.clone(), s.share, s.room))
            .collect::<Vec<_>>()
    };
    let pct = |x: i64| Decimal::new(x, 2);
    // The method's reading: the lowest share first, the larger room first
    // among equal shares.
    assert_eq!(
        develop(DevelopBy::Share),
        [
            ("Z".into(), pct(1), m("19800.00")),
            ("X".into(), pct(1), m("9900.00")),
            ("Y".into(), pct(10), m("45000.00")),
        ]
    );
    // The former ranking, by option: the most room first.
    let by_room: Vec<String> = develop(DevelopBy::Room).into_iter().map(|x| x.0).collect();
    assert_eq!(by_room, ["Y", "Z", "X"]);
    // The default is by share.
    let w = share_of_wallet(&l, &py, |k| potentials.get(k).copied()).unwrap();
    assert_eq!(w.develop_by, DevelopBy::Share);
    assert_eq!(w.develop[0].customer, "Z");
}

#[test]
fn a_potential_beyond_range_is_an_error_naming_the_customer() {
    let p: Period = "2023-01-01..2025-01-01".parse().unwrap();
    let mut l = Ledger::new([p]);
    l.record_sale("A", p.start(), m("10"), None).unwrap();
    let py = pyramid(&l, &p, &PyramidOptions::new()).unwrap();
    let err = share_of_wallet(&l, &py, |_| Some(Money::new(Decimal::MAX)))
        .unwrap_err()
        .to_string();
    assert!(err.contains("the potential of customer \"A\""), "{err}");
}

proptest::proptest! {
    /// Any whole number of calendar months is exactly that many months of
    /// a year, and splitting a period anywhere splits its months.
    #[test]
    fn prop_year_fraction_is_exact_and_additive(
        year in 1900i32..2200,
        month in 1u32..=12,
        k in 1u32..400,
        cut in 1i64..12_000,
    ) {
        let start = d(year, month, 1);
        let months = month - 1 + k;
        let end = d(year + (months / 12) as i32, months % 12 + 1, 1);
        let whole = Period::new(start, end).unwrap();
        proptest::prop_assert_eq!(year_fraction(&whole), Decimal::from(k));
        let span = (end - start).num_days();
        let mid = start + crm_core::Days::new((cut % (span - 1) + 1) as u64);
        let a = year_fraction(&Period::new(start, mid).unwrap());
        let b = year_fraction(&Period::new(mid, end).unwrap());
        proptest::prop_assert!((a + b - Decimal::from(k)).abs() < Decimal::new(1, 24), "{a} + {b}");
    }
}

/// Amounts anywhere in the range, the edges included.
fn any_amount() -> impl proptest::strategy::Strategy<Value = Money> {
    use proptest::prelude::*;
    prop_oneof![
        Just(Money::new(Decimal::MAX)),
        Just(Money::new(Decimal::MIN)),
        (0u32..=28, any::<bool>()).prop_map(|(scale, negative)| Money::new(Decimal::from_parts(
            u32::MAX,
            u32::MAX,
            u32::MAX,
            negative,
            scale
        ))),
        (any::<i64>(), 0u32..=6).prop_map(|(units, scale)| Money::from_minor(units, scale)),
        (any::<i64>(), 0u32..=28).prop_map(|(units, scale)| Money::from_minor(units, scale)),
    ]
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]

    /// Profit and share of wallet on any amounts: a result, or an amount
    /// overflow that says what overflowed; never a panic.
    #[test]
    fn prop_money_from_users_never_panics(
        sales in proptest::collection::vec((0usize..4, any_amount(), any_amount()), 0..12),
        costs in proptest::collection::vec((0usize..4, proptest::option::of(any_amount())), 0..12),
        handling in any_amount(),
        kind_cost in any_amount(),
        potential in any_amount(),
    ) {
        let keys = ["A", "B", "C", "D"];
        let p = Period::year(2024).unwrap();
        let mut l = Ledger::new([p]);
        for (k, revenue, margin) in &sales {
            // The ledger refuses a sum that overflows, row by row.
            let _ = l.record_sale(keys[*k], d(2024, 6, 1), *revenue, Some(*margin));
        }
        let calls: Vec<Interaction> = costs
            .iter()
            .map(|(k, c)| {
                let mut i = call(keys[*k], 1, None);
                i.cost = *c;
                i
            })
            .collect();
        let mut table = CostTable::default();
        table.handling_per_order = handling;
        table.interactions = BTreeMap::from([(InteractionKind::Call, kind_cost)]);
        let ok_or_named = |r: Result<(), crm_value::Error>| match r {
            Ok(()) => Ok(()),
            Err(e) => {
                let msg = e.to_string();
                if msg.contains("amount overflow") || msg.contains("cannot be negative") { Ok(()) } else { Err(msg) }
            }
        };
        let r = profitability(&l, &p, &table, calls, &Cuts::curry()).map(drop);
        proptest::prop_assert_eq!(ok_or_named(r), Ok(()));
        if let Ok(py) = pyramid(&l, &p, &PyramidOptions::new()) {
            let r = share_of_wallet(&l, &py, |_| Some(potential)).map(drop);
            proptest::prop_assert_eq!(ok_or_named(r), Ok(()));
        }
    }
}

#[test]
fn a_negative_cost_in_the_table_is_refused() {
    let mut table = crm_value::CostTable::default();
    table.handling_per_order = m("-5");
    let e = table.check().unwrap_err().to_string();
    assert!(e.contains("handling_per_order"), "{e}");
    table.handling_per_order = m("5");
    assert!(table.check().is_ok());
    table.interactions.insert(InteractionKind::Visit, m("-1"));
    assert!(table.check().unwrap_err().to_string().contains("visit"));
    // profitability itself refuses it too.
    let year: Period = "2024".parse().unwrap();
    let ledger = Ledger::new([year]);
    let r = crm_value::profitability(&ledger, &year, &table, Vec::new(), &Cuts::default());
    assert!(r.is_err());
}
