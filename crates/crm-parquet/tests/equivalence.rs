//! CSV and Parquet of the same rows give the same ledger, pyramids and
//! migration, whatever the row groups and threads.

use std::sync::Arc;

use arrow_array::{ArrayRef, Date32Array, Decimal128Array, StringArray};
use crm_core::{Datelike, Decimal, Ledger, NaiveDate, Period};
use crm_pyramid::{PyramidOptions, pyramid};
use proptest::prelude::*;

use crate::util::write;

#[derive(Debug, Clone)]
struct Row {
    key: String,
    date: NaiveDate,
    revenue: Decimal,
    margin: Option<Decimal>,
}

fn row() -> impl Strategy<Value = Row> {
    (
        0u8..12,
        0i64..(4 * 365),
        -50_000i64..200_000,
        0u32..4,
        proptest::option::of(-50_000i64..100_000),
    )
        .prop_map(|(k, d, r, s, m)| Row {
            key: format!("C{k}"),
            date: NaiveDate::from_ymd_opt(2022, 1, 1).unwrap() + chrono_days(d),
            revenue: Decimal::new(r, s),
            margin: m.map(|m| Decimal::new(m, 2)),
        })
}

fn chrono_days(d: i64) -> crm_core::Days {
    crm_core::Days::new(d as u64)
}

fn periods() -> Vec<Period> {
    ["2022", "2023", "2024", "2025"]
        .iter()
        .map(|p| p.parse().unwrap())
        .collect()
}

/// Customers in order, every period's assignments, and a migration:
/// values compared as numbers (`12.5` is `12.50`: a DECIMAL column has
/// one scale, a CSV field its own).
#[allow(clippy::type_complexity)]
fn summary(
    l: &Ledger,
) -> (
    Vec<String>,
    Vec<(String, crm_pyramid::Level, Option<u64>, crm_core::Money)>,
    crm_migration::Migration,
) {
    let options = PyramidOptions::new();
    let keys = l.ids().map(|id| l.key(id).unwrap().to_string()).collect();
    let mut assigned = Vec::new();
    for p in periods() {
        let py = pyramid(l, &p, &options).unwrap();
        for a in py.assignments(l).unwrap() {
            assigned.push((a.customer.to_string(), a.level, a.rank, a.value));
        }
    }
    let m = crm_migration::migration(l, &periods()[1], &periods()[2], &options).unwrap();
    (keys, assigned, m)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn csv_and_parquet_agree(
        rows in proptest::collection::vec(row(), 0..120),
        group in 1usize..40,
        threads in 1usize..4,
        sorted in any::<bool>(),
        batch in prop_oneof![Just(8192usize), 1usize..16],
    ) {
        // As exported (customers scattered), or sorted by customer and
        // date as `crm convert` writes: runs of a customer's rows.
        let mut rows = rows;
        if sorted {
            rows.sort_by(|a, b| (&a.key, a.date).cmp(&(&b.key, b.date)));
        }
        let dir = tempfile::tempdir().unwrap();
        let mut csv = String::from("transaction_id,customer_id,date,revenue,margin\n");
        for (i, r) in rows.iter().enumerate() {
            csv.push_str(&format!(
                "T{i},{},{},{},{}\n",
                r.key,
                r.date,
                r.revenue,
                r.margin.map(|m| m.to_string()).unwrap_or_default()
            ));
        }
        let csv_path = dir.path().join("t.csv");
        std::fs::write(&csv_path, csv).unwrap();
        let scale = rows.iter().map(|r| r.revenue.scale()).max().unwrap_or(0).max(2);
        let unscaled = |d: Decimal| {
            let mut d = d;
            d.rescale(scale);
            d.mantissa()
        };
        let dec = |v: Vec<Option<i128>>| -> ArrayRef {
            Arc::new(Decimal128Array::from(v).with_precision_and_scale(38, scale as i8).unwrap())
        };
        let pq_path = dir.path().join("t.parquet");
        write(
            &pq_path,
            vec![
                ("customer_id", Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.key.as_str())))),
                ("date", Arc::new(Date32Array::from(rows.iter().map(|r| r.date.num_days_from_ce() - 719_163).collect::<Vec<_>>()))),
                ("revenue", dec(rows.iter().map(|r| Some(unscaled(r.revenue))).collect())),
                ("margin", dec(rows.iter().map(|r| r.margin.map(unscaled)).collect())),
            ],
            group,
        );
        let mut from_csv = Ledger::new(periods());
        crm_csv::read_transactions(&csv_path, &crm_csv::ImportOptions::new(), &mut from_csv).unwrap();
        let mut from_pq = Ledger::new(periods());
        let mut options = crm_parquet::ReadOptions::new().threads(threads);
        options.batch_rows = batch;
        let report = crm_parquet::read_transactions(&pq_path, &options, &mut from_pq).unwrap();
        prop_assert_eq!(report.imported, rows.len() as u64);
        prop_assert_eq!(from_csv.stats(), from_pq.stats());
        prop_assert_eq!(summary(&from_csv), summary(&from_pq));
    }
}
