//! Numbers a likelihood is written over: `f64` for values, [`Dual`] for
//! values with exact gradients (forward-mode differentiation).
//!
//! Every likelihood in this crate is written once, generic over [`Real`];
//! evaluated on `Dual<N>` it yields the analytic gradient with respect to
//! the `N` parameters at the cost of about `N` extra multiplications per
//! operation, without finite differences.

use std::ops::{Add, Div, Mul, Neg, Sub};

use statrs::function::gamma::{digamma, ln_gamma};

/// A real number type the likelihoods are generic over.
pub(crate) trait Real:
    Copy
    + Send
    + Sync
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + Add<f64, Output = Self>
    + Sub<f64, Output = Self>
    + Mul<f64, Output = Self>
    + Div<f64, Output = Self>
{
    /// A constant.
    fn cst(v: f64) -> Self;
    /// The value, without derivatives.
    fn v(self) -> f64;
    fn ln(self) -> Self;
    fn exp(self) -> Self;
    fn ln_1p(self) -> Self;
    fn exp_m1(self) -> Self;
    fn lgamma(self) -> Self;
    /// A value `v` whose derivatives are `sum_i parts[i].0 * d(parts[i].1)`:
    /// a function of the `parts`' inputs whose partial derivatives were
    /// computed by hand.
    fn lift(v: f64, parts: &[(f64, Self)]) -> Self;
    /// `ln(exp(self) + exp(other))` without overflow.
    fn log_add_exp(self, other: Self) -> Self {
        let (hi, lo) = if self.v() >= other.v() {
            (self, other)
        } else {
            (other, self)
        };
        if lo.v() == f64::NEG_INFINITY {
            return hi;
        }
        hi + (lo - hi).exp().ln_1p()
    }
    /// `ln(1 - exp(self))` for `self < 0`, accurate near 0 and near -inf.
    fn ln_1m_exp(self) -> Self {
        if self.v() > -std::f64::consts::LN_2 {
            (-(self.exp_m1())).ln()
        } else {
            (-(self.exp())).ln_1p()
        }
    }
    /// `ln B(self, other)`.
    fn lbeta(self, other: Self) -> Self {
        self.lgamma() + other.lgamma() - (self + other).lgamma()
    }
}

impl Real for f64 {
    fn cst(v: f64) -> Self {
        v
    }
    fn v(self) -> f64 {
        self
    }
    fn ln(self) -> Self {
        f64::ln(self)
    }
    fn exp(self) -> Self {
        f64::exp(self)
    }
    fn ln_1p(self) -> Self {
        fast_ln_1p(self)
    }
    fn exp_m1(self) -> Self {
        f64::exp_m1(self)
    }
    fn lgamma(self) -> Self {
        ln_gamma(self)
    }
    fn lift(v: f64, _: &[(f64, Self)]) -> Self {
        v
    }
}

/// `ln(1 + x)` to a few units in the last place with one logarithm
/// (Goldberg's method: the rounding of `1 + x` is corrected by
/// `x / ((1 + x) - 1)`); the platform's `log1p` takes several times as
/// long, and the likelihoods call it once per history.
#[inline]
fn fast_ln_1p(x: f64) -> f64 {
    let u = 1.0 + x;
    if u == 1.0 {
        x
    } else if u.is_infinite() || x <= -1.0 || x.is_nan() {
        x.ln_1p()
    } else {
        u.ln() * (x / (u - 1.0))
    }
}

/// The logistic function `1 / (1 + e^-d)`, without overflow.
#[inline]
pub(crate) fn logistic(d: f64) -> f64 {
    softplus_sigmoid(d).1
}

/// `ln(1 + e^d)` and its derivative, the logistic function of `d`.
#[inline]
pub(crate) fn softplus_sigmoid(d: f64) -> (f64, f64) {
    if d > 0.0 {
        let e = (-d).exp();
        (d + fast_ln_1p(e), 1.0 / (1.0 + e))
    } else {
        let e = d.exp();
        (fast_ln_1p(e), e / (1.0 + e))
    }
}

/// A value with its gradient with respect to `N` parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Dual<const N: usize> {
    pub v: f64,
    pub d: [f64; N],
}

