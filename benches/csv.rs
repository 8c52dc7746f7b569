//! CSV ingestion throughput (MB/s) on a generated transactions file:
//! 200k customers, about 2M rows and 90 MB by default
//! (`CRM_BENCH_CSV_CUSTOMERS` changes the size), on one thread and on all.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use crm::csv::{ImportOptions, read_transactions};
use crm::synth::{SynthConfig, write_dataset};
use crm::{Ledger, Period};

fn bench(c: &mut Criterion) {
    let n: u32 = std::env::var("CRM_BENCH_CSV_CUSTOMERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(200_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let written = write_dataset(&SynthConfig::new(n).years(5).seed(1), dir.path()).expect("write");
    let path = written.transactions;
    let bytes = std::fs::metadata(&path).expect("size").len();
    let year: Period = "2025".parse().expect("period");

    let mut g = c.benchmark_group(format!("csv/transactions-{}MB", bytes >> 20));
    g.sample_size(10);
    g.throughput(Throughput::Bytes(bytes));
    for threads in [1, 0] {
        let name = if threads == 1 {
            "read_transactions/1-thread".to_string()
        } else {
            "read_transactions/all-cores".to_string()
        };
        g.bench_function(name, |b| {
            b.iter(|| {
                let mut l = Ledger::new([year, year.previous_calendar().expect("2024")]);
                read_transactions(&path, &ImportOptions::new().threads(threads), &mut l)
                    .expect("import");
                black_box(l)
            })
        });
    }
    g.bench_function("transactions-iterator/1-thread", |b| {
        b.iter(|| {
            let f = std::fs::File::open(&path).expect("open");
            let it =
                crm::csv::transactions(std::io::BufReader::new(f), &path, &ImportOptions::new())
                    .expect("header");
            black_box(it.map(|t| t.expect("valid").revenue).sum::<crm::Money>())
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
