#!/bin/sh
# Times `crm report --period YEAR` against `crm migration --from YEAR-1
# --to YEAR` on the same input files, runs interleaved in one session, and
# prints the median wall-clock and CPU time and the peak memory of each and
# the ratio report / migration.
#
# Usage: benches/compare/report_vs_migration.sh [TRANSACTIONS.csv] [YEAR] [RUNS] [CUSTOMERS.csv INTERACTIONS.csv]
# Without a file it generates 100,000 customers (about a million rows)
# with `crm generate` into a temporary directory. With a register and
# interactions, both commands read them too (the same files on each side).
# Needs: `cargo build --release -p crm-cli` (or CRM=path/to/crm), python3.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
crm=${CRM:-"$here/../../target/release/crm"}
year=${2:-2025}
runs=${3:-7}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ $# -ge 1 ] && [ -n "$1" ]; then
    file=$1
else
    "$crm" generate --customers 100000 --out "$tmp" >/dev/null
    file="$tmp/transactions.csv"
fi
set -- "$@" "" "" "" "" ""
more=""
if [ -n "$4" ] && [ -n "$5" ]; then
    more="--customers $4 --interactions $5"
fi
# One line per run: command wall-seconds cpu-seconds.
time_one() {
    python3 - "$@" <<'PY'
import os, resource, subprocess, sys, time
name, cmd = sys.argv[1], sys.argv[2:]
t = time.perf_counter()
subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
wall = time.perf_counter() - t
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print(name, wall, r.ru_utime + r.ru_stime, r.ru_maxrss / 1024)
PY
}
# shellcheck disable=SC2086 # $more is two flags with their files
"$crm" migration --transactions "$file" $more --from $((year - 1)) --to "$year" >/dev/null
i=0
while [ "$i" -lt "$runs" ]; do
    # shellcheck disable=SC2086
    time_one migration "$crm" migration --transactions "$file" $more --from $((year - 1)) --to "$year"
    # shellcheck disable=SC2086
    time_one report "$crm" report --transactions "$file" $more --period "$year" --out "$tmp/report.html"
    i=$((i + 1))
done >"$tmp/times"
python3 - "$tmp/times" "$file" "$runs" "$more" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
med = {}
for name in ("migration", "report"):
    med[name] = [statistics.median(float(r[k]) for r in rows if r[0] == name) for k in (1, 2, 3)]
inputs = sys.argv[2] + (" " + sys.argv[4] if sys.argv[4] else "")
print(f"{inputs}, medians of {sys.argv[3]} interleaved runs")
for name, (wall, cpu, rss) in med.items():
    print(f"{name:<10} {wall:6.3f} s wall  {cpu:6.3f} s cpu  {rss:7.0f} MiB peak")
print(f"ratio      {med['report'][0] / med['migration'][0]:6.2f} wall     {med['report'][1] / med['migration'][1]:6.2f} cpu")
PY
