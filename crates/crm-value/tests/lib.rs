//! Integration tests of crm-value: hand-computed examples and the
//! invariants of issue 4 as property tests.

use std::collections::BTreeMap;

use crm_core::arbitrary;
use crm_core::{
    CustomerKey, Interaction, InteractionKind, Ledger, LedgerOptions, Money, NaiveDate, Period,
};
use crm_pyramid::{Cuts, PyramidOptions, pyramid};
use crm_value::{
    CostTable, Error, RetentionInputs, RfmOptions, RiskOptions, Signal, profitability,
    quintile_scores, retention_economics, rfm, rfm_grid, rfm_period, risk, share_of_wallet,
    simple_clv, whale_curve,
};
use proptest::prelude::*;

mod fidelity;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn m(s: &str) -> Money {
    s.parse().unwrap()
}

#[test]
fn rfm_by_hand() {
    let as_of = d(2025, 1, 1);
    let mut l = Ledger::with_options(
        [rfm_period(as_of).unwrap()],
        LedgerOptions::new().purchase_days(true),
    );
    // A: 3 purchase days, last 2024-12-31 (1 day ago), 300.
    // B: 1 day, 2024-06-01, 50.  C: 2 days (two sales on one day count once).
    // D: only a credit note: no purchase. E: bought after as_of only.
    for (k, date, v) in [
        ("A", d(2024, 1, 1), "100"),
        ("A", d(2024, 6, 1), "100"),
        ("A", d(2024, 12, 31), "100"),
        ("B", d(2024, 6, 1), "50"),
        ("C", d(2024, 9, 1), "10"),
        ("C", d(2024, 9, 1), "10"),
        ("C", d(2024, 11, 1), "10"),
        ("D", d(2024, 3, 1), "-5"),
        ("E", d(2025, 2, 1), "999"),
    ] {
        l.record_sale(k, date, m(v), None).unwrap();
    }
    let r = rfm(&l, as_of, &RfmOptions::new()).unwrap();
    let by: BTreeMap<&str, _> = r.scores.iter().map(|s| (s.customer.as_str(), s)).collect();
    assert_eq!(by.keys().copied().collect::<Vec<_>>(), ["A", "B", "C"]);
    assert_eq!(
        (by["A"].recency_days, by["A"].frequency, by["A"].monetary),
        (1, 3, m("300"))
    );
    assert_eq!((by["B"].recency_days, by["B"].frequency), (214, 1));
    assert_eq!(by["C"].frequency, 2);
    // n = 3: scores 1 + ⌊5k/3⌋ for k = 0, 1, 2: 1, 2, 4.
    assert_eq!((by["A"].r, by["A"].f, by["A"].m), (4, 4, 4));
    assert_eq!((by["B"].r, by["B"].f, by["B"].m), (1, 1, 2));
    assert_eq!((by["C"].r, by["C"].f, by["C"].m), (2, 2, 1));
    assert_eq!(by["A"].segment, "loyal");
    assert_eq!(by["B"].segment, "lost");
    assert_eq!(by["C"].segment, "hibernating");
    assert_eq!(r.segments.iter().map(|s| s.1).sum::<u64>(), 3);
    assert_eq!(r.segments.len(), 11);

    let plain = Ledger::new([rfm_period(as_of).unwrap()]);
    assert!(rfm(&plain, as_of, &RfmOptions::new()).is_err());
}

