//! Inputs that can be read only once: pipes, FIFOs, standard input and
//! process substitution (`/dev/fd/N`). They are read in one pass on one
//! thread, with the result of reading the same bytes from a file.

use std::io::Write;
use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use crm_core::{Basis, Ledger};
use crm_csv::{
    ImportOptions, ImportReport, Mode, read_customers_from, read_interactions_from,
    read_transactions, read_transactions_from,
};

use crate::util::{Fixture, year};

fn content(rows: usize) -> String {
    let mut s = String::from("customer_id,date,revenue,product\r\n");
    for i in 0..rows {
        let product = if i % 5 == 0 { "\"a\r\nb, c\"" } else { "p" };
        let revenue = if i % 1000 == 999 { "x" } else { "1.25" };
        s.push_str(&format!(
            "C{},2024-03-{:02},{revenue},{product}\r\n",
            i % 777,
            i % 28 + 1
        ));
    }
    s
}

/// Runs `f` on another thread; fails instead of hanging.
fn within<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(Duration::from_secs(60))
        .unwrap_or_else(|_| panic!("{what} hangs"))
}

fn summary(r: &ImportReport, l: &Ledger) -> (u64, u64, Vec<u64>, usize, String) {
    let total = l
        .ids()
        .map(|id| {
            l.period_totals(id, 0)
                .unwrap()
                .value(Basis::Revenue)
                .as_decimal()
        })
        .sum::<crm_core::Decimal>();
    (
        r.rows,
        r.imported,
        r.rejects.iter().map(|x| x.location.line).collect(),
        l.len(),
        total.to_string(),
    )
}

fn from_file(path: &Path) -> (ImportReport, Ledger) {
    let mut l = Ledger::new([year()]);
    let o = ImportOptions::new().mode(Mode::Lenient).threads(2);
    let r = read_transactions(path, &o, &mut l).unwrap();
    (r, l)
}

#[test]
fn a_reader_gives_the_result_of_the_file() {
    let f = Fixture::new();
    // Large enough for several threads on the file, and for several
    // buffers of the one-pass reader.
    let text = content(400_000);
    let path = f.file("t.csv", &text);
    let (rf, lf) = from_file(&path);
    assert!(rf.threads > 1);
    let mut l = Ledger::new([year()]);
    let o = ImportOptions::new().mode(Mode::Lenient);
    let r = read_transactions_from(text.as_bytes(), "-", &o, &mut l).unwrap();
    assert_eq!(r.threads, 1);
    assert_eq!(r.file, Path::new("-"));
    assert_eq!(summary(&r, &l), summary(&rf, &lf));
    assert!(r.rejects.iter().all(|x| x.location.file == Path::new("-")));
}

#[test]
fn customers_and_interactions_from_a_reader() {
    let mut l = Ledger::new([year()]);
    let o = ImportOptions::new();
    read_customers_from(&b"customer_id,stage\nP1,prospect\n"[..], "-", &o, &mut l).unwrap();
    let r = read_interactions_from(
        &b"customer_id;date;kind\nP1;2024-01-02;call\nP1;2024-01-03;fax\n"[..],
        "-",
        &o,
        &mut l,
    )
    .unwrap_err();
    assert_eq!(
        r.to_string().split(':').take(2).collect::<Vec<_>>(),
        ["-", "3"]
    );
}

#[cfg(unix)]
#[test]
fn a_fifo_is_read_once() {
    let f = Fixture::new();
    let text = content(300_000);
    let (rf, lf) = from_file(&f.file("t.csv", &text));
    let fifo = f.dir.path().join("fifo.csv");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let writer = {
        let (fifo, text) = (fifo.clone(), text.clone());
        std::thread::spawn(move || {
            let mut w = std::fs::OpenOptions::new().write(true).open(&fifo).unwrap();
            // The reader may stop early on an error: a broken pipe is fine.
            let _ = w.write_all(text.as_bytes());
        })
    };
    let (r, l) = within("a FIFO", move || from_file(&fifo));
    writer.join().unwrap();
    assert_eq!(r.threads, 1);
    assert_eq!(summary(&r, &l), summary(&rf, &lf));
}

#[cfg(target_os = "linux")]
#[test]
fn a_pipe_named_by_dev_fd_is_read_once() {
    use std::os::fd::AsRawFd;
    let f = Fixture::new();
    let text = content(2_000);
    let (rf, lf) = from_file(&f.file("t.csv", &text));
    let (reader, mut writer) = std::io::pipe().unwrap();
    let path = format!("/dev/fd/{}", reader.as_raw_fd());
    let w = std::thread::spawn(move || {
        let _ = writer.write_all(text.as_bytes());
    });
    let (r, l) = within("/dev/fd", move || {
        let out = from_file(Path::new(&path));
        drop(reader);
        out
    });
    w.join().unwrap();
    assert_eq!(summary(&r, &l), summary(&rf, &lf));
}
