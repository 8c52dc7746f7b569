use std::time::Duration;

use crm_core::{
    Customer, CustomerKey, Interaction, InteractionKind, Lead, LeadStage, Money, NaiveDate,
    Outcome, OutcomeStatus, Stage, Transaction,
};
use crm_sqlite::{SCHEMA_VERSION, SqliteStore};
use crm_store::{Error, Record, Store, conformance};

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

fn count(s: &SqliteStore, table: &str) -> u64 {
    s.counts()
        .unwrap()
        .into_iter()
        .find(|(t, _)| *t == table)
        .unwrap()
        .1
}

#[test]
fn conforms_in_memory() {
    conformance::run(|| SqliteStore::open_in_memory().unwrap());
}

#[test]
fn conforms_on_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut n = 0;
    conformance::run(|| {
        n += 1;
        SqliteStore::open(dir.path().join(format!("c{n}.db"))).unwrap()
    });
}

#[test]
fn schema_is_created_and_newer_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crm.db");
    {
        let s = SqliteStore::open(&path).unwrap();
        assert_eq!(s.schema_version().unwrap(), SCHEMA_VERSION);
        s.integrity_check().unwrap();
    }
    // Opening again changes nothing.
    assert_eq!(
        SqliteStore::open(&path).unwrap().schema_version().unwrap(),
        SCHEMA_VERSION
    );
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("PRAGMA user_version = 99").unwrap();
    }
    for e in [
        SqliteStore::open(&path).unwrap_err(),
        SqliteStore::open_read_only(&path).unwrap_err(),
    ] {
        assert!(
            matches!(
                e,
                Error::NewerSchema {
                    found: 99,
                    supported: SCHEMA_VERSION,
                    ..
                }
            ),
            "{e}"
        );
        assert!(
            e.to_string()
                .contains(&format!("newer than this program's {SCHEMA_VERSION}")),
            "{e}"
        );
    }
    // A file that is not a database is an error, not a panic.
    let junk = dir.path().join("junk.db");
    let text = b"this is not a database at all, not even close; padding padding padding padding";
    std::fs::write(&junk, text).unwrap();
    for e in [
        SqliteStore::open(&junk).unwrap_err(),
        SqliteStore::open_read_only(&junk).unwrap_err(),
    ] {
        assert!(matches!(e, Error::NotOurs { .. }), "{e}");
        assert!(e.to_string().contains("not an SQLite database"), "{e}");
    }
    assert_eq!(std::fs::read(&junk).unwrap(), text);
}

