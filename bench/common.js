// What the benchmark scripts share: running commands, starting and stopping servers,
// driving load with oha, and reading CPU, memory and metrics off the processes.
"use strict";

const { spawn, spawnSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");
const readline = require("readline");

const root = path.resolve(__dirname, "..");
const oha = path.join(__dirname, ".tools", "bin", "oha");
const ours = path.join(root, "target", "release", "gcm-catalogue");

function log(message) {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

function run(command, args, options = {}) {
  log(`$ ${command} ${args.join(" ")}`);
  const result = spawnSync(command, args, { stdio: ["ignore", "pipe", "inherit"], encoding: "utf8", ...options });
  if (result.status !== 0) throw new Error(`${command} failed with status ${result.status}`);
  return result.stdout;
}

function databaseUrl(adminUrl, name) {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Starts a server process and waits for its `listening on http://ADDR` line. */
// Its stderr goes to a file: the runner blocks while oha runs, and a server logging into a
// full pipe nobody reads would stall.
function startServer(label, command, args, env) {
  return new Promise((resolve, reject) => {
    const logFile = path.join(os.tmpdir(), `gcm-bench-${label.replace(/\W+/g, "-")}-${process.pid}.log`);
    const logFd = fs.openSync(logFile, "w");
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", logFd] });
    fs.closeSync(logFd);
    const lines = readline.createInterface({ input: child.stdout });
    const timer = setTimeout(() => reject(new Error(`${label} did not start in 120 s`)), 120000);
    lines.on("line", (line) => {
      const match = /listening on (http:\/\/\S+)/.exec(line);
      if (match) {
        clearTimeout(timer);
        resolve({ label, child, url: `${match[1]}/graphql`, base: match[1] });
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${label} exited (${code}): ${fs.readFileSync(logFile, "utf8").slice(-2000)}`));
    });
  });
}

async function stopServer(server) {
  if (!server || server.child.exitCode !== null) return;
  server.child.removeAllListeners("exit");
  const exited = new Promise((resolve) => server.child.once("exit", resolve));
  server.child.kill("SIGTERM");
  await Promise.race([exited, new Promise((r) => setTimeout(r, 10000))]);
  if (server.child.exitCode === null) server.child.kill("SIGKILL");
}

/** Peak resident set of a process so far (VmHWM), in MiB. */
function peakRss(server) {
  const status = fs.readFileSync(`/proc/${server.child.pid}/status`, "utf8");
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)[1]);
  return kb / 1024;
}

async function post(url, query, variables, extensions) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query, variables, extensions }),
  });
  const text = await response.text();
  let json;
  try { json = JSON.parse(text); } catch { throw new Error(`${url}: not JSON (${response.status}): ${text.slice(0, 300)}`); }
  if (!response.ok || json.errors) throw new Error(`${url}: ${response.status} ${JSON.stringify(json.errors ?? json).slice(0, 1000)}`);
  return { text, json };
}

/** JSON text with every object's keys sorted. */
function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

async function metric(server, name) {
  const text = await (await fetch(`${server.base}/metrics`)).text();
  let total = 0;
  for (const line of text.split("\n")) {
    if (line.startsWith(name) && /^[a-z_]+(\{[^}]*\})? /.test(line)) total += Number(line.split(" ").pop());
  }
  return total;
}

/**
 * Waits until a server has worked off the requests oha abandoned at its deadline (Node
 * goes on executing them), so they do not eat into the next row: until a trivial query
 * is answered within 50 ms and the database runs no statement of the benchmark's
 * database (a server answers `__typename` while its queued statements still run there).
 */
async function idle(server, db) {
  const started = Date.now();
  while (Date.now() - started < 300000) {
    const t = Date.now();
    await post(server.url, "{ __typename }", {});
    const answered = Date.now() - t < 50;
    const running = Number((await db.query(
      "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()",
    )).rows[0].n);
    if (answered && running === 0) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  log(`${server.label} still busy after 300 s`);
}

/**
 * CPU time a process has used so far (utime + stime), in ms; with `reaped`, also that of
 * its children that have exited (cutime + cstime).
 */
function cpuMs(pid, reaped = false) {
  try {
    // Fields after the parenthesised command name: state, ppid, ..., utime (12th of
    // these), stime, cutime, cstime.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ").map(Number);
    const own = fields[11] + fields[12];
    return ((own + (reaped ? fields[13] + fields[14] : 0)) * 1000) / ticksPerSecond;
  } catch {
    return 0; // the process ended between listing and reading
  }
}

const ticksPerSecond = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim()) || 100;

/**
 * CPU of every PostgreSQL server process, in ms: the live ones (backends, parallel and
 * background workers) and, through the postmaster's cutime, the ones that have exited —
 * without the latter a backend ending during a row would take its time out of the sum.
 */
function postgresCpuMs() {
  const pids = spawnSync("pgrep", ["-u", "postgres", "postgres"], { encoding: "utf8" }).stdout.trim().split("\n").filter(Boolean);
  return pids.reduce((sum, pid) => sum + cpuMs(pid, true), 0);
}

/**
 * Runs oha against `server` and returns its summary with where the CPU went: the server
 * process's and PostgreSQL's CPU per answered request (as bench/cpu_split.sh measures
 * it), and the server's peak resident memory.
 */
function measure(server, body, concurrency, duration) {
  const server0 = cpuMs(server.child.pid);
  const postgres0 = postgresCpuMs();
  const result = load(server.url, body, concurrency, duration);
  const serverMs = cpuMs(server.child.pid) - server0;
  const postgresMs = postgresCpuMs() - postgres0;
  result.serverCpu = result.ok > 0 ? serverMs / result.ok : null;
  result.postgresCpu = result.ok > 0 ? postgresMs / result.ok : null;
  result.rss = peakRss(server);
  return result;
}

/** Runs oha against `url` and returns its summary. */
function load(url, body, concurrency, duration) {
  const out = run(oha, [
    "-z", `${duration}s`, "-c", String(concurrency), "--no-tui", "--output-format", "json",
    // oha asks for gzip/brotli by default; PostGraphile and the static handler do not
    // compress, so all three are compared on identical, uncompressed bytes.
    "-m", "POST", "-H", "content-type: application/json", "-H", "accept-encoding: identity", "-d", body, url,
  ]);
  return summary(JSON.parse(out));
}

/** oha's JSON summary as the report reads it. */
function summary(result) {
  const ok = Object.entries(result.statusCodeDistribution || {}).reduce((n, [code, c]) => n + (code === "200" ? c : 0), 0);
  const all = Object.values(result.statusCodeDistribution || {}).reduce((n, c) => n + c, 0);
  // Requests cut off at the deadline are not failures: they are simply not counted.
  const errors = Object.entries(result.errorDistribution || {})
    .filter(([message]) => !/deadline/i.test(message))
    .reduce((n, [, c]) => n + c, 0);
  return {
    rps: ok / result.summary.total,
    p50: result.latencyPercentiles?.p50 * 1000,
    p99: result.latencyPercentiles?.p99 * 1000,
    ok,
    failed: all - ok + errors,
  };
}

function machine() {
  const cpus = os.cpus();
  return `${cpus.length} × ${cpus[0].model.trim()}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.type()} ${os.release()}`;
}

const fmt = (x, digits = 1) => (x === undefined || Number.isNaN(x) ? "–" : x.toFixed(digits));

/** `load` without blocking the runner: several oha at once, against several servers. */
function loadAsync(url, body, concurrency, duration) {
  return new Promise((resolve, reject) => {
    const args = [
      "-z", `${duration}s`, "-c", String(concurrency), "--no-tui", "--output-format", "json",
      "-m", "POST", "-H", "content-type: application/json", "-H", "accept-encoding: identity", "-d", body, url,
    ];
    log(`$ ${oha} ${args.join(" ")}`);
    const child = spawn(oha, args, { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (chunk) => { out += chunk; });
    child.on("exit", (code) => (code === 0 ? resolve(summary(JSON.parse(out))) : reject(new Error(`oha failed (${code})`))));
  });
}

module.exports = {
  root, oha, ours, log, run, databaseUrl, startServer, stopServer, peakRss, post, canonical, metric, idle,
  cpuMs, postgresCpuMs, measure, load, loadAsync, machine, fmt,
};
