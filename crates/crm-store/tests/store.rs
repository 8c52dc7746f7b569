use std::collections::BTreeMap;

use crm_core::{
    Channel, Customer, CustomerKey, Interaction, InteractionKind, Lead, LeadStage, Ledger, Money,
    NaiveDate, Period, Stage, Transaction,
};
use crm_store::{Error, SqliteStore, Store, load_ledger};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn m(s: &str) -> Money {
    s.parse().unwrap()
}

fn k(s: &str) -> CustomerKey {
    CustomerKey::new(s).unwrap()
}

fn ok<T>(v: Vec<T>) -> impl Iterator<Item = Result<T, BoxError>> {
    v.into_iter().map(Ok)
}

fn full_customer(key: &str) -> Customer {
    let mut c = Customer::new(k(key), Stage::Customer);
    c.name = Some("Zoë & Søn, \"quoted\"".into());
    c.segment = Some("industrie".into());
    c.region = Some("Vlaanderen".into());
    c.acquired = Some(d(2020, 2, 29));
    c.potential = Some(m("123456789012345678.0001"));
    c.consent.set(Channel::Email, Some(true));
    c.consent.set(Channel::Phone, Some(false));
    c.attributes = BTreeMap::from([
        ("vat".to_string(), "BE0123".to_string()),
        ("tier".to_string(), "gold".to_string()),
    ]);
    c
}

#[test]
fn round_trip_of_every_field() {
    let mut s = SqliteStore::open_in_memory().unwrap();
    let key = "klant-Ω-東京-1";
    let c = full_customer(key);
    s.import_customers(&mut ok(vec![c.clone()])).unwrap();
    let mut t = Transaction::new(k(key), d(2024, 1, 31), m("-0.10"))
        .with_margin(m("0.0300"))
        .with_id("T-ü-1");
    t.quantity = Some("2.5".parse().unwrap());
    t.product = Some("widget, large".into());
    let t2 = Transaction::new(k(key), d(2023, 12, 1), m("79228162514264337593543950335"));
    s.import_transactions(&mut ok(vec![t.clone(), t2.clone()]))
        .unwrap();
    let mut i = Interaction::new(k(key), d(2024, 2, 1), InteractionKind::ComplaintResolved);
    i.cost = Some(m("12.345"));
    i.note = Some("line one\nline two".into());
    s.import_interactions(&mut ok(vec![i.clone()])).unwrap();
    let mut l = Lead::new(k(key), LeadStage::Won, m("5000.00"));
    l.entered = BTreeMap::from([
        (LeadStage::Lead, d(2023, 1, 1)),
        (LeadStage::Won, d(2023, 3, 1)),
    ]);
    s.import_leads(&mut ok(vec![l.clone()])).unwrap();

    let mut listed = Vec::new();
    s.customers(&mut |c| listed.push(c)).unwrap();
    assert_eq!(listed, vec![c.clone()]);
    let mut seen = Vec::new();
    s.interactions(None, &mut |x| seen.push(x)).unwrap();
    assert_eq!(seen, vec![i.clone()]);
    let h = s.history(key).unwrap().unwrap();
    assert_eq!(h.customer, Some(c));
    assert_eq!(h.transactions, vec![t2, t]);
    assert_eq!(h.interactions, vec![i]);
    assert_eq!(h.leads, vec![l]);
    assert!(s.history("nobody").unwrap().is_none());
}

#[test]
fn schema_is_created_and_newer_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crm.db");
    {
        let s = SqliteStore::open(&path).unwrap();
        assert_eq!(s.schema_version().unwrap(), 1);
        s.integrity_check().unwrap();
    }
    // Opening again changes nothing.
    assert_eq!(
        SqliteStore::open(&path).unwrap().schema_version().unwrap(),
        1
    );
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("PRAGMA user_version = 99").unwrap();
    }
    let e = SqliteStore::open(&path).unwrap_err();
    assert!(
        matches!(
            e,
            Error::NewerSchema {
                found: 99,
                supported: 1,
                ..
            }
        ),
        "{e}"
    );
    assert!(e.to_string().contains("newer than this program's 1"), "{e}");
    // A file that is not a database is an error, not a panic.
    let junk = dir.path().join("junk.db");
    std::fs::write(
        &junk,
        b"this is not a database at all, not even close; padding padding padding padding",
    )
    .unwrap();
    assert!(SqliteStore::open(&junk).is_err());
}

#[test]
fn reimport_is_idempotent_with_ids() {
    let mut s = SqliteStore::open_in_memory().unwrap();
    let rows: Vec<Transaction> = (0..100)
        .map(|n| {
            Transaction::new(
                k(&format!("C{}", n % 7)),
                d(2024, 1, 1 + n % 28),
                Money::from(i64::from(n)),
            )
            .with_id(format!("T{n}"))
        })
        .collect();
    let first = s.import_transactions(&mut ok(rows.clone())).unwrap();
    assert_eq!((first.new, first.duplicate), (100, 0));
    let again = s.import_transactions(&mut ok(rows)).unwrap();
    assert_eq!((again.new, again.duplicate), (0, 100));
    let counts: BTreeMap<_, _> = s.counts().unwrap().into_iter().collect();
    assert_eq!(counts["transactions"], 100);
    assert_eq!(counts["customers"], 7);

    let i = Interaction::new(k("C1"), d(2024, 1, 1), InteractionKind::Call);
    let r = s.import_interactions(&mut ok(vec![i.clone(), i])).unwrap();
    assert_eq!((r.new, r.duplicate), (1, 1));
    let c = Customer::new(k("C1"), Stage::Customer);
    // C1 was known from transactions only: entering the register is new.
    assert_eq!(s.import_customers(&mut ok(vec![c.clone()])).unwrap().new, 1);
    assert_eq!(s.import_customers(&mut ok(vec![c])).unwrap().duplicate, 1);
}

