/**
 * The optimistic publication (the TradingView webhook's hot path): when this process wrote a provider's last chain
 * entry, the next signal goes in one statement that checks that guess under the provider's lock. It must store the
 * same row and chain entry as the locked way, write nothing when any guess or condition is wrong, and lose races
 * cleanly (the caller then goes the locked way).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { asc, eq } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { useFakeMarket } from "@/test/fake-market";
import { actingAs, newProvider, rowCounts } from "@/test/signals";
import { db } from "@/server/db";
import { auditLog, providers, signalEvents, signals, webhookDeliveries } from "@/server/db/schema";
import { resetRateLimits } from "@/server/rate-limit";
import { verifyStoredChain } from "@/server/services/chain";
import { handleAlert, rotateWebhookToken } from "@/server/services/tradingview";
import { waitForInlineRuns } from "@/server/jobs/inline/runner";
import { serviceContext, systemContext } from "@/server/services/context";
import { checkPublication, closeSignal, publishOptimistic, publishSignal, type PublishDelivery } from "./index";
import { toView } from "./views";

const t = useTestDatabase();
const market = useFakeMarket();
beforeEach(() => resetRateLimits());
afterEach(() => waitForInlineRuns());

const delivery = (key: string): PublishDelivery => ({ key, answer: (signal) => ({ status: 201, body: { signal: toView(signal, "owner") } }) });

async function setUp() {
  const p = await newProvider();
  const meta = actingAs(p.user);
  // The locked way writes the first signal, so this process knows the head afterwards.
  const first = await publishSignal(meta, p.provider.id, { symbol: "BTC/USDT", side: "long" }, "ui");
  const check = (key: string, input: Record<string, unknown> = {}) => checkPublication(meta, p.provider.id, { symbol: "ETH/USDT", side: "long", idempotencyKey: key, ...input });
  return { p, meta, first: first.signal, check };
}

describe("publishOptimistic", () => {
  it("writes the row, chain entry, audit row and delivery the locked way would, in one statement", async () => {
    const { p, meta, first, check } = await setUp();
    market.setPrice("ETH/USDT", "2000.50");
    const result = await publishOptimistic(meta, p.provider.id, await check("k1", { stopLoss: "1900.0", takeProfits: [{ price: "2100", share: "1" }] }), "tradingview", delivery("d1"));
    expect(result).not.toBeNull();
    const [row] = await db.select().from(signals).where(eq(signals.id, result!.signal.id));
    expect(result!.signal).toEqual(row);
    expect(row).toMatchObject({ number: 2, entryPrice: "2000.50", initialStop: "1900", prevHash: first.hash, idempotencyKey: "k1", source: "tradingview" });
    const events = await db.select().from(signalEvents).where(eq(signalEvents.providerId, p.provider.id)).orderBy(asc(signalEvents.seq));
    expect(events.map((e) => [e.seq, e.signalId, e.hash])).toEqual([
      [1, first.id, first.hash],
      [2, row!.id, row!.hash],
    ]);
    const [stored] = await db.select().from(webhookDeliveries).where(eq(webhookDeliveries.key, "d1"));
    expect(stored).toMatchObject({ providerId: p.provider.id, status: 201, response: JSON.parse(JSON.stringify(result!.body)) });
    expect(await db.select().from(auditLog).where(eq(auditLog.targetId, row!.id))).toMatchObject([{ actorId: p.user.id, action: "signal.published", data: { source: "tradingview" } }]);
    expect((await verifyStoredChain(p.provider.id)).ok).toBe(true);
    // And again from its own write: the guess moves on with each publication.
    const third = await publishOptimistic(meta, p.provider.id, await check("k2"), "tradingview", delivery("d2"));
    expect(third?.signal).toMatchObject({ number: 3, prevHash: row!.hash });
    expect((await verifyStoredChain(p.provider.id)).ok).toBe(true);
  });

  it("writes nothing without a guess: a provider this process has not written for", async () => {
    const p = await newProvider();
    const checked = await checkPublication(systemContext(), p.provider.id, { symbol: "BTC/USDT", side: "long" });
    const before = await rowCounts();
    expect(await publishOptimistic(systemContext(), p.provider.id, checked, "api", delivery("d"))).toBeNull();
    expect(await rowCounts()).toEqual(before);
  });

  it("writes nothing when the chain moved on elsewhere (another process's append), then the locked way publishes", async () => {
    const { p, meta, check } = await setUp();
    // Another process: its own module instances, its own guesses, the same database.
    vi.resetModules();
    const other = await import("./index");
    await other.publishSignal(systemContext(), p.provider.id, { symbol: "EUR/USD", side: "short" }, "api");
    vi.resetModules();
    const before = await rowCounts();
    expect(await publishOptimistic(meta, p.provider.id, await check("k1"), "tradingview", delivery("d1"))).toBeNull();
    expect(await rowCounts()).toEqual(before);
    const { signal } = await publishSignal(meta, p.provider.id, { symbol: "ETH/USDT", side: "long", idempotencyKey: "k1" }, "ui");
    expect(signal.number).toBe(3);
    expect((await verifyStoredChain(p.provider.id)).ok).toBe(true);
  });

  it("forgets its guess when it appends another kind of entry itself (a close)", async () => {
    const { p, meta, first, check } = await setUp();
    await closeSignal(meta, { providerId: p.provider.id, signalId: first.id }, {});
    expect(await publishOptimistic(meta, p.provider.id, await check("k1"), "tradingview", delivery("d1"))).toBeNull();
  });

  it("writes nothing when the key or the delivery is already taken, or the caller's guard fails", async () => {
    const { p, meta, check } = await setUp();
    const checked = await check("k1");
    expect(await publishOptimistic(meta, p.provider.id, checked, "tradingview", delivery("d1"))).not.toBeNull();
    const before = await rowCounts();
    // The same idempotency key with a new delivery, a new key with the same delivery, a guard that does not hold.
    expect(await publishOptimistic(meta, p.provider.id, checked, "tradingview", delivery("d2"))).toBeNull();
    await publishSignal(meta, p.provider.id, { symbol: "BTC/USDT", side: "long" }, "ui"); // a fresh guess
    expect(await publishOptimistic(meta, p.provider.id, await check("k2"), "tradingview", delivery("d1"))).toBeNull();
    await publishSignal(meta, p.provider.id, { symbol: "BTC/USDT", side: "long" }, "ui");
    expect(await publishOptimistic(meta, p.provider.id, await check("k3"), "tradingview", delivery("d3"), { tokenHash: "not this provider's token" })).toBeNull();
    const after = await rowCounts();
    expect(after.signals - before.signals).toBe(2); // only the two publishSignal calls
    expect(after.webhookDeliveries).toBe(before.webhookDeliveries);
  });

  it("writes nothing for a price PostgreSQL would store differently (the chain commits to the stored text)", async () => {
    const { p, meta, check } = await setUp();
    const checked = await check("k1");
    expect(await publishOptimistic(meta, p.provider.id, { ...checked, entry: "02000.5" }, "tradingview", delivery("d1"))).toBeNull();
    expect(await publishOptimistic(meta, p.provider.id, { ...checked, entry: "2e3" }, "tradingview", delivery("d1"))).toBeNull();
    expect(await db.select().from(signals).where(eq(signals.idempotencyKey, "k1"))).toEqual([]);
  });

  it("does not wait for a provider another transaction holds: it writes nothing at once (PostgreSQL)", async (ctx) => {
    if (t.handle.kind !== "postgres") return ctx.skip(); // PGlite runs one statement at a time: nothing can hold a lock meanwhile
    const { p, meta, check } = await setUp();
    const checked = await check("k1");
    let during: unknown = "not run";
    await db.transaction(async (tx) => {
      await tx.select({ id: providers.id }).from(providers).where(eq(providers.id, p.provider.id)).for("no key update");
      const started = Date.now();
      during = await publishOptimistic(meta, p.provider.id, checked, "tradingview", delivery("d1"));
      expect(Date.now() - started).toBeLessThan(2000);
    });
    expect(during).toBeNull();
    expect(await db.select().from(signals).where(eq(signals.idempotencyKey, "k1"))).toEqual([]);
  });

  it("two writes on one guess: exactly one wins, the other writes nothing", async () => {
    const { p, meta, check } = await setUp();
    const [a, b] = await Promise.all([check("k1"), check("k2")]);
    const results = await Promise.all([
      publishOptimistic(meta, p.provider.id, a, "tradingview", delivery("d1")),
      publishOptimistic(meta, p.provider.id, b, "tradingview", delivery("d2")),
    ]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await db.select().from(signals).where(eq(signals.providerId, p.provider.id))).toHaveLength(2);
    expect((await verifyStoredChain(p.provider.id)).ok).toBe(true);
  });
});

describe("the webhook under a burst of distinct alerts from one known provider", () => {
  it("publishes every alert once, numbered and chained without gaps", async () => {
    const p = await newProvider();
    const { token } = await rotateWebhookToken(actingAs(p.user), p.provider.id);
    const alert = (id: string) => JSON.stringify({ ticker: "BTCUSDT", action: "buy", time: new Date().toISOString(), id });
    expect((await handleAlert(serviceContext(), token, alert("first"), "application/json")).status).toBe(201);
    expect((await handleAlert(serviceContext(), token, alert("second"), "application/json")).status).toBe(201); // through the guess
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => handleAlert(serviceContext(), token, alert(`burst-${i}`), "application/json")));
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(201));
    const rows = await db.select().from(signals).where(eq(signals.providerId, p.provider.id)).orderBy(asc(signals.number));
    expect(rows.map((r) => r.number)).toEqual(Array.from({ length: 22 }, (_, i) => i + 1));
    for (const a of answers) expect(rows.find((r) => r.id === (a.body.signal as { id: string }).id)).toBeDefined();
    expect((await verifyStoredChain(p.provider.id)).ok).toBe(true);
  });
});
