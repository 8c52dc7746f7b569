use std::path::PathBuf;

use crm_core::{Basis, Ledger, Money, Period};
use crm_csv::{ImportOptions, ImportReport, Result, read_transactions};

pub struct Fixture {
    pub dir: tempfile::TempDir,
}

impl Fixture {
    pub fn new() -> Fixture {
        Fixture {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn file(&self, name: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, content).unwrap();
        p
    }
}

pub fn year() -> Period {
    "2024".parse().unwrap()
}

/// Imports `content` as a transactions file with `options`.
pub fn import(
    content: impl AsRef<[u8]>,
    options: &ImportOptions,
) -> (Result<ImportReport>, Ledger) {
    let f = Fixture::new();
    let path = f.file("t.csv", content);
    let mut ledger = Ledger::new([year()]);
    let r = read_transactions(&path, options, &mut ledger);
    (r, ledger)
}

/// The 2024 revenue of `key`.
pub fn revenue(l: &Ledger, key: &str) -> Money {
    l.period_totals(l.id(key).unwrap(), 0)
        .unwrap()
        .value(Basis::Revenue)
}

/// The error message of a failed strict import, without the temp path.
pub fn error(content: &str) -> String {
    let (r, _) = import(content, &ImportOptions::new());
    let msg = r.unwrap_err().to_string();
    msg.split_once("t.csv")
        .map_or(msg.clone(), |(_, rest)| format!("t.csv{rest}"))
}
