//! A small BFGS minimiser with a backtracking (Armijo) line search, for the
//! three or four log-scale parameters of a lifetime-value model.

// Small dense matrices read best with indices.
#![allow(clippy::needless_range_loop)]

/// The outcome of a minimisation.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Minimum<const N: usize> {
    pub x: [f64; N],
    /// The gradient at `x`.
    pub g: [f64; N],
    pub iterations: usize,
    pub converged: bool,
    /// Why the search stopped short, when it did not converge.
    pub stop: Stop,
}

/// Why a minimisation stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stop {
    /// The gradient is small (or the iterations ran out: see `converged`).
    Done,
    /// The gradient or the slope along the search direction is not a
    /// finite number: the objective is too steep to be followed (a huge
    /// penalty, for instance).
    NotFinite,
}

/// Most halvings of the step in one line search: 2^-80 of a step is far
/// below what changes a parameter.
const MAX_HALVINGS: usize = 80;

/// The gradient below which a minimum is accepted once the objective no
/// longer changes measurably.
const NOISE_GTOL: f64 = 1e-6;

/// Minimises `f` from `x0`. `f` returns the value and gradient, or `None`
/// where the objective is not finite (the line search then steps back).
///
/// Stops when the largest gradient component is below `gtol`, or when the
/// value no longer changes measurably (a step changes it by less than
/// 1e-14 relative, or no step along the direction can show a decrease)
/// and the gradient is below 1e-6. Every loop is bounded: at most
/// `max_iterations` iterations of at most [`MAX_HALVINGS`] trial steps each;
/// a gradient or slope that is not finite stops the search at once
/// ([`Stop::NotFinite`]).
pub(crate) fn bfgs<const N: usize>(
    mut f: impl FnMut(&[f64; N]) -> Option<(f64, [f64; N])>,
    x0: [f64; N],
    gtol: f64,
    max_iterations: usize,
) -> Option<Minimum<N>> {
    let mut x = x0;
    let (mut fx, mut g) = f(&x)?;
    // Inverse Hessian approximation.
    let mut h = identity::<N>();
    let mut first = true;
    for it in 0..max_iterations {
        let stuck = |x, g| Minimum {
            x,
            g,
            iterations: it,
            converged: false,
            stop: Stop::NotFinite,
        };
        if !(fx.is_finite() && g.iter().all(|v| v.is_finite())) {
            return Some(stuck(x, g));
        }
        if norm_inf(&g) < gtol {
            return Some(Minimum {
                x,
                g,
                iterations: it,
                converged: true,
                stop: Stop::Done,
            });
        }
        let mut p = mat_vec(&h, &g).map(|v| -v);
        let mut slope = dot(&g, &p);
        if slope >= 0.0 || slope.is_nan() {
            // Not a descent direction: restart from steepest descent.
            h = identity::<N>();
            p = g.map(|v| -v);
            slope = dot(&g, &p);
        }
        if !slope.is_finite() {
            return Some(stuck(x, g));
        }
        // Keep the first step (and any long one) within a unit box on the
        // log scale.
        let longest = norm_inf(&p);
        let mut step = if longest > 1.0 || first {
            1.0 / longest.max(1.0)
        } else {
            1.0
        };
        first = false;
        let mut accepted = None;
        for _ in 0..MAX_HALVINGS {
            // A decrease this small cannot be told from rounding: the
            // minimum is found to the precision of the objective. A NaN
            // (an infinite slope, from an overflowing penalty, times a step
            // halved to zero) also ends it instead of halving forever.
            let decrease = step * slope.abs();
            if decrease.is_nan() || decrease <= 1e-15 * fx.abs().max(1e-300) {
                break;
            }
            let xn: [f64; N] = std::array::from_fn(|i| x[i] + step * p[i]);
            if let Some((fxn, gn)) = f(&xn)
                && fxn.is_finite()
                && gn.iter().all(|v| v.is_finite())
                && fxn <= fx + 1e-4 * step * slope
            {
                accepted = Some((xn, fxn, gn));
                break;
            }
            step *= 0.5;
        }
        let Some((xn, fxn, gn)) = accepted else {
            return Some(Minimum {
                x,
                g,
                iterations: it,
                converged: norm_inf(&g) < NOISE_GTOL,
                stop: Stop::Done,
            });
        };
        let s: [f64; N] = std::array::from_fn(|i| xn[i] - x[i]);
        let y: [f64; N] = std::array::from_fn(|i| gn[i] - g[i]);
        let sy = dot(&s, &y);
        let small_change = (fx - fxn).abs() <= 1e-14 * fx.abs().max(1e-300);
        x = xn;
        fx = fxn;
        g = gn;
        if small_change && norm_inf(&g) < NOISE_GTOL {
            return Some(Minimum {
                x,
                g,
                iterations: it + 1,
                converged: true,
                stop: Stop::Done,
            });
        }
        if sy > 1e-12 * dot(&s, &s).sqrt() * dot(&y, &y).sqrt() {
            if it == 0 {
                // Scale the initial inverse Hessian (Nocedal & Wright 6.20).
                let gamma = sy / dot(&y, &y);
                h = identity::<N>();
                for (i, row) in h.iter_mut().enumerate() {
                    row[i] = gamma;
                }
            }
            update(&mut h, &s, &y, sy);
        }
    }
    Some(Minimum {
        x,
        g,
        iterations: max_iterations,
        converged: norm_inf(&g) < gtol,
        stop: Stop::Done,
    })
}

fn identity<const N: usize>() -> [[f64; N]; N] {
    std::array::from_fn(|i| std::array::from_fn(|j| if i == j { 1.0 } else { 0.0 }))
}

