/**
 * The copy engine's budgets (issue 13, acceptance 7), each next to a floor measured in the same run:
 *
 * 1. Fan-out: a signal published to FOLLOWERS (10,000) copying followers, from its pending fan-out row to every
 *    follower's copy order, position and paper balance persisted: `runFanout` with the default page size, the price
 *    fixed and the modelled slippage fixed to 2 bps (the engine's own options), in process. Each repetition
 *    publishes a fresh signal through `publishSignal` (which writes the fan-out row in its transaction) for its own
 *    provider with its own 10,000 followers, so every repetition starts from the same state (no open positions yet).
 *    The floor: one INSERT … SELECT FROM unnest of as many `copy_orders` rows into the same table (same indexes),
 *    interleaved with the fan-outs. The job event the publication sends starts nothing here (the bench registers no
 *    inline jobs): the bench drives the fan-out itself. Budget: median of 3 <= 1 s on PostgreSQL.
 *    On PostgreSQL (scratch database `tradsy_bench_copy`); BENCH_COPY_PGLITE=1 adds an in-memory PGlite (not by
 *    default: there a round of 10,000 takes minutes today).
 *    BENCH_COPY_EXPLAIN=1 (or a missed budget) replays the last fan-out's statements under EXPLAIN ANALYZE.
 *    Without a budget, one more fan-out to followers whose balances all differ (each planned on its own, where the
 *    rounds' alike followers share one plan per page); BENCH_COPY_VARIED=0 skips it.
 * 2. Live feed: SSE_CLIENTS (1,000) streams of the provider's public live feed (`signals.live` with the provider's
 *    slug, the tRPC SSE route a visitor's profile page opens) on one `next start` over the same database; the bench
 *    publishes a signal in process (`publishSignal`, as the form does) and times, from the call's start, each client
 *    receiving that signal's event. A warm-up publication, then BENCH_SSE_ROUNDS (3); p50/p99 over every delivery.
 *    The floor: one NOTIFY from this process to SSE_CLIENTS in-process listeners of one LISTEN connection (the hub's
 *    shape without the row load, tRPC and HTTP), as many rounds. Budget: p99 <= 250 ms. BENCH_COPY_SSE=0 skips it
 *    (it needs `.next`: run under the build lock).
 */
import crypto from "node:crypto";
import { EventEmitter } from "node:events";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { sql, type SQL } from "drizzle-orm";
import type { Sql } from "postgres";
import { setDatabase, type DatabaseHandle } from "@/server/db";
import { executeRows } from "@/server/db/raw";
import { setMarketData, UnsupportedTimeframeError, replayAvailable, type Candle, type MarketData, type Quote, type SymbolInfo } from "@/server/integrations/market-data";
import { registerInlineJobs } from "@/server/jobs/inline/runner";
import { configureCopyEngine, FANOUT_PAGE, runFanout } from "@/server/services/copy/engine";
import { serviceContext } from "@/server/services/context";
import { closeSignal, publishSignal } from "@/server/services/signals";
import { createPgliteScratch, createScratch, dropScratch, openPostgresHandle } from "./db";
import { percentile, round, type Check, type Result } from "./report";
import { ensureBuild, startServer } from "./server";

const DB_NAME = "tradsy_bench_copy";
const FOLLOWERS = Number(process.env.BENCH_COPY_FOLLOWERS ?? 10_000);
const ROUNDS = Number(process.env.BENCH_COPY_ROUNDS ?? 3);
const SSE_CLIENTS = Number(process.env.BENCH_SSE_CLIENTS ?? 1000);
const SSE_ROUNDS = Number(process.env.BENCH_SSE_ROUNDS ?? 3);
const FANOUT_BUDGET_MS = 1000;
const SSE_BUDGET_MS = 250;
const BARE_PATH = "/api/bench/bare";
const SYMBOL = "BTC/USDT";
const PRICE = "32045.14";
const SLIPPAGE_BPS = "2";

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** A fixed price for the one symbol the bench trades: publication checks and fills see the same market every run. */
class BenchMarket implements MarketData {
  readonly kind = "ccxt" as const;
  readonly source = "bench";
  private readonly info: SymbolInfo = { symbol: SYMBOL, base: "BTC", quote: "USDT", market: "crypto", pricePrecision: 2 };
  async listSymbols(): Promise<SymbolInfo[]> {
    return [{ ...this.info }];
  }
  async getSymbol(symbol: string): Promise<SymbolInfo | null> {
    return symbol.replace(/^[A-Z]+:/, "").replace("/", "").toUpperCase() === "BTCUSDT" ? { ...this.info } : null;
  }
  async lastPrice(): Promise<Quote> {
    return { symbol: SYMBOL, price: PRICE, at: new Date() };
  }
  async candles(symbol: string, timeframe: "1m" | "1h" | "1d"): Promise<Candle[]> {
    throw new UnsupportedTimeframeError(symbol, timeframe, []);
  }
}

