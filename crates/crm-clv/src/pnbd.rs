//! Pareto/NBD (Schmittlein, Morrison & Colombo 1987): Poisson purchases
//! while alive, exponential lifetimes, both rates gamma across customers.

use crate::PurchaseModel;
use crate::error::{Error, Result};
use crate::fit::{Fit, FitOptions, Parameters, Patterns, check_positive, maximise};
use crate::real::{Dual, Real, lgamma_run, logistic};
use crate::special::{SeriesError, one_minus_pow_over, tail_series};
use crate::summary::Summary;

parameters! {
    /// The Pareto/NBD model's parameters: purchase rates gamma(r, alpha),
    /// dropout rates gamma(s, beta).
    ParetoNbd {
        /// Shape of the purchase-rate distribution.
        r,
        /// Scale of the purchase-rate distribution, in time units.
        alpha,
        /// Shape of the dropout-rate distribution.
        s,
        /// Scale of the dropout-rate distribution, in time units.
        beta,
    }
}

impl Parameters for ParetoNbd {
    const MODEL: &'static str = "pareto-nbd";
    const NAMES: &'static [&'static str] = &["r", "alpha", "s", "beta"];
    fn values(&self) -> Vec<f64> {
        vec![self.r, self.alpha, self.s, self.beta]
    }
}

/// ln 2F1(1, b; c; z) for 0 < b < c, 0 <= z < 1: the terms are positive
/// with ratios (b+n) z / (c+n) rising towards z, so the rest of the series
/// after a term is at most term z / (1 - z), and the sum at most 1/(1-z).
fn ln_f1<R: Real>(b: R, c: R, z: R, cap: usize) -> Result<R, SeriesError> {
    let zv = z.v();
    if !((0.0..1.0).contains(&zv) && b.v() > 0.0 && c.v() > b.v()) {
        // Outside the fast path's assumptions: the general series.
        let (sum, scale) = tail_series(R::cst(1.0), b, c, z, R::cst(1.0), 0)?;
        return Ok(sum.ln() + scale);
    }
    let (bv, cv) = (b.v(), c.v());
    if zv == 0.0 {
        // 2F1 = 1; its z-derivative there is b/c.
        return Ok(R::lift(0.0, &[(bv / cv, z)]));
    }
    let bound = zv / (1.0 - zv);
    // The terms and their partial derivatives in b, c and z, in f64:
    // t' = t ρ with ρ = (b+n) z / (c+n), so
    // ∂t' = ρ ∂t + t' (∂b/(b+n) - ∂c/(c+n) + ∂z/z).
    let (mut t, mut tb, mut tc, mut tz) = (1.0f64, 0.0f64, 0.0f64, 0.0f64);
    let (mut s, mut sb, mut sc, mut sz) = (1.0f64, 0.0f64, 0.0f64, 0.0f64);
    let iz = 1.0 / zv;
    for n in 0..cap {
        let nf = n as f64;
        let (ib, ic) = (1.0 / (bv + nf), 1.0 / (cv + nf));
        let rho = (bv + nf) * zv * ic;
        t *= rho;
        tb = rho * tb + t * ib;
        tc = rho * tc - t * ic;
        tz = rho * tz + t * iz;
        s += t;
        sb += tb;
        sc += tc;
        sz += tz;
        if t * bound <= 1e-17 * s {
            let is = 1.0 / s;
            return Ok(R::lift(s.ln(), &[(sb * is, b), (sc * is, c), (sz * is, z)]));
        }
    }
    Err(SeriesError::NoConvergence {
        a: 1.0,
        b: b.v(),
        c: c.v(),
        z: zv,
    })
}

/// The most terms a series of A0 may take before A0 is computed by
/// quadrature instead (one rate scale far above the other, z near 1).
const FAST_TERMS: usize = 2000;

/// ln of one of the two terms of A0 at u (t_x or T), in the Euler form
/// whose series has first parameter 1.
fn ln_a0_term<R: Real>(th: &[R; 4], x: f64, u: f64) -> Result<R, SeriesError> {
    let [_, al, _, be] = *th;
    ln_a0_term_at(th, x, u, (al + u).ln(), (be + u).ln())
}

