//! Peak memory of every analysis command on a million customers.
//!
//! Memory must grow with the customers, not with the history: each command
//! runs as a child `crm` on generated data (1,000,000 customers, two years,
//! about 5.4 million transactions and 2.4 million interactions, made once
//! for the whole binary), and its peak resident set (`getrusage`'s
//! `ru_maxrss`) must stay within the budget stated below (and in the
//! README). A customer history whose first date is mistyped (0202-01-01)
//! checks `crm customer` on a database of 50,000 customers.
//!
//! | command | budget (MiB) |
//! |---|---|
//! | `generate` (1M customers, 2 years) | 800 |
//! | `pyramid`, `migration`, `value risk` | 600 |
//! | `value rfm`, `value profit` | 640 |
//! | `value wallet` (with the register's potentials) | 960 |
//! | `clv fit` | 384 |
//! | `report` (pyramid, migration, value, lifetime value, the actions with the register) | 1900 |
//! | `customer` (50,000 customers, a history from 0202) | 96 |
//!
//! `getrusage(RUSAGE_CHILDREN)` reports the largest child waited for so
//! far, so each command is measured from a helper process of its own: this
//! binary started again with `CRM_RESOURCES_CHILD` set, which runs that one
//! command and reports its peak. No timing is asserted.

use std::path::Path;
use std::process::{Command, ExitCode, Stdio};

use nix::sys::resource::{UsageWho, getrusage};

/// The environment variable naming the command a helper runs (arguments
/// separated by the unit separator, U+001F).
const CHILD: &str = "CRM_RESOURCES_CHILD";

/// Customers of the generated data.
const CUSTOMERS: u32 = 1_000_000;

/// One measured command: a name, its arguments, its budget in MiB.
struct Case {
    name: &'static str,
    args: Vec<String>,
    budget_mib: u64,
}

fn crm() -> Command {
    Command::new(env!("CARGO_BIN_EXE_crm"))
}

