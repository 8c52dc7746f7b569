//! Fitting the models on the CDNOW sample (2,357 customers) and on a
//! simulated data set of 1M customers.

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use crm_clv::{
    BgBb, BgNbd, FitOptions, GammaGamma, LifetimeOptions, MbgNbd, ParetoNbd, PurchaseModel,
    Summary, TimeUnit, lifetime_value, read_summaries, simulate,
};

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn cdnow(c: &mut Criterion) {
    let cdnow = read_summaries(data("cdnow_customers_summary_with_transactions.csv")).unwrap();
    let donations = read_summaries(data("donations.csv")).unwrap();
    let o = FitOptions::new();
    let mut g = c.benchmark_group("fit_cdnow");
    g.bench_function("bg_nbd", |b| {
        b.iter(|| BgNbd::fit(black_box(&cdnow), &o).unwrap())
    });
    g.bench_function("mbg_nbd", |b| {
        b.iter(|| MbgNbd::fit(black_box(&cdnow), &o).unwrap())
    });
    g.bench_function("pareto_nbd", |b| {
        b.iter(|| ParetoNbd::fit(black_box(&cdnow), &o).unwrap())
    });
    g.bench_function("gamma_gamma", |b| {
        b.iter(|| GammaGamma::fit(black_box(&cdnow), &o).unwrap())
    });
    g.bench_function("bg_bb_donations", |b| {
        b.iter(|| BgBb::fit(black_box(&donations), &o).unwrap())
    });
    g.finish();

    let m = BgNbd::new(0.243, 4.414, 0.793, 2.426).unwrap();
    let pn = ParetoNbd::new(0.553, 10.578, 0.606, 11.669).unwrap();
    let mut g = c.benchmark_group("predict_cdnow");
    g.bench_function("bg_nbd_p_alive_and_39_weeks", |b| {
        b.iter(|| predict_all(&m, &cdnow));
    });
    g.bench_function("pareto_nbd_p_alive_and_39_weeks", |b| {
        b.iter(|| predict_all(&pn, &cdnow));
    });
    g.finish();

    // Lifetime value month by month: the cost per month must not grow with
    // the month (long horizons put BG/NBD's series near its singular point).
    let some = &cdnow[..100];
    let mut g = c.benchmark_group("lifetime_value_cdnow_100");
    g.sample_size(10);
    for months in [120, 1200] {
        g.bench_function(format!("bg_nbd_{months}_months"), |b| {
            b.iter(|| {
                some.iter()
                    .map(|c| {
                        let o = LifetimeOptions::new(TimeUnit::WEEK).months(months);
                        lifetime_value(&m, c, 30.0, &o).unwrap()
                    })
                    .sum::<f64>()
            })
        });
    }
    g.finish();
}

fn predict_all(m: &impl PurchaseModel, data: &[Summary]) -> f64 {
    data.iter()
        .map(|c| m.p_alive(c).unwrap() + m.expected_purchases(c, 39.0).unwrap())
        .sum()
}

/// One million customers observed for 78 weeks, times in whole days
/// expressed in weeks (as summaries from daily transactions are).
fn million() -> Vec<Summary> {
    let truth = ParetoNbd::new(0.553, 10.578, 0.606, 11.669).unwrap();
    let mut data = simulate::pareto_nbd(&truth, 1_000_000, 78.0, 42).unwrap();
    for (i, s) in data.iter_mut().enumerate() {
        // Cohorts entering over the first 12 weeks; times on a daily grid.
        let t = 78.0 - (i % 84) as f64 / 7.0;
        s.t = t;
        s.recency = ((s.recency.min(t) * 7.0).floor() / 7.0).min(t);
        if s.frequency == 0 {
            s.recency = 0.0;
        }
    }
    data
}

fn large(c: &mut Criterion) {
    let data = million();
    let o = FitOptions::new();
    let mut g = c.benchmark_group("fit_1m");
    g.sample_size(10);
    g.bench_function("bg_nbd", |b| {
        b.iter(|| BgNbd::fit(black_box(&data), &o).unwrap())
    });
    g.bench_function("pareto_nbd", |b| {
        b.iter(|| ParetoNbd::fit(black_box(&data), &o).unwrap())
    });
    g.finish();
}

criterion_group!(benches, cdnow, large);
criterion_main!(benches);
