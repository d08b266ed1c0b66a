/**
 * Live copies (issue 14, acceptance 6): a signal copied to FOLLOWERS (1,000) followers, each through its own exchange
 * connection ("local": ccxt's binance against the in-process fake Binance, each account its own API key), the fake
 * answering every request BENCH_LIVE_LATENCY_MS (50) after it was sent, with BENCH_LIVE_PARALLEL (50) connections
 * served at once (the inline runner's concurrency, JOBS_MAX_CONCURRENT, set to that figure for the part).
 *
 * The path is the product's: `publishSignal` writes the fan-out row and sends the job event; the `copy-fanout` job
 * plans one `planned` copy order per follower and asks for each connection's run; each `copy-connection` run
 * (one at a time per connection) places its order through `connectionVenue` (the connection's sealed key opened,
 * its one ccxt client) and records the exchange's fill. Only the two copy jobs are registered (notifications and
 * the rest start nothing), the market price is fixed, and the fake runs in this process (its CPU is ours).
 *
 * Timed: from the `publishSignal` call to the ledger holding every copy filled (polled every POLL_MS). Reported:
 * that wall time, orders per second, p50/p99 of copy_orders.latency_ms (the exchange's fill time minus the signal
 * event's time), the time to plan every order, exchange requests per order, and the wall time over the ideal
 * FOLLOWERS × latency / parallel (1,000 × 50 ms / 50 = 1 s). Before the timed rounds, as a running server has them:
 * the connections exist (created through `createConnection`, key checked against the fake) and their ccxt clients
 * are built (`connectionVenue`, one per connection for the process's lifetime), and one warm-up publication (whose
 * own figures are printed: the first signal after the clients were built) has loaded whatever a first order loads.
 * Then BENCH_LIVE_ROUNDS (3) publications of fresh signals to the same followers; medians reported.
 *
 * Checked after every round, the part failing loudly otherwise: the fake holds exactly FOLLOWERS orders for the
 * round, one per account, with distinct client order ids, and the ledger has FOLLOWERS filled copies, each its
 * exchange order (client id, venue order id, quantity).
 *
 * Also printed per round: the runner's attempts in flight while orders were being placed (sampled every 50 ms: were
 * PARALLEL connections served at once?) and, on PostgreSQL, the database statements this process sent per order.
 * BENCH_LIVE_CPUPROF=<file> writes a CPU profile of the timed rounds. No budget is checked (DESIGN.md sets none).
 *
 * PostgreSQL: scratch database `tradsy_bench_live`, through postgres.js with the app's pool size (10). Without
 * PostgreSQL it runs on an in-memory PGlite with BENCH_LIVE_PGLITE_FOLLOWERS (200) followers (PGlite has one
 * connection, so it says little about parallel placement).
 */
import os from "node:os";
import fs from "node:fs";
import { Session } from "node:inspector/promises";
import { performance } from "node:perf_hooks";
import Decimal from "decimal.js";
import { sql, type SQL } from "drizzle-orm";
import { setDatabase, type DatabaseHandle } from "@/server/db";
import { executeRows } from "@/server/db/raw";
import { setMarketData, UnsupportedTimeframeError, type Candle, type MarketData, type Quote, type SymbolInfo } from "@/server/integrations/market-data";
import { startFakeBinanceTrading, type FakeApiKey, type FakeBinanceTrading } from "@/server/integrations/exchanges/fake-binance-trading";
import { venueClientOrderId } from "@/server/integrations/exchanges/venue-id";
import { copyConnection } from "@/server/jobs/functions/copy-connection";
import { copyFanout } from "@/server/jobs/functions/copy-fanout";
import { inlineRunner, registerInlineJobs, waitForInlineRuns } from "@/server/jobs/inline/runner";
import { configureCopyEngine } from "@/server/services/copy/engine";
import { setVenueResolver } from "@/server/services/copy/venues";
import { serviceContext } from "@/server/services/context";
import { connectionVenue, createConnection, setLocalTestExchange } from "@/server/services/exchanges/connections";
import { publishSignal } from "@/server/services/signals";
import { logger } from "@/server/logger";
import { createPgliteScratch, createScratch, dropScratch } from "./db";
import { percentile, round, type Result } from "./report";

