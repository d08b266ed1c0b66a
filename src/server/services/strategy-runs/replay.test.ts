/**
 * Acceptance 5 on the recorded candles: a curated strategy (RSI(3) reversion) runs live for a week of the BTC/USDT
 * 1h recording replayed by the market-data adapter (its clock moved hour by hour, a tick a minute after each close,
 * as the job would). Its signals go through the normal publication (source "strategy"), its chain verifies, its
 * record holds only signals published after the run started, a retried tick adds nothing, and the kill switch ends
 * it: a tick after the stop publishes nothing. Skipped without the recordings (MARKET_DATA_DIR).
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { signedIn } from "@/test/factories";
import { actingAs } from "@/test/signals";
import { waitForInlineRuns } from "@/server/jobs/inline/runner";
import { resetRateLimits } from "@/server/rate-limit";
import { signals } from "@/server/db/schema";
import { verifyStoredChain } from "@/server/services/chain";
import { ReplayMarketData, replayAvailable, setMarketData } from "@/server/integrations/market-data";
import { startRun, stopRun, tickRun } from ".";

const fallback = path.resolve(import.meta.dirname, "../../../../../shared/data");
const dir = process.env.MARKET_DATA_DIR || (fs.existsSync(fallback) ? fallback : undefined);
const available = replayAvailable(dir);
if (!available) console.warn(`[strategy-runs] replay test skipped: no recorded candles (set MARKET_DATA_DIR to the shared data folder; looked at ${dir ?? fallback})`);

const H = 3_600_000;
/** The run starts on the hour of an arbitrary "real" instant; the replay maps its recording onto that clock. */
const START = Date.UTC(2025, 5, 16, 9);

describe.skipIf(!available)("a strategy run live on the replayed recording (acceptance 5)", () => {
  const t = useTestDatabase();
  let clock = START;
  beforeAll(() => setMarketData(new ReplayMarketData({ dir: dir as string, now: () => clock })));
  afterAll(() => setMarketData(undefined));
  beforeEach(() => resetRateLimits());
  afterEach(() => waitForInlineRuns());

  it("publishes through the normal path for a week, verifies, never twice, and stops at once", async () => {
    const { user } = await signedIn("provider");
    clock = START;
    const run = await startRun(actingAs(user, { now: new Date(START) }), {
      source: { kind: "curated", curatedId: "rsi3-reversion", params: { trendPeriod: 0 } },
      symbol: "BTC/USDT",
      timeframe: "1h",
      maxTradesPerDay: 100,
      maxDailyLoss: "0.5",
      confirm: true,
    });
    let published = 0;
    let exited = 0;
    for (let k = 1; k <= 7 * 24; k++) {
      clock = START + k * H + 60_000;
      resetRateLimits();
      const r = await tickRun(run.id, new Date(clock));
      published += r.published;
      exited += r.exited;
    }
    const record = await t.db.select().from(signals).where(eq(signals.providerId, run.providerId)).orderBy(signals.number);
    expect(published).toBeGreaterThan(2);
    expect(record).toHaveLength(published);
    expect(record.every((s) => s.source === "strategy" && s.side === "long" && s.publishedAt.getTime() > START)).toBe(true);
    expect(record.every((s) => s.idempotencyKey!.startsWith(`${run.id}:`))).toBe(true);
    expect(record.filter((s) => s.status === "closed")).toHaveLength(exited);
    expect((await verifyStoredChain(run.providerId)).ok).toBe(true);

    // The last tick again: nothing new.
    expect((await tickRun(run.id, new Date(clock))).published).toBe(0);

    // The kill switch: any open signal closed at the market; the next hours publish nothing.
    const out = await stopRun(actingAs(user, { now: new Date(clock) }), run.id);
    expect(out.run.status).toBe("stopped");
    for (let k = 1; k <= 48; k++) {
      clock += H;
      expect((await tickRun(run.id, new Date(clock))).published).toBe(0);
    }
    const after = await t.db.select().from(signals).where(eq(signals.providerId, run.providerId));
    expect(after).toHaveLength(published);
    expect(after.every((s) => s.status === "closed")).toBe(true);
    expect((await verifyStoredChain(run.providerId)).ok).toBe(true);
  }, 300_000);
});
