//! `Store::read_snapshot` on PostgreSQL: a snapshot nested in another, a
//! load inside one, and a body that panics.

use crm_core::{Customer, CustomerKey, Ledger, Money, NaiveDate, Period, Stage, Transaction};
use crm_postgres::PostgresStore;
use crm_postgres::testing::TestServer;
use crm_store::{BoxError, Store};

fn key(n: usize) -> CustomerKey {
    CustomerKey::new(format!("K{n}")).unwrap()
}

fn rows<T>(v: Vec<T>) -> impl Iterator<Item = Result<T, BoxError>> {
    v.into_iter().map(Ok)
}

/// Imports customer `n` and one sale of theirs.
fn add(w: &mut PostgresStore, n: usize) {
    w.import_customers(&mut rows(vec![Customer::new(key(n), Stage::Customer)]))
        .unwrap();
    let day = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    w.import_transactions(&mut rows(vec![Transaction::new(
        key(n),
        day,
        Money::from_minor(100, 2),
    )]))
    .unwrap();
}

/// The sales and the customers the store reads.
fn count(s: &PostgresStore) -> crm_store::Result<(usize, usize)> {
    let mut sales = 0;
    s.sales(None, &mut |b| sales += b.len())?;
    let mut customers = 0;
    s.customers(&mut |_| customers += 1)?;
    Ok((sales, customers))
}

/// A writer and a reader on a fresh database holding one customer.
fn stores() -> (
    crm_postgres::testing::TestDatabase,
    PostgresStore,
    PostgresStore,
) {
    let db = TestServer::shared().database();
    let mut writer = PostgresStore::open(db.url()).unwrap();
    add(&mut writer, 0);
    let reader = PostgresStore::open(db.url()).unwrap();
    (db, writer, reader)
}

/// A snapshot read inside another reads the outer one's state, and the
/// outer one's reads after it still do: the inner one must not end the
/// outer one's transaction.
#[test]
fn a_nested_snapshot_does_not_end_the_outer_one() {
    let (_db, mut writer, reader) = stores();
    let (mut first, mut inner, mut after) = ((0, 0), (0, 0), (0, 0));
    reader
        .read_snapshot(&mut || {
            first = count(&reader)?;
            reader.read_snapshot(&mut || {
                inner = count(&reader)?;
                Ok(())
            })?;
            add(&mut writer, 1);
            after = count(&reader)?;
            Ok(())
        })
        .unwrap();
    assert_eq!(inner, first);
    assert_eq!(
        after, first,
        "the outer snapshot saw an import made during it"
    );
}

/// A load inside a snapshot reads in it and does not end it (an inner
/// COMMIT ended the outer snapshot, and the reads after it saw a later
/// state, silently).
#[test]
fn a_load_inside_a_snapshot_does_not_end_it() {
    let (_db, mut writer, reader) = stores();
    let year = Period::new(
        NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
        NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
    )
    .unwrap();
    let mut ledger = Ledger::new([year]);
    let (mut first, mut after) = ((0, 0), (0, 0));
    let loaded = reader.read_snapshot(&mut || {
        first = count(&reader)?;
        reader.load(&mut ledger)?;
        add(&mut writer, 1);
        after = count(&reader)?;
        Ok(())
    });
    // The load reads in the snapshot, which holds after it.
    loaded.unwrap();
    assert_eq!(after, first, "the snapshot saw an import made during it");
    assert_eq!(ledger.len(), first.1);
}

/// A body that panics leaves no transaction open on the store's
/// connection: later reads see later imports, and the store still
/// imports.
#[test]
fn a_panicking_body_leaves_the_store_usable() {
    let (_db, mut writer, mut reader) = stores();
    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        reader.read_snapshot(&mut || reader.customers(&mut |_| panic!("a caller's bug")))
    }));
    assert!(panicked.is_err());
    let before = count(&reader).unwrap();
    add(&mut writer, 1);
    assert_eq!(
        count(&reader).unwrap(),
        (before.0 + 1, before.1 + 1),
        "the reads still see the snapshot of the body that panicked"
    );
    reader
        .import_customers(&mut rows(vec![Customer::new(key(2), Stage::Customer)]))
        .expect("an import after the panic");
}
