//! The funnel from lead to order on generated leads: 100,000 customers by
//! default (about 50,000 leads, 160,000 rows of stage changes;
//! `CRM_BENCH_CUSTOMERS` changes the size), per source, with the quality
//! of acquisition over five yearly pyramids.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use crm::ops::{FunnelOptions, GroupBy, funnel};
use crm::pyramid::{PyramidOptions, pyramid};
use crm::synth::{SynthConfig, generate, generate_leads};
use crm::{CustomerKey, Lead, Ledger, Money, Period};

fn customers() -> u32 {
    std::env::var("CRM_BENCH_CUSTOMERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000)
}

fn bench(c: &mut Criterion) {
    let n = customers();
    let config = SynthConfig::new(n).years(5).seed(1);
    let data = generate(&config).expect("generate");
    let rows: Vec<Lead> = generate_leads(&config, &data)
        .expect("leads")
        .into_iter()
        .flat_map(|l| {
            let key = CustomerKey::new(&l.key).expect("a key");
            l.stages
                .iter()
                .map(|&(stage, date)| {
                    let mut r = Lead::new(key.clone(), stage, Money::from(l.value))
                        .with_id(l.id())
                        .entered_on(stage, date);
                    r.owner = Some(l.owner.to_string());
                    r.source = Some(l.source.to_string());
                    r
                })
                .collect::<Vec<_>>()
        })
        .collect();
    let periods: Vec<Period> = (2021..=2025)
        .map(|y| Period::year(y).expect("a year"))
        .collect();
    let keys = data.customer_keys();
    let mut ledger = Ledger::new(periods.iter().copied());
    assert!(ledger.record_sales(&data.sales(&keys)).is_empty());
    let o = PyramidOptions::new();
    let pyramids: Vec<_> = periods
        .iter()
        .map(|p| pyramid(&ledger, p, &o).expect("pyramid"))
        .collect();
    let year = periods[4];
    let options = FunnelOptions::new().by(GroupBy::Source);

    let mut g = c.benchmark_group(format!("funnel/{n}-customers"));
    g.sample_size(10);
    g.throughput(Throughput::Elements(rows.len() as u64));
    g.bench_function(format!("by-source/{}-rows", rows.len()), |b| {
        b.iter(|| black_box(funnel(&rows, &ledger, &pyramids, &year, &options).expect("funnel")))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