const rows = <T extends Record<string, unknown>>(handle: DatabaseHandle, q: SQL) => executeRows<T>(handle.db, q);
/** A text[] literal of our own ids (no quoting needed: [A-Za-z0-9_]). */
const textArray = (xs: readonly string[]) => `{${xs.join(",")}}`;

/** A provider (user + profile) `prv_<key>` with slug `bench-<key>`. */
async function seedProvider(handle: DatabaseHandle, key: string) {
  await rows(
    handle,
    sql`insert into users (id, email, name, role, disclaimer_accepted_at, terms_accepted_at)
        values (${`usr_${key}`}, ${`${key}@example.com`}, ${`Bench ${key}`}, 'provider', now(), now())`,
  );
  await rows(
    handle,
    sql`insert into providers (id, user_id, slug, display_name, markets) values (${`prv_${key}`}, ${`usr_${key}`}, ${`bench-${key.replace(/_/g, "-")}`}, ${`Bench ${key}`}, array['crypto'])`,
  );
  return { providerId: `prv_${key}`, userId: `usr_${key}`, slug: `bench-${key.replace(/_/g, "-")}` };
}

/**
 * `n` subscribers of the provider copying it on paper since an hour ago with 1,000 set aside (the shape of
 * src/test/copy.ts `copyingFollowers`), each with a paper account already opened: a steady-state follower.
 */
async function seedFollowers(handle: DatabaseHandle, key: string, providerId: string, n: number, varied = false) {
  await rows(handle, sql`insert into users (id, email, role) select 'usr_' || ${key} || '_' || g, ${key} || '-' || g || '@example.com', 'subscriber' from generate_series(1, ${n}) g`);
  await rows(
    handle,
    sql`insert into subscriptions (id, subscriber_id, provider_id, status) select 'sub_' || ${key} || '_' || g, 'usr_' || ${key} || '_' || g, ${providerId}, 'active' from generate_series(1, ${n}) g`,
  );
  await rows(
    handle,
    sql`insert into copy_settings (id, user_id, provider_id, enabled, venue, allocated_amount, started_at)
        select 'cps_' || ${key} || '_' || g, 'usr_' || ${key} || '_' || g, ${providerId}, true, 'paper', 1000, now() - interval '1 hour' from generate_series(1, ${n}) g`,
  );
  // Varied: every follower's balance differs (9,000.01 to 10,000.00), so no two plan alike.
  await rows(
    handle,
    varied
      ? sql`insert into paper_accounts (id, user_id, balance) select 'ppa_' || ${key} || '_' || g, 'usr_' || ${key} || '_' || g, 9000 + (g % 100000) / 100.0 from generate_series(1, ${n}) g`
      : sql`insert into paper_accounts (id, user_id) select 'ppa_' || ${key} || '_' || g, 'usr_' || ${key} || '_' || g from generate_series(1, ${n}) g`,
  );
  return Array.from({ length: n }, (_, i) => `usr_${key}_${i + 1}`);
}

async function publish(p: { providerId: string; userId: string }) {
  const ctx = serviceContext({ actor: { id: p.userId, role: "provider" } });
  const { signal } = await publishSignal(ctx, p.providerId, { symbol: SYMBOL, side: "long", entryType: "market", entryPrice: PRICE, stopLoss: "31000" }, "ui");
  return signal;
}

