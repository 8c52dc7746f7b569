//! Special functions: the Gauss hypergeometric function by its series, for
//! the well-conditioned arguments the models produce after their Euler
//! rewrites.

use crate::real::Real;

/// The most terms a hypergeometric series may take before it is reported
/// as not converging ([`SeriesError`]).
pub const MAX_SERIES_TERMS: usize = 2_000_000;

/// Relative size of the bound on the remaining tail at which a series stops.
const TAIL_TOLERANCE: f64 = 1e-17;

/// A hypergeometric series (or the integral that replaces it) that could
/// not be evaluated.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SeriesError {
    /// An argument outside the domain the series is summed on.
    #[error("2F1({a}, {b}; {c}; {z}) is outside the domain c > 0, 0 <= z < 1")]
    Domain {
        /// First numerator parameter.
        a: f64,
        /// Second numerator parameter.
        b: f64,
        /// Denominator parameter.
        c: f64,
        /// Argument.
        z: f64,
    },
    /// The series had not converged after [`MAX_SERIES_TERMS`] terms
    /// (the argument is too close to 1 for the parameters).
    #[error("2F1({a}, {b}; {c}; {z}) did not converge in {MAX_SERIES_TERMS} terms")]
    NoConvergence {
        /// First numerator parameter.
        a: f64,
        /// Second numerator parameter.
        b: f64,
        /// Denominator parameter.
        c: f64,
        /// Argument.
        z: f64,
    },
    /// Pareto/NBD's A0 integral, used where its series converges too
    /// slowly, did not settle to 1e-13 with 4,096 panels.
    #[error(
        "the Pareto/NBD integral A0 did not converge at r = {r}, alpha = {alpha}, s = {s}, beta = {beta}, x = {x}"
    )]
    Quadrature {
        /// The purchase-rate shape.
        r: f64,
        /// The purchase-rate scale.
        alpha: f64,
        /// The dropout-rate shape.
        s: f64,
        /// The dropout-rate scale.
        beta: f64,
        /// The customer's repeat purchases.
        x: f64,
    },
}

/// The Gauss hypergeometric function 2F1(a, b; c; z) for `0 <= z < 1` and
/// `c` not zero or a negative integer, by its power series.
///
/// The terms are summed in order with a running scale, so that values up to
/// about 1e300 and beyond do not overflow (see [`ln_hyp2f1`] for the
/// logarithm of larger values). Summation stops once the terms decrease and
/// a geometric bound on the rest of the series, `|term| q / (1 - q)` with
/// `q` the larger of the current term ratio and `z`, is below `1e-17` of
/// the sum. With positive terms the result is within 5e-13 relative of
/// the exact value on a grid of 5,618 values computed with mpmath at 40
/// digits (a, b up to 30, z up to 0.999; the test suite checks it). Negative `a` or `b` are allowed: a non-positive integer ends
/// the series (a polynomial).
///
/// # Errors
///
/// [`SeriesError::Domain`] outside `0 <= z < 1`, for `c` within 1e-6 of
/// zero or a negative integer (or on a non-finite argument); [`SeriesError::NoConvergence`] when `z` is so close
/// to 1 that [`MAX_SERIES_TERMS`] terms do not suffice.
///
/// ```
/// // 2F1(1, 1; 2; z) = -ln(1 - z) / z
/// let z = 0.5;
/// let v = crm_clv::hyp2f1(1.0, 1.0, 2.0, z).unwrap();
/// assert!((v - (-(1.0f64 - z).ln() / z)).abs() < 1e-15);
/// ```
pub fn hyp2f1(a: f64, b: f64, c: f64, z: f64) -> Result<f64, SeriesError> {
    let (sum, scale) = series(a, b, c, z)?;
    Ok(sum * scale.exp())
}

