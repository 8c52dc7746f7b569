//! The Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV"):
//! each customer's transaction values are gamma(p, nu) with nu gamma(q,
//! gamma) across customers; spend is assumed independent of frequency.

use crate::error::{Error, Result};
use crate::fit::{Fit, FitOptions, Parameters, Patterns, check_positive, maximise, row_name};
use crate::real::{Dual, Real};
use crate::summary::Summary;

parameters! {
    /// The Gamma-Gamma model's parameters.
    GammaGamma {
        /// Shape of each transaction's value.
        p,
        /// Shape of the distribution of the value scale across customers.
        q,
        /// Scale of the distribution of the value scale across customers.
        gamma,
    }
}

impl Parameters for GammaGamma {
    const MODEL: &'static str = "gamma-gamma";
    const NAMES: &'static [&'static str] = &["p", "q", "gamma"];
    fn values(&self) -> Vec<f64> {
        vec![self.p, self.q, self.gamma]
    }
}

/// How many customers a Gamma-Gamma fit could not use.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct LeftOut {
    /// Customers without a repeat purchase (no repeat spend to learn from).
    pub no_repeat: f64,
    /// Customers with repeat purchases but a mean spend of zero or less.
    pub non_positive_spend: f64,
}

impl GammaGamma {
    /// A model with these parameters.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] unless all are positive and finite.
    pub fn new(p: f64, q: f64, gamma: f64) -> Result<GammaGamma> {
        check_positive::<Self>(&[p, q, gamma])?;
        Ok(GammaGamma { p, q, gamma })
    }

    /// Fits on the customers with a repeat purchase and a positive mean
    /// spend; the others are counted in [`LeftOut`].
    ///
    /// # Errors
    ///
    /// [`Error::InvalidSummary`] for an inconsistent row,
    /// [`Error::Degenerate`] with fewer than 2 usable customers or all
    /// spends equal, [`Error::NoConvergence`] when no maximum is found.
    pub fn fit(data: &[Summary], options: &FitOptions) -> Result<(Fit<GammaGamma>, LeftOut)> {
        let model = Self::MODEL;
        let mut left = LeftOut::default();
        let mut rows = Vec::new();
        for (i, s) in data.iter().enumerate() {
            s.check_at(|| row_name(s, i))?;
            if s.frequency == 0 {
                left.no_repeat += s.weight;
            } else if s.monetary <= 0.0 {
                left.non_positive_spend += s.weight;
            } else {
                rows.push([
                    f64::from(s.frequency),
                    s.monetary,
                    s.monetary.ln(),
                    s.weight,
                ]);
            }
        }
        let p = Patterns::group(rows);
        if p.total < 2.0 {
            return Err(Error::Degenerate {
                model,
                reason: format!(
                    "{} customer(s) with a repeat purchase and positive spend; at least 2 are \
                     needed ({} without a repeat purchase, {} with spend <= 0 left out)",
                    p.total, left.no_repeat, left.non_positive_spend
                ),
            });
        }
        let first = p.rows[0][1];
        if p.rows.iter().all(|r| r[1] == first) {
            return Err(Error::Degenerate {
                model,
                reason: "every customer has the same mean spend".into(),
            });
        }
        let m = maximise(
            model,
            |th: &[Dual<3>; 3]| log_likelihood(&p, th),
            p.total,
            [1.0; 3],
            options,
        )?;
        let [pp, q, gamma] = m.params;
        let ll = log_likelihood(&p, &m.params).unwrap_or(f64::NEG_INFINITY);
        Ok((
            {
                let params = m.params;
                m.into_fit(GammaGamma { p: pp, q, gamma }, &params, ll, &p)
            },
            left,
        ))
    }

    /// The expected mean transaction value of a customer: a weighted mix
    /// of the population mean `p gamma / (q - 1)` and the customer's own
    /// mean (the population mean for a customer without repeat purchases
    /// or without positive spend).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] when `q <= 1` (the population mean is
    /// infinite).
    pub fn expected_spend(&self, c: &Summary) -> Result<f64> {
        if self.q <= 1.0 {
            return Err(Error::InvalidArgument(format!(
                "gamma-gamma: q = {} <= 1 gives no finite mean spend",
                self.q
            )));
        }
        if c.frequency == 0 || c.monetary <= 0.0 {
            return Ok(self.p * self.gamma / (self.q - 1.0));
        }
        let x = f64::from(c.frequency);
        Ok((self.gamma + c.monetary * x) * self.p / (self.p * x + self.q - 1.0))
    }
}

/// Total weighted log-likelihood of the mean spends in `p` (rows
/// (x, m, ln m, w)).
fn log_likelihood<R: Real>(p: &Patterns, th: &[R; 3]) -> Option<R> {
    let [pp, q, g] = *th;
    let mut ll = (-q.lgamma() + q * g.ln()) * p.total;
    // Per x: ln Γ(px+q) - ln Γ(px) + px ln x.
    for &(x, w) in &p.xs {
        let px = pp * x;
        ll = ll + ((px + q).lgamma() - px.lgamma() + px * x.ln()) * w;
    }
    // Per row, in f64 with its partial derivatives:
    // (px-1) ln m - (px+q) ln(γ + m x).
    let (pv, qv, gv) = (pp.v(), q.v(), g.v());
    let (mut val, mut dp, mut dq, mut dg) = (0.0, 0.0, 0.0, 0.0);
    for &[x, m, ln_m, w] in &p.rows {
        let px = pv * x;
        let base = gv + m * x;
        let ln_base = base.ln();
        val += w * ((px - 1.0) * ln_m - (px + qv) * ln_base);
        dp += w * x * (ln_m - ln_base);
        dq -= w * ln_base;
        dg -= w * (px + qv) / base;
    }
    let ll = ll + R::lift(val, &[(dp, pp), (dq, q), (dg, g)]);
    ll.v().is_finite().then_some(ll)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fit::gradient_check::agrees;

    #[test]
    fn exact_gradient() {
        let p = Patterns::group(vec![
            [1.0, 10.0, 10f64.ln(), 1.0],
            [3.0, 25.5, 25.5f64.ln(), 2.0],
            [7.0, 4.2, 4.2f64.ln(), 1.0],
        ]);
        agrees(
            |d| log_likelihood(&p, d).unwrap(),
            [6.25, 3.74, 15.44],
            1e-6,
        );
    }
}
