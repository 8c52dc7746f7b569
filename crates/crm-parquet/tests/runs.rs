//! The fast path for runs of one customer's rows gives exactly the ledger
//! of the row-by-row path: same customers in the same order, same totals
//! to the last digit and scale, same statistics, purchase days, rejects
//! and errors; whatever the layout (sorted, clustered, scattered), the
//! row groups, batches, threads and files, and with bad rows, untrimmed
//! or invalid keys, out-of-range dates and amounts near the limits of a
//! decimal in the runs.

use std::path::Path;
use std::sync::Arc;

use arrow_array::{ArrayRef, Date32Array, Decimal128Array, Int64Array, StringArray};
use crm_core::{Ledger, LedgerOptions, Period};
use crm_csv::Mode;
use crm_parquet::{ReadOptions, read_transactions};
use proptest::prelude::*;

use crate::util::write;

#[derive(Debug, Clone)]
struct Row {
    key: &'static str,
    /// Days since 1970-01-01.
    day: i32,
    revenue: Option<i128>,
    margin: Option<i128>,
}

/// Keys: clean ones, one with spaces around it (the same customer as
/// `C1` once trimmed), an empty one (a missing key).
const KEYS: [&str; 7] = ["C1", "C2", "C3", "C4", " C1 ", "", "K"];

/// 2^95: amounts around it meet the 96-bit limit of a decimal after a
/// few additions.
const HUGE: i128 = 1 << 95;

fn amount() -> impl Strategy<Value = i128> {
    prop_oneof![
        8 => -50_000i128..200_000,
        1 => (HUGE - 3)..(HUGE + 3),
        1 => (-HUGE - 3)..(-HUGE + 3),
    ]
}

fn row() -> impl Strategy<Value = Row> {
    (
        prop_oneof![12 => 0usize..4, 1 => 4usize..KEYS.len()],
        prop_oneof![30 => 18_600i32..20_200, 1 => Just(i32::MAX), 1 => Just(i32::MIN)],
        prop_oneof![20 => amount().prop_map(Some), 1 => Just(None)],
        proptest::option::of(amount()),
    )
        .prop_map(|(k, day, revenue, margin)| Row {
            key: KEYS[k],
            day,
            revenue,
            margin,
        })
}

/// How the rows are laid out: as generated (customers scattered), sorted
/// by customer and date (as `crm convert` writes), or each customer's
/// rows together in the order of their first row.
fn arrange(mut rows: Vec<Row>, layout: u8) -> Vec<Row> {
    match layout {
        0 => rows,
        1 => {
            rows.sort_by(|a, b| (a.key, a.day).cmp(&(b.key, b.day)));
            rows
        }
        _ => {
            let mut order: Vec<&str> = Vec::new();
            for r in &rows {
                if !order.contains(&r.key) {
                    order.push(r.key);
                }
            }
            rows.sort_by_key(|r| order.iter().position(|k| *k == r.key));
            rows
        }
    }
}

/// Writes `rows` as `files` files (`part0.parquet`, ...) of row groups of
/// `group` rows; money as `DECIMAL(38, scale)` or, at scale 0 and
/// `ints`, as `INT64`.
fn write_parts(dir: &Path, rows: &[Row], files: usize, group: usize, scale: i8, ints: bool) {
    let per = rows.len().div_ceil(files).max(1);
    for (f, part) in rows.chunks(per).enumerate() {
        let money = |v: Vec<Option<i128>>| -> ArrayRef {
            if ints {
                let v: Vec<Option<i64>> = v
                    .into_iter()
                    .map(|x| x.map(|x| i64::try_from(x).unwrap_or(i64::MAX)))
                    .collect();
                Arc::new(Int64Array::from(v))
            } else {
                Arc::new(
                    Decimal128Array::from(v)
                        .with_precision_and_scale(38, scale)
                        .unwrap(),
                )
            }
        };
        write(
            &dir.join(format!("part{f}.parquet")),
            vec![
                (
                    "customer_id",
                    Arc::new(StringArray::from_iter_values(part.iter().map(|r| r.key))),
                ),
                (
                    "date",
                    Arc::new(Date32Array::from(
                        part.iter().map(|r| r.day).collect::<Vec<_>>(),
                    )),
                ),
                ("revenue", money(part.iter().map(|r| r.revenue).collect())),
                ("margin", money(part.iter().map(|r| r.margin).collect())),
            ],
            group,
        );
    }
}