/// The schema of version 1, as the first release wrote it.
const V1: &str = "
    CREATE TABLE customers (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, in_register INTEGER NOT NULL,
        stage TEXT NOT NULL, name TEXT, segment TEXT, region TEXT, acquired TEXT, potential TEXT,
        consent_email INTEGER, consent_phone INTEGER, consent_post INTEGER);
    CREATE TABLE customer_attributes (customer INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
        name TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (customer, name)) WITHOUT ROWID;
    CREATE TABLE transactions (id INTEGER PRIMARY KEY, customer INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
        date TEXT NOT NULL, revenue TEXT NOT NULL, margin TEXT, quantity TEXT, source_id TEXT UNIQUE, product TEXT);
    CREATE INDEX transactions_by_customer ON transactions(customer, date, revenue, margin);
    CREATE TABLE interactions (id INTEGER PRIMARY KEY, customer INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
        date TEXT NOT NULL, kind TEXT NOT NULL, cost TEXT, note TEXT);
    CREATE UNIQUE INDEX interactions_identity
        ON interactions(customer, date, kind, coalesce(cost, ''), coalesce(note, ''));
    CREATE TABLE leads (id INTEGER PRIMARY KEY, customer INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
        stage TEXT NOT NULL, value TEXT NOT NULL, entered TEXT NOT NULL);
    CREATE UNIQUE INDEX leads_identity ON leads(customer, stage, value, entered);
    PRAGMA user_version = 1;
    PRAGMA journal_mode = WAL;
    INSERT INTO customers VALUES (1, 'C1', 1, 'customer', 'Acme', NULL, NULL, '2020-01-01', '1000', 1, NULL, NULL);
    INSERT INTO customers VALUES (2, 'C2', 0, 'suspect', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
    INSERT INTO customer_attributes VALUES (1, 'vat', 'BE1');
    INSERT INTO transactions VALUES (1, 1, '2024-01-01', '10.50', '2', NULL, 'T1', NULL);
    INSERT INTO transactions VALUES (2, 2, '2024-02-01', '5', NULL, NULL, NULL, NULL);
    INSERT INTO interactions VALUES (1, 1, '2024-03-01', 'visit', '12.5', 'first');
    INSERT INTO leads VALUES (1, 2, 'quote', '100', 'quote=2024-01-05');
";

fn v1_file(path: &std::path::Path) {
    rusqlite::Connection::open(path)
        .unwrap()
        .execute_batch(V1)
        .unwrap();
}

/// A version-2 file with data, as 0.2's first store wrote it: version 1
/// upgraded by the step of 0.1, with an interaction and a lead without ids.
fn v2_file(path: &std::path::Path) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch(V1).unwrap();
    conn.execute_batch(
        "ALTER TABLE interactions ADD COLUMN source_id TEXT;
         DROP INDEX interactions_identity;
         CREATE UNIQUE INDEX interactions_by_source_id ON interactions(source_id);
         CREATE TABLE crm_meta (name TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
         INSERT INTO crm_meta (name, value) VALUES ('suppression_key', randomblob(32));
         CREATE TABLE erased_keys (hash BLOB PRIMARY KEY, erased TEXT NOT NULL) WITHOUT ROWID;
         INSERT INTO interactions (customer, date, kind, cost, note, source_id)
             VALUES (2, '2024-04-01', 'campaign-response', NULL, NULL, 'I9');
         INSERT INTO leads VALUES (2, 1, 'won', '250', 'lead=2024-01-02;won=2024-02-01');
         PRAGMA application_id = 1129467219;
         PRAGMA user_version = 2;",
    )
    .unwrap();
}

#[test]
fn a_version_2_file_gets_the_campaign_column_and_keeps_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v2.db");
    v2_file(&path);
    let e = SqliteStore::open_read_only(&path).unwrap_err();
    assert!(matches!(e, Error::OlderSchema { found: 2, .. }), "{e}");
    let mut s = SqliteStore::open(&path).unwrap();
    assert_eq!(s.schema_version().unwrap(), SCHEMA_VERSION);
    s.integrity_check().unwrap();
    let all = {
        let mut v = Vec::new();
        s.interactions(None, &mut |i| v.push(i)).unwrap();
        v
    };
    assert_eq!(all.len(), 2);
    assert_eq!(all[1].id.as_deref(), Some("I9"));
    assert_eq!(
        (all[0].campaign.as_deref(), all[1].campaign.as_deref()),
        (None, None)
    );
    assert_eq!(
        s.history("C1").unwrap().unwrap().interactions[0]
            .note
            .as_deref(),
        Some("first")
    );
    // New rows keep their campaign.
    let sent = Interaction::new(k("C2"), d(2024, 3, 1), InteractionKind::CampaignSent)
        .with_campaign("spring")
        .with_id("S1");
    assert_eq!(
        s.import_interactions(&mut ok(vec![sent.clone()]))
            .unwrap()
            .new,
        1
    );
    drop(s);
    let s = SqliteStore::open_read_only(&path).unwrap();
    let h = s.history("C2").unwrap().unwrap();
    assert_eq!(h.interactions[0], sent);
}

