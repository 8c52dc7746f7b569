//! BG/BB (Fader, Hardie & Shang 2010): discrete transaction opportunities
//! (yearly donations, annual events); a beta-Bernoulli purchase chance per
//! opportunity while alive and a beta-geometric dropout between them.

use statrs::function::gamma::digamma;

use crate::PurchaseModel;
use crate::error::{Error, Result};
use crate::fit::{Fit, FitOptions, Parameters, Patterns, check_positive, maximise, row_name};
use crate::real::{Dual, Real};
use crate::summary::Summary;

parameters! {
    /// The BG/BB model's parameters: purchase probability beta(alpha, beta),
    /// dropout probability beta(gamma, delta).
    BgBb {
        /// First shape of the purchase-probability distribution.
        alpha,
        /// Second shape of the purchase-probability distribution.
        beta,
        /// First shape of the dropout-probability distribution.
        gamma,
        /// Second shape of the dropout-probability distribution.
        delta,
    }
}

impl Parameters for BgBb {
    const MODEL: &'static str = "bg-bb";
    const NAMES: &'static [&'static str] = &["alpha", "beta", "gamma", "delta"];
    fn values(&self) -> Vec<f64> {
        vec![self.alpha, self.beta, self.gamma, self.delta]
    }
}

/// The most opportunities a BG/BB history may have: the likelihood sums a
/// term per opportunity after the last transaction.
pub const MAX_OPPORTUNITIES: f64 = 10_000.0;

/// Checks a BG/BB history: whole numbers with `x <= t_x <= n`, `t_x >= x`,
/// `n` at most [`MAX_OPPORTUNITIES`], and `t_x = 0` exactly when `x = 0`.
fn check_discrete(s: &Summary, row: impl Fn() -> String) -> Result<()> {
    s.check_at(&row)?;
    let bad = |field: &str, message: String| {
        Err(Error::InvalidSummary {
            row: row(),
            field: field.to_owned(),
            message,
        })
    };
    if s.recency.fract() != 0.0 {
        return bad(
            "recency",
            format!("{} is not a whole opportunity", s.recency),
        );
    }
    if s.t.fract() != 0.0 || s.t < 1.0 {
        return bad(
            "periods",
            format!("{} is not a positive whole number of opportunities", s.t),
        );
    }
    if s.t > MAX_OPPORTUNITIES {
        return bad(
            "periods",
            format!(
                "{} opportunities: at most {MAX_OPPORTUNITIES} are supported",
                s.t
            ),
        );
    }
    if s.frequency > 0 && s.recency < f64::from(s.frequency) {
        return bad(
            "recency",
            format!(
                "{} is before the {}th transaction could happen",
                s.recency, s.frequency
            ),
        );
    }
    Ok(())
}

/// ln L of one history (x, t_x, n).
fn ln_l<R: Real>(th: &[R; 4], x: f64, tx: f64, n: f64) -> R {
    let [al, be, ga, de] = *th;
    let lb_ab = al.lbeta(be);
    let lb_gd = ga.lbeta(de);
    let ax = al + x;
    let mut acc = ax.lbeta(be + (n - x)) - lb_ab + ga.lbeta(de + n) - lb_gd;
    let ga1 = ga + 1.0;
    let mut i = 0.0;
    while i < n - tx {
        let term = ax.lbeta(be + (tx - x + i)) - lb_ab + ga1.lbeta(de + (tx + i)) - lb_gd;
        acc = acc.log_add_exp(term);
        i += 1.0;
    }
    acc
}

fn log_likelihood<R: Real>(p: &Patterns, th: &[R; 4]) -> Option<R> {
    let mut ll = R::cst(0.0);
    for &[x, tx, n, w] in &p.rows {
        ll = ll + ln_l(th, x, tx, n) * w;
    }
    ll.v().is_finite().then_some(ll)
}

/// `(1 - e^(u)) / (g - 1)` where `u` vanishes as `g -> 1` with
/// `du/dg = -slope` there.
fn ratio_limit(u: f64, g: f64, slope: f64) -> f64 {
    if (g - 1.0).abs() < 1e-9 {
        slope
    } else {
        -u.exp_m1() / (g - 1.0)
    }
}

impl BgBb {
    /// A model with these parameters.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] unless all are positive and finite.
    pub fn new(alpha: f64, beta: f64, gamma: f64, delta: f64) -> Result<BgBb> {
        check_positive::<Self>(&[alpha, beta, gamma, delta])?;
        Ok(BgBb {
            alpha,
            beta,
            gamma,
            delta,
        })
    }