const DB_NAME = "tradsy_bench_live";
const PG_FOLLOWERS = Number(process.env.BENCH_LIVE_FOLLOWERS ?? 1000);
const PGLITE_FOLLOWERS = Number(process.env.BENCH_LIVE_PGLITE_FOLLOWERS ?? 200);
const PARALLEL = Number(process.env.BENCH_LIVE_PARALLEL ?? 50);
const LATENCY_MS = Number(process.env.BENCH_LIVE_LATENCY_MS ?? 50);
const ROUNDS = Number(process.env.BENCH_LIVE_ROUNDS ?? 3);
/** How often the ledger is polled for the round's end (one count query). */
const POLL_MS = 10;
const ROUND_TIMEOUT_MS = 180_000;
const SYMBOL = "BTC/USDT";
const PRICE = "32045.14";

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A fixed price for the one symbol the bench trades (publication checks and sizing see the same market every run). */
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

const keyOf = (i: number): FakeApiKey => ({
  apiKey: `benchLiveApiKey${String(i).padStart(49, "0")}`,
  secret: `benchLiveSecret${String(i).padStart(49, "0")}`,
  balances: { USDT: "1000000" },
});

interface LatencyStats {
  requests: number;
  /** Answers that took the fake longer than the latency itself (this machine's load shows here). */
  late: number;
  slowestMs: number;
}

/**
 * The fake as ccxt sees it with a fixed latency: every answer arrives LATENCY_MS after the request was sent (or
 * when the fake answered, if that took longer). The fake is not changed: its `fetchImplementation` is wrapped.
 */
function withLatency(fake: FakeBinanceTrading, ms: number): { fake: FakeBinanceTrading; stats: LatencyStats } {
  const stats: LatencyStats = { requests: 0, late: 0, slowestMs: 0 };
  const fetchImplementation = async (url: string, init?: RequestInit): Promise<Response> => {
    const t0 = performance.now();
    const res = await fake.fetchImplementation(url, init);
    const took = performance.now() - t0;
    stats.requests += 1;
    stats.slowestMs = Math.max(stats.slowestMs, took);
    if (took < ms) await sleep(ms - took);
    else stats.late += 1;
    return res;
  };
  // The fake's getters (orders, requests) read its own state: only the transport is replaced.
  return { fake: Object.create(fake, { fetchImplementation: { value: fetchImplementation } }) as FakeBinanceTrading, stats };
}

const rows = <T extends Record<string, unknown>>(handle: DatabaseHandle, q: SQL) => executeRows<T>(handle.db, q);
const textArray = (xs: readonly string[]) => `{${xs.join(",")}}`;

interface Seeded {
  providerId: string;
  providerUserId: string;
  connections: string[];
}

/**
 * A provider and `n` followers, each with an active subscription, a connection to the local test exchange under its
 * own key (through `createConnection`: sealed, checked against the fake), and copying the provider on it.
 */
async function seed(handle: DatabaseHandle, n: number): Promise<Seeded> {
  await rows(
    handle,
    sql`insert into users (id, email, name, role, disclaimer_accepted_at, terms_accepted_at)
        values ('usr_live_p', 'live-p@example.com', 'Bench live', 'provider', now(), now())`,
  );
  await rows(handle, sql`insert into providers (id, user_id, slug, display_name, markets) values ('prv_live', 'usr_live_p', 'bench-live', 'Bench live', array['crypto'])`);
  await rows(handle, sql`insert into users (id, email, role) select 'usr_live_' || g, 'live-' || g || '@example.com', 'subscriber' from generate_series(0, ${n - 1}) g`);
  await rows(
    handle,
    sql`insert into subscriptions (id, subscriber_id, provider_id, status) select 'sub_live_' || g, 'usr_live_' || g, 'prv_live', 'active' from generate_series(0, ${n - 1}) g`,
  );
  const connections: string[] = new Array<string>(n);
  for (let i = 0; i < n; i += PARALLEL) {
    await Promise.all(
      Array.from({ length: Math.min(PARALLEL, n - i) }, async (_, k) => {
        const j = i + k;
        const key = keyOf(j);
        const ctx = serviceContext({ actor: { id: `usr_live_${j}`, role: "subscriber" } });
        const view = await createConnection(ctx, { exchangeId: "local", label: "Bench exchange", apiKey: key.apiKey, secret: key.secret });
        if (view.status !== "active") throw new Error(`bench connection ${j} is ${view.status}: ${view.statusReason ?? ""}`);
        connections[j] = view.id;
      }),
    );
  }
  const userIds = connections.map((_, j) => `usr_live_${j}`);
  await rows(
    handle,
    sql`insert into copy_settings (id, user_id, provider_id, enabled, venue, allocated_amount, started_at)
        select 'cps_live_' || x.ord, x.uid, 'prv_live', true, x.venue, 1000, now() - interval '1 hour'
        from unnest(${textArray(userIds)}::text[], ${textArray(connections)}::text[]) with ordinality as x(uid, venue, ord)`,
  );
  await rows(handle, sql`analyze`);
  return { providerId: "prv_live", providerUserId: "usr_live_p", connections };
}

