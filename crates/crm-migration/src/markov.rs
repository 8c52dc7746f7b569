//! The Markov view of the pyramid (Pfeifer & Carraway 2000) over the
//! active levels and Inactive.

// Matrix arithmetic reads as the formulas do with indices.
#![allow(clippy::needless_range_loop)]

use crm_pyramid::Level;

/// The states of the chain: Top, Big, Medium, Small, Inactive.
pub const STATES: [Level; 5] = [
    Level::Top,
    Level::Big,
    Level::Medium,
    Level::Small,
    Level::Inactive,
];

/// Number of states.
pub const N: usize = 5;

/// A transition matrix over [`STATES`] with the inflow of new customers
/// per period.
///
/// `p[i][j]` is the probability that a customer in state `i` is in state
/// `j` one period later; a row may sum to less than one when customers
/// leave the pyramid (an inactivity horizon). `inflow[j]` is the number of
/// customers entering state `j` per period from outside (new customers,
/// former prospects and suspects).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct Markov {
    /// Transition probabilities, rows and columns in [`STATES`] order.
    pub p: [[f64; N]; N],
    /// New customers per period, per state.
    pub inflow: [f64; N],
}

/// Solves `a x = b` by Gaussian elimination with partial pivoting; `None`
/// when `a` is (numerically) singular.
fn solve(mut a: [[f64; N]; N], mut b: [f64; N]) -> Option<[f64; N]> {
    for col in 0..N {
        let pivot = (col..N).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() < 1e-12 {
            return None;
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        for row in col + 1..N {
            let f = a[row][col] / a[col][col];
            for k in col..N {
                a[row][k] -= f * a[col][k];
            }
            b[row] -= f * b[col];
        }
    }
    let mut x = [0.0; N];
    for row in (0..N).rev() {
        let s: f64 = (row + 1..N).map(|k| a[row][k] * x[k]).sum();
        x[row] = (b[row] - s) / a[row][row];
    }
    x.iter().all(|v| v.is_finite()).then_some(x)
}

fn transpose(a: &[[f64; N]; N]) -> [[f64; N]; N] {
    let mut t = [[0.0; N]; N];
    for (i, row) in a.iter().enumerate() {
        for (j, v) in row.iter().enumerate() {
            t[j][i] = *v;
        }
    }
    t
}

impl Markov {
    /// A chain from its matrix and inflow.
    pub fn new(p: [[f64; N]; N], inflow: [f64; N]) -> Markov {
        Markov { p, inflow }
    }

    /// One period ahead: `counts · P + inflow`.
    pub fn step(&self, counts: &[f64; N]) -> [f64; N] {
        let mut next = self.inflow;
        for (i, c) in counts.iter().enumerate() {
            for (j, n) in next.iter_mut().enumerate() {
                *n += c * self.p[i][j];
            }
        }
        next
    }

    /// The expected customers per state for each of the next `periods`
    /// periods, starting from `counts`.
    pub fn project(&self, counts: [f64; N], periods: usize) -> Vec<[f64; N]> {
        let mut out = Vec::with_capacity(periods);
        let mut c = counts;
        for _ in 0..periods {
            c = self.step(&c);
            out.push(c);
        }
        out
    }

    /// The long-run share of customers per state, `π` with `π P = π` and
    /// shares summing to one, when every row of `P` sums to one and the
    /// solution is unique; `None` otherwise.
    pub fn stationary(&self) -> Option<[f64; N]> {
        if self
            .p
            .iter()
            .any(|row| (row.iter().sum::<f64>() - 1.0).abs() > 1e-9)
        {
            return None;
        }
        // (Pᵀ - I) π = 0 with the last equation replaced by Σπ = 1.
        let mut a = transpose(&self.p);
        for (i, row) in a.iter_mut().enumerate() {
            row[i] -= 1.0;
        }
        a[N - 1] = [1.0; N];
        let mut b = [0.0; N];
        b[N - 1] = 1.0;
        let pi = solve(a, b)?;
        pi.iter()
            .all(|&v| v >= -1e-9)
            .then(|| pi.map(|v| v.max(0.0)))
    }

    /// The steady state of the counts with the inflow, `n = n P + inflow`,
    /// when it exists (customers leave the pyramid, so that `I - P` is
    /// invertible, and the solution is non-negative); `None` otherwise.
    pub fn steady_counts(&self) -> Option<[f64; N]> {
        let mut a = transpose(&self.p);
        for (i, row) in a.iter_mut().enumerate() {
            for (j, v) in row.iter_mut().enumerate() {
                *v = if i == j { 1.0 - *v } else { -*v };
            }
        }
        let n = solve(a, self.inflow)?;
        n.iter().all(|&v| v >= -1e-9).then(|| n.map(|v| v.max(0.0)))
    }

    /// The lifetime value of a customer per starting state:
    /// `Σ_t (Pᵗ v) / (1 + d)ᵗ` for `t = 0, 1, ...`, that is
    /// `(I - P / (1 + d))⁻¹ v`, with `value[i]` the value of a customer in
    /// state `i` for one period and `discount` the rate per period
    /// (`0.1` for 10%). `None` for a discount of zero or less (the sum
    /// does not converge in general).
    pub fn lifetime_values(&self, value: [f64; N], discount: f64) -> Option<[f64; N]> {
        if discount <= 0.0 || !discount.is_finite() {
            return None;
        }
        let mut a = [[0.0; N]; N];
        for i in 0..N {
            for j in 0..N {
                a[i][j] = if i == j { 1.0 } else { 0.0 } - self.p[i][j] / (1.0 + discount);
            }
        }
        solve(a, value)
    }

    /// The expected number of periods until a customer in each active state
    /// (Top, Big, Medium, Small) first becomes inactive or leaves; `None`
    /// when some active customers never do (a closed set of active states).
    pub fn periods_until_inactive(&self) -> Option<[f64; 4]> {
        // Inactive absorbs: t = (I - Q)⁻¹ 1 over the four active states.
        let mut a = [[0.0; N]; N];
        let mut b = [0.0; N];
        for i in 0..4 {
            for j in 0..4 {
                a[i][j] = if i == j { 1.0 } else { 0.0 } - self.p[i][j];
            }
            b[i] = 1.0;
        }
        a[4][4] = 1.0;
        let t = solve(a, b)?;
        let t = [t[0], t[1], t[2], t[3]];
        t.iter().all(|&v| v >= 0.0 && v.is_finite()).then_some(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain() -> Markov {
        Markov::new(
            [
                [0.6, 0.2, 0.1, 0.05, 0.05],
                [0.1, 0.6, 0.2, 0.05, 0.05],
                [0.0, 0.1, 0.6, 0.2, 0.1],
                [0.0, 0.0, 0.05, 0.7, 0.25],
                [0.0, 0.0, 0.0, 0.1, 0.9],
            ],
            [0.0, 0.0, 1.0, 10.0, 0.0],
        )
    }

    #[test]
    fn stationary_is_a_fixed_point() {
        let m = chain();
        let pi = m.stationary().unwrap();
        assert!((pi.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        let mut next = [0.0; N];
        for i in 0..N {
            for j in 0..N {
                next[j] += pi[i] * m.p[i][j];
            }
        }
        for j in 0..N {
            assert!((next[j] - pi[j]).abs() < 1e-12);
        }
    }

    #[test]
    fn no_steady_counts_without_leaving() {
        // Rows sum to one and customers keep flowing in: counts grow.
        assert!(chain().steady_counts().is_none());
        let mut leaky = chain();
        leaky.p[4][4] = 0.5;
        let n = leaky.steady_counts().unwrap();
        let next = leaky.step(&n);
        for j in 0..N {
            assert!((next[j] - n[j]).abs() < 1e-9);
        }
    }

    #[test]
    fn lifetime_value_matches_the_series() {
        let m = chain();
        let v = [1000.0, 300.0, 100.0, 20.0, 0.0];
        let d = 0.1;
        let closed = m.lifetime_values(v, d).unwrap();
        // Sum the series directly.
        let mut total = [0.0; N];
        let mut pv = v; // Pᵗ v
        let mut factor = 1.0;
        for _ in 0..2000 {
            for i in 0..N {
                total[i] += pv[i] * factor;
            }
            let mut next = [0.0; N];
            for i in 0..N {
                for j in 0..N {
                    next[i] += m.p[i][j] * pv[j];
                }
            }
            pv = next;
            factor /= 1.0 + d;
        }
        for i in 0..N {
            assert!(
                (closed[i] - total[i]).abs() < 1e-6 * total[i].max(1.0),
                "{i}"
            );
        }
        assert!(m.lifetime_values(v, 0.0).is_none());
    }

    #[test]
    fn periods_until_inactive() {
        // Small customers go inactive with probability 0.25 a period and
        // otherwise mostly stay: more than one period, fewer than a Top's.
        let t = chain().periods_until_inactive().unwrap();
        assert!(t[3] > 1.0 && t[0] > t[3], "{t:?}");
        let mut closed = chain();
        closed.p[3] = [0.0, 0.0, 0.0, 1.0, 0.0];
        closed.p[2] = [0.0, 0.0, 0.5, 0.5, 0.0];
        assert!(closed.periods_until_inactive().is_none());
    }
}
