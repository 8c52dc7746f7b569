#!/usr/bin/env python3
"""Times `crm migration --from A --to B` against DuckDB joining the two
pyramids in SQL on the same transactions file, in one run, and checks that
the cells agree.

Usage: python3 benches/compare/migration_vs_duckdb.py FILE FROM_YEAR TO_YEAR [RUNS]
Needs: `pip install duckdb`, and `cargo build --release -p crm-cli`.
"""
import json
import os
import statistics
import subprocess
import sys
import time
from decimal import Decimal

import duckdb

HERE = os.path.dirname(os.path.abspath(__file__))
CRM = os.path.join(os.path.dirname(os.path.dirname(HERE)), "target", "release", "crm")


def main():
    path, a, b = sys.argv[1:4]
    runs = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    sql = open(os.path.join(HERE, "migration_duckdb.sql")).read()
    sql = (sql.replace("@FILE@", path).replace("@PSTART@", f"{a}-01-01").replace("@START@", f"{b}-01-01")
           .replace("@END@", f"{int(b) + 1}-01-01"))
    crm_t, duck_t, pyr_t = [], [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        out = subprocess.run([CRM, "migration", "--transactions", path, "--from", a, "--to", b, "--format", "json"],
                             check=True, capture_output=True, text=True).stdout
        crm_t.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        subprocess.run([CRM, "pyramid", "--transactions", path, "--period", b, "--format", "json"],
                       check=True, capture_output=True)
        pyr_t.append(time.perf_counter() - t0)
        con = duckdb.connect()
        con.execute("SET threads = %d" % os.cpu_count())
        t0 = time.perf_counter()
        rows = con.execute(sql).fetchall()
        duck_t.append(time.perf_counter() - t0)
    report = json.loads(out)
    got = {(c["from"], c["to"]): (c["customers"], Decimal(c["value_from"]), Decimal(c["value_to"]))
           for c in report["cells"]}
    want = {(r[0], r[1]): (r[2], Decimal(r[3]), Decimal(r[4])) for r in rows}
    if got != want:
        print("MISMATCH")
        for k in sorted(set(got) | set(want)):
            if got.get(k) != want.get(k):
                print(k, "crm", got.get(k), "duckdb", want.get(k))
        sys.exit(1)
    c, p, d = statistics.median(crm_t), statistics.median(pyr_t), statistics.median(duck_t)
    print(f"file {path} ({os.path.getsize(path) / 1e6:.0f} MB), {runs} runs, {os.cpu_count()} cores")
    print(f"crm migration median {c:.2f} s  (runs: {', '.join(f'{t:.2f}' for t in crm_t)})")
    print(f"crm pyramid   median {p:.2f} s  (runs: {', '.join(f'{t:.2f}' for t in pyr_t)})")
    print(f"duckdb SQL    median {d:.2f} s  (runs: {', '.join(f'{t:.2f}' for t in duck_t)})")
    print(f"migration / pyramid: {c / p:.2f}; duckdb / crm migration: {d / c:.2f}x; cells agree")


if __name__ == "__main__":
    main()
