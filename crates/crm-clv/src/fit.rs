//! Maximum-likelihood fitting shared by the models: unique patterns with
//! weights, log-scale parameters, exact gradients, BFGS, Hessian-based
//! standard errors.

use crate::error::{Error, Result};
use crate::optim::{Stop, bfgs, spd_inverse};
use crate::real::{Dual, Real};
use crate::summary::Summary;

/// Options of a fit. A fit checks the penalizer as
/// [`FitOptions::penalizer`] does, however it was set.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default, deny_unknown_fields))]
#[non_exhaustive]
pub struct FitOptions {
    /// L2 penalty on the parameters, as `lifetimes`' `penalizer_coef`: the
    /// mean negative log-likelihood plus `penalizer` times the sum of the
    /// squared parameters, on the time scale where the largest `T` is 1.
    /// Default 0.
    pub penalizer: f64,
    /// Most quasi-Newton iterations. Default 500.
    pub max_iterations: usize,
}

impl Default for FitOptions {
    fn default() -> FitOptions {
        FitOptions {
            penalizer: 0.0,
            max_iterations: 500,
        }
    }
}

impl FitOptions {
    /// The defaults.
    pub fn new() -> FitOptions {
        FitOptions::default()
    }

    /// Sets [`FitOptions::penalizer`].
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] unless `penalizer` is finite and >= 0.
    pub fn penalizer(mut self, penalizer: f64) -> Result<FitOptions> {
        if !(penalizer.is_finite() && penalizer >= 0.0) {
            return Err(Error::InvalidArgument(format!(
                "the penalizer must be a non-negative number, not {penalizer}"
            )));
        }
        self.penalizer = penalizer;
        Ok(self)
    }

    /// Sets [`FitOptions::max_iterations`].
    pub fn max_iterations(mut self, n: usize) -> FitOptions {
        self.max_iterations = n;
        self
    }
}

/// A fitted model with its log-likelihood and standard errors.
///
/// In JSON (feature `serde`) as `crm clv fit --format json` prints it: the
/// model's name, its parameters and their standard errors by name, and
/// the figures of the fit:
/// `{"model": "bg-nbd", "params": {"r": 0.24, ..}, "log_likelihood":
/// -9582.4, "customers": 2357.0, "std_errors": {"r": 0.01, ..} or null,
/// "patterns": 1200, "iterations": 28}` (`customers` is the sum of the
/// weights, a number).
#[derive(Debug, Clone, PartialEq)]
pub struct Fit<M> {
    /// The model with the maximum-likelihood parameters.
    pub model: M,
    /// Total log-likelihood on the unscaled data (comparable with the
    /// papers), without the penalty.
    pub log_likelihood: f64,
    /// Standard errors of the parameters, in [`Parameters::NAMES`] order,
    /// from the inverse Hessian of the log-likelihood (delta method from
    /// the log scale). `None` when the Hessian is not positive definite
    /// (the maximum is flat in some direction).
    pub std_errors: Option<Vec<f64>>,
    /// Customers fitted on (the sum of the weights).
    pub customers: f64,
    /// Distinct patterns the likelihood was evaluated on.
    pub patterns: usize,
    /// Quasi-Newton iterations taken.
    pub iterations: usize,
}

#[cfg(feature = "serde")]
impl<M: Parameters> serde::Serialize for Fit<M> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        /// Values by the model's parameter names.
        struct ByName<'a>(&'a [f64]);
        impl<'a> ByName<'a> {
            fn names<M: Parameters>(&self) -> impl Iterator<Item = (&'static str, &'a f64)> {
                M::NAMES.iter().copied().zip(self.0)
            }
        }
        struct Named<'a, M>(ByName<'a>, std::marker::PhantomData<M>);
        impl<M: Parameters> serde::Serialize for Named<'_, M> {
            fn serialize<S: serde::Serializer>(
                &self,
                s: S,
            ) -> std::result::Result<S::Ok, S::Error> {
                s.collect_map(self.0.names::<M>())
            }
        }
        let values = self.model.values();
        let mut st = s.serialize_struct("Fit", 7)?;
        st.serialize_field("model", M::MODEL)?;
        st.serialize_field(
            "params",
            &Named::<M>(ByName(&values), std::marker::PhantomData),
        )?;
        st.serialize_field("log_likelihood", &self.log_likelihood)?;
        st.serialize_field("customers", &self.customers)?;
        st.serialize_field(
            "std_errors",
            &self
                .std_errors
                .as_deref()
                .map(|se| Named::<M>(ByName(se), std::marker::PhantomData)),
        )?;
        st.serialize_field("patterns", &self.patterns)?;
        st.serialize_field("iterations", &self.iterations)?;
        st.end()
    }
}

