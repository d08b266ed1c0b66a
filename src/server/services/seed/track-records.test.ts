/**
 * Demo track records from real recorded prices: each demo provider's history verifies as a chain, its figures are
 * rolled up, and the outcomes agree with the lifecycle rules. Needs the shared recordings; skips without them.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, count, eq, inArray } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { providerStats, providers, signals } from "@/server/db/schema";
import { ReplayMarketData, setMarketData } from "@/server/integrations/market-data";
import { verifyStoredChain } from "@/server/services/chain";
import { seedDemo } from "./index";
import { DEMO_PAID_FOLLOWS } from "./billing";
import { backfillDemoTrackRecords, DEMO_PLANS } from "./track-records";

const candidates = [process.env.MARKET_DATA_DIR, path.resolve(import.meta.dirname, "../../../../../shared/data")].filter(Boolean) as string[];
const dir = candidates.find((d) => fs.existsSync(path.join(d, "candles")));
if (!dir) console.log("track-records.test: skipped, no recorded market data (set MARKET_DATA_DIR or provide ../shared/data)");

describe.skipIf(!dir)("demo track records over recorded prices", () => {
  const t = useTestDatabase();
  beforeAll(() => setMarketData(new ReplayMarketData({ dir: dir! })));
  afterAll(() => setMarketData(undefined));

  it("writes a year of signals per demo provider that verify as hash chains, with stats rolled up", async () => {
    await seedDemo(t.db);
    const result = await backfillDemoTrackRecords(t.db);
    expect(result.providers).toBe(Object.keys(DEMO_PLANS).length);
    expect(result.signals).toBeGreaterThan(12 * 20);

    const rows = await t.db.select({ id: providers.id, slug: providers.slug }).from(providers);
    // The loop checks each provider: it must have every planned one to check (and the demo login's own).
    expect(rows.length).toBe(Object.keys(DEMO_PLANS).length + 1);
    expect(rows.map((p) => p.slug)).toContain("demo-provider");
    for (const p of rows) {
      const [n] = await t.db.select({ n: count() }).from(signals).where(eq(signals.providerId, p.id));
      if (p.slug === "demo-provider") {
        expect(n!.n).toBe(0);
        continue;
      }
      expect(n!.n, p.slug).toBeGreaterThan(10);
      const verification = await verifyStoredChain(p.id);
      expect(verification.problems, p.slug).toEqual([]);
      expect(verification.ok).toBe(true);
      const stats = await t.db.select().from(providerStats).where(eq(providerStats.providerId, p.id));
      expect(stats.map((s) => s.window).sort()).toEqual(["1y", "30d", "90d", "all"]);
    }

    // Outcomes are real: closed signals carry results consistent with their exits.
    const closed = await t.db.select().from(signals).where(eq(signals.status, "closed")).limit(200);
    expect(closed.length).toBeGreaterThan(50);
    for (const s of closed) {
      expect(s.exitPrice).not.toBeNull();
      expect(s.resultPct).not.toBeNull();
      const up = Number(s.exitPrice) > Number(s.fillPrice);
      // A long that exited above its entry made money before fees, and vice versa (fees can flip tiny moves).
      if (Math.abs(Number(s.exitPrice) / Number(s.fillPrice) - 1) > 0.005) {
        expect(Number(s.resultPct) > 0, s.id).toBe(s.side === "long" ? up : !up);
      }
    }

    // The demo trader's paid providers have live signals for the dashboard (timeline.test.ts: at any seeding time).
    for (const slug of DEMO_PAID_FOLLOWS) {
      const [p] = await t.db.select({ id: providers.id }).from(providers).where(eq(providers.slug, slug));
      const [live] = await t.db
        .select({ n: count() })
        .from(signals)
        .where(and(eq(signals.providerId, p!.id), inArray(signals.status, ["open", "pending"])));
      expect(live!.n, slug).toBeGreaterThan(0);
    }
    // Every recorded Binance pair is traded by some provider, at its own precision.
    const symbols = await t.db.selectDistinct({ symbol: signals.symbol }).from(signals);
    expect(symbols.map((s) => s.symbol).sort()).toEqual(["ADA/USDT", "BNB/USDT", "BTC/USDT", "DOGE/USDT", "ETH/USDT", "EUR/USD", "SOL/USDT", "XRP/USDT"]);
    const [doge] = await t.db.select().from(signals).where(eq(signals.symbol, "DOGE/USDT")).limit(1);
    expect(Number(doge!.entryPrice)).toBeLessThan(1);
    expect(doge!.entryPrice.replace(/0+$/, "").split(".")[1]!.length).toBeGreaterThan(2);

    // Idempotent: a second run writes nothing.
    expect(await backfillDemoTrackRecords(t.db)).toEqual({ providers: 0, signals: 0, prices: "replay" });
  }, 180_000);
});
