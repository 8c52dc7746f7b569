//! The Parquet reader against the CSV reader on the same generated
//! transactions (200k customers over five years, about 2M rows by default;
//! `CRM_BENCH_PARQUET_CUSTOMERS` changes the size), on one thread and on
//! all, in rows per second: the CSV and a Parquet file in its date order,
//! and a Parquet file sorted by customer and date (as `crm convert`
//! writes) read with runs of a customer's rows added up (the default) and
//! row by row.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use crm_core::{Ledger, Period};
use crm_csv::ImportOptions;
use crm_parquet::{ReadOptions, TransactionWriter};
use crm_synth::{SynthConfig, write_dataset};

fn bench(c: &mut Criterion) {
    let n: u32 = std::env::var("CRM_BENCH_PARQUET_CUSTOMERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(200_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let written = write_dataset(&SynthConfig::new(n).years(5).seed(1), dir.path()).expect("write");
    let csv = written.transactions;
    let pq = dir.path().join("transactions.parquet");
    let opened = std::fs::File::open(&csv).expect("open");
    let all: Vec<_> = crm_csv::transactions(opened, &csv, &ImportOptions::new())
        .expect("csv")
        .map(|t| t.expect("row"))
        .collect();
    let rows = all.len() as u64;
    let write = |path: &std::path::Path, sorted: bool, all: &[crm_core::Transaction]| {
        let file = std::fs::File::create(path).expect("create");
        let mut w = TransactionWriter::with_layout(std::io::BufWriter::new(file), 18, 2, sorted)
            .expect("writer");
        for t in all {
            w.push(
                t.id.as_deref(),
                t.customer.as_str(),
                t.date,
                t.revenue,
                t.margin,
            )
            .expect("push");
        }
        w.finish().expect("finish");
    };
    write(&pq, false, &all);
    let mut sorted = all;
    sorted.sort_by(|a, b| (a.customer.as_str(), a.date).cmp(&(b.customer.as_str(), b.date)));
    let pq_sorted = dir.path().join("sorted.parquet");
    write(&pq_sorted, true, &sorted);
    drop(sorted);
    let year: Period = "2025".parse().expect("period");
    let ledger = || Ledger::new([year, year.previous_calendar().expect("2024")]);

    let mut g = c.benchmark_group(format!("transactions-{}k-rows", rows / 1000));
    g.sample_size(10);
    g.throughput(Throughput::Elements(rows));
    for (threads, name) in [(1, "1-thread"), (0, "all-cores")] {
        g.bench_function(format!("parquet/{name}"), |b| {
            b.iter(|| {
                let mut l = ledger();
                crm_parquet::read_transactions(&pq, &ReadOptions::new().threads(threads), &mut l)
                    .expect("parquet");
                black_box(l)
            })
        });
        for (runs, how) in [(true, "runs"), (false, "row-by-row")] {
            g.bench_function(format!("parquet-sorted-{how}/{name}"), |b| {
                b.iter(|| {
                    let mut l = ledger();
                    let options = ReadOptions::new().threads(threads).runs(runs);
                    crm_parquet::read_transactions(&pq_sorted, &options, &mut l).expect("parquet");
                    black_box(l)
                })
            });
        }
        g.bench_function(format!("csv/{name}"), |b| {
            b.iter(|| {
                let mut l = ledger();
                crm_csv::read_transactions(&csv, &ImportOptions::new().threads(threads), &mut l)
                    .expect("csv");
                black_box(l)
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