/// Everything a ledger holds, as text that shows each amount's scale.
fn dump(l: &Ledger) -> Vec<String> {
    let mut out = vec![format!("{:?}", l.stats())];
    for id in l.ids() {
        let mut line = format!("{} {:?}", l.key(id).unwrap(), l.totals(id).unwrap());
        for p in 0..l.periods().len() {
            line.push_str(&format!(" {:?}", l.period_totals(id, p).unwrap()));
        }
        if l.options().purchase_days {
            line.push_str(&format!(" {:?}", l.purchase_day_numbers(id).unwrap()));
        }
        out.push(line);
    }
    out
}

/// The periods 2023 and 2024, then 2022 and 2021 (beyond the two of a
/// customer's record).
fn periods(n: usize) -> Vec<Period> {
    ["2024", "2023", "2022", "2021"][..n]
        .iter()
        .map(|p| p.parse().unwrap())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn runs_give_the_row_by_row_ledger(
        rows in proptest::collection::vec(row(), 0..80),
        layout in 0u8..3,
        files in 1usize..4,
        group in 1usize..30,
        batch in 1usize..20,
        threads in 1usize..4,
        scale in 0i8..4,
        ints in any::<bool>(),
        lenient in any::<bool>(),
        days in any::<bool>(),
        n_periods in 1usize..5,
        // A ledger that already holds some of the customers.
        before in proptest::option::of((0usize..4, amount())),
    ) {
        let rows = arrange(rows, layout);
        let dir = tempfile::tempdir().unwrap();
        write_parts(dir.path(), &rows, files, group, scale, ints && scale == 0);
        let read = |runs: bool| {
            let mut l = Ledger::with_options(
                periods(n_periods),
                LedgerOptions::new().purchase_days(days),
            );
            if let Some((k, v)) = before {
                l.record_sale(
                    KEYS[k],
                    "2024-02-01".parse().unwrap(),
                    crm_core::Money::new(crm_core::Decimal::from_i128_with_scale(v, 2)),
                    None,
                )
                .unwrap();
            }
            let mut options = ReadOptions::new()
                .threads(threads)
                .mode(if lenient { Mode::Lenient } else { Mode::Strict })
                .runs(runs);
            options.batch_rows = batch;
            read_transactions(dir.path(), &options, &mut l)
                .map(|r| (format!("{} {} {:?}", r.rows, r.imported, r.rejects), dump(&l)))
                .map_err(|e| e.to_string())
        };
        let fast = read(true);
        let slow = read(false);
        prop_assert_eq!(fast, slow);
    }
}

