//! Each Arrow type of each field, read as the CSV reader would read the
//! same values.

use std::sync::Arc;

use arrow_array::ArrowPrimitiveType;
use arrow_array::types::{Decimal256Type, Int32Type};

type I256 = <Decimal256Type as ArrowPrimitiveType>::Native;
use arrow_array::{
    ArrayRef, Date32Array, Date64Array, Decimal128Array, Decimal256Array, DictionaryArray,
    Float32Array, Float64Array, Int64Array, LargeStringArray, StringArray, StringViewArray,
    TimestampMillisecondArray, TimestampNanosecondArray, TimestampSecondArray, UInt32Array,
};
use crm_core::{Decimal, Ledger, NaiveDate};
use crm_parquet::{Error, ReadOptions};

use crate::util::{ledger, read, totals, write};

fn keys() -> ArrayRef {
    Arc::new(StringArray::from(vec!["C1", "C2", " C1 "]))
}

/// 2024-03-01, 2024-06-30, 2023-12-31 as days since 1970-01-01.
fn dates() -> ArrayRef {
    Arc::new(Date32Array::from(vec![19783, 19904, 19722]))
}

fn money(p: u8, s: i8, v: Vec<i128>) -> ArrayRef {
    Arc::new(
        Decimal128Array::from(v)
            .with_precision_and_scale(p, s)
            .unwrap(),
    )
}

fn read_cols(cols: Vec<(&str, ArrayRef)>, options: &ReadOptions) -> crm_parquet::Result<Ledger> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.parquet");
    write(&path, cols, 1024);
    read(&path, options)
}

#[test]
fn decimals_of_each_physical_type() {
    // Precision 9 is stored as int32, 18 as int64, 38 as a fixed-length
    // byte array.
    for p in [9, 18, 38] {
        let l = read_cols(
            vec![
                ("customer_id", keys()),
                ("date", dates()),
                ("revenue", money(p, 2, vec![1250, -250, 999])),
                ("margin", money(p, 3, vec![1, 2, 3])),
            ],
            &ReadOptions::new(),
        )
        .unwrap();
        assert_eq!(
            totals(&l, "C1"),
            ("12.50".into(), "0.001".into(), 1),
            "p {p}"
        );
        assert_eq!(
            totals(&l, "C2"),
            ("-2.50".into(), "0.002".into(), 1),
            "p {p}"
        );
        assert_eq!(l.stats().transactions, 3);
    }
}

#[test]
fn decimal256() {
    let big: ArrayRef = Arc::new(
        Decimal256Array::from(vec![
            I256::from_i128(1250),
            I256::from_i128(7),
            I256::from_i128(1),
        ])
        .with_precision_and_scale(60, 2)
        .unwrap(),
    );
    let l = read_cols(
        vec![
            ("customer_id", keys()),
            ("date", dates()),
            ("revenue", big),
            ("margin", money(10, 0, vec![300, 4, 5])),
        ],
        &ReadOptions::new(),
    )
    .unwrap();
    assert_eq!(totals(&l, "C1"), ("12.50".into(), "300".into(), 1));
}

#[test]
fn keys_of_each_type() {
    let dict: DictionaryArray<Int32Type> = vec!["C1", "C2", "C1"].into_iter().collect();
    let all: Vec<ArrayRef> = vec![
        keys(),
        Arc::new(LargeStringArray::from(vec!["C1", "C2", "C1"])),
        Arc::new(StringViewArray::from(vec!["C1", "C2", "C1"])),
        Arc::new(dict),
    ];
    for k in all {
        let dt = k.data_type().clone();
        let l = read_cols(
            vec![
                ("customer_id", k),
                ("date", dates()),
                ("revenue", money(10, 2, vec![100, 200, 300])),
            ],
            &ReadOptions::new(),
        )
        .unwrap();
        assert_eq!(totals(&l, "C1").0, "1.00", "{dt}");
        assert_eq!(totals(&l, "C2").0, "2.00", "{dt}");
    }
    // Integer ids are keys written in decimal.
    for k in [
        Arc::new(Int64Array::from(vec![17, -3, 17])) as ArrayRef,
        Arc::new(UInt32Array::from(vec![17, 3, 17])),
    ] {
        let l = read_cols(
            vec![
                ("customer_id", k),
                ("date", dates()),
                ("revenue", money(10, 2, vec![100, 200, 300])),
            ],
            &ReadOptions::new(),
        )
        .unwrap();
        assert_eq!(totals(&l, "17").0, "1.00");
        assert_eq!(l.len(), 2);
    }
}

/// The date of the one sale read from a date column.
fn date_of(col: ArrayRef) -> crm_parquet::Result<NaiveDate> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.parquet");
    write(
        &path,
        vec![
            ("customer_id", Arc::new(StringArray::from(vec!["C1"]))),
            ("date", col),
            ("revenue", money(10, 2, vec![100])),
        ],
        10,
    );
    let mut l = Ledger::new(["1960-01-01..2100-01-01"
        .parse::<crm_core::Period>()
        .unwrap()]);
    crm_parquet::read_transactions(&path, &ReadOptions::new(), &mut l)?;
    Ok(l.totals(l.id("C1").unwrap())
        .unwrap()
        .first_transaction()
        .unwrap())
}

