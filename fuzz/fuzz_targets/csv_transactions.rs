//! Any bytes as a transactions file: the record iterator, the one-pass
//! ledger import and the threaded file import (strict and lenient) end in
//! rows or a positioned error, never a panic; the one-pass and file imports
//! agree.
#![no_main]

use crm::csv::{ImportOptions, Mode, read_transactions, read_transactions_from, transactions};
use crm::{Ledger, Period};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let year: Period = "2024".parse().expect("a period");
    for mode in [Mode::Strict, Mode::Lenient] {
        let o = ImportOptions::new().mode(mode).threads(2);
        if let Ok(it) = transactions(data, "fuzz.csv", &o) {
            for r in it {
                if let Err(e) = r {
                    let _ = e.to_string();
                }
            }
        }
        let mut a = Ledger::new([year]);
        let ra = read_transactions_from(data, "fuzz.csv", &o, &mut a);
        let dir = std::env::temp_dir().join(format!("crm-fuzz-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let path = dir.join("fuzz.csv");
        if std::fs::write(&path, data).is_ok() {
            let mut b = Ledger::new([year]);
            let rb = read_transactions(&path, &o, &mut b);
            match (&ra, &rb) {
                (Ok(x), Ok(y)) => {
                    assert_eq!(x.rows, y.rows);
                    let lines = |r: &crm::csv::ImportReport| -> Vec<u64> {
                        r.rejects.iter().map(|x| x.location.line).collect()
                    };
                    assert_eq!(lines(x), lines(y));
                    assert_eq!(a.len(), b.len());
                }
                (Err(x), Err(y)) => {
                    assert_eq!(x.location().map(|l| l.line), y.location().map(|l| l.line));
                }
                _ => panic!("the reader and the file disagree: {ra:?} / {rb:?}"),
            }
        }
    }
});
