/**
 * The provider profile page over HTTP on `next start`, next to the bare route of the same server in the same run.
 *
 * - Scratch database `tradsy_bench_profile`, migrated and left empty: the server seeds it itself, the way a demo
 *   deployment does (SEED_DEMO=1: demo accounts, dev-checkout billing, then a year of track records per demo provider
 *   computed from the recorded prices in MARKET_DATA_DIR). The bench waits until every demo plan's track record is
 *   rolled up, then profiles the demo provider with the most signals (the longest history).
 * - One request at a time (a person loading a page; the budget is server time, not throughput under load), full
 *   HTML read to the end, as an anonymous visitor. After a warm-up of each, bare-route and profile requests run in
 *   interleaved slices so background load on this shared machine weighs on both alike.
 * - Budget (issue 11): profile p95 <= 150 ms. The bare route's p95 is the framework's floor in the same run.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { sql } from "drizzle-orm";
import type { Db } from "@/server/db";
import { replayAvailable } from "@/server/integrations/market-data";
import { DEMO_PLANS } from "@/server/services/seed/track-records";
import { createScratch, dropScratch } from "./db";
import { percentile, round, type Check, type Result } from "./report";
import { rowsOf } from "./seed";
import { ensureBuild, startServer } from "./server";

const DB_NAME = "tradsy_bench_profile";
const BARE_PATH = "/api/bench/bare";
const BUDGET_MS = 150;
const REQUESTS = Number(process.env.BENCH_PROFILE_REQUESTS ?? 150);
const WARMUP = Number(process.env.BENCH_PROFILE_WARMUP ?? 20);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** How long the server may take to seed the demo and write its track records. */
const SEED_TIMEOUT_MS = Number(process.env.BENCH_PROFILE_SEED_TIMEOUT_SEC ?? 600) * 1000;

function marketDataDir(): string | undefined {
  const candidates = [process.env.MARKET_DATA_DIR, path.resolve(process.cwd(), "..", "shared", "data")].filter(Boolean) as string[];
  return candidates.find((d) => replayAvailable(d));
}

function skip(results: Result[], reason: string) {
  console.log(`SKIPPED provider profile page: ${reason}`);
  results.push({ name: "provider profile page p95 (next start, seeded demo)", value: null, unit: "skipped", budget: `<= ${BUDGET_MS} ms`, skipped: reason });
}

interface Answer {
  ms: number;
  status: number;
  body: string;
  location?: string;
}

/** One request on a keep-alive agent, timed from sending to the last byte of the body. */
function request(agent: http.Agent, base: URL, method: "GET" | "POST", pathname: string, body?: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const r = http.request(
      { agent, host: base.hostname, port: base.port, method, path: pathname, headers: body ? { ...headers, "content-length": Buffer.byteLength(body) } : headers, timeout: 30_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ ms: performance.now() - t0, status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8"), location: res.headers.location }));
        res.on("error", reject);
      },
    );
    r.on("timeout", () => r.destroy(new Error("timeout")));
    r.on("error", reject);
    r.end(body);
  });
}

/** The React Server Components payload inlined in the HTML (the `self.__next_f.push` scripts), in bytes. */
export function inlineFlightBytes(html: string): number {
  let n = 0;
  for (const m of html.matchAll(/<script>self\.__next_f\.push\((.*?)\)<\/script>/gs)) n += Buffer.byteLength(m[1]!);
  return n;
}

