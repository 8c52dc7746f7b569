//! Every command with its output gone: standard output closed, a full disk
//! (`/dev/full`), or a reader that stops early. None may panic; a reader
//! that stops is no error (exit 0, as `crm ... | head` expects), a full disk
//! is (exit 1, said on stderr); the data stay as they were.

use std::path::Path;
use std::process::{Command, Stdio};

use crate::util::{crm, data, stderr};

/// A database imported from the shipped data, in `dir`.
fn database(dir: &Path) -> String {
    let db = dir.join("shop.db").display().to_string();
    let o = crm(&[
        "import",
        "--db",
        &db,
        "--transactions",
        &data("transactions.csv").display().to_string(),
        "--customers",
        &data("customers.csv").display().to_string(),
        "--interactions",
        &data("interactions.csv").display().to_string(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    db
}

/// Every command that writes to standard output, with its arguments.
fn commands(db: &str, out: &Path) -> Vec<Vec<String>> {
    let t = data("transactions.csv").display().to_string();
    let c = data("customers.csv").display().to_string();
    let i = data("interactions.csv").display().to_string();
    let cdnow = data("cdnow_transactions.csv").display().to_string();
    let generated = out.join("generated").display().to_string();
    let lines: Vec<String> = vec![
        format!("pyramid --transactions {t} --period 2024 --assignments"),
        format!("pyramid --db {db} --period 2024 --format json --assignments"),
        format!("pyramid --transactions {t} --period 2024 --format csv --assignments"),
        format!("migration --transactions {t} --from 2023 --to 2024 --risk"),
        format!("migration --transactions {t} --periods 2021..2025 --format json"),
        format!("value rfm --transactions {t} --as-of 2025-01-01 --format csv"),
        format!("value profit --transactions {t} --interactions {i} --period 2024"),
        format!("value wallet --transactions {t} --customers {c} --period 2024"),
        format!("value risk --transactions {t} --period 2024 --format json"),
        format!("clv fit --model bg-nbd --transactions {cdnow} --calibration-end 1997-09-30"),
        format!(
            "clv predict --model bg-nbd --transactions {cdnow} --calibration-end 1997-09-30 --months 12 --format csv"
        ),
        format!(
            "clv check --model bg-nbd --transactions {cdnow} --calibration-end 1997-09-30 --observation-end 1998-06-30"
        ),
        format!("customer --db {db} C0001235"),
        format!("export-customer --db {db} C0001235"),
        format!("generate --customers 50 --out {generated}"),
        format!(
            "report --transactions {t} --customers {c} --interactions {i} --period 2025 --periods 2021..2025 --out {}",
            out.join("report.html").display()
        ),
    ];
    lines
        .iter()
        .map(|l| l.split(' ').map(str::to_owned).collect())
        .collect()
}

fn crm_bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_crm"))
}

/// What a database's customer looks like, to see that nothing changed it.
fn snapshot(db: &str) -> Vec<u8> {
    let o = crm(&["export-customer", "--db", db, "C0001235"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    o.stdout
}

#[test]
fn output_gone_is_no_panic() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path());
    let before = snapshot(&db);
    for args in commands(&db, dir.path()) {
        // A reader that stops at once: writes fail with a broken pipe.
        let mut child = crm_bin()
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let o = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!err.contains("panicked"), "{args:?}, closed pipe: {err}");
        assert_eq!(o.status.code(), Some(0), "{args:?}, closed pipe: {err}");

        // A full disk: a clear error, exit 1, no panic.
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let o = crm_bin().args(&args).stdout(full).output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!err.contains("panicked"), "{args:?}, /dev/full: {err}");
        // These two write files and say so on stderr.
        let writes_stdout = !matches!(args[0].as_str(), "generate" | "report");
        if writes_stdout {
            assert_eq!(o.status.code(), Some(1), "{args:?}, /dev/full: {err}");
            assert!(err.contains("No space left on device"), "{args:?}: {err}");
            // The destination is named: never a placeholder.
            assert!(!err.contains("<output>"), "{args:?}: {err}");
        } else {
            assert_eq!(o.status.code(), Some(0), "{args:?}, /dev/full: {err}");
        }

        // Standard output closed (`>&-`).
        let o = Command::new("sh")
            .arg("-c")
            .arg("exec \"$0\" \"$@\" >&-")
            .arg(env!("CARGO_BIN_EXE_crm"))
            .args(&args)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!err.contains("panicked"), "{args:?}, closed stdout: {err}");
        assert!(
            matches!(o.status.code(), Some(0 | 1)),
            "{args:?}, closed stdout: {err}"
        );
    }
    // The database is as it was, and still opens.
    assert_eq!(snapshot(&db), before);
}

