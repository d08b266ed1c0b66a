/**
 * The Strategy Library: stored reference backtests (once, equal to backtestCurated on the same candles, labelled by
 * their data), the list's filters, similar strategies, recommendations by profile, the trader's profile mutation
 * (validation, access control) and the catalogue being read-only.
 */
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { and, eq, isNull } from "drizzle-orm";
import { auditLog, strategyBacktestRuns, users } from "@/server/db/schema";
import { ReplayMarketData, replayAvailable, setMarketData, type Candle, type MarketData } from "@/server/integrations/market-data";
import { ensureReferenceBacktests, MAX_EQUITY_POINTS, REFERENCE_DATASETS, downsampleEquity } from "@/server/services/library";
import { backtestCurated, CATALOGUE, similarStrategies } from "@/lib/strategy-library";
import { useTestDatabase } from "@/test/db";
import { callerFor, signedIn, trpcCode } from "@/test/factories";
import { FakeMarket } from "@/test/fake-market";
import { libraryRouter } from "./index";

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 11, 7, 12);

/** A seeded random walk with trending stretches: every strategy trades on it. */
function walk(n: number, seed: number, end = NOW): Candle[] {
  let s = seed >>> 0;
  const rnd = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out: Candle[] = [];
  let price = 100;
  const start = Math.floor(end / HOUR) * HOUR - n * HOUR;
  for (let i = 0; i < n; i++) {
    const drift = Math.sin(i / 300) * 0.002;
    const open = price;
    const close = open * (1 + drift + (rnd() - 0.5) * 0.02);
    const high = Math.max(open, close) * (1 + rnd() * 0.004);
    const low = Math.min(open, close) * (1 - rnd() * 0.004);
    out.push({ openTime: start + i * HOUR, open: open.toFixed(6), high: high.toFixed(6), low: low.toFixed(6), close: close.toFixed(6), volume: "1" });
    price = close;
  }
  return out;
}

function fakeMarket(kind: MarketData["kind"] = "ccxt") {
  const m = new FakeMarket();
  m.now = () => new Date(NOW);
  m.setCandles("BTC/USDT", "1h", walk(3_000, 1));
  m.setCandles("EUR/USD", "1h", walk(3_000, 2));
  if (kind !== "ccxt") Object.defineProperty(m, "kind", { value: kind });
  if (kind === "synthetic") Object.defineProperty(m, "source", { value: "synthetic" });
  return m;
}

const references = (db: ReturnType<typeof useTestDatabase>["db"]) => db.select().from(strategyBacktestRuns).where(isNull(strategyBacktestRuns.userId));

