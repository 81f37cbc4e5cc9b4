#!/usr/bin/env node
// Several replicas, side by side in one run: one server reading on the primary, against
// two servers reading on a streaming standby, and the same two sharing Redis (the rate
// limit asked on every request, with a budget never reached). Everything runs on this
// one machine, so the point is the overhead of the routing and of Redis, and that the
// standby takes the reads — not throughput: two servers and two PostgreSQL clusters share
// the same cores. Appends a dated section to BENCHMARKS.md.
//
//   node bench/replicas.js                       size S, 10 s per row, 32 clients in all
//   node bench/replicas.js --size M --duration 20 --concurrency 64
//   node bench/replicas.js --duration 2 --no-write   a quick try
//
// The catalogue is synthetic (`gcm-catalogue generate`, labelled so in the report). Needs
// what bench/run.js needs, and `redis-server` (Debian's package). The primary and its
// standby are throwaway embedded clusters (bench/standby_pair.rs).
"use strict";

const { spawn, spawnSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");
const readline = require("readline");
const { reference, workloads } = require("./workloads.js");
const { root, oha, ours, log, run, startServer, stopServer, post, metric, loadAsync, machine, fmt } = require("./common.js");

const pgDir = path.join(__dirname, "postgraphile");
const standbyPair = path.join(root, "target", "release", "standby-pair");

function parseArgs(argv) {
  const options = { size: "S", duration: 10, concurrency: 32, write: true, workloads: ["2", "3"] };
  for (let i = 0; i < argv.length; i++) {
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${argv[i]} needs a value`);
      return argv[++i];
    };
    switch (argv[i]) {
      case "--size": options.size = value().toUpperCase(); break;
      case "--duration": options.duration = Number(value()); break;
      case "--concurrency": options.concurrency = Number(value()); break;
      case "--workloads": options.workloads = value().split(","); break;
      case "--no-write": options.write = false; break;
      default: throw new Error(`unknown argument ${argv[i]} (see the head of bench/replicas.js)`);
    }
  }
  if (!["S", "M"].includes(options.size)) throw new Error("--size is S or M");
  return options;
}

/** The primary and the standby, running until `stop`. */
function startPair(dir) {
  return new Promise((resolve, reject) => {
    const child = spawn(standbyPair, [dir], { stdio: ["pipe", "pipe", "inherit"] });
    const urls = {};
    readline.createInterface({ input: child.stdout }).on("line", (line) => {
      const [role, url] = line.split(" ");
      urls[role] = url;
      if (urls.primary && urls.standby) resolve({ child, ...urls });
    });
    child.on("exit", (code) => reject(new Error(`standby-pair exited (${code})`)));
  });
}

async function stopPair(pair) {
  if (pair.child.exitCode !== null) return;
  pair.child.removeAllListeners("exit");
  const exited = new Promise((resolve) => pair.child.once("exit", resolve));
  pair.child.stdin.end();
  await Promise.race([exited, new Promise((r) => setTimeout(r, 30000))]);
}

function freePort() {
  return new Promise((resolve) => {
    const server = require("net").createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function startRedis() {
  const port = await freePort();
  const child = spawn("redis-server", ["--bind", "127.0.0.1", "--port", String(port), "--save", "", "--appendonly", "no",
    "--maxmemory", "64mb", "--maxmemory-policy", "volatile-lru"], { stdio: "ignore" });
  for (let i = 0; i < 100; i++) {
    const pong = spawnSync("redis-cli", ["-p", String(port), "PING"], { encoding: "utf8" }).stdout;
    if (pong && pong.trim() === "PONG") return { child, url: `redis://127.0.0.1:${port}` };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("redis-server did not answer");
}

async function untilStandbyInRotation(server) {
  for (let i = 0; i < 600; i++) {
    const ready = await (await fetch(`${server.base}/readyz`)).json();
    const [primary, standby] = ready.databases || [];
    if (standby && standby.status === "ok" && standby.catalogueVersion === primary.catalogueVersion) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${server.label}: the standby never joined the rotation`);
}

/** One row: the workload against every server at once, the clients split evenly. */
async function row(config, servers, workload, options, standbyName) {
  const reads = async (database) => {
    let n = 0;
    for (const server of servers) n += await metric(server, `gcm_database_reads_total{database="${database}"}`);
    return n;
  };
  const before = { standby: await reads(standbyName), primary: await reads("primary") };
  const each = Math.max(1, Math.round(options.concurrency / servers.length));
  const results = await Promise.all(servers.map((server) => loadAsync(server.url, workload.body, each, options.duration)));
  const standby = (await reads(standbyName)) - before.standby;
  const primary = (await reads("primary")) - before.primary;
  return {
    config,
    workload: workload.id,
    concurrency: each * servers.length,
    rps: results.reduce((n, r) => n + r.rps, 0),
    p50: Math.max(...results.map((r) => r.p50)),
    p99: Math.max(...results.map((r) => r.p99)),
    failed: results.reduce((n, r) => n + r.failed, 0),
    onStandby: standby + primary > 0 ? standby / (standby + primary) : 0,
  };
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const command = ["node bench/replicas.js", ...process.argv.slice(2)].join(" ");
  run("cargo", ["build", "--release", "-p", "gcm-catalogue", "-p", "gcm-bench"], { cwd: root, stdio: "inherit" });
  if (!fs.existsSync(oha)) run("cargo", ["install", "oha", "--locked", "--root", path.join(__dirname, ".tools")], { stdio: "inherit" });
  if (!fs.existsSync(path.join(pgDir, "node_modules", "pg"))) run("npm", ["ci", "--no-audit", "--no-fund"], { cwd: pgDir, stdio: "inherit" });
  const pg = require(path.join(pgDir, "node_modules", "pg"));

  // Under /tmp: the clusters run as the postgres user, who must reach their directories.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gcm-bench-replicas-"));
  fs.chmodSync(dir, 0o755);
  const servers = [];
  const rows = [];
  let pair;
  let redis;
  try {
    pair = await startPair(dir);
    redis = await startRedis();
    log(`primary ${pair.primary}, standby ${pair.standby}`);
    const t = Date.now();
    run(ours, ["generate", "--size", options.size, "--seed", "42"], { env: { ...process.env, DATABASE_URL: pair.primary, RUST_LOG: "warn" } });
    const loadSeconds = (Date.now() - t) / 1000;
    const client = new pg.Client({ connectionString: pair.primary });
    await client.connect();
    await client.query("VACUUM ANALYZE");
    const ref = await reference(client);
    await client.end();
    const chosen = workloads(ref).filter((w) => options.workloads.includes(w.id));
    for (const w of chosen) w.body = JSON.stringify({ query: w.ours, variables: w.vars });
    // As gcm_store::replicas::database_name names it in /metrics.
    const standbyName = (() => {
      const url = new URL(pair.standby);
      return `${url.hostname}:${url.port || 5432}${url.pathname}`;
    })();

    const base = { DATABASE_URL: pair.primary, GCM_LISTEN: "127.0.0.1:0", RUST_LOG: "warn", GCM_RATE_LIMIT_PER_SECOND: "0" };
    const withStandby = { ...base, DATABASE_READ_URLS: pair.standby };
    const withRedis = { ...withStandby, GCM_REDIS_URL: redis.url, GCM_RATE_LIMIT_PER_SECOND: "1000000", GCM_RATE_LIMIT_BURST: "1000000" };
    const configs = [
      { name: "one server, reads on the primary", env: base, count: 1 },
      { name: "two servers, reads on the standby", env: withStandby, count: 2 },
      { name: "two servers, reads on the standby, rate limit in Redis", env: withRedis, count: 2 },
    ];
    for (const config of configs) {
      const started = [];
      for (let i = 0; i < config.count; i++) {
        const server = await startServer(`${config.name} ${i}`, ours, ["serve"], config.env);
        started.push(server);
        servers.push(server);
        if (config.env.DATABASE_READ_URLS) await untilStandbyInRotation(server);
      }
      for (const w of chosen) {
        for (const server of started) await post(server.url, w.ours, w.vars); // warm: plans, pools
        rows.push(await row(config.name, started, w, options, standbyName));
        log(JSON.stringify(rows[rows.length - 1]));
      }
      for (const server of started) await stopServer(server);
    }

    const lines = [
      `## Several replicas, ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC`, "",
      `Command: \`${command}\`. Machine: ${machine()}. Synthetic catalogue (\`gcm-catalogue generate --size ${options.size} --seed 42\`, ${ref.counts.items} items, ${fmt(loadSeconds)} s to load) on a throwaway primary and its streaming standby (\`bench/standby_pair.rs\`), both on this machine with the servers and oha: the rows compare overhead and where the reads go, not capacity. Response cache off; each row splits ${options.concurrency} clients evenly over its servers for ${options.duration} s (req/s summed, latencies the worse server's).`, "",
      "| configuration | workload | clients | req/s | p50 ms | p99 ms | reads on the standby | failed |",
      "|---|---|---|---|---|---|---|---|",
      ...rows.map((r) => `| ${r.config} | (${r.workload}) | ${r.concurrency} | ${fmt(r.rps)} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${fmt(100 * r.onStandby)} % | ${r.failed} |`),
      "",
    ];
    const text = lines.join("\n");
    process.stdout.write(`${text}\n`);
    if (options.write) fs.appendFileSync(path.join(root, "BENCHMARKS.md"), `\n${text}`);
  } finally {
    for (const server of servers) await stopServer(server);
    if (redis) redis.child.kill();
    if (pair) await stopPair(pair);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
