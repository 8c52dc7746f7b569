#!/usr/bin/env python3
"""`crm pyramid` and `crm migration` against DuckDB running the equivalent SQL,
on a transactions file whose customers are scattered through it as in an ERP
export (rows in date order, customers in random order within a day), not
grouped or sorted by customer.

Every run is a whole process (DuckDB's includes the Python start), timed by
wall clock, with its CPU time (user + system) and peak resident set from
`/usr/bin/time -v`. The tools run
alternately (crm, DuckDB, crm, DuckDB, ...) in one session, so that a change
of load on the machine hits both; the ratios are of the medians. The results
are checked to agree (pyramid: customers and value per level; migration:
every cell).

Usage:
  python3 benches/compare/ingest_vs_duckdb.py [--customers N] [--years Y]
      [--runs R] [--file F] [--keep DIR] [--order date|shuffle] [--db]
      [--db-path DB] [--other-crm PATH]

Without --file, it runs `crm generate --customers N --years Y` into a
temporary directory and rewrites the transactions in date order (ties in
random order) with DuckDB, deleting the generated file. --keep DIR keeps the
reordered file in DIR (and reuses it when it is there). --order shuffle
puts the rows in random order instead. --db also imports the file into a
SQLite database with `crm import` (timed once) and times `crm pyramid --db`
against the CSV path; with --db-path DB it uses the database DB made from
the same file by an earlier run (import not timed), or imports into DB and
keeps it when DB does not exist. --other-crm PATH also times another build's
`crm pyramid` in the same alternation (and checks that it agrees), to
measure a change against the code before it under the same load.

Needs: `cargo build --release -p crm-cli` (or CRM=path/to/crm), /usr/bin/time,
and DuckDB for Python (`python3 -m venv /tmp/venv && /tmp/venv/bin/pip install
duckdb`, then run this script with /tmp/venv/bin/python3).
"""
import argparse
import datetime
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CRM = os.environ.get("CRM", os.path.join(ROOT, "target", "release", "crm"))

# Runs DuckDB on one SQL file in a fresh process and prints the rows as JSON.
DUCK = r"""
import json, os, sys
import duckdb
sql = open(sys.argv[1]).read()
for k, v in zip(sys.argv[2::2], sys.argv[3::2]):
    sql = sql.replace(k, v)
con = duckdb.connect()
con.execute("SET threads = %d" % os.cpu_count())
con.execute("SET enable_progress_bar = false")
rows = con.execute(sql).fetchall()
print(json.dumps([[str(c) for c in r] for r in rows]))
"""


# CPU seconds (user + system) of the last run of each command line.
CPU = {}


