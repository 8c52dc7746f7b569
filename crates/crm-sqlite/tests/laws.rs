//! The pyramid from the store equals the pyramid from the same CSV.

use std::collections::BTreeMap;
use std::fmt::Write;

use crm_core::arbitrary;
use crm_core::{Ledger, Money, Period};
use crm_csv::{ImportOptions, read_transactions, transactions};
use crm_pyramid::{Level, PyramidOptions, pyramid};
use crm_sqlite::SqliteStore;
use crm_store::{Store, load_ledger};
use proptest::prelude::*;

fn levels(l: &Ledger, y: &Period) -> BTreeMap<String, (Option<Level>, Option<u64>, Money)> {
    let p = pyramid(l, y, &PyramidOptions::new()).unwrap();
    l.ids()
        .filter(|&id| p.level_of(id).unwrap().is_some())
        .map(|id| {
            (
                l.key(id).unwrap().to_string(),
                (
                    p.level_of(id).unwrap(),
                    p.rank_of(id).unwrap(),
                    p.value_of(id).unwrap(),
                ),
            )
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    #[test]
    fn prop_pyramid_from_the_store_equals_the_pyramid_from_the_csv(
        rows in prop::collection::vec((arbitrary::key(), arbitrary::date(), arbitrary::money(), prop::option::of(arbitrary::money())), 0..150),
        with_ids in any::<bool>(),
        y in arbitrary::year(),
    ) {
        let mut csv = String::from("transaction_id,customer_id,date,revenue,margin\n");
        for (n, (k, d, v, mg)) in rows.iter().enumerate() {
            let id = if with_ids { format!("T{n}") } else { String::new() };
            let _ = writeln!(csv, "{id},{k},{d},{v},{}", mg.map(|m| m.to_string()).unwrap_or_default());
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        std::fs::write(&path, &csv).unwrap();

        let mut from_csv = Ledger::new([y]);
        read_transactions(&path, &ImportOptions::new(), &mut from_csv).unwrap();

        let mut store = SqliteStore::open(dir.path().join("crm.db")).unwrap();
        let import = |store: &mut SqliteStore| {
            let mut it = transactions(csv.as_bytes(), &path, &ImportOptions::new())
                .unwrap()
                .map(|r| r.map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>));
            store.import_transactions(&mut it).unwrap()
        };
        prop_assert_eq!(import(&mut store).new, rows.len() as u64);
        if with_ids {
            // Importing again adds nothing when rows carry ids.
            prop_assert_eq!(import(&mut store).duplicate, rows.len() as u64);
        }
        let mut from_store = Ledger::new([y]);
        load_ledger(&store, &mut from_store).unwrap();
        prop_assert_eq!(levels(&from_csv, &y), levels(&from_store, &y));
    }
}
