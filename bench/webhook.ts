/**
 * TradingView webhook vs the bare route, side by side on one `next start` over PostgreSQL.
 *
 * - Scratch database `tradsy_bench_http`, migrated, with WEBHOOK_PROVIDERS providers each holding a webhook token.
 *   The service limits a provider to PUBLISH_RATE (30 signals a minute), so requests go round-robin over the
 *   providers: the whole webhook part (~15 s of load) at up to 1,000 req/s puts under 20 requests on each, below the
 *   limit, and any 429 shows in the status counts (raise WEBHOOK_PROVIDERS if the webhook ever gets that fast).
 * - The two routes are measured in interleaved slices (bare, webhook, bare, webhook, ...) after a warm-up of each,
 *   so background load on the machine weighs on both alike; percentiles are over all slices together.
 * - Each webhook request is a distinct, realistic alert that creates a signal: a JSON buy on BTCUSDT at the current
 *   replay price (computed here with the same replay adapter over the same database, hence the same stored clock
 *   offset and price), the current time, and a unique alert id.
 * - The bare route (src/app/api/bench/bare, served because BENCH_ROUTES=1) receives bodies of the same shape and size.
 * - Last, one alert delivered again and again: the idempotent duplicate path (no budget; for information).
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { replayAvailable, ReplayMarketData } from "@/server/integrations/market-data";
import { createScratch, dropScratch } from "./db";
import { alertBody, ensureWrk, mergeResults, runLoad, share, wrkAvailable, type LoadResult } from "./http";
import { round, type Check, type Result } from "./report";
import { rowsOf, seedWebhookProviders } from "./seed";
import { ensureBuild, startServer } from "./server";

const DB_NAME = "tradsy_bench_http";
const WEBHOOK_PROVIDERS = 1000;
const CONNECTIONS = 10;
const WARMUP_SEC = Number(process.env.BENCH_WARMUP_SEC ?? 3);
/** Measured seconds per route, split into ROUNDS slices alternating bare / webhook. */
const DURATION_SEC = Number(process.env.BENCH_DURATION_SEC ?? 12);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SLICE_SEC = Math.max(1, Math.round(DURATION_SEC / ROUNDS));
const BARE_PATH = "/api/bench/bare";

const WEBHOOK_BUDGET = ">= 0.6x bare route";

function marketDataDir(): string | undefined {
  const candidates = [process.env.MARKET_DATA_DIR, path.resolve(process.cwd(), "..", "shared", "data")].filter(Boolean) as string[];
  return candidates.find((d) => replayAvailable(d));
}

function statusList(r: LoadResult): string {
  return Object.entries(r.statuses)
    .map(([s, n]) => `${s}: ${n}`)
    .join(", ");
}

function describe(name: string, r: LoadResult) {
  const statuses = statusList(r);
  console.log(
    `${name.padEnd(22)} ${r.rps.toFixed(0).padStart(6)} req/s  p50 ${r.p50.toFixed(1)} ms  p90 ${r.p90.toFixed(1)} ms  p99 ${r.p99.toFixed(1)} ms  max ${r.max.toFixed(0)} ms  ` +
      `(${r.requests} requests in ${r.seconds.toFixed(1)} s; ${statuses}${r.errors ? `; ${r.errors} socket errors` : ""}) [${r.engine}]`,
  );
}

function skip(results: Result[], reason: string) {
  console.log(`SKIPPED webhook vs bare route: ${reason}`);
  results.push({ name: "TradingView webhook throughput / bare route", value: null, unit: "skipped", budget: ">= 0.6", skipped: reason });
  results.push({ name: "TradingView webhook p99", value: null, unit: "skipped", budget: "<= 2x bare route p99", skipped: reason });
}

