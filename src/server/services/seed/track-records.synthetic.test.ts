/**
 * Demo track records where there are neither recordings nor an exchange: the demo falls back, fast, to the
 * synthetic walk, records that choice, labels every figure computed on it, and its chains still verify.
 * Runs everywhere: no shared data, no network (the "exchange" here is a test double that never answers).
 */
import { afterEach, describe, expect, it } from "vitest";
import { count, eq, inArray } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { callerFor } from "@/test/factories";
import { appSettings, providerStats, providers, signals } from "@/server/db/schema";
import {
  chooseDemoMarketData,
  createMarketData,
  DEMO_SOURCE_KEY,
  getMarketData,
  readDemoPriceSource,
  setMarketData,
  SYNTHETIC_SERIES_KEY,
  type MarketData,
} from "@/server/integrations/market-data";
import { verifyStoredChain } from "@/server/services/chain";
import { runPriceMonitor } from "@/server/services/signals/monitor";
import { seedDemo } from "./index";
import { backfillDemoTrackRecords, DEMO_PLANS } from "./track-records";

/** An exchange adapter as configured without recordings, on a machine that is offline: it never answers. */
function silentExchange() {
  const asked: string[] = [];
  const never = (what: string) => () => {
    asked.push(what);
    return new Promise<never>(() => {});
  };
  const market = {
    kind: "ccxt",
    source: "ccxt:binance",
    listSymbols: never("listSymbols"),
    getSymbol: never("getSymbol"),
    lastPrice: never("lastPrice"),
    candles: never("candles"),
  } as unknown as MarketData;
  return { market, asked };
}

/** An exchange adapter that answers (the online case); its candles are never needed by these tests. */
function answeringExchange(): MarketData {
  return {
    kind: "ccxt",
    source: "ccxt:binance",
    listSymbols: async () => [],
    getSymbol: async (symbol: string) => ({ symbol, base: "BTC", quote: "USDT", market: "crypto", pricePrecision: 2 }),
    lastPrice: async () => {
      throw new Error("not in this test");
    },
    candles: async () => {
      throw new Error("not in this test");
    },
  } as MarketData;
}

