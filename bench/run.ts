/**
 * `npm run bench`: measures the budgets of DESIGN.md ("Performance budgets") that exist so far, prints them and writes
 * bench/results.json as [{ name, value, unit, budget }] (plus `skipped` with the reason on a skipped measurement).
 *
 * 1. Reads, in process (bench/reads.ts): the marketplace directory read and the leaderboard service call over 1,000
 *    providers and 1,000,000 signals, in scratch database `tradsy_bench`.
 * 2. HTTP (bench/webhook.ts): the TradingView webhook against a bare route handler on one `next start` over
 *    PostgreSQL, in scratch database `tradsy_bench_http` (builds first when src/ changed since the last build).
 * 3. Profile (bench/profile.ts): the provider profile page (full HTML) on `next start` with the demo data the server
 *    seeds itself (SEED_DEMO=1, track records from the recorded prices), p95 next to the bare route's, in scratch
 *    database `tradsy_bench_profile`.
 * 4. Jobs (bench/jobs.ts): the inline job runner's steps per second on a 10,000-step job, next to as many bare
 *    INSERTs, on an in-memory PGlite and in scratch database `tradsy_bench_jobs` (no `.next` needed).
 * 5. Copy (bench/copy.ts): the copy fan-out to 10,000 followers next to one INSERT of as many copy_orders rows, and a
 *    publication reaching 1,000 SSE clients of the live feed on `next start`, in scratch database `tradsy_bench_copy`.
 * 6. Live (bench/copy-live.ts): a signal copied to 1,000 followers each on its own exchange connection (ccxt binance
 *    against the in-process fake Binance answering 50 ms after each request), 50 connections served at once by the
 *    inline runner: wall time, orders/s, p99 signal-to-fill latency and exchange requests per order, next to the
 *    ideal 1,000 x 50 ms / 50 = 1 s; every round checked (one exchange order per follower and client id, all filled
 *    in the ledger). In scratch database `tradsy_bench_live`; without PostgreSQL, 200 followers on an in-memory PGlite.
 *
 * 7. Lab (bench/lab.ts): the strategy engine's SmaCross(10, 20) over 1,000,000 hourly bars next to a bare loop with the
 *    same fill rules (budget ≤ 3×), and incremental SMA/EMA/RSI updates per second next to trading-signals (no database).
 *
 * PostgreSQL: BENCH_DATABASE_URL, else DATABASE_URL, else postgres://postgres@127.0.0.1:5432 when it answers;
 * without one the reads run on an in-memory PGlite and the HTTP bench is skipped. Scratch databases are recreated
 * each run and dropped at the end (BENCH_KEEP_DB=1 keeps them). BENCH_ONLY=reads|http|profile|jobs|copy|live|lab runs one
 * part.
 * Budgets missed print MISSED lines; the exit code is 0 unless the bench itself fails.
 */
import { performance } from "node:perf_hooks";
import { createPgliteScratch, createScratch, dropScratch, findPostgres } from "./db";
import { benchCopy } from "./copy";
import { benchCopyLive } from "./copy-live";
import { benchJobs } from "./jobs";
import { benchLab } from "./lab";
import { benchProfile } from "./profile";
import { benchReads } from "./reads";
import { printTable, writeResults, type Check, type Result } from "./report";
import { benchWebhook } from "./webhook";

async function main() {
  const t0 = performance.now();
  const only = process.env.BENCH_ONLY;
  const pgUrl = await findPostgres();
  const results: Result[] = [];
  const checks: Check[] = [];

  if (!only || only === "reads") {
    const scratch = pgUrl ? await createScratch(pgUrl, "tradsy_bench") : { url: undefined, handle: await createPgliteScratch() };
    try {
      await benchReads(scratch.handle, results, checks);
    } finally {
      await scratch.handle.close();
      if (pgUrl) await dropScratch(pgUrl, "tradsy_bench");
    }
  }
  if (!only || only === "http") await benchWebhook(pgUrl, results, checks);
  if (!only || only === "profile") await benchProfile(pgUrl, results, checks);
  if (!only || only === "jobs") await benchJobs(pgUrl, results);
  if (!only || only === "copy") await benchCopy(pgUrl, results, checks);
  if (!only || only === "live") await benchCopyLive(pgUrl, results);
  if (!only || only === "lab") await benchLab(results, checks);

  printTable(results, checks);
  console.log(`wrote ${writeResults(results)} in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
