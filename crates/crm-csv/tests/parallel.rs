//! The parallel reader gives exactly the result of a sequential read,
//! including when its cut points fall inside quoted fields.

use std::fmt::Write;

use crm_core::{Basis, Ledger};
use crm_csv::{ImportOptions, Mode, read_transactions};

use crate::util::{Fixture, year};

/// A file of about `mb` MB; every `quoted`-th row has a product with
/// embedded newlines (so that some cut points fall inside quotes); every
/// `bad`-th row has a bad amount.
fn big_file(mb: usize, quoted: usize, bad: usize) -> String {
    let mut s = String::from("transaction_id,customer_id,date,revenue,product\n");
    let mut i = 0usize;
    while s.len() < mb << 20 {
        i += 1;
        let product = if i.is_multiple_of(quoted) {
            "\"a\nlong\n\nproduct, with \"\"quotes\"\"\"".to_string()
        } else {
            "p".to_string()
        };
        let revenue = if bad > 0 && i.is_multiple_of(bad) {
            "x".to_string()
        } else {
            format!("{}.{:02}", i % 997, i % 100)
        };
        let _ = writeln!(
            s,
            "T{i},C{},2024-{:02}-{:02},{revenue},{product}",
            i * 7919 % 50_000,
            i % 12 + 1,
            i % 28 + 1
        );
    }
    s
}

fn read(path: &std::path::Path, threads: usize, mode: Mode) -> (crm_csv::ImportReport, Ledger) {
    let mut l = Ledger::new([year()]);
    let r = read_transactions(
        path,
        &ImportOptions::new().threads(threads).mode(mode),
        &mut l,
    )
    .unwrap();
    (r, l)
}

fn same(a: &Ledger, b: &Ledger) {
    assert_eq!(a.len(), b.len());
    assert_eq!(a.stats(), b.stats());
    for id in a.ids() {
        let other = b.id(a.key(id).unwrap()).unwrap();
        assert_eq!(a.totals(id).unwrap(), b.totals(other).unwrap());
        assert_eq!(
            a.period_totals(id, 0).unwrap().value(Basis::Revenue),
            b.period_totals(other, 0).unwrap().value(Basis::Revenue)
        );
    }
}

#[test]
fn threads_give_the_sequential_result() {
    let f = Fixture::new();
    for quoted in [1_000_000, 7, 2] {
        let path = f.file("big.csv", big_file(12, quoted, 0));
        let (r1, l1) = read(&path, 1, Mode::Strict);
        for threads in [2, 3, 4] {
            let (rn, ln) = read(&path, threads, Mode::Strict);
            assert_eq!(r1.rows, rn.rows);
            assert!(rn.threads > 1, "a 12 MB file is read on several threads");
            same(&l1, &ln);
        }
    }
}

#[test]
fn lenient_rejects_are_the_same_and_in_file_order() {
    let f = Fixture::new();
    let path = f.file("big.csv", big_file(12, 5, 1009));
    let (r1, _) = read(&path, 1, Mode::Lenient);
    let (r4, _) = read(&path, 4, Mode::Lenient);
    assert!(!r1.rejects.is_empty());
    assert_eq!(r1.rejects, r4.rejects);
    assert!(
        r4.rejects
            .windows(2)
            .all(|w| w[0].location.line < w[1].location.line)
    );
}

#[test]
fn strict_reports_the_first_bad_row_of_the_file() {
    let f = Fixture::new();
    let mut content = big_file(12, 9, 0);
    // A bad row near the end and one near the start: the start wins.
    let near_end = content.len() - 200;
    let cut = content[near_end..].find('\n').unwrap() + near_end + 1;
    content.insert_str(cut, "T0,C1,2024-01-01,late-bad,p\n");
    let cut = content.find('\n').unwrap() + 1;
    let cut = content[cut..].find('\n').unwrap() + cut + 1;
    content.insert_str(cut, "T0,C1,2024-01-01,early-bad,p\n");
    let path = f.file("big.csv", content);
    for threads in [1, 2, 4] {
        let mut l = Ledger::new([year()]);
        let e =
            read_transactions(&path, &ImportOptions::new().threads(threads), &mut l).unwrap_err();
        assert_eq!(e.location().unwrap().line, 3, "threads {threads}: {e}");
    }
}