#[test]
fn profitability_and_whale_curve_by_hand() {
    let p = Period::year(2024).unwrap();
    let mut l = Ledger::new([p]);
    l.record_sale("A", d(2024, 1, 1), m("1000"), Some(m("300")))
        .unwrap();
    l.record_sale("B", d(2024, 1, 1), m("500"), Some(m("100")))
        .unwrap();
    l.record_sale("C", d(2024, 1, 1), m("100"), Some(m("20")))
        .unwrap();
    let mut costs = CostTable::default();
    costs.handling_per_order = m("10");
    costs.interactions = BTreeMap::from([
        (InteractionKind::Visit, m("150")),
        (InteractionKind::Call, m("5")),
    ]);
    let k = |s: &str| CustomerKey::new(s).unwrap();
    let interactions = vec![
        Interaction::new(k("B"), d(2024, 3, 1), InteractionKind::Visit),
        Interaction::new(k("C"), d(2024, 3, 1), InteractionKind::Call),
        Interaction::new(k("P"), d(2024, 4, 1), InteractionKind::Visit),
        Interaction::new(k("A"), d(2023, 4, 1), InteractionKind::Visit), // before the period
    ];
    let pr = profitability(&l, &p, &costs, interactions, &Cuts::curry()).unwrap();
    let profits: Vec<(&str, Money)> = pr
        .customers
        .iter()
        .map(|c| (c.customer.as_str(), c.profit))
        .collect();
    // A 300 - 10; C 20 - 10 - 5; B 100 - 10 - 150; P - 150.
    assert_eq!(
        profits,
        [
            ("A", m("290")),
            ("C", m("5")),
            ("B", m("-60")),
            ("P", m("-150"))
        ]
    );
    let w = pr.whale.unwrap();
    assert_eq!(w.total, m("85"));
    assert_eq!(w.peak_customers, 2);
    // 295 / 85 = 3.470588235..., a share to six decimals.
    assert_eq!(w.peak.to_string(), "3.470588");
    assert_eq!((w.unprofitable, w.destroyed), (2, m("-210")));
    assert_eq!(w.points.last().copied(), Some((1.0, 1.0)));
    let svg = crm_value::whale_svg(&w);
    assert!(svg.starts_with("<svg") && svg.contains("polyline"));
}

#[test]
fn wallet_and_risk_by_hand() {
    let (y23, y24) = (Period::year(2023).unwrap(), Period::year(2024).unwrap());
    let mut l = Ledger::with_options([y23, y24], LedgerOptions::new().purchase_days(true));
    for (k, date, v) in [
        ("A", d(2023, 1, 10), "1000"),
        ("A", d(2024, 1, 10), "200"),
        ("B", d(2023, 3, 1), "100"),
        ("B", d(2023, 4, 1), "100"),
        ("B", d(2023, 5, 1), "100"),
        ("B", d(2023, 6, 1), "100"),
        ("B", d(2024, 2, 1), "500"),
        ("C", d(2024, 6, 1), "50"),
    ] {
        l.record_sale(k, date, m(v), None).unwrap();
    }
    let o = PyramidOptions::new();
    let (before, now) = (
        pyramid(&l, &y23, &o).unwrap(),
        pyramid(&l, &y24, &o).unwrap(),
    );
    let potentials = BTreeMap::from([("A", m("1000")), ("C", m("0"))]);
    let w = share_of_wallet(&l, &now, |k| potentials.get(k).copied()).unwrap();
    // 2024 is one calendar year: A's potential for it is its yearly
    // potential, 1000.00. (Scaled by 366 / 365.25 days, as before, it was
    // 1002.05: a leap year held more than a year's potential.)
    assert_eq!(w.shares.len(), 1);
    assert_eq!(w.shares[0].potential, m("1000.00"));
    assert_eq!(w.undefined, ["B", "C"]);

    // Pyramids in the wrong order are an error, not a silent answer.
    assert!(risk(&l, &now, &before, &RiskOptions::default(), |_| None).is_err());
    let at_risk = risk(&l, &before, &now, &RiskOptions::default(), |k| {
        (k == "C").then_some(0.1)
    })
    .unwrap();
    let by: BTreeMap<&str, &Vec<Signal>> = at_risk
        .iter()
        .map(|a| (a.customer.as_str(), &a.signals))
        .collect();
    // A fell from 1000 to 200 (80%) and from Top to ... (n = 3 in 2024: B top).
    assert!(
        by["A"]
            .iter()
            .any(|s| matches!(s, Signal::ValueDrop { .. }))
    );
    assert!(
        by["A"]
            .iter()
            .any(|s| matches!(s, Signal::DroppedLevel { .. }))
    );
    // B's usual gap is 84 days (5 purchases over 337 days); nothing for
    // the last 335 days: overdue.
    assert!(by["B"].iter().any(|s| matches!(s, Signal::Overdue { .. })));
    assert!(
        by["C"]
            .iter()
            .any(|s| matches!(s, Signal::LowPAlive { .. }))
    );
}