describe("library", () => {
  const t = useTestDatabase();
  afterEach(() => setMarketData(undefined));

  it("stores each reference backtest once, even when two computations race, with backtestCurated's figures on the same candles", async () => {
    const market = fakeMarket();
    await Promise.all([ensureReferenceBacktests({ db: t.db, market, now: new Date(NOW) }), ensureReferenceBacktests({ db: t.db, market, now: new Date(NOW) })]);
    const rows = await references(t.db);
    // BTC/USDT and EUR/USD: the fake market has no GOOG, so the stock reference is simply absent.
    expect(rows).toHaveLength(CATALOGUE.length * 2);
    expect(new Set(rows.map((r) => `${r.curatedId}|${r.symbol}|${r.timeframe}`)).size).toBe(rows.length);

    const candles = walk(3_000, 1);
    for (const entry of CATALOGUE) {
      const row = rows.find((r) => r.curatedId === entry.id && r.symbol === "BTC/USDT")!;
      const bt = backtestCurated(entry.id, undefined, candles);
      const { label: _label, ...figures } = bt.stats;
      expect(row.stats, entry.id).toEqual(JSON.parse(JSON.stringify(figures)));
      expect(row.tradeCount).toBe(bt.result.tradeCount);
      expect(row.trades!.length).toBe(Math.min(bt.result.tradeCount, 500));
      expect(row.params).toEqual(bt.params);
      expect(row.status).toBe("done");
      expect(row.equity!.length).toBeLessThanOrEqual(MAX_EQUITY_POINTS);
      expect(row.equity!.at(-1)!.equity).toBe(bt.result.equity.at(-1));
      expect(Math.min(...row.equity!.map((p) => p.drawdownPct))).toBeCloseTo(bt.stats.maxDrawdownPct, 9);
      expect(row.dataFrom!.getTime()).toBe(candles[0]!.openTime);
      expect(row.settings).toMatchObject({ cash: 10_000, data: { kind: "ccxt", synthetic: false, label: expect.stringContaining("BTC/USDT 1h") } });
    }

    // A third computation finds them all and writes nothing.
    const before = rows.map((r) => r.id).sort();
    await ensureReferenceBacktests({ db: t.db, market, now: new Date(NOW) });
    expect((await references(t.db)).map((r) => r.id).sort()).toEqual(before);
  });

  it("a run on synthetic prices says so", async () => {
    await ensureReferenceBacktests({ db: t.db, market: fakeMarket("synthetic"), now: new Date(NOW) });
    const rows = await references(t.db);
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(r.settings).toMatchObject({ data: { kind: "synthetic", synthetic: true, label: expect.stringMatching(/^Synthetic prices/) } });
    setMarketData(fakeMarket("synthetic"));
    const [first] = await (await callerFor(null)).library.list();
    expect(first!.references[0]!.data.synthetic).toBe(true);
  });

  it("downsamples to one point per day with the day's deepest drawdown, k days per point past the cap", () => {
    const times = Array.from({ length: 72 }, (_, i) => i * HOUR);
    const equity = times.map((_, i) => (i === 30 ? 80 : 100 + i));
    const pts = downsampleEquity(times, equity);
    expect(pts.map((p) => p.time)).toEqual([23 * HOUR, 47 * HOUR, 71 * HOUR]);
    expect(pts[1]!.drawdownPct).toBeCloseTo((80 / 129 - 1) * 100, 12);
    expect(pts[2]!.drawdownPct).toBe(0);
    expect(downsampleEquity(times, equity, 2)).toHaveLength(2);
  });

  it("lists the catalogue with filters that each narrow it as the catalogue says", async () => {
    setMarketData(fakeMarket());
    const anon = await callerFor(null);
    const ids = async (f: Parameters<typeof anon.library.list>[0]) => (await anon.library.list(f)).map((e) => e.id).sort();
    const all = await anon.library.list();
    expect(all).toHaveLength(CATALOGUE.length);
    expect(all[0]!.references.map((r) => r.symbol)).toEqual(["BTC/USDT", "EUR/USD"]);
    expect(await ids({ tag: "mean-reversion" })).toEqual(["rsi3-reversion", "rsi7-reversion"]);
    expect(await ids({ tag: "breakout" })).toEqual(["bollinger-breakout", "donchian-breakout"]);
    expect(await ids({ risk: "high" })).toEqual(["macd-cross", "sma-cross"]);
    expect(await ids({ complexity: 2 })).toEqual(["macd-cross", "rsi3-reversion", "rsi7-reversion"]);
    expect(await ids({ complexity: 1, risk: "medium" })).toEqual(["bollinger-breakout", "donchian-breakout", "ema-cross"]);
    expect(await ids({ market: "stocks", timeframe: "4h" })).toHaveLength(CATALOGUE.length);
    expect(await ids({ risk: "low" })).toEqual([]);
    expect(await trpcCode(anon.library.list({ market: "bonds" } as never))).toBe("BAD_REQUEST");
  });

  it("get: parameters, the chosen market's curve, and similar strategies by correlation and features on the same data", async () => {
    setMarketData(fakeMarket());
    const anon = await callerFor(null);
    const entry = await anon.library.get({ id: "ema-cross", market: "forex" });
    expect(entry.params.map((p) => p.name)).toEqual(["fast", "slow"]);
    expect(entry.chosen!.symbol).toBe("EUR/USD");
    expect(entry.chosen!.equity.length).toBeGreaterThan(100);
    expect(entry.similar).toHaveLength(CATALOGUE.length - 1);

    const rows = (await references(t.db)).filter((r) => r.symbol === "EUR/USD");
    const runs = rows.map((r) => ({ key: r.curatedId!, strategyId: r.curatedId!, times: r.equity!.map((p) => p.time), equity: r.equity!.map((p) => p.equity) }));
    const expected = similarStrategies("ema-cross", runs);
    expect(entry.similar.map((s) => [s.id, s.correlation, s.features, s.score])).toEqual(expected.map((s) => [s.strategyId, s.correlation, s.features, s.score]));
    // Both measures are there for every other strategy (125 days of shared daily returns), highest score first.
    for (const s of entry.similar) expect(s.correlation, s.id).not.toBeNull();
    expect(entry.similar.map((s) => s.score)).toEqual([...entry.similar.map((s) => s.score)].sort((x, y) => y - x));

    expect((await anon.library.get({ id: "ema-cross" })).chosen!.symbol).toBe("BTC/USDT");
    expect(await trpcCode(anon.library.get({ id: "no-such-strategy" }))).toBe("NOT_FOUND");
  });

  it("recommendations follow the signed-in trader's profile, with reasons; unanswered asks; anonymous is refused", async () => {
    setMarketData(fakeMarket());
    expect(await trpcCode((await callerFor(null)).library.recommendations())).toBe("UNAUTHORIZED");
    const { caller } = await signedIn("subscriber");
    expect(await caller.library.recommendations()).toMatchObject({ profile: { riskTolerance: null, experience: null }, items: [] });

    await caller.library.setTradingProfile({ riskTolerance: "low", experience: "beginner" });
    const beginner = await caller.library.recommendations();
    // No stock reference on the fake market: the catalogue's risk level stands in (low tolerance: none is low).
    expect(beginner.items.map((i) => i.id)).toEqual([]);

    await caller.library.setTradingProfile({ riskTolerance: "medium", experience: "beginner" });
    const b2 = await caller.library.recommendations();
    expect(b2.items.map((i) => i.id).sort()).toEqual(["bollinger-breakout", "donchian-breakout", "ema-cross"]);
    expect(b2.items[0]!.reasons[0]).toMatch(/Complexity 1 of 3/);

    await caller.library.setTradingProfile({ riskTolerance: "high", experience: "expert" });
    const expert = await caller.library.recommendations();
    expect(expert.items.map((i) => i.id).sort()).toEqual(CATALOGUE.map((e) => e.id).sort());
  });

  it("setTradingProfile: bad values are refused and nothing is written; only the session's own profile changes", async () => {
    const a = await signedIn("subscriber");
    const b = await signedIn("provider");
    await b.caller.library.setTradingProfile({ riskTolerance: "high", experience: "expert" });

    for (const bad of [{ riskTolerance: "extreme", experience: "beginner" }, { riskTolerance: "low", experience: 3 }, { riskTolerance: "low" }, {}]) {
      expect(await trpcCode(a.caller.library.setTradingProfile(bad as never)), JSON.stringify(bad)).toBe("BAD_REQUEST");
    }
    const profile = async (id: string) => (await t.db.select({ r: users.riskTolerance, e: users.experience }).from(users).where(eq(users.id, id)))[0];
    expect(await profile(a.user.id)).toEqual({ r: null, e: null });
    expect(await t.db.select().from(auditLog).where(and(eq(auditLog.action, "user.trading_profile_updated"), eq(auditLog.actorId, a.user.id)))).toHaveLength(0);

    // An id in the input is not how the owner is chosen: the session's user is.
    await a.caller.library.setTradingProfile({ riskTolerance: "low", experience: null, userId: b.user.id } as never);
    expect(await profile(a.user.id)).toEqual({ r: "low", e: null });
    expect(await profile(b.user.id)).toEqual({ r: "high", e: "expert" });
    expect(await a.caller.library.tradingProfile()).toEqual({ riskTolerance: "low", experience: null });

    // Null clears an answer.
    await b.caller.library.setTradingProfile({ riskTolerance: null, experience: "expert" });
    expect(await profile(b.user.id)).toEqual({ r: null, e: "expert" });
    expect(await t.db.select().from(auditLog).where(eq(auditLog.action, "user.trading_profile_updated"))).toHaveLength(3);

    const anon = await callerFor(null);
    expect(await trpcCode(anon.library.setTradingProfile({ riskTolerance: "low", experience: "beginner" }))).toBe("UNAUTHORIZED");
    expect(await trpcCode(anon.library.tradingProfile())).toBe("UNAUTHORIZED");
  });

  it("curated strategies are read-only: the only mutation is the caller's own profile, and nothing changes a stored reference", async () => {
    const mutations = Object.entries(libraryRouter._def.procedures as Record<string, { _def: { type: string } }>)
      .filter(([, p]) => p._def.type === "mutation")
      .map(([name]) => name);
    expect(mutations).toEqual(["setTradingProfile"]);

    setMarketData(fakeMarket());
    const { caller } = await signedIn("admin");
    await caller.library.list();
    const before = await references(t.db);
    await caller.library.setTradingProfile({ riskTolerance: "high", experience: "expert" });
    await caller.library.get({ id: "rsi7-reversion" });
    expect(await references(t.db)).toEqual(before);
  });

  const fallback = path.resolve(import.meta.dirname, "../../../../../../shared/data");
  const dir = process.env.MARKET_DATA_DIR || (fs.existsSync(fallback) ? fallback : undefined);
  const real = replayAvailable(dir);
  if (!real) console.warn(`[library] real-data case skipped: no recorded candles (set MARKET_DATA_DIR; looked at ${dir ?? fallback})`);

  it.skipIf(!real)("on the replay: every market's reference on the recorded candles, at their recorded dates", async () => {
    const replay = new ReplayMarketData({ dir: dir!, now: () => NOW });
    await ensureReferenceBacktests({ db: t.db, market: replay, now: new Date(NOW) });
    const rows = await references(t.db);
    expect(rows).toHaveLength(CATALOGUE.length * REFERENCE_DATASETS.length);
    const goog = rows.find((r) => r.curatedId === "sma-cross" && r.symbol === "GOOG")!;
    expect(goog.dataFrom!.toISOString().slice(0, 4)).toBe("2004");
    expect(goog.settings).toMatchObject({ data: { kind: "replay", synthetic: false, label: expect.stringMatching(/^GOOG 1d candles recorded \w+ 2004–\w+ 201\d$/) } });
    const btc = rows.find((r) => r.curatedId === "ema-cross" && r.symbol === "BTC/USDT")!;
    expect(btc.settings).toMatchObject({ data: { label: expect.stringMatching(/^Binance BTC\/USDT 1h candles recorded/) } });
    expect(btc.dataTo!.getTime()).toBeLessThan(Date.UTC(2022, 10, 1));
    expect(btc.equity!.length).toBeLessThanOrEqual(MAX_EQUITY_POINTS);

    // Recommendations judged on the GOOG daily reference: each passes its profile's caps, and the lists differ.
    setMarketData(replay);
    const { caller } = await signedIn("subscriber");
    const listFor = async (riskTolerance: "low" | "medium" | "high", experience: "beginner" | "intermediate" | "expert") => {
      await caller.library.setTradingProfile({ riskTolerance, experience });
      return caller.library.recommendations();
    };
    const medium = await listFor("medium", "intermediate");
    expect(medium.basis).toMatch(/^GOOG 1d candles recorded/);
    expect(medium.items.length).toBeGreaterThan(0);
    for (const r of medium.items) {
      expect(r.complexity).toBeLessThanOrEqual(2);
      expect(r.maxDrawdownPct!).toBeLessThanOrEqual(40);
      expect(r.reasons.join(" ")).toMatch(/within the 40% limit for medium risk tolerance/);
    }
    const expert = await listFor("high", "expert");
    expect(expert.items).toHaveLength(CATALOGUE.length);
    const cautious = await listFor("low", "beginner");
    expect(cautious.items.length).toBeLessThan(medium.items.length);
    for (const r of cautious.items) expect(r.maxDrawdownPct!).toBeLessThanOrEqual(20);
  });
});
