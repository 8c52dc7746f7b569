//! Every error names the file, and for a value its row group, row and
//! column; lenient reads skip and report; damaged files are errors, never
//! panics.

use std::sync::Arc;

use arrow_array::{ArrayRef, Date32Array, Decimal128Array, StringArray};
use crm_csv::{Mode, Problem};
use crm_parquet::{Error, ReadOptions};

use crate::util::{ledger, read, write};

fn money(v: Vec<Option<i128>>) -> ArrayRef {
    Arc::new(
        Decimal128Array::from(v)
            .with_precision_and_scale(12, 2)
            .unwrap(),
    )
}

/// Six rows in row groups of two; row 5 (row group 2, its row 1) has a
/// null revenue.
fn with_null_revenue(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("nulls.parquet");
    write(
        &path,
        vec![
            (
                "customer_id",
                Arc::new(StringArray::from(vec!["A", "B", "C", "D", "E", "F"])),
            ),
            ("date", Arc::new(Date32Array::from(vec![19783; 6]))),
            (
                "revenue",
                money(vec![Some(1), Some(2), Some(3), Some(4), None, Some(6)]),
            ),
        ],
        2,
    );
    path
}

#[test]
fn a_null_names_file_row_group_row_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = with_null_revenue(dir.path());
    for threads in [1, 2, 3] {
        let e = read(&path, &ReadOptions::new().threads(threads)).unwrap_err();
        let p = e.position().unwrap_or_else(|| panic!("{e}"));
        assert_eq!(p.file, path);
        assert_eq!((p.row_group, p.row_in_group, p.row), (2, 1, 5), "{e}");
        assert_eq!(p.column.as_deref(), Some("revenue"));
        assert_eq!(e.problem(), Some(&Problem::Missing));
        let text = e.to_string();
        assert!(
            text.contains("nulls.parquet: row 5 (row group 2, row 1 of it): column revenue"),
            "{text}"
        );
    }
}

#[test]
fn lenient_skips_counts_and_reports() {
    let dir = tempfile::tempdir().unwrap();
    let path = with_null_revenue(dir.path());
    for threads in [1, 2] {
        let mut l = ledger();
        let r = crm_parquet::read_transactions(
            &path,
            &ReadOptions::new().mode(Mode::Lenient).threads(threads),
            &mut l,
        )
        .unwrap();
        assert_eq!((r.rows, r.imported, r.rejects.len()), (6, 5, 1));
        let reject = &r.rejects[0];
        assert_eq!(reject.location.line, 5);
        assert_eq!(reject.location.column, Some(3));
        assert_eq!(reject.location.field.as_deref(), Some("revenue"));
        assert_eq!(reject.record[0], "E");
        assert_eq!(l.len(), 5);
    }
}

#[test]
fn bad_strings_and_keys_are_located() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.parquet");
    write(
        &path,
        vec![
            (
                "customer_id",
                Arc::new(StringArray::from(vec![Some("A"), Some("   "), None])),
            ),
            (
                "date",
                Arc::new(StringArray::from(vec!["2024-13-01", "2024-01-01", "x"])),
            ),
            (
                "revenue",
                Arc::new(StringArray::from(vec!["1", "1.234,5", "2"])),
            ),
        ],
        10,
    );
    let e = read(&path, &ReadOptions::new()).unwrap_err();
    let p = e.position().unwrap();
    assert_eq!((p.row, p.column.as_deref()), (1, Some("date")), "{e}");
    let mut l = ledger();
    let r = crm_parquet::read_transactions(&path, &ReadOptions::new().mode(Mode::Lenient), &mut l)
        .unwrap();
    let fields: Vec<_> = r
        .rejects
        .iter()
        .map(|r| {
            (
                r.location.line,
                r.location.field.clone().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        fields,
        [
            (1, "date".to_string()),
            (2, "revenue".to_string()),
            (3, "customer_id".to_string())
        ]
    );
    assert!(matches!(r.rejects[2].problem, Problem::Missing));
}

#[test]
fn missing_and_duplicate_columns() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cols.parquet");
    write(
        &path,
        vec![
            ("Customer_ID", Arc::new(StringArray::from(vec!["A"]))),
            ("date", Arc::new(Date32Array::from(vec![19783]))),
            ("omzet", money(vec![Some(1)])),
        ],
        10,
    );
    let e = read(&path, &ReadOptions::new()).unwrap_err();
    assert!(
        matches!(&e, Error::MissingColumn { column, found, .. } if column == "revenue" && found == "Customer_ID,date,omzet"),
        "{e}"
    );
    assert!(e.to_string().contains("cols.parquet"), "{e}");
    // Mapped: found, the key matched ignoring case.
    let l = read(
        &path,
        &ReadOptions::new().column("revenue", "OMZET").unwrap(),
    )
    .unwrap();
    assert_eq!(l.len(), 1);
    assert!(ReadOptions::new().column("stage", "x").is_err());

    let path = dir.path().join("twice.parquet");
    write(
        &path,
        vec![
            ("customer_id", Arc::new(StringArray::from(vec!["A"]))),
            ("CUSTOMER_ID", Arc::new(StringArray::from(vec!["B"]))),
            ("date", Arc::new(Date32Array::from(vec![19783]))),
            ("revenue", money(vec![Some(1)])),
        ],
        10,
    );
    let e = read(&path, &ReadOptions::new()).unwrap_err();
    assert!(matches!(e, Error::DuplicateColumn { .. }), "{e}");
    // A type no field accepts.
    let path = dir.path().join("type.parquet");
    write(
        &path,
        vec![
            ("customer_id", Arc::new(StringArray::from(vec!["A"]))),
            ("date", money(vec![Some(1)])),
            ("revenue", money(vec![Some(1)])),
        ],
        10,
    );
    let e = read(&path, &ReadOptions::new()).unwrap_err();
    assert!(
        matches!(&e, Error::ColumnType { column, found, .. } if column == "date" && found.contains("Decimal128")),
        "{e}"
    );
}

