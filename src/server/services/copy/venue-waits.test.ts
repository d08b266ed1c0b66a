/**
 * What a serial venue (an exchange connection) can answer besides a fill or a refusal: an error it keeps giving on
 * an exit (retried, never given up; the follower alerted once, the copy pages list it as failing), and "waiting"
 * (a closed stock market: the order stays planned, the connection's run sleeps until the venue takes it).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { and, asc, eq } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { useFakeMarket } from "@/test/fake-market";
import { actingAs, newProvider } from "@/test/signals";
import { copyingFollowers, waitForFanouts } from "@/test/copy";
import { db } from "@/server/db";
import { copyOrders, emailOutbox, positions } from "@/server/db/schema";
import { resetRateLimits } from "@/server/rate-limit";
import { waitForInlineRuns } from "@/server/jobs/inline/runner";
import { closeSignal, publishSignal } from "@/server/services/signals";
import { EXIT_FAILING_ATTEMPTS, failingExits } from "./alerts";
import { configureCopyEngine, staleConnections } from "./engine";
import { setVenueResolver, type SerialVenue, type VenueOrderRequest, type VenueOrderResult } from "./venues";

useTestDatabase();
useFakeMarket();

/** Fills at 32050; `failures` makes the next placements throw (an exchange that keeps erroring); `opensInMs` answers "waiting". */
class ScriptedExchange implements SerialVenue {
  readonly placed: VenueOrderRequest[] = [];
  readonly calls: string[] = [];
  private readonly orders = new Map<string, VenueOrderResult>();
  failures = 0;
  /** While set, the market is closed and says it opens in this many ms (the test opens it by clearing it). */
  opensInMs: number | null = null;
  async findOrder(clientOrderId: string) {
    this.calls.push(`find ${clientOrderId}`);
    return this.orders.get(clientOrderId) ?? null;
  }
  async placeOrder(order: VenueOrderRequest): Promise<VenueOrderResult> {
    this.calls.push(`place ${order.clientOrderId}`);
    if (this.opensInMs !== null) return { status: "waiting", until: new Date(Date.now() + this.opensInMs), reason: "market_closed: the market opens later" };
    if (this.failures > 0) {
      this.failures -= 1;
      throw new Error("-1001: Internal error; unable to process your request. Please try again.");
    }
    this.placed.push(order);
    const result: VenueOrderResult = { status: "filled", venueOrderId: `x-${this.placed.length}`, fillPrice: "32050", fee: "0.03205", filledAt: new Date() };
    this.orders.set(order.clientOrderId, result);
    return result;
  }
}

let exchange: ScriptedExchange;
beforeEach(() => {
  resetRateLimits();
  exchange = new ScriptedExchange();
  setVenueResolver(async (id) => (id === "conn_scripted" ? exchange : null));
  configureCopyEngine({ slippageBps: async () => "2" });
});
afterEach(async () => {
  await waitForInlineRuns();
  setVenueResolver(undefined);
  configureCopyEngine({});
});

const BTC = { symbol: "BTC/USDT", side: "long" as const, entryType: "market" as const, entryPrice: "32045.14", stopLoss: "31000" };
const ordersOf = (signalId: string) => db.select().from(copyOrders).where(eq(copyOrders.signalId, signalId)).orderBy(asc(copyOrders.createdAt), asc(copyOrders.seq));
const alertsTo = (userId: string) => db.select().from(emailOutbox).where(and(eq(emailOutbox.userId, userId), eq(emailOutbox.kind, "copy_exit_failing")));