interface FanoutRun {
  ms: number;
  signalId: string;
  fanoutId: string;
}

/** Publishes a signal for `p` (writing its fan-out row), then times `runFanout` of that row and checks what it wrote. */
async function fanoutRun(handle: DatabaseHandle, p: { providerId: string; userId: string }, n: number): Promise<FanoutRun> {
  const signal = await publish(p);
  const [fanout] = await rows<{ id: string; status: string }>(handle, sql`select id, status from copy_fanouts where signal_id = ${signal.id}`);
  if (!fanout || fanout.status !== "pending") throw new Error(`publishing ${signal.id} wrote no pending fan-out row`);
  const t0 = performance.now();
  const totals = await runFanout(fanout.id);
  const ms = performance.now() - t0;
  const [check] = await rows<{ orders: number; filled: number; positions: number; debited: number; done: number }>(
    handle,
    sql`select (select count(*)::int from copy_orders where signal_id = ${signal.id} and signal_event_id is not null and signal_event_id <> 'floor') as orders,
          (select count(*)::int from copy_orders where signal_id = ${signal.id} and status = 'filled' and signal_event_id <> 'floor') as filled,
          (select count(*)::int from positions where signal_id = ${signal.id} and status = 'open') as positions,
          (select count(*)::int from paper_accounts a join copy_settings c on c.user_id = a.user_id where c.provider_id = ${p.providerId} and a.balance < 10000) as debited,
          (select count(*)::int from copy_fanouts where id = ${fanout.id} and status = 'done') as done`,
  );
  if (!check || check.filled !== n || check.positions !== n || check.debited !== n || check.done !== 1 || totals.orders !== n) {
    throw new Error(`fan-out of ${signal.id} wrote the wrong rows: ${JSON.stringify({ ...check, totals })} for ${n} followers`);
  }
  return { ms, signalId: signal.id, fanoutId: fanout.id };
}

/**
 * The floor: one statement inserting `userIds.length` copy_orders rows shaped like the engine's filled entries
 * (same table, same indexes, the ids sent as parameters), committed on its own.
 */
async function floorInsert(handle: DatabaseHandle, tag: string, providerId: string, signalId: string, userIds: readonly string[]): Promise<number> {
  const ids = userIds.map((_, i) => `cpo_fl${tag}_${i}`);
  const coids = userIds.map((_, i) => `tcfl${tag}_${i}`);
  const t0 = performance.now();
  await rows(
    handle,
    sql`insert into copy_orders (id, client_order_id, user_id, provider_id, signal_id, signal_event_id, seq, position_id, venue, symbol, side, leg,
          order_type, status, requested_price, fill_price, quantity, fee, slippage_bps, latency_ms, filled_at)
        select x.id, x.coid, x.uid, ${providerId}, ${signalId}, 'floor', 1, null, 'paper', ${SYMBOL}, 'buy', 'entry',
          'market', 'filled', 32045.14, 32051.54902800, 0.00624, 0.20000167, 2, 12, now()
        from unnest(${textArray(ids)}::text[], ${textArray(coids)}::text[], ${textArray(userIds)}::text[]) as x(id, coid, uid)`,
  );
  return performance.now() - t0;
}

interface FanoutFigures {
  /** One fan-out to followers whose accounts all differ (each planned on its own), when measured. */
  variedMs: number | null;
  fanoutMs: number[];
  floorMs: number[];
  last: FanoutRun;
  lastProvider: { providerId: string; userId: string };
}

