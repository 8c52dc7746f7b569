//! Ledger and pyramid on a generated customer base held in memory:
//! 1M customers and about 10M transactions by default
//! (`CRM_BENCH_CUSTOMERS` changes the size).

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use crm::pyramid::{PyramidOptions, pyramid};
use crm::synth::{SynthConfig, generate};
use crm::{Ledger, Period};

fn customers() -> u32 {
    std::env::var("CRM_BENCH_CUSTOMERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000)
}

fn bench(c: &mut Criterion) {
    let n = customers();
    let data = generate(&SynthConfig::new(n).years(5).seed(1)).expect("generate");
    let keys = data.customer_keys();
    let sales = data.sales(&keys);
    let year: Period = "2025".parse().expect("period");
    let periods = [year, year.previous_calendar().expect("2024")];
    let build = || {
        let mut l = Ledger::new(periods);
        for batch in sales.chunks(256) {
            assert!(l.record_sales(batch).is_empty());
        }
        l
    };

    let mut g = c.benchmark_group(format!("ledger/{n}-customers"));
    g.sample_size(10);
    g.throughput(Throughput::Elements(sales.len() as u64));
    g.bench_function(format!("record_sales/{}-transactions", sales.len()), |b| {
        b.iter(|| black_box(build()))
    });
    g.bench_function("record_sale/one-by-one", |b| {
        b.iter(|| {
            let mut l = Ledger::new(periods);
            for s in &sales {
                l.record_sale(s.key, s.date, s.revenue, s.margin)
                    .expect("valid");
            }
            black_box(l)
        })
    });
    g.finish();

    let ledger = build();
    let mut g = c.benchmark_group(format!("pyramid/{n}-customers"));
    g.sample_size(10);
    g.throughput(Throughput::Elements(ledger.len() as u64));
    g.bench_function("pyramid", |b| {
        b.iter(|| black_box(pyramid(&ledger, &year, &PyramidOptions::new()).expect("pyramid")))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