#[test]
fn simple_lifetime_value() {
    assert_eq!(simple_clv(100.0, 0.0, 0.1), Some(0.0));
    assert!(simple_clv(100.0, 1.0, 0.1).is_none());
    assert!(simple_clv(100.0, 0.5, -0.1).is_none());
    // The closed form equals the sum of the series.
    let sum: f64 = (1..2000)
        .map(|t| 100.0 * 0.9f64.powi(t) / 1.1f64.powi(t))
        .sum();
    assert!((simple_clv(100.0, 0.9, 0.1).unwrap() - sum).abs() < 1e-6);
    let inputs = RetentionInputs {
        customers: 1000,
        margin: Money::from(50),
        retention: 0.7,
        improved: 0.75,
        discount: 0.08,
        periods: 3,
        cost_per_customer: Money::from(120),
    };
    let e = retention_economics(&inputs).unwrap();
    assert!(e.gain.is_positive() && e.acquisition_cost.is_positive());
    // 1000 × 50 × Σ 0.7ᵗ / 1.08ᵗ, t = 1..3, to the cent.
    let f: f64 = (1..=3).map(|t| 0.7f64.powi(t) / 1.08f64.powi(t)).sum();
    let expected = format!("{:.2}", 50_000.0 * f);
    assert_eq!(e.profit_now.to_string(), expected);
    for (bad, input) in [
        (
            RetentionInputs {
                retention: 1.5,
                ..RetentionInputs::default()
            },
            "retention",
        ),
        (
            RetentionInputs {
                improved: -0.5,
                ..RetentionInputs::default()
            },
            "improved",
        ),
        (
            RetentionInputs {
                discount: -0.1,
                ..RetentionInputs::default()
            },
            "discount",
        ),
        (
            RetentionInputs {
                discount: f64::INFINITY,
                ..RetentionInputs::default()
            },
            "discount",
        ),
        (
            RetentionInputs {
                retention: f64::NAN,
                ..RetentionInputs::default()
            },
            "retention",
        ),
    ] {
        match retention_economics(&bad) {
            Err(Error::OutOfRange { input: i, .. }) => assert_eq!(i, input),
            other => panic!("{input}: {other:?}"),
        }
    }
    // Money that leaves Decimal's range is an error, not a panic.
    let huge = RetentionInputs {
        customers: u64::MAX,
        margin: "79228162514264337593543950".parse().unwrap(),
        ..RetentionInputs::default()
    };
    assert!(matches!(retention_economics(&huge), Err(Error::Core(_))));
}

