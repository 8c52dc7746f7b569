//! Folders of Parquet files: every `*.parquet` inside, in sorted order.

use std::sync::Arc;

use arrow_array::{Date32Array, Decimal128Array, StringArray};
use crm_parquet::{Error, ReadOptions, files, is_parquet};

use crate::util::{read, totals, write};

fn part(path: &std::path::Path, keys: Vec<&str>, cents: Vec<i128>) {
    let n = keys.len();
    write(
        path,
        vec![
            ("customer_id", Arc::new(StringArray::from(keys))),
            ("date", Arc::new(Date32Array::from(vec![19783; n]))),
            (
                "revenue",
                Arc::new(
                    Decimal128Array::from(cents)
                        .with_precision_and_scale(12, 2)
                        .unwrap(),
                ),
            ),
        ],
        2,
    );
}

#[test]
fn a_folder_reads_every_part_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join("year=2024")).unwrap();
    part(&d.join("b.parquet"), vec!["B", "A"], vec![200, 100]);
    part(&d.join("a.PARQUET"), vec!["A"], vec![50]);
    part(
        &d.join("year=2024/c.parquet"),
        vec!["C", "A", "C"],
        vec![1, 2, 3],
    );
    // Not read: hidden, metadata and other files.
    std::fs::write(d.join("_SUCCESS"), "").unwrap();
    std::fs::write(d.join(".b.parquet.crc"), "x").unwrap();
    std::fs::write(d.join("._x.parquet"), "x").unwrap();
    std::fs::write(d.join("notes.csv"), "x").unwrap();
    assert!(is_parquet(d));
    let list = files(d).unwrap();
    let names: Vec<_> = list
        .iter()
        .map(|p| p.strip_prefix(d).unwrap().display().to_string())
        .collect();
    assert_eq!(names, ["a.PARQUET", "b.parquet", "year=2024/c.parquet"]);
    for threads in [1, 2, 4] {
        let l = read(d, &ReadOptions::new().threads(threads)).unwrap();
        assert_eq!(totals(&l, "A"), ("1.52".into(), "0".into(), 3));
        assert_eq!(totals(&l, "C").0, "0.04");
        // Customers in order of first appearance over the sorted files.
        let keys: Vec<_> = l.ids().map(|id| l.key(id).unwrap().to_string()).collect();
        assert_eq!(keys, ["A", "B", "C"], "threads {threads}");
    }
}

/// A file reached by several names (a link back to the folder itself, a
/// second name for a partition, a link to a file) is read once: no row is
/// counted twice, and the name it is read under is the same on every run.
#[test]
fn linked_folders_and_files_are_read_once() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join("2024")).unwrap();
    std::fs::create_dir_all(d.join("2025")).unwrap();
    part(&d.join("2024/a.parquet"), vec!["A"], vec![100]);
    part(&d.join("2025/b.parquet"), vec!["A"], vec![5]);
    std::os::unix::fs::symlink("..", d.join("2025/loop")).unwrap();
    std::os::unix::fs::symlink("../2024", d.join("2025/copy")).unwrap();
    std::os::unix::fs::symlink("2025/b.parquet", d.join("link.parquet")).unwrap();
    let names: Vec<_> = files(d)
        .unwrap()
        .iter()
        .map(|p| p.strip_prefix(d).unwrap().display().to_string())
        .collect();
    // The first name met in the walk (a folder's files before its
    // subfolders'): here the link at the top.
    assert_eq!(names, ["2024/a.parquet", "link.parquet"]);
    let l = read(d, &ReadOptions::new()).unwrap();
    assert_eq!(totals(&l, "A").0, "1.05");
}

#[test]
fn an_error_names_the_part() {
    let dir = tempfile::tempdir().unwrap();
    part(&dir.path().join("1.parquet"), vec!["A"], vec![1]);
    part(&dir.path().join("2.parquet"), vec!["B", ""], vec![1, 2]);
    let e = read(dir.path(), &ReadOptions::new()).unwrap_err();
    let p = e.position().unwrap_or_else(|| panic!("{e}"));
    assert!(p.file.ends_with("2.parquet"));
    assert_eq!((p.row, p.column.as_deref()), (2, Some("customer_id")));
}

#[test]
fn an_empty_folder_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("x.csv"), "").unwrap();
    let e = read(dir.path(), &ReadOptions::new()).unwrap_err();
    assert!(matches!(e, Error::NoFiles { .. }), "{e}");
    assert!(!is_parquet(&dir.path().join("x.csv")));
}

/// Amounts that fit money one by one but whose sum for one customer does
/// not (96 bits), split over the files of a folder: an error naming the
/// customer, as in one file, whatever the threads and reading by runs.
#[test]
fn a_sum_overflowing_across_the_files_of_a_folder_is_an_error() {
    let big = |path: &std::path::Path, keys: Vec<&str>| {
        let n = keys.len();
        write(
            path,
            vec![
                ("customer_id", Arc::new(StringArray::from(keys))),
                ("date", Arc::new(Date32Array::from(vec![19783; n]))),
                (
                    "revenue",
                    Arc::new(
                        Decimal128Array::from(vec![60_000_000_000_000_000_000_000_000_000i128; n])
                            .with_precision_and_scale(38, 0)
                            .unwrap(),
                    ),
                ),
            ],
            1,
        );
    };
    let dir = tempfile::tempdir().unwrap();
    let one = dir.path().join("one");
    let split = dir.path().join("split");
    std::fs::create_dir_all(&one).unwrap();
    std::fs::create_dir_all(&split).unwrap();
    big(&one.join("a.parquet"), vec!["B", "A", "A"]);
    big(&split.join("a.parquet"), vec!["B", "A"]);
    big(&split.join("b.parquet"), vec!["A"]);
    for d in [&one, &split] {
        for threads in [1, 2, 4] {
            for runs in [true, false] {
                let e = read(d, &ReadOptions::new().threads(threads).runs(runs))
                    .expect_err("the sum of A leaves the range of money");
                let text = e.to_string();
                assert!(
                    text.contains('A') && text.contains(&d.display().to_string()),
                    "{} threads {threads} runs {runs}: {text}",
                    d.display()
                );
            }
        }
    }
}