def timed(cmd):
    """Runs `cmd` under /usr/bin/time -v: (wall seconds, peak RSS in MB, stdout)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        t0 = time.perf_counter()
        p = subprocess.run(["/usr/bin/time", "-v", "-o", tf.name] + cmd,
                           capture_output=True, text=True)
        wall = time.perf_counter() - t0
        if p.returncode != 0:
            sys.exit(f"failed ({p.returncode}): {' '.join(cmd)}\n{p.stderr}")
        text = tf.read()
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
        cpu = sum(float(x) for x in re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", text))
        CPU[" ".join(cmd)] = cpu
        return wall, int(m.group(1)) / 1024 if m else float("nan"), p.stdout


def machine():
    model = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores, {platform.system()} {platform.release()}"


def load():
    return "load average %.2f %.2f %.2f" % os.getloadavg()


def make_file(args, out_dir):
    path = os.path.join(out_dir, f"transactions_{args.order}_{args.customers}c_{args.years}y.csv")
    if os.path.exists(path):
        return path
    gen = os.path.join(out_dir, "generated")
    subprocess.run([CRM, "generate", "--customers", str(args.customers), "--years", str(args.years),
                    "--out", gen], check=True, capture_output=True)
    src = os.path.join(gen, "transactions.csv")
    order = "date, hash(transaction_id)" if args.order == "date" else "hash(transaction_id)"
    import duckdb
    con = duckdb.connect()
    con.execute(f"COPY (SELECT * FROM read_csv('{src}', header = true, all_varchar = true) "
                f"ORDER BY {order}) TO '{path}' (HEADER, DELIMITER ',')")
    shutil.rmtree(gen)
    return path


def duck(sql_file, params):
    cmd = [sys.executable, "-c", DUCK, os.path.join(HERE, sql_file)]
    for k, v in params.items():
        cmd += [k, v]
    wall, rss, out = timed(cmd)
    return (wall, rss, CPU[" ".join(cmd)]), json.loads(out.strip().splitlines()[-1])


def crm(args):
    cmd = [CRM] + args
    wall, rss, out = timed(cmd)
    return (wall, rss, CPU[" ".join(cmd)]), out


def duck_run(runs, sql_file, params):
    run, rows = duck(sql_file, params)
    runs.append(run)
    return (rows,)


def check_pyramid(report, rows):
    now = {r[1]: (int(r[2]), Decimal(r[3])) for r in rows if r[0] == "now"}
    for level in report["levels"]:
        if level["level"] == "suspect":
            continue
        got = (level["customers"], Decimal(level["value"]))
        want = now.get(level["level"], (0, Decimal(0)))
        if got != want:
            sys.exit(f"MISMATCH pyramid {level['level']}: crm {got} duckdb {want}")


def check_migration(report, rows):
    got = {(c["from"], c["to"]): (c["customers"], Decimal(c["value_from"]), Decimal(c["value_to"]))
           for c in report["cells"]}
    want = {(r[0], r[1]): (int(r[2]), Decimal(r[3]), Decimal(r[4])) for r in rows}
    if got != want:
        for k in sorted(set(got) | set(want)):
            if got.get(k) != want.get(k):
                print("MISMATCH migration", k, "crm", got.get(k), "duckdb", want.get(k))
        sys.exit(1)


def line(name, runs):
    walls = [w for w, _, _ in runs]
    cpus = [c for _, _, c in runs]
    rss = [r for _, r, _ in runs]
    return (f"{name:<22} median {statistics.median(walls):6.2f} s wall, {statistics.median(cpus):6.2f} s CPU,"
            f" peak {max(rss):5.0f} MB"
            f"  (runs: {', '.join(f'{w:.2f} s/{c:.2f} s/{r:.0f} MB' for w, r, c in runs)})")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--years", type=int, default=5)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--file")
    ap.add_argument("--keep")
    ap.add_argument("--order", choices=["date", "shuffle"], default="date")
    ap.add_argument("--db", action="store_true")
    ap.add_argument("--db-path", help="the database for --db: kept, and reused when it exists")
    ap.add_argument("--last-year", type=int, default=2025)
    ap.add_argument("--other-crm", help="another crm binary, timed on the pyramid alongside")
    args = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="crm-compare-")
    try:
        if args.file:
            path = args.file
        else:
            out_dir = args.keep or tmp
            os.makedirs(out_dir, exist_ok=True)
            path = make_file(args, out_dir)
        b = args.last_year
        a = b - 1
        params = {"@FILE@": path, "@PSTART@": f"{a}-01-01", "@START@": f"{b}-01-01",
                  "@END@": f"{b + 1}-01-01"}
        rows = sum(1 for _ in open(path, "rb")) - 1
        print(f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, {machine()}")
        print(f"file {os.path.basename(path)}: {rows} rows, {os.path.getsize(path) / 1e6:.0f} MB, "
              f"order {args.order}; {args.runs} alternating runs; before: {load()}")
        crm_p, duck_p, crm_m, duck_m, crm_db, before_p = [], [], [], [], [], []
        pyramid = ["pyramid", "--transactions", path, "--period", str(b), "--format", "json"]
        db = None
        if args.db_path and os.path.exists(args.db_path):
            db = args.db_path
            print(f"crm import --db: reusing {os.path.basename(db)}, not timed")
        elif args.db or args.db_path:
            db = args.db_path or os.path.join(tmp, "crm.db")
            run, _ = crm(["import", "--db", db, "--transactions", path])
            print(f"crm import --db: {run[0]:.2f} s wall, {run[2]:.2f} s CPU "
                  f"({rows / run[0] / 1e3:.0f} k rows/s), peak {run[1]:.0f} MB")
        for _ in range(args.runs):
            run, out = crm(pyramid)
            crm_p.append(run)
            levels = json.loads(out)
            check_pyramid(levels, *duck_run(duck_p, "pyramid_duckdb.sql", params))
            if args.other_crm:
                wall, rss, out = timed([args.other_crm] + pyramid)
                before_p.append((wall, rss, CPU[" ".join([args.other_crm] + pyramid)]))
                if json.loads(out)["levels"] != levels["levels"]:
                    sys.exit("MISMATCH pyramid against --other-crm")
            run, out = crm(["migration", "--transactions", path, "--from", str(a), "--to", str(b),
                            "--format", "json"])
            crm_m.append(run)
            check_migration(json.loads(out), *duck_run(duck_m, "migration_duckdb.sql", params))
            if db:
                run, out = crm(["pyramid", "--db", db, "--period", str(b), "--format", "json"])
                crm_db.append(run)
                if json.loads(out)["levels"] != levels["levels"]:
                    sys.exit("MISMATCH pyramid --db against the CSV path")
        med = lambda runs: statistics.median(w for w, _, _ in runs)
        print(line("crm pyramid", crm_p))
        print(line("duckdb pyramid SQL", duck_p))
        print(line("crm migration", crm_m))
        print(line("duckdb migration SQL", duck_m))
        if db:
            print(line("crm pyramid --db", crm_db))
        if before_p:
            print(line("crm pyramid, other build", before_p))
        print(f"after: {load()}; results agree")
        print(f"ratio duckdb / crm: pyramid {med(duck_p) / med(crm_p):.2f}x, "
              f"migration {med(duck_m) / med(crm_m):.2f}x")
        if db:
            print(f"ratio pyramid --db / CSV: {med(crm_db) / med(crm_p):.2f}")
        if before_p:
            print(f"ratio other build / this: pyramid {med(before_p) / med(crm_p):.2f}x")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
