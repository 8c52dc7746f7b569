use crm_core::{Ledger, Money, NaiveDate, Period, Stage};
use crm_migration::{Movement, Source, migration, parse_periods, risk_list, series};
use crm_pyramid::{Level, PyramidOptions, pyramid};

fn d(y: i32, m: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, 1).unwrap()
}

fn m(s: &str) -> Money {
    s.parse().unwrap()
}

/// 2023: A 1000 (top), B 100, C 50, D 10; E a prospect; F a registered suspect.
/// 2024: A 20 (down to small), B 500 (up to top), C nothing (lost),
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
    assert_eq!(cell(lv(Small), Inactive), 1); // C lost
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
            s.lost,
            s.stayed,
            s.other
        ),
        (4, 2, 1, 1, 1, 1, 1)
    );
    assert_eq!(s.net, 2);

    // Value bridge: 2023 total 1160 (H had nothing in 2023), 2024 total 605.
    assert_eq!(mig.bridge.from_total, m("1160"));
    assert_eq!(mig.bridge.to_total, m("605"));
    let step = |mv: Movement| mig.bridge.steps.iter().find(|x| x.0 == mv).unwrap().1;
    assert_eq!(step(Movement::Down), m("-980"));
    assert_eq!(step(Movement::Up), m("400"));
    assert_eq!(step(Movement::Lost), m("-50"));
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
    assert_eq!(risk[1].movement, Movement::Lost);
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
        steps + mig.bridge.left,
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
    assert!(s.markov.lifetime_values(s.value, 0.1).is_some());
}