/// Schema version 2 on top of [`V1`], as the second release wrote it, with
/// data of every table.
const V2: &str = "
    ALTER TABLE interactions ADD COLUMN source_id TEXT;
    DROP INDEX interactions_identity;
    CREATE UNIQUE INDEX interactions_by_source_id ON interactions(source_id);
    CREATE TABLE crm_meta (name TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
    INSERT INTO crm_meta (name, value) VALUES ('suppression_key', randomblob(32));
    CREATE TABLE erased_keys (hash BLOB PRIMARY KEY, erased TEXT NOT NULL) WITHOUT ROWID;
    INSERT INTO interactions VALUES (2, 2, '2024-04-01', 'complaint', NULL, NULL, 'I2');
    PRAGMA user_version = 2;
    PRAGMA application_id = 1129467219;
";

#[test]
fn a_version_2_file_gains_the_outcomes_and_keeps_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v2.db");
    v1_file(&path);
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch(V2)
        .unwrap();
    let before = std::fs::read(&path).unwrap();
    let e = SqliteStore::open_read_only(&path).unwrap_err();
    assert!(matches!(e, Error::OlderSchema { found: 2, .. }), "{e}");
    assert_eq!(std::fs::read(&path).unwrap(), before);

    let mut s = SqliteStore::open(&path).unwrap();
    assert_eq!(s.schema_version().unwrap(), SCHEMA_VERSION);
    s.integrity_check().unwrap();
    let h = s.history("C2").unwrap().unwrap();
    assert_eq!(
        (h.transactions.len(), h.interactions.len(), h.leads.len()),
        (1, 1, 1)
    );
    assert_eq!(h.interactions[0].id.as_deref(), Some("I2"));
    assert!(h.outcomes.is_empty());
    let o = Outcome::new(
        crm_core::CustomerKey::new("C2").unwrap(),
        "reactivate",
        OutcomeStatus::Declined,
        d(2025, 2, 1),
    );
    let summary = s.import(&mut ok(vec![Record::Outcome(o.clone())])).unwrap();
    assert_eq!(summary.outcomes.new, 1);
    let mut read = Vec::new();
    s.outcomes(None, &mut |x| read.push(x)).unwrap();
    assert_eq!(read, [o]);
    drop(s);
    // Opening again changes nothing: the file is at the latest version.
    let s = SqliteStore::open_read_only(&path).unwrap();
    assert_eq!(s.schema_version().unwrap(), SCHEMA_VERSION);
}

#[test]
fn a_version_1_file_is_upgraded_in_place_with_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    v1_file(&path);
    // Read-only, it cannot be upgraded: a clear error, the file untouched.
    let before = std::fs::read(&path).unwrap();
    let e = SqliteStore::open_read_only(&path).unwrap_err();
    assert!(
        matches!(
            e,
            Error::OlderSchema {
                found: 1,
                supported: SCHEMA_VERSION,
                ..
            }
        ),
        "{e}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), before);

    let mut s = SqliteStore::open(&path).unwrap();
    assert_eq!(s.schema_version().unwrap(), SCHEMA_VERSION);
    s.integrity_check().unwrap();
    let h = s.history("C1").unwrap().unwrap();
    let c = h.customer.unwrap();
    assert_eq!(c.name.as_deref(), Some("Acme"));
    assert_eq!(c.attributes["vat"], "BE1");
    assert_eq!(h.transactions[0].id.as_deref(), Some("T1"));
    assert_eq!(h.interactions.len(), 1);
    assert_eq!(h.interactions[0].note.as_deref(), Some("first"));
    assert_eq!(h.interactions[0].id, None);
    assert_eq!(s.history("C2").unwrap().unwrap().leads.len(), 1);
    // The identity of version 1 merged identical interactions; now the same
    // visit twice is two visits, and ids deduplicate.
    let visit = Interaction::new(k("C1"), d(2024, 3, 1), InteractionKind::Visit);
    let mut same = visit.clone();
    same.cost = Some(m("12.5"));
    same.note = Some("first".into());
    let r = s
        .import_interactions(&mut ok(vec![
            same,
            visit.clone().with_id("I1"),
            visit.with_id("I1"),
        ]))
        .unwrap();
    assert_eq!((r.new, r.duplicate), (2, 1));
    assert_eq!(count(&s, "interactions"), 3);
    // Erasure and its suppression list work on the upgraded file.
    assert_eq!(s.erase("C2").unwrap().rows["customers"], 1);
    let r = s
        .import_transactions(&mut ok(vec![Transaction::new(
            k("C2"),
            d(2024, 2, 1),
            m("5"),
        )]))
        .unwrap();
    assert_eq!((r.new, r.suppressed), (0, 1));
    // The transactions' ids are still unique after the table was rebuilt
    // (version 6), and the file has the indexes of a new one.
    let r = s
        .import_transactions(&mut ok(vec![
            Transaction::new(k("C1"), d(2024, 1, 1), m("10.50")).with_id("T1"),
        ]))
        .unwrap();
    assert_eq!((r.new, r.duplicate), (0, 1));
    drop(s);
    assert_eq!(indexes(&path), indexes(&dir.path().join("new.db")));
    // Now read-only opening works.
    let s = SqliteStore::open_read_only(&path).unwrap();
    assert_eq!(s.history("C1").unwrap().unwrap().interactions.len(), 3);
}