#[test]
fn quotes_and_lone_carriage_returns_late_in_a_file_are_read_right() {
    // The fast reader takes plain lines; a quote or a lone `\r` far into
    // the file hands over to the csv reader at that record.
    let f = Fixture::new();
    let mut content = big_file(3, usize::MAX, 0);
    content.push_str("T1,\"Z,1\",2024-05-05,1.50,\"two\nlines\"\nT2,Z2,2024-05-05,2.25,p\rT3,Z3,2024-05-05,3,p\n");
    let path = f.file("late.csv", &content);
    let (r, l) = read(&path, 1, Mode::Strict);
    // `lines()` splits at `\n` only: the quoted newline adds a line that is
    // no record, the lone `\r` ends a record without a `\n`; the header.
    let lines = content.lines().count() as u64;
    assert_eq!(r.rows, lines - 1 + 1 - 1);
    for (k, v) in [("Z,1", "1.50"), ("Z2", "2.25"), ("Z3", "3")] {
        let id = l.id(k).unwrap();
        assert_eq!(
            l.period_totals(id, 0)
                .unwrap()
                .value(Basis::Revenue)
                .to_string(),
            v
        );
    }
}

#[test]
fn lines_longer_than_the_buffer() {
    let f = Fixture::new();
    let long = "x".repeat(3 << 20);
    let content =
        format!("customer_id,date,revenue,note\nC1,2024-01-01,1,{long}\nC2,2024-01-02,2,y\n");
    let path = f.file("long.csv", &content);
    let (r, l) = read(&path, 1, Mode::Strict);
    assert_eq!(r.rows, 2);
    assert_eq!(l.len(), 2);
}

/// Gathers the interactions' lines, in the order taken, and refuses a
/// chosen customer.
#[derive(Debug)]
struct Lines {
    seen: Vec<String>,
    refuse: Option<&'static str>,
}

impl crm_csv::Gather<crm_core::Interaction> for Lines {
    fn take(&mut self, i: &crm_core::Interaction) -> Result<(), crm_core::Error> {
        if self.refuse == Some(i.customer.as_str()) {
            return Err(crm_core::Error::AmountOverflow {
                what: "refused".into(),
            });
        }
        self.seen.push(i.note.clone().unwrap_or_default());
        Ok(())
    }
    fn fresh(&self) -> Lines {
        Lines {
            seen: Vec::new(),
            refuse: self.refuse,
        }
    }
    fn absorb(&mut self, later: Lines) -> Result<(), crm_core::Error> {
        self.seen.extend(later.seen);
        Ok(())
    }
}

/// A large interactions file: the note is the row number; every
/// `quoted`-th note holds newlines.
fn big_interactions(mb: usize, quoted: usize) -> String {
    let mut s = String::from("customer_id,date,kind,note\n");
    let mut i = 0usize;
    while s.len() < mb << 20 {
        i += 1;
        let note = if i.is_multiple_of(quoted) {
            format!("\"{i}\nwith a newline\"")
        } else {
            i.to_string()
        };
        let _ = writeln!(
            s,
            "C{},2024-{:02}-{:02},visit,{note}",
            i * 7919 % 50_000,
            i % 12 + 1,
            i % 28 + 1
        );
    }
    s
}

#[test]
fn gathering_on_threads_gathers_the_sequential_result_in_file_order() {
    let f = Fixture::new();
    for quoted in [1_000_000, 5] {
        let path = f.file("interactions.csv", big_interactions(9, quoted));
        let read = |threads: usize| {
            let mut l = Ledger::new([year()]);
            let gather = Lines {
                seen: Vec::new(),
                refuse: None,
            };
            let (r, g) = crm_csv::read_interactions_gathering(
                &path,
                &ImportOptions::new().threads(threads),
                &mut l,
                gather,
            )
            .unwrap();
            (r, g.seen, l)
        };
        let (r1, seen1, l1) = read(1);
        assert_eq!(seen1.len() as u64, r1.rows);
        let (r2, seen2, l2) = read(2);
        assert!(r2.threads > 1, "a 9 MB file is read on several threads");
        assert_eq!(seen1, seen2);
        same(&l1, &l2);
    }
}

