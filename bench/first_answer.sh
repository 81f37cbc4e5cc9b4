#!/usr/bin/env bash
# The time from `cargo run --release -- serve` (built beforehand: `cargo build --release`)
# to its first answer: launches it from the repository's root, polls
# `{ objectives { number } }` every 50 ms until a 200, prints the seconds, stops it.
# A first start (no cluster yet in the data directory) includes initdb and the bundled
# import; run it twice to see a restart. Usage: bench/first_answer.sh [port, default 8080]
set -euo pipefail
cd "$(dirname "$0")/.."
port="${1:-8080}"
query='{"query":"{ objectives { number } }"}'
start=$(date +%s.%N)
GCM_LISTEN="127.0.0.1:$port" cargo run -q --release -- serve > target/first_answer.log 2>&1 &
pid=$!
trap 'kill -INT $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
until curl -sf -o /dev/null -H 'content-type: application/json' -d "$query" "http://127.0.0.1:$port/graphql"; do
  kill -0 "$pid" 2>/dev/null || { cat target/first_answer.log; exit 1; }
  sleep 0.05
done
end=$(date +%s.%N)
echo "first answer after $(echo "$end - $start" | bc) s"