#[test]
fn a_failed_import_leaves_nothing() {
    let mut s = SqliteStore::open_in_memory().unwrap();
    let good = Transaction::new(k("A"), d(2024, 1, 1), m("1"));
    let mut rows = vec![
        Ok(good.clone()),
        Ok(good),
        Err::<Transaction, BoxError>("bad row at line 3".into()),
    ]
    .into_iter();
    let e = s.import_transactions(&mut rows).unwrap_err();
    assert!(e.to_string().contains("bad row at line 3"), "{e}");
    assert!(s.counts().unwrap().iter().all(|(_, n)| *n == 0));
}

#[test]
fn erasure_leaves_no_trace() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crm.db");
    let secret = "ERASE-ME-7f3a9";
    {
        let mut s = SqliteStore::open(&path).unwrap();
        let mut c = full_customer(secret);
        c.name = Some(format!("{secret} name"));
        s.import_customers(&mut ok(vec![c, full_customer("KEEP")]))
            .unwrap();
        let t = |key: &str, id: &str| Transaction::new(k(key), d(2024, 1, 1), m("5")).with_id(id);
        s.import_transactions(&mut ok(vec![
            t(secret, &format!("{secret}-T1")),
            t("KEEP", "K-T1"),
        ]))
        .unwrap();
        let mut i = Interaction::new(k(secret), d(2024, 1, 2), InteractionKind::Complaint);
        i.note = Some(format!("{secret} complained"));
        s.import_interactions(&mut ok(vec![i])).unwrap();
        s.import_leads(&mut ok(vec![Lead::new(
            k(secret),
            LeadStage::Quote,
            m("1"),
        )]))
        .unwrap();

        let erased = s.erase(secret).unwrap();
        assert_eq!(erased.rows["customers"], 1);
        assert_eq!(erased.rows["transactions"], 1);
        assert_eq!(erased.rows["interactions"], 1);
        assert_eq!(erased.rows["leads"], 1);
        assert_eq!(erased.rows["customer_attributes"], 2);
        assert!(s.history(secret).unwrap().is_none());
        assert!(s.history("KEEP").unwrap().is_some());
        s.integrity_check().unwrap();
        assert_eq!(s.erase(secret).unwrap().total(), 0);
    }
    // Search every table's text, and the raw bytes of every file.
    let conn = rusqlite::Connection::open(&path).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(tables.len() >= 5);
    for t in &tables {
        let columns: Vec<String> = conn
            .prepare(&format!("PRAGMA table_info(\"{t}\")"))
            .unwrap()
            .query_map([], |r| r.get(1))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        for c in &columns {
            let n: i64 = conn
                .query_row(
                    &format!(
                        "SELECT count(*) FROM \"{t}\" WHERE instr(CAST(\"{c}\" AS TEXT), ?1) > 0"
                    ),
                    [secret],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(n, 0, "{t}.{c} still mentions the customer");
        }
    }
    drop(conn);
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        assert!(
            !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "the key is still in a file"
        );
    }
}

#[test]
fn ledger_reads_through_the_store() {
    let mut s = SqliteStore::open_in_memory().unwrap();
    s.import_customers(&mut ok(vec![
        Customer::new(k("P"), Stage::Prospect),
        full_customer("C"),
    ]))
    .unwrap();
    s.import_transactions(&mut ok(vec![
        Transaction::new(k("A"), d(2024, 3, 1), m("10")),
        Transaction::new(k("A"), d(2025, 3, 1), m("99")),
    ]))
    .unwrap();
    s.import_interactions(&mut ok(vec![Interaction::new(
        k("B"),
        d(2024, 5, 5),
        InteractionKind::Call,
    )]))
    .unwrap();
    let year: Period = "2024".parse().unwrap();
    let mut l = Ledger::new([year]);
    load_ledger(&s, &mut l).unwrap();
    assert_eq!(l.len(), 4);
    // The register's acquisition date reaches the ledger (it places a
    // register customer without history in the pyramid).
    assert_eq!(
        l.totals(l.id("C").unwrap()).acquired(),
        Some(d(2020, 2, 29))
    );
    assert_eq!(l.totals(l.id("P").unwrap()).acquired(), None);
    // The 2025 sale lies after the ledger's periods: not read.
    assert_eq!(l.stats().transactions, 1);
    assert_eq!(
        l.totals(l.id("P").unwrap()).register_stage(),
        Some(Stage::Prospect)
    );
    assert!(l.totals(l.id("A").unwrap()).register_stage().is_none());
}