#[test]
fn a_record_the_gatherer_refuses_is_a_bad_row_with_its_line() {
    let f = Fixture::new();
    let path = f.file(
        "interactions.csv",
        "customer_id,date,kind\nC1,2024-01-02,visit\nC2,2024-01-03,call\n",
    );
    let mut l = Ledger::new([year()]);
    let gather = Lines {
        seen: Vec::new(),
        refuse: Some("C2"),
    };
    let e = crm_csv::read_interactions_gathering(&path, &ImportOptions::new(), &mut l, gather)
        .unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains("interactions.csv:3:") && text.contains("refused"),
        "{text}"
    );
    let gather = Lines {
        seen: Vec::new(),
        refuse: Some("C2"),
    };
    let mut l = Ledger::new([year()]);
    let (r, g) = crm_csv::read_interactions_gathering(
        &path,
        &ImportOptions::new().mode(Mode::Lenient),
        &mut l,
        gather,
    )
    .unwrap();
    assert_eq!((r.rows, r.rejects.len(), g.seen.len()), (2, 1, 1));
    // The ledger does not record what the gatherer refused.
    assert_eq!((l.len(), l.stats().interactions), (1, 1));
}

/// The partitioned read of a large file gives the sequential read's
/// ledger, customers numbered alike, with its rejects, on any number of
/// threads; with quoted fields holding line breaks too.
#[test]
fn the_partitioned_read_gives_the_sequential_ledger_in_the_same_order() {
    let f = Fixture::new();
    for (quoted, bad) in [(1_000_000, 0), (7, 1_001)] {
        let path = f.file("transactions.csv", big_file(9, quoted, bad));
        let (r1, l1) = read(&path, 1, Mode::Lenient);
        for threads in [1, 2, 3] {
            let mut l = Ledger::new([year()]);
            let o = ImportOptions::new()
                .threads(threads)
                .mode(Mode::Lenient)
                .partitioned(true);
            let r = read_transactions(&path, &o, &mut l).unwrap();
            assert_eq!((r.rows, r.imported), (r1.rows, r1.imported));
            assert_eq!(r.rejects, r1.rejects);
            same(&l1, &l);
            let keys = |l: &Ledger| -> Vec<String> {
                l.ids().map(|id| l.key(id).unwrap().to_string()).collect()
            };
            assert_eq!(keys(&l1), keys(&l), "threads {threads}");
        }
    }
}

/// `big_file` with two rows of customer `OVF` in 2024: the largest amount
/// at about a fifth of the file, 1 at four fifths, so that the second
/// overflows the customer's sum; `quoted` as in `big_file`.
fn overflow_file(quoted: usize) -> String {
    let body = big_file(9, quoted, 0);
    let mut lines: Vec<String> = body.lines().map(str::to_string).collect();
    // Rows of one physical line (no quoted product), near each share.
    let n = lines.len();
    let plain = |from: usize| (from..n).find(|&i| lines[i].ends_with(",p")).unwrap();
    let (a, b) = (plain(n / 5), plain(n * 4 / 5));
    lines[a] = format!("TA,OVF,2024-03-01,{},p", crm_core::Decimal::MAX);
    lines[b] = "TB,OVF,2024-09-01,1,p".to_string();
    lines.join("\n") + "\n"
}