/// The indexes of the file at `path` (made new when missing): name, table
/// and definition with its spacing normalised.
fn indexes(path: &std::path::Path) -> Vec<(String, String, String)> {
    drop(SqliteStore::open(path).unwrap());
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut stmt = conn
        .prepare("SELECT name, tbl_name, coalesce(sql, '') FROM sqlite_master WHERE type = 'index' ORDER BY name")
        .unwrap();
    stmt.query_map([], |r| {
        let sql: String = r.get(2)?;
        Ok((
            r.get(0)?,
            r.get(1)?,
            sql.split_whitespace().collect::<Vec<_>>().join(" "),
        ))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

#[test]
fn an_import_into_empty_tables_leaves_the_indexes_of_a_new_file() {
    let dir = tempfile::tempdir().unwrap();
    let fresh = indexes(&dir.path().join("new.db"));
    assert!(fresh.iter().any(|(n, ..)| n == "transactions_by_customer"));
    let path = dir.path().join("crm.db");
    let mut s = SqliteStore::open(&path).unwrap();
    // Repeated ids in one import into empty tables: the unique index is
    // built after the rows, the repeats removed first and counted.
    let t = |id: &str, v: &str| Transaction::new(k("C1"), d(2024, 1, 1), m(v)).with_id(id);
    let i = |id: &str| Interaction::new(k("C2"), d(2024, 1, 2), InteractionKind::Visit).with_id(id);
    let r = s
        .import(&mut ok(vec![
            Record::Transaction(t("T1", "1")),
            Record::Interaction(i("I1")),
            Record::Transaction(t("T2", "2")),
            Record::Transaction(t("T1", "3")),
            Record::Interaction(i("I1")),
            Record::Transaction(Transaction::new(k("C1"), d(2024, 1, 1), m("4"))),
        ]))
        .unwrap();
    assert_eq!((r.transactions.new, r.transactions.duplicate), (3, 1));
    assert_eq!((r.interactions.new, r.interactions.duplicate), (1, 1));
    let h = s.history("C1").unwrap().unwrap();
    let revenues: Vec<Money> = h.transactions.iter().map(|t| t.revenue).collect();
    assert_eq!(revenues, [m("1"), m("2"), m("4")]);
    s.integrity_check().unwrap();
    drop(s);
    assert_eq!(indexes(&path), fresh);
}

/// Keys get their customers rows in the order of the input, whatever the
/// kinds of records between them (transactions' keys are looked up in
/// batches); every row written refers to a customer although SQLite's
/// checks of foreign keys are off during imports; and amounts, dates and
/// counts come back exact through the statements of many rows.
#[test]
fn keys_get_rows_in_input_order_and_every_reference_holds() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crm.db");
    let mut s = SqliteStore::open(&path).unwrap();
    let t = |key: &str, n: usize| {
        let mut t = Transaction::new(k(key), d(2024, 1, 1 + (n % 28) as u32), m("10.05"))
            .with_id(format!("T{n}"));
        t.margin = n.is_multiple_of(3).then(|| m("-0.10"));
        t.quantity = n.is_multiple_of(5).then(|| "2.5".parse().unwrap());
        t
    };
    let mut records = Vec::new();
    for n in 0..1000 {
        records.push(Record::Transaction(t(&format!("K{}", n % 300), n)));
        if n.is_multiple_of(97) {
            records.push(Record::Customer(Customer::new(
                k(&format!("R{n}")),
                Stage::Prospect,
            )));
        }
    }
    // A key longer than those held inline.
    let long = "L".repeat(60);
    records.push(Record::Transaction(t(&long, 1000)));
    records.push(Record::Transaction(t(&long, 1000)));
    let r = s.import(&mut ok(records.clone())).unwrap();
    assert_eq!((r.transactions.new, r.transactions.duplicate), (1001, 1));
    let again = s.import(&mut ok(records.clone())).unwrap();
    assert_eq!(
        (again.transactions.new, again.transactions.duplicate),
        (0, 1002)
    );
    // K0's rows are 0, 300, 600 and 900: margins and quantities all set;
    // K1's (1, 301, 601, 901) have neither.
    for (key, margin, quantity) in [
        ("K0", Some(m("-0.10")), Some("2.5".parse().unwrap())),
        ("K1", None, None),
    ] {
        let h = s.history(key).unwrap().unwrap();
        assert_eq!(h.transactions.len(), 4);
        for t in &h.transactions {
            assert_eq!(
                (t.revenue, t.margin, t.quantity),
                (m("10.05"), margin, quantity)
            );
        }
    }
    assert_eq!(s.history(&long).unwrap().unwrap().transactions.len(), 1);
    s.integrity_check().unwrap();
    drop(s);

    let mut first_seen: Vec<String> = Vec::new();
    for r in &records {
        let key = r.key().to_string();
        if !first_seen.contains(&key) {
            first_seen.push(key);
        }
    }
    let conn = rusqlite::Connection::open(&path).unwrap();
    let stored: Vec<String> = conn
        .prepare("SELECT key FROM customers ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(stored, first_seen);
    let broken: i64 = conn
        .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(broken, 0);
}

#[test]
fn read_only_opening_refuses_what_is_not_ours_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    // A missing file is an error, and is not created.
    let missing = dir.path().join("typo.db");
    let e = SqliteStore::open_read_only(&missing).unwrap_err();
    assert!(matches!(e, Error::NotFound { .. }), "{e}");
    assert!(!missing.exists());
    // An empty file stays empty.
    let empty = dir.path().join("empty.db");
    std::fs::write(&empty, b"").unwrap();
    let e = SqliteStore::open_read_only(&empty).unwrap_err();
    assert!(matches!(e, Error::NotOurs { .. }), "{e}");
    assert!(e.to_string().contains("empty"), "{e}");
    assert_eq!(std::fs::metadata(&empty).unwrap().len(), 0);
    // Another program's database: refused by both openings, untouched.
    let other = dir.path().join("other.db");
    rusqlite::Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('mine');")
        .unwrap();
    let before = std::fs::read(&other).unwrap();
    for e in [
        SqliteStore::open_read_only(&other).unwrap_err(),
        SqliteStore::open(&other).unwrap_err(),
    ] {
        assert!(matches!(e, Error::NotOurs { .. }), "{e}");
        assert!(e.to_string().contains("another program's"), "{e}");
    }
    assert_eq!(std::fs::read(&other).unwrap(), before);
    let conn = rusqlite::Connection::open(&other).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "delete");
    let tables: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
        .unwrap();
    assert_eq!(tables, 1);
    drop(conn);
    // Another application id.
    let foreign = dir.path().join("foreign.db");
    rusqlite::Connection::open(&foreign)
        .unwrap()
        .execute_batch("PRAGMA application_id = 7; CREATE TABLE customers (x);")
        .unwrap();
    let e = SqliteStore::open(&foreign).unwrap_err();
    assert!(e.to_string().contains("application id 0x7"), "{e}");

    // Ours, read-only on disk: read, and not a byte changed.
    let ours = dir.path().join("ours.db");
    {
        let mut s = SqliteStore::open(&ours).unwrap();
        s.import_transactions(&mut ok(vec![Transaction::new(
            k("A"),
            d(2024, 1, 1),
            m("1"),
        )]))
        .unwrap();
    }
    let before = std::fs::read(&ours).unwrap();
    let mut perms = std::fs::metadata(&ours).unwrap().permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(&ours, perms).unwrap();
    let mut s = SqliteStore::open_read_only(&ours).unwrap();
    assert_eq!(s.history("A").unwrap().unwrap().transactions.len(), 1);
    let e = s
        .import_transactions(&mut ok(vec![Transaction::new(
            k("B"),
            d(2024, 1, 1),
            m("1"),
        )]))
        .unwrap_err();
    assert!(matches!(e, Error::Backend(_)), "{e}");
    drop(s);
    assert_eq!(std::fs::read(&ours).unwrap(), before);
    // An empty file becomes a database when opened for writing (an import
    // into a file made with `touch`).
    let s = SqliteStore::open(&empty).unwrap();
    assert_eq!(s.schema_version().unwrap(), SCHEMA_VERSION);
}

fn erasable(path: &std::path::Path, secret: &str) -> SqliteStore {
    let mut s = SqliteStore::open(path).unwrap();
    let mut c = Customer::new(k(secret), Stage::Customer);
    c.name = Some(format!("{secret} name"));
    let mut i = Interaction::new(k(secret), d(2024, 1, 2), InteractionKind::Complaint);
    i.note = Some(format!("{secret} complained"));
    s.import(&mut ok(vec![
        Record::Customer(c),
        Record::Customer(Customer::new(k("KEEP"), Stage::Customer)),
        Record::Transaction(
            Transaction::new(k(secret), d(2024, 1, 1), m("5")).with_id(format!("{secret}-T1")),
        ),
        Record::Transaction(Transaction::new(k("KEEP"), d(2024, 1, 1), m("5")).with_id("K-T1")),
        Record::Interaction(i),
        Record::Lead(Lead::new(k(secret), LeadStage::Quote, m("1"))),
    ]))
    .unwrap();
    s
}

/// Whether any file of the directory holds `secret`'s bytes.
fn on_disk(dir: &std::path::Path, secret: &str) -> bool {
    std::fs::read_dir(dir).unwrap().any(|entry| {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        bytes.windows(secret.len()).any(|w| w == secret.as_bytes())
    })
}

#[test]
fn erasure_leaves_no_trace() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crm.db");
    let secret = "ERASE-ME-7f3a9";
    {
        let mut s = erasable(&path, secret);
        let erased = s.erase(secret).unwrap();
        assert_eq!(erased.rows["customers"], 1);
        assert_eq!(erased.rows["transactions"], 1);
        assert_eq!(erased.rows["interactions"], 1);
        assert_eq!(erased.rows["leads"], 1);
        s.integrity_check().unwrap();
        assert_eq!(count(&s, "erased_keys"), 1);
        assert!(!on_disk(dir.path(), secret), "the key is still in a file");
    }
    // Search every table's text too.
    let conn = rusqlite::Connection::open(&path).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(tables.len() >= 7);
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
}

