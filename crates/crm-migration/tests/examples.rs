use crm_core::{Ledger, Money, NaiveDate, Period, Stage};
use crm_migration::{
    Estimator, Movement, Source, migration, parse_periods, risk_list, series, series_with,
};
use crm_pyramid::{Level, PyramidOptions, pyramid};

fn d(y: i32, m: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, 1).unwrap()
}

fn m(s: &str) -> Money {
    s.parse().unwrap()
}

/// 2023: A 1000 (top), B 100, C 50, D 10; E a prospect; F a registered suspect.
/// 2024: A 20 (down to small), B 500 (up to top), C nothing (lapsed),
/// D 10 (stays small), E buys 40 (new), G buys 5 (new, unknown in 2023),
/// H bought in 2022 only and buys 30 again (reactivated), F contacted (other).
fn example() -> (Ledger, Period, Period) {
    let (y23, y24) = (Period::year(2023).unwrap(), Period::year(2024).unwrap());
    let mut l = Ledger::new([y23, y24]);
    for (k, date, v) in [
        ("A", d(2023, 2), "1000"),
        ("B", d(2023, 3), "100"),
        ("C", d(2023, 4), "50"),
        ("D", d(2023, 5), "10"),
        ("H", d(2022, 5), "70"),
        ("A", d(2024, 2), "20"),
        ("B", d(2024, 3), "500"),
        ("D", d(2024, 5), "10"),
        ("E", d(2024, 6), "40"),
        ("G", d(2024, 7), "5"),
        ("H", d(2024, 8), "30"),
    ] {
        l.record_sale(k, date, m(v), None).unwrap();
    }
    l.record_interaction("E", d(2023, 6)).unwrap();
    l.record_register("F", Stage::Suspect).unwrap();
    l.record_interaction("F", d(2024, 9)).unwrap();
    (l, y23, y24)
}

#[test]
fn hand_computed_matrix() {
    let (l, y23, y24) = example();
    let mig = migration(&l, &y23, &y24, &PyramidOptions::new()).unwrap();
    // 2023 actives: A, B, C, D (n = 4: cuts 1, 1, 1): A top, B medium... ceil(4 × 1%) = 1,
    // ceil(4 × 5%) = 1, ceil(4 × 20%) = 1: A top, the rest small.
    // 2024 actives: B 500, H 30, E 40, A 20, D 10, G 5 (n = 6: 1, 1, 2):
    // B top, E medium, the rest small.
    let cell = |f: Source, t: Level| mig.cell(f, t).customers;
    use Level::*;
    let lv = Source::Level;
    assert_eq!(cell(lv(Top), Small), 1); // A down
    assert_eq!(cell(lv(Small), Top), 1); // B up
    assert_eq!(cell(lv(Small), Inactive), 1); // C lapsed
    assert_eq!(cell(lv(Small), Small), 1); // D stayed
    assert_eq!(cell(lv(Prospect), Medium), 1); // E new
    assert_eq!(cell(Source::New, Small), 1); // G new
    assert_eq!(cell(lv(Inactive), Small), 1); // H reactivated
    assert_eq!(cell(lv(Suspect), Prospect), 1); // F other
    assert_eq!(mig.cells().count(), 8);

    let s = mig.summary;
    assert_eq!(
        (
            s.up,
            s.new,
            s.reactivated,
            s.down,
            s.lapsed,
            s.stayed,
            s.other,
            s.lost
        ),
        (4, 2, 1, 1, 1, 1, 1, 0)
    );
    // Net movement: up 4 - down 1 - lapsed 1. Net inflow: new 2 +
    // reactivated 1 - lapsed 1 (B's move up and A's down leave the active
    // base as it was).
    assert_eq!((s.net_movement, s.net_inflow), (2, 2));

    // Value bridge: 2023 total 1160 (H had nothing in 2023), 2024 total 605.
    assert_eq!(mig.bridge.from_total, m("1160"));
    assert_eq!(mig.bridge.to_total, m("605"));
    let step = |mv: Movement| mig.bridge.steps.iter().find(|x| x.0 == mv).unwrap().1;
    assert_eq!(step(Movement::Down), m("-980"));
    assert_eq!(step(Movement::Up), m("400"));
    assert_eq!(step(Movement::Lapsed), m("-50"));
    assert_eq!(step(Movement::Stayed), m("0"));
    assert_eq!(step(Movement::New), m("45"));
    assert_eq!(step(Movement::Reactivated), m("30"));

    // Row and column totals match the pyramids.
    let a = pyramid(&l, &y23, &PyramidOptions::new()).unwrap();
    let b = pyramid(&l, &y24, &PyramidOptions::new()).unwrap();
    for level in Level::ALL {
        assert_eq!(
            mig.row_total(lv(level)).customers,
            a.figures(level).customers,
            "{level}"
        );
        assert_eq!(
            mig.column_total(level).customers,
            b.figures(level).customers,
            "{level}"
        );
    }

    let risk = risk_list(&l, &a, &b).unwrap();
    let keys: Vec<&str> = risk.iter().map(|r| r.customer).collect();
    assert_eq!(keys, ["A", "C"]);
    assert_eq!(risk[0].value_lost, m("980"));
    assert_eq!(risk[1].movement, Movement::Lapsed);
    // Pyramids in the wrong order are an error, not a list of the reverse.
    assert!(risk_list(&l, &b, &a).is_err());
}

