//! `Ledger::record_run` and `Ledger::record_runs` give the ledger, and
//! the errors, that `Ledger::record_sales` gives for the same sales.

use crm_core::{Decimal, Ledger, LedgerOptions, Money, NaiveDate, Period, Sale};
use proptest::prelude::*;

mod common;
use common::dump;

/// A sale of a run: date, revenue, margin.
type Row = (NaiveDate, Money, Option<Money>);

/// Keys: clean ones, an empty one and one with a space around it (both
/// refused), several runs of one key.
fn key(k: u8) -> &'static str {
    ["C1", "C2", "C3", "a-long-customer-key-4", "", " C5", "C6"][usize::from(k % 7)]
}

/// Amounts: mostly small, some near the largest decimal (sums overflow).
fn amount(v: i64, huge: bool) -> Money {
    if huge {
        Money::new(Decimal::MAX - Decimal::from(v.unsigned_abs() % 7))
    } else {
        Money::from_minor(v, (v.unsigned_abs() % 4) as u32)
    }
}

proptest! {
    #[test]
    fn record_run_equals_record_sales(
        runs in prop::collection::vec(
            (0u8..7, prop::collection::vec((0u64..1500, -5000i64..9000, prop::option::of(-900i64..900), prop::bool::weighted(0.05)), 0..12)),
            0..40,
        ),
        purchase_days in any::<bool>(),
    ) {
        let periods: Vec<Period> = ["2024", "2023"].iter().map(|p| p.parse().unwrap()).collect();
        let options = LedgerOptions::new().purchase_days(purchase_days);
        let base = NaiveDate::from_ymd_opt(2022, 1, 1).unwrap();
        let mut by_run = Ledger::with_options(periods.iter().copied(), options);
        let mut by_sale = Ledger::with_options(periods.iter().copied(), options);
        let mut all_runs = Vec::new();
        let mut sale_errors = Vec::new();
        for (n, (k, rows)) in runs.iter().enumerate() {
            let run: Vec<(NaiveDate, Money, Option<Money>)> = rows
                .iter()
                .map(|&(day, rev, margin, huge)| {
                    (base + crm_core::Days::new(day), amount(rev, huge), margin.map(|m| Money::from_minor(m, 2)))
                })
                .collect();
            let sales: Vec<Sale> = run
                .iter()
                .map(|&(date, revenue, margin)| Sale { key: key(*k), date, revenue, margin })
                .collect();
            let errors = |e: Vec<(usize, crm_core::Error)>| -> Vec<(usize, String)> {
                e.into_iter().map(|(i, e)| (i, e.to_string())).collect()
            };
            let by_sale_errors = errors(by_sale.record_sales(&sales));
            prop_assert_eq!(errors(by_run.record_run(key(*k), &run)), by_sale_errors.clone());
            sale_errors.extend(by_sale_errors.into_iter().map(|(i, e)| (n, i, e)));
            all_runs.push((key(*k), run));
        }
        prop_assert_eq!(dump(&by_run), dump(&by_sale));
        let mut by_runs = Ledger::with_options(periods.iter().copied(), options);
        let borrowed: Vec<(&str, &[Row])> = all_runs.iter().map(|(k, r)| (*k, &r[..])).collect();
        let run_errors: Vec<(usize, usize, String)> = by_runs
            .record_runs(&borrowed)
            .into_iter()
            .map(|(r, i, e)| (r, i, e.to_string()))
            .collect();
        prop_assert_eq!(run_errors, sale_errors);
        prop_assert_eq!(dump(&by_runs), dump(&by_sale));
    }
}