/// As [`ln_a0_term`], given ln(α+u) and ln(β+u).
fn ln_a0_term_at<R: Real>(
    th: &[R; 4],
    x: f64,
    u: f64,
    ln_au: R,
    ln_bu: R,
) -> Result<R, SeriesError> {
    let [r, al, s, be] = *th;
    let rsx = r + s + x;
    if al.v() >= be.v() {
        let z = (al - be) / (al + u);
        Ok(-(s * (ln_bu - ln_au)) + ln_f1(r + x, rsx + 1.0, z, FAST_TERMS)? - rsx * ln_au)
    } else {
        let z = (be - al) / (be + u);
        Ok(
            (-(r + x) + 1.0) * (ln_au - ln_bu) + ln_f1(s + 1.0, rsx + 1.0, z, FAST_TERMS)?
                - rsx * ln_bu,
        )
    }
}

/// ln A0 from its two series terms at t_x and T, or by quadrature when a
/// series would converge slowly; `None` when A0 vanishes to precision.
fn ln_a0<R: Real>(
    th: &[R; 4],
    x: f64,
    tx: f64,
    t: f64,
    l_tx: Result<R, SeriesError>,
    l_t: Result<R, SeriesError>,
) -> Result<Option<R>, SeriesError> {
    match (l_tx, l_t) {
        (Ok(a), Ok(b)) => {
            let d = b - a;
            Ok((d.v() < 0.0).then(|| a + d.ln_1m_exp()))
        }
        _ => ln_a0_quadrature(th, x, tx, t).map(Some),
    }
}

/// ln A0 by Gauss-Legendre quadrature of its integral form,
/// A0 = (r+s+x) ∫_{t_x}^{T} (α+τ)^-(r+x) (β+τ)^-(s+1) dτ, after the
/// substitution y = (min(α,β)+τ)/(max(α,β)+τ), v = ln y:
/// A0 = (r+s+x) |α-β|^-(r+s+x) ∫ e^(p v) (1-e^v)^(r+s+x-1) dv with
/// p = 1-r-x (α < β) or -s (α > β). The integrand is smooth and positive;
/// panels are doubled until two rules agree to 1e-13 (relative).
fn ln_a0_quadrature<R: Real>(th: &[R; 4], x: f64, tx: f64, t: f64) -> Result<R, SeriesError> {
    let [r, al, s, be] = *th;
    let rsx = r + s + x;
    let (small, large, p) = if al.v() < be.v() {
        (al, be, -(r + x) + 1.0)
    } else {
        (be, al, -s)
    };
    let gap = large - small;
    let failed = SeriesError::Quadrature {
        r: r.v(),
        alpha: al.v(),
        s: s.v(),
        beta: be.v(),
        x,
    };
    if !(gap.v() > 0.0 && t > tx) {
        return Err(failed);
    }
    let v1 = ((small + tx) / (large + tx)).ln();
    let v2 = ((small + t) / (large + t)).ln();
    let phi = |v: R| p * v + (rsx - 1.0) * v.ln_1m_exp();
    let nodes = gauss_legendre();
    let mut previous: Option<R> = None;
    let mut panels = 2usize;
    let mut values: Vec<(R, f64)> = Vec::new();
    while panels <= 4096 {
        values.clear();
        let h = (v2 - v1) / panels as f64;
        for k in 0..panels {
            let mid = v1 + h * (k as f64 + 0.5);
            for &(xi, wi) in nodes {
                values.push((phi(mid + h * (0.5 * xi)), wi));
            }
        }
        let m = values
            .iter()
            .map(|v| v.0)
            .fold(None::<R>, |acc, v| match acc {
                Some(a) if a.v() >= v.v() => Some(a),
                _ => Some(v),
            });
        let Some(m) = m else { return Err(failed) };
        let mut sum = R::cst(0.0);
        for &(f, w) in &values {
            sum = sum + (f - m).exp() * w;
        }
        let ln_i = m + (sum * h * 0.5).ln();
        if let Some(prev) = previous
            && (ln_i.v() - prev.v()).abs() <= 1e-13 * ln_i.v().abs().max(1.0)
        {
            return Ok(rsx.ln() + ln_i - rsx * gap.ln());
        }
        previous = Some(ln_i);
        panels *= 2;
    }
    Err(failed)
}

