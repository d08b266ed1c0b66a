/**
 * Closed-loop HTTP load: `connections` keep-alive connections, each sending its next request as soon as the previous
 * answer arrived, for a warm-up and then a measured duration. Two engines run the same scenarios:
 * - wrk (C, with a Lua script for distinct bodies) when it is installed: it costs the 2-core machine less CPU than a
 *   Node client, so more of it is left to the server being measured;
 * - a Node client (node:http, keep-alive agent) otherwise.
 * BENCH_HTTP_CLIENT=node|wrk forces one.
 */
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { percentile } from "./report";

/** What to send. Every alert body is distinct (its own id) unless the scenario is "duplicate". */
export type Scenario =
  | { kind: "bare"; path: string; price: string; runId: string }
  | { kind: "webhook"; tokens: string[]; price: string; runId: string }
  | { kind: "duplicate"; token: string; body: string };

export interface LoadOptions {
  baseUrl: string;
  scenario: Scenario;
  connections: number;
  warmupSec: number;
  durationSec: number;
}

export interface LoadResult {
  engine: "wrk" | "node";
  requests: number;
  seconds: number;
  rps: number;
  /** Latency percentiles in ms. */
  p50: number;
  p90: number;
  p99: number;
  max: number;
  statuses: Record<string, number>;
  /** Socket errors and timeouts. */
  errors: number;
  /** Latency distribution as weighted points (ms, weight in requests), sorted by ms: merges runs exactly enough. */
  dist: { ms: number; w: number }[];
}

const WEBHOOK_PREFIX = "/api/webhooks/tradingview/";

/** A TradingView-style JSON alert, as a strategy template with {{ticker}}, {{close}}, {{timenow}} sends it. */
export function alertBody(price: string, id: string, time = new Date()): string {
  return JSON.stringify({ ticker: "BTCUSDT", action: "buy", price, time: time.toISOString().replace(/\.\d{3}Z$/, "Z"), id });
}

/**
 * Installs wrk from the distribution's packages when it is missing and this process may (root with apt-get), as
 * .ci/run does for Chromium: the Node client costs the 2-core machine CPU that the server and PostgreSQL need, which
 * weighs on the webhook (server + database) more than on the bare route. BENCH_HTTP_CLIENT=node skips this;
 * BENCH_INSTALL_WRK=0 never installs. Returns what it did, for the log.
 */