fn dot<const N: usize>(a: &[f64; N], b: &[f64; N]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// The largest absolute component; NaN when any is NaN (`f64::max` would
/// drop it, and a NaN gradient would pass for a zero one).
fn norm_inf<const N: usize>(a: &[f64; N]) -> f64 {
    a.iter().fold(0.0f64, |m, v| {
        if m.is_nan() || v.is_nan() {
            f64::NAN
        } else {
            m.max(v.abs())
        }
    })
}

fn mat_vec<const N: usize>(m: &[[f64; N]; N], v: &[f64; N]) -> [f64; N] {
    std::array::from_fn(|i| dot(&m[i], v))
}

/// The BFGS update of the inverse Hessian `h` with step `s` and gradient
/// change `y`.
fn update<const N: usize>(h: &mut [[f64; N]; N], s: &[f64; N], y: &[f64; N], sy: f64) {
    let rho = 1.0 / sy;
    let hy = mat_vec(h, y);
    let yhy = dot(y, &hy);
    for i in 0..N {
        for j in 0..N {
            h[i][j] += -rho * (hy[i] * s[j] + s[i] * hy[j]) + (rho * rho * yhy + rho) * s[i] * s[j];
        }
    }
}

/// The inverse of a symmetric positive definite matrix by Cholesky, or
/// `None` if it is not positive definite.
pub(crate) fn spd_inverse<const N: usize>(a: &[[f64; N]; N]) -> Option<[[f64; N]; N]> {
    let mut l = [[0.0; N]; N];
    for i in 0..N {
        for j in 0..=i {
            let s: f64 = (0..j).map(|k| l[i][k] * l[j][k]).sum();
            if i == j {
                let d = a[i][i] - s;
                if d <= 0.0 || !d.is_finite() {
                    return None;
                }
                l[i][i] = d.sqrt();
            } else {
                l[i][j] = (a[i][j] - s) / l[j][j];
            }
        }
    }
    // Solve for each column of the identity.
    let mut inv = [[0.0; N]; N];
    for col in 0..N {
        let mut y = [0.0; N];
        for i in 0..N {
            let b = if i == col { 1.0 } else { 0.0 };
            y[i] = (b - (0..i).map(|k| l[i][k] * y[k]).sum::<f64>()) / l[i][i];
        }
        let mut x = [0.0; N];
        for i in (0..N).rev() {
            x[i] = (y[i] - (i + 1..N).map(|k| l[k][i] * x[k]).sum::<f64>()) / l[i][i];
        }
        for i in 0..N {
            inv[i][col] = x[i];
        }
    }
    Some(inv)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rosenbrock() {
        let m = bfgs(
            |x: &[f64; 2]| {
                let (a, b) = (x[0], x[1]);
                let f = (1.0 - a).powi(2) + 100.0 * (b - a * a).powi(2);
                let g = [
                    -2.0 * (1.0 - a) - 400.0 * a * (b - a * a),
                    200.0 * (b - a * a),
                ];
                Some((f, g))
            },
            [-1.2, 1.0],
            1e-10,
            1000,
        )
        .unwrap();
        assert!(m.converged);
        assert!(
            (m.x[0] - 1.0).abs() < 1e-7 && (m.x[1] - 1.0).abs() < 1e-7,
            "{:?}",
            m.x
        );
    }

    /// A slope beyond the range of f64 (a huge penalty) once made the line
    /// search halve its step forever: `0 * inf` is not below any bound.
    #[test]
    fn a_slope_that_is_not_finite_stops_the_search() {
        let m = bfgs(
            |x: &[f64; 2]| {
                let f = 1e200 * (x[0] * x[0] + x[1] * x[1] + 1.0);
                Some((f, [2e200 * x[0] + 1e200, 2e200 * x[1] + 1e200]))
            },
            [1.0, 1.0],
            1e-9,
            500,
        )
        .unwrap();
        assert!(!m.converged);
        assert_eq!(m.stop, Stop::NotFinite);
    }

    /// A line search that never finds a decrease gives up after a bounded
    /// number of halvings.
    #[test]
    fn line_search_is_bounded() {
        let mut calls = 0usize;
        let m = bfgs(
            |x: &[f64; 1]| {
                calls += 1;
                // Claims a descent direction that never descends.
                Some((if calls == 1 { 0.0 } else { 1.0 + x[0] * 0.0 }, [1.0]))
            },
            [0.0],
            1e-9,
            500,
        )
        .unwrap();
        assert!(!m.converged);
        assert!(calls <= 1 + MAX_HALVINGS, "{calls} evaluations");
    }

    #[test]
    fn a_non_finite_slope_ends_the_line_search() {
        // An infinite gradient (a huge penalty overflowing) makes the slope
        // infinite; a NaN one makes it NaN. Neither may loop forever.
        for g0 in [f64::INFINITY, f64::NAN] {
            let m = bfgs(|_: &[f64; 1]| Some((1.0, [g0])), [0.0], 1e-9, 10).unwrap();
            assert!(!m.converged);
        }
    }

    #[test]
    fn inverse() {
        let a = [[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 2.0]];
        let inv = spd_inverse(&a).unwrap();
        for i in 0..3 {
            for j in 0..3 {
                let p: f64 = (0..3).map(|k| a[i][k] * inv[k][j]).sum();
                assert!((p - if i == j { 1.0 } else { 0.0 }).abs() < 1e-14);
            }
        }
        assert!(spd_inverse(&[[1.0, 2.0], [2.0, 1.0]]).is_none());
    }
}