#[test]
fn dates_and_timestamps() {
    let d = |s: &str| s.parse::<NaiveDate>().unwrap();
    assert_eq!(
        date_of(Arc::new(Date32Array::from(vec![19783]))).unwrap(),
        d("2024-03-01")
    );
    assert_eq!(
        date_of(Arc::new(Date64Array::from(vec![19783 * 86_400_000 + 5]))).unwrap(),
        d("2024-03-01")
    );
    // 2024-03-01 23:30:00 UTC.
    let t = 19783 * 86_400 + 23 * 3600 + 1800;
    // Without a zone: the date as written.
    assert_eq!(
        date_of(Arc::new(TimestampSecondArray::from(vec![t]))).unwrap(),
        d("2024-03-01")
    );
    // In UTC: the UTC date.
    assert_eq!(
        date_of(Arc::new(
            TimestampMillisecondArray::from(vec![t * 1000]).with_timezone("UTC")
        ))
        .unwrap(),
        d("2024-03-01")
    );
    // At +02:00 the same instant is on the next day there.
    assert_eq!(
        date_of(Arc::new(
            TimestampNanosecondArray::from(vec![t * 1_000_000_000]).with_timezone("+02:00")
        ))
        .unwrap(),
        d("2024-03-02")
    );
    // Before 1970: days round down, not towards zero.
    assert_eq!(
        date_of(Arc::new(TimestampSecondArray::from(vec![-1]))).unwrap(),
        d("1969-12-31")
    );
    // Strings as in CSV, day first.
    assert_eq!(
        date_of(Arc::new(StringArray::from(vec!["01-03-2024"]))).unwrap(),
        d("2024-03-01")
    );
    // A named zone is refused, naming the column and the zone.
    let e = date_of(Arc::new(
        TimestampSecondArray::from(vec![t]).with_timezone("Europe/Amsterdam"),
    ))
    .unwrap_err();
    assert!(
        matches!(e, Error::ColumnType { ref column, .. } if column == "date"),
        "{e}"
    );
    assert!(e.to_string().contains("Europe/Amsterdam"), "{e}");
}

#[test]
fn money_from_integers_and_strings() {
    let l = read_cols(
        vec![
            ("customer_id", keys()),
            ("date", dates()),
            ("revenue", Arc::new(Int64Array::from(vec![12, -3, 1]))),
            (
                "margin",
                Arc::new(StringArray::from(vec!["1.50", "", " 2 "])),
            ),
        ],
        &ReadOptions::new(),
    )
    .unwrap();
    assert_eq!(totals(&l, "C1"), ("12".into(), "1.50".into(), 1));
    // An empty margin is unknown, as in CSV.
    assert_eq!(l.stats().transactions_without_margin, 1);
    let comma = read_cols(
        vec![
            ("customer_id", keys()),
            ("date", dates()),
            (
                "revenue",
                Arc::new(StringArray::from(vec!["12,50", "1", "2"])),
            ),
        ],
        &ReadOptions::new().decimal(crm_csv::DecimalSeparator::Comma),
    )
    .unwrap();
    assert_eq!(totals(&comma, "C1").0, "12.50");
}

#[test]
fn floats_only_on_request() {
    let cols = || -> Vec<(&str, ArrayRef)> {
        vec![
            ("customer_id", keys()),
            ("date", dates()),
            ("revenue", Arc::new(Float64Array::from(vec![0.1, 0.2, 0.3]))),
            ("margin", Arc::new(Float32Array::from(vec![0.1, 0.2, 0.3]))),
        ]
    };
    let e = read_cols(cols(), &ReadOptions::new()).unwrap_err();
    match &e {
        Error::ColumnType {
            column, expected, ..
        } => {
            assert_eq!(column, "revenue");
            assert!(expected.contains("float"), "{e}");
        }
        other => panic!("{other}"),
    }
    let l = read_cols(cols(), &ReadOptions::new().float_money(true)).unwrap();
    // 0.1 as its shortest text, not 0.1000000000000000055511151231257827.
    assert_eq!(totals(&l, "C1"), ("0.1".into(), "0.1".into(), 1));
}

#[test]
fn decimals_at_the_edge_of_the_range() {
    let max = Decimal::MAX.mantissa();
    let l = read_cols(
        vec![
            (
                "customer_id",
                Arc::new(StringArray::from(vec!["A", "B", "C"])),
            ),
            ("date", dates()),
            ("revenue", money(38, 0, vec![max, -max, 1])),
            // The smallest step Decimal holds: 28 decimals.
            ("margin", money(38, 28, vec![1, -1, 5 * 10i128.pow(27)])),
        ],
        &ReadOptions::new(),
    )
    .unwrap();
    assert_eq!(totals(&l, "A").0, Decimal::MAX.to_string());
    assert_eq!(totals(&l, "B").0, Decimal::MIN.to_string());
    assert_eq!(totals(&l, "A").1, "0.0000000000000000000000000001");
    // The C row is dated 2023: its margin is in 2023's totals.
    let c = l.id("C").unwrap();
    assert_eq!(
        l.period_totals(c, 0)
            .unwrap()
            .value(crm_core::Basis::Margin)
            .to_string(),
        "0.5000000000000000000000000000"
    );
    // One past the largest mantissa: an error at its row and column.
    let e = read_cols(
        vec![
            (
                "customer_id",
                Arc::new(StringArray::from(vec!["A", "B", "C"])),
            ),
            ("date", dates()),
            ("revenue", money(38, 0, vec![1, max + 1, 1])),
        ],
        &ReadOptions::new(),
    )
    .unwrap_err();
    let p = e.position().unwrap_or_else(|| panic!("{e}"));
    assert_eq!((p.row, p.column.as_deref()), (2, Some("revenue")), "{e}");
    assert!(
        e.to_string().contains("79228162514264337593543950336"),
        "{e}"
    );
    // Scale 29 with a non-zero last digit would round: refused.
    let e = read_cols(
        vec![
            ("customer_id", keys()),
            ("date", dates()),
            ("revenue", money(38, 29, vec![10, 11, 10])),
        ],
        &ReadOptions::new(),
    )
    .unwrap_err();
    assert_eq!(e.position().map(|p| p.row), Some(2), "{e}");
    let _ = ledger();
}