/// A row whose amount overflows a sum of rows read on another thread is
/// found as a sequential read finds it: strict, the error names its line
/// (not line 0); lenient, it is skipped and counted, and the ledger is the
/// sequential one. With the plain and the partitioned read, with quoted
/// fields holding line breaks or not.
#[test]
fn an_overflow_across_threads_is_the_row_a_sequential_read_finds() {
    let f = Fixture::new();
    for quoted in [1_000_000, 7] {
        let path = f.file("transactions.csv", overflow_file(quoted));
        let strict = |threads: usize, partitioned: bool| {
            let mut l = Ledger::new([year()]);
            let o = ImportOptions::new()
                .threads(threads)
                .partitioned(partitioned);
            read_transactions(&path, &o, &mut l).unwrap_err()
        };
        let e1 = strict(1, false);
        let line = e1.location().unwrap().line;
        assert!(line > 1, "{e1}");
        let (r1, l1) = read(&path, 1, Mode::Lenient);
        assert_eq!(r1.rejects.len(), 1);
        assert_eq!(r1.rejects[0].location.line, line);
        for (threads, partitioned) in [(2, false), (3, false), (2, true)] {
            let e = strict(threads, partitioned);
            assert_eq!(
                e.to_string(),
                e1.to_string(),
                "threads {threads} {partitioned}"
            );
            let mut l = Ledger::new([year()]);
            let o = ImportOptions::new()
                .threads(threads)
                .mode(Mode::Lenient)
                .partitioned(partitioned);
            let r = read_transactions(&path, &o, &mut l).unwrap();
            assert!(r.threads > 1, "a 9 MB file is read on several threads");
            assert_eq!((r.rows, r.imported), (r1.rows, r1.imported));
            assert_eq!(r.rejects, r1.rejects, "threads {threads} {partitioned}");
            same(&l1, &l);
        }
    }
}

/// Counts the visits of one customer, refusing more than `cap`: a sum
/// that only overflows when two parts of the file are combined.
#[derive(Debug)]
struct Capped {
    customer: &'static str,
    count: u32,
    cap: u32,
}

impl crm_csv::Gather<crm_core::Interaction> for Capped {
    fn take(&mut self, i: &crm_core::Interaction) -> Result<(), crm_core::Error> {
        if i.customer.as_str() == self.customer {
            if self.count == self.cap {
                return Err(crm_core::Error::AmountOverflow {
                    what: format!("the visits of {}", self.customer),
                });
            }
            self.count += 1;
        }
        Ok(())
    }
    fn fresh(&self) -> Capped {
        Capped { count: 0, ..*self }
    }
    fn absorb(&mut self, later: Capped) -> Result<(), crm_core::Error> {
        self.check_absorb(&later)?;
        self.count += later.count;
        Ok(())
    }
    fn check_absorb(&self, later: &Capped) -> Result<(), crm_core::Error> {
        if self.count + later.count > self.cap {
            return Err(crm_core::Error::AmountOverflow {
                what: format!("the visits of {}", self.customer),
            });
        }
        Ok(())
    }
}

#[test]
fn a_gatherer_that_refuses_the_combined_parts_names_the_row_at_fault() {
    let f = Fixture::new();
    // Z7 visits once near the start and once near the end of a file read
    // on two threads; the gatherer takes one visit of Z7 only.
    let mut content = big_interactions(9, 1_000_000);
    let first = "Z7,2024-01-01,visit,first\n";
    let header_end = content.find('\n').unwrap() + 1;
    content.insert_str(header_end, first);
    content.push_str("Z7,2024-12-01,visit,second\n");
    let line = content.lines().count() as u64;
    let path = f.file("interactions.csv", &content);
    let gather = || Capped {
        customer: "Z7",
        count: 0,
        cap: 1,
    };
    for threads in [1, 2] {
        let mut l = Ledger::new([year()]);
        let err = crm_csv::read_interactions_gathering(
            &path,
            &ImportOptions::new().threads(threads),
            &mut l,
            gather(),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains(&format!(":{line}")),
            "{threads} threads: {err}"
        );
        assert!(err.contains("visits of Z7"), "{err}");
    }
    // Lenient: the row is skipped and counted, on one thread or two.
    for threads in [1, 2] {
        let mut l = Ledger::new([year()]);
        let (r, g) = crm_csv::read_interactions_gathering(
            &path,
            &ImportOptions::new().threads(threads).mode(Mode::Lenient),
            &mut l,
            gather(),
        )
        .unwrap();
        assert_eq!(g.count, 1);
        assert_eq!(r.rejects.len(), 1, "{threads} threads");
        assert_eq!(r.rejects[0].location.line, line, "{threads} threads");
        assert_eq!(r.imported, r.rows - 1);
    }
}