#[test]
fn erasure_under_a_reader_fails_clearly_then_completes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crm.db");
    let secret = "ERASE-ME-under-a-reader";
    let mut s = erasable(&path, secret);
    s.set_busy_timeout(Duration::from_millis(200)).unwrap();
    // Another connection reads an older state of the database.
    let reader = rusqlite::Connection::open(&path).unwrap();
    reader.execute_batch("BEGIN").unwrap();
    let n: i64 = reader
        .query_row("SELECT count(*) FROM customers", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 2);
    let e = s.erase(secret).unwrap_err();
    assert!(matches!(e, Error::EraseIncomplete { .. }), "{e}");
    assert!(e.to_string().contains("erase the key again"), "{e}");
    // The rows are gone from the tables, not yet from the file.
    assert!(s.history(secret).unwrap().is_none());
    assert!(on_disk(dir.path(), secret));
    reader.execute_batch("COMMIT").unwrap();
    drop(reader);
    let again = s.erase(secret).unwrap();
    assert!(again.before);
    assert_eq!(again.total(), 0);
    assert!(!on_disk(dir.path(), secret), "the key is still in a file");
}

#[test]
fn a_second_writer_waits_then_proceeds_or_times_out() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crm.db");
    drop(SqliteStore::open(&path).unwrap());
    let rows = |n: usize| {
        (0..n)
            .map(|i| Transaction::new(k(&format!("C{i}")), d(2024, 1, 1), m("1")))
            .collect::<Vec<_>>()
    };
    // Another writer holds the lock for a while, then commits.
    let holder = rusqlite::Connection::open(&path).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    let release = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        holder.execute_batch("COMMIT").unwrap();
    });
    let mut s = SqliteStore::open(&path).unwrap();
    let r = s.import_transactions(&mut ok(rows(10))).unwrap();
    assert_eq!(r.new, 10);
    release.join().unwrap();

    // Held past the timeout: a clear error, nothing changed.
    let holder = rusqlite::Connection::open(&path).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    s.set_busy_timeout(Duration::from_millis(100)).unwrap();
    let e = s.import_transactions(&mut ok(rows(20))).unwrap_err();
    assert!(matches!(e, Error::Busy { .. }), "{e}");
    assert!(e.to_string().contains("the database is busy"), "{e}");
    holder.execute_batch("ROLLBACK").unwrap();
    assert_eq!(count(&s, "transactions"), 10);
}

