//! Result tables and transactions written as Parquet, read back.

use arrow_array::RecordBatch;
use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Decimal128Type, Int64Type};
use arrow_schema::DataType;
use crm_core::{Decimal, Money};
use crm_parquet::{Column, ColumnData, ReadOptions, TransactionWriter, write_table};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use crate::util::{read, totals};

fn read_back(bytes: Vec<u8>) -> RecordBatch {
    let mut f = tempfile::tempfile().unwrap();
    std::io::Write::write_all(&mut f, &bytes).unwrap();
    let r = ParquetRecordBatchReaderBuilder::try_new(f)
        .unwrap()
        .build()
        .unwrap();
    let mut batches: Vec<_> = r.map(Result::unwrap).collect();
    assert_eq!(batches.len(), 1);
    batches.remove(0)
}

#[test]
fn a_table_keeps_types_and_exact_decimals() {
    let mut out = Vec::new();
    write_table(
        &mut out,
        &[
            Column::infer("customer", ["C1", "007", ""]),
            Column::infer("level", ["top", "big", "inactive"]),
            Column::infer("rank", ["1", "2", ""]),
            Column::infer("value", ["1234.5", "0.001", "-3"]),
            Column::infer("date", ["2024-01-31", "", "2024-02-29"]),
            Column::new(
                "blocked",
                ColumnData::Bool(vec![Some(true), None, Some(false)]),
            ),
        ],
    )
    .unwrap();
    let b = read_back(out);
    let types: Vec<_> = b
        .schema()
        .fields()
        .iter()
        .map(|f| f.data_type().clone())
        .collect();
    assert_eq!(
        types,
        [
            DataType::Utf8,
            DataType::Utf8,
            DataType::Int64,
            DataType::Decimal128(38, 3),
            DataType::Date32,
            DataType::Boolean
        ]
    );
    assert_eq!(b.column(0).as_string::<i32>().value(1), "007");
    assert!(b.column(0).is_null(2));
    assert_eq!(b.column(2).as_primitive::<Int64Type>().value(1), 2);
    let v = b.column(3).as_primitive::<Decimal128Type>();
    assert_eq!((v.value(0), v.value(1), v.value(2)), (1_234_500, 1, -3000));
    assert_eq!(b.column(4).as_primitive::<Date32Type>().value(0), 19753);
}

#[test]
fn bad_tables_are_refused() {
    let e = write_table(
        Vec::new(),
        &[Column::infer("a", ["1"]), Column::infer("b", ["1", "2"])],
    )
    .unwrap_err();
    assert!(e.to_string().contains("column b has 2 values"), "{e}");
    let e = write_table(
        Vec::new(),
        &[Column::infer("a", ["1"]), Column::infer("a", ["1"])],
    )
    .unwrap_err();
    assert!(e.to_string().contains("twice"), "{e}");
    // Decimal::MAX at scale 28 (the smallest step beside it) needs 57
    // digits: refused, not rounded.
    let e = write_table(
        Vec::new(),
        &[Column::new(
            "v",
            ColumnData::Decimal(vec![Some(Decimal::MAX), Some(Decimal::new(1, 28))]),
        )],
    )
    .unwrap_err();
    assert!(
        e.to_string().contains("does not fit DECIMAL(38, 28)"),
        "{e}"
    );
    // An empty table is a valid file.
    let mut out = Vec::new();
    write_table(&mut out, &[Column::infer("a", Vec::<&str>::new())]).unwrap();
    assert_eq!(&out[..4], b"PAR1");
}

#[test]
fn transactions_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.parquet");
    let mut w = TransactionWriter::new(std::fs::File::create(&path).unwrap(), 3).unwrap();
    let m = |s: &str| s.parse::<Money>().unwrap();
    let d = "2024-05-01".parse().unwrap();
    w.push(Some("T1"), "C1", d, m("1.5"), Some(m("0.125")))
        .unwrap();
    w.push(None, "C1", d, m("-0.5"), None).unwrap();
    // More decimals than the scale: refused, not rounded.
    let e = w.push(None, "C2", d, m("0.0001"), None).unwrap_err();
    assert!(e.to_string().contains("does not fit DECIMAL(38, 3)"), "{e}");
    w.finish().unwrap();
    let l = read(&path, &ReadOptions::new()).unwrap();
    assert_eq!(totals(&l, "C1"), ("1.000".into(), "0.125".into(), 2));
    assert_eq!(l.len(), 1);
    assert!(TransactionWriter::new(Vec::new(), 29).is_err());
    assert!(TransactionWriter::with_precision(Vec::new(), 1, 2).is_err());
    assert!(TransactionWriter::with_precision(Vec::new(), 39, 2).is_err());
    // Precision 5: 123.45 fits, 1234.50 does not.
    let path = dir.path().join("p.parquet");
    let mut w =
        TransactionWriter::with_precision(std::fs::File::create(&path).unwrap(), 5, 2).unwrap();
    w.push(None, "C1", d, m("-123.45"), None).unwrap();
    let e = w.push(None, "C1", d, m("1234.5"), None).unwrap_err();
    assert!(e.to_string().contains("does not fit DECIMAL(5, 2)"), "{e}");
    w.finish().unwrap();
    assert_eq!(
        read(&path, &ReadOptions::new())
            .map(|l| totals(&l, "C1").0)
            .unwrap(),
        "-123.45"
    );
    assert_eq!(crm_parquet::digits(m("-1234.5").as_decimal(), 2), 6);
}

/// A sorted layout is declared in each row group's `sorting_columns`
/// (customer_id, then date, ascending); the default declares none.
#[test]
fn a_sorted_layout_is_declared() {
    let d = "2024-05-01".parse().unwrap();
    let sorting = |sorted: bool| {
        let mut w = TransactionWriter::with_layout(Vec::new(), 18, 2, sorted).unwrap();
        w.push(None, "A", d, "1.50".parse().unwrap(), None).unwrap();
        w.push(None, "B", d, "2".parse().unwrap(), None).unwrap();
        let mut f = tempfile::tempfile().unwrap();
        std::io::Write::write_all(&mut f, &w.finish().unwrap()).unwrap();
        let r = ParquetRecordBatchReaderBuilder::try_new(f).unwrap();
        r.metadata().row_groups()[0].sorting_columns().map(|c| {
            c.iter()
                .map(|s| (s.column_idx, s.descending))
                .collect::<Vec<_>>()
        })
    };
    assert_eq!(sorting(true), Some(vec![(1, false), (2, false)]));
    assert_eq!(sorting(false), None);
}