/// A file sorted by customer whose runs cross row groups, batches, files
/// and threads: the totals are those of every row.
#[test]
fn runs_across_groups_batches_and_files() {
    let dir = tempfile::tempdir().unwrap();
    let rows: Vec<Row> = (0..60)
        .map(|i| Row {
            key: KEYS[i / 20],
            day: 19_800 + i as i32,
            revenue: Some(150),
            margin: (i % 2 == 0).then_some(50),
        })
        .collect();
    write_parts(dir.path(), &rows, 2, 7, 2, false);
    for threads in [1, 2, 3] {
        for batch in [1, 3, 8192] {
            let mut options = ReadOptions::new().threads(threads);
            options.batch_rows = batch;
            let mut l = Ledger::new(periods(2));
            let report = read_transactions(dir.path(), &options, &mut l).unwrap();
            assert_eq!(report.imported, 60);
            let keys: Vec<_> = l.ids().map(|id| l.key(id).unwrap().to_string()).collect();
            assert_eq!(keys, ["C1", "C2", "C3"]);
            for key in ["C1", "C2", "C3"] {
                let id = l.id(key).unwrap();
                // 2024: days 19,723 to 20,088.
                let t = l.period_totals(id, 0).unwrap();
                assert_eq!(
                    t.transactions(),
                    20,
                    "{key} threads {threads} batch {batch}"
                );
                assert_eq!(t.value(crm_core::Basis::Revenue).to_string(), "30.00");
                assert_eq!(t.value(crm_core::Basis::Margin).to_string(), "5.00");
            }
            assert_eq!(l.stats().transactions_without_margin, 30);
        }
    }
}

/// A run whose amounts cancel out (+3 * 2^93, -3 * 2^93 hundredths)
/// added to a customer already holding 3 * 2^94 hundredths: one by one,
/// the first sum needs more than the 96 bits of a decimal's mantissa and
/// is rounded to fewer decimals, so the customer does not end where it
/// started; the run (its own amounts well within 96 bits) cannot go to
/// the ledger as its exact sum of zero.
#[test]
fn a_run_that_would_round_row_by_row_is_read_row_by_row() {
    let dir = tempfile::tempdir().unwrap();
    let rows: Vec<Row> = [3 << 93, -(3 << 93)]
        .into_iter()
        .map(|v| Row {
            key: "C1",
            day: 19_800,
            revenue: Some(v),
            margin: None,
        })
        .collect();
    write_parts(dir.path(), &rows, 1, 10, 2, false);
    let huge = crm_core::Decimal::from_i128_with_scale(3 << 94, 2);
    let read = |runs: bool| {
        let mut l = Ledger::new(periods(1));
        l.record_sale(
            "C1",
            "2024-02-01".parse().unwrap(),
            crm_core::Money::new(huge),
            None,
        )
        .unwrap();
        let options = ReadOptions::new().runs(runs);
        let r = read_transactions(dir.path(), &options, &mut l).unwrap();
        let id = l.id("C1").unwrap();
        let value = l
            .period_totals(id, 0)
            .unwrap()
            .value(crm_core::Basis::Revenue);
        (r.imported, value.to_string(), dump(&l))
    };
    let fast = read(true);
    assert_eq!(fast.0, 2);
    assert_ne!(fast.1, huge.to_string(), "row by row, the first sum rounds");
    assert_eq!(fast, read(false));
}

/// The same on an empty ledger, the customer's first part coming from a
/// run of the batch before (a run split across batches: its second part
/// meets the totals of the first, which must be looked up).
#[test]
fn a_run_split_across_batches_meets_its_first_part_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let rows: Vec<Row> = [3 << 94, 0, 3 << 93, -(3 << 93)]
        .into_iter()
        .map(|v| Row {
            key: "C1",
            day: 19_800,
            revenue: Some(v),
            margin: None,
        })
        .collect();
    write_parts(dir.path(), &rows, 1, 10, 2, false);
    let read = |runs: bool| {
        let mut l = Ledger::new(periods(1));
        let mut options = ReadOptions::new().runs(runs);
        options.batch_rows = 2;
        read_transactions(dir.path(), &options, &mut l).unwrap();
        let id = l.id("C1").unwrap();
        let value = l
            .period_totals(id, 0)
            .unwrap()
            .value(crm_core::Basis::Revenue);
        (value.to_string(), dump(&l))
    };
    let fast = read(true);
    let first = crm_core::Decimal::from_i128_with_scale(3 << 94, 2);
    assert_ne!(
        fast.0,
        first.to_string(),
        "row by row, the third row rounds"
    );
    assert_eq!(fast, read(false));
}
