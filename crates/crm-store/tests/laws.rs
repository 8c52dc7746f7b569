//! The store gives the ledger exactly what a direct feed gives it.

use crm_core::strategy;
use crm_core::{Ledger, Money, NaiveDate, Period};
use crm_store::{SqliteStore, Store, load_ledger};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    #[test]
    fn prop_store_and_direct_feed_give_the_same_ledger(
        rows in prop::collection::vec((strategy::key(), strategy::date(), strategy::money(), prop::option::of(strategy::money())), 0..120),
        y in strategy::year(),
    ) {
        // The same rows into a ledger directly and through the store; the
        // CSV-to-store-to-pyramid path is checked end to end in the CLI
        // tests.
        let mut direct = Ledger::new([y]);
        for (k, d, v, mg) in &rows {
            direct.record_sale(k.as_str(), *d, *v, *mg).unwrap();
        }
        let mut store = SqliteStore::open_in_memory().unwrap();
        let mut it = rows.iter().map(|(k, d, v, mg)| {
            let mut t = crm_core::Transaction::new(k.clone(), *d, *v);
            t.margin = *mg;
            Ok(t)
        });
        store.import_transactions(&mut it).unwrap();
        let mut through = Ledger::new([y]);
        load_ledger(&store, &mut through).unwrap();
        prop_assert!(same_totals(&direct, &through, &y), "ledgers differ");
    }
}

/// Every customer known before the period's end has the same totals.
fn same_totals(a: &Ledger, b: &Ledger, y: &Period) -> bool {
    let known = |l: &Ledger| -> Vec<(String, Option<NaiveDate>, Money, Money)> {
        let mut v: Vec<_> = l
            .ids()
            .filter(|&id| {
                l.totals(id)
                    .first_transaction()
                    .is_some_and(|d| d < y.end())
            })
            .map(|id| {
                let p = l.period_totals(id, 0);
                (
                    l.key(id).to_string(),
                    p.last_purchase_before(crm_core::Basis::Revenue),
                    p.value(crm_core::Basis::Revenue),
                    p.value(crm_core::Basis::Margin),
                )
            })
            .collect();
        v.sort();
        v
    };
    known(a) == known(b)
}