interface Round {
  signalId: string;
  wallMs: number;
  /** From the publication to every order planned (the fan-out's part). */
  plannedMs: number;
  latencies: number[];
  /** Requests the fake received during the round, by "METHOD path". */
  requests: Map<string, number>;
  /** Database statements this process sent from the publication to the last fill (null: not counted). */
  statements: number | null;
  /** The runner's executing attempts, sampled every 50 ms. */
  inFlight: number[];
}

/** Counts the statements sent through a handle (PostgreSQL: postgres.js's debug hook); PGlite: not counted. */
interface StatementCounter {
  statements(): number;
}

async function roundOnce(handle: DatabaseHandle, counter: StatementCounter, fake: FakeBinanceTrading, s: Seeded, n: number): Promise<Round> {
  fake.reset();
  const ctx = serviceContext({ actor: { id: s.providerUserId, role: "provider" } });
  const statements0 = counter.statements();
  const t0 = performance.now();
  const { signal } = await publishSignal(ctx, s.providerId, { symbol: SYMBOL, side: "long", entryType: "market", entryPrice: PRICE, stopLoss: "31000" }, "ui");
  let plannedMs = NaN;
  let wallMs = NaN;
  // How many attempts the runner executes while the round runs: whether PARALLEL connections were served at once.
  const inFlight: number[] = [];
  const sampler = setInterval(() => inFlight.push(inlineRunner().executing()), 50);
  let polls = 0;
  for (;;) {
    polls += 1;
    const [c] = await rows<{ all: number; filled: number; other: number }>(
      handle,
      sql`select count(*)::int as all, (count(*) filter (where status = 'filled'))::int as filled, (count(*) filter (where status not in ('planned', 'filled')))::int as other
          from copy_orders where signal_id = ${signal.id}`,
    );
    const now = performance.now() - t0;
    if (Number.isNaN(plannedMs) && c!.all >= n) plannedMs = now;
    if (c!.filled >= n) {
      wallMs = now;
      break;
    }
    if (c!.other > 0) {
      const why = await rows<{ status: string; reason: string | null; n: number }>(
        handle,
        sql`select status, reason, count(*)::int as n from copy_orders where signal_id = ${signal.id} and status not in ('planned', 'filled') group by 1, 2 limit 5`,
      );
      throw new Error(`live copy bench: copies neither planned nor filled: ${JSON.stringify(why)}`);
    }
    if (now > ROUND_TIMEOUT_MS) throw new Error(`live copy bench: ${c!.filled}/${n} copies filled after ${ROUND_TIMEOUT_MS} ms`);
    await sleep(POLL_MS);
  }
  clearInterval(sampler);
  await waitForInlineRuns();
  // The publication's, the fan-out's and every placement's statements; not this loop's polls.
  const statements = counter.statements() - statements0 - polls;
  const requests = new Map<string, number>();
  for (const r of fake.requests) requests.set(`${r.method} ${r.path}`, (requests.get(`${r.method} ${r.path}`) ?? 0) + 1);
  const latencies = (
    await rows<{ ms: number }>(handle, sql`select latency_ms::int as ms from copy_orders where signal_id = ${signal.id} and status = 'filled' order by 1`)
  ).map((r) => r.ms);
  await checkRound(handle, fake, signal.id, n);
  return { signalId: signal.id, wallMs, plannedMs, latencies, requests, statements, inFlight };
}

