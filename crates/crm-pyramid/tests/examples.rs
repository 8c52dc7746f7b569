//! Hand-computed pyramids.

use crm_core::{Basis, Ledger, Money, Stage};
use crm_pyramid::{Cuts, Level, PyramidOptions, PyramidReport, pyramid};

use crate::util::{d, ledger, m, register, year};

#[test]
fn curry_2000_customers_give_20_80_300_1600() {
    let p = year(2024);
    let mut l = Ledger::new([p]);
    for i in 0..2000u32 {
        let v = Money::from(i64::from(i) + 1);
        l.record_sale(&format!("K{i:04}"), d(2024, 6, 1), v, None)
            .unwrap();
    }
    let py = pyramid(&l, &p, &PyramidOptions::new()).unwrap();
    let counts: Vec<u64> = Level::ACTIVE
        .iter()
        .map(|&lv| py.figures(lv).customers)
        .collect();
    assert_eq!(counts, [20, 80, 300, 1600]);
    // The top customer has the highest value.
    assert_eq!(
        py.level_of(l.id("K1999").unwrap()).unwrap(),
        Some(Level::Top)
    );
    assert_eq!(py.rank_of(l.id("K1999").unwrap()).unwrap(), Some(1));
    assert_eq!(
        py.level_of(l.id("K0000").unwrap()).unwrap(),
        Some(Level::Small)
    );
    assert_eq!(py.rank_of(l.id("K0000").unwrap()).unwrap(), Some(2000));
}

#[test]
fn ceil_rule_on_small_bases() {
    // n = 7: ceil(0.07) = 1, ceil(0.35) = 1, ceil(1.4) = 2.
    let p = year(2024);
    let sales: Vec<(String, &str)> = (1..=7).map(|i| (format!("C{i}"), "10")).collect();
    let mut l = Ledger::new([p]);
    for (k, v) in &sales {
        l.record_sale(k, d(2024, 1, 1), m(v), None).unwrap();
    }
    let py = pyramid(&l, &p, &PyramidOptions::new()).unwrap();
    let counts: Vec<u64> = Level::ACTIVE
        .iter()
        .map(|&lv| py.figures(lv).customers)
        .collect();
    assert_eq!(counts, [1, 0, 1, 5]);
    // All values tie: ranks follow the keys.
    assert_eq!(py.level_of(l.id("C1").unwrap()).unwrap(), Some(Level::Top));
    assert_eq!(
        py.level_of(l.id("C2").unwrap()).unwrap(),
        Some(Level::Medium)
    );
}

#[test]
fn non_active_levels() {
    let (y23, y24) = (year(2023), year(2024));
    let mut l = ledger(
        &[y24, y23],
        &[
            ("active", d(2024, 3, 1), "100"),
            ("inactive", d(2023, 3, 1), "50"),
            ("old", d(2019, 3, 1), "50"),
            ("credit-only", d(2024, 3, 1), "-20"),
            ("netted", d(2024, 3, 1), "30"),
            ("netted", d(2024, 4, 1), "-30"),
            ("later", d(2025, 2, 1), "999"),
            ("returns-after-buying", d(2023, 5, 1), "10"),
            ("returns-after-buying", d(2024, 5, 1), "-10"),
        ],
    );
    l.record_interaction("contacted", d(2024, 2, 2)).unwrap();
    l.record_interaction("contacted-later", d(2025, 2, 2))
        .unwrap();
    register(&mut l, "registered-prospect", Stage::Prospect);
    register(&mut l, "registered-suspect", Stage::Suspect);
    register(&mut l, "registered-customer", Stage::Customer);

    let py = pyramid(&l, &y24, &PyramidOptions::new()).unwrap();
    let level = |k: &str| py.level_of(l.id(k).unwrap()).unwrap();
    assert_eq!(level("active"), Some(Level::Top));
    assert_eq!(level("inactive"), Some(Level::Inactive));
    assert_eq!(level("old"), Some(Level::Inactive));
    assert_eq!(level("credit-only"), Some(Level::Prospect));
    assert_eq!(level("netted"), Some(Level::Prospect));
    assert_eq!(level("returns-after-buying"), Some(Level::Inactive));
    assert_eq!(level("later"), None);
    assert_eq!(level("contacted"), Some(Level::Prospect));
    assert_eq!(level("contacted-later"), None);
    assert_eq!(level("registered-prospect"), Some(Level::Prospect));
    assert_eq!(level("registered-suspect"), Some(Level::Suspect));
    // The register says it bought (no date given), the history has no
    // purchase: a prospect and a data gap, not a never-contacted suspect.
    assert_eq!(level("registered-customer"), Some(Level::Prospect));
    assert_eq!(py.register_customers_without_purchase(), 1);
    assert_eq!(
        py.register_customers_without_purchase_keys(&l).unwrap(),
        ["registered-customer"]
    );
    assert_eq!(py.figures(Level::Inactive).value, m("-10"));
    assert_eq!(py.total_value(), m("70"));

    // With a horizon of two years, "old" is lost and leaves the pyramid.
    let py = pyramid(
        &l,
        &y24,
        &PyramidOptions::new().inactivity_horizon_days(Some(730)),
    )
    .unwrap();
    assert_eq!(py.level_of(l.id("old").unwrap()).unwrap(), None);
    assert_eq!(py.lost().customers, 1);
    assert_eq!(py.figures(Level::Inactive).customers, 2);

    // In 2023 "active" was not yet known; "inactive" was active.
    let before = pyramid(&l, &y23, &PyramidOptions::new()).unwrap();
    assert_eq!(before.level_of(l.id("active").unwrap()).unwrap(), None);
    assert_eq!(
        before
            .level_of(l.id("inactive").unwrap())
            .unwrap()
            .map(Level::is_active),
        Some(true)
    );

    let report = PyramidReport::new(&py, Some(&before));
    assert_eq!(report.levels.len(), 7);
    assert_eq!(report.level(Level::Top).change.unwrap().customers, 0);
    assert_eq!(report.level(Level::Top).share_of_customers, Some(1.0));
    assert_eq!(report.level(Level::Inactive).share_of_customers, None);
}

