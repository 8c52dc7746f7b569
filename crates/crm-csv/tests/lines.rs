//! Line numbers are those an editor shows, whatever the line endings
//! (`\n`, `\r\n` or a lone `\r`), quoted fields with newlines and blank
//! lines: in strict errors, lenient rejects and the record iterators,
//! read on one thread or on several.

use std::fmt::Write;

use crm_core::Ledger;
use crm_csv::{ImportOptions, Mode, read_transactions, transactions};

use crate::util::{Fixture, year};

/// The line endings under test.
const ENDINGS: [(&str, &str); 3] = [("lf", "\n"), ("crlf", "\r\n"), ("cr", "\r")];

/// A transactions file with line ending `eol` of about `bytes` bytes:
/// every `quoted`-th row has a product spanning two lines, every
/// `blank`-th row is followed by a blank line, and the rows whose index
/// is in `bad` have a bad revenue. Returns the text and the line each bad
/// row starts on, counted while writing.
fn file(eol: &str, bytes: usize, quoted: usize, blank: usize, bad: &[usize]) -> (String, Vec<u64>) {
    let mut s = format!("customer_id,date,revenue,product{eol}");
    let mut line = 2u64;
    let mut bad_lines = Vec::new();
    let mut i = 0usize;
    while s.len() < bytes || i < bad.iter().copied().max().map_or(0, |m| m + 1) {
        let revenue = if bad.contains(&i) {
            bad_lines.push(line);
            "x".to_string()
        } else {
            format!("{}.{:02}", i % 97, i % 100)
        };
        let product = if i % quoted == quoted - 1 {
            line += 1;
            format!("\"two{eol}lines\"")
        } else {
            "p".to_string()
        };
        let _ = write!(
            s,
            "C{},2024-{:02}-01,{revenue},{product}{eol}",
            i % 1000,
            i % 12 + 1
        );
        line += 1;
        if i % blank == blank - 1 {
            s.push_str(eol);
            line += 1;
        }
        i += 1;
    }
    (s, bad_lines)
}

fn options(threads: usize, mode: Mode) -> ImportOptions {
    ImportOptions::new().threads(threads).mode(mode)
}

fn strict_line(path: &std::path::Path, threads: usize) -> u64 {
    let mut l = Ledger::new([year()]);
    let e = read_transactions(path, &options(threads, Mode::Strict), &mut l).unwrap_err();
    e.location().unwrap_or_else(|| panic!("{e}")).line
}

fn lenient_lines(path: &std::path::Path, threads: usize) -> Vec<u64> {
    let mut l = Ledger::new([year()]);
    let r = read_transactions(path, &options(threads, Mode::Lenient), &mut l).unwrap();
    r.rejects.iter().map(|r| r.location.line).collect()
}

fn iterator_lines(content: &str) -> Vec<u64> {
    let mut it = transactions(content.as_bytes(), "t.csv", &options(1, Mode::Lenient)).unwrap();
    for r in it.by_ref() {
        r.unwrap();
    }
    it.rejects().iter().map(|r| r.location.line).collect()
}

/// Small files: one thread, the fast reader and the csv reader.
#[test]
fn small_files_every_ending_quotes_and_blank_lines() {
    let f = Fixture::new();
    for (name, eol) in ENDINGS {
        for (quoted, blank) in [(usize::MAX, usize::MAX), (3, usize::MAX), (3, 4), (1, 1)] {
            let (content, bad) = file(eol, 0, quoted, blank, &[2, 5, 9, 10]);
            let path = f.file("t.csv", &content);
            let what = format!("{name}, quoted every {quoted}, blank every {blank}");
            assert_eq!(lenient_lines(&path, 1), bad, "lenient: {what}");
            assert_eq!(strict_line(&path, 1), bad[0], "strict: {what}");
            assert_eq!(iterator_lines(&content), bad, "iterator: {what}");
        }
    }
}

/// The three cases of the defect, each as a user meets it.
#[test]
fn cr_only_crlf_after_a_quote_and_blank_lines_after_a_quote() {
    let cases = [
        // Old Mac exports: every error was at line 1.
        "customer_id,date,revenue\rC1,2024-01-01,1\rC2,2024-01-01,x\r",
        // Excel: off by one after the first quoted field.
        "customer_id,date,revenue\r\n\"C1\",2024-01-01,1\r\nC2,2024-01-01,x\r\n",
        // A blank line after a quoted field.
        "customer_id,date,revenue\n\"C1\",2024-01-01,1\n\nC2,2024-01-01,x\n",
    ];
    let expected = [3, 3, 4];
    let f = Fixture::new();
    for (content, line) in cases.iter().zip(expected) {
        let path = f.file("t.csv", content);
        assert_eq!(strict_line(&path, 1), line, "{content:?}");
        assert_eq!(lenient_lines(&path, 1), [line], "{content:?}");
        assert_eq!(iterator_lines(content), [line], "{content:?}");
    }
}

/// Large files: several threads give the lines of one.
#[test]
fn large_files_on_several_threads() {
    let f = Fixture::new();
    for (name, eol) in ENDINGS {
        // Bad rows near the start, the middle and the end of the file.
        let bad = [12, 150_007, 299_992];
        let (content, lines) = file(eol, 12 << 20, 7, 11, &bad);
        let path = f.file("big.csv", &content);
        for threads in [1, 3] {
            assert_eq!(
                lenient_lines(&path, threads),
                lines,
                "{name}, {threads} threads"
            );
        }
        // Strict: the only bad row is in the last range.
        let (content, lines) = file(eol, 12 << 20, 7, 11, &[299_992]);
        let path = f.file("big.csv", &content);
        for threads in [1, 3] {
            assert_eq!(
                strict_line(&path, threads),
                lines[0],
                "{name}, {threads} threads"
            );
        }
    }
}

/// The rejects file shows the lines of the report.
#[test]
fn rejects_file_lines() {
    let f = Fixture::new();
    let path = f.file(
        "t.csv",
        "customer_id,date,revenue\r\n\"C1\",2024-01-01,1\r\nC2,2024-01-01,x\r\n",
    );
    let mut l = Ledger::new([year()]);
    let r = read_transactions(&path, &options(1, Mode::Lenient), &mut l).unwrap();
    let out = f.dir.path().join("rejects.csv");
    crm_csv::write_rejects(&out, &r.rejects).unwrap();
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(
        text.lines().nth(1).unwrap().contains("t.csv,3,3,revenue,"),
        "{text}"
    );
}