/// The parameters of a model, by name.
pub trait Parameters {
    /// The model's name as the command line spells it (`bg-nbd`, ...).
    const MODEL: &'static str;
    /// The parameters' names, in order.
    const NAMES: &'static [&'static str];
    /// The parameters' values, in [`Parameters::NAMES`] order.
    fn values(&self) -> Vec<f64>;
}

/// Errors unless every parameter of `M` in `values` is positive and finite.
pub(crate) fn check_positive<M: Parameters>(values: &[f64]) -> Result<()> {
    for (n, v) in M::NAMES.iter().zip(values) {
        if !(v.is_finite() && *v > 0.0) {
            return Err(Error::InvalidArgument(format!(
                "{}: parameter {n} = {v} must be positive",
                M::MODEL
            )));
        }
    }
    Ok(())
}

/// Distinct (x, t_x, T) patterns with their total weights, and the distinct
/// x with theirs.
#[derive(Debug, Clone, Default)]
pub(crate) struct Patterns {
    /// (x, t_x, T, weight) on the fitting time scale.
    pub rows: Vec<[f64; 4]>,
    /// (x, weight).
    pub xs: Vec<(f64, f64)>,
    /// Sum of the weights.
    pub total: f64,
    /// Per row: the index of its x in `xs`, of its t_x in `txs`, of its T
    /// in `ts`; so that terms of one value are computed once per
    /// evaluation.
    pub index: Vec<[u32; 3]>,
    /// Distinct t_x, ascending.
    pub txs: Vec<f64>,
    /// Distinct T, ascending.
    pub ts: Vec<f64>,
}

impl Patterns {
    /// Groups `data`, dividing times by `scale`, after checking each row.
    pub fn new(data: &[Summary], scale: f64) -> Result<Patterns> {
        let mut rows: Vec<[f64; 4]> = Vec::with_capacity(data.len());
        for (i, s) in data.iter().enumerate() {
            s.check_at(|| row_name(s, i))?;
            rows.push([
                f64::from(s.frequency),
                s.recency / scale,
                s.t / scale,
                s.weight,
            ]);
        }
        Ok(Patterns::group(rows))
    }

    pub fn group(mut rows: Vec<[f64; 4]>) -> Patterns {
        // The values are finite and not negative, so their bit patterns
        // sort as the numbers do (with -0.0 made 0.0 first).
        let key = |r: &[f64; 4]| {
            (
                r[0].to_bits(),
                (r[1] + 0.0).to_bits(),
                (r[2] + 0.0).to_bits(),
            )
        };
        rows.sort_unstable_by_key(key);
        let mut out: Vec<[f64; 4]> = Vec::with_capacity(rows.len());
        for r in rows {
            match out.last_mut() {
                Some(o) if key(o) == key(&r) => o[3] += r[3],
                _ => out.push(r),
            }
        }
        let mut xs: Vec<(f64, f64)> = Vec::new();
        for r in &out {
            match xs.last_mut() {
                Some(x) if x.0 == r[0] => x.1 += r[3],
                _ => xs.push((r[0], r[3])),
            }
        }
        // An empty f64 sum is -0.0; + 0.0 makes it 0 (printed "0", not "-0").
        let total = xs.iter().map(|x| x.1).sum::<f64>() + 0.0;
        let distinct = |col: usize| {
            let mut v: Vec<f64> = out.iter().map(|r| r[col]).collect();
            v.sort_unstable_by(f64::total_cmp);
            v.dedup();
            v
        };
        let txs = distinct(1);
        let ts = distinct(2);
        let find = |v: &[f64], x: f64| v.partition_point(|y| *y < x) as u32;
        let index = out
            .iter()
            .map(|r| [find_x(&xs, r[0]), find(&txs, r[1]), find(&ts, r[2])])
            .collect();
        Patterns {
            rows: out,
            xs,
            total,
            index,
            txs,
            ts,
        }
    }