describe("demo track records without recorded candles or an exchange", () => {
  const t = useTestDatabase();
  afterEach(() => setMarketData(undefined));

  it("fall back to synthetic prices within the probe timeout, record and label them, and verify as hash chains", async () => {
    const exchange = silentExchange();
    setMarketData(exchange.market);
    await seedDemo(t.db);

    const started = performance.now();
    const result = await backfillDemoTrackRecords(t.db, new Date(), { probeTimeoutMs: 100 });
    expect(result.prices).toBe("synthetic");
    expect(result.providers).toBe(Object.keys(DEMO_PLANS).length);
    expect(result.signals).toBeGreaterThan(12 * 20);
    // The exchange was asked once, for the probe, and never again.
    expect(exchange.asked).toEqual(["getSymbol"]);
    expect(performance.now() - started).toBeLessThan(120_000);

    expect(await readDemoPriceSource(t.db)).toMatchObject({ kind: "synthetic", source: "synthetic" });
    const [params] = await t.db.select().from(appSettings).where(eq(appSettings.key, SYNTHETIC_SERIES_KEY));
    expect(params?.value).toMatchObject({ seed: "tradsy-demo-v1", origin: expect.any(Number) });
    // The rest of the process judges prices on the same walk, so the demo's open signals move on the prices
    // they were published on.
    expect(getMarketData().kind).toBe("synthetic");

    const rows = await t.db.select({ id: providers.id, slug: providers.slug }).from(providers);
    // The loop checks each planned provider: it must have every one of them to check.
    expect(rows.filter((r) => r.slug !== "demo-provider")).toHaveLength(Object.keys(DEMO_PLANS).length);
    for (const p of rows.filter((r) => r.slug !== "demo-provider")) {
      const [n] = await t.db.select({ n: count() }).from(signals).where(eq(signals.providerId, p.id));
      expect(n!.n, p.slug).toBeGreaterThan(10);
      const verification = await verifyStoredChain(p.id);
      expect(verification.problems, p.slug).toEqual([]);
      expect(verification.ok).toBe(true);
      const stats = await t.db.select().from(providerStats).where(eq(providerStats.providerId, p.id));
      expect(stats.map((s) => s.window).sort(), p.slug).toEqual(["1y", "30d", "90d", "all"]);
    }
    // Every symbol the plans trade exists in the walk: the FX plans got EUR/USD, not a stand-in.
    const symbols = await t.db.selectDistinct({ symbol: signals.symbol }).from(signals);
    expect(symbols.map((s) => s.symbol).sort()).toEqual([...new Set(Object.values(DEMO_PLANS).flatMap((p) => p.symbols))].sort());
    expect(symbols).toHaveLength(8);

    // Outcomes come from the lifecycle code: closed signals carry exits and results that agree with them.
    const closed = await t.db.select().from(signals).where(eq(signals.status, "closed")).limit(200);
    expect(closed.length).toBeGreaterThan(50);
    for (const s of closed) {
      expect(s.exitPrice).not.toBeNull();
      if (Math.abs(Number(s.exitPrice) / Number(s.fillPrice) - 1) > 0.005) {
        expect(Number(s.resultPct) > 0, s.id).toBe(s.side === "long" ? Number(s.exitPrice) > Number(s.fillPrice) : Number(s.exitPrice) < Number(s.fillPrice));
      }
    }

    // The open ones are judged on the same walk without a failure.
    const open = await t.db.select({ n: count() }).from(signals).where(inArray(signals.status, ["open", "pending"]));
    const monitor = await runPriceMonitor(new Date());
    expect(monitor.signals).toBe(open[0]!.n);
    expect(monitor.failed).toBe(0);

    // Labelled wherever the figures are shown.
    const caller = await callerFor(null);
    const board = await caller.providers.leaderboard({});
    expect(board.syntheticPrices).toBe(true);
    expect((await caller.providers.trackRecord({ slug: "momentum-desk" })).syntheticPrices).toBe(true);

    // Idempotent: nothing more to write, and the stored choice stands.
    expect(await backfillDemoTrackRecords(t.db, new Date(), { probeTimeoutMs: 100 })).toEqual({ providers: 0, signals: 0, prices: "synthetic" });
    expect(exchange.asked).toEqual(["getSymbol"]);
  }, 180_000);

  it("a later start takes over the stored synthetic choice without asking the exchange, even with nothing to write", async () => {
    const exchange = silentExchange();
    await t.db.insert(appSettings).values({ key: DEMO_SOURCE_KEY, value: { kind: "synthetic", source: "synthetic", chosenAt: new Date().toISOString() } });
    setMarketData(exchange.market);
    expect(await backfillDemoTrackRecords(t.db)).toEqual({ providers: 0, signals: 0, prices: "synthetic" });
    expect(getMarketData().kind).toBe("synthetic");
    expect(exchange.asked).toEqual([]);
  });

  it("MARKET_EXCHANGE=none goes synthetic without any exchange; an exchange that answers is recorded and not labelled", async () => {
    setMarketData(createMarketData({ exchangeId: "none" }));
    expect((await chooseDemoMarketData({ db: t.db }))?.source.kind).toBe("synthetic");

    await t.db.delete(appSettings);
    setMarketData(answeringExchange());
    const chosen = await chooseDemoMarketData({ db: t.db, probeTimeoutMs: 100 });
    expect(chosen?.source).toMatchObject({ kind: "ccxt", source: "ccxt:binance" });
    expect(getMarketData().kind).toBe("ccxt");
    expect((await (await callerFor(null)).providers.leaderboard({})).syntheticPrices).toBe(false);
  });

  it("a production PostgreSQL database gets no synthetic prices: nothing is written or recorded", async () => {
    setMarketData(silentExchange().market);
    await seedDemo(t.db);
    await expect(backfillDemoTrackRecords(t.db, new Date(), { probeTimeoutMs: 50, allowSynthetic: false })).rejects.toThrow(/did not answer/);
    expect(await readDemoPriceSource(t.db)).toBeNull();
    expect(await t.db.select({ n: count() }).from(signals)).toEqual([{ n: 0 }]);
  });
});