#[test]
fn suppression_keeps_a_keyed_hash_not_the_key_and_can_be_lifted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crm.db");
    let mut s = erasable(&path, "SECRET-KEY-1");
    s.erase("SECRET-KEY-1").unwrap();
    // The same key in two databases hashes differently (a secret each).
    let mut other = erasable(&dir.path().join("other.db"), "SECRET-KEY-1");
    other.erase("SECRET-KEY-1").unwrap();
    let hash = |p: &std::path::Path| -> Vec<u8> {
        rusqlite::Connection::open(p)
            .unwrap()
            .query_row("SELECT hash FROM erased_keys", [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(hash(&path).len(), 32);
    assert_ne!(hash(&path), hash(&dir.path().join("other.db")));
    assert!(s.lift_suppression("SECRET-KEY-1").unwrap());
    assert!(!s.lift_suppression("SECRET-KEY-1").unwrap());
    let r = s
        .import_transactions(&mut ok(vec![Transaction::new(
            k("SECRET-KEY-1"),
            d(2024, 1, 1),
            m("1"),
        )]))
        .unwrap();
    assert_eq!((r.new, r.suppressed), (1, 0));
}

#[test]
fn a_version_2_file_gets_lead_ids_in_place_keeping_its_leads() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v2.db");
    v2_file(&path);
    let e = SqliteStore::open_read_only(&path).unwrap_err();
    assert!(matches!(e, Error::OlderSchema { found: 2, .. }), "{e}");

    let mut s = SqliteStore::open(&path).unwrap();
    assert_eq!(s.schema_version().unwrap(), SCHEMA_VERSION);
    s.integrity_check().unwrap();
    let mut all = Vec::new();
    s.leads(&mut |l| all.push(l)).unwrap();
    assert_eq!(all.len(), 2, "{all:?}");
    let old = &all[1];
    assert_eq!(
        (old.customer.as_str(), old.stage, old.id.as_deref()),
        ("C1", LeadStage::Won, None)
    );
    assert_eq!(old.entered.len(), 2);
    // An old lead without an id is still told apart by its content: the
    // same row again adds nothing.
    let mut again = Lead::new(k("C2"), LeadStage::Quote, m("100"));
    again.entered.insert(LeadStage::Quote, d(2024, 1, 5));
    let r = s.import_leads(&mut ok(vec![again])).unwrap();
    assert_eq!((r.new, r.duplicate), (0, 1));
    // Leads with ids go in beside them, one per id.
    let row = |stage, date| {
        let mut l = Lead::new(k("C2"), stage, m("300"))
            .with_id("L-9")
            .entered_on(stage, date);
        l.source = Some("web".into());
        l
    };
    let r = s
        .import_leads(&mut ok(vec![
            row(LeadStage::Lead, d(2025, 1, 1)),
            row(LeadStage::Won, d(2025, 2, 1)),
        ]))
        .unwrap();
    assert_eq!((r.new, r.duplicate), (1, 1));
    let h = s.history("C2").unwrap().unwrap();
    assert_eq!(h.leads.len(), 2);
    assert_eq!(h.leads[1].stage, LeadStage::Won);
    assert_eq!(h.leads[1].source.as_deref(), Some("web"));
    drop(s);
    let s = SqliteStore::open_read_only(&path).unwrap();
    assert_eq!(s.history("C1").unwrap().unwrap().leads.len(), 1);
}

/// Writers started at once on one new (missing or 0-byte) file, as
/// simultaneous `crm import`s: each waits for the others, none fails with
/// "busy" (the switch to WAL mode) or "not a crm database" (an identity
/// read half before, half after another's creating the schema), and rows
/// that several of them import are stored once. A race: many rounds.
#[test]
fn simultaneous_imports_into_a_new_file_all_succeed() {
    const WRITERS: usize = 8;
    for round in 0..80 {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("crm.db");
        if round % 2 == 1 {
            std::fs::File::create(&path).unwrap();
        }
        let start = std::sync::Arc::new(std::sync::Barrier::new(WRITERS));
        let writers: Vec<_> = (0..WRITERS)
            .map(|w| {
                let (path, start) = (path.clone(), start.clone());
                std::thread::spawn(move || -> Result<u64, String> {
                    start.wait();
                    let mut s = SqliteStore::open(&path).map_err(|e| format!("open: {e}"))?;
                    // Every writer imports the same shared ids, and some of its own.
                    let rows = (0..20)
                        .map(|i| {
                            Transaction::new(k(&format!("C{i}")), d(2024, 1, 1), m("1"))
                                .with_id(format!("T{i}"))
                        })
                        .chain((0..5).map(|i| {
                            Transaction::new(k(&format!("W{w}")), d(2024, 2, 1), m("2"))
                                .with_id(format!("W{w}-{i}"))
                        }))
                        .collect::<Vec<_>>();
                    let r = s
                        .import_transactions(&mut ok(rows))
                        .map_err(|e| format!("import: {e}"))?;
                    Ok(r.new)
                })
            })
            .collect();
        let mut new = 0;
        for w in writers {
            new += w
                .join()
                .unwrap()
                .unwrap_or_else(|e| panic!("round {round}: {e}"));
        }
        assert_eq!(new, 20 + 5 * WRITERS as u64, "round {round}");
        let s = SqliteStore::open_read_only(&path).unwrap();
        assert_eq!(count(&s, "transactions"), 20 + 5 * WRITERS as u64);
        assert_eq!(count(&s, "customers"), 20 + WRITERS as u64);
    }
}

/// A copy of a database taken while a writer had changes in its
/// write-ahead log, in a place where the shared-memory file cannot be
/// made (here a link to a missing directory, as a read-only medium would
/// be): the read-only open says why it cannot read it and what to do,
/// instead of SQLite's "unable to open database file".
#[cfg(unix)]
#[test]
fn a_write_ahead_log_that_cannot_be_read_here_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crm.db");
    {
        let mut s = SqliteStore::open(&path).unwrap();
        s.import_transactions(&mut ok(vec![Transaction::new(
            k("A"),
            d(2024, 1, 1),
            m("1"),
        )]))
        .unwrap();
    }
    // A writer that has not checkpointed: its changes are in the log.
    let writer = rusqlite::Connection::open(&path).unwrap();
    writer
        .execute_batch(
            "PRAGMA wal_autocheckpoint = 0; CREATE TABLE scratch (x); DROP TABLE scratch;",
        )
        .unwrap();
    let copy = dir.path().join("copy");
    std::fs::create_dir(&copy).unwrap();
    let db = copy.join("crm.db");
    std::fs::copy(&path, &db).unwrap();
    std::fs::copy(dir.path().join("crm.db-wal"), copy.join("crm.db-wal")).unwrap();
    assert!(std::fs::metadata(copy.join("crm.db-wal")).unwrap().len() > 0);
    std::os::unix::fs::symlink(
        dir.path().join("missing/crm.db-shm"),
        copy.join("crm.db-shm"),
    )
    .unwrap();
    let e = SqliteStore::open_read_only(&db).unwrap_err();
    assert!(matches!(e, Error::UnreadableWal { .. }), "{e}");
    let text = e.to_string();
    assert!(
        text.contains("crm.db-wal") && text.contains("PRAGMA wal_checkpoint"),
        "{text}"
    );
    drop(writer);
    // Where the log can be read, the copy reads.
    std::fs::remove_file(copy.join("crm.db-shm")).unwrap();
    let s = SqliteStore::open_read_only(&db).unwrap();
    assert_eq!(s.history("A").unwrap().unwrap().transactions.len(), 1);
}
