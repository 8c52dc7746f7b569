//! The load on several connections gives the ledger the sequential read
//! gives: the same customers in the same order, with the same figures.

use crm_core::{
    Customer, CustomerKey, Interaction, InteractionKind, Ledger, LedgerOptions, Money, NaiveDate,
    Period, Stage, Transaction,
};
use crm_sqlite::SqliteStore;
use crm_store::{Store, load_sequentially};
use proptest::prelude::*;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

fn dump(l: &Ledger) -> Vec<String> {
    let mut out = vec![format!("{:?}", l.stats())];
    for id in l.ids() {
        let mut line = format!("{:?} {:?}", l.key(id), l.totals(id));
        for p in 0..l.periods().len() {
            line.push_str(&format!(
                " {:?} {:?}",
                l.period_totals(id, p),
                l.period_contacts(id, p)
            ));
        }
        line.push_str(&format!(" {:?}", l.purchase_day_numbers(id)));
        out.push(line);
    }
    out
}

fn key(k: u8) -> CustomerKey {
    let s = if k.is_multiple_of(5) {
        format!("a-rather-long-customer-key-number-{k}")
    } else {
        format!("C{k}")
    };
    CustomerKey::new(s).unwrap()
}

fn day(n: u16) -> NaiveDate {
    NaiveDate::from_ymd_opt(2022, 1, 1).unwrap() + crm_core::Days::new(u64::from(n))
}

fn import<T>(
    store: &mut SqliteStore,
    rows: Vec<T>,
    f: fn(&mut SqliteStore, &mut dyn Iterator<Item = Result<T, BoxError>>),
) {
    f(store, &mut rows.into_iter().map(Ok));
}