/** One exchange order per follower and client id, and the ledger is exactly those orders, all filled. */
async function checkRound(handle: DatabaseHandle, fake: FakeBinanceTrading, signalId: string, n: number): Promise<void> {
  const problems: string[] = [];
  if (fake.unexpected.length) problems.push(`requests the fake did not expect: ${fake.unexpected.slice(0, 3).join(", ")}`);
  const orders = fake.orders;
  if (orders.length !== n) problems.push(`the fake holds ${orders.length} orders, not ${n}`);
  const ids = new Set(orders.map((o) => o.clientOrderId));
  if (ids.size !== orders.length) problems.push(`${orders.length - ids.size} client order ids placed more than once`);
  const accounts = new Set(orders.map((o) => o.apiKey));
  if (accounts.size !== orders.length) problems.push(`${orders.length - accounts.size} accounts got more than one order`);
  const ledger = await rows<{ client_order_id: string; status: string; venue_order_id: string | null; quantity: string }>(
    handle,
    sql`select client_order_id, status, venue_order_id, quantity::text as quantity from copy_orders where signal_id = ${signalId}`,
  );
  const filled = ledger.filter((o) => o.status === "filled");
  if (ledger.length !== n || filled.length !== n) problems.push(`the ledger has ${ledger.length} copies of the signal, ${filled.length} filled, not ${n}`);
  const byId = new Map(orders.map((o) => [o.clientOrderId, o]));
  let mismatched = 0;
  for (const o of filled) {
    const x = byId.get(venueClientOrderId(o.client_order_id));
    if (!x || String(x.orderId) !== o.venue_order_id || new Decimal(x.executedQty).isZero() || !new Decimal(x.executedQty).eq(o.quantity)) mismatched += 1;
  }
  if (mismatched) problems.push(`${mismatched} filled copies are not their exchange order (client id, order id, quantity)`);
  if (problems.length) throw new Error(`live copy bench: the round of ${signalId} is wrong: ${problems.join("; ")}`);
}

