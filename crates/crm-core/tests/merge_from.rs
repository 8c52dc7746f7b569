//! `Ledger::merge_from` (which frees the merged ledger's key table first)
//! gives the ledger `Ledger::merge` gives, and the result still finds
//! every key.

use crm_core::{Ledger, LedgerOptions, Money, NaiveDate, Period};
use proptest::prelude::*;

mod common;
use common::dump;

proptest! {
    #[test]
    fn merge_from_equals_merge(
        sales in prop::collection::vec((0u16..300, 0i64..1500, -500i64..5000, prop::option::of(-100i64..900)), 0..400),
        cut in 0usize..400,
        long_keys in any::<bool>(),
    ) {
        let periods: Vec<Period> = ["2024", "2023"].iter().map(|p| p.parse().unwrap()).collect();
        let options = LedgerOptions::new().purchase_days(true);
        let base = NaiveDate::from_ymd_opt(2022, 1, 1).unwrap();
        let key = |k: u16| if long_keys { format!("a-long-customer-key-{k}") } else { format!("C{k}") };
        let cut = cut.min(sales.len());
        let mut left = Ledger::with_options(periods.iter().copied(), options);
        let mut right = Ledger::with_options(periods.iter().copied(), options);
        for (i, &(k, day, rev, margin)) in sales.iter().enumerate() {
            let l = if i < cut { &mut left } else { &mut right };
            l.record_sale(
                &key(k),
                base + chrono::Days::new(day as u64),
                Money::from_minor(rev, 2),
                margin.map(|m| Money::from_minor(m, 1)),
            ).unwrap();
        }
        let mut by_ref = left.clone();
        by_ref.merge(&right).unwrap();
        let mut owned = left;
        owned.merge_from(right).unwrap();
        prop_assert_eq!(dump(&owned), dump(&by_ref));
        // Every key is found, and a sale of a known key adds no customer.
        let n = owned.len();
        for id in by_ref.ids() {
            let k = by_ref.key(id).unwrap().to_string();
            prop_assert!(owned.id(&k).is_some());
            owned.record_sale(&k, base, Money::from_minor(1, 0), None).unwrap();
        }
        prop_assert_eq!(owned.len(), n);
    }
}
