#!/usr/bin/env python3
"""Times `crm pyramid` against DuckDB running the equivalent SQL on the same
transactions file, in one run on one machine, and checks that both give the
same level counts and values.

Usage: python3 benches/compare/pyramid_vs_duckdb.py FILE PERIOD_START PERIOD_END [RUNS]
Needs: `pip install duckdb`, and `cargo build --release -p crm-cli`.
Example: crm generate --customers 1000000 --years 5 --out /tmp/big
         python3 benches/compare/pyramid_vs_duckdb.py /tmp/big/transactions.csv 2025-01-01 2026-01-01
"""
import json
import os
import resource
import statistics
import subprocess
import sys
import time

import duckdb

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CRM = os.path.join(ROOT, "target", "release", "crm")


def previous(start, end):
    from datetime import date
    s, e = date.fromisoformat(start), date.fromisoformat(end)
    if s.month == 1 and s.day == 1 and e.month == 1 and e.day == 1 and e.year == s.year + 1:
        return date(s.year - 1, 1, 1).isoformat()
    return (s - (e - s)).isoformat()


def run_crm(path, start, end):
    t0 = time.perf_counter()
    out = subprocess.run([CRM, "pyramid", "--transactions", path, "--period", f"{start}..{end}",
                          "--format", "json"], check=True, capture_output=True, text=True).stdout
    dt = time.perf_counter() - t0
    return dt, json.loads(out)


def run_duckdb(path, start, end):
    sql = open(os.path.join(HERE, "pyramid_duckdb.sql")).read()
    sql = (sql.replace("@FILE@", path).replace("@START@", start).replace("@END@", end)
           .replace("@PSTART@", previous(start, end)))
    con = duckdb.connect()
    con.execute("SET threads = %d" % os.cpu_count())
    t0 = time.perf_counter()
    rows = con.execute(sql).fetchall()
    dt = time.perf_counter() - t0
    return dt, rows


def main():
    path, start, end = sys.argv[1:4]
    runs = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    crm_times, duck_times = [], []
    for _ in range(runs):
        dt, report = run_crm(path, start, end)
        crm_times.append(dt)
        dt, rows = run_duckdb(path, start, end)
        duck_times.append(dt)
    now = {(r[1]): (r[2], str(r[3])) for r in rows if r[0] == "now"}
    for level in report["levels"]:
        if level["level"] == "suspect":
            continue
        got = (level["customers"], level["value"])
        want = now.get(level["level"], (0, "0.00"))
        from decimal import Decimal
        if got[0] != want[0] or Decimal(got[1]) != Decimal(want[1]):
            print(f"MISMATCH {level['level']}: crm {got} duckdb {want}")
            sys.exit(1)
    c, d = statistics.median(crm_times), statistics.median(duck_times)
    print(f"file {path} ({os.path.getsize(path) / 1e6:.0f} MB), {runs} runs, {os.cpu_count()} cores")
    print(f"crm pyramid   median {c:.2f} s  (runs: {', '.join(f'{t:.2f}' for t in crm_times)})")
    print(f"duckdb SQL    median {d:.2f} s  (runs: {', '.join(f'{t:.2f}' for t in duck_times)})")
    print(f"ratio duckdb / crm: {d / c:.2f}x; results agree")


if __name__ == "__main__":
    main()
