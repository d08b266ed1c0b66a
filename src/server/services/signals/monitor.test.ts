/**
 * The price monitor end to end: signals published through the service, candles from the (fake) market adapter,
 * `runPriceMonitor` deciding fills, partial closes, stops, gaps and expiries, re-runs adding nothing, every change
 * on the hash chain, and the stats roll-up writing `provider_stats` once signals close.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { asc, eq, sql } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { candle, useFakeMarket } from "@/test/fake-market";
import { actingAs, newProvider, rawRows } from "@/test/signals";
import { db } from "@/server/db";
import { providerStats, providers, signalEvents, signals } from "@/server/db/schema";
import { resetRateLimits } from "@/server/rate-limit";
import { verifyStoredChain } from "@/server/services/chain";
import { waitForInlineRuns } from "@/server/jobs/inline/runner";
import { rMultiple, signalReturn } from "@/lib/stats";
import { applyLifecycle, monitorSignal, moveStop, publishSignal } from "./index";
import { runPriceMonitor } from "./monitor";

const t = useTestDatabase();
const market = useFakeMarket();
beforeEach(() => resetRateLimits());
afterEach(() => waitForInlineRuns());

const HOUR = 3_600_000;
/** A whole hour well in the past, so every candle in these tests is closed by "now". */
const T0 = Math.floor(Date.now() / HOUR) * HOUR - 48 * HOUR;
const h = (n: number) => T0 + n * HOUR;

async function eventsOf(signalId: string) {
  const rows = await db.select().from(signalEvents).where(eq(signalEvents.signalId, signalId)).orderBy(asc(signalEvents.seq));
  return rows.map((e) => ({ kind: e.kind, at: e.at, ...e.data }));
}

const row = async (id: string) => (await db.query.signals.findFirst({ where: eq(signals.id, id) }))!;

async function statsOf(providerId: string) {
  await waitForInlineRuns();
  const rows = await db.select().from(providerStats).where(eq(providerStats.providerId, providerId));
  return Object.fromEntries(rows.map((r) => [r.window, r]));
}