/// The 20-point Gauss-Legendre rule on [-1, 1]: (node, weight).
fn gauss_legendre() -> &'static [(f64, f64)] {
    static RULE: std::sync::OnceLock<Vec<(f64, f64)>> = std::sync::OnceLock::new();
    RULE.get_or_init(|| {
        const N: usize = 20;
        let mut rule = Vec::with_capacity(N);
        for i in 1..=N {
            // Newton's method on P_N from the Chebyshev guess.
            let mut x = (std::f64::consts::PI * (i as f64 - 0.25) / (N as f64 + 0.5)).cos();
            let mut dp = 0.0;
            for _ in 0..100 {
                let (mut p0, mut p1) = (1.0f64, x);
                for k in 2..=N {
                    let kf = k as f64;
                    let p2 = ((2.0 * kf - 1.0) * x * p1 - (kf - 1.0) * p0) / kf;
                    p0 = p1;
                    p1 = p2;
                }
                dp = N as f64 * (x * p1 - p0) / (x * x - 1.0);
                let dx = p1 / dp;
                x -= dx;
                if dx.abs() < 1e-16 {
                    break;
                }
            }
            rule.push((x, 2.0 / ((1.0 - x * x) * dp * dp)));
        }
        rule
    })
}

/// ln of the bracket of the likelihood, `1/((α+T)^(r+x)(β+T)^s) + s/(r+s+x) A0`,
/// and ln of its second part (None when A0 = 0).
fn ln_bracket<R: Real>(
    th: &[R; 4],
    x: f64,
    tx: f64,
    t: f64,
) -> Result<(R, Option<R>), SeriesError> {
    let [r, al, s, be] = *th;
    let first = -((r + x) * (al + t).ln()) - s * (be + t).ln();
    if tx >= t {
        return Ok((first, None));
    }
    let Some(ln_a0) = ln_a0(th, x, tx, t, ln_a0_term(th, x, tx), ln_a0_term(th, x, t))? else {
        // t_x so close to T that A0 vanishes to precision.
        return Ok((first, None));
    };
    let second = s.ln() - (r + s + x).ln() + ln_a0;
    Ok((first.log_add_exp(second), Some(second)))
}

