#!/bin/sh
# The pyramid of one period from three sources of the same data: the CSV
# files, an SQLite database and a PostgreSQL database (where the
# per-customer aggregation runs in the server), and the imports that fill
# the databases. Prints the wall-clock and CPU seconds of each import
# (once; the CPU time is the client's, not the server's) and the medians
# of RUNS pyramid runs per source (the three sources alternate, so that a
# change of load on the machine hits all three), and checks that the three
# pyramids are the same.
#
# Usage: benches/compare/pyramid_postgres.sh [CUSTOMERS | FILE] [RUNS]
# CUSTOMERS (default 1000000, about 10.5 million transactions) are made
# with `crm generate` into a temporary directory; a FILE of transactions
# is used as it is (transactions only: no register, no interactions).
# The temporary directory is made in $TMPDIR (default /tmp); the PostgreSQL server is
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

if [ -f "$customers" ]; then
    transactions=$customers
    files="--transactions $transactions"
else
    "$crm" generate --customers "$customers" --out "$tmp" >/dev/null 2>&1
    transactions=$tmp/transactions.csv
    files="--customers $tmp/customers.csv --interactions $tmp/interactions.csv --transactions $transactions"
fi
rows=$(($(wc -l <"$transactions") - 1))
echo "data: $customers, $rows transactions ($(du -h "$transactions" | cut -f1)); $(date -u '+%Y-%m-%d %H:%M UTC'); load average $(cut -d' ' -f1-3 /proc/loadavg)"

$as "$bin/initdb" -D "$tmp/pg" -U crm -A trust -E UTF8 --locale=C >/dev/null
$as "$bin/pg_ctl" -D "$tmp/pg" -l "$tmp/pg.log" -w -o \
    "-c listen_addresses=127.0.0.1 -c port=$port -k $tmp -c shared_buffers=512MB -c max_wal_size=2GB" \
    start >/dev/null
$as "$bin/psql" -h "$tmp" -p "$port" -U crm -d postgres -qc "CREATE DATABASE crm" >/dev/null
url="postgres://crm@127.0.0.1:$port/crm"

# Wall-clock and CPU seconds (user + system, of the command's process) as
# "WALL/CPU".
seconds() {
    python3 - "$@" <<'PY'
import os, subprocess, sys, time
t = time.perf_counter()
before = os.times()
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)
after = os.times()
cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
print(f"{time.perf_counter() - t:.2f}/{cpu:.2f}")
PY
}
median() { tr ' ' '\n' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# "wall W s, CPU C s" of the medians of wall and CPU times in "W/C ..."
medians() {
    w=$(echo "$1" | tr ' ' '\n' | grep . | cut -d/ -f1 | tr '\n' ' ' | median)
    c=$(echo "$1" | tr ' ' '\n' | grep . | cut -d/ -f2 | tr '\n' ' ' | median)
    echo "wall $w s, CPU $c s"
}

echo "import into SQLite (wall/CPU s): $(seconds "$crm" import --db "$tmp/crm.db" $files)"
echo "import into PostgreSQL (wall/client CPU s): $(seconds "$crm" import --db "$url" $files)"
echo "import into PostgreSQL again, all duplicates (wall/client CPU s): $(seconds "$crm" import --db "$url" $files)"

args_of() {
    case $1 in
        csv) echo "$files" ;;
        sqlite) echo "--db $tmp/crm.db" ;;
        postgres) echo "--db $url" ;;
    esac
}
for source in csv sqlite postgres; do
    "$crm" pyramid --period "$year" --format json $(args_of $source) >"$tmp/$source.json"
done
t_csv="" t_sqlite="" t_postgres=""
i=0
while [ "$i" -lt "$runs" ]; do
    t_csv="$t_csv $(seconds "$crm" pyramid --period "$year" $(args_of csv))"
    t_sqlite="$t_sqlite $(seconds "$crm" pyramid --period "$year" $(args_of sqlite))"
    t_postgres="$t_postgres $(seconds "$crm" pyramid --period "$year" $(args_of postgres))"
    i=$((i + 1))
done
echo "pyramid --period $year from csv: $(medians "$t_csv") (wall/CPU:$t_csv)"
echo "pyramid --period $year from sqlite: $(medians "$t_sqlite") (wall/CPU:$t_sqlite)"
echo "pyramid --period $year from postgres: $(medians "$t_postgres"), client only (wall/CPU:$t_postgres)"
echo "after: load average $(cut -d' ' -f1-3 /proc/loadavg)"
cmp "$tmp/csv.json" "$tmp/sqlite.json" && cmp "$tmp/csv.json" "$tmp/postgres.json" &&
    echo "the three pyramids are the same"
