#!/bin/sh
# The pyramid of one period from the same transactions as CSV and as
# Parquet: alternating runs (CSV, Parquet, CSV, ...), so that load from
# other processes falls on both alike; prints the median wall-clock and CPU
# (user + system) seconds and the peak memory of each, their ratio, and
# checks that both give the same pyramid.
#
# Usage: benches/compare/pyramid_parquet_vs_csv.sh [TRANSACTIONS.csv] [RUNS] [PERIOD]
# TRANSACTIONS.csv: a transactions CSV (default: 1,000,000 customers made
# with `crm generate` into a temporary directory, about 10.5 million rows);
# it is converted with `crm convert` into PARQUET (default: beside the
# temporary data, or $PARQUET when set, reused when it exists). RUNS
# (default 5) runs of each. PERIOD default 2025.
# Needs: `cargo build --release -p crm-cli --features parquet` (or
# CRM=path/to/crm) and python3.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
crm=${CRM:-"$here/../../target/release/crm"}
runs=${2:-5}
period=${3:-2025}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ -n "${1:-}" ]; then
    csv=$1
else
    "$crm" generate --customers 1000000 --out "$tmp" >/dev/null 2>&1
    csv="$tmp/transactions.csv"
fi
parquet=${PARQUET:-"$tmp/transactions.parquet"}
if [ ! -e "$parquet" ]; then
    python3 - "$crm" "$csv" "$parquet" <<'PY'
import subprocess, sys, time
t = time.perf_counter()
subprocess.run([sys.argv[1], "convert", "--quiet", "--transactions", sys.argv[2], "--out", sys.argv[3]], check=True)
print(f"convert: {time.perf_counter() - t:.1f} s")
PY
fi
echo "data: $(($(wc -l <"$csv") - 1)) transactions; CSV $(du -h "$csv" | cut -f1), Parquet $(du -h "$parquet" | cut -f1)"

"$crm" pyramid --period "$period" --format json --transactions "$csv" >"$tmp/csv.json"
"$crm" pyramid --period "$period" --format json --transactions "$parquet" >"$tmp/parquet.json"
cmp "$tmp/csv.json" "$tmp/parquet.json" && echo "both give the same pyramid"

python3 - "$crm" "$csv" "$parquet" "$period" "$runs" <<'PY'
import os, resource, statistics, subprocess, sys, time
crm, csv, parquet, period, runs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])

def run(path):
    """Wall and CPU seconds, peak resident MiB of one pyramid run."""
    t = time.perf_counter()
    p = subprocess.Popen([crm, "pyramid", "--quiet", "--period", period, "--transactions", path],
                         stdout=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t
    if status != 0:
        sys.exit(f"crm failed on {path}")
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024

got = {"csv": [], "parquet": []}
for _ in range(runs):
    got["csv"].append(run(csv))
    got["parquet"].append(run(parquet))
med = {}
for name, rs in got.items():
    wall = statistics.median(r[0] for r in rs)
    cpu = statistics.median(r[1] for r in rs)
    mem = max(r[2] for r in rs)
    med[name] = (wall, cpu)
    print(f"pyramid --period {period} from {name}: median wall {wall:.2f} s, CPU {cpu:.2f} s, "
          f"peak memory {mem:.0f} MiB (walls: {' '.join(f'{r[0]:.2f}' for r in rs)})")
print(f"CSV / Parquet: wall {med['csv'][0] / med['parquet'][0]:.2f}x, CPU {med['csv'][1] / med['parquet'][1]:.2f}x")
PY