/// The total weighted log-likelihood over `p`; a series or quadrature that
/// fails is an error.
fn log_likelihood<R: Real>(p: &Patterns, th: &[R; 4]) -> Result<R, SeriesError> {
    let [r, al, s, be] = *th;
    let mut ll = (-r.lgamma() + r * al.ln() + s * be.ln()) * p.total;
    let g_r = lgamma_run(r, p.xs.iter().map(|x| x.0));
    for (&(_, w), g) in p.xs.iter().zip(g_r) {
        ll = ll + g * w;
    }
    let ln_at: Vec<R> = p.ts.iter().map(|&t| (al + t).ln()).collect();
    let ln_bt: Vec<R> = p.ts.iter().map(|&t| (be + t).ln()).collect();
    let ln_atx: Vec<R> = p.txs.iter().map(|&u| (al + u).ln()).collect();
    let ln_btx: Vec<R> = p.txs.iter().map(|&u| (be + u).ln()).collect();
    let logs = Logs {
        at: &ln_at,
        bt: &ln_bt,
        atx: &ln_atx,
        btx: &ln_btx,
    };
    // Many rows are shared between threads (a thread costs tens of
    // microseconds, a thousand rows about a hundred): in chunks fixed by
    // the number of rows alone, summed in chunk order, so that the result
    // does not depend on how many threads share the work.
    let n = p.rows.len();
    let chunks = (n / 8192).clamp(1, 16);
    let bounds: Vec<usize> = (0..=chunks).map(|k| k * n / chunks).collect();
    let work = |k: usize| rows_ll(p, th, &logs, bounds[k]..bounds[k + 1]);
    let threads = crate::fit::threads().min(chunks);
    let mut partial: Vec<Result<R, SeriesError>> = vec![Ok(R::cst(0.0)); chunks];
    if threads <= 1 {
        for (k, slot) in partial.iter_mut().enumerate() {
            *slot = work(k);
        }
    } else {
        let work = &work;
        std::thread::scope(|scope| {
            let helpers: Vec<_> = (1..threads)
                .map(|first| {
                    scope.spawn(move || {
                        (first..chunks)
                            .step_by(threads)
                            .map(|k| (k, work(k)))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            for k in (0..chunks).step_by(threads) {
                partial[k] = work(k);
            }
            for h in helpers {
                match h.join() {
                    Ok(done) => {
                        for (k, v) in done {
                            partial[k] = v;
                        }
                    }
                    Err(panic) => std::panic::resume_unwind(panic),
                }
            }
        });
    }
    for v in partial {
        ll = ll + v?;
    }
    Ok(ll)
}

/// ln(α+u) and ln(β+u) for every distinct T and t_x of the patterns.
struct Logs<'a, R> {
    at: &'a [R],
    bt: &'a [R],
    atx: &'a [R],
    btx: &'a [R],
}

/// The rows `range` of the likelihood (each a sorted run of `p.rows`).
fn rows_ll<R: Real>(
    p: &Patterns,
    th: &[R; 4],
    logs: &Logs<'_, R>,
    range: std::ops::Range<usize>,
) -> Result<R, SeriesError> {
    let [r, _, s, _] = *th;
    // A0's terms depend on (x, t_x) and on (x, T): rows come sorted by x
    // and t_x, so each is computed once per distinct pair.
    let mut ell_t: Vec<Option<Result<R, SeriesError>>> = vec![None; p.ts.len()];
    let (mut cur_x, mut cur_tx) = (f64::NAN, f64::NAN);
    let mut ell_tx: Result<R, SeriesError> = Ok(R::cst(0.0));
    let mut ln_coef = R::cst(0.0);
    let mut ll = R::cst(0.0);
    for (&[x, tx, t, w], &[_, txi, ti]) in p.rows[range.clone()].iter().zip(&p.index[range]) {
        let (txi, ti) = (txi as usize, ti as usize);
        if x != cur_x {
            cur_x = x;
            cur_tx = f64::NAN;
            ell_t.fill(None);
            ln_coef = s.ln() - (r + s + x).ln();
        }
        let first = -((r + x) * logs.at[ti]) - s * logs.bt[ti];
        let term = if tx >= t {
            first
        } else {
            if tx != cur_tx {
                cur_tx = tx;
                ell_tx = ln_a0_term_at(th, x, tx, logs.atx[txi], logs.btx[txi]);
            }
            let l_t =
                *ell_t[ti].get_or_insert_with(|| ln_a0_term_at(th, x, t, logs.at[ti], logs.bt[ti]));
            match ln_a0(th, x, tx, t, ell_tx, l_t)? {
                Some(a0) => first.log_add_exp(ln_coef + a0),
                None => first,
            }
        };
        ll = ll + term * w;
    }
    Ok(ll)
}

impl ParetoNbd {
    /// A model with these parameters.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] unless all are positive and finite.
    pub fn new(r: f64, alpha: f64, s: f64, beta: f64) -> Result<ParetoNbd> {
        check_positive::<Self>(&[r, alpha, s, beta])?;
        Ok(ParetoNbd { r, alpha, s, beta })
    }

    /// Fits by maximum likelihood on `data` (weights honoured), with exact
    /// gradients through the hypergeometric series.
    ///
    /// # Errors
    ///
    /// As [`BgNbd::fit`](crate::BgNbd::fit).
    pub fn fit(data: &[Summary], options: &FitOptions) -> Result<Fit<ParetoNbd>> {
        let model = Self::MODEL;
        let scale = Patterns::max_t(data);
        let p = Patterns::new(data, scale)?;
        p.require_repeat_buyers(model)?;
        let m = maximise(
            model,
            |th: &[Dual<4>; 4]| log_likelihood(&p, th).ok(),
            p.total,
            [1.0; 4],
            options,
        )?;
        let [r, al, s, be] = m.params;
        let fitted = ParetoNbd {
            r,
            alpha: al * scale,
            s,
            beta: be * scale,
        };
        let params = [fitted.r, fitted.alpha, fitted.s, fitted.beta];
        let ll = log_likelihood(&p.rescaled(scale), &params)?;
        Ok(m.into_fit(fitted, &params, ll, &p))
    }

    /// The total log-likelihood of `data` under this model.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidSummary`] for an inconsistent row;
    /// [`Error::Series`] when a series does not converge.
    pub fn log_likelihood(&self, data: &[Summary]) -> Result<f64> {
        let p = Patterns::new(data, 1.0)?;
        Ok(log_likelihood(
            &p,
            &[self.r, self.alpha, self.s, self.beta],
        )?)
    }
}

impl PurchaseModel for ParetoNbd {
    fn name(&self) -> &'static str {
        Self::MODEL
    }

    fn p_alive(&self, c: &Summary) -> Result<f64> {
        c.check("summary")?;
        let th = [self.r, self.alpha, self.s, self.beta];
        let x = f64::from(c.frequency);
        let (_, second) = ln_bracket(&th, x, c.recency, c.t)?;
        let Some(second) = second else { return Ok(1.0) };
        // P = 1 / (1 + second / first), first = (α+T)^-(r+x) (β+T)^-s.
        let first = -((self.r + x) * (self.alpha + c.t).ln()) - self.s * (self.beta + c.t).ln();
        Ok(logistic(first - second))
    }

    fn expected_purchases(&self, c: &Summary, t: f64) -> Result<f64> {
        if !(t.is_finite() && t >= 0.0) {
            return Err(Error::InvalidArgument(format!(
                "a horizon must be a non-negative number, not {t}"
            )));
        }
        let pa = self.p_alive(c)?;
        let x = f64::from(c.frequency);
        let bt = self.beta + c.t;
        let l = (bt / (bt + t)).ln();
        Ok(pa * (self.r + x) * bt / (self.alpha + c.t) * one_minus_pow_over(self.s - 1.0, l))
    }

    fn expected_purchases_new(&self, t: f64) -> Result<f64> {
        if !(t.is_finite() && t >= 0.0) {
            return Err(Error::InvalidArgument(format!(
                "a horizon must be a non-negative number, not {t}"
            )));
        }
        let l = (self.beta / (self.beta + t)).ln();
        Ok(self.r * self.beta / self.alpha * one_minus_pow_over(self.s - 1.0, l))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fit::gradient_check::{agrees, histories};

    #[test]
    fn quadrature_equals_the_series() {
        // Both branches, several histories, where the series converge.
        for th in [
            [0.55, 10.6, 0.61, 11.7],
            [0.8, 14.0, 1.3, 3.0],
            [1.9, 19.1, 98.4, 2056.0],
        ] {
            for (x, tx, t) in [
                (0.0, 0.0, 38.0),
                (2.0, 30.4, 38.9),
                (7.0, 1.0, 250.0),
                (40.0, 37.0, 38.0),
            ] {
                let series = ln_a0(&th, x, tx, t, ln_a0_term(&th, x, tx), ln_a0_term(&th, x, t))
                    .unwrap()
                    .unwrap();
                let quad = ln_a0_quadrature(&th, x, tx, t).unwrap();
                assert!(
                    (series - quad).abs() <= 1e-11 * series.abs().max(1.0),
                    "{th:?} {x} {tx} {t}: {series} vs {quad}"
                );
            }
        }
        // And its dual gradient is exact too.
        let d = |th: &[Dual<4>; 4]| ln_a0_quadrature(th, 3.0, 2.0, 40.0).unwrap();
        agrees(d, [0.55, 10.6, 0.61, 11.7], 1e-6);
        agrees(d, [0.8, 14.0, 1.3, 3.0], 1e-6);
    }

    #[test]
    fn one_scale_far_above_the_other() {
        // β/α ~ 1e4 (a nearly common dropout rate): the series would need
        // ~1e5 terms; quadrature takes over and agrees with a slower,
        // uncapped series.
        let th = [1.9, 19.1, 98.4, 205_657.0];
        for (x, tx, t) in [(0.0, 0.0, 250.0), (1.0, 3.0, 200.0), (5.0, 100.0, 249.0)] {
            assert!(ln_a0_term(&th, x, tx).is_err() || ln_a0_term(&th, x, t).is_err());
            let quad = ln_a0_quadrature(&th, x, tx, t).unwrap();
            let slow = |u: f64| {
                let [r, al, s, be] = th;
                let base = be + u;
                let z = (be - al) / base;
                let f = crate::special::ln_hyp2f1(1.0, s + 1.0, r + s + x + 1.0, z).unwrap();
                (1.0 - r - x) * ((al + u) / base).ln() + f - (r + s + x) * base.ln()
            };
            let (a, b) = (slow(tx), slow(t));
            let series = a + (b - a).ln_1m_exp();
            assert!(
                (series - quad).abs() <= 1e-9 * series.abs(),
                "{x} {tx} {t}: {series} vs {quad}"
            );
        }
    }

    #[test]
    fn exact_gradient() {
        let p = Patterns::new(&histories(), 1.0).unwrap();
        // Both branches: alpha > beta and alpha < beta.
        for th in [
            [0.55, 10.6, 0.61, 11.7],
            [0.8, 14.0, 1.3, 3.0],
            [2.0, 5.0, 0.9, 5.0],
        ] {
            agrees(|d| log_likelihood(&p, d).unwrap(), th, 1e-6);
        }
    }
}