/// A store with sales imported in two parts around a register of
/// customers (some without sales), contacts, and some keys erased.
fn store(
    dir: &std::path::Path,
    sales: &[(u8, u16, i64, Option<i64>)],
    cut: usize,
    register: &[(u8, bool, Option<u16>)],
    contacts: &[(u8, u16, bool)],
    erased: &[u8],
) -> SqliteStore {
    let mut store = SqliteStore::open(dir.join("crm.db")).unwrap();
    let transactions = |rows: &[(u8, u16, i64, Option<i64>)]| -> Vec<Transaction> {
        rows.iter()
            .map(|&(k, d, rev, margin)| {
                let mut t = Transaction::new(key(k), day(d), Money::from_minor(rev, 2));
                t.margin = margin.map(|m| Money::from_minor(m, 1));
                t
            })
            .collect()
    };
    let cut = cut.min(sales.len());
    import(&mut store, transactions(&sales[cut..]), |s, rows| {
        s.import_transactions(rows).unwrap();
    });
    let customers: Vec<Customer> = register
        .iter()
        .map(|&(k, customer, acquired)| {
            let stage = if customer {
                Stage::Customer
            } else {
                Stage::Prospect
            };
            let mut c = Customer::new(key(k), stage);
            c.acquired = acquired.map(day);
            c
        })
        .collect();
    import(&mut store, customers, |s, rows| {
        s.import_customers(rows).unwrap();
    });
    import(&mut store, transactions(&sales[..cut]), |s, rows| {
        s.import_transactions(rows).unwrap();
    });
    let interactions: Vec<Interaction> = contacts
        .iter()
        .map(|&(k, d, complaint)| {
            let kind = if complaint {
                InteractionKind::Complaint
            } else {
                InteractionKind::Visit
            };
            Interaction::new(key(k), day(d), kind)
        })
        .collect();
    import(&mut store, interactions, |s, rows| {
        s.import_interactions(rows).unwrap();
    });
    for &k in erased {
        store.erase(key(k).as_str()).unwrap();
    }
    store
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn prop_the_parallel_load_gives_the_sequential_ledger(
        sales in prop::collection::vec((0u8..60, 0u16..1600, -2000i64..50_000, prop::option::of(-500i64..9000)), 0..200),
        cut in 0usize..200,
        register in prop::collection::vec((0u8..80, any::<bool>(), prop::option::of(0u16..1600)), 0..40),
        contacts in prop::collection::vec((0u8..80, 0u16..1600, any::<bool>()), 0..40),
        erased in prop::collection::vec(0u8..80, 0..4),
        years in prop::collection::vec(2021i32..2027, 1..4),
        purchase_days in any::<bool>(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let store = store(dir.path(), &sales, cut, &register, &contacts, &erased);
        let periods: Vec<Period> = years.iter().map(|y| y.to_string().parse().unwrap()).collect();
        let options = LedgerOptions::new().purchase_days(purchase_days);
        let mut sequential = Ledger::with_options(periods.iter().copied(), options);
        load_sequentially(&store, &mut sequential).unwrap();
        let expected = dump(&sequential);
        for threads in [0, 1, 2, 3, 4, 8] {
            let mut parallel = Ledger::with_options(periods.iter().copied(), options);
            store.load_with_threads(&mut parallel, threads).unwrap();
            prop_assert_eq!(&dump(&parallel), &expected, "{} threads", threads);
        }
        // And through `Store::load`, on a store opened to read only.
        let read_only = SqliteStore::open_read_only(dir.path().join("crm.db")).unwrap();
        let mut loaded = Ledger::with_options(periods.iter().copied(), options);
        read_only.load(&mut loaded).unwrap();
        prop_assert_eq!(&dump(&loaded), &expected);
    }
}

/// A store of fifty customers with a sale each, a register, a contact and
/// an erased key.
fn fifty_customers(dir: &std::path::Path) -> SqliteStore {
    let sales: Vec<_> = (0..50u8)
        .map(|k| (k, u16::from(k) * 7, 1000 + i64::from(k), None))
        .collect();
    store(
        dir,
        &sales,
        20,
        &[(3, true, None)],
        &[(70, 400, false)],
        &[9],
    )
}

#[test]
fn a_ledger_that_holds_customers_already_keeps_them_first() {
    let dir = tempfile::tempdir().unwrap();
    let store = fifty_customers(dir.path());
    let year: Period = "2022".parse().unwrap();
    let fill = |l: &mut Ledger| {
        l.record_register_entry("C7", Stage::Customer, None)
            .unwrap();
        l.record_contact("Z", day(3), InteractionKind::Call)
            .unwrap();
    };
    let mut sequential = Ledger::new([year]);
    fill(&mut sequential);
    load_sequentially(&store, &mut sequential).unwrap();
    let mut parallel = Ledger::new([year]);
    fill(&mut parallel);
    store.load_with_threads(&mut parallel, 3).unwrap();
    assert_eq!(dump(&parallel), dump(&sequential));
    let keys: Vec<&str> = parallel.ids().map(|id| parallel.key(id).unwrap()).collect();
    assert_eq!(keys[..2], ["C7", "Z"]);
}

#[test]
fn a_ledger_that_holds_sales_already_gets_the_sequential_sums() {
    let dir = tempfile::tempdir().unwrap();
    let store = fifty_customers(dir.path());
    let year: Period = "2022".parse().unwrap();
    let fill = |l: &mut Ledger| {
        l.record_sale("C7", day(3), Money::from_minor(5, 0), None)
            .unwrap();
        l.record_sale("Z", day(3), Money::from_minor(5, 0), None)
            .unwrap();
    };
    let mut sequential = Ledger::new([year]);
    fill(&mut sequential);
    load_sequentially(&store, &mut sequential).unwrap();
    let mut parallel = Ledger::new([year]);
    fill(&mut parallel);
    store.load_with_threads(&mut parallel, 3).unwrap();
    assert_eq!(dump(&parallel), dump(&sequential));
    assert_eq!(parallel.key(parallel.ids().next().unwrap()).unwrap(), "C7");
    // A sum that overflows is the sequential read's error.
    let huge = |l: &mut Ledger| {
        l.record_sale("C8", day(40), Money::new(crm_core::Decimal::MAX), None)
            .unwrap();
    };
    let mut sequential = Ledger::new([year]);
    huge(&mut sequential);
    let expected = load_sequentially(&store, &mut sequential)
        .unwrap_err()
        .to_string();
    let mut parallel = Ledger::new([year]);
    huge(&mut parallel);
    let error = store
        .load_with_threads(&mut parallel, 3)
        .unwrap_err()
        .to_string();
    assert_eq!(error, expected);
}

/// The reads of one `read_snapshot` see the database as it was at the
/// first of them: a sale of a new customer imported between two of them
/// is seen by neither, and by the next snapshot.
#[test]
fn a_read_snapshot_does_not_see_an_import_made_during_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut writer = fifty_customers(dir.path());
    let reader = SqliteStore::open_read_only(dir.path().join("crm.db")).unwrap();
    let read = |s: &SqliteStore| -> crm_store::Result<(usize, usize)> {
        let mut sales = 0;
        s.sales(None, &mut |b| sales += b.len())?;
        let mut customers = 0;
        s.customers(&mut |_| customers += 1)?;
        Ok((sales, customers))
    };
    let (mut first, mut second) = ((0, 0), (0, 0));
    reader
        .read_snapshot(&mut || {
            first = read(&reader)?;
            let mut t = Transaction::new(key(200), day(5), Money::from_minor(500, 2));
            t.id = Some("during-the-snapshot".into());
            import(&mut writer, vec![t], |s, rows| {
                s.import_transactions(rows).unwrap();
            });
            let mut c = Customer::new(key(201), Stage::Customer);
            c.potential = Some(Money::from_minor(100, 0));
            import(&mut writer, vec![c], |s, rows| {
                s.import_customers(rows).unwrap();
            });
            second = read(&reader)?;
            Ok(())
        })
        .unwrap();
    assert_eq!(first, second);
    let after = read(&reader).unwrap();
    assert_eq!(after.0, first.0 + 1);
    assert_eq!(after.1, first.1 + 1);
}

