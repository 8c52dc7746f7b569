//! Parameter recovery: data simulated from known parameters give fits
//! within a few standard errors of the truth; fits do not depend on the
//! order of the data; degenerate data give errors, never NaN parameters.

use crm_clv::{
    BgBb, BgNbd, Error, Fit, FitOptions, GammaGamma, MbgNbd, Parameters, ParetoNbd, Summary,
    simulate,
};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

use crate::common::cdnow;

fn config(cases: u32) -> Config {
    Config {
        cases,
        rng_seed: RngSeed::Fixed(20261123),
        failure_persistence: None,
        ..Config::default()
    }
}

/// Each estimate within 5 standard errors (plus 2% for the bias of the
/// estimator at this size) of the truth.
fn recovered<M: Parameters>(fit: &Fit<M>, truth: &M) -> std::result::Result<(), TestCaseError> {
    let se = fit
        .std_errors
        .clone()
        .expect("standard errors at a proper maximum");
    for ((name, (got, want)), se) in M::NAMES
        .iter()
        .zip(fit.model.values().into_iter().zip(truth.values()))
        .zip(se)
    {
        prop_assert!(
            (got - want).abs() <= 5.0 * se + 0.02 * want,
            "{} {name}: {got} vs true {want} (se {se})",
            M::MODEL
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(4))]

    #[test]
    fn bg_nbd_recovers(r in 0.2f64..2.0, alpha in 1.0f64..10.0, a in 0.5f64..2.0, b in 1.0f64..5.0, seed in any::<u64>()) {
        let truth = BgNbd::new(r, alpha, a, b).unwrap();
        let data = simulate::bg_nbd(&truth, 4000, 52.0, seed).unwrap();
        recovered(&BgNbd::fit(&data, &FitOptions::new()).unwrap(), &truth)?;
    }

    #[test]
    fn mbg_nbd_recovers(r in 0.2f64..2.0, alpha in 1.0f64..10.0, a in 0.5f64..2.0, b in 1.0f64..5.0, seed in any::<u64>()) {
        let truth = MbgNbd::new(r, alpha, a, b).unwrap();
        let data = simulate::mbg_nbd(&truth, 4000, 52.0, seed).unwrap();
        recovered(&MbgNbd::fit(&data, &FitOptions::new()).unwrap(), &truth)?;
    }

    #[test]
    fn pareto_nbd_recovers(r in 0.3f64..2.0, alpha in 2.0f64..12.0, s in 0.3f64..1.5, beta in 2.0f64..15.0, seed in any::<u64>()) {
        let truth = ParetoNbd::new(r, alpha, s, beta).unwrap();
        let data = simulate::pareto_nbd(&truth, 3000, 52.0, seed).unwrap();
        recovered(&ParetoNbd::fit(&data, &FitOptions::new()).unwrap(), &truth)?;
    }

    #[test]
    fn bg_bb_recovers(al in 0.5f64..2.0, be in 0.5f64..2.0, ga in 0.5f64..2.0, de in 1.0f64..4.0, seed in any::<u64>()) {
        let truth = BgBb::new(al, be, ga, de).unwrap();
        let data = simulate::bg_bb(&truth, 8000, 8, seed).unwrap();
        recovered(&BgBb::fit(&data, &FitOptions::new()).unwrap(), &truth)?;
    }

    #[test]
    fn gamma_gamma_recovers(p in 2.0f64..8.0, q in 2.0f64..6.0, g in 5.0f64..30.0, seed in any::<u64>()) {
        let truth = GammaGamma::new(p, q, g).unwrap();
        let bg = BgNbd::new(1.0, 4.0, 0.8, 2.5).unwrap();
        let mut data = simulate::bg_nbd(&bg, 4000, 52.0, seed).unwrap();
        simulate::spend(&truth, &mut data, seed ^ 1).unwrap();
        recovered(&GammaGamma::fit(&data, &FitOptions::new()).unwrap().0, &truth)?;
    }

    /// The fit is a function of the multiset of histories: any order of
    /// the rows gives the same bits.
    #[test]
    fn order_does_not_matter(seed in any::<u64>()) {
        let data = cdnow();
        let mut shuffled = data.clone();
        // A deterministic permutation from the seed.
        let n = shuffled.len();
        let mut s = seed | 1;
        for i in (1..n).rev() {
            s ^= s << 13; s ^= s >> 7; s ^= s << 17;
            shuffled.swap(i, (s % (i as u64 + 1)) as usize);
        }
        let a = BgNbd::fit(&data, &FitOptions::new()).unwrap();
        let b = BgNbd::fit(&shuffled, &FitOptions::new()).unwrap();
        prop_assert_eq!(a, b);
    }
}

#[test]
fn weights_equal_repeated_rows() {
    let data = cdnow();
    let mut weighted: Vec<Summary> = data[..500].to_vec();
    for s in &mut weighted {
        s.weight = 2.0;
    }
    let doubled: Vec<Summary> = data[..500].iter().chain(&data[..500]).cloned().collect();
    let a = ParetoNbd::fit(&weighted, &FitOptions::new()).unwrap();
    let b = ParetoNbd::fit(&doubled, &FitOptions::new()).unwrap();
    assert_eq!(a.model, b.model);
    assert_eq!(a.log_likelihood, b.log_likelihood);
}