async function measureFanout(label: string, handle: DatabaseHandle, n: number, rounds: number): Promise<FanoutFigures> {
  setDatabase(handle);
  const s0 = performance.now();
  // Warm-up + rounds, each its own provider and followers, so every fan-out starts from the same state.
  const providers: { providerId: string; userId: string; followers: string[] }[] = [];
  for (let r = 0; r <= rounds; r++) {
    const key = `cb${r}`;
    const p = await seedProvider(handle, key);
    providers.push({ ...p, followers: await seedFollowers(handle, key, p.providerId, n) });
  }
  await rows(handle, sql`analyze`);
  console.log(`copy bench, ${label}: seeded ${rounds + 1} providers x ${n.toLocaleString("en-US")} copying followers in ${((performance.now() - s0) / 1000).toFixed(1)} s`);

  const w = providers[0]!;
  const warm = await fanoutRun(handle, w, n);
  const warmFloor = await floorInsert(handle, "w", w.providerId, warm.signalId, w.followers);
  console.log(`  warm-up: fan-out ${warm.ms.toFixed(0)} ms, floor INSERT ${warmFloor.toFixed(0)} ms`);
  const fanoutMs: number[] = [];
  const floorMs: number[] = [];
  let last = warm;
  for (let r = 1; r <= rounds; r++) {
    const p = providers[r]!;
    // Alternate which goes first, so drift on this shared machine weighs on both alike.
    if (r % 2 === 0) {
      last = await fanoutRun(handle, p, n);
      fanoutMs.push(last.ms);
      floorMs.push(await floorInsert(handle, String(r), p.providerId, last.signalId, p.followers));
    } else {
      // The floor needs a signal for its rows' foreign key: the previous round's (or the warm-up's).
      floorMs.push(await floorInsert(handle, String(r), p.providerId, last.signalId, p.followers));
      last = await fanoutRun(handle, p, n);
      fanoutMs.push(last.ms);
    }
    console.log(`  round ${r}/${rounds}: fan-out ${fanoutMs.at(-1)!.toFixed(0)} ms, floor INSERT ${floorMs.at(-1)!.toFixed(0)} ms`);
  }
  let variedMs: number | null = null;
  if (process.env.BENCH_COPY_VARIED !== "0") {
    const p = await seedProvider(handle, "cbv");
    await seedFollowers(handle, "cbv", p.providerId, n, true);
    await rows(handle, sql`analyze`);
    variedMs = (await fanoutRun(handle, p, n)).ms;
    console.log(`  every follower's account different: fan-out ${variedMs.toFixed(0)} ms`);
  }
  return { variedMs, fanoutMs, floorMs, last, lastProvider: providers[rounds]! };
}

class Rollback extends Error {}

async function profileFanout(pgUrl: string, handle: DatabaseHandle, n: number) {
  const { default: postgres } = await import("postgres");
  const { drizzle } = await import("drizzle-orm/postgres-js");
  const schema = await import("@/server/db/schema");
  const captured: { text: string; params: unknown[] }[] = [];
  let capturing = false;
  const client = postgres(pgUrl, {
    max: 10,
    onnotice: () => {},
    debug: (_conn, text, params) => {
      if (capturing) captured.push({ text, params: params as unknown[] });
    },
  });
  const traced: DatabaseHandle = { db: drizzle(client, { schema, casing: "snake_case" }) as unknown as DatabaseHandle["db"], kind: "postgres", driver: client, close: () => client.end({ timeout: 5 }) };
  try {
    setDatabase(traced);
    const p = await seedProvider(traced, "cbx");
    await seedFollowers(traced, "cbx", p.providerId, n);
    await executeRows(traced.db, sql`analyze`);
    const signal = await publish(p);
    const [fanout] = await executeRows<{ id: string }>(traced.db, sql`select id from copy_fanouts where signal_id = ${signal.id}`);
    capturing = true;
    const t0 = performance.now();
    await runFanout(fanout!.id);
    const ms = performance.now() - t0;
    capturing = false;
    // Undo the fan-out (orders, positions, balances, the row's state) so each statement can be replayed as it ran.
    const sqlc = client as Sql;
    const replayable = captured.filter((c) => /^\s*(select|insert|update|with)/i.test(c.text) && !/pg_notify/.test(c.text));
    const timings: { ms: number; text: string; plan: string }[] = [];
    await sqlc
      .begin(async (tx) => {
        await tx.unsafe(`delete from copy_orders where signal_id = $1`, [signal.id]);
        await tx.unsafe(`delete from positions where signal_id = $1`, [signal.id]);
        await tx.unsafe(`update paper_accounts set balance = 10000, day = null, day_start_equity = null where user_id like 'usr_cbx_%'`);
        await tx.unsafe(`update copy_fanouts set status = 'pending', finished_at = null, followers = 0, orders = 0 where id = $1`, [fanout!.id]);
        for (const c of replayable) {
          const plan = (await tx.unsafe(`explain (analyze, buffers, format text) ${c.text}`, c.params as never[])) as unknown as { "QUERY PLAN": string }[];
          const text = plan.map((r) => r["QUERY PLAN"]).join("\n");
          const m = /Execution Time: ([\d.]+) ms/.exec(text);
          timings.push({ ms: m ? Number(m[1]) : NaN, text: c.text, plan: text });
        }
        throw new Rollback();
      })
      .catch((e: unknown) => {
        if (!(e instanceof Rollback)) throw e;
      });
    const total = timings.reduce((s, t) => s + t.ms, 0);
    console.log(`copy bench, profile: one more fan-out of ${n.toLocaleString("en-US")} followers on a traced client took ${ms.toFixed(0)} ms in ${captured.length} statements; replayed under EXPLAIN ANALYZE (server execution ${total.toFixed(0)} ms in all), slowest first:`);
    const slowest = [...timings].sort((a, b) => b.ms - a.ms);
    for (const t of slowest.slice(0, 8)) console.log(`  ${t.ms.toFixed(1).padStart(9)} ms  ${t.text.replace(/\s+/g, " ").slice(0, 150)}`);
    console.log(`the slowest statement's plan:\n${slowest[0]?.plan.replace(/'\{[^}]{80,}\}'/g, "'{…}'") ?? "(none)"}`);
  } finally {
    await traced.close();
  }
}