function describeRequests(requests: Map<string, number>, n: number): string {
  return [...requests]
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} x${v} (${round(v / n, 3)}/order)`)
    .join(", ");
}

const mean = (v: number[]) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN);

/** The part of the samples taken while orders were being placed (from the first to the last non-zero sample). */
function placing(inFlight: number[]): number[] {
  const first = inFlight.findIndex((x) => x > 0);
  let last = inFlight.length - 1;
  while (last > first && inFlight[last] === 0) last--;
  return first < 0 ? [] : inFlight.slice(first, last + 1);
}

/** A CPU profile of the timed rounds (BENCH_LIVE_CPUPROF=<file>, for chrome://inspect or speedscope), else nothing. */
async function profiler(file: string | undefined): Promise<{ stop(): Promise<void> }> {
  if (!file) return { stop: async () => {} };
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: 500 });
  await session.post("Profiler.start");
  return {
    stop: async () => {
      const { profile } = await session.post("Profiler.stop");
      fs.writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
      console.log(`  CPU profile of the timed rounds written to ${file}`);
    },
  };
}

async function measure(label: string, handle: DatabaseHandle, counter: StatementCounter | null, n: number, results: Result[]) {
  setDatabase(handle);
  const base = await startFakeBinanceTrading({ keys: Array.from({ length: n }, (_, i) => keyOf(i)), prices: { BTCUSDT: PRICE } });
  const { fake, stats } = withLatency(base, LATENCY_MS);
  const count = counter ?? { statements: () => 0 };
  const runner = inlineRunner();
  const concurrencyBefore = runner.concurrency();
  setLocalTestExchange(fake);
  setVenueResolver(connectionVenue);
  try {
    const s0 = performance.now();
    const s = await seed(handle, n);
    const seedMs = performance.now() - s0;
    const marketFetches = fake.requests.filter((r) => r.path === "/api/v3/exchangeInfo").length;
    // A running server keeps one ccxt client per connection for its lifetime: built here, before the clock starts.
    const b0 = performance.now();
    const heap0 = process.memoryUsage().heapUsed;
    for (let i = 0; i < n; i += 100) {
      const venues = await Promise.all(s.connections.slice(i, i + 100).map((id) => connectionVenue(id)));
      if (venues.some((v) => !v)) throw new Error("live copy bench: a connection has no venue");
    }
    const buildMs = performance.now() - b0;
    const heapMb = (process.memoryUsage().heapUsed - heap0) / 1e6;
    console.log(
      `live copy bench, ${label}: ${n} followers, each with its own connection and key, added through createConnection (key checked against the fake) in ` +
        `${(seedMs / 1000).toFixed(1)} s (${marketFetches} market list requests for ${n} connections); their ${n} ccxt clients built in ${(buildMs / 1000).toFixed(1)} s ` +
        `(heap +${heapMb.toFixed(0)} MB); the runner executes ${PARALLEL} attempts at once (was ${concurrencyBefore})`,
    );

    runner.setConcurrency(PARALLEL);
    const line = (x: Round) => {
      const busy = placing(x.inFlight);
      return (
        `${x.wallMs.toFixed(0)} ms to ${n} fills (${((n * 1000) / x.wallMs).toFixed(0)} orders/s, ${(x.wallMs / ((n * LATENCY_MS) / PARALLEL)).toFixed(2)}x the ideal), ` +
        `all planned after ${x.plannedMs.toFixed(0)} ms, signal-to-fill p50 ${percentile(x.latencies, 50)} ms p99 ${percentile(x.latencies, 99)} ms, ` +
        `attempts in flight while placing mean ${mean(busy).toFixed(0)} max ${Math.max(0, ...busy)}` +
        `${counter ? `, ${round((x.statements ?? 0) / n, 1)} database statements per order` : ""}; exchange requests: ${describeRequests(x.requests, n)}`
      );
    };
    const warm = await roundOnce(handle, count, fake, s, n);
    console.log(`  warm-up publication (each client's first order): ${line(warm)}`);
    const rounds: Round[] = [];
    const prof = await profiler(process.env.BENCH_LIVE_CPUPROF);
    for (let r = 1; r <= ROUNDS; r++) {
      const lateBefore = stats.late;
      const x = await roundOnce(handle, count, fake, s, n);
      rounds.push(x);
      console.log(`  round ${r}/${ROUNDS}: ${line(x)}${stats.late > lateBefore ? `; ${stats.late - lateBefore} answers took the fake itself over ${LATENCY_MS} ms` : ""}`);
    }
    await prof.stop();

    const idealMs = (n * LATENCY_MS) / PARALLEL;
    const wall = median(rounds.map((x) => x.wallMs));
    const planned = median(rounds.map((x) => x.plannedMs));
    const p99 = median(rounds.map((x) => percentile(x.latencies, 99)));
    const p50 = median(rounds.map((x) => percentile(x.latencies, 50)));
    const perSec = (n * 1000) / wall;
    const ratio = wall / idealMs;
    const perOrder = median(rounds.map((x) => [...x.requests.values()].reduce((a, b) => a + b, 0))) / n;
    const placements = median(rounds.map((x) => x.requests.get("POST /api/v3/order") ?? 0)) / n;
    const inFlight = median(rounds.map((x) => mean(placing(x.inFlight))));
    const statements = counter ? median(rounds.map((x) => x.statements ?? 0)) / n : null;
    console.log(
      `live copies, ${label}, median of ${ROUNDS}: ${n} followers on ${n} connections, exchange latency ${LATENCY_MS} ms, up to ${PARALLEL} connections at once: ` +
        `wall ${wall.toFixed(0)} ms from the publish call to the last copy filled in the ledger (every order planned after ${planned.toFixed(0)} ms), ` +
        `${perSec.toFixed(0)} orders/s, signal-to-fill p50 ${p50} ms p99 ${p99} ms; ideal ${n} x ${LATENCY_MS} ms / ${PARALLEL} = ${idealMs.toFixed(0)} ms, ` +
        `ratio ${ratio.toFixed(2)}x; ${round(perOrder, 3)} exchange requests per order (${round(placements, 3)} order placements, no lookups or tickers), ` +
        `${inFlight.toFixed(0)} attempts in flight on average${statements !== null ? `, ${round(statements, 1)} database statements per order` : ""}.`,
    );
    console.log(
      `  Not timed, as a running server has them: the connections and their ccxt clients (one per connection for the process's lifetime, markets ` +
        `shared per exchange); the warm-up publication above is the first signal after they were built. The fake exchange and its HTTP run in this ` +
        `process, on this ${os.cpus().length}-CPU machine, beside the database.`,
    );
    const tag = `${n} connections, ${label}`;
    results.push(
      { name: `live fan-out ideal (${n} x ${LATENCY_MS} ms / ${PARALLEL})`, value: round(idealMs, 0), unit: "ms", budget: "- (the floor)" },
      { name: `live fan-out wall time, ${tag}`, value: round(wall, 0), unit: "ms", budget: "-" },
      { name: `live fan-out wall time / ideal, ${tag}`, value: round(ratio, 2), unit: "x", budget: "-" },
      { name: `live fan-out orders/s, ${tag}`, value: round(perSec, 0), unit: "/s", budget: `- (ideal ${round((PARALLEL * 1000) / LATENCY_MS, 0)}/s)` },
      { name: `live fan-out signal-to-fill p99, ${tag}`, value: p99, unit: "ms", budget: "-" },
      { name: `live fan-out exchange requests per order, ${tag}`, value: round(perOrder, 3), unit: "/order", budget: "- (1: the order alone)" },
      ...(statements !== null ? [{ name: `live fan-out database statements per order, ${tag}`, value: round(statements, 1), unit: "/order", budget: "-" }] : []),
    );
  } finally {
    runner.setConcurrency(concurrencyBefore);
    await waitForInlineRuns();
    setVenueResolver(undefined);
    setLocalTestExchange(undefined);
    await base.close();
    setDatabase(undefined);
  }
}

