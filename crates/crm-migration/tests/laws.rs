//! The invariants of the migration matrix, as property tests.

use std::collections::BTreeMap;

use crm_core::arbitrary;
use crm_core::{CustomerKey, Ledger, Money, NaiveDate, Period};
use crm_migration::{Migration, Source, migration, series};
use crm_pyramid::{Level, PyramidOptions, pyramid};
use proptest::prelude::*;

fn sales() -> impl Strategy<Value = Vec<(CustomerKey, NaiveDate, Money)>> {
    prop::collection::vec(
        (arbitrary::key(), arbitrary::date(), arbitrary::money()),
        0..250,
    )
}

fn build(periods: &[Period], rows: &[(CustomerKey, NaiveDate, Money)]) -> Ledger {
    let mut l = Ledger::new(periods.iter().copied());
    for (k, d, v) in rows {
        l.record_sale(k.as_str(), *d, *v, None).unwrap();
    }
    l
}

fn cells(m: &Migration) -> BTreeMap<(Source, Level), (u64, Money, Money)> {
    m.cells()
        .map(|c| ((c.from, c.to), (c.customers, c.value_from, c.value_to)))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(150))]

    /// Column sums are the later pyramid; row sums (less the new row) the
    /// earlier one; the value bridge closes to the cent.
    #[test]
    fn prop_cells_add_up_to_both_pyramids(rows in sales(), y in 2021i32..=2024, horizon in prop::option::of(100u32..900)) {
        let (a, b) = (Period::year(y).unwrap(), Period::year(y + 1).unwrap());
        let l = build(&[a, b], &rows);
        let o = PyramidOptions::new().inactivity_horizon_days(horizon);
        let m = migration(&l, &a, &b, &o).unwrap();
        let (pa, pb) = (pyramid(&l, &a, &o).unwrap(), pyramid(&l, &b, &o).unwrap());
        for level in Level::ALL {
            prop_assert_eq!(m.column_total(level), pb.figures(level));
            let row = m.row_total(Source::Level(level));
            if horizon.is_none() {
                prop_assert_eq!(row, pa.figures(level));
            } else {
                prop_assert!(row.customers <= pa.figures(level).customers);
            }
        }
        let steps: Money = m.bridge.steps.iter().map(|s| s.1).sum();
        prop_assert_eq!(steps + m.bridge.lost, m.bridge.to_total - m.bridge.from_total);
        if horizon.is_none() {
            prop_assert_eq!(m.bridge.from_total, pa.total_value() - pa.lost().value);
            prop_assert_eq!(m.bridge.to_total, pb.total_value() - pb.lost().value);
            prop_assert_eq!(m.summary.lost, 0);
        }
        let s = m.summary;
        prop_assert_eq!(s.up + s.down + s.lapsed + s.stayed + s.other, m.cells().map(|c| c.customers).sum::<u64>());
        // Net inflow is the change of the active base among the matrix's
        // customers (those in the later pyramid): actives now minus
        // actives before.
        let active = |f: &dyn Fn(Level) -> u64| Level::ACTIVE.iter().map(|&l| f(l)).sum::<u64>() as i64;
        let before = active(&|l| m.row_total(Source::Level(l)).customers);
        let after = active(&|l| m.column_total(l).customers);
        prop_assert_eq!(s.net_inflow, after - before);
        prop_assert_eq!(s.net_movement, s.up as i64 - s.down as i64 - s.lapsed as i64);
    }

    /// Shuffling the rows changes nothing.
    #[test]
    fn prop_row_order_does_not_matter(rows in sales(), seed in any::<u64>()) {
        let (a, b) = (Period::year(2023).unwrap(), Period::year(2024).unwrap());
        let mut shuffled = rows.clone();
        let mut s = seed | 1;
        for i in (1..shuffled.len()).rev() {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            shuffled.swap(i, (s >> 33) as usize % (i + 1));
        }
        let o = PyramidOptions::new();
        let m1 = migration(&build(&[a, b], &rows), &a, &b, &o).unwrap();
        let m2 = migration(&build(&[a, b], &shuffled), &a, &b, &o).unwrap();
        prop_assert_eq!(cells(&m1), cells(&m2));
        prop_assert_eq!(m1.summary, m2.summary);
        prop_assert_eq!(m1.bridge, m2.bridge);
    }

    /// Rows of the estimated transition matrix sum to one (no horizon), and
    /// without inflow a projection keeps the number of customers.
    #[test]
    fn prop_chain_rows_sum_to_one_and_conserve_customers(rows in sales(), k in 1usize..6) {
        let periods: Vec<Period> = (2021..=2025).map(|y| Period::year(y).unwrap()).collect();
        let l = build(&periods, &rows);
        let s = series(&l, &periods, &PyramidOptions::new()).unwrap();
        for row in &s.markov.p {
            prop_assert!((row.iter().sum::<f64>() - 1.0).abs() < 1e-9);
            prop_assert!(row.iter().all(|p| (0.0..=1.0).contains(p)));
        }
        let mut closed = s.markov.clone();
        closed.inflow = [0.0; 5];
        let start = s.counts.last().unwrap().map(|c| c as f64);
        let total: f64 = start.iter().sum();
        for step in closed.project(start, k) {
            prop_assert!((step.iter().sum::<f64>() - total).abs() < 1e-6 * total.max(1.0));
        }
    }
}