/// In a helper: runs the command, prints its peak memory in KiB.
fn child(spec: &str) -> ExitCode {
    let args: Vec<&str> = spec.split('\u{1f}').collect();
    let status = crm()
        .args(&args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .expect("run crm");
    let usage = getrusage(UsageWho::RUSAGE_CHILDREN).expect("getrusage");
    // ru_maxrss is in KiB on Linux.
    println!(
        "maxrss_kib={} exit={}",
        usage.max_rss(),
        status.status.code().unwrap_or(-1)
    );
    if !status.status.success() {
        eprintln!("{}", String::from_utf8_lossy(&status.stderr));
    }
    ExitCode::SUCCESS
}

/// Peak memory of `args` in KiB, and whether it succeeded.
fn measure(args: &[String]) -> (u64, bool) {
    let out = Command::new(std::env::current_exe().expect("own path"))
        .env(CHILD, args.join("\u{1f}"))
        .output()
        .expect("run the helper");
    let text = String::from_utf8_lossy(&out.stdout);
    let field = |name: &str| -> Option<i64> {
        text.split_whitespace()
            .find_map(|w| w.strip_prefix(name))
            .and_then(|v| v.parse().ok())
    };
    let rss = field("maxrss_kib=").unwrap_or(i64::MAX);
    let ok = field("exit=") == Some(0);
    if !ok {
        eprintln!("{}", String::from_utf8_lossy(&out.stderr));
    }
    (u64::try_from(rss).unwrap_or(u64::MAX), ok)
}

fn run(args: &[&str]) {
    let o = crm()
        .args(args)
        .stdout(Stdio::null())
        .output()
        .expect("run crm");
    assert!(
        o.status.success(),
        "crm {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// 50,000 customers in a database, one of them with a purchase dated
/// 0202-01-01 as well.
fn typo_database(dir: &Path) -> String {
    let small = dir.join("small");
    let small_s = small.display().to_string();
    run(&[
        "generate",
        "--customers",
        "50000",
        "--years",
        "2",
        "--out",
        &small_s,
    ]);
    let typo = dir.join("typo.csv");
    std::fs::write(
        &typo,
        "transaction_id,customer_id,date,revenue\nTYPO1,TYPO,0202-01-01,10\nTYPO2,TYPO,2025-03-01,20\n",
    )
    .expect("write the typo file");
    let db = dir.join("small.db").display().to_string();
    let tx = small.join("transactions.csv").display().to_string();
    run(&["import", "--db", &db, "--transactions", &tx]);
    run(&[
        "import",
        "--db",
        &db,
        "--transactions",
        &typo.display().to_string(),
    ]);
    db
}

fn cases(dir: &Path, db: &str) -> Vec<Case> {
    let data = dir.join("data");
    let f = |name: &str| data.join(name).display().to_string();
    let (t, c, i) = (
        f("transactions.csv"),
        f("customers.csv"),
        f("interactions.csv"),
    );
    let case = |name, line: String, budget_mib| Case {
        name,
        args: line.split(' ').map(str::to_owned).collect(),
        budget_mib,
    };
    vec![
        case(
            "pyramid",
            format!("pyramid --transactions {t} --customers {c} --period 2025 --threads 1"),
            600,
        ),
        case(
            "migration",
            format!("migration --transactions {t} --from 2024 --to 2025 --threads 1"),
            600,
        ),
        case(
            "value rfm",
            format!("value rfm --transactions {t} --as-of 2026-01-01 --threads 1"),
            640,
        ),
        case(
            "value profit",
            format!("value profit --transactions {t} --interactions {i} --period 2025 --threads 1"),
            640,
        ),
        case(
            "value wallet",
            format!("value wallet --transactions {t} --customers {c} --period 2025 --threads 1"),
            960,
        ),
        case(
            "value risk",
            format!("value risk --transactions {t} --period 2025 --threads 1"),
            600,
        ),
        case(
            "clv fit",
            format!(
                "clv fit --model bg-nbd --transactions {t} --calibration-end 2025-06-30 --threads 1"
            ),
            384,
        ),
        case(
            "report",
            format!(
                "report --transactions {t} --customers {c} --interactions {i} --period 2025 --from 2024 --calibration-end 2025-06-30 --threads 1 --out {}",
                dir.join("report.html").display()
            ),
            // It keeps the register's entries for the actions' facts (a
            // `Customer` each) beside every analysis: 1,721 MiB measured.
            1900,
        ),
        case(
            "customer (typo date)",
            format!("customer --db {db} TYPO"),
            96,
        ),
    ]
}

fn main() -> ExitCode {
    if let Ok(spec) = std::env::var(CHILD) {
        return child(&spec);
    }
    let dir = tempfile::tempdir().expect("temporary directory");
    let data = dir.path().join("data");
    // The data are made once, by the first measured command.
    let generate = Case {
        name: "generate",
        args: format!(
            "generate --customers {CUSTOMERS} --years 2 --out {}",
            data.display()
        )
        .split(' ')
        .map(str::to_owned)
        .collect(),
        // The generator holds the data set before writing it.
        budget_mib: 800,
    };
    let mut all = vec![generate];
    let (mut passed, mut failed) = (0, 0);
    let mut db = None;
    while !all.is_empty() {
        let case = all.remove(0);
        let (kib, ok) = measure(&case.args);
        let mib = kib.div_ceil(1024);
        let within = ok && mib <= case.budget_mib;
        println!(
            "{:<22} peak {:>5} MiB, budget {:>5} MiB: {}",
            case.name,
            mib,
            case.budget_mib,
            if !ok {
                "FAILED (the command failed)"
            } else if within {
                "ok"
            } else {
                "FAILED (over budget)"
            }
        );
        if within {
            passed += 1;
        } else {
            failed += 1;
        }
        if db.is_none() {
            if !ok {
                break;
            }
            let made = typo_database(dir.path());
            all = cases(dir.path(), &made);
            db = Some(made);
        }
    }
    println!("{passed} passed, {failed} failed");
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