/// The natural logarithm of 2F1(a, b; c; z), for values beyond the range
/// of `f64`; as [`hyp2f1`], and the value must be positive (it is whenever
/// `a`, `b` > 0).
///
/// # Errors
///
/// As [`hyp2f1`]; also [`SeriesError::Domain`] if the sum is not positive.
pub fn ln_hyp2f1(a: f64, b: f64, c: f64, z: f64) -> Result<f64, SeriesError> {
    let (sum, scale) = series(a, b, c, z)?;
    if sum <= 0.0 {
        return Err(SeriesError::Domain { a, b, c, z });
    }
    Ok(sum.ln() + scale)
}

/// The series `sum_{n>=0} (a)_n (b)_n / ((c)_n n!) z^n`, returned as a sum
/// and the natural logarithm of a scale it is to be multiplied by.
pub(crate) fn series<R: Real>(a: R, b: R, c: R, z: R) -> Result<(R, f64), SeriesError> {
    tail_series(a, b, c, z, R::cst(1.0), 0)
}

/// `sum_{n>=first} term_n` where `term_first = first_term` and
/// `term_{n+1} = term_n (a+n)(b+n) z / ((c+n)(n+1))`. Returns the sum and
/// the logarithm of its scale.
pub(crate) fn tail_series<R: Real>(
    a: R,
    b: R,
    c: R,
    z: R,
    first_term: R,
    first: usize,
) -> Result<(R, f64), SeriesError> {
    let err = |e: fn(f64, f64, f64, f64) -> SeriesError| e(a.v(), b.v(), c.v(), z.v());
    let domain = |a, b, c, z| SeriesError::Domain { a, b, c, z };
    let stuck = |a, b, c, z| SeriesError::NoConvergence { a, b, c, z };
    let finite = a.v().is_finite() && b.v().is_finite() && first_term.v().is_finite();
    if !(finite && c_allowed(c.v()) && z.v() >= 0.0 && z.v() < 1.0) {
        return Err(err(domain));
    }
    let mut term = first_term;
    let mut sum = first_term;
    let mut scale = 0.0f64;
    let zv = z.v();
    for n in first..first + MAX_SERIES_TERMS {
        let nf = n as f64;
        let ratio = (a + nf) * (b + nf) * z / ((c + nf) * (nf + 1.0));
        term = term * ratio;
        sum = sum + term;
        let t = term.v().abs();
        if t == 0.0 {
            return Ok((sum, scale));
        }
        let q = ratio.v().abs().max(zv);
        // Stop once the terms shrink and a geometric bound on the rest is
        // negligible; the ratio tends to z from either side.
        // (With `c < 0` the terms change sign until `c + n > 0`; the bound
        // holds only after that.)
        if ratio.v().abs() < 1.0
            && (c + nf).v() > 0.0
            && t * q / (1.0 - q) <= TAIL_TOLERANCE * sum.v().abs()
        {
            return Ok((sum, scale));
        }
        if sum.v().abs() > 1e250 {
            sum = sum * 1e-250;
            term = term * 1e-250;
            scale += 250.0 * std::f64::consts::LN_10;
        }
    }
    Err(err(stuck))
}

/// Whether the series may be summed with this `c`: any positive `c`, and
/// a negative one that keeps clear of the non-positive integers, where
/// `(c)_n` vanishes (BG/NBD meets `c = a + b + x - 1 < 0` for customers
/// without repeat purchases when `a + b < 1`).
fn c_allowed(c: f64) -> bool {
    c > 0.0 || (c.is_finite() && (c - c.round()).abs() > 1e-6)
}

/// How far one continuation step goes, as a share of the distance to the
/// singular point `z = 1`: the Taylor terms then shrink at least as
/// `STEP^k`, and a solution component `(1-z)^m` costs at most
/// `((1+STEP)/(1-STEP))^m` in cancellation.
const STEP: f64 = 0.25;

/// Most Taylor terms of one continuation step.
const STEP_TERMS: usize = 2_000;

