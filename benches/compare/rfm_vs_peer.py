#!/usr/bin/env python3
"""Cross-checks `crm value rfm` scores against the scoring rule of the Python
package `rfm` 1.0.9 (`pd.qcut(x.rank(method='first'), 5)`), applied to the
same recency, frequency and monetary values.

Usage: python3 benches/compare/rfm_vs_peer.py TRANSACTIONS.csv AS_OF
Needs: `pip install pandas`, and `cargo build --release -p crm-cli`.

Prints, per score, how many customers get the same score, and checks that
every difference is on a tied value (where the peer breaks ties by row
order and crm gives tied customers one score).
"""
import io
import os
import subprocess
import sys

import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
CRM = os.path.join(os.path.dirname(os.path.dirname(HERE)), "target", "release", "crm")


def main():
    path, as_of = sys.argv[1:3]
    out = subprocess.run([CRM, "value", "rfm", "--transactions", path, "--as-of", as_of, "--format", "csv"],
                         check=True, capture_output=True, text=True).stdout
    df = pd.read_csv(io.StringIO(out))
    df["monetary"] = df["monetary"].astype(float)
    # The peer's three lines (rfm/rfm.py, calculate_rfm_score).
    peer_r = pd.qcut(df["recency_days"].rank(method="first"), 5, labels=[5, 4, 3, 2, 1]).astype(int)
    peer_f = pd.qcut(df["frequency"].rank(method="first"), 5, labels=[1, 2, 3, 4, 5]).astype(int)
    peer_m = pd.qcut(df["monetary"].rank(method="first"), 5, labels=[1, 2, 3, 4, 5]).astype(int)
    ok = True
    for name, column, peer in [("r", "recency_days", peer_r), ("f", "frequency", peer_f), ("m", "monetary", peer_m)]:
        same = (df[name] == peer).sum()
        differ = df[df[name] != peer]
        counts = df[column].value_counts()
        untied = differ[differ[column].map(counts) == 1]
        print(f"{name}: {same} of {len(df)} customers score the same; "
              f"{len(differ)} differ, {len(untied)} of them on untied values")
        ok &= len(untied) == 0
    if not ok:
        sys.exit("scores differ on untied values")
    print("every difference is on a tied value")


if __name__ == "__main__":
    main()
