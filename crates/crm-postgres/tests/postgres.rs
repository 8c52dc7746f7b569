use crm_postgres::PostgresStore;
use crm_postgres::testing::TestServer;

#[test]
fn conforms_to_the_store_contract() {
    let server = TestServer::shared();
    for (name, case) in crm_store::conformance::cases::<PostgresStore>() {
        let db = server.database();
        let mut store = PostgresStore::open(db.url()).expect("open");
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| case(&mut store)));
        if let Err(e) = outcome {
            let msg = e
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            panic!("conformance case {name} failed: {msg}");
        }
    }
}

use crm_core::{Basis, CustomerKey, Ledger, LedgerOptions, Money, NaiveDate, Period, Transaction};
use crm_store::{Error, Store, load_ledger, load_sequentially};
use proptest::prelude::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// Every customer's aggregates, contacts and stats of two ledgers are
/// equal, customer by key.
fn assert_same(a: &Ledger, b: &Ledger) {
    assert_eq!(a.len(), b.len());
    assert_eq!(a.stats(), b.stats());
    for id in a.ids() {
        let key = a.key(id).unwrap();
        let other = b.id(key).unwrap();
        assert_eq!(a.totals(id), b.totals(other), "{key}");
        for p in 0..a.periods().len() {
            assert_eq!(a.period_totals(id, p), b.period_totals(other, p), "{key}");
            assert_eq!(
                a.period_contacts(id, p),
                b.period_contacts(other, p),
                "{key}"
            );
        }
        assert_eq!(
            a.purchase_day_numbers(id),
            b.purchase_day_numbers(other),
            "{key}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]
    /// The ledger fed from customer facts aggregated in the server equals
    /// the one fed with every row, read back from the same database.
    #[test]
    fn facts_from_the_server_equal_the_rows(
        rows in proptest::collection::vec(
            (0u8..12, 0u64..2000, -5_000i64..50_000, proptest::option::of(-1_000i64..9_000), 0u32..4),
            0..150,
        ),
        years in proptest::collection::vec(2019i32..2025, 0..4),
        days in any::<bool>(),
    ) {
        let db = TestServer::shared().database();
        let mut store = PostgresStore::open(db.url()).unwrap();
        let txs: Vec<Transaction> = rows
            .iter()
            .map(|&(k, day, r, m, scale)| {
                let mut t = Transaction::new(
                    CustomerKey::new(format!("K{k}")).unwrap(),
                    d(2019, 1, 1) + chrono_days(day),
                    Money::from_minor(r, scale),
                );
                t.margin = m.map(|m| Money::from_minor(m, 2));
                t
            })
            .collect();
        store.import_transactions(&mut txs.into_iter().map(Ok)).unwrap();
        let periods: Vec<Period> = years.iter().map(|&y| Period::year(y).unwrap()).collect();
        let options = LedgerOptions::new().purchase_days(days);
        let mut by_facts = Ledger::with_options(periods.clone(), options);
        load_ledger(&store, &mut by_facts).unwrap();
        let mut by_rows = Ledger::with_options(periods, options);
        load_sequentially(&store, &mut by_rows).unwrap();
        assert_same(&by_rows, &by_facts);
        // Sums keep their scale, as the ledger's do.
        for id in by_rows.ids() {
            for p in 0..by_rows.periods().len() {
                let other = by_facts.id(by_rows.key(id).unwrap()).unwrap();
                for b in [Basis::Revenue, Basis::Margin] {
                    prop_assert_eq!(
                        by_rows.period_totals(id, p).unwrap().value(b).to_string(),
                        by_facts.period_totals(other, p).unwrap().value(b).to_string()
                    );
                }
            }
        }
    }
}

fn chrono_days(n: u64) -> crm_core::Days {
    crm_core::Days::new(n)
}

#[test]
fn two_importers_at_once_lose_and_double_nothing() {
    let db = TestServer::shared().database();
    PostgresStore::open(db.url()).unwrap();
    let rows = |from: u32, to: u32| -> Vec<Transaction> {
        (from..to)
            .map(|n| {
                Transaction::new(
                    CustomerKey::new(format!("C{}", n % 500)).unwrap(),
                    d(2024, 1, 1 + n % 28),
                    Money::from(i64::from(n)),
                )
                .with_id(format!("T{n}"))
            })
            .collect()
    };
    let parts = [rows(0, 20_000), rows(10_000, 30_000)];
    let url = db.url().to_string();
    let results: Vec<crm_store::Imported> = std::thread::scope(|s| {
        let handles: Vec<_> = parts
            .iter()
            .map(|part| {
                let url = url.clone();
                s.spawn(move || {
                    let mut store = PostgresStore::open(&url).unwrap();
                    store
                        .import_transactions(&mut part.clone().into_iter().map(Ok))
                        .unwrap()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let store = PostgresStore::open_read_only(db.url()).unwrap();
    let counts: std::collections::BTreeMap<_, _> = store.counts().unwrap().into_iter().collect();
    assert_eq!(counts["transactions"], 30_000);
    assert_eq!(counts["customers"], 500);
    assert_eq!(results.iter().map(|r| r.new).sum::<u64>(), 30_000);
    assert_eq!(results.iter().map(|r| r.duplicate).sum::<u64>(), 10_000);
}

/// Two importers of rows of the same lead ids at once: one lead per id,
/// with the stage dates of both imports, whichever merged first.
#[test]
fn two_importers_of_the_same_leads_make_one_lead_per_id() {
    use crm_core::{Lead, LeadStage};
    let db = TestServer::shared().database();
    PostgresStore::open(db.url()).unwrap();
    let rows = |from: u32, to: u32, stage: LeadStage, date: NaiveDate| -> Vec<Lead> {
        (from..to)
            .map(|n| {
                Lead::new(
                    CustomerKey::new(format!("P{}", n % 300)).unwrap(),
                    stage,
                    Money::from(i64::from(n)),
                )
                .with_id(format!("L{n}"))
                .entered_on(stage, date)
            })
            .collect()
    };
    let parts = [
        rows(0, 2_000, LeadStage::Lead, d(2024, 1, 1)),
        rows(1_000, 3_000, LeadStage::Quote, d(2024, 2, 1)),
    ];
    let url = db.url().to_string();
    let results: Vec<crm_store::Imported> = std::thread::scope(|s| {
        let handles: Vec<_> = parts
            .iter()
            .map(|part| {
                let url = url.clone();
                s.spawn(move || {
                    let mut store = PostgresStore::open(&url).unwrap();
                    store
                        .import_leads(&mut part.clone().into_iter().map(Ok))
                        .unwrap()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(results.iter().map(|r| r.new).sum::<u64>(), 3_000);
    assert_eq!(results.iter().map(|r| r.duplicate).sum::<u64>(), 1_000);
    let store = PostgresStore::open_read_only(db.url()).unwrap();
    let mut leads = Vec::new();
    store.leads(&mut |l| leads.push(l)).unwrap();
    assert_eq!(leads.len(), 3_000);
    let both: Vec<&Lead> = leads.iter().filter(|l| l.entered.len() == 2).collect();
    assert_eq!(both.len(), 1_000);
    assert!(both.iter().all(|l| l.stage == LeadStage::Quote), "{both:?}");
}

#[test]
fn a_busy_store_says_so_and_changes_nothing() {
    let db = TestServer::shared().database();
    let mut waiting = PostgresStore::open(db.url()).unwrap();
    waiting.set_busy_timeout(std::time::Duration::from_millis(200));
    let mut holder = postgres::Client::connect(db.url(), postgres::NoTls).unwrap();
    let mut tx = holder.transaction().unwrap();
    tx.execute("SELECT pg_advisory_xact_lock(1129467219)", &[])
        .unwrap();
    let t = Transaction::new(
        CustomerKey::new("A").unwrap(),
        d(2024, 1, 1),
        Money::from(1),
    );
    let e = waiting
        .import_transactions(&mut std::iter::once(Ok(t)))
        .unwrap_err();
    assert!(matches!(e, Error::Busy { .. }), "{e}");
    tx.rollback().unwrap();
    let counts: std::collections::BTreeMap<_, _> = waiting.counts().unwrap().into_iter().collect();
    assert_eq!(counts["transactions"], 0);
}

#[test]
fn read_only_opening_refuses_what_is_not_ours() {
    let server = TestServer::shared();
    let db = server.database();
    let e = PostgresStore::open_read_only(db.url()).unwrap_err();
    assert!(matches!(e, Error::NotOurs { .. }), "{e}");
    let e = PostgresStore::open_read_only(&server.url("no_such_database")).unwrap_err();
    assert!(matches!(e, Error::NotFound { .. }), "{e}");
    let mut other = postgres::Client::connect(db.url(), postgres::NoTls).unwrap();
    other
        .batch_execute("CREATE TABLE customers (x int)")
        .unwrap();
    let e = PostgresStore::open(db.url()).unwrap_err();
    assert!(matches!(e, Error::NotOurs { .. }), "{e}");
    assert!(e.to_string().contains("customers"), "{e}");
}

#[test]
fn the_read_only_store_writes_nothing_and_the_password_is_not_shown() {
    let server = TestServer::shared();
    let db = server.database();
    PostgresStore::open(db.url()).unwrap();
    let mut ro = PostgresStore::open_read_only(db.url()).unwrap();
    let t = Transaction::new(
        CustomerKey::new("A").unwrap(),
        d(2024, 1, 1),
        Money::from(1),
    );
    assert!(ro.import_transactions(&mut std::iter::once(Ok(t))).is_err());
    let url = format!(
        "postgres://crm:hunter2@127.0.0.1:{}/{}",
        server.port(),
        db.name()
    );
    let store = PostgresStore::open_read_only(&url).unwrap();
    assert!(!store.url().contains("hunter2"));
    assert!(!format!("{store:?}").contains("hunter2"));
}

#[test]
fn tls_connections_verify_the_server() {
    let server = TestServer::shared();
    let db = server.database();
    let url = server.tls_url(db.name()).unwrap();
    // The role is refused in plain text: this store speaks TLS.
    let plain = format!(
        "postgres://{}@127.0.0.1:{}/{}",
        crm_postgres::testing::TLS_ROLE,
        server.port(),
        db.name()
    );
    assert!(PostgresStore::open(&plain).is_err());
    let mut store = PostgresStore::open(&url).unwrap();
    let t = Transaction::new(
        CustomerKey::new("A").unwrap(),
        d(2024, 1, 1),
        Money::from(3),
    );
    let r = store
        .import_transactions(&mut std::iter::once(Ok(t)))
        .unwrap();
    assert_eq!(r.new, 1);
    let mut ledger = Ledger::new([Period::year(2024).unwrap()]);
    load_ledger(&PostgresStore::open_read_only(&url).unwrap(), &mut ledger).unwrap();
    assert_eq!(ledger.stats().transactions, 1);
    // Without the certificate authority the server is not trusted.
    let untrusted = url.split("&sslrootcert").next().unwrap().to_string();
    let e = PostgresStore::open(&untrusted).unwrap_err();
    assert!(e.to_string().contains("cannot connect"), "{e}");
}

/// Lead rows with and without ids, some of them repeated: `(lead or
/// none, customer, stage index, day, value, owner)`.
fn lead_rows() -> impl Strategy<Value = Vec<crm_core::Lead>> {
    use crm_core::{Lead, LeadStage};
    proptest::collection::vec(
        (
            proptest::option::of(0u8..8),
            0u8..4,
            0usize..5,
            0u64..400,
            1i64..50,
            0u8..3,
        ),
        0..50,
    )
    .prop_map(|v| {
        v.into_iter()
            .map(|(id, customer, s, day, value, owner)| {
                let stage = LeadStage::ALL[s];
                let mut r = Lead::new(
                    CustomerKey::new(format!("P{customer}")).unwrap(),
                    stage,
                    Money::from(value),
                )
                .entered_on(stage, d(2024, 1, 1) + chrono_days(day));
                r.id = id.map(|i| format!("L{i}"));
                r.owner =
                    [None, Some("ann"), Some("bob, jr")][usize::from(owner)].map(String::from);
                r.lost_reason = (stage == LeadStage::Lost).then(|| "price".to_string());
                r
            })
            .collect()
    })
}

fn all_leads(s: &impl Store) -> Vec<crm_core::Lead> {
    let mut out = Vec::new();
    s.leads(&mut |l| out.push(l)).unwrap();
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]
    /// Lead rows imported in two parts, then all again, give the same
    /// counts and the same leads, in the same order, in PostgreSQL as in
    /// SQLite: the rows of an id fold into one lead, rows without one are
    /// one lead per distinct content.
    #[test]
    fn leads_are_stored_as_the_sqlite_store_stores_them(
        rows in lead_rows(),
        split in 0usize..50,
    ) {
        let db = TestServer::shared().database();
        let mut pg = PostgresStore::open(db.url()).unwrap();
        let mut lite = crm_sqlite::SqliteStore::open_in_memory().unwrap();
        let (a, b) = rows.split_at(split.min(rows.len()));
        for part in [a, b, &rows[..]] {
            let p = pg.import_leads(&mut part.iter().cloned().map(Ok)).unwrap();
            let l = lite.import_leads(&mut part.iter().cloned().map(Ok)).unwrap();
            prop_assert_eq!((p.new, p.duplicate, p.suppressed), (l.new, l.duplicate, l.suppressed));
        }
        let stored = all_leads(&pg);
        prop_assert_eq!(&stored, &all_leads(&lite));
        for key in ["P0", "P1", "P2", "P3"] {
            let from_history = pg.history(key).unwrap().map(|h| h.leads).unwrap_or_default();
            let expected: Vec<_> = stored.iter().filter(|l| l.customer.as_str() == key).cloned().collect();
            prop_assert_eq!(from_history, expected);
        }
    }
}

/// Outcomes, some with an action id (of a few), some repeated.
fn outcome_rows() -> impl Strategy<Value = Vec<crm_core::Outcome>> {
    use crm_core::{Outcome, OutcomeStatus};
    proptest::collection::vec(
        (
            proptest::option::of(0u8..4),
            0u8..3,
            0u8..2,
            0usize..3,
            0u64..60,
            proptest::option::of(0u8..2),
        ),
        0..30,
    )
    .prop_map(|v| {
        v.into_iter()
            .map(|(action, customer, rule, status, day, owner)| {
                let status = [
                    OutcomeStatus::Done,
                    OutcomeStatus::Declined,
                    OutcomeStatus::NoAnswer,
                ][status];
                let mut o = Outcome::new(
                    crm_core::CustomerKey::new(format!("C{customer}")).unwrap(),
                    ["win-back", "upsell"][usize::from(rule)],
                    status,
                    d(2025, 1, 1) + chrono_days(day),
                );
                o.id = action.map(|a| uuid::Uuid::from_u128(u128::from(a) + 1));
                o.owner = owner.map(|n| format!("owner {n}"));
                o
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]
    /// Outcomes imported in two parts give the same counts, the same
    /// outcomes in the same order and the same histories in PostgreSQL as
    /// in SQLite.
    #[test]
    fn outcomes_are_stored_as_the_sqlite_store_stores_them(
        rows in outcome_rows(),
        split in 0usize..30,
        before in 0u64..60,
    ) {
        let db = TestServer::shared().database();
        let mut pg = PostgresStore::open(db.url()).unwrap();
        let mut lite = crm_sqlite::SqliteStore::open_in_memory().unwrap();
        let (a, b) = rows.split_at(split.min(rows.len()));
        for part in [a, b] {
            let records = || part.iter().cloned().map(|o| Ok(crm_store::Record::Outcome(o)));
            let p = pg.import(&mut records()).unwrap().outcomes;
            let l = lite.import(&mut records()).unwrap().outcomes;
            prop_assert_eq!((p.new, p.duplicate, p.suppressed), (l.new, l.duplicate, l.suppressed));
        }
        let bound = Some(d(2025, 1, 1) + chrono_days(before));
        let all = |s: &dyn Store| {
            let mut out = Vec::new();
            s.outcomes(bound, &mut |o| out.push(o)).unwrap();
            out
        };
        prop_assert_eq!(all(&pg), all(&lite));
        for key in ["C0", "C1", "C2"] {
            prop_assert_eq!(
                pg.history(key).unwrap().map(|h| h.outcomes),
                lite.history(key).unwrap().map(|h| h.outcomes)
            );
        }
    }
}

/// The indexes of the store's tables, as the server defines them.
fn index_definitions(url: &str) -> Vec<String> {
    let mut c = postgres::Client::connect(url, postgres::NoTls).unwrap();
    c.query(
        "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY indexname",
        &[],
    )
    .unwrap()
    .iter()
    .map(|r| r.get(0))
    .collect()
}

/// An import into empty tables (indexes dropped, built after, repeated
/// ids removed then) stores and counts what the same import into tables
/// that hold rows (`ON CONFLICT DO NOTHING` row by row) does, and leaves the
/// indexes of a new database.
#[test]
fn an_import_into_empty_tables_equals_one_into_filled_tables() {
    use crm_core::{Interaction, InteractionKind};
    use crm_store::Record;
    let server = TestServer::shared();
    let key = |k: u8| CustomerKey::new(format!("K{k}")).unwrap();
    let mut records = Vec::new();
    for n in 0..40u8 {
        let mut t = Transaction::new(
            key(n % 3),
            d(2024, 1, 1 + u32::from(n % 5)),
            Money::from(i64::from(n) + 1),
        );
        // Ids repeat within a customer, some on the same date. (Of rows
        // of different customers sharing an id, the one kept depends on
        // the customers' row ids, which two databases give differently.)
        t.id = (n % 4 != 0).then(|| format!("T{}-{}", n % 3, n % 7));
        records.push(Record::Transaction(t));
        let mut i = Interaction::new(key(n % 2), d(2024, 2, 1), InteractionKind::Visit);
        i.id = (n % 5 != 0).then(|| format!("I{}-{}", n % 2, n % 6));
        i.note = Some(format!("n{n}"));
        records.push(Record::Interaction(i));
    }
    let fresh = server.database();
    let mut empty = PostgresStore::open(fresh.url()).unwrap();
    let before = index_definitions(fresh.url());
    assert!(
        before
            .iter()
            .any(|i| i.contains("transactions_by_customer"))
    );
    let other = server.database();
    let mut filled = PostgresStore::open(other.url()).unwrap();
    let z = CustomerKey::new("Z").unwrap();
    filled
        .import(
            &mut [
                Record::Transaction(Transaction::new(z.clone(), d(2020, 1, 1), Money::from(1))),
                Record::Interaction(Interaction::new(z, d(2020, 1, 1), InteractionKind::Visit)),
            ]
            .into_iter()
            .map(Ok),
        )
        .unwrap();
    let a = empty.import(&mut records.iter().cloned().map(Ok)).unwrap();
    let b = filled.import(&mut records.iter().cloned().map(Ok)).unwrap();
    assert_eq!(a.transactions, b.transactions);
    assert_eq!(a.interactions, b.interactions);
    assert!(a.transactions.duplicate > 0 && a.interactions.duplicate > 0);
    for k in 0..3 {
        let (ha, hb) = (
            empty.history(key(k).as_str()).unwrap().unwrap(),
            filled.history(key(k).as_str()).unwrap().unwrap(),
        );
        assert_eq!(ha.transactions, hb.transactions, "K{k}");
        assert_eq!(ha.interactions, hb.interactions, "K{k}");
    }
    assert_eq!(index_definitions(fresh.url()), before);
    // Again: only the rows without an id are new.
    let again = empty.import(&mut records.iter().cloned().map(Ok)).unwrap();
    assert_eq!(again.transactions.new, 10);
    assert_eq!(again.interactions.new, 8);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(8))]
    /// Amounts sent in COPY's binary format (an import into an empty
    /// table) read back as they were, digits and scale: any `Decimal`,
    /// negative, zero, fractions of up to 28 digits and the largest.
    #[test]
    fn amounts_copied_in_binary_read_back_exactly(
        amounts in proptest::collection::vec(
            (any::<i64>(), any::<u32>(), 0u32..=28, any::<bool>(), proptest::option::of(any::<i64>())),
            1..40,
        ),
    ) {
        let db = TestServer::shared().database();
        let mut store = PostgresStore::open(db.url()).unwrap();
        let txs: Vec<Transaction> = amounts
            .iter()
            .enumerate()
            .map(|(n, &(lo, hi, scale, neg, quantity))| {
                let revenue = crm_core::Decimal::from_parts(
                    lo as u32, (lo >> 32) as u32, hi, neg, scale);
                let mut t = Transaction::new(
                    CustomerKey::new(format!("K{}", n % 3)).unwrap(),
                    d(2024, 1, 1) + chrono_days(n as u64),
                    Money::from(revenue),
                );
                t.margin = (n % 2 == 0).then(|| Money::from(-revenue));
                t.quantity = quantity.map(|q| crm_core::Decimal::new(q, scale));
                t.product = Some(format!("p\t{n}"));
                t.id = Some(format!("T{n}"));
                t
            })
            .collect();
        let got = store.import_transactions(&mut txs.clone().into_iter().map(Ok)).unwrap();
        prop_assert_eq!((got.new, got.duplicate), (txs.len() as u64, 0));
        let mut back = Vec::new();
        for k in 0..3 {
            if let Some(h) = store.history(&format!("K{k}")).unwrap() {
                back.extend(h.transactions);
            }
        }
        back.sort_by_key(|t| t.date);
        prop_assert_eq!(back.len(), txs.len());
        for (a, b) in txs.iter().zip(&back) {
            prop_assert_eq!(a, b);
            prop_assert_eq!(a.revenue.to_string(), b.revenue.to_string());
            prop_assert_eq!(
                a.quantity.map(|q| q.to_string()),
                b.quantity.map(|q| q.to_string())
            );
        }
    }
}

/// An import into an empty transactions table gives its customers and
/// rows their ids in the client: customers of the register imported
/// before keep theirs, new ones follow, and the tables' sequences move
/// past them, so that later imports (staged, with other kinds) add rows
/// without a collision; the counts are those of any import.
#[test]
fn a_direct_import_gives_ids_that_later_imports_continue() {
    use crm_core::{Customer, Interaction, InteractionKind, Stage};
    use crm_store::Record;
    let db = TestServer::shared().database();
    let mut store = PostgresStore::open(db.url()).unwrap();
    let key = |k: &str| CustomerKey::new(k).unwrap();
    let registered = store
        .import(
            &mut [Record::Customer(Customer::new(key("R"), Stage::Customer))]
                .into_iter()
                .map(Ok),
        )
        .unwrap();
    assert_eq!(registered.customers.new, 1);
    let t = |k: &str, day: u32, id: &str| {
        Record::Transaction(
            Transaction::new(key(k), d(2024, 1, day), Money::from(i64::from(day))).with_id(id),
        )
    };
    let first = store
        .import(
            &mut [
                t("A", 1, "T1"),
                t("R", 2, "T2"),
                Record::Interaction(Interaction::new(
                    key("B"),
                    d(2024, 1, 3),
                    InteractionKind::Visit,
                )),
                t("A", 3, "T1"),
                t("C", 4, "T4"),
                Record::Customer(Customer::new(key("C"), Stage::Customer)),
            ]
            .into_iter()
            .map(Ok),
        )
        .unwrap();
    assert_eq!(
        (first.transactions.new, first.transactions.duplicate),
        (3, 1)
    );
    assert_eq!((first.interactions.new, first.customers.new), (1, 1));
    let second = store
        .import(
            &mut [t("D", 5, "T5"), t("A", 6, "T1"), t("R", 7, "T7")]
                .into_iter()
                .map(Ok),
        )
        .unwrap();
    assert_eq!(
        (second.transactions.new, second.transactions.duplicate),
        (2, 1)
    );
    let counts: std::collections::BTreeMap<_, _> = store.counts().unwrap().into_iter().collect();
    assert_eq!(counts["customers"], 5);
    assert_eq!(counts["transactions"], 5);
    let dates = |k: &str| -> Vec<NaiveDate> {
        store
            .history(k)
            .unwrap()
            .unwrap()
            .transactions
            .iter()
            .map(|t| t.date)
            .collect()
    };
    assert_eq!(dates("A"), vec![d(2024, 1, 1)]);
    assert_eq!(dates("R"), vec![d(2024, 1, 2), d(2024, 1, 7)]);
    assert_eq!(dates("D"), vec![d(2024, 1, 5)]);
    let mut register = Vec::new();
    store
        .register(&mut |k, _, _| register.push(k.to_string()))
        .unwrap();
    register.sort();
    assert_eq!(register, ["C", "R"]);
    let mut c = postgres::Client::connect(db.url(), postgres::NoTls).unwrap();
    let distinct: i64 = c
        .query_one("SELECT count(DISTINCT id) FROM customers", &[])
        .unwrap()
        .get(0);
    assert_eq!(distinct, 5);
}

/// An import into empty tables that dies in the middle (its connection
/// ended by the server, as when the importing process is killed, or its
/// input failing) leaves nothing: no rows, no customers, every index of
/// the schema in place; the next import goes in whole.
#[test]
fn a_direct_import_cut_off_leaves_nothing() {
    let db = TestServer::shared().database();
    PostgresStore::open(db.url()).unwrap();
    let indexes = index_definitions(db.url());
    let row = |n: u32| {
        Transaction::new(
            CustomerKey::new(format!("C{}", n % 97)).unwrap(),
            d(2024, 1, 1 + n % 28),
            Money::from(i64::from(n)),
        )
        .with_id(format!("T{n}"))
    };
    let url = db.url().to_string();
    let mut store = PostgresStore::open(&url).unwrap();
    // Killed: at row 30,000 another connection ends the importer's.
    let mut rows = (0..60_000u32).map(|n| {
        if n == 30_000 {
            let mut admin = postgres::Client::connect(&url, postgres::NoTls).unwrap();
            let ended = admin
                .query(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                     WHERE datname = current_database() AND pid <> pg_backend_pid()
                       AND query LIKE 'COPY transactions%'",
                    &[],
                )
                .unwrap();
            assert_eq!(ended.len(), 1, "the importer's COPY is running");
        }
        Ok(row(n))
    });
    assert!(store.import_transactions(&mut rows).is_err());
    // Its input failing.
    let mut store = PostgresStore::open(&url).unwrap();
    let mut rows = (0..60_000u32).map(|n| {
        if n == 30_000 {
            Err("a bad line".into())
        } else {
            Ok(row(n))
        }
    });
    assert!(store.import_transactions(&mut rows).is_err());
    let counts: std::collections::BTreeMap<_, _> = store.counts().unwrap().into_iter().collect();
    assert!(counts.values().all(|&n| n == 0), "{counts:?}");
    assert_eq!(index_definitions(&url), indexes);
    let whole = store
        .import_transactions(&mut (0..60_000u32).map(|n| Ok(row(n))))
        .unwrap();
    assert_eq!((whole.new, whole.duplicate), (60_000, 0));
    assert_eq!(index_definitions(&url), indexes);
}

/// The store counts the customers it erased (its suppression list), so
/// that a database emptied by erasure says so; a database without the
/// schema has no count.
#[test]
fn erased_customers_are_counted() {
    let db = TestServer::shared().database();
    let mut store = PostgresStore::open(db.url()).unwrap();
    assert_eq!(store.erased_count().unwrap(), Some(0));
    let rows = ["A", "B", "C"].map(|k| {
        Ok(Transaction::new(
            CustomerKey::new(k).unwrap(),
            d(2024, 1, 1),
            Money::from(1),
        ))
    });
    store.import_transactions(&mut rows.into_iter()).unwrap();
    store.erase("A").unwrap();
    store.erase("B").unwrap();
    assert_eq!(store.erased_count().unwrap(), Some(2));
}

/// An error of the server says what the server said: the client's own
/// text is only "db error".
#[test]
fn server_errors_say_what_the_server_said() {
    let db = TestServer::shared().database();
    PostgresStore::open(db.url()).unwrap();
    let role = format!("crm_no_rights_{}", std::process::id());
    let mut admin = postgres::Client::connect(db.url(), postgres::NoTls).unwrap();
    admin
        .batch_execute(&format!("CREATE ROLE {role} LOGIN"))
        .unwrap();
    let url = db
        .url()
        .replacen("postgres://crm@", &format!("postgres://{role}@"), 1);
    let e = PostgresStore::open(&url).unwrap_err().to_string();
    admin.batch_execute(&format!("DROP ROLE {role}")).unwrap();
    assert!(e.contains("permission denied"), "{e}");
    assert!(e.contains("42501"), "{e}");
}

/// The server sums exactly, so a customer's sum can need more digits than
/// an amount holds (float noise such as 0.30000000000000004 in an export):
/// it is rounded as adding the rows does, not refused as a corrupt row;
/// a sum past the range is that customer's overflow.
#[test]
fn sums_with_more_digits_than_an_amount_are_rounded() {
    let db = TestServer::shared().database();
    let mut store = PostgresStore::open(db.url()).unwrap();
    let rows = [("K3", "1000000000000.5"), ("K3", "0.30000000000000004")].map(|(k, v)| {
        Ok(Transaction::new(
            CustomerKey::new(k).unwrap(),
            d(2025, 3, 6),
            v.parse().unwrap(),
        ))
    });
    store.import_transactions(&mut rows.into_iter()).unwrap();
    let period: Period = "2025".parse().unwrap();
    let mut from_store = Ledger::new([period]);
    load_ledger(&store, &mut from_store).unwrap();
    let mut by_rows = Ledger::new([period]);
    for v in ["1000000000000.5", "0.30000000000000004"] {
        by_rows
            .record_sale("K3", d(2025, 3, 6), v.parse().unwrap(), None)
            .unwrap();
    }
    let id = from_store.id("K3").unwrap();
    let want = by_rows.id("K3").unwrap();
    assert_eq!(
        from_store
            .period_totals(id, 0)
            .unwrap()
            .value(Basis::Revenue),
        by_rows
            .period_totals(want, 0)
            .unwrap()
            .value(Basis::Revenue)
    );

    let db = TestServer::shared().database();
    let mut store = PostgresStore::open(db.url()).unwrap();
    let rows = ["79228162514264337593543950335", "1"].map(|v| {
        Ok(Transaction::new(
            CustomerKey::new("K").unwrap(),
            d(2025, 3, 6),
            v.parse().unwrap(),
        ))
    });
    store.import_transactions(&mut rows.into_iter()).unwrap();
    let mut ledger = Ledger::new([period]);
    let e = load_ledger(&store, &mut ledger).unwrap_err().to_string();
    assert!(e.contains("overflow") && e.contains("\"K\""), "{e}");
}