#[test]
fn horizon_leavers_are_counted_apart_and_the_bridge_still_closes() {
    let (l, y23, y24) = example();
    // With a one-year horizon, C (last bought 2023-04) is still inactive in
    // 2024; H bought in 2022 and is outside the 2023 pyramid (lost then).
    let o = PyramidOptions::new().inactivity_horizon_days(Some(200));
    let mig = migration(&l, &y23, &y24, &o).unwrap();
    let steps: Money = mig.bridge.steps.iter().map(|s| s.1).sum();
    assert_eq!(
        steps + mig.bridge.lost,
        mig.bridge.to_total - mig.bridge.from_total
    );
    assert_eq!(mig.cell(Source::New, Level::Small).customers, 2); // G and H
}

#[test]
fn errors() {
    let (l, y23, y24) = example();
    assert!(migration(&l, &y24, &y23, &PyramidOptions::new()).is_err());
    assert!(
        migration(
            &l,
            &y23,
            &Period::year(2025).unwrap(),
            &PyramidOptions::new()
        )
        .is_err()
    );
    assert!(series(&l, &[y23], &PyramidOptions::new()).is_err());
    assert!(parse_periods("2025..2021").is_err());
    assert!(parse_periods("2021..2024-Q1").is_err());
    assert!(parse_periods("x").is_err());
    assert_eq!(parse_periods("2024-Q3..2025-Q2").unwrap().len(), 4);
    assert_eq!(parse_periods("2024-11..2025-02").unwrap().len(), 4);
    assert_eq!(parse_periods("2023, 2024").unwrap().len(), 2);
    // A comma list is held to the cap of a range, before it is all read,
    // and to the order a series needs.
    let years: Vec<String> = (2000..3002).map(|y| y.to_string()).collect();
    assert_eq!(parse_periods(&years[..1000].join(",")).unwrap().len(), 1000);
    let e = parse_periods(&years.join(",")).unwrap_err().to_string();
    assert!(e.contains("more than 1000 periods"), "{e}");
    assert!(parse_periods(&"2021,".repeat(1_000_000)).is_err());
    let e = parse_periods("2021,2021").unwrap_err().to_string();
    assert!(e.contains("must end after the one before"), "{e}");
    assert!(parse_periods("2022,2021").is_err());
}

