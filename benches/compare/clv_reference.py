"""Reference values from the Python `lifetimes` package for crm-clv's tests.

Usage: python3 benches/compare/clv_reference.py   (needs `pip install lifetimes`)

Prints, for fixed parameters (those lifetimes fits on the shipped data),
per-customer P(alive), conditional expected purchases, unconditional
expected purchases, expected spend and lifetime value, as Rust array
literals to paste into crates/crm-clv/tests/reference.rs. Parameters are
set, not fitted, so that the comparison is about the formulas alone.
"""
import numpy as np
import pandas as pd
from lifetimes import (BetaGeoFitter, ModifiedBetaGeoFitter, ParetoNBDFitter,
                       BetaGeoBetaBinomFitter, GammaGammaFitter)

BG = dict(r=0.242593, alpha=4.413532, a=0.792886, b=2.425752)
MBG = dict(r=0.524838, alpha=6.182993, a=0.891356, b=1.613999)
PNBD = dict(r=0.553275, alpha=10.577612, s=0.606214, beta=11.667911)
BGBB = dict(alpha=1.203522, beta=0.749716, gamma=0.656718, delta=2.783442)
GG = dict(p=6.248803, q=3.744588, v=15.447748)

CUSTOMERS = [(0, 0.0, 38.86), (1, 1.71, 38.86), (2, 30.43, 38.86), (7, 29.43, 38.86),
             (14, 35.0, 38.0), (3, 5.0, 30.0), (25, 36.5, 37.0), (1, 32.0, 32.5),
             (0, 0.0, 2.0), (40, 38.0, 38.86)]
MONETARY = [0.0, 11.77, 22.35, 44.93, 33.3, 7.5, 120.0, 16.0, 0.0, 58.25]
HORIZONS = [1.0, 10.0, 39.0, 104.0]


def fitter(cls, params):
    f = cls()
    f.params_ = pd.Series(params)
    return f


def f(v):
    return float(np.asarray(v, dtype=float).ravel()[0])


def rust(name, rows):
    print(f"const {name}: &[[f64; {len(rows[0])}]] = &[")
    for r in rows:
        print("    [" + ", ".join(repr(float(v)) for v in r) + "],")
    print("];")


for name, cls, params in [("BG", BetaGeoFitter, BG), ("MBG", ModifiedBetaGeoFitter, MBG),
                          ("PNBD", ParetoNBDFitter, PNBD)]:
    m = fitter(cls, params)
    rows = []
    for (x, tx, T) in CUSTOMERS:
        pa = f(m.conditional_probability_alive(x, tx, T))
        ey = [f(m.conditional_expected_number_of_purchases_up_to_time(t, x, tx, T))
              for t in HORIZONS]
        rows.append([x, tx, T, pa] + ey)
    rust(f"{name}_CUSTOMERS", rows)
    rust(f"{name}_NEW", [[t, f(m.expected_number_of_purchases_up_to_time(t))]
                         for t in HORIZONS])

m = fitter(BetaGeoBetaBinomFitter, BGBB)
rows = []
for (x, tx, n) in [(0, 0, 6), (1, 1, 6), (3, 4, 6), (6, 6, 6), (2, 5, 6), (4, 6, 6)]:
    x, tx, n = np.array([x]), np.array([tx]), np.array([n])
    pa0 = f(m.conditional_probability_alive(0, x, tx, n))
    pa1 = f(m.conditional_probability_alive(1, x, tx, n))
    ex = [f(m.conditional_expected_number_of_purchases_up_to_time(k, x, tx, n))
          for k in (1, 5, 10)]
    rows.append([f(x), f(tx), f(n), pa0, pa1] + ex)
rust("BGBB_CUSTOMERS", rows)

gg = fitter(GammaGammaFitter, GG)
bg = fitter(BetaGeoFitter, BG)
rows = []
month = 365.25 / 12 / 7  # weeks per month
for (x, tx, T), mv in zip(CUSTOMERS, MONETARY):
    spend = f(gg.conditional_expected_average_profit(pd.Series([x]), pd.Series([mv]))) \
        if x > 0 else GG["p"] * GG["v"] / (GG["q"] - 1)
    clv, prev = 0.0, 0.0
    for i in range(1, 13):
        now = f(bg.conditional_expected_number_of_purchases_up_to_time(i * month, x, tx, T))
        clv += spend * (now - prev) / (1.01) ** i
        prev = now
    rows.append([x, tx, T, mv, spend, clv])
rust("GG_CLV", rows)
