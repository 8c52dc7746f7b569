"""Fit times of crm-clv against the Python `lifetimes` package, one run.

Usage (from the repository root, after `cargo build --release -p crm-cli`):
    pip install lifetimes
    python3 benches/compare/clv_vs_lifetimes.py [--large N]

For each model it fits the shipped data (CDNOW summary, donations) with
lifetimes and with `crm clv fit --summary ... --format json` (a whole process:
start, CSV read, fit, output), takes the median of several runs and prints
both times, the ratio and the parameters side by side. With --large N it
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


def compare(label, model, path, df, runs):
    tl, pl = median_time(lambda: lifetimes_fit(model, df), runs)
    tc, pc = median_time(lambda: crm_fit(model, path), runs)
    print(f"{label:<26} lifetimes {tl * 1000:10.1f} ms   crm {tc * 1000:8.1f} ms   ratio {tl / tc:7.1f}x")
    print(f"{'':<26} lifetimes {fmt(pl)}")
    print(f"{'':<26} crm       {fmt(pc)}")
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
