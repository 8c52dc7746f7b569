"""Fit times of crm-clv against the Python `lifetimes` package, one run.

Usage (from the repository root):
    cargo build --release -p crm-cli -p crm-clv --example fit_timing
    pip install lifetimes
    python3 benches/compare/clv_vs_lifetimes.py [--large N]

For each model it fits the shipped data (CDNOW summary, donations) with
lifetimes (median of several fits in one Python process) and with crm-clv
(`fit_timing`: median of at least 25 fits in one process after a warm-up,
reading excluded), and
prints both times, their ratio, the parameters side by side, and the time of
the whole `crm clv fit --summary` command (process start, CSV read, fit,
output). With --large N it
also simulates N Pareto/NBD customers (numpy, fixed seed), writes them as a
summary file and times both on it (lifetimes may take minutes there).
"""
import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from lifetimes import (BetaGeoFitter, ModifiedBetaGeoFitter, ParetoNBDFitter,
                       BetaGeoBetaBinomFitter, GammaGammaFitter)

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "crates/crm-clv/tests/data"
CRM = ROOT / "target/release/crm"
TIMING = ROOT / "target/release/examples/fit_timing"


def median_time(f, runs):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def crm_fit(model, path):
    out = subprocess.run([str(CRM), "clv", "fit", "--model", model, "--summary", str(path),
                          "--format", "json"], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)["params"]


def lifetimes_fit(model, df):
    if model == "bg-nbd":
        f = BetaGeoFitter().fit(df.x, df.t_x, df["T"])
    elif model == "mbg-nbd":
        f = ModifiedBetaGeoFitter().fit(df.x, df.t_x, df["T"])
    elif model == "pareto-nbd":
        f = ParetoNBDFitter().fit(df.x, df.t_x, df["T"])
    elif model == "gamma-gamma":
        d = df[df.x > 0]
        f = GammaGammaFitter().fit(d.x, d.zbar)
    else:
        f = BetaGeoBetaBinomFitter().fit(df.frequency, df.recency, df.periods, weights=df.weights)
    return dict(f.params_)


def crm_in_process(model, path, runs):
    out = subprocess.run([str(TIMING), model, str(path), str(runs)], check=True,
                         capture_output=True, text=True)
    r = json.loads(out.stdout)
    return r["median_ms"] / 1000, r["params"]


def compare(label, model, path, df, runs):
    tl, pl = median_time(lambda: lifetimes_fit(model, df), runs)
    tc, pc = crm_in_process(model, path, max(runs, 25))
    te, _ = median_time(lambda: crm_fit(model, path), runs)
    print(f"{label:<30} lifetimes {tl * 1000:9.1f} ms   crm-clv {tc * 1000:8.2f} ms   "
          f"ratio {tl / tc:6.1f}x   (crm clv fit command {te * 1000:.1f} ms)")
    print(f"{'':<30} lifetimes {fmt(pl)}")
    print(f"{'':<30} crm       {fmt(pc)}")
    sys.stdout.flush()


def fmt(p):
    return " ".join(f"{k}={v:.4f}" for k, v in p.items())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--large", type=int, default=0)
    a = ap.parse_args()
    cdnow_path = DATA / "cdnow_customers_summary_with_transactions.csv"
    cdnow = pd.read_csv(cdnow_path)
    don_path = DATA / "donations.csv"
    don = pd.read_csv(don_path)
    for model in ["bg-nbd", "mbg-nbd", "pareto-nbd", "gamma-gamma"]:
        compare(f"{model} CDNOW (2,357)", model, cdnow_path, cdnow, a.runs)
    compare("bg-bb donations (11,104)", "bg-bb", don_path, don, a.runs)
    if a.large:
        rng = np.random.default_rng(42)
        n = a.large
        lam = rng.gamma(0.553, 1 / 10.578, n)
        mu = rng.gamma(0.606, 1 / 11.669, n)
        T = 78.0 - (np.arange(n) % 84) / 7.0
        life = rng.exponential(1 / mu)
        end = np.minimum(life, T)
        x = rng.poisson(lam * end)
        # Given x purchases in [0, end], the last is the max of x uniforms.
        tx = np.where(x > 0, end * rng.random(n) ** (1 / np.maximum(x, 1)), 0.0)
        tx = np.floor(tx * 7) / 7
        df = pd.DataFrame({"x": x, "t_x": tx, "T": T})
        with tempfile.TemporaryDirectory() as d:
            p = Path(d) / "large.csv"
            df.to_csv(p, index=False)
            for model in ["bg-nbd", "pareto-nbd"]:
                compare(f"{model} simulated ({n:,})", model, p, df, 1)


if __name__ == "__main__":
    main()