impl<const N: usize> Dual<N> {
    /// The `i`-th parameter with value `v`.
    pub fn var(v: f64, i: usize) -> Self {
        let mut d = [0.0; N];
        d[i] = 1.0;
        Dual { v, d }
    }

    /// `f(v)` with derivative `df` (chain rule).
    #[inline]
    fn chain(self, v: f64, df: f64) -> Self {
        let mut d = self.d;
        for x in &mut d {
            *x *= df;
        }
        Dual { v, d }
    }
}

impl<const N: usize> Add for Dual<N> {
    type Output = Self;
    #[inline]
    fn add(self, o: Self) -> Self {
        let mut d = self.d;
        for (x, y) in d.iter_mut().zip(o.d) {
            *x += y;
        }
        Dual { v: self.v + o.v, d }
    }
}

impl<const N: usize> Sub for Dual<N> {
    type Output = Self;
    #[inline]
    fn sub(self, o: Self) -> Self {
        let mut d = self.d;
        for (x, y) in d.iter_mut().zip(o.d) {
            *x -= y;
        }
        Dual { v: self.v - o.v, d }
    }
}

impl<const N: usize> Mul for Dual<N> {
    type Output = Self;
    #[inline]
    fn mul(self, o: Self) -> Self {
        let mut d = self.d;
        for (x, y) in d.iter_mut().zip(o.d) {
            *x = *x * o.v + self.v * y;
        }
        Dual { v: self.v * o.v, d }
    }
}

impl<const N: usize> Div for Dual<N> {
    type Output = Self;
    #[inline]
    fn div(self, o: Self) -> Self {
        let inv = 1.0 / o.v;
        let q = self.v * inv;
        let mut d = self.d;
        for (x, y) in d.iter_mut().zip(o.d) {
            *x = (*x - q * y) * inv;
        }
        Dual { v: q, d }
    }
}

impl<const N: usize> Neg for Dual<N> {
    type Output = Self;
    #[inline]
    fn neg(self) -> Self {
        self.chain(-self.v, -1.0)
    }
}

impl<const N: usize> Add<f64> for Dual<N> {
    type Output = Self;
    #[inline]
    fn add(self, o: f64) -> Self {
        Dual {
            v: self.v + o,
            d: self.d,
        }
    }
}

impl<const N: usize> Sub<f64> for Dual<N> {
    type Output = Self;
    #[inline]
    fn sub(self, o: f64) -> Self {
        Dual {
            v: self.v - o,
            d: self.d,
        }
    }
}

impl<const N: usize> Mul<f64> for Dual<N> {
    type Output = Self;
    #[inline]
    fn mul(self, o: f64) -> Self {
        self.chain(self.v * o, o)
    }
}

impl<const N: usize> Div<f64> for Dual<N> {
    type Output = Self;
    #[inline]
    fn div(self, o: f64) -> Self {
        self.chain(self.v / o, 1.0 / o)
    }
}

impl<const N: usize> Real for Dual<N> {
    fn cst(v: f64) -> Self {
        Dual { v, d: [0.0; N] }
    }
    fn v(self) -> f64 {
        self.v
    }
    fn ln(self) -> Self {
        self.chain(self.v.ln(), 1.0 / self.v)
    }
    fn exp(self) -> Self {
        let e = self.v.exp();
        self.chain(e, e)
    }
    fn ln_1p(self) -> Self {
        self.chain(fast_ln_1p(self.v), 1.0 / (1.0 + self.v))
    }
    fn exp_m1(self) -> Self {
        self.chain(self.v.exp_m1(), self.v.exp())
    }
    fn lgamma(self) -> Self {
        self.chain(ln_gamma(self.v), digamma(self.v))
    }
    fn lift(v: f64, parts: &[(f64, Self)]) -> Self {
        let mut d = [0.0; N];
        for (p, x) in parts {
            for (di, xi) in d.iter_mut().zip(x.d) {
                *di += p * xi;
            }
        }
        Dual { v, d }
    }
}

