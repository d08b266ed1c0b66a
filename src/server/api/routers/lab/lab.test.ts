/**
 * The lab router over a real database (PGlite, or PostgreSQL with DATABASE_URL): own strategies (CRUD, versions,
 * refusals that write nothing), access control (another user's ids are NOT_FOUND, anonymous callers UNAUTHORIZED,
 * curated strategies have no write path), and backtests run in a real worker thread — results equal to the engine
 * run directly on the same candles, progress written, cancel storing nothing, the concurrency caps, a worker that
 * cannot start, and a run orphaned by a dead process. The replayed recordings are used when MARKET_DATA_DIR (or
 * ../shared/data) holds them; the synthetic walk otherwise.
 */
import fs from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { runBacktest, toBarSeries } from "@/lib/engine";
import { engineConfigOf, summarise } from "@/lib/lab/job";
import { compileRules, EXAMPLE_RULES, RSI_REVERSION_RULES, SMA_CROSS_RULES, type RulesDocument } from "@/lib/rules";
import { backtestCurated, CATALOGUE } from "@/lib/strategy-library";
import { DEFAULT_BACKTEST_SETTINGS } from "@/lib/validation/lab";
import { strategies, strategyBacktestRuns } from "@/server/db/schema";
import { ReplayMarketData, setMarketData } from "@/server/integrations/market-data";
import { runSettled, setBacktestWorkerFactory } from "@/server/services/lab/runner";
import { KEPT_BACKTESTS } from "@/server/services/lab/backtests";
import { useTestDatabase } from "@/test/db";
import { hourlyWalk, useFakeMarket } from "@/test/fake-market";
import { callerFor, createUser, trpcCode } from "@/test/factories";
import { TRPCError } from "@trpc/server";

const t = useTestDatabase();
const market = useFakeMarket();

const HOUR = 3_600_000;
const walk = hourlyWalk;

async function user() {
  const u = await createUser("subscriber");
  return { user: u, caller: await callerFor(u) };
}

