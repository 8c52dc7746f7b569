#!/bin/sh
# The pyramid of one year (with the year before) from a transactions CSV,
# two ways: `crm pyramid --transactions FILE` (crm-csv streams the rows
# into the ledger) against the customer-facts pass planned and run by
# DataFusion in this process (engines/crm-datafusion's
# `crm-datafusion-pyramid` program:
# one GROUP BY customer in DataFusion, one row per customer into the
# ledger). Runs the two alternately RUNS times as whole processes, prints
# the median wall clock, CPU time (user + system) and peak memory of each
# (/usr/bin/time), and checks that both print the same pyramid.
#
# FILE is a CSV file, or a Parquet file (`*.parquet`, then crm needs the
# parquet feature) which both read as Parquet.
#
# Usage: benches/compare/datafusion_vs_csv.sh FILE [YEAR] [RUNS]
# Needs: `cargo build --release -p crm-cli --features parquet` (or
# CRM=path/to/crm) and the engine's program built in release, without
# Ballista (the cluster is not needed in-process):
#   CARGO_TARGET_DIR=/var/tmp/crm-engine-target cargo build --release \
#       --manifest-path engines/crm-datafusion/Cargo.toml \
#       --no-default-features --features bench --bin crm-datafusion-pyramid
# (or ENGINE=path/to/crm-datafusion-pyramid), python3 and GNU time (Debian:
# time).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
crm=${CRM:-"$here/../../target/release/crm"}
engine=${ENGINE:-"${CRM_ENGINE_TARGET:-/var/tmp/crm-engine-target}/release/crm-datafusion-pyramid"}
file=$1
year=${2:-2025}
runs=${3:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
case $file in
*.parquet) rows="Parquet" ;;
*) rows="$(($(wc -l <"$file") - 1)) rows" ;;
esac
echo "file $file: $rows, $(du -h "$file" | cut -f1); $runs alternating runs; before: load average $(cut -d' ' -f1-3 /proc/loadavg)"

# One run: CMD... > $tmp/NAME.out; appends "wall cpu rss_kb" to $tmp/NAME.times.
run() {
    name=$1
    shift
    /usr/bin/time -f '%e %U %S %M' -o "$tmp/t" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
    awk '{printf "%.2f %.2f %d\n", $1, $2 + $3, $4}' "$tmp/t" >>"$tmp/$name.times"
}
i=0
while [ "$i" -lt "$runs" ]; do
    run crm "$crm" pyramid --transactions "$file" --period "$year" --format json
    run datafusion "$engine" "$file" "$year"
    i=$((i + 1))
done

python3 - "$tmp" <<'PY'
import json, statistics, sys
tmp = sys.argv[1]
def summary(name, label):
    rows = [l.split() for l in open(f"{tmp}/{name}.times")]
    wall = statistics.median(float(r[0]) for r in rows)
    cpu = statistics.median(float(r[1]) for r in rows)
    rss = statistics.median(int(r[2]) for r in rows) / 1024
    runs = ", ".join(f"{float(r[0]):.2f} s/{float(r[1]):.2f} s/{int(r[2]) // 1024} MB" for r in rows)
    print(f"{label:<28} median {wall:6.2f} s wall, {cpu:6.2f} s CPU, peak {rss:5.0f} MB  (runs: {runs})")
    return wall, cpu
cw, cc = summary("crm", "crm pyramid")
dw, dc = summary("datafusion", "DataFusion facts + pyramid")
report = json.load(open(f"{tmp}/crm.out"))
crm = []
for l in report["levels"]:
    p = l.get("previous") or {"customers": 0, "value": "0"}
    crm.append(f'{l["level"]} {l["customers"]} {l["value"]} {p["customers"]} {p["value"]}')
df = open(f"{tmp}/datafusion.out").read().split("\n")
df = [l for l in df if l]
print(open(f"{tmp}/datafusion.err").read().strip().splitlines()[-1])
if crm != df:
    print("RESULTS DIFFER")
    print("\n".join(crm))
    print("--")
    print("\n".join(df))
    sys.exit(1)
print(f"results agree; ratio DataFusion / crm: wall {dw / cw:.2f}x, CPU {dc / cc:.2f}x")
PY
echo "after: load average $(cut -d' ' -f1-3 /proc/loadavg)"