/// `S(z) = sum_{n>=1} (A)_n (e+1)_{n-1} / ((C)_n n!) z^n`, the series of
/// BG/NBD's expected purchases: `(2F1(A, e; C; z) - 1) / e` with the
/// factor `e` divided out (so that `e = 0` is no special case).
///
/// The terms decay as `n^-(m+1) z^n` with `m = C - A - e`. Where that is
/// fast (`z <= 0.9`, or `m >= 6`) the series is summed directly. Otherwise,
/// as `z` nears 1 (long horizons), the series needs about `40 / (1 - z)`
/// terms; instead `S` is continued analytically from `z = 1/2` along the
/// differential equation it satisfies,
///
/// `z (1 - z) S'' + (C - (A + e + 1) z) S' - A e S = A`,
///
/// by Taylor steps each covering at most a quarter of the remaining
/// distance to 1. The cost then grows with `ln(1 / (1 - z))`, not
/// `1 / (1 - z)`: a horizon of ten million time units takes a few hundred
/// terms. Evaluated at increasing `z` one after the other (the months of a
/// lifetime value), each value continues from the one before, in a step or
/// two.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BgNbdTail {
    big_a: f64,
    e: f64,
    c: f64,
    /// Where the continuation stands: `z0` with `S(z0)` and `S'(z0)`.
    at: Option<(f64, f64, f64)>,
}

impl BgNbdTail {
    pub(crate) fn new(big_a: f64, e: f64, c: f64) -> BgNbdTail {
        BgNbdTail {
            big_a,
            e,
            c,
            at: None,
        }
    }

    /// `S(z)`.
    ///
    /// # Errors
    ///
    /// As [`hyp2f1`].
    pub(crate) fn at(&mut self, z: f64) -> Result<f64, SeriesError> {
        let (big_a, e, c) = (self.big_a, self.e, self.c);
        let direct =
            || tail_series(big_a, e, c, z, big_a * z / c, 1).map(|(q, scale)| q * scale.exp());
        if z <= 0.9 || c - big_a - e >= 6.0 || !z.is_finite() {
            return direct();
        }
        let from = match self.at {
            Some(at) if at.0 <= z => Some(at),
            _ => start(big_a, e, c),
        };
        match from.and_then(|at| advance(big_a, e, c, at, z)) {
            Some(at) => {
                self.at = Some(at);
                Ok(at.1)
            }
            None => direct(),
        }
    }
}

/// `S(1/2)` and `S'(1/2)` of [`BgNbdTail`] by the series.
fn start(big_a: f64, e: f64, c: f64) -> Option<(f64, f64, f64)> {
    let z0 = 0.5;
    let (mut s0, mut s1) = (0.0, 0.0);
    let mut term = big_a / c; // coefficient of z^n, n = 1
    let mut pow = 1.0; // z0^(n-1)
    for n in 1..STEP_TERMS {
        let nf = n as f64;
        let t0 = term * pow * z0;
        let t1 = term * pow * nf;
        s0 += t0;
        s1 += t1;
        if !(s0.is_finite() && s1.is_finite()) {
            return None;
        }
        if n > 2 && c + nf > 0.0 && t0.abs() <= 1e-18 * s0.abs() && t1.abs() <= 1e-18 * s1.abs() {
            return Some((z0, s0, s1));
        }
        term *= (big_a + nf) * (e + nf) / ((c + nf) * (nf + 1.0));
        pow *= z0;
    }
    None
}