async function waitFor(caller: Awaited<ReturnType<typeof callerFor>>, id: string, timeoutMs = 20_000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const run = await caller.lab.backtests.get({ id });
    if (run.status !== "running" && run.status !== "queued") return run;
    if (Date.now() > end) throw new Error(`backtest ${id} still ${run.status} after ${timeoutMs} ms (${run.barsDone}/${run.barsTotal})`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function fieldErrorsOf(p: Promise<unknown>): Promise<{ code: string; message: string; fieldErrors: Record<string, string[]> }> {
  try {
    await p;
  } catch (e) {
    if (!(e instanceof TRPCError)) throw e;
    const cause = e.cause as { fieldErrors?: Record<string, string[]> } | undefined;
    return { code: e.code, message: e.message, fieldErrors: cause?.fieldErrors ?? {} };
  }
  throw new Error("expected a refusal");
}

afterEach(() => setBacktestWorkerFactory(undefined));

describe("lab strategies", () => {
  it("creates, lists, gets, updates (a changed document bumps the version, a rename does not) and deletes own strategies", async () => {
    const { caller } = await user();
    const created = await caller.lab.strategies.create({ name: "  SMA cross ", rules: SMA_CROSS_RULES });
    expect(created).toMatchObject({ name: "SMA cross", version: 1, rules: SMA_CROSS_RULES });
    expect((await caller.lab.strategies.list()).map((s) => s.id)).toEqual([created.id]);
    expect(await caller.lab.strategies.get({ id: created.id })).toEqual(created);

    const renamed = await caller.lab.strategies.update({ id: created.id, name: "Renamed", rules: SMA_CROSS_RULES });
    expect(renamed).toMatchObject({ name: "Renamed", version: 1 });
    const changed = await caller.lab.strategies.update({ id: created.id, rules: RSI_REVERSION_RULES });
    expect(changed).toMatchObject({ name: "Renamed", version: 2, rules: RSI_REVERSION_RULES });

    expect(await caller.lab.strategies.delete({ id: created.id })).toEqual({ deleted: true });
    expect(await caller.lab.strategies.list()).toEqual([]);
    expect(await trpcCode(caller.lab.strategies.get({ id: created.id }))).toBe("NOT_FOUND");
  });

  it("refuses an invalid document with messages at the field's path and writes nothing", async () => {
    const { caller } = await user();
    const bad = { version: 1, rules: [{ when: { left: { indicator: "sma", params: { period: 0 } }, op: "crosses", right: { const: 1 } }, then: { type: "enter_long" } }] };
    const refusal = await fieldErrorsOf(caller.lab.strategies.create({ name: "Bad", rules: bad }));
    expect(refusal.code).toBe("BAD_REQUEST");
    expect(refusal.message).toMatch(/^The rules are not valid: rules\[0\]\.when\./);
    expect(Object.keys(refusal.fieldErrors)).toEqual(expect.arrayContaining(["rules.rules[0].when.op", "rules.rules[0].when.left.params.period"]));
    expect(await trpcCode(caller.lab.strategies.create({ name: " ", rules: SMA_CROSS_RULES }))).toBe("BAD_REQUEST");
    expect(await t.db.select().from(strategies)).toEqual([]);

    const ok = await caller.lab.strategies.create({ name: "Good", rules: SMA_CROSS_RULES });
    expect(await trpcCode(caller.lab.strategies.update({ id: ok.id, rules: bad }))).toBe("BAD_REQUEST");
    const [row] = await t.db.select().from(strategies);
    expect(row).toMatchObject({ version: 1, rules: SMA_CROSS_RULES });
  });

  it("answers NOT_FOUND for another user's strategy on every procedure, UNAUTHORIZED without a session; curated strategies cannot be written", async () => {
    const a = await user();
    const b = await user();
    const mine = await a.caller.lab.strategies.create({ name: "A's", rules: SMA_CROSS_RULES });
    expect(await trpcCode(b.caller.lab.strategies.get({ id: mine.id }))).toBe("NOT_FOUND");
    expect(await trpcCode(b.caller.lab.strategies.update({ id: mine.id, name: "stolen" }))).toBe("NOT_FOUND");
    expect(await trpcCode(b.caller.lab.strategies.delete({ id: mine.id }))).toBe("NOT_FOUND");
    expect(await b.caller.lab.strategies.list()).toEqual([]);
    const start = { source: { kind: "strategy" as const, strategyId: mine.id }, symbol: "BTC/USDT", timeframe: "1h" as const };
    expect(await trpcCode(b.caller.lab.backtests.start(start))).toBe("NOT_FOUND");
    expect(await a.caller.lab.strategies.get({ id: mine.id })).toMatchObject({ name: "A's", version: 1 });

    const anon = await callerFor(null);
    expect(await trpcCode(anon.lab.strategies.list())).toBe("UNAUTHORIZED");
    expect(await trpcCode(anon.lab.strategies.create({ name: "x", rules: SMA_CROSS_RULES }))).toBe("UNAUTHORIZED");
    expect(await trpcCode(anon.lab.backtests.start(start))).toBe("UNAUTHORIZED");
    expect(await trpcCode(anon.lab.backtests.list())).toBe("UNAUTHORIZED");
    expect(await trpcCode(anon.lab.symbols())).toBe("UNAUTHORIZED");

    // Curated strategies are code: their ids are not rows, so the only write paths answer NOT_FOUND.
    const curated = CATALOGUE[0]!.id;
    expect(await trpcCode(a.caller.lab.strategies.update({ id: curated, name: "mine now" }))).toBe("NOT_FOUND");
    expect(await trpcCode(a.caller.lab.strategies.delete({ id: curated }))).toBe("NOT_FOUND");
  });
});

describe("lab backtests", () => {
  it("runs a saved strategy in a worker thread and stores exactly what the engine computes on the same candles", async () => {
    const candles = walk(3_000);
    market.setCandles("BTC/USDT", "1h", candles);
    const { caller } = await user();
    const s = await caller.lab.strategies.create({ name: "SMA", rules: SMA_CROSS_RULES });
    const started = await caller.lab.backtests.start({ source: { kind: "strategy", strategyId: s.id }, symbol: "btcusdt", timeframe: "1h" });
    expect(started).toMatchObject({ status: "running", symbol: "BTC/USDT", barsTotal: 3_000, strategyId: s.id, strategyVersion: 1, name: "SMA" });
    const run = await waitFor(caller, started.id);
    expect(run.status, run.error ?? "").toBe("done");

    const series = toBarSeries(candles);
    const config = engineConfigOf(DEFAULT_BACKTEST_SETTINGS, HOUR);
    const direct = runBacktest(compileRules(SMA_CROSS_RULES), series, config);
    expect(direct.result.tradeCount).toBeGreaterThan(20);
    const expected = summarise(direct.result, series, compileRules(SMA_CROSS_RULES).warmupBars ?? 0);
    expect(run.tradeCount).toBe(direct.result.tradeCount);
    expect(run.trades).toEqual(expected.trades);
    expect(run.equity).toEqual(expected.equity);
    const bt = Object.fromEntries(run.stats!.backtestingPy.rows.map((r) => [r.key, r.value]));
    const { label: _label, ...directStats } = direct.stats;
    expect(bt).toEqual(directStats);
    expect(run.stats!.backtestingPy.label).toBe("backtesting.py definitions");
    expect(run.stats!.trackRecord!.rows.find((r) => r.key === "closedSignals")!.value).toBe(direct.result.tradeCount);
    expect(run.hypothetical).toBe(true);
    expect(run.barsDone).toBe(3_000);
    expect(run.dataFrom).toEqual(new Date(candles[0]!.openTime));
  });

  it("runs an unsaved rules document and a curated strategy with parameters; refusals write no run", async () => {
    const candles = walk(2_000, 11);
    market.setCandles("ETH/USDT", "1h", candles);
    const { caller } = await user();
    const rules = await caller.lab.backtests.start({ source: { kind: "rules", rules: RSI_REVERSION_RULES }, symbol: "ETH/USDT", timeframe: "1h" });
    expect(rules).toMatchObject({ name: "RSI(14) reversion", strategyId: null });
    const entry = CATALOGUE[0]!;
    const params = Object.fromEntries(entry.params.map((p) => [p.name, p.default]));
    const curated = await caller.lab.backtests.start({
      source: { kind: "curated", curatedId: entry.id, params },
      symbol: "ETH/USDT",
      timeframe: "1h",
      settings: { cash: 5_000, commissionPct: 0.2, slippageBps: 5, sizing: { mode: "fraction", value: 0.5 } },
    });
    const [a, b] = [await waitFor(caller, rules.id), await waitFor(caller, curated.id)];
    expect([a.status, b.status]).toEqual(["done", "done"]);
    expect(b).toMatchObject({ curatedId: entry.id, name: entry.name, params, settings: { cash: 5_000, commissionPct: 0.2, slippageBps: 5 } });
    const direct = backtestCurated(entry.id, params, toBarSeries(candles), engineConfigOf({ cash: 5_000, commissionPct: 0.2, slippageBps: 5, sizing: { mode: "fraction", value: 0.5 } }, HOUR));
    expect(b.tradeCount).toBe(direct.result.tradeCount);
    expect(b.stats!.backtestingPy.rows.find((r) => r.key === "returnPct")!.value).toBe(direct.stats.returnPct);

    const before = (await t.db.select().from(strategyBacktestRuns)).length;
    const badRules = await fieldErrorsOf(caller.lab.backtests.start({ source: { kind: "rules", rules: { version: 1, rules: [] } }, symbol: "ETH/USDT", timeframe: "1h" }));
    expect(badRules.code).toBe("BAD_REQUEST");
    expect(Object.keys(badRules.fieldErrors)[0]).toMatch(/^source\.rules/);
    expect(await trpcCode(caller.lab.backtests.start({ source: { kind: "curated", curatedId: entry.id, params: { [entry.params[0]!.name]: 1e9 } }, symbol: "ETH/USDT", timeframe: "1h" }))).toBe("BAD_REQUEST");
    expect(await trpcCode(caller.lab.backtests.start({ source: { kind: "curated", curatedId: "nope" }, symbol: "ETH/USDT", timeframe: "1h" }))).toBe("BAD_REQUEST");
    expect(await trpcCode(caller.lab.backtests.start({ source: { kind: "rules", rules: SMA_CROSS_RULES }, symbol: "NOPE/USD", timeframe: "1h" }))).toBe("BAD_REQUEST");
    expect(await trpcCode(caller.lab.backtests.start({ source: { kind: "rules", rules: SMA_CROSS_RULES }, symbol: "EUR/USD", timeframe: "1h" }))).toBe("BAD_REQUEST");
    expect(await trpcCode(caller.lab.backtests.start({ source: { kind: "rules", rules: SMA_CROSS_RULES }, symbol: "ETH/USDT", timeframe: "1h", settings: { cash: -1, commissionPct: 0, slippageBps: 0, sizing: { mode: "fraction", value: 1 } } }))).toBe("BAD_REQUEST");
    expect((await t.db.select().from(strategyBacktestRuns)).length).toBe(before);
  });

  it("writes progress while it runs, and a cancel stops the worker and stores no results", async () => {
    market.setCandles("BTC/USDT", "1h", walk(60_000, 3));
    const { caller } = await user();
    const busy: RulesDocument = EXAMPLE_RULES.find((e) => e.id === "bollinger-breakout")!.doc;
    const first = await caller.lab.backtests.start({ source: { kind: "rules", rules: busy }, symbol: "BTC/USDT", timeframe: "1h" });
    const seen = new Set<number>();
    let run = await caller.lab.backtests.get({ id: first.id });
    while (run.status === "running") {
      seen.add(run.barsDone);
      await new Promise((r) => setTimeout(r, 10));
      run = await caller.lab.backtests.get({ id: first.id });
    }
    expect(run.status).toBe("done");
    expect([...seen].some((n) => n > 0 && n < 60_000), `progress seen: ${[...seen].join(", ")}`).toBe(true);

    const second = await caller.lab.backtests.start({ source: { kind: "rules", rules: busy }, symbol: "BTC/USDT", timeframe: "1h" });
    const cancelled = await caller.lab.backtests.cancel({ id: second.id });
    expect(cancelled.status).toBe("cancelled");
    await runSettled(second.id);
    await new Promise((r) => setTimeout(r, 100));
    const [row] = await t.db.select().from(strategyBacktestRuns).where(eq(strategyBacktestRuns.id, second.id));
    expect(row).toMatchObject({ status: "cancelled", stats: null, equity: null, trades: null, tradeCount: null });
    expect(await trpcCode(caller.lab.backtests.cancel({ id: second.id }))).toBe("CONFLICT");
  });

  it("caps runs per user (429), and another user's backtests are NOT_FOUND", async () => {
    market.setCandles("BTC/USDT", "1h", walk(60_000, 5));
    const a = await user();
    const b = await user();
    const start = { source: { kind: "rules" as const, rules: EXAMPLE_RULES.find((e) => e.id === "bollinger-breakout")!.doc }, symbol: "BTC/USDT", timeframe: "1h" as const };
    const r1 = await a.caller.lab.backtests.start(start);
    const r2 = await a.caller.lab.backtests.start(start);
    const refusal = await fieldErrorsOf(a.caller.lab.backtests.start(start));
    expect(refusal.code).toBe("TOO_MANY_REQUESTS");
    expect(refusal.message).toMatch(/already have 2 backtests running/);
    expect(await trpcCode(b.caller.lab.backtests.get({ id: r1.id }))).toBe("NOT_FOUND");
    expect(await trpcCode(b.caller.lab.backtests.cancel({ id: r1.id }))).toBe("NOT_FOUND");
    expect(await b.caller.lab.backtests.list()).toEqual([]);
    expect((await a.caller.lab.backtests.list()).map((r) => r.id).sort()).toEqual([r1.id, r2.id].sort());
    await a.caller.lab.backtests.cancel({ id: r1.id });
    await a.caller.lab.backtests.cancel({ id: r2.id });
    await Promise.all([runSettled(r1.id), runSettled(r2.id)]);
    const r3 = await a.caller.lab.backtests.start(start);
    await a.caller.lab.backtests.cancel({ id: r3.id });
    await runSettled(r3.id);
  });

  it("fails the run with a clear error when the worker cannot start (never runs on the request thread)", async () => {
    market.setCandles("BTC/USDT", "1h", walk(500));
    setBacktestWorkerFactory(() => {
      throw new Error("spawn refused");
    });
    const { caller } = await user();
    const started = await caller.lab.backtests.start({ source: { kind: "rules", rules: SMA_CROSS_RULES }, symbol: "BTC/USDT", timeframe: "1h" });
    await runSettled(started.id);
    const run = await caller.lab.backtests.get({ id: started.id });
    expect(run).toMatchObject({ status: "failed", error: expect.stringMatching(/worker could not start/), stats: null, barsDone: 0 });
  });

  it(`keeps a user's newest ${KEPT_BACKTESTS} backtests: starting one more deletes the oldest finished ones, never a running one or another user's`, async () => {
    market.setCandles("BTC/USDT", "1h", walk(500));
    const { user: u, caller } = await user();
    const other = await user();
    const at = (i: number) => new Date(Date.now() - (KEPT_BACKTESTS + 10 - i) * 60_000);
    const rows = Array.from({ length: KEPT_BACKTESTS + 2 }, (_, i) => ({ userId: u.id, name: `old ${i}`, symbol: "BTC/USDT", timeframe: "1h", status: "done" as "done" | "running", createdAt: at(i) }));
    // The oldest of all is still running (a live worker elsewhere): it stays.
    rows[0] = { ...rows[0]!, status: "running", createdAt: new Date(Date.now() - 60_000 * 500) };
    await t.db.insert(strategyBacktestRuns).values(rows);
    await t.db.insert(strategyBacktestRuns).values({ userId: other.user.id, name: "theirs", symbol: "BTC/USDT", timeframe: "1h", status: "done", createdAt: at(0) });

    const started = await caller.lab.backtests.start({ source: { kind: "rules", rules: SMA_CROSS_RULES }, symbol: "BTC/USDT", timeframe: "1h" });
    await runSettled(started.id);
    const mine = await t.db.select({ name: strategyBacktestRuns.name, status: strategyBacktestRuns.status }).from(strategyBacktestRuns).where(eq(strategyBacktestRuns.userId, u.id));
    // The new run and the 99 newest finished ones, plus the running one that is never pruned.
    expect(mine).toHaveLength(KEPT_BACKTESTS + 1);
    expect(mine.map((r) => r.name)).toContain("old 0");
    expect(mine.map((r) => r.name)).not.toContain("old 1");
    expect(mine.map((r) => r.name)).not.toContain("old 2");
    expect(mine.map((r) => r.name)).toContain("old 3");
    expect(await t.db.select().from(strategyBacktestRuns).where(eq(strategyBacktestRuns.userId, other.user.id))).toHaveLength(1);
  });

  it("marks a run left running by a process that died as failed when it is read after the time limit", async () => {
    const { user: u, caller } = await user();
    const old = new Date(Date.now() - 10 * 60_000);
    const [row] = await t.db
      .insert(strategyBacktestRuns)
      .values({ userId: u.id, name: "orphan", symbol: "BTC/USDT", timeframe: "1h", status: "running", startedAt: old, createdAt: old, barsTotal: 10 })
      .returning();
    const [fresh] = await t.db.insert(strategyBacktestRuns).values({ userId: u.id, name: "fresh", symbol: "BTC/USDT", timeframe: "1h", status: "running", startedAt: new Date(), barsTotal: 10 }).returning();
    const list = await caller.lab.backtests.list();
    expect(list.find((r) => r.id === row!.id)).toMatchObject({ status: "failed", error: expect.stringMatching(/server stopped/) });
    expect(list.find((r) => r.id === fresh!.id)).toMatchObject({ status: "running" });
    expect(await caller.lab.backtests.get({ id: row!.id })).toMatchObject({ status: "failed" });
  });
});

const fallback = path.resolve(import.meta.dirname, "../../../../../../shared/data");
const dataDir = process.env.MARKET_DATA_DIR || (fs.existsSync(fallback) ? fallback : undefined);
const hasRecordings = !!dataDir && fs.existsSync(path.join(dataDir, "candles", "GOOG_1d_2004-2013.csv"));
if (!hasRecordings) console.warn(`[lab] replay backtest test skipped: no recorded candles (set MARKET_DATA_DIR; looked at ${dataDir ?? fallback})`);

describe.skipIf(!hasRecordings)("lab backtests over the replayed recordings", () => {
  it("SMA cross on GOOG 1d: the worker's stored run equals the engine on the same replayed candles", async () => {
    const replay = new ReplayMarketData({ dir: dataDir! });
    setMarketData(replay);
    try {
      const { caller } = await user();
      const started = await caller.lab.backtests.start({ source: { kind: "rules", rules: SMA_CROSS_RULES }, symbol: "GOOG", timeframe: "1d" });
      const run = await waitFor(caller, started.id);
      expect(run.status, run.error ?? "").toBe("done");
      const candles = await replay.candles("GOOG", "1d", run.dataFrom!.getTime(), run.dataTo!.getTime());
      expect(candles.length).toBe(run.barsTotal);
      expect(run.barsTotal).toBeGreaterThan(2_000);
      const direct = runBacktest(compileRules(SMA_CROSS_RULES), toBarSeries(candles), engineConfigOf(DEFAULT_BACKTEST_SETTINGS, null));
      expect(run.tradeCount).toBe(direct.result.tradeCount);
      expect(run.stats!.backtestingPy.rows.find((r) => r.key === "returnPct")!.value).toBe(direct.stats.returnPct);
      expect(run.trades).toEqual(summarise(direct.result, toBarSeries(candles), 0).trades);
    } finally {
      setMarketData(market);
    }
  });
});