describe("runPriceMonitor", () => {
  it("fills a limit long, takes the first target, then stops out the rest; re-runs add nothing", async () => {
    const p = await newProvider();
    const { signal } = await publishSignal(
      actingAs(p.user, { now: new Date(h(0) + 5 * 60_000) }),
      p.provider.id,
      { symbol: "BTC/USDT", side: "long", entryType: "limit", entryPrice: "31500", stopLoss: "31000", takeProfits: [{ price: "32500", share: "0.5" }, { price: "33500", share: "0.5" }] },
      "ui",
    );
    market.setCandles("BTC/USDT", "1h", [
      // Opened before publication: its low would fill and stop the signal, but it cannot count.
      candle(h(0), "32000", "32100", "30500", "31900"),
      // Trades through the limit (fill at the limit); its high reaches target 1, which the fill candle cannot take.
      candle(h(1), "31800", "32600", "31400", "32200"),
      candle(h(2), "32200", "32700", "31600", "32400"),
      candle(h(3), "32400", "32450", "30900", "31100"),
    ]);

    const steps: [number, string[]][] = [
      [h(2), ["filled"]],
      [h(3), ["filled", "partial_close"]],
      [h(6), ["filled", "partial_close", "closed"]],
    ];
    for (const [now, kinds] of steps) {
      for (let run = 0; run < 2; run++) {
        const summary = await runPriceMonitor(new Date(now));
        expect((await eventsOf(signal.id)).map((e) => e.kind), `at +${(now - T0) / HOUR}h, run ${run + 1}`).toEqual(["published", ...kinds]);
        if (run === 1) expect(summary.events, "a re-run finds nothing new").toBe(0);
      }
    }

    expect((await eventsOf(signal.id)).slice(1)).toEqual([
      { kind: "filled", at: new Date(h(2)).toISOString(), price: "31500" },
      { kind: "partial_close", at: new Date(h(3)).toISOString(), price: "32500", share: "0.5", reason: "target", level: 1 },
      expect.objectContaining({ kind: "closed", at: new Date(h(4)).toISOString(), price: "31000", share: "0.5", reason: "stop", exitPrice: "31750" }),
    ]);
    const legs = [
      { price: "32500", share: "0.5", at: new Date(h(3)) },
      { price: "31000", share: "0.5", at: new Date(h(4)) },
    ];
    const expected = { id: signal.id, side: "long" as const, entryPrice: "31500", initialStop: "31000", openedAt: new Date(h(2)), closedAt: new Date(h(4)), legs };
    expect(await row(signal.id)).toMatchObject({
      status: "closed",
      fillPrice: "31500",
      filledAt: new Date(h(2)),
      closedAt: new Date(h(4)),
      remaining: "0",
      targetsHit: [0],
      exitPrice: "31750",
      exitReason: "stop",
      resultPct: signalReturn(expected),
      resultR: rMultiple(expected),
    });
    expect((await verifyStoredChain(p.provider.id)).ok).toBe(true);

    // Already closed: a later run leaves it alone.
    expect(await runPriceMonitor(new Date(h(10)))).toMatchObject({ signals: 0, events: 0 });

    const stats = await statsOf(p.provider.id);
    expect(Object.keys(stats).sort()).toEqual(["1y", "30d", "90d", "all"]);
    for (const w of ["30d", "90d", "1y", "all"]) expect(stats[w], w).toMatchObject({ closedSignals: 1, wins: 1 });
  });

  it("counts the stop first when stop and target trade in the same candle", async () => {
    const p = await newProvider();
    const meta = actingAs(p.user, { now: new Date(h(0) + 60_000) });
    const long = await publishSignal(meta, p.provider.id, { symbol: "BTC/USDT", side: "long", stopLoss: "31500", takeProfits: [{ price: "32600", share: "1" }] }, "ui");
    const short = await publishSignal(meta, p.provider.id, { symbol: "ETH/USDT", side: "short", stopLoss: "2050", takeProfits: [{ price: "1950", share: "0.5" }, { price: "1900", share: "0.5" }] }, "ui");
    market.setCandles("BTC/USDT", "1h", [candle(h(1), "32050", "32700", "31400", "32650")]);
    market.setCandles("ETH/USDT", "1h", [candle(h(1), "2000", "2060", "1890", "1900")]);

    const summary = await runPriceMonitor(new Date(h(3)));
    expect(summary).toMatchObject({ symbols: 2, signals: 2, events: 2, failed: 0 });
    for (const [s, stop] of [
      [long.signal, "31500"],
      [short.signal, "2050"],
    ] as const) {
      expect((await eventsOf(s.id)).map((e) => e.kind)).toEqual(["published", "closed"]);
      expect(await row(s.id)).toMatchObject({ status: "closed", exitPrice: stop, exitReason: "stop", targetsHit: [], closedAt: new Date(h(2)) });
    }
    expect(Number((await row(long.signal.id)).resultPct)).toBeLessThan(0);
    expect((await runPriceMonitor(new Date(h(3)))).events).toBe(0);

    const stats = await statsOf(p.provider.id);
    expect(stats.all).toMatchObject({ closedSignals: 2, wins: 0 });
    expect((await verifyStoredChain(p.provider.id)).ok).toBe(true);
  });

  it("exits at the open when the market gaps through the stop", async () => {
    const p = await newProvider();
    const { signal } = await publishSignal(actingAs(p.user, { now: new Date(h(0)) }), p.provider.id, { symbol: "BTC/USDT", side: "short", stopLoss: "32500" }, "api");
    market.setCandles("BTC/USDT", "1h", [candle(h(0), "32045.14", "32400", "31900", "32300"), candle(h(1), "32800", "33000", "32700", "32900")]);
    await runPriceMonitor(new Date(h(5)));
    expect(await row(signal.id)).toMatchObject({ status: "closed", exitPrice: "32800", exitReason: "stop", closedAt: new Date(h(2)) });
  });

  it("judges a moved stop only by candles that open after the move", async () => {
    const p = await newProvider();
    const { signal } = await publishSignal(actingAs(p.user, { now: new Date(h(0)) }), p.provider.id, { symbol: "BTC/USDT", side: "long", stopLoss: "30000" }, "ui");
    const history = [candle(h(0), "32045.14", "32100", "31200", "32000"), candle(h(1), "32000", "32300", "31400", "32200")];
    market.setCandles("BTC/USDT", "1h", history);
    expect((await runPriceMonitor(new Date(h(1)))).events).toBe(0);
    // Half way through the +1h candle the stop moves up to 31500. That candle's low (31400) may have traded before
    // the move, so it must not stop the signal out.
    await moveStop(actingAs(p.user, { now: new Date(h(1) + 30 * 60_000) }), { providerId: p.provider.id, signalId: signal.id }, "31500");
    await runPriceMonitor(new Date(h(4)));
    expect((await eventsOf(signal.id)).map((e) => e.kind)).toEqual(["published", "stop_moved"]);
    expect((await row(signal.id)).status).toBe("open");
    market.setCandles("BTC/USDT", "1h", [...history, candle(h(2), "32200", "32250", "31450", "31600")]);
    await runPriceMonitor(new Date(h(4)));
    expect(await row(signal.id)).toMatchObject({ status: "closed", exitPrice: "31500", exitReason: "stop", closedAt: new Date(h(3)) });
    expect((await verifyStoredChain(p.provider.id)).ok).toBe(true);
  });

  it("expires an untouched limit at its expiry; the roll-up counts no closed signal", async () => {
    const p = await newProvider();
    const { signal } = await publishSignal(
      actingAs(p.user, { now: new Date(h(0)) }),
      p.provider.id,
      { symbol: "EUR/USD", side: "long", entryType: "limit", entryPrice: "1.08", stopLoss: "1.075", expiresInHours: 2 },
      "ui",
    );
    market.setCandles("EUR/USD", "1h", [0, 1, 2, 3].map((i) => candle(h(i), "1.085", "1.0870", "1.0810", "1.0850")));
    await runPriceMonitor(new Date(h(5)));
    expect((await eventsOf(signal.id)).map((e) => [e.kind, e.at])).toEqual([
      ["published", new Date(h(0)).toISOString()],
      ["expired", new Date(h(2)).toISOString()],
    ]);
    expect(await row(signal.id)).toMatchObject({ status: "expired", exitReason: "expired", fillPrice: null, closedAt: new Date(h(2)) });
    expect((await statsOf(p.provider.id)).all).toMatchObject({ closedSignals: 0 });
    expect((await verifyStoredChain(p.provider.id)).ok).toBe(true);
  });

  it("counts a symbol without candles as failed and leaves its signals untouched", async () => {
    const p = await newProvider();
    const { signal } = await publishSignal(actingAs(p.user, { now: new Date(h(0)) }), p.provider.id, { symbol: "ETH/USDT", side: "long", stopLoss: "1900" }, "ui");
    expect(await runPriceMonitor(new Date(h(3)))).toMatchObject({ symbols: 1, signals: 1, events: 0, failed: 1 });
    expect(await row(signal.id)).toMatchObject({ status: "open", checkedUntil: null });
  });

  it("does not act on a signal that changed while it waited for the provider's lock", async (ctx) => {
    // PGlite runs one transaction at a time, so the interleaving below only exists on PostgreSQL.
    if (t.handle.kind !== "postgres") return ctx.skip();
    const p = await newProvider();
    const { signal } = await publishSignal(
      actingAs(p.user, { now: new Date(h(0)) }),
      p.provider.id,
      { symbol: "BTC/USDT", side: "long", stopLoss: "31500", takeProfits: [{ price: "32100", share: "0.5" }, { price: "33000", share: "0.5" }] },
      "ui",
    );
    const candles = [candle(h(1), "32045.14", "32200", "31900", "32150")]; // reaches target 1

    // A manual close holds the provider lock and commits only once the monitor has read the signal and is waiting.
    let release!: () => void;
    let closedUncommitted!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const holding = new Promise<void>((r) => (closedUncommitted = r));
    const manual = db.transaction(async (tx) => {
      await tx.select({ id: providers.id }).from(providers).where(eq(providers.id, p.provider.id)).for("no key update");
      const current = (await tx.query.signals.findFirst({ where: eq(signals.id, signal.id) }))!;
      await applyLifecycle(tx, current, [{ kind: "closed", at: new Date(h(1) + 600_000), price: "32000", share: "1", reason: "manual" }]);
      closedUncommitted();
      await gate;
    });
    await holding;
    const monitored = monitorSignal(signal.id, candles, HOUR);
    const deadline = Date.now() + 5000;
    while ((await rawRows<{ n: number }>(sql`select count(*)::int as n from pg_locks where not granted`))[0]!.n === 0) {
      if (Date.now() > deadline) throw new Error("the monitor never waited for the lock");
      await new Promise((r) => setTimeout(r, 10));
    }
    release();
    await manual;
    const result = await monitored;

    expect(result?.events ?? []).toEqual([]);
    expect((await eventsOf(signal.id)).map((e) => e.kind)).toEqual(["published", "closed"]);
    expect(await row(signal.id)).toMatchObject({ status: "closed", exitPrice: "32000", exitReason: "manual" });
    expect((await verifyStoredChain(p.provider.id)).ok).toBe(true);
  });
});