    /// Fits by maximum likelihood. Each summary is a history: `frequency`
    /// transactions in `t` opportunities, the last at opportunity
    /// `recency`; weights count identical histories.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidSummary`] for a history that is not one,
    /// [`Error::Degenerate`] with fewer than 2 customers or none with a
    /// transaction, [`Error::NoConvergence`] when no maximum is found.
    pub fn fit(data: &[Summary], options: &FitOptions) -> Result<Fit<BgBb>> {
        let model = Self::MODEL;
        for (i, s) in data.iter().enumerate() {
            check_discrete(s, || row_name(s, i))?;
        }
        let p = Patterns::new(data, 1.0)?;
        p.require_repeat_buyers(model)?;
        let m = maximise(
            model,
            |th: &[Dual<4>; 4]| log_likelihood(&p, th),
            p.total,
            [1.0; 4],
            options,
        )?;
        let [alpha, beta, gamma, delta] = m.params;
        let ll = log_likelihood(&p, &m.params).unwrap_or(f64::NEG_INFINITY);
        let params = m.params;
        Ok(m.into_fit(
            BgBb {
                alpha,
                beta,
                gamma,
                delta,
            },
            &params,
            ll,
            &p,
        ))
    }

    /// The total log-likelihood of `data` under this model.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidSummary`] for a history that is not one.
    pub fn log_likelihood(&self, data: &[Summary]) -> Result<f64> {
        for (i, s) in data.iter().enumerate() {
            check_discrete(s, || row_name(s, i))?;
        }
        let p = Patterns::new(data, 1.0)?;
        Ok(log_likelihood(&p, &self.array()).unwrap_or(f64::NEG_INFINITY))
    }

    fn array(&self) -> [f64; 4] {
        [self.alpha, self.beta, self.gamma, self.delta]
    }

    /// The probability that the customer is alive at opportunity `n + m`
    /// (`n` = the history's `t`). `m = 0` is alive at the last observed
    /// opportunity (`lifetimes`' default, 1 when `recency = n`); `m = 1`
    /// alive at the next one (BTYD's `bgbb.PAlive`), which
    /// [`PurchaseModel::p_alive`] returns.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidSummary`] for a history that is not one.
    pub fn p_alive_at(&self, c: &Summary, m: u32) -> Result<f64> {
        check_discrete(c, || "summary".to_owned())?;
        let [al, be, ga, de] = self.array();
        let (x, n) = (f64::from(c.frequency), c.t);
        let l = ln_l(&self.array(), x, c.recency, n);
        let num = (al + x).lbeta(be + n - x) - al.lbeta(be) + ga.lbeta(de + n + f64::from(m))
            - ga.lbeta(de);
        Ok((num - l).exp().min(1.0))
    }
}

impl PurchaseModel for BgBb {
    fn name(&self) -> &'static str {
        Self::MODEL
    }

    /// Alive at the next opportunity, `n + 1`.
    fn p_alive(&self, c: &Summary) -> Result<f64> {
        self.p_alive_at(c, 1)
    }

    /// Expected transactions in the next `t` opportunities (`t` is
    /// rounded down to a whole number).
    fn expected_purchases(&self, c: &Summary, t: f64) -> Result<f64> {
        check_discrete(c, || "summary".to_owned())?;
        let t = whole(t)?;
        let [al, be, ga, de] = self.array();
        let (x, n) = (f64::from(c.frequency), c.t);
        let l = ln_l(&self.array(), x, c.recency, n);
        let k = (al + x + 1.0).lbeta(be + n - x) - al.lbeta(be) - l + (ga + de).lgamma()
            - (1.0 + de).lgamma()
            + de.ln();
        let u1 = (1.0 + de + n).lgamma() - (ga + de + n).lgamma();
        let u2 = (1.0 + de + n + t).lgamma() - (ga + de + n + t).lgamma();
        let slope = digamma(1.0 + de + n + t) - digamma(1.0 + de + n);
        Ok((k + u1).exp() * ratio_limit(u2 - u1, ga, slope))
    }

    /// Expected transactions in the first `t` opportunities of a new
    /// customer (rounded down to a whole number).
    fn expected_purchases_new(&self, t: f64) -> Result<f64> {
        let n = whole(t)?;
        let [al, be, ga, de] = self.array();
        let u = (ga + de).lgamma() - (ga + de + n).lgamma() + (1.0 + de + n).lgamma()
            - (1.0 + de).lgamma();
        let slope = digamma(1.0 + de + n) - digamma(1.0 + de);
        Ok(al / (al + be) * de * ratio_limit(u, ga, slope))
    }
}

fn whole(t: f64) -> Result<f64> {
    if t.is_finite() && t >= 0.0 {
        Ok(t.floor())
    } else {
        Err(Error::InvalidArgument(format!(
            "a number of opportunities must be non-negative, not {t}"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fit::gradient_check::agrees;

    #[test]
    fn exact_gradient() {
        let data: Vec<Summary> = [(0, 0.0), (1, 1.0), (2, 5.0), (6, 6.0), (3, 4.0)]
            .into_iter()
            .map(|(x, tx)| Summary::new(x, tx, 6.0))
            .collect();
        let p = Patterns::new(&data, 1.0).unwrap();
        agrees(
            |d| log_likelihood(&p, d).unwrap(),
            [1.2, 0.75, 0.66, 2.78],
            1e-6,
        );
    }
}