function reportFanout(label: string, f: FanoutFigures, n: number, results: Result[], checks: Check[], budgeted: boolean) {
  const fan = median(f.fanoutMs);
  const floor = median(f.floorMs);
  const count = n.toLocaleString("en-US");
  console.log(`copy bench, ${label}: ${count} followers, page ${FANOUT_PAGE.toLocaleString("en-US")}, median of ${f.fanoutMs.length}`);
  console.log(`  floor: one INSERT of ${count} copy_orders rows    ${floor.toFixed(0).padStart(6)} ms`);
  console.log(`  fan-out (plan, paper fill, persist)            ${fan.toFixed(0).padStart(6)} ms  ${(fan / floor).toFixed(2)}x the floor  (budget <= ${FANOUT_BUDGET_MS} ms)`);
  if (f.variedMs != null) console.log(`  the same, every account different (one run)    ${f.variedMs.toFixed(0).padStart(6)} ms  ${(f.variedMs / floor).toFixed(2)}x the floor  (no budget: the planner runs per follower)`);
  results.push(
    { name: `copy_orders INSERT of ${count} rows (floor), ${label}`, value: round(floor, 0), unit: "ms", budget: "- (the floor)" },
    { name: `copy fan-out to ${count} followers, ${label}`, value: round(fan, 0), unit: "ms", budget: budgeted ? `<= ${FANOUT_BUDGET_MS} ms` : "-" },
    { name: `copy fan-out / floor INSERT, ${label}`, value: round(fan / floor, 2), unit: "x", budget: "-" },
  );
  if (f.variedMs != null) results.push({ name: `copy fan-out to ${count} followers, every account different, ${label}`, value: round(f.variedMs, 0), unit: "ms", budget: "-" });
  if (budgeted) {
    checks.push({ name: `copy fan-out to ${count} followers (${label})`, ok: fan <= FANOUT_BUDGET_MS, detail: `median ${fan.toFixed(0)} ms of ${f.fanoutMs.map((m) => m.toFixed(0)).join(", ")}; ${(fan / floor).toFixed(2)}x the ${floor.toFixed(0)} ms floor INSERT (budget <= ${FANOUT_BUDGET_MS} ms)` });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The live feed over SSE

/**
 * Who has seen which signal, and when: each client reports the first time a signal id shows up in its stream (the
 * event can arrive before the publication call returns the id), and a waiter resolves once every client saw it.
 */
class Arrivals {
  private readonly seen = new Map<string, number[]>();
  private waiter: { id: string; n: number; resolve: () => void } | null = null;

  record(id: string, at: number) {
    let list = this.seen.get(id);
    if (!list) this.seen.set(id, (list = []));
    list.push(at);
    if (this.waiter && this.waiter.id === id && list.length >= this.waiter.n) this.waiter.resolve();
  }

  /** The arrival times of `id` once `n` clients saw it, or what there is after `timeoutMs`. */
  async wait(id: string, n: number, timeoutMs: number): Promise<number[]> {
    if ((this.seen.get(id)?.length ?? 0) < n) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((resolve) => (this.waiter = { id, n, resolve })),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs))),
      ]);
      clearTimeout(timer);
      this.waiter = null;
    }
    return [...(this.seen.get(id) ?? [])];
  }
}

