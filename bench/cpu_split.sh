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
source bench/lib.sh
workload_body "$workload" "$url" > "$body"
trap 'kill ${server:-} 2>/dev/null; rm -f "$body"' EXIT
start_server "$url" 18099
ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
# With the postmaster's exited children (cutime + cstime): a backend that ends mid-run
# would otherwise take its time out of the sum.
reaped_ticks() { awk '{print $14 + $15 + $16 + $17}' "/proc/$1/stat" 2>/dev/null || echo 0; }
postgres_ticks() { local t=0; for p in $(pgrep -u postgres postgres); do t=$((t + $(reaped_ticks "$p"))); done; echo "$t"; }
oha=(bench/.tools/bin/oha -c 64 --no-tui -m POST -H content-type:application/json -H accept-encoding:identity
     -D "$body" "http://127.0.0.1:18099/graphql")
"${oha[@]}" -z 3s > /dev/null
s0=$(ticks $server); p0=$(postgres_ticks)
"${oha[@]}" -z 10s --output-format json > "$body.json"
s1=$(ticks $server); p1=$(postgres_ticks)
n=$(node -e 'console.log(require(process.argv[1]).statusCodeDistribution["200"] || 0)' "$body.json")
rm -f "$body.json"
echo "on $database, c=64, 10 s: $n requests answered"
echo "CPU per request: server $(echo "scale=3; ($s1 - $s0) * 10 / $n" | bc) ms, PostgreSQL $(echo "scale=3; ($p1 - $p0) * 10 / $n" | bc) ms"