#[test]
fn register_customer_without_history_is_a_prospect_from_its_acquisition() {
    // Stage `customer`, acquired 2024-07-01, no sale or contact on file.
    // Before this rule it was a Suspect in every period ("in the target
    // market, never contacted"), although the register says it bought.
    // Now: a Suspect of 2023 (acquired later; the register is a snapshot of
    // today), a Prospect of 2024 and 2025, counted as "register says
    // customer, no purchase found". A register customer with a sale is
    // simply active and not counted.
    let (y23, y24, y25) = (year(2023), year(2024), year(2025));
    let mut l = ledger(&[y23, y24, y25], &[("bought", d(2024, 8, 1), "100")]);
    for (key, acquired) in [("gap", d(2024, 7, 1)), ("bought", d(2024, 7, 1))] {
        l.record_register_entry(key, Stage::Customer, Some(acquired))
            .unwrap();
    }
    let level = |l: &Ledger, p, k: &str| {
        let py = pyramid(l, p, &PyramidOptions::new()).unwrap();
        (
            py.level_of(l.id(k).unwrap()).unwrap(),
            py.register_customers_without_purchase(),
        )
    };
    assert_eq!(level(&l, &y23, "gap"), (Some(Level::Suspect), 0));
    assert_eq!(level(&l, &y24, "gap"), (Some(Level::Prospect), 1));
    assert_eq!(level(&l, &y25, "gap"), (Some(Level::Prospect), 1));
    assert_eq!(level(&l, &y23, "bought"), (Some(Level::Suspect), 0));
    assert_eq!(level(&l, &y24, "bought").0, Some(Level::Top));
    assert_eq!(level(&l, &y25, "bought").0, Some(Level::Inactive));
    let py = pyramid(&l, &y24, &PyramidOptions::new()).unwrap();
    assert_eq!(
        PyramidReport::new(&py, None).register_customers_without_purchase,
        1
    );
    // A prospect or suspect stage keeps its meaning whatever the date.
    l.record_register_entry("gap", Stage::Suspect, Some(d(2024, 7, 1)))
        .unwrap();
    assert_eq!(level(&l, &y25, "gap"), (Some(Level::Suspect), 0));
}

