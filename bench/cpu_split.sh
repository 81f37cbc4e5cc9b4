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
# The same variables as `node bench/run.js` (workloads.js's `reference`).
DATABASE_URL=$url node -e '
  const pg = require("./bench/postgraphile/node_modules/pg");
  const { reference, workloads } = require("./bench/workloads.js");
  (async () => {
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    const w = workloads(await reference(client)).find((w) => w.id === process.argv[1]);
    await client.end();
    console.error(`workload (${w.id}) ${w.name}`);
    process.stdout.write(JSON.stringify({ query: w.ours, variables: w.vars }));
  })().catch((e) => { console.error(e); process.exit(1); });' "$workload" > "$body"
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
echo "on $database, c=64, 10 s: $n requests answered"
echo "CPU per request: server $(echo "scale=3; ($s1 - $s0) * 10 / $n" | bc) ms, PostgreSQL $(echo "scale=3; ($p1 - $p0) * 10 / $n" | bc) ms"