/// Standard error on a full disk (`2>/dev/full`): notes and warnings that
/// cannot be written are dropped, errors still give their exit code; no
/// command panics (exit 101). Also a campaign whose control file names
/// customers without a sale, which notes it.
#[test]
fn stderr_gone_is_no_panic() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path());
    let mut all = commands(&db, dir.path());
    let control = dir.path().join("control.csv");
    std::fs::write(&control, "customer_id\nNOBODY\n").unwrap();
    all.push(
        [
            "report",
            "--db",
            &db,
            "--campaign",
            "spring-2025",
            "--campaign-control",
            &control.display().to_string(),
            "--period",
            "2025",
            "--out",
            &dir.path().join("campaign.html").display().to_string(),
        ]
        .map(str::to_owned)
        .to_vec(),
    );
    // A failing command: its error cannot be written either.
    all.push(
        [
            "pyramid",
            "--transactions",
            "missing.csv",
            "--period",
            "2025",
        ]
        .map(str::to_owned)
        .to_vec(),
    );
    for args in all {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let o = crm_bin()
            .args(&args)
            .stdout(Stdio::null())
            .stderr(full)
            .output()
            .unwrap();
        let expected = if args[2] == "missing.csv" { 1 } else { 0 };
        assert_eq!(o.status.code(), Some(expected), "{args:?}, 2>/dev/full");
    }
}

/// The commands that change a database, with their output gone: no panic,
/// and the change is whole or absent, never half made.
#[test]
fn writers_with_output_gone_leave_whole_data() {
    let dir = tempfile::tempdir().unwrap();
    let t = data("transactions.csv").display().to_string();
    let c = data("customers.csv").display().to_string();
    let key = "C0001235";
    // The customer's export after a full import, to compare with.
    let reference = database(dir.path());
    let whole = snapshot(&reference);
    for (n, mode) in ["closed pipe", "/dev/full", "closed stdout"]
        .iter()
        .enumerate()
    {
        let db = dir
            .path()
            .join(format!("import-{n}.db"))
            .display()
            .to_string();
        let import = vec![
            "import".to_string(),
            "--db".into(),
            db.clone(),
            "--transactions".into(),
            t.clone(),
            "--customers".into(),
            c.clone(),
            "--interactions".into(),
            data("interactions.csv").display().to_string(),
        ];
        let err = run_with_output_gone(&import, mode);
        assert!(!err.contains("panicked"), "import, {mode}: {err}");
        let o = crm(&["export-customer", "--db", &db, key]);
        assert!(
            o.stdout == whole || o.status.code() == Some(1),
            "import, {mode}: half an import: {}",
            stderr(&o)
        );

        // A customer of its own for each mode (an erased key stays
        // suppressed).
        let victim = ["C0000296", "C0000001", "C0000049"][n];
        let before = crm(&["export-customer", "--db", &reference, victim]);
        assert_eq!(before.status.code(), Some(0), "{}", stderr(&before));
        let erase = vec![
            "erase".to_string(),
            "--db".into(),
            reference.clone(),
            victim.into(),
        ];
        let err = run_with_output_gone(&erase, mode);
        assert!(!err.contains("panicked"), "erase, {mode}: {err}");
        // Erased whole, whatever became of the message.
        let after = crm(&["export-customer", "--db", &reference, victim]);
        assert_eq!(after.status.code(), Some(1), "erase, {mode}");
    }
    // The other customers are untouched.
    assert_eq!(snapshot(&reference), whole);
}

/// Runs `crm args` with its standard output gone as `mode` says; returns
/// its stderr.
fn run_with_output_gone(args: &[String], mode: &str) -> String {
    let o = match mode {
        "closed pipe" => {
            let mut child = crm_bin()
                .args(args)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            drop(child.stdout.take());
            child.wait_with_output().unwrap()
        }
        "/dev/full" => {
            let full = std::fs::OpenOptions::new()
                .write(true)
                .open("/dev/full")
                .unwrap();
            crm_bin().args(args).stdout(full).output().unwrap()
        }
        _ => Command::new("sh")
            .arg("-c")
            .arg("exec \"$0\" \"$@\" >&-")
            .arg(env!("CARGO_BIN_EXE_crm"))
            .args(args)
            .output()
            .unwrap(),
    };
    String::from_utf8_lossy(&o.stderr).into_owned()
}