    /// The same patterns with times multiplied by `k` (back to the data's
    /// scale after fitting on a scaled copy).
    pub fn rescaled(&self, k: f64) -> Patterns {
        let mut p = self.clone();
        for r in &mut p.rows {
            r[1] *= k;
            r[2] *= k;
        }
        for v in p.txs.iter_mut().chain(p.ts.iter_mut()) {
            *v *= k;
        }
        p
    }

    /// The largest T (1 when all are 0).
    pub fn max_t(data: &[Summary]) -> f64 {
        let m = data.iter().map(|s| s.t).fold(0.0f64, f64::max);
        if m > 0.0 && m.is_finite() { m } else { 1.0 }
    }

    /// Errors unless there are at least two customers and a repeat buyer.
    pub fn require_repeat_buyers(&self, model: &'static str) -> Result<()> {
        if self.total < 2.0 {
            // An empty sum of f64 is -0.0, which would print as "-0".
            let reason = if self.total > 0.0 {
                format!("{} customer(s); at least 2 are needed", self.total)
            } else {
                "no customers; at least 2 are needed".into()
            };
            return Err(Error::Degenerate { model, reason });
        }
        if self.xs.iter().all(|x| x.0 == 0.0) {
            return Err(Error::Degenerate {
                model,
                reason: "no customer has a repeat purchase, so the purchase rate cannot be told \
                         from the dropout rate"
                    .into(),
            });
        }
        Ok(())
    }
}

fn find_x(xs: &[(f64, f64)], x: f64) -> u32 {
    xs.partition_point(|y| y.0 < x) as u32
}