#[test]
fn empty_and_damaged_files() {
    let dir = tempfile::tempdir().unwrap();
    // No rows: nothing read, no error.
    let path = dir.path().join("empty.parquet");
    write(
        &path,
        vec![
            (
                "customer_id",
                Arc::new(StringArray::from(Vec::<&str>::new())),
            ),
            ("date", Arc::new(Date32Array::from(Vec::<i32>::new()))),
            ("revenue", money(vec![])),
        ],
        10,
    );
    let mut l = ledger();
    let r = crm_parquet::read_transactions(&path, &ReadOptions::new(), &mut l).unwrap();
    assert_eq!((r.rows, l.len()), (0, 0));

    // A file of zero bytes, of text, and a valid file cut short or with its
    // pages overwritten: errors naming the file.
    let good = with_null_revenue(dir.path());
    let bytes = std::fs::read(&good).unwrap();
    let mut cases: Vec<Vec<u8>> = vec![
        Vec::new(),
        b"customer_id,date,revenue\nC1,2024-01-01,1\n".to_vec(),
        bytes[..bytes.len() / 2].to_vec(),
        bytes[..bytes.len() - 1].to_vec(),
    ];
    for at in (4..bytes.len().saturating_sub(8)).step_by(7) {
        let mut b = bytes.clone();
        b[at] ^= 0x5A;
        cases.push(b);
    }
    for (i, b) in cases.into_iter().enumerate() {
        let path = dir.path().join(format!("bad{i}.parquet"));
        std::fs::write(&path, b).unwrap();
        let mut l = ledger();
        // A flipped byte in a value may still read (as another value); any
        // error must name the file, and nothing may panic.
        if let Err(e) = crm_parquet::read_transactions(&path, &ReadOptions::new(), &mut l) {
            assert!(e.to_string().contains(&format!("bad{i}.parquet")), "{e}");
        } else {
            assert!(i >= 4, "case {i} read");
        }
    }
    let e = read(&dir.path().join("nothing.parquet"), &ReadOptions::new()).unwrap_err();
    assert!(matches!(e, Error::Io { .. }), "{e}");
}

/// A file written by `TransactionWriter` carries checksums of its column
/// chunks: any byte flipped inside the chunks a read decodes is an error
/// naming the file, the row group and the column, never a wrong amount
/// (a flipped byte of a snappy literal used to read as another value).
#[test]
fn a_flipped_byte_in_a_data_page_is_caught_by_its_checksum() {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sales.parquet");
    let mut w =
        crm_parquet::TransactionWriter::new(std::fs::File::create(&path).unwrap(), 2).unwrap();
    for i in 0..500u32 {
        let cents = crm_core::Money::new(crm_core::Decimal::new(i64::from(i) * 137 + 5, 2));
        let date = crm_core::NaiveDate::from_ymd_opt(2024, 1 + i % 12, 1 + i % 28).unwrap();
        w.push(None, &format!("C{}", i % 40), date, cents, None)
            .unwrap();
    }
    w.finish().unwrap();
    let mut good = ledger();
    crm_parquet::read_transactions(&path, &ReadOptions::new(), &mut good).unwrap();

    let bytes = std::fs::read(&path).unwrap();
    let meta = SerializedFileReader::new(std::fs::File::open(&path).unwrap())
        .unwrap()
        .metadata()
        .clone();
    let revenue = meta.row_group(0).column(3);
    assert_eq!(revenue.column_path().string(), "revenue");
    let start = revenue
        .dictionary_page_offset()
        .unwrap_or(revenue.data_page_offset()) as usize;
    let end = start + revenue.compressed_size() as usize;
    // Every byte of the chunk's last quarter, its values: each flip is
    // caught.
    for at in (end - (end - start) / 4)..end {
        let mut b = bytes.clone();
        b[at] ^= 0x01;
        let damaged = dir.path().join("damaged.parquet");
        std::fs::write(&damaged, &b).unwrap();
        let mut l = ledger();
        let e = crm_parquet::read_transactions(&damaged, &ReadOptions::new(), &mut l)
            .expect_err("a damaged chunk must not read");
        let text = e.to_string();
        assert!(
            matches!(e, Error::Checksum { row_group: 0, ref column, .. } if column == "revenue"),
            "byte {at}: {text}"
        );
        assert!(
            text.contains("damaged.parquet: row group 0, column revenue: the data is damaged"),
            "{text}"
        );
    }
}
