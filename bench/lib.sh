# Shared by bench/cpu_split.sh and bench/profile.sh (sourced, from the project's root).

# workload_body ID DATABASE_URL > FILE: our request of workload ID, with the same variables
# as `node bench/run.js` (workloads.js's `reference`).
workload_body() {
  DATABASE_URL=$2 node -e '
    const pg = require("./bench/postgraphile/node_modules/pg");
    const { reference, workloads } = require("./bench/workloads.js");
    (async () => {
      const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await client.connect();
      const w = workloads(await reference(client)).find((w) => w.id === process.argv[1]);
      await client.end();
      console.error(`workload (${w.id}) ${w.name}`);
      process.stdout.write(JSON.stringify({ query: w.ours, variables: w.vars }));
    })().catch((e) => { console.error(e); process.exit(1); });' "$1"
}

# start_server DATABASE_URL PORT: the release server with the benchmark's settings (no rate
# limit, the cost limit out of the way), ready when this returns; its PID in $server.
start_server() {
  DATABASE_URL=$1 GCM_LISTEN=127.0.0.1:$2 RUST_LOG=warn GCM_RATE_LIMIT_PER_SECOND=0 \
    GCM_MAX_COMPLEXITY=1000000000000 target/release/gcm-catalogue serve > /dev/null 2>&1 &
  server=$!
  for _ in $(seq 50); do
    curl -sf -o /dev/null "http://127.0.0.1:$2/readyz" 2>/dev/null && return 0
    sleep 0.2
  done
  echo "the server on port $2 did not become ready" >&2
  return 1
}