const SIGNAL_ID = /sig_[a-z0-9]{20}/g;

/** One SSE client of the provider's public live feed (node:http, no EventSource reconnection logic in the way). */
class FeedClient {
  private tail = "";
  private readonly mine = new Set<string>();
  private req: http.ClientRequest | null = null;

  constructor(private readonly arrivals: Arrivals) {}

  open(agent: http.Agent, base: URL, slug: string): Promise<void> {
    const input = encodeURIComponent(JSON.stringify({ json: { providerSlug: slug } }));
    return new Promise((resolve, reject) => {
      let connected = false;
      const req = http.get({ agent, host: base.hostname, port: base.port, path: `/api/trpc/signals.live?input=${input}`, headers: { accept: "text/event-stream" } }, (res) => {
        if (res.statusCode !== 200) return reject(new Error(`live stream answered ${res.statusCode}`));
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          const at = performance.now();
          const text = this.tail + chunk;
          if (!connected && text.includes("event: connected")) {
            connected = true;
            resolve();
          }
          for (const m of text.matchAll(SIGNAL_ID)) {
            if (this.mine.has(m[0])) continue;
            this.mine.add(m[0]);
            this.arrivals.record(m[0], at);
          }
          // Enough of the end to hold an id split across two chunks.
          this.tail = text.slice(-32);
        });
        res.on("error", () => {});
      });
      req.on("error", reject);
      this.req = req;
    });
  }

  close() {
    this.req?.destroy();
  }
}

export async function benchCopy(pgUrl: string | undefined, results: Result[], checks: Check[]) {
  const load1 = os.loadavg()[0]!;
  setMarketData(new BenchMarket());
  // The publication's job event (copy/fanout.requested) must start nothing here: the bench runs the fan-out itself.
  registerInlineJobs([]);
  configureCopyEngine({ price: async () => PRICE, slippageBps: async () => SLIPPAGE_BPS });
  try {
    if (process.env.BENCH_COPY_PGLITE === "1") {
      const pglite = await createPgliteScratch();
      try {
        reportFanout("PGlite", await measureFanout("PGlite (in-memory)", pglite, FOLLOWERS, ROUNDS), FOLLOWERS, results, checks, false);
      } finally {
        setDatabase(undefined);
        await pglite.close();
      }
    }
    if (!pgUrl) {
      const reason = "no PostgreSQL server answers (set BENCH_DATABASE_URL or DATABASE_URL)";
      console.log(`SKIPPED copy fan-out and live feed on PostgreSQL: ${reason}`);
      results.push({ name: "copy fan-out, PostgreSQL", value: null, unit: "skipped", budget: `<= ${FANOUT_BUDGET_MS} ms`, skipped: reason });
      results.push({ name: "live feed to SSE clients p99", value: null, unit: "skipped", budget: `<= ${SSE_BUDGET_MS} ms`, skipped: reason });
      return;
    }
    const { url: dbUrl, handle } = await createScratch(pgUrl, DB_NAME);
    try {
      const f = await measureFanout(`PostgreSQL (${new URL(pgUrl).host})`, handle, FOLLOWERS, ROUNDS);
      reportFanout("PostgreSQL", f, FOLLOWERS, results, checks, true);
      if (process.env.BENCH_COPY_EXPLAIN === "1" || median(f.fanoutMs) > FANOUT_BUDGET_MS) await profileFanout(dbUrl, handle, FOLLOWERS);
      setDatabase(handle);
      if (process.env.BENCH_COPY_SSE === "0") console.log("live feed bench not run (BENCH_COPY_SSE=0)");
      else await benchLiveFeed(dbUrl, handle, results, checks);
    } finally {
      setDatabase(undefined);
      await handle.close();
      await dropScratch(pgUrl, DB_NAME);
    }
  } finally {
    configureCopyEngine({});
    setMarketData(undefined);
  }
  console.log(`load average (1 min) before / after the copy bench: ${load1.toFixed(1)} / ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} CPUs`);
}

