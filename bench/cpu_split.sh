#!/bin/bash
# Where one workload's CPU goes at concurrency 64: this service's process against all
# PostgreSQL server processes, per request, over 10 s of oha (after a 3 s warm-up).
# Usage: bench/cpu_split.sh <workload id 1-5> [database, default gcm_bench_l]
# Needs what `node bench/run.js` built and loaded (release binary, oha, the database);
# run it on an otherwise idle machine. Reads utime+stime from /proc (100 ticks/s).
set -euo pipefail
cd "$(dirname "$0")/.."
workload=${1:?workload id}
database=${2:-gcm_bench_l}
admin=${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
url="${admin%/*}/$database"
body=$(mktemp)
top=$(psql "$url" -Atc "SELECT c.iso3 FROM item_countries l JOIN countries c ON c.id = l.country_id
                         WHERE l.kind = 'resource' GROUP BY c.iso3 ORDER BY count(*) DESC, c.iso3 LIMIT 1")
node -e '
  const w = require("./bench/workloads.js").workloads({ topCountry: process.argv[1], principles: [], regions: [] })
    .find((w) => w.id === process.argv[2]);
  process.stdout.write(JSON.stringify({ query: w.ours, variables: w.vars }));' "$top" "$workload" > "$body"
port=18099
DATABASE_URL=$url GCM_LISTEN=127.0.0.1:$port RUST_LOG=warn GCM_RATE_LIMIT_PER_SECOND=0 \
  target/release/gcm-catalogue serve > /dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -f "$body"' EXIT
for _ in $(seq 50); do curl -sf -o /dev/null "http://127.0.0.1:$port/readyz" 2>/dev/null && break; sleep 0.2; done
ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
postgres_ticks() { local t=0; for p in $(pgrep -u postgres postgres); do t=$((t + $(ticks "$p"))); done; echo "$t"; }
oha=(bench/.tools/bin/oha -c 64 --no-tui -m POST -H content-type:application/json -H accept-encoding:identity
     -D "$body" "http://127.0.0.1:$port/graphql")
"${oha[@]}" -z 3s > /dev/null
s0=$(ticks $server); p0=$(postgres_ticks)
"${oha[@]}" -z 10s --output-format json > "$body.json"
s1=$(ticks $server); p1=$(postgres_ticks)
n=$(node -e 'console.log(require(process.argv[1]).statusCodeDistribution["200"] || 0)' "$body.json")
rm -f "$body.json"
echo "workload ($workload) on $database, c=64, 10 s: $n requests answered"
echo "CPU per request: server $(echo "scale=3; ($s1 - $s0) * 10 / $n" | bc) ms, PostgreSQL $(echo "scale=3; ($p1 - $p0) * 10 / $n" | bc) ms"