/// `ln Γ(base + x)` for each of the ascending whole numbers `xs`, by the
/// recurrence `ln Γ(y + 1) = ln Γ(y) + ln y` across gaps of up to 16, and
/// directly otherwise (and at least every 64 steps, so that rounding does
/// not build up).
pub(crate) fn lgamma_run<R: Real>(base: R, xs: impl IntoIterator<Item = f64>) -> Vec<R> {
    let mut out: Vec<R> = Vec::new();
    let mut prev: Option<(f64, R)> = None;
    let mut steps = 0;
    for x in xs {
        let v = match prev {
            Some((px, pv))
                if x >= px
                    && x - px <= 16.0
                    && x.fract() == 0.0
                    && px.fract() == 0.0
                    && steps < 64 =>
            {
                let mut v = pv;
                let mut k = px;
                while k < x {
                    v = v + (base + k).ln();
                    k += 1.0;
                    steps += 1;
                }
                v
            }
            _ => {
                steps = 0;
                (base + x).lgamma()
            }
        };
        out.push(v);
        prev = Some((x, v));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f<R: Real>(a: R, b: R) -> R {
        (a * b).ln() + (a / b).exp() - a.lgamma() + b.ln_1p() * 3.0 + a.log_add_exp(b)
    }

    #[test]
    fn dual_gradient_matches_finite_differences() {
        let (a, b) = (1.7, 0.4);
        let g = f(Dual::<2>::var(a, 0), Dual::<2>::var(b, 1));
        let h = 1e-6;
        let da = (f(a + h, b) - f(a - h, b)) / (2.0 * h);
        let db = (f(a, b + h) - f(a, b - h)) / (2.0 * h);
        assert!((g.v - f(a, b)).abs() < 1e-14);
        assert!((g.d[0] - da).abs() < 1e-6, "{} vs {da}", g.d[0]);
        assert!((g.d[1] - db).abs() < 1e-6, "{} vs {db}", g.d[1]);
    }

    #[test]
    fn softplus_and_lgamma_run() {
        for d in [-800.0, -3.0, 0.0, 2.5, 800.0] {
            let (v, slope) = softplus_sigmoid(d);
            let want = if d > 0.0 {
                d + (-d).exp().ln_1p()
            } else {
                d.exp().ln_1p()
            };
            assert!((v - want).abs() <= 4.0 * f64::EPSILON * want.abs(), "{d}");
            assert!((slope - 1.0 / (1.0 + (-d).exp())).abs() < 1e-15);
        }
        let xs = [0.0, 1.0, 2.0, 5.0, 40.0, 41.0, 300.0, 301.0, 302.0];
        let base = Dual::<1>::var(0.37, 0);
        let run = lgamma_run(base, xs.iter().copied());
        for (x, l) in xs.iter().zip(&run) {
            let direct = (base + *x).lgamma();
            assert!(
                (l.v - direct.v).abs() <= 1e-13 * direct.v.abs().max(1.0),
                "{x}"
            );
            assert!(
                (l.d[0] - direct.d[0]).abs() <= 1e-12 * direct.d[0].abs().max(1.0),
                "{x}"
            );
        }
    }

    #[test]
    fn fast_ln_1p_is_accurate() {
        let mut x = 1e-300f64;
        while x < 1e300 {
            for v in [x, -x.min(0.999_999)] {
                let (got, want) = (fast_ln_1p(v), v.ln_1p());
                assert!(
                    (got - want).abs() <= 4.0 * f64::EPSILON * want.abs(),
                    "{v}: {got} vs {want}"
                );
            }
            x *= 1.37;
        }
        assert_eq!(fast_ln_1p(0.0), 0.0);
        assert_eq!(fast_ln_1p(-1.0), f64::NEG_INFINITY);
        assert!(fast_ln_1p(f64::NAN).is_nan());
    }

    #[test]
    fn log_helpers() {
        assert!((1000.0f64.log_add_exp(1000.0) - (1000.0 + 2f64.ln())).abs() < 1e-12);
        assert_eq!(f64::NEG_INFINITY.log_add_exp(3.0), 3.0);
        let x = -1e-10f64;
        assert!((x.ln_1m_exp() - (1e-10f64).ln()).abs() < 1e-6);
        assert!(((-50.0f64).ln_1m_exp() + (-50.0f64).exp()).abs() < 1e-30);
    }
}
