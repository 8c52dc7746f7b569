//! BG/NBD (Fader, Hardie & Lee 2005) and MBG/NBD (Batislam, Denizel &
//! Filiztekin 2007): Poisson purchases while alive, a beta-geometric chance
//! of dropping out after each purchase (MBG/NBD: also at time 0).

use crate::PurchaseModel;
use crate::error::{Error, Result};
use crate::fit::{Fit, FitOptions, Parameters, Patterns, check_positive, maximise};
use crate::real::{Dual, Real, lgamma_run, logistic, softplus_sigmoid};
use crate::special::{BgNbdTail, one_minus_pow_over};
use crate::summary::Summary;

parameters! {
    /// The BG/NBD model's parameters: purchase rates are gamma(r, alpha)
    /// across customers, dropout probabilities beta(a, b).
    BgNbd {
        /// Shape of the purchase-rate distribution.
        r,
        /// Scale of the purchase-rate distribution, in time units.
        alpha,
        /// First shape of the dropout distribution.
        a,
        /// Second shape of the dropout distribution.
        b,
    }
}

parameters! {
    /// The MBG/NBD model's parameters (as [`BgNbd`]; customers may also drop
    /// out before any repeat purchase, so P(alive) decays for them too).
    MbgNbd {
        /// Shape of the purchase-rate distribution.
        r,
        /// Scale of the purchase-rate distribution, in time units.
        alpha,
        /// First shape of the dropout distribution.
        a,
        /// Second shape of the dropout distribution.
        b,
    }
}

/// The two variants, which share all formulas up to a shift.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Variant {
    Bg,
    Mbg,
}

/// Total weighted log-likelihood over `p` at `[r, alpha, a, b]`.
fn log_likelihood<R: Real>(v: Variant, p: &Patterns, th: &[R; 4]) -> Option<R> {
    let [r, al, a, b] = *th;
    let w = p.total;
    let ln_al = al.ln();
    let ln_a = a.ln();
    let mut ll = (-r.lgamma() + r * ln_al + (a + b).lgamma() - b.lgamma()) * w;
    // Terms of one x: the gamma functions and ln a - ln(b + x - 1) (BG) or
    // ln a - ln(b + x) (MBG).
    let xs = || p.xs.iter().map(|x| x.0);
    let shift = if v == Variant::Bg { 0.0 } else { 1.0 };
    let g_r = lgamma_run(r, xs());
    let g_b = lgamma_run(b + shift, xs());
    let g_ab = lgamma_run(a + b + shift, xs());
    let mut odds = Vec::with_capacity(p.xs.len());
    for (i, &(x, wx)) in p.xs.iter().enumerate() {
        ll = ll + (g_r[i] + g_b[i] - g_ab[i]) * wx;
        odds.push(match v {
            Variant::Bg if x == 0.0 => R::cst(0.0),
            Variant::Bg => ln_a - (b + (x - 1.0)).ln(),
            Variant::Mbg => ln_a - (b + x).ln(),
        });
    }
    let ln_t: Vec<R> = p.ts.iter().map(|&t| (al + t).ln()).collect();
    let ln_tx: Vec<R> = p.txs.iter().map(|&tx| (al + tx).ln()).collect();
    // The rows in f64, with the adjoints of the per-value terms they use
    // (reverse mode by hand): each row's term is
    // -(r+x) ln(α+T) + softplus(odds_x + (r+x)(ln(α+T) - ln(α+t_x))).
    let rv = r.v();
    let (mut val, mut adj_r) = (0.0, 0.0);
    let mut adj_t = vec![0.0; ln_t.len()];
    let mut adj_tx = vec![0.0; ln_tx.len()];
    let mut adj_odds = vec![0.0; odds.len()];
    for (&[x, _, _, w], &[xi, txi, ti]) in p.rows.iter().zip(&p.index) {
        let (xi, txi, ti) = (xi as usize, txi as usize, ti as usize);
        let rx = rv + x;
        let lt = ln_t[ti].v();
        if v == Variant::Bg && x == 0.0 {
            val -= w * rx * lt;
            adj_r -= w * lt;
            adj_t[ti] -= w * rx;
            continue;
        }
        let ltx = ln_tx[txi].v();
        let (sp, sig) = softplus_sigmoid(odds[xi].v() + rx * (lt - ltx));
        val += w * (sp - rx * lt);
        adj_r += w * (sig * (lt - ltx) - lt);
        adj_t[ti] += w * rx * (sig - 1.0);
        adj_tx[txi] -= w * rx * sig;
        adj_odds[xi] += w * sig;
    }
    let mut parts = Vec::with_capacity(1 + ln_t.len() + ln_tx.len() + odds.len());
    parts.push((adj_r, r));
    parts.extend(adj_t.into_iter().zip(ln_t));
    parts.extend(adj_tx.into_iter().zip(ln_tx));
    parts.extend(adj_odds.into_iter().zip(odds));
    let ll = ll + R::lift(val, &parts);
    ll.v().is_finite().then_some(ll)
}