#[test]
fn margin_basis_uses_margin() {
    let p = year(2024);
    let mut l = Ledger::new([p]);
    l.record_sale("high-revenue", d(2024, 1, 1), m("1000"), Some(m("10")))
        .unwrap();
    l.record_sale("high-margin", d(2024, 1, 1), m("500"), Some(m("400")))
        .unwrap();
    l.record_sale("no-margin", d(2024, 1, 1), m("700"), None)
        .unwrap();
    let by_margin = pyramid(&l, &p, &PyramidOptions::new().basis(Basis::Margin)).unwrap();
    assert_eq!(
        by_margin.rank_of(l.id("high-margin").unwrap()).unwrap(),
        Some(1)
    );
    assert_eq!(
        by_margin.level_of(l.id("no-margin").unwrap()).unwrap(),
        Some(Level::Prospect)
    );
    let by_revenue = pyramid(&l, &p, &PyramidOptions::new()).unwrap();
    assert_eq!(
        by_revenue.rank_of(l.id("high-revenue").unwrap()).unwrap(),
        Some(1)
    );
}

#[test]
fn abc_and_bands() {
    let p = year(2024);
    // Values 50, 30, 10, 5, 5: 80% is reached after two customers, 95% after four.
    let l = ledger(
        &[p],
        &[
            ("a", d(2024, 1, 1), "50"),
            ("b", d(2024, 1, 1), "30"),
            ("c", d(2024, 1, 1), "10"),
            ("d", d(2024, 1, 1), "5"),
            ("e", d(2024, 1, 1), "5"),
        ],
    );
    let abc = pyramid(&l, &p, &PyramidOptions::new().cuts(Cuts::abc())).unwrap();
    let level =
        |py: &crm_pyramid::Pyramid, k: &str| py.level_of(l.id(k).unwrap()).unwrap().unwrap();
    assert_eq!(
        ["a", "b", "c", "d", "e"].map(|k| level(&abc, k)),
        [Level::Top, Level::Top, Level::Big, Level::Big, Level::Small]
    );
    let bands = Cuts::Bands(vec![m("40"), m("10"), m("6")]);
    let banded = pyramid(&l, &p, &PyramidOptions::new().cuts(bands)).unwrap();
    assert_eq!(
        ["a", "b", "c", "d", "e"].map(|k| level(&banded, k)),
        [
            Level::Top,
            Level::Big,
            Level::Big,
            Level::Small,
            Level::Small
        ]
    );
    let pareto = pyramid(&l, &p, &PyramidOptions::new())
        .unwrap()
        .pareto()
        .unwrap();
    assert_eq!(pareto, "0.5".parse().unwrap()); // top ceil(1) of 5 holds 50 of 100
}

#[test]
fn untracked_period_and_bad_cuts_are_errors() {
    let l = ledger(&[year(2024)], &[]);
    assert!(pyramid(&l, &year(2023), &PyramidOptions::new()).is_err());
    let bad = PyramidOptions::new().cuts(Cuts::CustomerShares(vec![]));
    let err = pyramid(&l, &year(2024), &bad).unwrap_err().to_string();
    assert!(err.contains("one to three"), "{err}");
}

#[test]
fn empty_ledger_gives_empty_pyramid() {
    let l = ledger(&[year(2024)], &[]);
    let py = pyramid(&l, &year(2024), &PyramidOptions::new()).unwrap();
    assert_eq!(py.active(), 0);
    assert_eq!(py.pareto(), None);
    let r = PyramidReport::new(&py, None);
    assert!(
        r.levels
            .iter()
            .all(|l| l.customers == 0 && l.average_value.is_none())
    );
}

#[test]
fn overflowing_sums_are_errors_that_say_what_overflowed() {
    let p = year(2024);
    let max = Money::new(crm_core::Decimal::MAX);
    // Two customers, each at the largest amount: their sum does not fit.
    let mut l = Ledger::new([p]);
    for k in ["A", "B"] {
        l.record_sale(k, d(2024, 1, 1), max, None).unwrap();
    }
    let err = pyramid(&l, &p, &PyramidOptions::new())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("amount overflow") && err.contains("2024-01-01..2025-01-01"),
        "{err}"
    );
    // cut_points used to sum with a panicking `+`.
    let err = crm_pyramid::cut_points(&Cuts::curry(), &[max, max])
        .unwrap_err()
        .to_string();
    assert!(err.contains("the sum of the values to cut"), "{err}");
    // Unvalidated cuts are refused before any arithmetic, and print.
    let silly = Cuts::ValueShares(vec![crm_core::Decimal::MAX]);
    assert!(crm_pyramid::cut_points(&silly, &[max]).is_err());
    assert!(silly.to_string().contains("×100"));
}