/// Continues `(z0, S(z0), S'(z0))` to `z >= z0` by Taylor steps; `None`
/// when a value leaves the range of `f64` or a step does not settle.
fn advance(
    big_a: f64,
    e: f64,
    c: f64,
    (mut z0, mut s0, mut s1): (f64, f64, f64),
    z: f64,
) -> Option<(f64, f64, f64)> {
    let q = big_a + e + 1.0;
    let ae = big_a * e;
    // Distances to 1 are exact (z >= 1/2) and kept apart from z0, whose
    // rounding would otherwise cost 1e-16 / (1 - z) relative in (1 - z0).
    let w = 1.0 - z;
    let mut w0 = 1.0 - z0;
    loop {
        if z0 >= z {
            return Some((z0, s0, s1));
        }
        let last = w0 - w <= STEP * w0;
        let h = if last { w0 - w } else { STEP * w0 };
        let u = z0 * w0;
        let v = 2.0 * w0 - 1.0;
        let p0 = c - q * z0;
        // Taylor coefficients d_k of S(z0 + h), from the equation.
        let (mut d0, mut d1) = (s0, s1);
        let (mut sum, mut dsum) = (d0 + d1 * h, d1);
        let mut hk = h; // h^(k+1)
        let mut small = 0;
        for k in 0..STEP_TERMS {
            let kf = k as f64;
            let rhs = if k == 0 { big_a } else { 0.0 };
            let d2 = (rhs - (kf + 1.0) * (v * kf + p0) * d1 + (kf * (kf - 1.0) + q * kf + ae) * d0)
                / (u * (kf + 2.0) * (kf + 1.0));
            let t1 = (kf + 2.0) * d2 * hk;
            hk *= h;
            let t0 = d2 * hk;
            sum += t0;
            dsum += t1;
            if !(sum.is_finite() && dsum.is_finite()) {
                return None;
            }
            if t0.abs() <= 1e-18 * sum.abs() && t1.abs() <= 1e-18 * dsum.abs() {
                small += 1;
                if small == 2 {
                    break;
                }
            } else {
                small = 0;
            }
            if k + 1 == STEP_TERMS {
                return None;
            }
            (d0, d1) = (d1, d2);
        }
        s0 = sum;
        s1 = dsum;
        if last {
            return Some((z, s0, s1));
        }
        w0 -= h;
        z0 = 1.0 - w0;
    }
}