export async function benchWebhook(pgUrl: string | undefined, results: Result[], checks: Check[]) {
  if (!pgUrl) return skip(results, "no PostgreSQL server (set DATABASE_URL)");
  const dataDir = marketDataDir();
  if (!dataDir) return skip(results, "no recorded market data (MARKET_DATA_DIR or ../shared/data): the webhook needs prices");

  let buildSec: number;
  try {
    buildSec = ensureBuild();
  } catch (err) {
    return skip(results, (err as Error).message);
  }
  if (buildSec) results.push({ name: "next build (before the HTTP bench)", value: round(buildSec, 1), unit: "s", budget: "-" });

  const wrkNote = ensureWrk();
  if (wrkNote) console.log(wrkNote);
  const { url: dbUrl, handle } = await createScratch(pgUrl, DB_NAME);
  let stopServer: (() => Promise<void>) | undefined;
  try {
    const providers = await seedWebhookProviders(handle.db, WEBHOOK_PROVIDERS);
    // Chooses and stores the replay clock offsets in this database, exactly as the server's adapter will read them.
    const market = new ReplayMarketData({ dir: dataDir, db: handle.db });
    const quote = await market.lastPrice("BTC/USDT");
    console.log(`webhook bench: ${providers.length} providers with tokens; BTC/USDT replay price ${quote.price} (candle closed ${quote.at.toISOString()})`);

    const server = await startServer(
      {
        NODE_ENV: "production",
        DATABASE_URL: dbUrl,
        AUTH_SECRET: crypto.randomBytes(32).toString("base64url"),
        ENCRYPTION_KEY: crypto.randomBytes(32).toString("hex"),
        BENCH_ROUTES: "1",
        MARKET_DATA_DIR: dataDir,
        TRUST_PROXY: "1",
        // The duplicate scenario sends one token's alert thousands of times a second: the per-token limit (120 a
        // minute by default) would turn it into a measure of 429s. Still counted, so its cost stays in the numbers.
        TRADINGVIEW_TOKEN_LIMIT_PER_MINUTE: "1000000",
        DATA_DIR: path.join(os.tmpdir(), "tradsy-bench-data"),
      },
      BARE_PATH,
    );
    stopServer = server.stop;
    console.log(`next start pid ${server.pid} on ${server.url}; server log ${server.log}; load by ${wrkAvailable() ? "wrk" : "the Node client"}, ${CONNECTIONS} connections, ${WARMUP_SEC} s warm-up + ${ROUNDS} x ${SLICE_SEC} s each, interleaved`);

    const load1 = os.loadavg()[0]!;
    if (load1 > os.cpus().length) {
      console.log(`WARNING: load average ${load1.toFixed(1)} on ${os.cpus().length} CPUs before the HTTP bench: other processes compete with the server; absolute figures are unreliable (the interleaved ratio less so)`);
    }
    const runId = `b${Date.now().toString(36)}`;
    const load = { baseUrl: server.url, connections: CONNECTIONS, warmupSec: 0, durationSec: SLICE_SEC };
    const bareScenario = { kind: "bare", path: BARE_PATH, price: quote.price, runId } as const;
    const hookScenario = { kind: "webhook", tokens: providers.map((p) => p.token), price: quote.price, runId } as const;
    // Warm-up both, then interleave slices so both routes see the same background load (this machine is shared).
    await runLoad({ ...load, durationSec: WARMUP_SEC, scenario: bareScenario }, "wb");
    await runLoad({ ...load, durationSec: WARMUP_SEC, scenario: hookScenario }, "wh");
    const bareRuns: LoadResult[] = [];
    const hookRuns: LoadResult[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      bareRuns.push(await runLoad({ ...load, scenario: bareScenario }, `b${r}`));
      hookRuns.push(await runLoad({ ...load, scenario: hookScenario }, `h${r}`));
      console.log(`  round ${r + 1}/${ROUNDS}: bare ${bareRuns[r]!.rps.toFixed(0)} req/s p99 ${bareRuns[r]!.p99.toFixed(1)} ms, webhook ${hookRuns[r]!.rps.toFixed(0)} req/s p99 ${hookRuns[r]!.p99.toFixed(1)} ms`);
    }
    const bare = mergeResults(bareRuns);
    const hook = mergeResults(hookRuns);
    describe("bare route", bare);
    describe("webhook (new alerts)", hook);

    // Duplicate path: the first delivery creates the signal, every repeat answers the stored result.
    const dupBody = alertBody(quote.price, `${runId}-dup`);
    const dupToken = providers[0]!.token;
    const first = await fetch(`${server.url}/api/webhooks/tradingview/${dupToken}`, { method: "POST", headers: { "content-type": "application/json" }, body: dupBody });
    await first.text();
    const dup = await runLoad({ ...load, warmupSec: 1, durationSec: SLICE_SEC, scenario: { kind: "duplicate", token: dupToken, body: dupBody } }, "d");
    describe("webhook (duplicates)", dup);

    const [{ n: created } = { n: 0 }] = rowsOf<{ n: number }>(await handle.db.execute(sql`select count(*)::int as n from signals`));
    const ok201 = share(hook, 201);
    console.log(`signals created during the run: ${created} (webhook 201 share in the measured phase: ${(ok201 * 100).toFixed(2)}%)`);

    console.log(`load average (1 min) before / after the HTTP bench: ${load1.toFixed(1)} / ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} CPUs`);
    const ratio = hook.rps / bare.rps;
    results.push(
      { name: "bare route throughput (next start, 10 connections)", value: round(bare.rps, 0), unit: "req/s", budget: "- (reference ~640)" },
      { name: "bare route p99", value: round(bare.p99, 1), unit: "ms", budget: "- (reference ~30)" },
      { name: "TradingView webhook throughput", value: round(hook.rps, 0), unit: "req/s", budget: `${WEBHOOK_BUDGET} (>= ${round(bare.rps * 0.6, 0)})` },
      { name: "TradingView webhook throughput / bare route", value: round(ratio, 2), unit: "x", budget: ">= 0.6" },
      { name: "TradingView webhook p50", value: round(hook.p50, 1), unit: "ms", budget: "-" },
      { name: "TradingView webhook p99", value: round(hook.p99, 1), unit: "ms", budget: `<= 2x bare (${round(bare.p99 * 2, 1)} ms)` },
      { name: "TradingView webhook requests that created a signal (201)", value: round(ok201 * 100, 2), unit: "%", budget: ">= 99 (else the webhook figures are invalid)" },
      { name: "TradingView webhook duplicate delivery throughput", value: round(dup.rps, 0), unit: "req/s", budget: "-" },
      { name: "TradingView webhook duplicate delivery p99", value: round(dup.p99, 1), unit: "ms", budget: "-" },
    );
    if (share(hook, 500) > 0) {
      const firstError = fs
        .readFileSync(server.log, "utf8")
        .split("\n")
        .map((l) => /"level":50.*?"message":"((?:[^"\\]|\\.)*)"/.exec(l)?.[1])
        .find(Boolean);
      if (firstError) console.log(`webhook 500s; first error in the server log: ${firstError}`);
    }
    // Figures of a webhook that refuses or fails its requests measure the wrong path: they cannot pass a budget.
    const valid = ok201 >= 0.99 && hook.errors === 0;
    const invalid = valid ? "" : ` — INVALID: only ${(ok201 * 100).toFixed(1)}% of webhook requests created a signal (${statusList(hook)}); see ${server.log}`;
    checks.push(
      { name: "webhook throughput", ok: valid && ratio >= 0.6, detail: `${round(ratio, 2)}x the bare route (${round(hook.rps, 0)} vs ${round(bare.rps, 0)} req/s; budget >= 0.6x)${invalid}` },
      { name: "webhook p99", ok: valid && hook.p99 <= 2 * bare.p99, detail: `${round(hook.p99, 1)} ms vs bare ${round(bare.p99, 1)} ms (budget <= 2x = ${round(2 * bare.p99, 1)} ms)${invalid}` },
      { name: "bare route answered 200", ok: share(bare, 200) >= 0.999, detail: `${(share(bare, 200) * 100).toFixed(2)}%` },
    );
  } finally {
    await stopServer?.();
    await handle.close();
    await dropScratch(pgUrl, DB_NAME);
  }
}