export function ensureWrk(): string {
  if (process.env.BENCH_HTTP_CLIENT === "node" || process.env.BENCH_INSTALL_WRK === "0" || wrkAvailable()) return "";
  if (process.getuid?.() !== 0 || spawnSync("apt-get", ["--version"]).error) return "wrk is not installed (install it: apt-get install wrk); the Node client drives the load";
  const install = () => spawnSync("apt-get", ["install", "-y", "-qq", "wrk"], { encoding: "utf8", timeout: 180_000, env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  let r = install();
  if (r.status !== 0) {
    spawnSync("apt-get", ["update", "-qq"], { encoding: "utf8", timeout: 180_000 });
    r = install();
  }
  return wrkAvailable() ? "installed wrk with apt-get" : `could not install wrk (apt-get exit ${r.status}); the Node client drives the load`;
}

export function wrkAvailable(): boolean {
  if (process.env.BENCH_HTTP_CLIENT === "node") return false;
  const r = spawnSync("wrk", ["--version"], { encoding: "utf8" });
  const ok = !r.error && /wrk/.test(`${r.stdout}${r.stderr}`);
  if (!ok && process.env.BENCH_HTTP_CLIENT === "wrk") throw new Error("BENCH_HTTP_CLIENT=wrk but wrk is not installed");
  return ok;
}

/** One closed-loop run (after an unrecorded warm-up when `warmupSec` > 0); `phase` keeps alert ids distinct. */
export async function runLoad(opts: LoadOptions, phase = "m"): Promise<LoadResult> {
  const engine = wrkAvailable() ? runWrk : runNode;
  if (opts.warmupSec > 0) await engine({ ...opts, durationSec: opts.warmupSec }, `${phase}w`);
  return engine(opts, phase);
}

/** Weighted percentile over a sorted distribution. */
function distPercentile(dist: { ms: number; w: number }[], p: number): number {
  const total = dist.reduce((a, d) => a + d.w, 0);
  const rank = (p / 100) * total;
  let acc = 0;
  for (const d of dist) {
    acc += d.w;
    if (acc >= rank - 1e-9) return d.ms;
  }
  return dist.at(-1)?.ms ?? NaN;
}

/** Several runs of one scenario (e.g. interleaved with another scenario's runs) as one result. */
export function mergeResults(runs: LoadResult[]): LoadResult {
  const dist = runs.flatMap((r) => r.dist).sort((a, b) => a.ms - b.ms);
  const requests = runs.reduce((a, r) => a + r.requests, 0);
  const seconds = runs.reduce((a, r) => a + r.seconds, 0);
  const statuses: Record<string, number> = {};
  for (const r of runs) for (const [k, v] of Object.entries(r.statuses)) statuses[k] = (statuses[k] ?? 0) + v;
  return {
    engine: runs[0]!.engine,
    requests,
    seconds,
    rps: requests / seconds,
    p50: distPercentile(dist, 50),
    p90: distPercentile(dist, 90),
    p99: distPercentile(dist, 99),
    max: Math.max(...runs.map((r) => r.max)),
    statuses,
    errors: runs.reduce((a, r) => a + r.errors, 0),
    dist,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Node engine

function nodeRequests(scenario: Scenario, phase: string) {
  let n = 0;
  return (): { path: string; body: string } => {
    n++;
    switch (scenario.kind) {
      case "bare":
        return { path: scenario.path, body: alertBody(scenario.price, `${scenario.runId}-${phase}-${n}`) };
      case "webhook":
        return {
          path: WEBHOOK_PREFIX + scenario.tokens[n % scenario.tokens.length]!,
          body: alertBody(scenario.price, `${scenario.runId}-${phase}-${n}`),
        };
      case "duplicate":
        return { path: WEBHOOK_PREFIX + scenario.token, body: scenario.body };
    }
  };
}

async function runNode(opts: LoadOptions, phase: string): Promise<LoadResult> {
  const base = new URL(opts.baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.connections });
  const next = nodeRequests(opts.scenario, phase);
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  const send = (req: { path: string; body: string }) =>
    new Promise<number>((resolve, reject) => {
      const r = http.request(
        {
          agent,
          host: base.hostname,
          port: base.port,
          method: "POST",
          path: req.path,
          headers: { "content-type": "application/json", "content-length": Buffer.byteLength(req.body) },
          timeout: 10_000,
        },
        (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
          res.on("error", reject);
        },
      );
      r.on("timeout", () => r.destroy(new Error("timeout")));
      r.on("error", reject);
      r.end(req.body);
    });

  const t0 = performance.now();
  const end = t0 + opts.durationSec * 1000;
  let last = t0;
  await Promise.all(
    Array.from({ length: opts.connections }, async () => {
      while (performance.now() < end) {
        const req = next();
        const s = performance.now();
        try {
          const status = await send(req);
          last = performance.now();
          latencies.push(last - s);
          statuses[status] = (statuses[status] ?? 0) + 1;
        } catch {
          errors++;
        }
      }
    }),
  );
  agent.destroy();
  const seconds = (last - t0) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    engine: "node",
    requests: latencies.length,
    seconds,
    rps: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p90: percentile(latencies, 90),
    p99: percentile(latencies, 99),
    max: latencies.at(-1) ?? NaN,
    statuses,
    errors,
    dist: latencies.map((ms) => ({ ms, w: 1 })),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// wrk engine: one thread (plenty for a few thousand requests a second), a Lua script building each request.

const WRK_SCRIPT = String.raw`
local kind = os.getenv("BENCH_KIND")
local price = os.getenv("BENCH_PRICE") or "0"
local run_id = os.getenv("BENCH_RUN_ID") or "run"
local fixed_path = os.getenv("BENCH_PATH")
local fixed_body = os.getenv("BENCH_BODY")
local tokens = {}
local threads = {}
local counter = 0
statuses = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  local file = os.getenv("BENCH_TOKENS_FILE")
  if file then
    for line in io.lines(file) do
      if #line > 0 then table.insert(tokens, line) end
    end
  end
end

local headers = { ["Content-Type"] = "application/json" }

function request()
  counter = counter + 1
  if kind == "duplicate" then
    return wrk.format("POST", fixed_path, headers, fixed_body)
  end
  local body = string.format('{"ticker":"BTCUSDT","action":"buy","price":"%s","time":"%s","id":"%s-%d-%d"}',
    price, os.date("!%Y-%m-%dT%H:%M:%SZ"), run_id, tid, counter)
  if kind == "webhook" then
    local token = tokens[((counter + tid * 7919) % #tokens) + 1]
    return wrk.format("POST", "/api/webhooks/tradingview/" .. token, headers, body)
  end
  return wrk.format("POST", fixed_path, headers, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local parts = {}
  for _, t in ipairs(threads) do
    local s = t:get("statuses")
    for code, n in pairs(s) do
      local key = tostring(code)
      parts[key] = (parts[key] or 0) + n
    end
  end
  local st = {}
  for code, n in pairs(parts) do table.insert(st, string.format('"%s":%d', code, n)) end
  -- The latency quantile function on a grid (every 0.5% up to p99, every 0.02% above), for merging runs.
  local q = {}
  local p = 0.5
  while p <= 99.0001 do table.insert(q, string.format("[%.2f,%d]", p, latency:percentile(p))); p = p + 0.5 end
  p = 99.02
  while p <= 100.0001 do table.insert(q, string.format("[%.2f,%d]", p, latency:percentile(p))); p = p + 0.02 end
  local e = summary.errors
  io.write(string.format('BENCH_JSON {"requests":%d,"duration_us":%d,"p50":%d,"p90":%d,"p99":%d,"max":%d,"errors":%d,"statuses":{%s},"quantiles":[%s]}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.connect + e.read + e.write + e.timeout, table.concat(st, ","), table.concat(q, ",")))
end
`;

async function runWrk(opts: LoadOptions, phase: string): Promise<LoadResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tradsy-bench-wrk-"));
  const scriptFile = path.join(dir, "bench.lua");
  fs.writeFileSync(scriptFile, WRK_SCRIPT);
  const s = opts.scenario;
  const env: NodeJS.ProcessEnv = { ...process.env, BENCH_KIND: s.kind };
  if (s.kind === "webhook") {
    const tokensFile = path.join(dir, "tokens.txt");
    fs.writeFileSync(tokensFile, s.tokens.join("\n") + "\n");
    Object.assign(env, { BENCH_TOKENS_FILE: tokensFile, BENCH_PRICE: s.price, BENCH_RUN_ID: `${s.runId}-${phase}` });
  } else if (s.kind === "bare") {
    Object.assign(env, { BENCH_PATH: s.path, BENCH_PRICE: s.price, BENCH_RUN_ID: `${s.runId}-${phase}` });
  } else {
    Object.assign(env, { BENCH_PATH: WEBHOOK_PREFIX + s.token, BENCH_BODY: s.body });
  }
  const args = ["-t1", `-c${opts.connections}`, `-d${opts.durationSec}s`, "--timeout", "10s", "-s", scriptFile, opts.baseUrl];
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn("wrk", args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`wrk exited ${code}: ${out}`))));
  }).finally(() => fs.rmSync(dir, { recursive: true, force: true }));
  const line = output.split("\n").find((l) => l.startsWith("BENCH_JSON "));
  if (!line) throw new Error(`wrk printed no summary:\n${output}`);
  const r = JSON.parse(line.slice("BENCH_JSON ".length)) as {
    requests: number;
    duration_us: number;
    p50: number;
    p90: number;
    p99: number;
    max: number;
    errors: number;
    statuses: Record<string, number>;
    quantiles: [number, number][];
  };
  const seconds = r.duration_us / 1e6;
  // Each grid point stands for the requests between the previous grid point and itself.
  const dist = r.quantiles.map(([p, us], i) => ({ ms: us / 1000, w: (r.requests * (p - (i ? r.quantiles[i - 1]![0] : 0))) / 100 }));
  return {
    engine: "wrk",
    requests: r.requests,
    seconds,
    rps: r.requests / seconds,
    p50: r.p50 / 1000,
    p90: r.p90 / 1000,
    p99: r.p99 / 1000,
    max: r.max / 1000,
    statuses: r.statuses,
    errors: r.errors,
    dist,
  };
}

/** Share of answers with the expected status (others: refusals, 5xx, socket errors). */
export function share(result: LoadResult, status: number): number {
  const total = Object.values(result.statuses).reduce((a, b) => a + b, 0) + result.errors;
  return total ? (result.statuses[String(status)] ?? 0) / total : 0;
}
