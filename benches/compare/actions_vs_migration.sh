#!/bin/sh
# Times `crm actions --period YEAR` against `crm migration --from YEAR-1
# --to YEAR` on the same inputs, runs interleaved in one session, and
# prints the median wall-clock and CPU time of each and the ratio
# actions / migration.
#
# Usage: benches/compare/actions_vs_migration.sh [DIR] [YEAR] [RUNS] [INPUTS]
# DIR holds transactions.csv (and customers.csv, interactions.csv); without
# it, 100,000 customers (about a million rows) are generated with
# `crm generate` into a temporary directory. INPUTS is `transactions`
# (the default: both commands read the transactions only) or `all` (both
# also read the customers and the interactions).
# Needs: `cargo build --release -p crm-cli` (or CRM=path/to/crm), python3.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
crm=${CRM:-"$here/../../target/release/crm"}
year=${2:-2025}
runs=${3:-7}
inputs=${4:-transactions}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ $# -ge 1 ] && [ -n "$1" ]; then
    dir=$1
else
    "$crm" generate --customers 100000 --out "$tmp" >/dev/null
    dir=$tmp
fi
set -- --transactions "$dir/transactions.csv"
case $inputs in
    transactions) ;;
    all) set -- "$@" --customers "$dir/customers.csv" --interactions "$dir/interactions.csv" ;;
    *) echo "INPUTS must be transactions or all, not $inputs" >&2; exit 2 ;;
esac
# One line per run: command wall-seconds cpu-seconds.
time_one() {
    python3 - "$@" <<'PY'
import resource, subprocess, sys, time
name, cmd = sys.argv[1], sys.argv[2:]
t = time.perf_counter()
subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
wall = time.perf_counter() - t
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print(name, wall, r.ru_utime + r.ru_stime)
PY
}
"$crm" migration "$@" --from $((year - 1)) --to "$year" >/dev/null
i=0
while [ "$i" -lt "$runs" ]; do
    time_one migration "$crm" migration "$@" --from $((year - 1)) --to "$year"
    time_one actions "$crm" actions "$@" --period "$year"
    i=$((i + 1))
done >"$tmp/times"
python3 - "$tmp/times" "$dir" "$runs" "$inputs" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
med = {}
for name in ("migration", "actions"):
    med[name] = [statistics.median(float(r[k]) for r in rows if r[0] == name) for k in (1, 2)]
print(f"{sys.argv[2]} ({sys.argv[4]}), medians of {sys.argv[3]} interleaved runs")
for name, (wall, cpu) in med.items():
    print(f"{name:<10} {wall:6.3f} s wall  {cpu:6.3f} s cpu")
print(f"ratio      {med['actions'][0] / med['migration'][0]:6.2f} wall     {med['actions'][1] / med['migration'][1]:6.2f} cpu")
PY
