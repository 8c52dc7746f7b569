use std::process::{Command, Stdio};
use std::time::Duration;

use crm::store::{SqliteStore, Store};
use serde_json::Value;

use crate::util::{assert_contains_all, crm, data, stderr, stdout};

fn s(p: &std::path::Path) -> String {
    p.display().to_string()
}

#[test]
fn import_is_idempotent_and_the_pyramid_from_the_db_equals_the_csv_one() {
    let dir = tempfile::tempdir().unwrap();
    let db = s(&dir.path().join("crm.db"));
    let (t, c, i) = (
        s(&data("transactions.csv")),
        s(&data("customers.csv")),
        s(&data("interactions.csv")),
    );
    let o = crm(&[
        "import",
        "--db",
        &db,
        "--customers",
        &c,
        "--interactions",
        &i,
        "--transactions",
        &t,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let rows = std::fs::read_to_string(&t).unwrap().lines().count() - 1;
    assert!(
        out.contains(&format!(
            "transactions.csv: {rows} rows: {rows} new, 0 duplicate, 0 rejected"
        )),
        "{out}"
    );
    let o = crm(&["import", "--db", &db, "--transactions", &t]);
    assert!(
        stdout(&o).contains(&format!("{rows} rows: 0 new, {rows} duplicate, 0 rejected")),
        "{}",
        stdout(&o)
    );

    let from_db = crm(&[
        "pyramid",
        "--db",
        &db,
        "--period",
        "2025",
        "--format",
        "json",
        "--assignments",
    ]);
    let from_csv = crm(&[
        "pyramid",
        "--transactions",
        &t,
        "--customers",
        &c,
        "--interactions",
        &i,
        "--period",
        "2025",
        "--format",
        "json",
        "--assignments",
    ]);
    assert!(from_db.status.success(), "{}", stderr(&from_db));
    assert_eq!(stdout(&from_db), stdout(&from_csv));
    let m = crm(&[
        "migration",
        "--db",
        &db,
        "--from",
        "2024",
        "--to",
        "2025",
        "--format",
        "json",
    ]);
    assert!(m.status.success(), "{}", stderr(&m));
    // The value commands read interactions and potentials from the store.
    let profit = |args: &[&str]| {
        let mut all = vec!["value", "profit", "--period", "2025", "--format", "json"];
        all.extend_from_slice(args);
        crm(&all)
    };
    let p_db = profit(&["--db", &db]);
    assert!(p_db.status.success(), "{}", stderr(&p_db));
    assert_eq!(
        stdout(&p_db),
        stdout(&profit(&["--transactions", &t, "--interactions", &i]))
    );
    let wallet = |args: &[&str]| {
        let mut all = vec!["value", "wallet", "--period", "2025", "--format", "json"];
        all.extend_from_slice(args);
        crm(&all)
    };
    let w_db = wallet(&["--db", &db]);
    assert!(w_db.status.success(), "{}", stderr(&w_db));
    assert_eq!(
        stdout(&w_db),
        stdout(&wallet(&["--transactions", &t, "--customers", &c]))
    );
}

#[test]
fn customer_export_and_erase() {
    let dir = tempfile::tempdir().unwrap();
    let db = s(&dir.path().join("crm.db"));
    let (t, c) = (s(&data("transactions.csv")), s(&data("customers.csv")));
    assert!(
        crm(&[
            "import",
            "--db",
            &db,
            "--customers",
            &c,
            "--transactions",
            &t
        ])
        .status
        .success()
    );

    let o = crm(&["customer", "--db", &db, "C0000296", "--lang", "nl"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert_contains_all(
        &out,
        &[
            "Klant C0000296",
            "klantenbestand: klant, C0000296 & Co",
            "potentieel: 67.302,44",
            "2025  Groot     waarde 27.689,38 (rang 15 van 1.377)",
            "transacties: 3",
            "19.380,39  marge 5.122,13",
        ],
    );
    let o = crm(&["customer", "--db", &db, "C0000296"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("level per year") && out.contains("2025  big"),
        "{out}"
    );

    let o = crm(&["export-customer", "--db", &db, "C0000296"]);
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["customer"]["key"], "C0000296");
    let sales = std::fs::read_to_string(&t).unwrap();
    let sales = sales.lines().filter(|l| l.contains(",C0000296,")).count();
    assert_eq!(v["transactions"].as_array().unwrap().len(), sales);
    assert!(v["transactions"][0]["revenue"].is_string());

    let o = crm(&["erase", "--db", &db, "C0000296"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("1 customers"), "{}", stdout(&o));
    for cmd in ["customer", "export-customer"] {
        let o = crm(&[cmd, "--db", &db, "C0000296"]);
        assert_eq!(o.status.code(), Some(1), "{cmd}");
        assert!(
            stderr(&o).contains("no customer with key"),
            "{}",
            stderr(&o)
        );
    }
    let bytes = std::fs::read(dir.path().join("crm.db")).unwrap();
    assert!(!bytes.windows(8).any(|w| w == b"C0000296"));

    let o = crm(&["customer", "--db", &s(&dir.path().join("missing.db")), "X"]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn a_bad_row_rolls_the_file_back_and_lenient_skips_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = s(&dir.path().join("crm.db"));
    let csv = dir.path().join("t.csv");
    std::fs::write(&csv, "transaction_id,customer_id,date,revenue\nT1,A,2024-01-01,1\nT2,B,2024-01-02,x\nT3,C,2024-01-03,3\n").unwrap();
    let o = crm(&["import", "--db", &db, "--transactions", &s(&csv)]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("t.csv:3: column 4 (revenue)"),
        "{}",
        stderr(&o)
    );
    let store = SqliteStore::open(dir.path().join("crm.db")).unwrap();
    assert!(store.counts().unwrap().iter().all(|(_, n)| *n == 0));
    drop(store);
    let o = crm(&[
        "import",
        "--db",
        &db,
        "--transactions",
        &s(&csv),
        "--lenient",
    ]);
    assert!(o.status.success());
    assert!(
        stdout(&o).contains("3 rows: 2 new, 0 duplicate, 1 rejected"),
        "{}",
        stdout(&o)
    );
    // A rejects file in a folder that does not exist is said before
    // anything is imported (a second run after a committed import would
    // add the rows without an id twice).
    let fresh = s(&dir.path().join("fresh.db"));
    let o = crm(&[
        "import",
        "--db",
        &fresh,
        "--transactions",
        &s(&csv),
        "--lenient",
        "--rejects",
        &s(&dir.path().join("no/such/folder/rejects.csv")),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("cannot write the rejects file"),
        "{}",
        stderr(&o)
    );
    let imported = SqliteStore::open(dir.path().join("fresh.db"))
        .map(|store| store.counts().unwrap().iter().map(|(_, n)| *n).sum::<u64>())
        .unwrap_or(0);
    assert_eq!(imported, 0);
}

fn big_csv(dir: &std::path::Path) -> (std::path::PathBuf, u64) {
    csv_of(dir, "20000")
}

/// A generated transactions file of `customers` customers, and its rows.
fn csv_of(dir: &std::path::Path, customers: &str) -> (std::path::PathBuf, u64) {
    let out = dir.join("data");
    let o = crm(&[
        "generate",
        "--customers",
        customers,
        "--years",
        "5",
        "--seed",
        "5",
        "--out",
        &s(&out),
    ]);
    assert!(o.status.success());
    let path = out.join("transactions.csv");
    let rows = std::fs::read_to_string(&path).unwrap().lines().count() as u64 - 1;
    (path, rows)
}

fn transactions_in(db: &std::path::Path) -> u64 {
    let store = SqliteStore::open(db).unwrap();
    store.integrity_check().unwrap();
    store
        .counts()
        .unwrap()
        .into_iter()
        .find(|(t, _)| *t == "transactions")
        .unwrap()
        .1
}

#[test]
fn killed_imports_leave_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (csv, rows) = big_csv(dir.path());
    for (n, wait) in [5u64, 40, 120, 400].into_iter().enumerate() {
        let db = dir.path().join(format!("k{n}.db"));
        let mut child = Command::new(env!("CARGO_BIN_EXE_crm"))
            .args(["import", "--db", &s(&db), "--transactions", &s(&csv)])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(wait));
        let _ = child.kill();
        let _ = child.wait();
        if db.exists() {
            let got = transactions_in(&db);
            assert!(
                got == 0 || got == rows,
                "killed after {wait} ms: {got} of {rows} rows"
            );
        }
    }
}

#[test]
fn a_reader_during_an_import_sees_none_or_all() {
    let dir = tempfile::tempdir().unwrap();
    let (csv, rows) = big_csv(dir.path());
    let db = dir.path().join("r.db");
    // Create the schema first so that the reader can open the file.
    drop(SqliteStore::open(&db).unwrap());
    let mut child = Command::new(env!("CARGO_BIN_EXE_crm"))
        .args(["import", "--db", &s(&db), "--transactions", &s(&csv)])
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let store = SqliteStore::open(&db).unwrap();
    let mut seen = std::collections::BTreeSet::new();
    loop {
        let n = store
            .counts()
            .unwrap()
            .into_iter()
            .find(|(t, _)| *t == "transactions")
            .unwrap()
            .1;
        seen.insert(n);
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let n = store
        .counts()
        .unwrap()
        .into_iter()
        .find(|(t, _)| *t == "transactions")
        .unwrap()
        .1;
    seen.insert(n);
    assert!(seen.iter().all(|&n| n == 0 || n == rows), "{seen:?}");
    assert!(seen.contains(&rows));
    let _ = Store::history(&store, "C0000001").unwrap();
}

#[test]
fn leads_import() {
    let dir = tempfile::tempdir().unwrap();
    let db = s(&dir.path().join("crm.db"));
    let csv = dir.path().join("leads.csv");
    std::fs::write(&csv, "customer_id,stage,value,lead_date\nP1,lead,100,2024-01-01\nP1,lead,100,2024-01-01\nP2,won,50,\n").unwrap();
    let o = crm(&["import", "--db", &db, "--leads", &s(&csv)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("3 rows: 2 new, 1 duplicate, 0 rejected"),
        "{}",
        stdout(&o)
    );
    let o = crm(&["export-customer", "--db", &db, "P1"]);
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["leads"][0]["entered"]["lead"], "2024-01-01");
    assert!(v["customer"].is_null());
}

/// Data rows of a shipped example file (its header not counted).
fn data_rows(name: &str) -> u64 {
    std::fs::read_to_string(data(name)).unwrap().lines().count() as u64 - 1
}

fn counts(db: &std::path::Path) -> std::collections::BTreeMap<&'static str, u64> {
    let store = SqliteStore::open_read_only(db).unwrap();
    store.integrity_check().unwrap();
    store.counts().unwrap().into_iter().collect()
}

/// Runs `crm` with stdout given, returning its exit code and stderr.
fn crm_to(args: &[&str], stdout: Stdio) -> (Option<i32>, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_crm"))
        .args(args)
        .stdout(stdout)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn import_and_erase_survive_a_closed_or_full_output() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crm.db");
    let (t, c) = (s(&data("transactions.csv")), s(&data("customers.csv")));
    let import = [
        "import",
        "--db",
        &s(&db),
        "--customers",
        &c,
        "--transactions",
        &t,
    ];
    let rows = data_rows("transactions.csv");
    // A pipe whose reader is gone: a quiet exit, the import committed.
    let closed = || {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        Stdio::from(writer)
    };
    let (code, err) = crm_to(&import, closed());
    assert_eq!(code, Some(0), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(counts(&db)["transactions"], rows);
    // A full disk: a clear error, no panic, the data consistent.
    let full = || Stdio::from(std::fs::File::create("/dev/full").unwrap());
    let (code, err) = crm_to(&import, full());
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("cannot write the output"), "{err}");
    assert!(
        err.contains("the import is committed; only its report could not be written"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(counts(&db)["transactions"], rows);

    let erase = ["erase", "--db", &s(&db), "C0000296"];
    let (code, err) = crm_to(&erase, full());
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("cannot write the output"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    let (code, err) = crm_to(&erase, closed());
    assert_eq!(code, Some(0), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    let o = crm(&["customer", "--db", &s(&db), "C0000296"]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn a_bad_row_in_any_file_rolls_back_every_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crm.db");
    let bad = dir.path().join("t.csv");
    std::fs::write(
        &bad,
        "transaction_id,customer_id,date,revenue\nT1,A,2024-01-01,1\nT2,B,2024-01-02,x\n",
    )
    .unwrap();
    let o = crm(&[
        "import",
        "--db",
        &s(&db),
        "--customers",
        &s(&data("customers.csv")),
        "--interactions",
        &s(&data("interactions.csv")),
        "--transactions",
        &s(&bad),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("nothing was imported"),
        "{}",
        stderr(&o)
    );
    assert!(
        stderr(&o).contains("t.csv:3: column 4 (revenue)"),
        "{}",
        stderr(&o)
    );
    assert!(counts(&db).values().all(|&n| n == 0), "{:?}", counts(&db));
}

/// A small deterministic generator for the kill moments; the seed is
/// printed so that a failure can be replayed.
fn moments(seed: u64, n: usize, max_ms: u64) -> Vec<u64> {
    let mut x = seed | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % max_ms
        })
        .collect()
}

#[test]
fn killed_multi_file_imports_leave_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("data");
    let o = crm(&[
        "generate",
        "--customers",
        "20000",
        "--years",
        "5",
        "--seed",
        "7",
        "--out",
        &s(&out),
    ]);
    assert!(o.status.success());
    let args = |db: &std::path::Path| -> Vec<String> {
        [
            "import",
            "--db",
            &s(db),
            "--customers",
            &s(&out.join("customers.csv")),
            "--interactions",
            &s(&out.join("interactions.csv")),
            "--transactions",
            &s(&out.join("transactions.csv")),
        ]
        .map(String::from)
        .to_vec()
    };
    // The complete import, and how long it takes.
    let full_db = dir.path().join("full.db");
    let start = std::time::Instant::now();
    let o = Command::new(env!("CARGO_BIN_EXE_crm"))
        .args(args(&full_db))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let took = start.elapsed().as_millis() as u64;
    let full = counts(&full_db);
    assert!(full["transactions"] > 0 && full["interactions"] > 0 && full["customers"] > 0);
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    for (n, wait) in moments(seed, 10, took + took / 4).into_iter().enumerate() {
        let db = dir.path().join(format!("k{n}.db"));
        let mut child = Command::new(env!("CARGO_BIN_EXE_crm"))
            .args(args(&db))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(wait));
        let _ = child.kill();
        let _ = child.wait();
        if db.exists() {
            let got = counts(&db);
            let nothing = got.values().all(|&n| n == 0);
            assert!(
                nothing || got == full,
                "seed {seed}: killed after {wait} ms of {took}: {got:?}, complete {full:?}"
            );
        }
    }
}

#[test]
fn a_second_import_waits_for_the_first() {
    let dir = tempfile::tempdir().unwrap();
    // Small enough that the second import's wait for the write lock stays
    // well inside the 30-second busy timeout on a loaded machine (with
    // 20,000 customers an unoptimised build under load came close to it).
    let (csv, rows) = csv_of(dir.path(), "5000");
    let db = dir.path().join("c.db");
    let spawn = || {
        Command::new(env!("CARGO_BIN_EXE_crm"))
            .args(["import", "--db", &s(&db), "--transactions", &s(&csv)])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    // The first holds the write lock for its whole import; the second
    // starts meanwhile.
    let first = spawn();
    std::thread::sleep(Duration::from_millis(300));
    let second = spawn();
    let (a, b) = (
        first.wait_with_output().unwrap(),
        second.wait_with_output().unwrap(),
    );
    assert!(a.status.success(), "{}", stderr(&a));
    assert!(b.status.success(), "{}", stderr(&b));
    let outs = format!("{}{}", stdout(&a), stdout(&b));
    assert!(
        outs.contains(&format!("{rows} rows: {rows} new, 0 duplicate"))
            && outs.contains(&format!("{rows} rows: 0 new, {rows} duplicate")),
        "{outs}"
    );
    assert_eq!(counts(&db)["transactions"], rows);
}

#[test]
fn analyses_read_only_and_refuse_files_that_are_not_ours() {
    let dir = tempfile::tempdir().unwrap();
    let pyramid = |db: &std::path::Path| crm(&["pyramid", "--db", &s(db), "--period", "2025"]);
    // A missing file: an error, and no file created.
    let typo = dir.path().join("typo.db");
    for o in [
        pyramid(&typo),
        crm(&["value", "wallet", "--db", &s(&typo), "--period", "2025"]),
    ] {
        assert_eq!(o.status.code(), Some(1));
        assert!(stderr(&o).contains("no such database"), "{}", stderr(&o));
    }
    assert!(!typo.exists());
    // An empty file stays empty.
    let empty = dir.path().join("empty.db");
    std::fs::write(&empty, b"").unwrap();
    let o = pyramid(&empty);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("not a crm database"), "{}", stderr(&o));
    assert_eq!(std::fs::metadata(&empty).unwrap().len(), 0);
    // Another program's database: refused by analyses and imports alike,
    // with no table added and no journal switch.
    let other = dir.path().join("other.db");
    foreign_sqlite_file(&other);
    let before = std::fs::read(&other).unwrap();
    for o in [
        pyramid(&other),
        crm(&[
            "import",
            "--db",
            &s(&other),
            "--transactions",
            &s(&data("transactions.csv")),
        ]),
    ] {
        assert_eq!(o.status.code(), Some(1));
        assert!(stderr(&o).contains("another program's"), "{}", stderr(&o));
    }
    assert_eq!(std::fs::read(&other).unwrap(), before);
    // Our database, read-only: analysed, not a byte changed.
    let ours = dir.path().join("ours.db");
    let o = crm(&[
        "import",
        "--db",
        &s(&ours),
        "--transactions",
        &s(&data("transactions.csv")),
    ]);
    assert!(o.status.success());
    let before = std::fs::read(&ours).unwrap();
    let mut perms = std::fs::metadata(&ours).unwrap().permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(&ours, perms).unwrap();
    let o = pyramid(&ours);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(std::fs::read(&ours).unwrap(), before);
}

/// An SQLite file of another program: a rollback-journal database with one
/// table.
/// A database into which nothing was imported (here: a header-only file;
/// the same holds after an import killed before its commit) is refused by
/// analyses instead of giving an empty pyramid that looks like an empty
/// business.
#[test]
fn analyses_refuse_a_database_that_holds_no_data() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("new.db");
    let header = dir.path().join("header.csv");
    std::fs::write(&header, "transaction_id,customer_id,date,revenue,margin\n").unwrap();
    let o = crm(&["import", "--db", &s(&db), "--transactions", &s(&header)]);
    assert!(o.status.success(), "{}", stderr(&o));
    for args in [
        &["pyramid", "--period", "2025"][..],
        &["migration", "--from", "2024", "--to", "2025"][..],
        &["actions", "--period", "2025"][..],
    ] {
        let mut all = args.to_vec();
        let db = s(&db);
        all.extend(["--db", &db]);
        let o = crm(&all);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", stdout(&o));
        assert!(
            stderr(&o).contains("the database holds no data"),
            "{args:?}: {}",
            stderr(&o)
        );
    }
    let o = crm(&[
        "import",
        "--db",
        &s(&db),
        "--transactions",
        &s(&data("transactions.csv")),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = crm(&["pyramid", "--period", "2025", "--db", &s(&db)]);
    assert!(o.status.success(), "{}", stderr(&o));
}

/// `crm erase` only erases: an empty file (say, a typo'd `touch`) is not
/// turned into a database, as analyses do not turn it into one either.
#[test]
fn erase_refuses_an_empty_file_and_leaves_it_empty() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.db");
    std::fs::write(&empty, b"").unwrap();
    let o = crm(&["erase", "--db", &s(&empty), "C1"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("not a crm database (the file is empty)"),
        "{}",
        stderr(&o)
    );
    assert_eq!(std::fs::metadata(&empty).unwrap().len(), 0);
}

fn foreign_sqlite_file(path: &std::path::Path) {
    rusqlite::Connection::open(path)
        .unwrap()
        .execute_batch("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('mine');")
        .unwrap();
}

#[test]
fn identical_visits_count_twice_on_both_paths() {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("t.csv");
    let i = dir.path().join("i.csv");
    std::fs::write(
        &t,
        "customer_id,date,revenue,margin\nA,2025-03-01,100,40\nB,2025-03-02,50,20\n",
    )
    .unwrap();
    std::fs::write(
        &i,
        "customer_id,date,kind,cost\nA,2025-03-05,visit,15\nA,2025-03-05,visit,15\nB,2025-03-06,call,2\n",
    )
    .unwrap();
    let db = dir.path().join("crm.db");
    let o = crm(&[
        "import",
        "--db",
        &s(&db),
        "--transactions",
        &s(&t),
        "--interactions",
        &s(&i),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("i.csv: 3 rows: 3 new, 0 duplicate"),
        "{}",
        stdout(&o)
    );
    let profit = |args: &[&str]| {
        let mut all = vec!["value", "profit", "--period", "2025", "--format", "json"];
        all.extend_from_slice(args);
        let o = crm(&all);
        assert!(o.status.success(), "{}", stderr(&o));
        stdout(&o)
    };
    let from_db = profit(&["--db", &s(&db)]);
    assert_eq!(
        from_db,
        profit(&["--transactions", &s(&t), "--interactions", &s(&i)])
    );
    // Two identical visits are two interactions.
    assert!(
        from_db.contains(r#"{"customer":"A","margin":"40","orders":1,"interactions":2,"#),
        "{from_db}"
    );
}

#[test]
fn erased_customers_are_refused_when_an_old_export_comes_back() {
    let dir = tempfile::tempdir().unwrap();
    let db = s(&dir.path().join("crm.db"));
    let (t, c) = (s(&data("transactions.csv")), s(&data("customers.csv")));
    let import = [
        "import",
        "--db",
        &db,
        "--customers",
        &c,
        "--transactions",
        &t,
    ];
    assert!(crm(&import).status.success());
    let o = crm(&["erase", "--db", &db, "C0000296"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = crm(&import);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let (customers, rows) = (data_rows("customers.csv"), data_rows("transactions.csv"));
    let sales = std::fs::read_to_string(data("transactions.csv"))
        .unwrap()
        .lines()
        .filter(|l| l.contains(",C0000296,"))
        .count() as u64;
    assert!(sales > 0);
    for expected in [
        format!(
            "customers.csv: {customers} rows: 0 new, {} duplicate, 0 rejected, 1 of erased customers refused",
            customers - 1
        ),
        format!(
            "transactions.csv: {rows} rows: 0 new, {} duplicate, 0 rejected, {sales} of erased customers refused",
            rows - sales
        ),
    ] {
        assert!(out.contains(&expected), "{out}");
    }
    let o = crm(&["customer", "--db", &db, "C0000296"]);
    assert_eq!(o.status.code(), Some(1));
    // Erasing again says it was done before.
    let o = crm(&["erase", "--db", &db, "C0000296"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("before"), "{}", stdout(&o));
}

/// Whether this process runs as root (which file permissions do not stop).
fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|ids| ids.split_whitespace().nth(1))
        == Some("0")
}

#[test]
fn a_database_in_a_read_only_directory_is_analysed() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let ro = dir.path().join("ro");
    std::fs::create_dir(&ro).unwrap();
    let db = ro.join("ours.db");
    let o = crm(&[
        "import",
        "--db",
        &s(&db),
        "--transactions",
        &s(&data("transactions.csv")),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    // The binary, where any user can run it.
    let bin = dir.path().join("crm");
    std::fs::copy(env!("CARGO_BIN_EXE_crm"), &bin).unwrap();
    let mode = |p: &std::path::Path, m: u32| {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap();
    };
    mode(&bin, 0o755);
    mode(&db, 0o444);
    mode(&ro, 0o555);
    mode(dir.path(), 0o755);
    let before = std::fs::read(&db).unwrap();
    // Permissions do not stop root: run as nobody then.
    let mut cmd = if is_root() {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(&bin);
        c
    } else {
        Command::new(&bin)
    };
    let o = cmd
        .args(["pyramid", "--db", &s(&db), "--period", "2025"])
        .output()
        .unwrap();
    mode(&ro, 0o755);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("Customer pyramid"), "{}", stdout(&o));
    assert_eq!(std::fs::read(&db).unwrap(), before);
    assert_eq!(std::fs::read_dir(&ro).unwrap().count(), 1);
}

/// Once `crm erase` has removed every customer, an analysis says that the
/// database holds no customers because they were erased, not that nothing
/// was ever imported.
#[test]
fn a_database_emptied_by_erase_says_its_customers_were_erased() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("t.csv");
    std::fs::write(
        &csv,
        "customer_id,date,revenue\nC1,2024-01-05,10.00\nC2,2024-02-05,20.00\n",
    )
    .unwrap();
    let db = s(&dir.path().join("crm.db"));
    let o = crm(&["import", "--db", &db, "--transactions", &s(&csv)]);
    assert!(o.status.success(), "{}", stderr(&o));
    for key in ["C1", "C2"] {
        let o = crm(&["erase", "--db", &db, key]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let o = crm(&["pyramid", "--db", &db, "--period", "2024"]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert_contains_all(&e, &["the database holds no customers", "2 were erased"]);
    assert!(!e.contains("nothing has been imported"), "{e}");
}

/// A libpq `key=value` connection string given to `--db` is refused as a
/// usage error without repeating it (it holds the password), and no
/// SQLite file of that name is made.
#[test]
fn a_key_value_connection_string_is_not_an_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("t.csv");
    std::fs::write(&csv, "customer_id,date,revenue\nC1,2024-01-05,10.00\n").unwrap();
    let conn = "host=127.0.0.1 port=1 user=u password=topsecret dbname=d";
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_crm"))
            .current_dir(dir.path())
            .args(args)
            .output()
            .unwrap()
    };
    for args in [
        &["import", "--db", conn, "--transactions", &s(&csv)][..],
        &["pyramid", "--db", conn, "--period", "2024"][..],
    ] {
        let o = run(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        let e = stderr(&o);
        assert!(e.contains("postgres://"), "{e}");
        assert!(!e.contains("topsecret"), "{e}");
    }
    assert!(!dir.path().join(conn).exists());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}