#[test]
fn the_same_period_twice_is_named_as_such() {
    let (l, y23, y24) = example();
    let o = PyramidOptions::new();
    let e = migration(&l, &y23, &y23, &o).unwrap_err();
    assert_eq!(e, crm_migration::Error::SamePeriod { period: y23 });
    assert_eq!(
        e.to_string(),
        format!(
            "invalid periods: {y23} is given twice: a migration compares two different periods"
        )
    );
    let e = series(&l, &[y23, y24, y24], &o).unwrap_err();
    assert_eq!(e, crm_migration::Error::SamePeriod { period: y24 });
    let (p23, p24) = (
        pyramid(&l, &y23, &o).unwrap(),
        pyramid(&l, &y24, &o).unwrap(),
    );
    let e = risk_list(&l, &p24, &p24).unwrap_err();
    assert_eq!(e, crm_migration::Error::SamePeriod { period: y24 });
    // Periods out of order still say so.
    let e = migration(&l, &y24, &y23, &o).unwrap_err();
    assert!(
        e.to_string().ends_with("give the earlier period first"),
        "{e}"
    );
    assert!(risk_list(&l, &p24, &p23).is_err());
}

#[test]
fn series_estimates_a_chain() {
    let periods = parse_periods("2021..2025").unwrap();
    let mut l = Ledger::new(periods.iter().copied());
    // 50 customers buying each year with slowly changing values, some stop.
    for c in 0..50u32 {
        for (k, p) in periods.iter().enumerate() {
            if c % 7 == 0 && k >= 2 {
                continue; // stops after two years
            }
            let v = Money::from(i64::from((c * 37 + k as u32 * 11) % 100 + 1));
            l.record_sale(&format!("K{c}"), p.start(), v, Some(v))
                .unwrap();
        }
    }
    let s = series(&l, &periods, &PyramidOptions::new()).unwrap();
    assert_eq!(s.migrations.len(), 4);
    for row in &s.markov.p {
        assert!((row.iter().sum::<f64>() - 1.0).abs() < 1e-12, "{row:?}");
    }
    assert_eq!(s.value_basis, crm_core::Basis::Margin);
    // Without inflow the chain keeps the customer count.
    let mut closed = s.markov.clone();
    closed.inflow = [0.0; 5];
    let start = s.counts.last().unwrap().map(|c| c as f64);
    for step in closed.project(start, 3) {
        assert!((step.iter().sum::<f64>() - start.iter().sum::<f64>()).abs() < 1e-9);
    }
    assert!(s.lifetime_values(0.1).is_some());
}

#[test]
fn lapsed_and_lost_are_two_counts() {
    // Before, the summary's `lost` counted C (active in 2023, inactive in
    // 2024) while the pyramid's `lost` counted former buyers beyond the
    // horizon. Now C is `lapsed` and `lost` means what the pyramid means.
    let (mut l, y23, y24) = example();
    // X bought in 2022-02 only: inactive in 2023, beyond a 400-day horizon
    // at the start of 2024, so it leaves the pyramid during the pair.
    l.record_sale("X", d(2022, 2), m("15"), None).unwrap();
    let o = PyramidOptions::new().inactivity_horizon_days(Some(400));
    let mig = migration(&l, &y23, &y24, &o).unwrap();
    assert_eq!(
        mig.cell(Source::Level(Level::Small), Level::Inactive)
            .customers,
        1
    ); // C
    assert_eq!(mig.summary.lapsed, 1); // C: active -> inactive
    assert_eq!(mig.summary.lost, 1); // X: inactive -> beyond the horizon
    let b = pyramid(&l, &y24, &o).unwrap();
    assert_eq!(b.lost().customers, 1); // the same X, same word
}