/// Fits variant `v`; `make` builds the model from `[r, alpha, a, b]`.
fn fit_variant<M>(
    v: Variant,
    data: &[Summary],
    options: &FitOptions,
    make: fn([f64; 4]) -> M,
) -> Result<Fit<M>> {
    let model = match v {
        Variant::Bg => BgNbd::MODEL,
        Variant::Mbg => MbgNbd::MODEL,
    };
    let scale = Patterns::max_t(data);
    let p = Patterns::new(data, scale)?;
    p.require_repeat_buyers(model)?;
    let m = maximise(
        model,
        |th: &[Dual<4>; 4]| log_likelihood(v, &p, th),
        p.total,
        [1.0; 4],
        options,
    )?;
    let [r, al, a, b] = m.params;
    let params = [r, al * scale, a, b];
    let unscaled = p.rescaled(scale);
    let ll = log_likelihood(v, &unscaled, &params).ok_or_else(|| Error::NoConvergence {
        model,
        reason: "the log-likelihood is not finite at the fitted parameters".into(),
    })?;
    Ok(m.into_fit(make(params), &params, ll, &p))
}

impl BgNbd {
    /// A model with these parameters.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] unless all are positive and finite.
    pub fn new(r: f64, alpha: f64, a: f64, b: f64) -> Result<BgNbd> {
        check_positive::<Self>(&[r, alpha, a, b])?;
        Ok(BgNbd { r, alpha, a, b })
    }

    /// Fits by maximum likelihood on `data` (weights honoured).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidSummary`] for an inconsistent row,
    /// [`Error::Degenerate`] with fewer than 2 customers or no repeat
    /// buyer, [`Error::NoConvergence`] when no maximum is found.
    pub fn fit(data: &[Summary], options: &FitOptions) -> Result<Fit<BgNbd>> {
        fit_variant(Variant::Bg, data, options, |[r, alpha, a, b]| BgNbd {
            r,
            alpha,
            a,
            b,
        })
    }

    /// The total log-likelihood of `data` under this model.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidSummary`] for an inconsistent row.
    pub fn log_likelihood(&self, data: &[Summary]) -> Result<f64> {
        let p = Patterns::new(data, 1.0)?;
        Ok(
            log_likelihood(Variant::Bg, &p, &[self.r, self.alpha, self.a, self.b])
                .map_or(f64::NEG_INFINITY, |l| l),
        )
    }

    /// The expected purchases of a customer in the next `t` time units if
    /// the customer is still alive: E\[Y(t) | alive, x, T\]. It depends on
    /// the frequency and the age `T` only, not on the recency, so many
    /// customers share it; times [`PurchaseModel::p_alive`] it is
    /// [`PurchaseModel::expected_purchases`], to the last bit
    /// (`expected_purchases_if_alive(s, t)? * p_alive(s)?`).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidSummary`] for an inconsistent summary,
    /// [`Error::InvalidArgument`] for a negative or non-finite `t`.
    pub fn expected_purchases_if_alive(&self, s: &Summary, t: f64) -> Result<f64> {
        s.check("summary")?;
        check_t(t)?;
        let (r, al, a, b) = (self.r, self.alpha, self.a, self.b);
        let x = f64::from(s.frequency);
        let (num, big_a, c) = (a + b + x - 1.0, a + b - 1.0 - r, a + b + x - 1.0);
        let mut tail = BgNbdTail::new(big_a, a - 1.0, c);
        let z = t / (al + s.t + t);
        Ok(num * bracket_along(&mut tail, a, z)?)
    }
}

impl MbgNbd {
    /// A model with these parameters.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] unless all are positive and finite.
    pub fn new(r: f64, alpha: f64, a: f64, b: f64) -> Result<MbgNbd> {
        check_positive::<Self>(&[r, alpha, a, b])?;
        Ok(MbgNbd { r, alpha, a, b })
    }

    /// Fits by maximum likelihood on `data` (weights honoured).
    ///
    /// # Errors
    ///
    /// As [`BgNbd::fit`].
    pub fn fit(data: &[Summary], options: &FitOptions) -> Result<Fit<MbgNbd>> {
        fit_variant(Variant::Mbg, data, options, |[r, alpha, a, b]| MbgNbd {
            r,
            alpha,
            a,
            b,
        })
    }