/// `(1 - (1-z)^e) / e` for `e != 0`, and its limit `-ln(1-z)` at `e = 0`,
/// given `l = ln(1-z) <= 0`; accurate for small `e` and small `l`.
pub(crate) fn one_minus_pow_over<R: Real>(e: R, l: R) -> R {
    if e.v().abs() < 1e-10 {
        // Two terms of the expansion in e.
        -l - e * l * l * 0.5
    } else {
        -((e * l).exp_m1()) / e
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_forms() {
        for z in [0.0, 0.1, 0.5, 0.9, 0.999] {
            let v = hyp2f1(1.0, 1.0, 2.0, z).unwrap();
            let exact = if z == 0.0 {
                1.0
            } else {
                -(1.0f64 - z).ln() / z
            };
            assert!((v - exact).abs() <= 1e-13 * exact, "{z}: {v} vs {exact}");
            // (1-z)^-a = 2F1(a, b; b; z)
            let v = hyp2f1(2.5, 3.0, 3.0, z).unwrap();
            let exact = (1.0f64 - z).powf(-2.5);
            assert!((v - exact).abs() <= 1e-13 * exact, "{z}: {v} vs {exact}");
        }
        // A polynomial: 2F1(-2, b; c; z) = 1 - 2bz/c + b(b+1)z^2/(c(c+1)).
        let (b, c, z) = (1.5, 2.0, 0.3);
        let exact = 1.0 - 2.0 * b * z / c + b * (b + 1.0) * z * z / (c * (c + 1.0));
        assert!((hyp2f1(-2.0, b, c, z).unwrap() - exact).abs() < 1e-15);
    }

    #[test]
    fn errors_not_nan() {
        assert!(matches!(
            hyp2f1(1.0, 1.0, 2.0, 1.0),
            Err(SeriesError::Domain { .. })
        ));
        assert!(matches!(
            hyp2f1(1.0, 1.0, 0.0, 0.5),
            Err(SeriesError::Domain { .. })
        ));
        assert!(matches!(
            hyp2f1(f64::NAN, 1.0, 1.0, 0.5),
            Err(SeriesError::Domain { .. })
        ));
        assert!(matches!(
            hyp2f1(1.0, 1.0, 2.0, 1.0 - 1e-12),
            Err(SeriesError::NoConvergence { .. })
        ));
    }

    #[test]
    fn one_minus_pow_limit() {
        let l = (0.6f64).ln();
        let exact = (1.0 - 0.6f64.powf(1e-6)) / 1e-6;
        assert!((one_minus_pow_over(1e-6, l) - exact).abs() < 1e-9);
        assert!((one_minus_pow_over(0.0, l) + l).abs() < 1e-15);
        assert!((one_minus_pow_over(1e-12, l) + l).abs() < 1e-11);
    }
}

#[cfg(test)]
mod continuation {
    use super::*;

    /// The direct series, however many terms it takes.
    fn direct(big_a: f64, e: f64, c: f64, z: f64) -> f64 {
        let (q, scale) = tail_series(big_a, e, c, z, big_a * z / c, 1).unwrap();
        q * scale.exp()
    }

    #[test]
    fn agrees_with_the_direct_series() {
        // (A, e, C): BG/NBD's (a+b-1-r, a-1, a+b+x-1) over small and large
        // x, a below and above 1 (so C - A - e of either sign).
        let cases = [
            (0.8, -0.21, 2.2),
            (2.45, -0.21, 2.2),
            (2.45, -0.21, 5.2),
            (-0.5, 0.5, 1.2),
            (1.0, 2.0, 1.5),
            (0.3, 0.0, 1.3),
            (4.0, 3.0, 4.5),
            (1.2, 0.7, 40.0),
        ];
        for (big_a, e, c) in cases {
            for z in [0.55, 0.9, 0.99, 0.999, 0.9999] {
                let want = direct(big_a, e, c, z);
                let got = start(big_a, e, c)
                    .and_then(|at| advance(big_a, e, c, at, z))
                    .unwrap()
                    .1;
                assert!(
                    (got - want).abs() <= 1e-12 * want.abs().max(1e-300),
                    "A={big_a} e={e} C={c} z={z}: {got} vs {want}"
                );
                let via = BgNbdTail::new(big_a, e, c).at(z).unwrap();
                assert!((via - want).abs() <= 1e-11 * want.abs().max(1e-300));
            }
        }
    }

    /// Long horizons put z within 1e-7 of 1, where the direct series needs
    /// hundreds of millions of terms (it gave up after two million).
    /// Continuing from one z to the next agrees with starting afresh.
    #[test]
    fn long_horizons_converge() {
        let (big_a, e, c) = (2.45, -0.21, 2.2);
        let mut before = 0.0;
        let mut path = BgNbdTail::new(big_a, e, c);
        // Near 1, z itself carries a relative error of 1e-16 / (1 - z) in
        // 1 - z, which bounds how well two paths can agree.
        for k in 2..=7 {
            let z = 1.0 - 10f64.powi(-k);
            let v = BgNbdTail::new(big_a, e, c).at(z).unwrap();
            let along = path.at(z).unwrap();
            assert!((along - v).abs() <= 1e-12 * v, "{along} vs {v}");
            assert!(v.is_finite() && v > before, "z = {z}: {v}");
            before = v;
        }
        // (2F1(A, e; C; z) - 1) / e by mpmath at 40 digits, z = 1 - 1e-5
        // and 1 - 1e-7 as f64.
        for (z, want) in [
            (1.0 - 1e-5, 11.122_446_847_134_367),
            (1.0 - 1e-7, 16.844_952_388_536_555),
        ] {
            let got = BgNbdTail::new(big_a, e, c).at(z).unwrap();
            assert!((got - want).abs() <= 1e-12 * want, "{got} vs {want}");
        }
    }
}
