#!/bin/sh
# Makes docs/report.png, the picture of `crm report` in the README: the
# report on the shipped example data with every input it has (transactions,
# register, interactions, leads, a plan, a campaign with its control group,
# the series 2021..2025 and a calibration end), in English, as headless
# chromium draws it (no network), 1200 CSS pixels wide at half scale (600
# pixels), cut after HEIGHT CSS pixels (default 2640: the header, the key
# figures, the contents, the pyramid, the migration matrix, the value
# bridge and the projection; the sections below are listed in the
# contents), so that the PNG stays small (about 100 KB).
#
# Usage: docs/screenshot.sh [OUT.png]
# Needs: `cargo build --release -p crm-cli` (or CRM=path/to/crm) and
# chromium (or CHROMIUM=path/to/chromium).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
crm=${CRM:-"$root/target/release/crm"}
browser=${CHROMIUM:-chromium}
out=${1:-"$root/docs/report.png"}
height=${HEIGHT:-2640}
data="$root/examples/data"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$crm" report --quiet \
    --transactions "$data/transactions.csv" \
    --customers "$data/customers.csv" \
    --interactions "$data/interactions.csv" \
    --leads "$data/leads.csv" \
    --plan "$data/plan.toml" \
    --campaign spring-2025 --campaign-control "$data/campaign_control.csv" \
    --period 2025 --periods 2021..2025 --calibration-end 2024-12-31 \
    --lang en --out "$tmp/report.html"
"$browser" --headless --no-sandbox --disable-gpu --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --disable-dev-shm-usage --hide-scrollbars \
    --host-resolver-rules='MAP * ~NOTFOUND' --proxy-server=127.0.0.1:9 \
    --user-data-dir="$tmp/profile" \
    --window-size=1200,"$height" --force-device-scale-factor=0.5 \
    --screenshot="$tmp/report.png" "file://$tmp/report.html" 2>/dev/null
cp "$tmp/report.png" "$out"
echo "wrote $out ($(wc -c <"$out") bytes)"