    /// The total log-likelihood of `data` under this model.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidSummary`] for an inconsistent row.
    pub fn log_likelihood(&self, data: &[Summary]) -> Result<f64> {
        let p = Patterns::new(data, 1.0)?;
        Ok(
            log_likelihood(Variant::Mbg, &p, &[self.r, self.alpha, self.a, self.b])
                .map_or(f64::NEG_INFINITY, |l| l),
        )
    }
}

impl Parameters for BgNbd {
    const MODEL: &'static str = "bg-nbd";
    const NAMES: &'static [&'static str] = &["r", "alpha", "a", "b"];
    fn values(&self) -> Vec<f64> {
        vec![self.r, self.alpha, self.a, self.b]
    }
}

impl Parameters for MbgNbd {
    const MODEL: &'static str = "mbg-nbd";
    const NAMES: &'static [&'static str] = &["r", "alpha", "a", "b"];
    fn values(&self) -> Vec<f64> {
        vec![self.r, self.alpha, self.a, self.b]
    }
}

/// `[1 - (1-z)^(a-1) 2F1(A, a-1; C; z)] / (a-1)` without cancellation near
/// a = 1: the series' terms after the first all carry the factor (a-1),
/// which is divided out before summing.
fn bracket(a: f64, big_a: f64, c: f64, z: f64) -> Result<f64> {
    bracket_along(&mut BgNbdTail::new(big_a, a - 1.0, c), a, z)
}

/// [`bracket`] with the series `tail` (made for `A = big_a`, `e = a - 1`,
/// `C = c`), which continues from its last `z` when `z` grows.
fn bracket_along(tail: &mut BgNbdTail, a: f64, z: f64) -> Result<f64> {
    let e = a - 1.0;
    let l = (-z).ln_1p();
    if z == 0.0 {
        return Ok(0.0);
    }
    // sum_{n>=1} (A)_n (a)_{n-1} / ((C)_n n!) z^n
    let q = tail.at(z)?;
    Ok(one_minus_pow_over(e, l) - (e * l).exp() * q)
}

impl Variant {
    /// E[Y(t) | x, t_x, T] with the Euler-collapsed series.
    fn conditional(self, m: &[f64; 4], s: &Summary, t: f64) -> Result<f64> {
        Ok(self.conditional_along(m, s, &[t])?[0])
    }

    /// [`Variant::conditional`] at each of `ts`; increasing horizons share
    /// the continuation of the series.
    fn conditional_along(self, m: &[f64; 4], s: &Summary, ts: &[f64]) -> Result<Vec<f64>> {
        let [r, al, a, b] = *m;
        let x = f64::from(s.frequency);
        let (num, big_a, c) = match self {
            Variant::Bg => (a + b + x - 1.0, a + b - 1.0 - r, a + b + x - 1.0),
            Variant::Mbg => (a + b + x, a + b - r, a + b + x),
        };
        let p_alive = self.p_alive(m, s);
        let mut tail = BgNbdTail::new(big_a, a - 1.0, c);
        ts.iter()
            .map(|&t| {
                check_t(t)?;
                let z = t / (al + s.t + t);
                Ok(num * bracket_along(&mut tail, a, z)? * p_alive)
            })
            .collect()
    }

    fn p_alive(self, m: &[f64; 4], s: &Summary) -> f64 {
        let [r, al, a, b] = *m;
        let x = f64::from(s.frequency);
        let ln_odds = match self {
            Variant::Bg if x == 0.0 => return 1.0,
            Variant::Bg => (a / (b + x - 1.0)).ln(),
            Variant::Mbg => (a / (b + x)).ln(),
        } + (r + x) * ((al + s.t) / (al + s.recency)).ln();
        logistic(-ln_odds)
    }

    fn unconditional(self, m: &[f64; 4], t: f64) -> Result<f64> {
        let [r, al, a, b] = *m;
        let z = t / (al + t);
        match self {
            Variant::Bg => Ok((a + b - 1.0) * bracket(a, a + b - 1.0 - r, a + b - 1.0, z)?),
            Variant::Mbg => Ok(b * bracket(a, a + b - r, a + b, z)?),
        }
    }
}

fn check_t(t: f64) -> Result<()> {
    if t.is_finite() && t >= 0.0 {
        Ok(())
    } else {
        Err(Error::InvalidArgument(format!(
            "a horizon must be a non-negative number, not {t}"
        )))
    }
}