#[test]
fn net_inflow_differs_from_net_movement() {
    // 2023: ten equal customers K0..K9 (K0 Top, K1 Medium, the rest
    // Small). 2024: the same ten spend the same, and ten new customers
    // N0..N9 buy a little. With twenty actives the Medium level holds
    // three, so K2 and K3 move up without spending more.
    let (y23, y24) = (Period::year(2023).unwrap(), Period::year(2024).unwrap());
    let mut l = Ledger::new([y23, y24]);
    for i in 0..10 {
        for y in [2023, 2024] {
            l.record_sale(&format!("K{i}"), d(y, 3), m("100"), None)
                .unwrap();
        }
        l.record_sale(&format!("N{i}"), d(2024, 3), m("50"), None)
            .unwrap();
    }
    let s = migration(&l, &y23, &y24, &PyramidOptions::new())
        .unwrap()
        .summary;
    assert_eq!((s.up, s.new, s.down, s.lapsed), (12, 10, 0, 0));
    // The net movement (the old `net`, up - down - lapsed) counts the two
    // relative moves up as growth: +12. The net inflow counts customers
    // who joined the active base: +10.
    assert_eq!((s.net_movement, s.net_inflow), (12, 10));
    // One more 2023 customer (the smallest) who does not buy in 2024: it
    // lapses, and with eleven actives in 2023 K2 was Medium already.
    l.record_sale("Z", d(2023, 3), m("50"), None).unwrap();
    let s = migration(&l, &y23, &y24, &PyramidOptions::new())
        .unwrap()
        .summary;
    assert_eq!((s.up, s.new, s.down, s.lapsed), (11, 10, 0, 1));
    assert_eq!((s.net_movement, s.net_inflow), (10, 9));
}

#[test]
fn pooled_counts_weigh_pairs_by_their_customers() {
    // 2021 -> 2022: 1 Small customer, who lapses. 2022 -> 2023: 20 active
    // customers (1 Top, 3 Medium, 16 Small), none lapses. The average of
    // shares says a Small customer lapses half the time; the pooled counts
    // say 1 in 17.
    let periods = parse_periods("2021..2023").unwrap();
    let mut l = Ledger::new(periods.iter().copied());
    let mut sale = |k: &str, y, v| l.record_sale(k, d(y, 6), m(v), None).unwrap();
    for y in 2021..=2023 {
        sale("TOP", y, "1000");
    }
    sale("ONCE", 2021, "10");
    for i in 0..19 {
        sale(&format!("S{i:02}"), 2022, "10");
        sale(&format!("S{i:02}"), 2023, "10");
    }
    let o = PyramidOptions::new();
    let pooled = series(&l, &periods, &o).unwrap();
    let average = series_with(&l, &periods, &o, Estimator::AverageOfShares).unwrap();
    let (small, inactive) = (3, 4);
    assert_eq!(pooled.estimator, Estimator::Pooled);
    assert_eq!(pooled.row_customers[small], 17);
    assert_eq!(pooled.transitions[small][inactive], 1);
    assert_eq!(pooled.transitions[small][small], 16);
    assert_eq!(pooled.markov.p[small][inactive], 1.0 / 17.0);
    assert_eq!(average.markov.p[small][inactive], (1.0 + 0.0) / 2.0);
    // The counts are the same either way; only the estimate differs.
    assert_eq!(average.transitions, pooled.transitions);
    assert_eq!(
        "average-of-shares".parse::<Estimator>(),
        Ok(Estimator::AverageOfShares)
    );
    assert!("mean".parse::<Estimator>().is_err());
}

#[test]
fn amounts_beyond_range_are_errors_not_panics() {
    let periods = parse_periods("2023..2024").unwrap();
    let mut l = Ledger::new(periods.iter().copied());
    let max = Money::new(crm_core::Decimal::MAX);
    for k in ["A", "B"] {
        l.record_sale(k, d(2024, 3), max, None).unwrap();
    }
    l.record_sale("A", d(2023, 3), max, None).unwrap();
    let o = PyramidOptions::new();
    let err = migration(&l, &periods[0], &periods[1], &o)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("amount overflow") && err.contains("2024-01-01"),
        "{err}"
    );
    assert!(series(&l, &periods, &o).is_err());
}