describe("exits that keep failing on a connection", () => {
  it("are retried until the exchange takes them, the follower alerted once, listed as failing meanwhile, and left with no stale note", async () => {
    const p = await newProvider();
    const [user] = await copyingFollowers(p.provider.id, 1, { venue: "conn_scripted" });
    const { signal } = await publishSignal(actingAs(p.user), p.provider.id, BTC, "ui");
    await waitForFanouts(signal.id);
    await waitForInlineRuns();
    // The first placement went through without a lookup (nothing could have been placed before it).
    expect(exchange.calls).toEqual([expect.stringMatching(/^place /)]);

    // The exchange errors on the exit's first EXIT_FAILING_ATTEMPTS + 1 attempts, then takes it.
    exchange.failures = EXIT_FAILING_ATTEMPTS + 1;
    let seenFailing: Awaited<ReturnType<typeof failingExits>> = [];
    configureCopyEngine({
      slippageBps: async () => "2",
      afterVenue: async () => {
        seenFailing = await failingExits(user!);
      },
    });
    const sawWhileFailing: number[] = [];
    const watch = setInterval(() => void failingExits(user!).then((f) => f.length && sawWhileFailing.push(f[0]!.attempts)), 100);
    try {
      await closeSignal(actingAs(p.user), { providerId: p.provider.id, signalId: signal.id }, {});
      await waitForFanouts(signal.id);
      await waitForInlineRuns();
    } finally {
      clearInterval(watch);
    }
    const [, exit] = await ordersOf(signal.id);
    expect(exit).toMatchObject({ leg: "close", status: "filled", attempts: EXIT_FAILING_ATTEMPTS + 2, reason: null });
    // Signal event to fill, retries included (each waited its back-off): seconds, not zero, not absurd.
    expect(exit!.latencyMs).toBeGreaterThan(500);
    expect(exit!.latencyMs).toBeLessThan(120_000);
    // While it failed it was listed, with the exchange's words; the attempt that filled it saw it still listed.
    expect(sawWhileFailing.length).toBeGreaterThan(0);
    expect(seenFailing).toHaveLength(1);
    expect(seenFailing[0]).toMatchObject({ symbol: "BTC/USDT", side: "sell", connectionId: "conn_scripted" });
    expect(seenFailing[0]!.lastError).toMatch(/^retrying: -1001: Internal error/);
    expect(await failingExits(user!)).toEqual([]);
    // One alert, however many attempts failed.
    const alerts = await alertsTo(user!);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.subject).toMatch(/closing BTC\/USDT .* keeps failing/);
    expect(alerts[0]!.text).toContain("-1001: Internal error");
    // Placed once in the end (each retry looked the id up first), and the copy closed.
    expect(exchange.placed.map((o) => o.side)).toEqual(["buy", "sell"]);
    expect(exchange.calls.filter((c) => c.startsWith("find")).length).toBeGreaterThanOrEqual(EXIT_FAILING_ATTEMPTS + 1);
    const [pos] = await db.select().from(positions).where(eq(positions.signalId, signal.id));
    expect(pos).toMatchObject({ status: "closed", quantity: "0" });
  }, 60_000);
});

describe("a venue that takes an order later (a closed market)", () => {
  it("keeps the order planned with its reason, is not swept, and places it when the wait is over", async () => {
    const p = await newProvider();
    await copyingFollowers(p.provider.id, 1, { venue: "conn_scripted" });
    exchange.opensInMs = 1_500;
    const { signal } = await publishSignal(actingAs(p.user), p.provider.id, BTC, "ui");
    // Let the run reach the venue and go to sleep (not waitForFanouts: the waiting run wakes and re-asks meanwhile).
    for (let i = 0; i < 500 && !exchange.calls.length; i++) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 200));
    const [entry] = await ordersOf(signal.id);
    expect(entry).toMatchObject({ status: "planned" });
    expect(entry!.reason).toMatch(/^waiting: until \d{4}-\d\d-\d\dT[\d:.]+Z: market_closed: the market opens later$/);
    expect(exchange.placed).toEqual([]);
    // Not stale: the sweeper leaves a connection whose run sleeps for its venue alone.
    expect(await staleConnections(0)).not.toContain("conn_scripted");
    // A wait whose time is long past (its wake-up lost) is swept again.
    const past = entry!.reason!.replace(/until \S+: /, `until ${new Date(Date.now() - 120_000).toISOString()}: `);
    await db.update(copyOrders).set({ reason: past }).where(eq(copyOrders.id, entry!.id));
    expect(await staleConnections(0)).toContain("conn_scripted");
    await db.update(copyOrders).set({ reason: entry!.reason }).where(eq(copyOrders.id, entry!.id));
    // A wait is not a failed attempt: nothing was sent, the count is given back.
    expect(entry!.attempts).toBe(0);

    const waitingSince = Date.now();
    exchange.opensInMs = null;
    // The sleeping run wakes at `until` (waitForInlineRuns does not wait for sleepers) and a fresh run places it.
    for (let i = 0; i < 150 && (await ordersOf(signal.id))[0]!.status === "planned"; i++) {
      await new Promise((r) => setTimeout(r, 100));
      await waitForInlineRuns();
    }
    expect(Date.now() - waitingSince).toBeGreaterThan(0);
    const [filled] = await ordersOf(signal.id);
    expect(filled).toMatchObject({ status: "filled", reason: null, fillPrice: "32050" });
    expect(exchange.placed).toHaveLength(1);
  }, 30_000);
});