/** The scratch database through the app's driver and pool size (10), its statements counted. */
async function countingHandle(url: string): Promise<{ handle: DatabaseHandle; counter: StatementCounter }> {
  const { default: postgres } = await import("postgres");
  const { drizzle } = await import("drizzle-orm/postgres-js");
  const schema = await import("@/server/db/schema");
  let n = 0;
  const client = postgres(url, { max: 10, onnotice: () => {}, debug: () => void (n += 1) });
  const db = drizzle(client, { schema, casing: "snake_case" }) as unknown as DatabaseHandle["db"];
  return { handle: { db, kind: "postgres", driver: client, close: () => client.end({ timeout: 5 }) }, counter: { statements: () => n } };
}

export async function benchCopyLive(pgUrl: string | undefined, results: Result[]) {
  const load1 = os.loadavg()[0]!;
  // An info line per job run (one per order) would bury the figures: warnings and errors only, unless
  // LOG_LEVEL asks for more.
  const level = logger.level;
  if (!process.env.LOG_LEVEL) logger.level = "warn";
  setMarketData(new BenchMarket());
  // The copy jobs only: what else a publication starts (notifications) is not part of this measurement.
  registerInlineJobs([copyFanout.job, copyConnection.job]);
  configureCopyEngine({ price: async () => PRICE, slippageBps: async () => "2" });
  try {
    if (pgUrl) {
      const scratch = await createScratch(pgUrl, DB_NAME);
      await scratch.handle.close();
      const { handle, counter } = await countingHandle(scratch.url);
      try {
        await measure(`PostgreSQL (${new URL(pgUrl).host})`, handle, counter, PG_FOLLOWERS, results);
      } finally {
        await handle.close();
        await dropScratch(pgUrl, DB_NAME);
      }
    } else {
      console.log(`live copy bench: no PostgreSQL server answers: on an in-memory PGlite with ${PGLITE_FOLLOWERS} followers instead of ${PG_FOLLOWERS}`);
      const pglite = await createPgliteScratch();
      try {
        await measure("PGlite (in-memory)", pglite, null, PGLITE_FOLLOWERS, results);
      } finally {
        await pglite.close();
      }
    }
  } finally {
    configureCopyEngine({});
    setMarketData(undefined);
    logger.level = level;
  }
  console.log(`load average (1 min) before / after the live copy bench: ${load1.toFixed(1)} / ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} CPUs`);
}
