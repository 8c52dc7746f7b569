"""High-precision reference values for customers with very many repeat
purchases, where lifetimes overflows or returns NaN.

Usage: python3 benches/compare/clv_large_x.py   (needs `pip install mpmath`)

Evaluates the published (direct) formulas of the models with mpmath at
400 digits, so no Euler rewrite is involved, and prints Rust literals for
crates/crm-clv/tests/large.rs.
"""
from mpmath import mp, mpf, hyp2f1, gamma, log, exp

mp.dps = 400
BG = [mpf("0.242593"), mpf("4.413532"), mpf("0.792886"), mpf("2.425752")]
MBG = [mpf("0.524838"), mpf("6.182993"), mpf("0.891356"), mpf("1.613999")]
PN = [mpf("0.553275"), mpf("10.577612"), mpf("0.606214"), mpf("11.667911")]
CASES = [(500, mpf("38"), mpf("38.86")), (5000, mpf("38.5"), mpf("38.86")),
         (20000, mpf("38.8"), mpf("38.86")), (20000, mpf("30"), mpf("38.86"))]
t = mpf(39)


def bg(x, tx, T, mbg):
    r, al, a, b = MBG if mbg else BG
    z = t / (al + T + t)
    if mbg:
        pa = 1 / (1 + a / (b + x) * ((al + T) / (al + tx)) ** (r + x))
        e = (a + b + x) / (a - 1) * (1 - ((al + T) / (al + T + t)) ** (r + x)
                                     * hyp2f1(r + x, b + x + 1, a + b + x, z))
    else:
        pa = 1 / (1 + a / (b + x - 1) * ((al + T) / (al + tx)) ** (r + x))
        e = (a + b + x - 1) / (a - 1) * (1 - ((al + T) / (al + T + t)) ** (r + x)
                                         * hyp2f1(r + x, b + x, a + b + x - 1, z))
    return pa, pa * e


def pnbd(x, tx, T):
    r, al, s, be = PN
    m = max(al, be)
    p2 = s + 1 if al >= be else r + x

    def term(u):
        return hyp2f1(r + s + x, p2, r + s + x + 1, abs(al - be) / (m + u)) / (m + u) ** (r + s + x)
    a0 = term(tx) - term(T)
    pa = 1 / (1 + s / (r + s + x) * (al + T) ** (r + x) * (be + T) ** s * a0)
    e = pa * (r + x) * (be + T) / ((al + T) * (s - 1)) * (1 - ((be + T) / (be + T + t)) ** (s - 1))
    return pa, e


print("const LARGE: &[[f64; 9]] = &[")
print("    // x, t_x, T, BG P(alive), BG E[Y(39)], MBG P(alive), MBG E[Y(39)], Pareto P(alive), Pareto E[Y(39)]")
for x, tx, T in CASES:
    vals = [*bg(x, tx, T, False), *bg(x, tx, T, True), *pnbd(x, tx, T)]
    print("    [" + ", ".join(repr(float(v)) for v in [x, tx, T, *vals]) + "],")
print("];")
