//! Purchase histories simulated from known parameters, for parameter
//! recovery tests, benchmarks and what-if studies. Deterministic for a
//! seed.
//!
//! ```
//! use crm_clv::{BgNbd, FitOptions, simulate};
//!
//! let truth = BgNbd::new(0.25, 4.0, 0.8, 2.5)?;
//! let data = simulate::bg_nbd(&truth, 5_000, 52.0, 7)?;
//! let fit = BgNbd::fit(&data, &FitOptions::new())?;
//! assert!((fit.model.r() - 0.25).abs() < 0.05);
//! # Ok::<(), crm_clv::Error>(())
//! ```

use rand::{Rng, SeedableRng};
use rand_distr::{Beta, Distribution, Exp, Gamma};
use rand_pcg::Pcg64;

use crate::error::{Error, Result};
use crate::{BgBb, BgNbd, GammaGamma, MbgNbd, ParetoNbd, Summary};

fn bad(what: &str, e: impl std::fmt::Display) -> Error {
    Error::InvalidArgument(format!("cannot simulate {what}: {e}"))
}

fn check_t(t: f64) -> Result<()> {
    if t.is_finite() && t >= 0.0 {
        Ok(())
    } else {
        Err(Error::InvalidArgument(format!(
            "a time span must be non-negative, not {t}"
        )))
    }
}

/// Purchases at rate `lambda` over `[0, t]` after a first purchase at 0;
/// after each repeat purchase the customer drops out with probability `p`
/// (and, if `at_start`, also right after the first).
fn dropout_process(rng: &mut Pcg64, lambda: f64, p: f64, t: f64, at_start: bool) -> Summary {
    let (mut x, mut tx) = (0u32, 0.0);
    let mut now = 0.0;
    if let (false, Ok(gap)) = (at_start && rng.random::<f64>() < p, Exp::new(lambda)) {
        loop {
            now += gap.sample(rng);
            if now > t {
                break;
            }
            x += 1;
            tx = now;
            if rng.random::<f64>() < p {
                break;
            }
        }
    }
    Summary::new(x, tx, t)
}

fn bg_family(params: [f64; 4], n: usize, t: f64, seed: u64, mbg: bool) -> Result<Vec<Summary>> {
    let [r, alpha, a, b] = params;
    check_t(t)?;
    let rates = Gamma::new(r, 1.0 / alpha).map_err(|e| bad("purchase rates", e))?;
    let drops = Beta::new(a, b).map_err(|e| bad("dropout probabilities", e))?;
    let mut rng = Pcg64::seed_from_u64(seed);
    Ok((0..n)
        .map(|_| {
            let lambda = rates.sample(&mut rng);
            let p = drops.sample(&mut rng);
            dropout_process(&mut rng, lambda, p, t, mbg)
        })
        .collect())
}

/// `n` customers observed for `t` time units since their first purchase,
/// from a BG/NBD model.
///
/// # Errors
///
/// [`Error::InvalidArgument`] for a negative `t`.
pub fn bg_nbd(model: &BgNbd, n: usize, t: f64, seed: u64) -> Result<Vec<Summary>> {
    bg_family([model.r, model.alpha, model.a, model.b], n, t, seed, false)
}

/// `n` customers observed for `t` time units, from an MBG/NBD model.
///
/// # Errors
///
/// As [`bg_nbd`].
pub fn mbg_nbd(model: &MbgNbd, n: usize, t: f64, seed: u64) -> Result<Vec<Summary>> {
    bg_family([model.r, model.alpha, model.a, model.b], n, t, seed, true)
}

/// `n` customers observed for `t` time units, from a Pareto/NBD model.
///
/// # Errors
///
/// As [`bg_nbd`].
pub fn pareto_nbd(model: &ParetoNbd, n: usize, t: f64, seed: u64) -> Result<Vec<Summary>> {
    check_t(t)?;
    let rates = Gamma::new(model.r, 1.0 / model.alpha).map_err(|e| bad("purchase rates", e))?;
    let deaths = Gamma::new(model.s, 1.0 / model.beta).map_err(|e| bad("dropout rates", e))?;
    let mut rng = Pcg64::seed_from_u64(seed);
    Ok((0..n)
        .map(|_| {
            let lambda = rates.sample(&mut rng);
            let mu = deaths.sample(&mut rng);
            let life = Exp::new(mu).map_or(f64::INFINITY, |e| e.sample(&mut rng));
            let end = life.min(t);
            let (mut x, mut tx, mut now) = (0u32, 0.0, 0.0);
            if let Ok(gap) = Exp::new(lambda) {
                loop {
                    now += gap.sample(&mut rng);
                    if now > end {
                        break;
                    }
                    x += 1;
                    tx = now;
                }
            }
            Summary::new(x, tx, t)
        })
        .collect())
}

/// `n` customers with `periods` opportunities each, from a BG/BB model:
/// before each opportunity an alive customer dies with probability
/// theta; an alive customer transacts with probability p.
///
/// # Errors
///
/// [`Error::InvalidArgument`] for zero periods.
pub fn bg_bb(model: &BgBb, n: usize, periods: u32, seed: u64) -> Result<Vec<Summary>> {
    if periods == 0 {
        return Err(Error::InvalidArgument(
            "at least one opportunity is needed".into(),
        ));
    }
    let ps = Beta::new(model.alpha, model.beta).map_err(|e| bad("purchase probabilities", e))?;
    let thetas =
        Beta::new(model.gamma, model.delta).map_err(|e| bad("dropout probabilities", e))?;
    let mut rng = Pcg64::seed_from_u64(seed);
    Ok((0..n)
        .map(|_| {
            let p = ps.sample(&mut rng);
            let theta = thetas.sample(&mut rng);
            let (mut x, mut tx) = (0u32, 0u32);
            for i in 1..=periods {
                if rng.random::<f64>() < theta {
                    break;
                }
                if rng.random::<f64>() < p {
                    x += 1;
                    tx = i;
                }
            }
            Summary::new(x, f64::from(tx), f64::from(periods))
        })
        .collect())
}

/// Sets each customer's mean repeat spend from a Gamma-Gamma model (0 for
/// customers without repeat purchases).
///
/// # Errors
///
/// [`Error::InvalidArgument`] for parameters the distributions refuse.
pub fn spend(model: &GammaGamma, customers: &mut [Summary], seed: u64) -> Result<()> {
    let scales = Gamma::new(model.q, 1.0 / model.gamma).map_err(|e| bad("spend scales", e))?;
    let mut rng = Pcg64::seed_from_u64(seed);
    for c in customers {
        let nu: f64 = scales.sample(&mut rng);
        c.monetary = if c.frequency == 0 {
            0.0
        } else {
            // The sum of x gamma(p, nu) values is gamma(p x, nu).
            let sum = Gamma::new(model.p * f64::from(c.frequency), 1.0 / nu)
                .map_err(|e| bad("spends", e))?
                .sample(&mut rng);
            sum / f64::from(c.frequency)
        };
    }
    Ok(())
}
