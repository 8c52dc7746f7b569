#!/bin/sh
# The pyramid of one period from three sources of the same data: the CSV
# files, an SQLite database and a PostgreSQL database (where the
# per-customer aggregation runs in the server), and the imports that fill
# the databases. Prints the wall-clock seconds of each import (once) and
# the median of RUNS pyramid runs per source, and checks that the three
# pyramids are the same.
#
# Usage: benches/compare/pyramid_postgres.sh [CUSTOMERS] [RUNS]
# CUSTOMERS (default 1000000, about 10.5 million transactions) are made
# with `crm generate` into a temporary directory; the PostgreSQL server is
# started by this script (initdb into the same directory, a loopback port,
# as the user nobody when run as root) and stopped at the end.
# Needs: `cargo build --release -p crm-cli` (or CRM=path/to/crm), python3,
# PostgreSQL's server programs (Debian: apt-get install postgresql), and
# about 8 GB of free disk for a million customers.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
crm=${CRM:-"$here/../../target/release/crm"}
customers=${1:-1000000}
runs=${2:-3}
year=2025
tmp=$(mktemp -d)
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$bin" ] || bin=$(dirname "$(command -v initdb)")
if [ "$(id -u)" -eq 0 ]; then as="runuser -u nobody --"; chown nobody "$tmp"; else as=""; fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
stop() {
    $as "$bin/pg_ctl" -D "$tmp/pg" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$tmp"
}
trap stop EXIT

"$crm" generate --customers "$customers" --out "$tmp" >/dev/null 2>&1
rows=$(($(wc -l <"$tmp/transactions.csv") - 1))
echo "data: $customers customers, $rows transactions ($(du -h "$tmp/transactions.csv" | cut -f1))"

$as "$bin/initdb" -D "$tmp/pg" -U crm -A trust -E UTF8 --locale=C >/dev/null
$as "$bin/pg_ctl" -D "$tmp/pg" -l "$tmp/pg.log" -w -o \
    "-c listen_addresses=127.0.0.1 -c port=$port -k $tmp -c shared_buffers=512MB -c max_wal_size=2GB" \
    start >/dev/null
$as "$bin/psql" -h "$tmp" -p "$port" -U crm -d postgres -qc "CREATE DATABASE crm" >/dev/null
url="postgres://crm@127.0.0.1:$port/crm"

seconds() {
    python3 - "$@" <<'PY'
import subprocess, sys, time
t = time.perf_counter()
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)
print(f"{time.perf_counter() - t:.2f}")
PY
}
median() { tr ' ' '\n' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

files="--customers $tmp/customers.csv --interactions $tmp/interactions.csv --transactions $tmp/transactions.csv"
echo "import into SQLite: $(seconds "$crm" import --db "$tmp/crm.db" $files) s"
echo "import into PostgreSQL: $(seconds "$crm" import --db "$url" $files) s"
echo "import into PostgreSQL again (all duplicates): $(seconds "$crm" import --db "$url" $files) s"

for source in csv sqlite postgres; do
    case $source in
        csv) args="--transactions $tmp/transactions.csv --customers $tmp/customers.csv --interactions $tmp/interactions.csv" ;;
        sqlite) args="--db $tmp/crm.db" ;;
        postgres) args="--db $url" ;;
    esac
    "$crm" pyramid --period "$year" --format json $args >"$tmp/$source.json"
    times=""
    i=0
    while [ "$i" -lt "$runs" ]; do
        times="$times $(seconds "$crm" pyramid --period "$year" $args)"
        i=$((i + 1))
    done
    echo "pyramid --period $year from $source: median $(echo $times | median) s of$times"
done
cmp "$tmp/csv.json" "$tmp/sqlite.json" && cmp "$tmp/csv.json" "$tmp/postgres.json" &&
    echo "the three pyramids are the same"
