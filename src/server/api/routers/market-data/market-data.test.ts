/**
 * marketData.priceSource: where the prices people see come from, for the labels on the marketplace and profiles.
 */
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { appSettings } from "@/server/db/schema";
import { DEMO_SOURCE_KEY, ReplayMarketData, replayAvailable, setMarketData, type MarketData } from "@/server/integrations/market-data";
import { instrumentPriceLabels, priceSourceNotice } from "@/lib/market-data/price-source";
import { useTestDatabase } from "@/test/db";
import { callerFor, trpcCode } from "@/test/factories";
import { FakeMarket } from "@/test/fake-market";
import { newProvider } from "@/test/signals";

const fallback = path.resolve(import.meta.dirname, "../../../../../../shared/data");
const dir = process.env.MARKET_DATA_DIR || (fs.existsSync(fallback) ? fallback : undefined);
const available = replayAvailable(dir);
if (!available) console.warn(`[market-data] priceSource replay case skipped: no recorded candles (set MARKET_DATA_DIR; looked at ${dir ?? fallback})`);

describe("marketData.priceSource", () => {
  const t = useTestDatabase();
  afterEach(() => setMarketData(undefined));

  it("a live exchange: its name, and with a provider, the instruments of its finished signals, most used first", async () => {
    const market = new FakeMarket();
    setMarketData(market);
    const a = await newProvider();
    const publish = (symbol: string, stopLoss: string) => a.caller.signals.publish({ symbol, side: "long", stopLoss });
    const closed = [await publish("ETH/USDT", "1900"), await publish("BTC/USDT", "31000"), await publish("ETH/USDT", "1900")];
    for (const { signal } of closed) await a.caller.signals.close({ id: signal.id });
    // Still open: its instrument is shown to entitled viewers only, so this public list must not name it.
    await publish("EUR/USD", "0.5");
    const anon = await callerFor(null);
    expect(await anon.marketData.priceSource({ providerSlug: a.provider.slug })).toEqual({
      source: { kind: "ccxt", exchange: "fake" },
      symbols: ["ETH/USDT", "BTC/USDT"],
    });
    expect(await anon.marketData.priceSource()).toEqual({ source: { kind: "ccxt", exchange: "fake" }, symbols: null });
    expect(await trpcCode(anon.marketData.priceSource({ providerSlug: "nobody-here" }))).toBe("NOT_FOUND");
  });

  it("a demo computed on synthetic prices is labelled synthetic whatever adapter is installed", async () => {
    setMarketData(new FakeMarket());
    await t.db.insert(appSettings).values({ key: DEMO_SOURCE_KEY, value: { kind: "synthetic", source: "synthetic", chosenAt: new Date().toISOString() } });
    const { source } = await (await callerFor(null)).marketData.priceSource();
    expect(source).toEqual({ kind: "synthetic" });
    expect(priceSourceNotice(source, Date.now()).title).toBe("Synthetic prices — demo data.");
  });

  it("asks any replay adapter for its recordings, even one made from another bundle's copy of the class", async () => {
    // Next.js installs the adapter from the start-up bundle; the routes' ReplayMarketData is another class object.
    const series = [{ symbol: "BTC/USDT", venue: "Binance", timeframe: "1h" as const, recordedFrom: 1, recordedTo: 2, offsetMs: 3 }];
    setMarketData({ kind: "replay", source: "replay", replayedSeries: async () => series } as unknown as MarketData);
    expect((await (await callerFor(null)).marketData.priceSource()).source).toEqual({ kind: "replay", series });
    // A test double that only says "replay" has no recordings to describe.
    setMarketData({ kind: "replay", source: "replay" } as unknown as MarketData);
    expect((await (await callerFor(null)).marketData.priceSource()).source).toEqual({ kind: "replay", series: [] });
  });

  it.skipIf(!available)("the replay: every recording with its span and stored offset, which the labels are written from", async () => {
    const now = Date.UTC(2026, 11, 6, 13, 37);
    const replay = new ReplayMarketData({ dir: dir!, now: () => now });
    setMarketData(replay);
    const { source } = await (await callerFor(null)).marketData.priceSource();
    if (source.kind !== "replay") throw new Error(`expected the replay, got ${source.kind}`);
    expect(source.series).toHaveLength(9);
    const offsets = await replay.replayOffsets();
    for (const s of source.series) expect(s.offsetMs, s.symbol).toBe(offsets[s.symbol]);
    expect(instrumentPriceLabels(source, ["BTC/USDT", "DOGE/USDT"], now).map((l) => l.label)).toEqual([
      "Binance BTC/USDT 1h, recorded Jul 2021–Jul 2022, replayed",
      "Binance DOGE/USDT 1h, recorded Jul 2021–Jul 2022, replayed",
    ]);
    expect(priceSourceNotice(source, now).body).toContain(
      "Binance BTC/USDT, ETH/USDT, BNB/USDT, XRP/USDT, ADA/USDT, SOL/USDT and DOGE/USDT 1h, recorded Jul 2021–Jul 2022; EUR/USD 1h, recorded",
    );
  });
});