async function waitForTrackRecords(db: Db, log: string, expected: number) {
  const t0 = performance.now();
  for (;;) {
    const [row] = rowsOf<{ n: number; signals: number }>(
      await db.execute(sql`select (select count(*)::int from provider_stats where "window" = 'all') as n, (select count(*)::int from signals) as signals`),
    );
    if ((row?.n ?? 0) >= expected) return { sec: (performance.now() - t0) / 1000, signals: row?.signals ?? 0 };
    if (fs.readFileSync(log, "utf8").includes("demo track records not written")) throw new Error(`the server could not write the demo track records; see ${log}`);
    if (performance.now() - t0 > SEED_TIMEOUT_MS) throw new Error(`demo track records not ready after ${SEED_TIMEOUT_MS / 1000} s (${row?.n ?? 0} of ${expected}); see ${log}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

const summary = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return { p50: percentile(s, 50), p95: percentile(s, 95), p99: percentile(s, 99), max: s.at(-1) ?? NaN };
};

export async function benchProfile(pgUrl: string | undefined, results: Result[], checks: Check[]) {
  if (!pgUrl) return skip(results, "no PostgreSQL server (set DATABASE_URL)");
  const dataDir = marketDataDir();
  if (!dataDir) return skip(results, "no recorded market data (MARKET_DATA_DIR or ../shared/data): the demo track records need prices");
  let buildSec: number;
  try {
    buildSec = ensureBuild();
  } catch (err) {
    return skip(results, (err as Error).message);
  }
  if (buildSec) results.push({ name: "next build (before the profile bench)", value: round(buildSec, 1), unit: "s", budget: "-" });

  const { url: dbUrl, handle } = await createScratch(pgUrl, DB_NAME);
  let stopServer: (() => Promise<void>) | undefined;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const server = await startServer(
      {
        NODE_ENV: "production",
        DATABASE_URL: dbUrl,
        SEED_DEMO: "1",
        AUTH_SECRET: crypto.randomBytes(32).toString("base64url"),
        ENCRYPTION_KEY: crypto.randomBytes(32).toString("hex"),
        BENCH_ROUTES: "1",
        MARKET_DATA_DIR: dataDir,
        LOG_LEVEL: "info",
        DATA_DIR: path.join(os.tmpdir(), "tradsy-bench-profile-data"),
      },
      BARE_PATH,
    );
    stopServer = server.stop;
    const plans = Object.keys(DEMO_PLANS).length;
    console.log(`profile bench: next start pid ${server.pid} on ${server.url} (log ${server.log}); waiting for the server to seed ${plans} demo track records ...`);
    const seeded = await waitForTrackRecords(handle.db, server.log, plans);
    await handle.db.execute(sql`analyze`);
    const [longest] = rowsOf<{ slug: string; name: string; n: number; done: number; days: number }>(
      await handle.db.execute(sql`
        select p.slug, p.display_name as name, count(*)::int as n,
               count(*) filter (where s.status in ('closed', 'cancelled', 'expired'))::int as done,
               extract(epoch from max(s.published_at) - min(s.published_at))::int / 86400 as days
        from signals s join providers p on p.id = s.provider_id
        group by p.id order by count(*) desc limit 1`),
    );
    if (!longest) throw new Error("the demo seed wrote no signals");
    console.log(
      `seeded ${seeded.signals} demo signals in ${seeded.sec.toFixed(0)} s; profiling ${longest.name} (/providers/${longest.slug}): ${longest.n} signals, ${longest.done} finished, over ${longest.days} days`,
    );
    results.push({ name: "demo seed with track records (server start, recorded prices)", value: round(seeded.sec, 0), unit: "s", budget: "-" });

    const base = new URL(server.url);
    const profilePath = `/providers/${longest.slug}`;
    const bare = () => request(agent, base, "POST", BARE_PATH, "{}", { "content-type": "application/json" });
    const profile = () => request(agent, base, "GET", profilePath);

    const first = await profile();
    if (first.status !== 200 || !first.body.includes(longest.name)) throw new Error(`GET ${profilePath} answered ${first.status} without the provider's name; see ${server.log}`);
    // A client navigation's payload (switching tabs, paging the history). Next answers a flight request without its
    // cache-busting `_rsc` parameter with a redirect to the URL that has it.
    let rsc = await request(agent, base, "GET", profilePath, undefined, { RSC: "1" });
    if (rsc.status >= 300 && rsc.status < 400 && rsc.location) {
      const to = new URL(rsc.location, base);
      rsc = await request(agent, base, "GET", to.pathname + to.search, undefined, { RSC: "1" });
    }
    if (rsc.status !== 200) console.log(`the profile's RSC request answered ${rsc.status}; its size is not measured`);
    const htmlKb = Buffer.byteLength(first.body) / 1024;
    const flightKb = inlineFlightBytes(first.body) / 1024;
    const rscKb = Buffer.byteLength(rsc.body) / 1024;
    console.log(`profile page: HTML ${htmlKb.toFixed(0)} KiB, of which inline RSC payload ${flightKb.toFixed(0)} KiB; client navigation (RSC) ${rscKb.toFixed(0)} KiB`);

    for (let i = 0; i < WARMUP; i++) {
      await bare();
      await profile();
    }
    const load1 = os.loadavg()[0]!;
    const bareMs: number[] = [];
    const profileMs: number[] = [];
    const statuses = new Map<string, number>();
    const per = Math.ceil(REQUESTS / ROUNDS);
    for (let r = 0; r < ROUNDS; r++) {
      for (let i = 0; i < per; i++) bareMs.push((await bare()).ms);
      for (let i = 0; i < per; i++) {
        const a = await profile();
        profileMs.push(a.ms);
        statuses.set(String(a.status), (statuses.get(String(a.status)) ?? 0) + 1);
      }
    }
    const b = summary(bareMs);
    const p = summary(profileMs);
    const ok = statuses.get("200") ?? 0;
    console.log(`bare route       p50 ${b.p50.toFixed(1)} ms  p95 ${b.p95.toFixed(1)} ms  p99 ${b.p99.toFixed(1)} ms  max ${b.max.toFixed(0)} ms (${bareMs.length} requests, one at a time)`);
    console.log(
      `provider profile p50 ${p.p50.toFixed(1)} ms  p95 ${p.p95.toFixed(1)} ms  p99 ${p.p99.toFixed(1)} ms  max ${p.max.toFixed(0)} ms (${profileMs.length} requests; ${[...statuses].map(([s, n]) => `${s}: ${n}`).join(", ")})`,
    );
    console.log(`load average (1 min) before / after the profile bench: ${load1.toFixed(1)} / ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} CPUs`);

    results.push(
      { name: "bare route p95 (one request at a time)", value: round(b.p95, 1), unit: "ms", budget: "- (the floor)" },
      { name: "provider profile page p50", value: round(p.p50, 1), unit: "ms", budget: "-" },
      { name: "provider profile page p95 (next start, seeded demo)", value: round(p.p95, 1), unit: "ms", budget: `<= ${BUDGET_MS} ms` },
      { name: "provider profile page HTML", value: round(htmlKb, 0), unit: "KiB", budget: "-" },
      { name: "provider profile page inline RSC payload", value: round(flightKb, 0), unit: "KiB", budget: "-" },
    );
    checks.push({
      name: "provider profile p95",
      ok: ok === profileMs.length && p.p95 <= BUDGET_MS,
      detail: `${round(p.p95, 1)} ms vs bare route ${round(b.p95, 1)} ms (budget <= ${BUDGET_MS} ms)${ok === profileMs.length ? "" : ` — INVALID: only ${ok} of ${profileMs.length} answered 200`}`,
    });
  } finally {
    agent.destroy();
    await stopServer?.();
    await handle.close();
    await dropScratch(pgUrl, DB_NAME);
  }
}
