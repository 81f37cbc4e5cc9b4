#!/bin/bash
# A CPU profile of the server under one workload: perf record -g (software clock, 499 Hz)
# of the release server while oha keeps it busy at concurrency 2 for 20 s, then the
# symbols with the most self time and the call-graph report in bench/.profile/.
# Usage: bench/profile.sh <workload id 1-5> [database, default gcm_bench_m]
# Needs what `node bench/run.js` built and loaded (release binary, oha, the database); the
# server runs with the benchmark's settings (no rate limit, the cost limit out of the way).
set -euo pipefail
cd "$(dirname "$0")/.."
workload=${1:?workload id}
database=${2:-gcm_bench_m}
admin=${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
url="${admin%/*}/$database"
out=bench/.profile
mkdir -p "$out"
body=$(mktemp)
source bench/lib.sh
workload_body "$workload" "$url" > "$body"
trap 'kill ${server:-} 2>/dev/null; rm -f "$body"' EXIT
start_server "$url" 18098
oha=(bench/.tools/bin/oha -c 2 --no-tui -m POST -H content-type:application/json -H accept-encoding:identity
     -D "$body" "http://127.0.0.1:18098/graphql")
"${oha[@]}" -z 3s > /dev/null
"${oha[@]}" -z 22s > /dev/null &
load=$!
perf record -F 499 -g -o "$out/perf.data" -p "$server" -- sleep 20 2> /dev/null
wait $load
perf report -i "$out/perf.data" --no-children --percent-limit 0.7 --stdio -g none 2> /dev/null \
  | grep -v '^#' | grep -v '^$' | head -40 | tee "$out/self.txt"
perf report -i "$out/perf.data" --children --percent-limit 2 --stdio -g caller,0.5,callee 2> /dev/null > "$out/report.txt"
echo "call graph: $out/report.txt"