/// The sales and the customers a store reads.
fn sales_and_customers(s: &SqliteStore) -> crm_store::Result<(usize, usize)> {
    let mut sales = 0;
    s.sales(None, &mut |b| sales += b.len())?;
    let mut customers = 0;
    s.customers(&mut |_| customers += 1)?;
    Ok((sales, customers))
}

/// Imports one sale of a new customer `k`.
fn one_more(writer: &mut SqliteStore, k: u8) {
    let mut t = Transaction::new(key(k), day(5), Money::from_minor(500, 2));
    t.id = Some(format!("one-more-{k}"));
    import(writer, vec![t], |s, rows| {
        s.import_transactions(rows).unwrap();
    });
}

/// A snapshot inside another one reads the outer one's state, and the
/// outer one's reads after it still do.
#[test]
fn a_nested_read_snapshot_keeps_the_outer_one() {
    let dir = tempfile::tempdir().unwrap();
    let mut writer = fifty_customers(dir.path());
    let reader = SqliteStore::open_read_only(dir.path().join("crm.db")).unwrap();
    let (mut first, mut inner, mut after) = ((0, 0), (0, 0), (0, 0));
    reader
        .read_snapshot(&mut || {
            first = sales_and_customers(&reader)?;
            reader.read_snapshot(&mut || {
                one_more(&mut writer, 200);
                inner = sales_and_customers(&reader)?;
                Ok(())
            })?;
            one_more(&mut writer, 201);
            after = sales_and_customers(&reader)?;
            Ok(())
        })
        .unwrap();
    assert_eq!(inner, first);
    assert_eq!(after, first);
    assert_eq!(sales_and_customers(&reader).unwrap().0, first.0 + 2);
}

/// A body that panics leaves no read transaction open: later reads see
/// later imports, and an erasure can write the log back.
#[test]
fn a_read_snapshot_whose_body_panics_leaves_no_transaction_open() {
    let dir = tempfile::tempdir().unwrap();
    let mut writer = fifty_customers(dir.path());
    let reader = SqliteStore::open_read_only(dir.path().join("crm.db")).unwrap();
    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        reader.read_snapshot(&mut || reader.customers(&mut |_| panic!("a caller's bug")))
    }));
    assert!(panicked.is_err());
    let before = sales_and_customers(&reader).unwrap();
    one_more(&mut writer, 200);
    assert_eq!(sales_and_customers(&reader).unwrap().0, before.0 + 1);
    writer
        .set_busy_timeout(std::time::Duration::from_millis(200))
        .unwrap();
    writer
        .erase(key(1).as_str())
        .expect("an erasure after the panic");
}

/// `load` called inside a snapshot reads in it, on the store's own
/// connection (it was refused: "cannot start a transaction within a
/// transaction"), and the snapshot holds after it.
#[test]
fn a_load_inside_a_snapshot_reads_in_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut writer = fifty_customers(dir.path());
    let reader = SqliteStore::open_read_only(dir.path().join("crm.db")).unwrap();
    let year: Period = "2022".parse().unwrap();
    let mut expected = Ledger::new([year]);
    reader.load_with_threads(&mut expected, 3).unwrap();
    let mut inside = Ledger::new([year]);
    let mut sales = (0, 0);
    reader
        .read_snapshot(&mut || {
            reader.sales(None, &mut |b| sales.0 += b.len())?;
            let mut t = Transaction::new(key(202), day(6), Money::from_minor(700, 2));
            t.id = Some("during-the-load".into());
            import(&mut writer, vec![t], |s, rows| {
                s.import_transactions(rows).unwrap();
            });
            reader.load_with_threads(&mut inside, 3)?;
            reader.sales(None, &mut |b| sales.1 += b.len())?;
            Ok(())
        })
        .unwrap();
    assert_eq!(sales.0, sales.1);
    assert_eq!(dump(&inside), dump(&expected));
}