/** The floor of the live feed: one NOTIFY to `n` listeners of one LISTEN connection in this process. */
async function notifyFloor(dbUrl: string, n: number, rounds: number): Promise<number[]> {
  const listener = await openPostgresHandle(dbUrl, 1);
  const sender = await openPostgresHandle(dbUrl, 1);
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  const got: number[] = [];
  let t0 = 0;
  let count = 0;
  let done: () => void = () => {};
  for (let i = 0; i < n; i++) {
    emitter.on("change", () => {
      got.push(performance.now() - t0);
      if (++count === n) done();
    });
  }
  const sub = await (listener.driver as Sql).listen("tradsy_bench_floor", (payload) => emitter.emit("change", JSON.parse(payload)));
  try {
    const all: number[] = [];
    for (let r = 0; r <= rounds; r++) {
      got.length = 0;
      count = 0;
      const arrived = new Promise<void>((res) => (done = res));
      t0 = performance.now();
      await (sender.driver as Sql)`select pg_notify('tradsy_bench_floor', ${JSON.stringify({ providerId: "prv_x", signalId: "sig_x", kind: "published" })})`;
      await arrived;
      if (r > 0) all.push(...got);
    }
    return all;
  } finally {
    await sub.unlisten();
    await listener.close();
    await sender.close();
  }
}

function marketDataDir(): string | undefined {
  const candidates = [process.env.MARKET_DATA_DIR, path.resolve(process.cwd(), "..", "shared", "data")].filter(Boolean) as string[];
  return candidates.find((d) => replayAvailable(d));
}

