//! The SQLite store: import throughput (rows/s) and reading a ledger back
//! from the store versus from the CSV file, on a generated data set of
//! 100k customers (about 1M transactions; `CRM_BENCH_STORE_CUSTOMERS`
//! changes it).

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use crm::csv::{ImportOptions, read_transactions, transactions};
use crm::store::{SqliteStore, Store, load_ledger};
use crm::synth::{SynthConfig, write_dataset};
use crm::{Ledger, Period};

fn bench(c: &mut Criterion) {
    let n: u32 = std::env::var("CRM_BENCH_STORE_CUSTOMERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let written = write_dataset(&SynthConfig::new(n).years(5).seed(1), dir.path()).expect("write");
    let csv = written.transactions;
    let rows = written.rows[0] as u64;
    let year: Period = "2025".parse().expect("period");
    let periods = [year, year.previous_calendar().expect("2024")];
    let import = |db: &std::path::Path| {
        let _ = std::fs::remove_file(db);
        let mut store = SqliteStore::open(db).expect("open");
        let f = std::fs::File::open(&csv).expect("csv");
        let mut it = transactions(std::io::BufReader::new(f), &csv, &ImportOptions::new())
            .expect("header")
            .map(|r| r.map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>));
        store.import_transactions(&mut it).expect("import")
    };

    let mut g = c.benchmark_group(format!("store/{rows}-transactions"));
    g.sample_size(10);
    g.throughput(Throughput::Elements(rows));
    let db = dir.path().join("bench.db");
    g.bench_function("import", |b| b.iter(|| black_box(import(&db))));
    import(&db);
    let store = SqliteStore::open(&db).expect("open");
    g.bench_function("ledger-from-store", |b| {
        b.iter(|| {
            let mut l = Ledger::new(periods);
            load_ledger(&store, &mut l).expect("load");
            black_box(l)
        })
    });
    g.bench_function("ledger-from-csv", |b| {
        b.iter(|| {
            let mut l = Ledger::new(periods);
            read_transactions(&csv, &ImportOptions::new(), &mut l).expect("read");
            black_box(l)
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