macro_rules! purchase_model {
    ($ty:ty, $variant:expr) => {
        impl PurchaseModel for $ty {
            fn name(&self) -> &'static str {
                <$ty as Parameters>::MODEL
            }

            fn p_alive(&self, s: &Summary) -> Result<f64> {
                s.check("summary")?;
                Ok($variant.p_alive(&[self.r, self.alpha, self.a, self.b], s))
            }

            fn expected_purchases(&self, s: &Summary, t: f64) -> Result<f64> {
                s.check("summary")?;
                check_t(t)?;
                $variant.conditional(&[self.r, self.alpha, self.a, self.b], s, t)
            }

            fn expected_purchases_new(&self, t: f64) -> Result<f64> {
                check_t(t)?;
                $variant.unconditional(&[self.r, self.alpha, self.a, self.b], t)
            }

            fn expected_purchases_along(&self, s: &Summary, ts: &[f64]) -> Result<Vec<f64>> {
                s.check("summary")?;
                $variant.conditional_along(&[self.r, self.alpha, self.a, self.b], s, ts)
            }
        }
    };
}

purchase_model!(BgNbd, Variant::Bg);
purchase_model!(MbgNbd, Variant::Mbg);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fit::gradient_check::{agrees, histories};

    proptest::proptest! {
        /// Expected purchases if alive times P(alive) is expected
        /// purchases, bit for bit, whatever the recency.
        #[test]
        fn if_alive_times_p_alive_is_expected(
            r in 0.05f64..5.0, alpha in 0.1f64..50.0, a in 0.05f64..5.0, b in 0.05f64..5.0,
            x in 0u32..60, age in 0.0f64..300.0, share in 0.0f64..=1.0, t in 0.0f64..200.0,
        ) {
            let m = BgNbd::new(r, alpha, a, b).unwrap();
            let recency = if x == 0 { 0.0 } else { age * share };
            let s = Summary::new(x, recency, age);
            let e = m.expected_purchases(&s, t).unwrap();
            let split = m.expected_purchases_if_alive(&s, t).unwrap() * m.p_alive(&s).unwrap();
            proptest::prop_assert_eq!(split.to_bits(), e.to_bits());
        }
    }

    /// With `a + b < 1`, a customer without repeat purchases has
    /// `c = a + b - 1 < 0` in the series; it was refused as out of its
    /// domain, so the report and predictions failed on such a fit. Values
    /// from mpmath at 40 digits.
    #[test]
    fn a_plus_b_below_one_is_predicted() {
        for (r, alpha, a, b, age, t, want) in [
            (
                0.05,
                0.1,
                0.05,
                0.05,
                66.2133,
                96.9176,
                0.058_136_603_171_084_84,
            ),
            (0.3, 2.0, 0.3, 0.4, 50.0, 30.0, 0.152_010_438_898_111_03),
            (0.2, 0.5, 0.1, 0.2, 100.0, 150.0, 0.249_932_448_106_880_2),
            (1.0, 3.0, 0.4, 0.5, 20.0, 10.0, 0.370_642_180_877_752_6),
        ] {
            let m = BgNbd::new(r, alpha, a, b).unwrap();
            let got = m.expected_purchases(&Summary::new(0, 0.0, age), t).unwrap();
            assert!(
                (got - want).abs() <= 1e-12 * want,
                "{r} {alpha} {a} {b}: {got} vs {want}"
            );
        }
    }

    /// A horizon of ten million weeks once asked the series for more than
    /// two million terms (`2F1(...) did not converge`).
    #[test]
    fn long_horizons_are_predicted() {
        let c = Summary::new(2, 30.43, 38.86);
        for m in [
            &BgNbd::new(0.243, 4.414, 0.793, 2.426).unwrap() as &dyn PurchaseModel,
            &MbgNbd::new(0.243, 4.414, 0.793, 2.426).unwrap(),
        ] {
            let mut before = 0.0;
            for t in [1e2, 1e4, 1e6, 1e7, 1e9] {
                let e = m.expected_purchases(&c, t).unwrap();
                assert!(e.is_finite() && e > before, "{t}: {e}");
                before = e;
                let n = m.expected_purchases_new(t).unwrap();
                assert!(n.is_finite() && n > 0.0, "{t}: {n}");
            }
        }
    }

    #[test]
    fn exact_gradient() {
        let p = Patterns::new(&histories(), 1.0).unwrap();
        for v in [Variant::Bg, Variant::Mbg] {
            for th in [[0.24, 4.4, 0.79, 2.4], [1.5, 0.5, 3.0, 0.2]] {
                agrees(|d| log_likelihood(v, &p, d).unwrap(), th, 1e-6);
            }
        }
    }
}