/// Threads a likelihood may use: the machine's parallelism.
pub(crate) fn threads() -> usize {
    static THREADS: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *THREADS.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// Where a summary is, for errors: its key or its index.
pub(crate) fn row_name(s: &Summary, i: usize) -> String {
    if s.key.is_empty() {
        format!("row {}", i + 1)
    } else {
        format!("customer {}", s.key)
    }
}

/// The raw outcome of [`maximise`]: natural parameters on the fitting
/// scale, standard errors on the log scale, iterations.
pub(crate) struct Maximum<const N: usize> {
    pub params: [f64; N],
    pub log_se: Option<[f64; N]>,
    pub iterations: usize,
}

/// Maximises `ll` (the total weighted log-likelihood at natural
/// parameters, `None` where it cannot be evaluated) over positive
/// parameters, starting at `start`.
#[allow(clippy::needless_range_loop)] // small dense matrices
pub(crate) fn maximise<const N: usize>(
    model: &'static str,
    ll: impl Fn(&[Dual<N>; N]) -> Option<Dual<N>>,
    total: f64,
    start: [f64; N],
    options: &FitOptions,
) -> Result<Maximum<N>> {
    // The field is public: a penalizer set on it, or read from JSON, is
    // checked as the setter checks it.
    let pen = FitOptions::new().penalizer(options.penalizer)?.penalizer;
    let objective = |phi: &[f64; N]| -> Option<(f64, [f64; N])> {
        let theta: [Dual<N>; N] = std::array::from_fn(|i| Dual::<N>::var(phi[i], i).exp());
        let l = ll(&theta)?;
        if !l.v.is_finite() {
            return None;
        }
        let mut f = -l.v / total;
        let mut g: [f64; N] = std::array::from_fn(|i| -l.d[i] / total);
        for i in 0..N {
            let t = theta[i].v;
            f += pen * t * t;
            g[i] += pen * 2.0 * t * t;
        }
        Some((f, g))
    };
    let x0 = start.map(f64::ln);
    let min =
        bfgs(objective, x0, 1e-9, options.max_iterations).ok_or_else(|| Error::NoConvergence {
            model,
            reason: "the log-likelihood cannot be evaluated at the starting values".into(),
        })?;
    if min.stop == Stop::NotFinite {
        return Err(Error::NoConvergence {
            model,
            reason: if pen > 0.0 {
                format!(
                    "the objective is too steep to follow (its slope is not a finite number); \
                     the penalizer {pen} is too large"
                )
            } else {
                "the objective is too steep to follow (its slope is not a finite number)".into()
            },
        });
    }
    let params = min.x.map(f64::exp);
    if let Some(i) = params
        .iter()
        .position(|p| !(p.is_finite() && *p > 1e-12 && *p < 1e12))
    {
        return Err(Error::NoConvergence {
            model,
            reason: format!(
                "parameter {} runs to {:e}: the data do not identify it (try a penalizer)",
                i + 1,
                params[i]
            ),
        });
    }
    if !min.converged {
        return Err(Error::NoConvergence {
            model,
            reason: format!("no maximum found in {} iterations", min.iterations),
        });
    }
    // Hessian of the total negative log-likelihood on the log scale, by
    // forward differences of the exact gradient.
    let h = 1e-7;
    let mut hess = [[0.0; N]; N];
    let mut ok = true;
    for j in 0..N {
        let mut up = min.x;
        up[j] += h;
        match objective(&up) {
            Some((_, gu)) => {
                for i in 0..N {
                    hess[i][j] = (gu[i] - min.g[i]) / h * total;
                }
            }
            None => ok = false,
        }
    }
    for i in 0..N {
        for j in 0..i {
            let m = 0.5 * (hess[i][j] + hess[j][i]);
            hess[i][j] = m;
            hess[j][i] = m;
        }
    }
    let log_se = if ok {
        spd_inverse(&hess).map(|inv| std::array::from_fn(|i| inv[i][i].sqrt()))
    } else {
        None
    };
    Ok(Maximum {
        params,
        log_se,
        iterations: min.iterations,
    })
}

impl<const N: usize> Maximum<N> {
    /// The fit of `model`, whose natural parameters are `params` (on the
    /// data's time scale), with log-likelihood `ll`, over patterns `p`.
    pub fn into_fit<M>(self, model: M, params: &[f64; N], ll: f64, p: &Patterns) -> Fit<M> {
        Fit {
            model,
            log_likelihood: ll,
            std_errors: natural_se(params, self.log_se),
            customers: p.total,
            patterns: p.rows.len(),
            iterations: self.iterations,
        }
    }
}

/// Standard errors of natural parameters from those of their logarithms.
fn natural_se<const N: usize>(params: &[f64; N], log_se: Option<[f64; N]>) -> Option<Vec<f64>> {
    log_se.map(|se| params.iter().zip(se).map(|(p, s)| p * s).collect())
}

#[cfg(test)]
pub(crate) mod gradient_check {
    use crate::real::Dual;

    /// The dual gradient of `f` at `x` equals central differences of its
    /// value to `rel` relative.
    pub fn agrees<const N: usize>(f: impl Fn(&[Dual<N>; N]) -> Dual<N>, x: [f64; N], rel: f64) {
        let at = |x: [f64; N]| f(&std::array::from_fn(|i| Dual::<N>::var(x[i], i)));
        let g = at(x);
        for i in 0..N {
            let h = 1e-6 * x[i].abs().max(1e-3);
            let mut up = x;
            let mut down = x;
            up[i] += h;
            down[i] -= h;
            let fd = (at(up).v - at(down).v) / (2.0 * h);
            assert!(
                (g.d[i] - fd).abs() <= rel * fd.abs().max(1.0),
                "d/dθ{i}: dual {} vs finite differences {fd}",
                g.d[i]
            );
        }
    }

    /// Histories exercising every branch: x = 0, t_x = T, t_x < T, several T.
    pub fn histories() -> Vec<crate::Summary> {
        let mut v = Vec::new();
        for (x, tx, t) in [
            (0, 0.0, 10.0),
            (0, 0.0, 30.0),
            (1, 2.0, 30.0),
            (3, 30.0, 30.0),
            (4, 12.5, 20.0),
            (12, 19.0, 38.0),
            (40, 37.0, 38.0),
        ] {
            v.push(crate::Summary::new(x, tx, t));
        }
        v
    }
}