#[test]
fn degenerate_data_are_errors() {
    let none: Vec<Summary> = Vec::new();
    let one = vec![Summary::new(3, 10.0, 20.0)];
    let no_repeat = vec![Summary::new(0, 0.0, 20.0); 50];
    let opts = FitOptions::new();
    for data in [&none, &one, &no_repeat] {
        assert!(matches!(
            BgNbd::fit(data, &opts),
            Err(Error::Degenerate { .. })
        ));
        assert!(matches!(
            MbgNbd::fit(data, &opts),
            Err(Error::Degenerate { .. })
        ));
        assert!(matches!(
            ParetoNbd::fit(data, &opts),
            Err(Error::Degenerate { .. })
        ));
        assert!(matches!(
            GammaGamma::fit(data, &opts),
            Err(Error::Degenerate { .. })
        ));
    }
    // An empty sum of weights is -0.0: no "-0 customer(s)" in the message.
    let e = BgNbd::fit(&none, &opts).unwrap_err().to_string();
    assert_eq!(e, "cannot fit bg-nbd: no customers; at least 2 are needed");
    let discrete = vec![Summary::new(0, 0.0, 6.0); 50];
    assert!(matches!(
        BgBb::fit(&discrete, &opts),
        Err(Error::Degenerate { .. })
    ));
    // All spend zero (net-profit data): nothing to fit, and said so.
    let mut zero = cdnow();
    for s in &mut zero {
        s.monetary = 0.0;
    }
    let e = GammaGamma::fit(&zero, &opts).unwrap_err();
    assert!(e.to_string().contains("946 with spend <= 0"), "{e}");
    // Some non-positive spends are left out and counted.
    let mut some = cdnow();
    for (k, s) in some
        .iter_mut()
        .filter(|s| s.frequency > 0)
        .take(10)
        .enumerate()
    {
        s.monetary = -(k as f64);
    }
    let (f, left) = GammaGamma::fit(&some, &opts).unwrap();
    assert_eq!(left.non_positive_spend, 10.0);
    assert_eq!(f.customers, 936.0);
    // A history that is not one names where and what.
    let mut bad = cdnow();
    bad[4].recency = bad[4].t + 1.0;
    let e = BgNbd::fit(&bad, &opts).unwrap_err();
    assert!(e.to_string().starts_with("customer 5: recency:"), "{e}");
}

#[test]
fn penalizer_shrinks() {
    let data = cdnow();
    let plain = BgNbd::fit(&data, &FitOptions::new()).unwrap();
    let pen = BgNbd::fit(&data, &FitOptions::new().penalizer(0.1).unwrap()).unwrap();
    assert!(pen.log_likelihood < plain.log_likelihood);
    let norm = |m: &BgNbd| m.values().iter().map(|v| v * v).sum::<f64>();
    assert!(norm(&pen.model) < norm(&plain.model));
    assert!(FitOptions::new().penalizer(-1.0).is_err());
    // Set on the public field, it is checked by the fit all the same.
    let mut o = FitOptions::new();
    o.penalizer = -1.0;
    let e = BgNbd::fit(&data, &o).unwrap_err().to_string();
    assert!(
        e.contains("the penalizer must be a non-negative number"),
        "{e}"
    );
}

/// A finite but absurd penalizer overflows the penalty: the fit fails
/// instead of searching forever.
#[test]
fn an_absurd_penalizer_fails_and_ends() {
    let data = cdnow();
    for pen in [1e200, f64::MAX] {
        let opts = FitOptions::new().penalizer(pen).unwrap();
        assert!(BgNbd::fit(&data, &opts).is_err());
        assert!(ParetoNbd::fit(&data, &opts).is_err());
    }
}

/// Enough distinct histories that the Pareto/NBD likelihood is shared
/// between threads: the fit still maximises the (sequentially summed)
/// likelihood and recovers the parameters.
#[test]
fn pareto_nbd_on_many_histories() {
    let truth = ParetoNbd::new(0.55, 10.6, 0.61, 11.7).unwrap();
    let data = simulate::pareto_nbd(&truth, 40_000, 52.0, 11).unwrap();
    let f = ParetoNbd::fit(&data, &FitOptions::new()).unwrap();
    assert!(f.patterns > 16_384, "{} patterns", f.patterns);
    let again = f.model.log_likelihood(&data).unwrap();
    assert!((f.log_likelihood - again).abs() <= 1e-9 * again.abs());
    recovered(&f, &truth).unwrap();
}

/// A penalty so large that the objective's slope overflows once made the
/// line search halve its step forever; it is now a clear error.
#[test]
fn a_huge_penalizer_is_an_error_not_a_hang() {
    let opts = FitOptions::new().penalizer(1e200).unwrap();
    for e in [
        BgNbd::fit(&cdnow(), &opts).unwrap_err(),
        ParetoNbd::fit(&cdnow(), &opts).unwrap_err(),
        GammaGamma::fit(&cdnow(), &opts).unwrap_err(),
    ] {
        assert!(matches!(e, Error::NoConvergence { .. }), "{e}");
        assert!(e.to_string().contains("penalizer"), "{e}");
    }
}
