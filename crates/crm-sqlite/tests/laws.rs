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

/// Lead rows with every field: `(lead, stage index, day, value, owner)`.
fn lead_rows() -> impl Strategy<Value = Vec<crm_core::Lead>> {
    use crm_core::{CustomerKey, Lead, LeadStage, NaiveDate};
    prop::collection::vec((0u8..12, 0usize..5, 0u64..400, 1i64..5000, 0u8..3), 0..60).prop_map(
        |v| {
            let mut seen = std::collections::BTreeSet::new();
            v.into_iter()
                // One row per lead and stage: a second row for the same
                // stage is an update, whose order matters by definition.
                .filter(|(l, s, ..)| seen.insert((*l, *s)))
                .map(|(l, s, day, value, owner)| {
                    let stage = LeadStage::ALL[s];
                    let date =
                        NaiveDate::from_ymd_opt(2024, 1, 1).unwrap() + crm_core::Days::new(day);
                    let mut r = Lead::new(
                        CustomerKey::new(format!("P{}", l % 5)).unwrap(),
                        stage,
                        Money::from(value),
                    )
                    .with_id(format!("L{l}"))
                    .entered_on(stage, date);
                    r.owner = Some(["ann", "bob", "cy"][usize::from(owner)].to_string());
                    r.source = Some("web".to_string());
                    r.lost_reason = (stage == LeadStage::Lost).then(|| "price".to_string());
                    r
                })
                .collect()
        },
    )
}

fn stored_leads(s: &SqliteStore) -> Vec<crm_core::Lead> {
    let mut out = Vec::new();
    s.leads(&mut |l| out.push(l)).unwrap();
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    /// Importing lead rows, in any order, in one or two imports, and again,
    /// stores what folding them in memory gives.
    #[test]
    fn prop_stored_leads_equal_the_folded_rows_and_reimport_changes_nothing(
        rows in lead_rows(),
        split in 0usize..60,
        reverse in any::<bool>(),
    ) {
        let mut s = SqliteStore::open_in_memory().unwrap();
        let mut ordered = rows.clone();
        if reverse {
            ordered.reverse();
        }
        let (a, b) = ordered.split_at(split.min(ordered.len()));
        s.import_leads(&mut a.iter().cloned().map(Ok)).unwrap();
        s.import_leads(&mut b.iter().cloned().map(Ok)).unwrap();
        let once = stored_leads(&s);
        prop_assert_eq!(&once, &crm_core::merge_leads(rows.clone()));
        let again = s.import_leads(&mut rows.iter().cloned().map(Ok)).unwrap();
        prop_assert_eq!(again.new, 0);
        prop_assert_eq!(stored_leads(&s), once);
    }
}

/// Transactions and interactions over six keys and sixty days, with ids
/// drawn from a small set so that some repeat (with other contents).
fn records() -> impl Strategy<Value = Vec<crm_store::Record>> {
    use crm_core::{CustomerKey, Interaction, InteractionKind, NaiveDate, Transaction};
    use crm_store::Record;
    let transactions = prop::collection::vec(
        (0u8..6, 0u64..60, 1i64..500, prop::option::of(0u8..20)),
        // Past one statement's rows (64) and one batch of key lookups (256).
        0..300,
    );
    let interactions =
        prop::collection::vec((0u8..6, 0u64..60, prop::option::of(0u8..20), 0u8..3), 0..60);
    (transactions, interactions, any::<bool>()).prop_map(|(t, i, interleave)| {
        let day = |d: u64| NaiveDate::from_ymd_opt(2024, 1, 1).unwrap() + crm_core::Days::new(d);
        let key = |k: u8| CustomerKey::new(format!("K{k}")).unwrap();
        let mut t: Vec<Record> = t
            .into_iter()
            .map(|(k, d, v, id)| {
                let mut r = Transaction::new(key(k), day(d), Money::from(v));
                r.id = id.map(|n| format!("T{n}"));
                Record::Transaction(r)
            })
            .collect();
        let i: Vec<Record> = i
            .into_iter()
            .map(|(k, d, id, note)| {
                let mut r = Interaction::new(key(k), day(d), InteractionKind::Visit);
                r.id = id.map(|n| format!("I{n}"));
                r.note = Some(format!("n{note}"));
                Record::Interaction(r)
            })
            .collect();
        if interleave {
            // Interactions between the transactions: one import, both kinds.
            let at = t.len() / 2;
            t.splice(at..at, i);
        } else {
            t.extend(i);
        }
        t
    })
}

/// Every key's stored transactions and interactions, in the store's order.
fn stored(s: &SqliteStore) -> Vec<(Vec<crm_core::Transaction>, Vec<crm_core::Interaction>)> {
    (0..6)
        .map(|k| {
            s.history(&format!("K{k}"))
                .unwrap()
                .map(|h| (h.transactions, h.interactions))
                .unwrap_or_default()
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(60))]

    /// An import into empty tables (rows first, indexes built after, and
    /// repeated ids removed then) stores and counts exactly what the same
    /// import into tables that already hold rows (indexes updated row by
    /// row) does; importing again adds only the rows without an id.
    #[test]
    fn prop_an_import_into_empty_tables_equals_one_into_filled_tables(records in records()) {
        use crm_core::{CustomerKey, Interaction, InteractionKind, NaiveDate, Transaction};
        use crm_store::Record;
        let feed = |s: &mut SqliteStore, v: &[Record]| {
            s.import(&mut v.iter().cloned().map(Ok)).unwrap()
        };
        let mut empty = SqliteStore::open_in_memory().unwrap();
        let mut filled = SqliteStore::open_in_memory().unwrap();
        let day = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
        let other = CustomerKey::new("OTHER").unwrap();
        feed(&mut filled, &[
            Record::Transaction(Transaction::new(other.clone(), day, Money::from(1)).with_id("X")),
            Record::Interaction(Interaction::new(other, day, InteractionKind::Visit).with_id("X")),
        ]);

        let a = feed(&mut empty, &records);
        let b = feed(&mut filled, &records);
        prop_assert_eq!(a.transactions, b.transactions);
        prop_assert_eq!(a.interactions, b.interactions);
        prop_assert_eq!(stored(&empty), stored(&filled));
        empty.integrity_check().unwrap();

        let without_id = |kind: fn(&Record) -> Option<bool>| {
            records.iter().filter_map(kind).filter(|has_id| !has_id).count() as u64
        };
        let again = feed(&mut empty, &records);
        prop_assert_eq!(again.transactions.new, without_id(|r| match r {
            Record::Transaction(t) => Some(t.id.is_some()),
            _ => None,
        }));
        prop_assert_eq!(again.interactions.new, without_id(|r| match r {
            Record::Interaction(i) => Some(i.id.is_some()),
            _ => None,
        }));
    }
}
