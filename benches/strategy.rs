//! Facts and the default rulebook over a generated customer base: 1M
//! customers by default (`CRM_BENCH_CUSTOMERS` changes the size), and rule
//! evaluation alone per customer per rule.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use crm::pyramid::{PyramidOptions, pyramid};
use crm::strategy::{Facts, FactsBuilder, Rulebook, decide, overview, plan};
use crm::synth::{SynthConfig, generate};
use crm::{Channel, Customer, CustomerKey, Ledger, LedgerOptions, Money, Period};

fn customers() -> u32 {
    std::env::var("CRM_BENCH_CUSTOMERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000)
}

fn bench(c: &mut Criterion) {
    let n = customers();
    let data = generate(&SynthConfig::new(n).years(3).seed(7)).expect("generate");
    let keys = data.customer_keys();
    let sales = data.sales(&keys);
    let y25: Period = "2025".parse().expect("period");
    let y24 = y25.previous_calendar().expect("2024");
    let y23 = y24.previous_calendar().expect("2023");
    let mut ledger = Ledger::with_options([y25, y24, y23], LedgerOptions::new());
    for batch in sales.chunks(256) {
        assert!(ledger.record_sales(batch).is_empty());
    }
    for i in &data.interactions {
        ledger
            .record_contact(&i.key, i.date, i.kind)
            .expect("contact");
    }
    let register: Vec<Customer> = data
        .parties
        .iter()
        .map(|p| {
            let mut c = Customer::new(CustomerKey::new(p.key.clone()).expect("key"), p.stage);
            c.segment = Some(p.segment.to_string());
            c.potential = Some(Money::from_minor(p.potential_cents, 2));
            for (ch, given) in Channel::ALL.iter().zip(p.consent) {
                c.consent.set(*ch, Some(given));
            }
            c
        })
        .collect();
    for c in &register {
        ledger.add_customer(c).expect("register");
    }
    let opts = PyramidOptions::new();
    let p25 = pyramid(&ledger, &y25, &opts).expect("pyramid");
    let p24 = pyramid(&ledger, &y24, &opts).expect("pyramid");
    let p23 = pyramid(&ledger, &y23, &opts).expect("pyramid");
    let book = Rulebook::curry();
    let build = || {
        FactsBuilder::new(&ledger, &p25)
            .history([&p24, &p23])
            .register(&register)
            .build()
            .expect("facts")
    };
    let table = build();
    let people = table.customers().len() as u64;

    let mut g = c.benchmark_group(format!("strategy/{people}-customers"));
    g.sample_size(10);
    g.throughput(Throughput::Elements(people));
    g.bench_function("facts-build", |b| b.iter(|| black_box(build())));
    g.bench_function("facts-and-decide", |b| {
        b.iter(|| {
            let mut acted = 0u64;
            decide(&table, &book, |_, fired| acted += fired.len() as u64);
            black_box(acted)
        })
    });
    g.bench_function("plan-default-rulebook", |b| {
        b.iter(|| black_box(plan(&table, &book)))
    });
    // What the table of `crm actions` builds: the counts of every action
    // and the 25 most urgent.
    g.bench_function("overview-default-rulebook", |b| {
        b.iter(|| black_box(overview(&table, &book, 25, |_, _| true)))
    });
    g.finish();

    // Rule evaluation alone: every rule on facts already filled, so that
    // time per element is per customer per rule.
    let all = Rulebook::from_toml(
        &crm::strategy::DEFAULT_RULES
            .replace("policy = \"best-priority\"", "policy = \"all-matches\""),
    )
    .expect("rules");
    let sample: Vec<Facts<'_>> = table
        .customers()
        .iter()
        .take(100_000)
        .map(|&id| table.facts(id).unwrap())
        .collect();
    let mut g = c.benchmark_group("strategy/evaluate");
    g.throughput(Throughput::Elements(
        sample.len() as u64 * all.rules().len() as u64,
    ));
    g.bench_function("per-customer-per-rule", |b| {
        b.iter(|| {
            let mut fired = 0usize;
            for f in &sample {
                fired += all.fired(f).len();
            }
            black_box(fired)
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
