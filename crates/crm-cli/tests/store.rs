use std::process::{Command, Stdio};
use std::time::Duration;

use crm::store::{SqliteStore, Store};
use serde_json::Value;

use crate::util::{crm, data, stderr, stdout};

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
    for cmd in ["customer", "export-customer", "erase"] {
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
}

fn big_csv(dir: &std::path::Path) -> (std::path::PathBuf, u64) {
    let out = dir.join("data");
    let o = crm(&[
        "generate",
        "--customers",
        "20000",
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
