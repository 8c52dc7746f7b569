//! The published parameters (in the documentation of the crate) reproduced to three
//! significant figures on the shipped data.

use crm_clv::{BgBb, BgNbd, FitOptions, GammaGamma, MbgNbd, ParetoNbd};

use crate::common::{cdnow, close, donations, sig};

/// Standard errors agree with those `lifetimes` 0.11.3 reports (its
/// `summary["se(coef)"]`) on the same data.
fn same_errors(got: &Option<Vec<f64>>, want: &[f64]) {
    let got = got.as_ref().expect("standard errors");
    for (g, w) in got.iter().zip(want) {
        close(*g, *w, 1e-4);
    }
}

#[test]
fn bg_nbd_cdnow() {
    let f = BgNbd::fit(&cdnow(), &FitOptions::new()).unwrap();
    eprintln!("{f:?}");
    sig(f.model.r(), 0.243, 3);
    sig(f.model.alpha(), 4.414, 4);
    sig(f.model.a(), 0.793, 3);
    sig(f.model.b(), 2.426, 4);
    close(f.log_likelihood, -9582.43, 1e-6);
    assert_eq!(f.customers, 2357.0);
    same_errors(
        &f.std_errors,
        &[0.0125573207, 0.3782214570, 0.1857190719, 0.7053453435],
    );
}

#[test]
fn mbg_nbd_cdnow() {
    let f = MbgNbd::fit(&cdnow(), &FitOptions::new()).unwrap();
    eprintln!("{f:?}");
    close(f.model.r(), 0.5248, 1e-3);
    close(f.model.alpha(), 6.183, 1e-3);
    close(f.model.a(), 0.8914, 1e-3);
    close(f.model.b(), 1.614, 1e-3);
    close(f.log_likelihood, -9582.13, 1e-6);
    same_errors(
        &f.std_errors,
        &[0.0832639453, 0.6955971916, 0.1547853207, 0.5374723508],
    );
}

#[test]
fn pareto_nbd_cdnow() {
    let f = ParetoNbd::fit(&cdnow(), &FitOptions::new()).unwrap();
    eprintln!("{f:?}");
    sig(f.model.r(), 0.553, 3);
    sig(f.model.alpha(), 10.578, 4);
    sig(f.model.s(), 0.606, 3);
    sig(f.model.beta(), 11.669, 4);
    close(f.log_likelihood, -9594.97, 1e-6);
}

#[test]
fn gamma_gamma_cdnow() {
    let (f, left) = GammaGamma::fit(&cdnow(), &FitOptions::new()).unwrap();
    eprintln!("{f:?}");
    sig(f.model.p(), 6.25, 3);
    sig(f.model.q(), 3.74, 3);
    sig(f.model.gamma(), 15.44, 3);
    close(f.model.gamma(), 15.4477, 1e-4);
    assert_eq!(f.customers, 946.0);
    assert_eq!(left.no_repeat, 2357.0 - 946.0);
    assert_eq!(left.non_positive_spend, 0.0);
    same_errors(&f.std_errors, &[1.1896870481, 0.2901656174, 4.1599939284]);
}

#[test]
fn bg_bb_donations() {
    let f = BgBb::fit(&donations(), &FitOptions::new()).unwrap();
    eprintln!("{f:?}");
    sig(f.model.alpha(), 1.204, 4);
    sig(f.model.beta(), 0.750, 3);
    sig(f.model.gamma(), 0.657, 3);
    sig(f.model.delta(), 2.783, 4);
    close(f.log_likelihood, -33225.58, 1e-6);
    assert_eq!(f.customers, 11104.0);
    same_errors(
        &f.std_errors,
        &[0.0693913622, 0.0294477162, 0.0510098503, 0.3208189394],
    );
}