proptest! {
    /// The grid counts what `rfm` scores, cell by cell and per segment,
    /// whatever order the customers came in.
    #[test]
    fn prop_rfm_grid_counts_the_scores_of_rfm(
        sales in prop::collection::vec((0u8..30, 0u32..700), 0..200),
        reversed in any::<bool>(),
    ) {
        let as_of = d(2025, 1, 1);
        let mut l = Ledger::with_options(
            [rfm_period(as_of).unwrap()],
            LedgerOptions::new().purchase_days(true),
        );
        let mut sales = sales;
        if reversed {
            sales.reverse();
        }
        for (k, day) in &sales {
            let date = d(2023, 3, 1) + crm_core::Days::new(u64::from(*day));
            l.record_sale(&format!("K{k}"), date, m("10"), None).unwrap();
        }
        let full = rfm(&l, as_of, &RfmOptions::new()).unwrap();
        let grid = rfm_grid(&l, as_of, &RfmOptions::new()).unwrap();
        prop_assert_eq!(grid.customers, full.scores.len() as u64);
        prop_assert_eq!(&grid.segments, &full.segments);
        let mut counts = [[0u64; 5]; 5];
        for s in &full.scores {
            counts[usize::from(s.r) - 1][usize::from(s.f) - 1] += 1;
            prop_assert_eq!(&grid.cell_segments[usize::from(s.r) - 1][usize::from(s.f) - 1], &s.segment);
        }
        prop_assert_eq!(grid.counts, counts);
    }

    /// Scores are 1 to 5, ties share a score, better values never score
    /// lower, and without ties each score holds n/5 values give or take one.
    #[test]
    fn prop_quintile_scores(values in prop::collection::vec(0u32..50, 1..300), higher in any::<bool>()) {
        let s = quintile_scores(&values, higher);
        prop_assert!(s.iter().all(|x| (1..=5).contains(x)));
        // The definition: 1 + ⌊5 × k / n⌋, k the values worse than this one.
        let n = values.len();
        for (v, score) in values.iter().zip(&s) {
            let worse = values.iter().filter(|x| if higher { *x < v } else { *x > v }).count();
            prop_assert_eq!(usize::from(*score), 1 + 5 * worse / n);
        }
        for i in 0..values.len() {
            for j in 0..values.len() {
                if values[i] == values[j] {
                    prop_assert_eq!(s[i], s[j]);
                }
                let better = if higher { values[i] > values[j] } else { values[i] < values[j] };
                if better {
                    prop_assert!(s[i] >= s[j]);
                }
            }
        }
        let mut distinct = values.clone();
        distinct.sort_unstable();
        distinct.dedup();
        let s = quintile_scores(&distinct, higher);
        let n = distinct.len();
        for score in 1..=5u8 {
            let c = s.iter().filter(|x| **x == score).count();
            prop_assert!(c.abs_diff(n / 5) <= 1, "score {} has {} of {}", score, c, n);
        }
    }

    /// The whale curve ends at 100% of total profit, and its peak is at
    /// least 100% (the profitable customers hold at least the total).
    #[test]
    fn prop_whale_curve_ends_at_the_total(cents in prop::collection::vec(-100_000i64..1_000_000, 1..200)) {
        let mut profits: Vec<Money> = cents.iter().map(|c| Money::from_minor(*c, 2)).collect();
        profits.sort_by(|a, b| b.cmp(a));
        if let Some(w) = whale_curve(&profits).unwrap() {
            let last = *w.points.last().unwrap();
            prop_assert_eq!(last.0, 1.0);
            prop_assert!((last.1 - 1.0).abs() < 1e-9);
            if w.total.is_positive() {
                prop_assert!(w.peak >= 1.0 - 1e-9);
            }
        } else {
            prop_assert!(profits.iter().copied().sum::<Money>().is_zero());
        }
    }

    /// Shares of wallet are at least 0; customers without a usable
    /// potential are listed as undefined, never given a share.
    #[test]
    fn prop_wallet_shares(rows in prop::collection::vec((arbitrary::key(), arbitrary::money()), 0..100), potentials in prop::collection::vec(prop::option::of(-1000i64..100_000), 0..100)) {
        let y = Period::year(2024).unwrap();
        let mut l = Ledger::new([y]);
        for (k, v) in &rows {
            l.record_sale(k.as_str(), d(2024, 5, 5), *v, None).unwrap();
        }
        let p = pyramid(&l, &y, &PyramidOptions::new()).unwrap();
        let pot = |k: &str| potentials.get(k.len() % potentials.len().max(1)).copied().flatten().map(Money::from);
        let w = share_of_wallet(&l, &p, pot).unwrap();
        prop_assert!(w.shares.iter().all(|s| s.share >= crm_core::Decimal::ZERO));
        prop_assert_eq!(w.shares.len() + w.undefined.len(), p.active() as usize);
        for u in &w.undefined {
            prop_assert!(pot(u).is_none_or(|x| !x.is_positive()));
        }
        for s in &w.shares {
            prop_assert!(pot(&s.customer).is_some_and(|x| x.is_positive()));
        }
    }
}