async function benchLiveFeed(dbUrl: string, handle: DatabaseHandle, results: Result[], checks: Check[]) {
  const skip = (reason: string) => {
    console.log(`SKIPPED live feed to SSE clients: ${reason}`);
    results.push({ name: `live feed to ${SSE_CLIENTS} SSE clients p99`, value: null, unit: "skipped", budget: `<= ${SSE_BUDGET_MS} ms`, skipped: reason });
  };
  let buildSec: number;
  try {
    buildSec = ensureBuild();
  } catch (err) {
    return skip((err as Error).message);
  }
  if (buildSec) results.push({ name: "next build (before the copy live-feed bench)", value: round(buildSec, 1), unit: "s", budget: "-" });
  const p = await seedProvider(handle, "sse");
  const dataDir = marketDataDir();
  const server = await startServer(
    {
      NODE_ENV: "production",
      DATABASE_URL: dbUrl,
      AUTH_SECRET: crypto.randomBytes(32).toString("base64url"),
      ENCRYPTION_KEY: crypto.randomBytes(32).toString("hex"),
      BENCH_ROUTES: "1",
      ...(dataDir ? { MARKET_DATA_DIR: dataDir } : {}),
      DATA_DIR: path.join(os.tmpdir(), "tradsy-bench-copy-data"),
    },
    BARE_PATH,
  );
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  const arrivals = new Arrivals();
  const clients = Array.from({ length: SSE_CLIENTS }, () => new FeedClient(arrivals));
  try {
    const base = new URL(server.url);
    const c0 = performance.now();
    for (let i = 0; i < clients.length; i += 100) await Promise.all(clients.slice(i, i + 100).map((c) => c.open(agent, base, p.slug)));
    console.log(`live feed bench: next start pid ${server.pid} on ${server.url} (log ${server.log}); ${SSE_CLIENTS} SSE clients of /providers/${p.slug}'s live feed connected in ${((performance.now() - c0) / 1000).toFixed(1)} s`);
    // Each stream subscribes to the hub after its slug and entitlement reads: give the last ones time to get there.
    await new Promise((r) => setTimeout(r, 2000));

    let previous: string | null = null;
    const roundOnce = async () => {
      // The previous signal is closed first (its close event is not timed), so each publication is a fresh live signal.
      if (previous) {
        await closeSignal(serviceContext({ actor: { id: p.userId, role: "provider" } }), { providerId: p.providerId, signalId: previous }, {});
        await new Promise((r) => setTimeout(r, 500));
      }
      const t0 = performance.now();
      const signal = await publish(p);
      const publishMs = performance.now() - t0;
      previous = signal.id;
      const got = (await arrivals.wait(signal.id, SSE_CLIENTS, 10_000)).map((at) => at - t0);
      return { got, publishMs };
    };
    const warm = await roundOnce();
    console.log(`  warm-up: ${warm.got.length}/${SSE_CLIENTS} clients got the signal; p99 ${percentile([...warm.got].sort((a, b) => a - b), 99).toFixed(0)} ms`);
    const all: number[] = [];
    const publishMs: number[] = [];
    let missing = 0;
    for (let r = 1; r <= SSE_ROUNDS; r++) {
      const got = await roundOnce();
      missing += SSE_CLIENTS - got.got.length;
      all.push(...got.got);
      publishMs.push(got.publishMs);
      const s = [...got.got].sort((a, b) => a - b);
      console.log(`  round ${r}/${SSE_ROUNDS}: ${got.got.length}/${SSE_CLIENTS} clients, publish call ${got.publishMs.toFixed(0)} ms, p50 ${percentile(s, 50).toFixed(0)} ms, p99 ${percentile(s, 99).toFixed(0)} ms, last ${s.at(-1)?.toFixed(0)} ms`);
    }
    const floor = (await notifyFloor(dbUrl, SSE_CLIENTS, SSE_ROUNDS)).sort((a, b) => a - b);
    const s = all.sort((a, b) => a - b);
    const p50 = percentile(s, 50);
    const p99 = percentile(s, 99);
    const f99 = percentile(floor, 99);
    console.log(`live feed, ${SSE_CLIENTS} SSE clients x ${SSE_ROUNDS} publications: p50 ${p50.toFixed(0)} ms, p99 ${p99.toFixed(0)} ms (publish call median ${median(publishMs).toFixed(0)} ms); floor NOTIFY to ${SSE_CLIENTS} in-process listeners p50 ${percentile(floor, 50).toFixed(1)} ms, p99 ${f99.toFixed(1)} ms${missing ? `; ${missing} deliveries MISSING` : ""}`);
    results.push(
      { name: `NOTIFY to ${SSE_CLIENTS} in-process listeners p99 (floor)`, value: round(f99, 1), unit: "ms", budget: "- (the floor)" },
      { name: `live feed: publish to ${SSE_CLIENTS} SSE clients p50`, value: round(p50, 0), unit: "ms", budget: "-" },
      { name: `live feed: publish to ${SSE_CLIENTS} SSE clients p99`, value: round(p99, 0), unit: "ms", budget: `<= ${SSE_BUDGET_MS} ms` },
      { name: "live feed p99 / NOTIFY floor p99", value: round(p99 / f99, 1), unit: "x", budget: "-" },
    );
    checks.push({
      name: `live feed to ${SSE_CLIENTS} SSE clients`,
      ok: missing === 0 && p99 <= SSE_BUDGET_MS,
      detail: `p99 ${p99.toFixed(0)} ms (p50 ${p50.toFixed(0)} ms) from the publish call's start, ${round(p99 / f99, 1)}x the ${f99.toFixed(1)} ms NOTIFY floor (budget <= ${SSE_BUDGET_MS} ms)${missing ? ` — INVALID: ${missing} deliveries missing` : ""}`,
    });
  } finally {
    for (const c of clients) c.close();
    agent.destroy();
    await server.stop();
  }
}
