/**
 * The second venue shape: a connection that takes one order at a time (an exchange account). The fan-out plans its
 * copies, the `copy-connection` run places them in order through the venue, looking the client order id up first,
 * and records fills and positions. Here the venue is a fake exchange in memory; the next issue plugs ccxt in.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { and, asc, eq } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { useFakeMarket } from "@/test/fake-market";
import { actingAs, newProvider } from "@/test/signals";
import { copyingFollowers, waitForFanouts } from "@/test/copy";
import { db } from "@/server/db";
import { copyFanouts, copyOrders, positions } from "@/server/db/schema";
import { resetRateLimits } from "@/server/rate-limit";
import { waitForInlineRuns } from "@/server/jobs/inline/runner";
import { closeSignal, publishSignal } from "@/server/services/signals";
import { serviceContext } from "@/server/services/context";
import { releaseHeld } from "@/server/services/restore/holds";
import { claimStaleFanouts, closePositionsNow, configureCopyEngine } from "./engine";
import { sendEvent } from "@/server/jobs/events";
import { resetPaperAccount } from "./account";
import { setVenueResolver, type SerialVenue, type VenueOrderRequest, type VenueOrderResult } from "./venues";

useTestDatabase();
const market = useFakeMarket();

/** A fake exchange account: fills every market order at the price set, 0.1% fee, remembers client order ids. */
class FakeExchange implements SerialVenue {
  readonly placed: VenueOrderRequest[] = [];
  private readonly orders = new Map<string, VenueOrderResult>();
  price = "32050";
  /** Whether a client order id already used is refused (some exchanges accept one again once its order is done). */
  refusesReusedIds = true;
  async findOrder(clientOrderId: string) {
    return this.orders.get(clientOrderId) ?? null;
  }
  async placeOrder(order: VenueOrderRequest): Promise<VenueOrderResult> {
    if (this.refusesReusedIds && this.orders.has(order.clientOrderId)) throw new Error(`duplicate client order id ${order.clientOrderId}`);
    this.placed.push(order);
    const fee = (Number(order.quantity) * Number(this.price) * 0.001).toFixed(8);
    const result: VenueOrderResult = { status: "filled", venueOrderId: `x-${this.placed.length}`, fillPrice: this.price, fee, filledAt: new Date() };
    this.orders.set(order.clientOrderId, result);
    return result;
  }
}

let exchange: FakeExchange;
beforeEach(() => {
  resetRateLimits();
  exchange = new FakeExchange();
  setVenueResolver(async (id) => (id === "conn_fake" ? exchange : null));
  configureCopyEngine({ slippageBps: async () => "2" });
});
afterEach(async () => {
  await waitForInlineRuns();
  setVenueResolver(undefined);
  configureCopyEngine({});
});

const BTC = { symbol: "BTC/USDT", side: "long" as const, entryType: "market" as const, entryPrice: "32045.14", stopLoss: "31000" };

async function ordersOf(signalId: string) {
  return db.select().from(copyOrders).where(eq(copyOrders.signalId, signalId)).orderBy(asc(copyOrders.createdAt), asc(copyOrders.seq));
}

describe("a connection that places orders one at a time", () => {
  it("plans the entry, places it once even when the run dies between the venue and the write, then sizes and places the exit", async () => {
    const p = await newProvider();
    const [user] = await copyingFollowers(p.provider.id, 1, { venue: "conn_fake" });
    let crashes = 0;
    configureCopyEngine({
      slippageBps: async () => "2",
      afterVenue: (orders) => {
        // Only the connection's placement passes no page of orders: crash there once, after the venue took the order.
        if (orders.length === 0 && crashes++ === 0) throw new Error("injected: crashed after placing, before recording");
      },
    });
    const { signal } = await publishSignal(actingAs(p.user), p.provider.id, BTC, "ui");
    await waitForFanouts(signal.id);
    await waitForInlineRuns();
    // The retry found the order on the venue by its client order id: placed once.
    expect(exchange.placed).toHaveLength(1);
    const [entry] = await ordersOf(signal.id);
    expect(entry).toMatchObject({ leg: "entry", status: "filled", venue: "conn_fake", fillPrice: "32050", venueOrderId: "x-1", quantity: exchange.placed[0]!.quantity });
    const [pos] = await db.select().from(positions).where(and(eq(positions.userId, user!), eq(positions.signalId, signal.id)));
    expect(pos).toMatchObject({ venue: "conn_fake", status: "open", quantity: entry!.quantity, avgEntry: "32050" });

    exchange.price = "33000";
    market.setPrice("BTC/USDT", "33000");
    await closeSignal(actingAs(p.user), { providerId: p.provider.id, signalId: signal.id }, {});
    await waitForFanouts(signal.id);
    await waitForInlineRuns();
    expect(exchange.placed.map((o) => [o.side, o.quantity])).toEqual([
      ["buy", entry!.quantity],
      ["sell", entry!.quantity],
    ]);
    const [, exit] = await ordersOf(signal.id);
    expect(exit).toMatchObject({ leg: "close", status: "filled", fillPrice: "33000", positionId: pos!.id });
    const [closed] = await db.select().from(positions).where(eq(positions.id, pos!.id));
    expect(closed).toMatchObject({ status: "closed", quantity: "0" });
  });

  it("a close-now of an exchange copy (kill switch, copy stop, the follower's close) goes through the connection: open in our books until the exchange fills it; a paper reset leaves it alone", async () => {
    const p = await newProvider();
    const [user] = await copyingFollowers(p.provider.id, 1, { venue: "conn_fake" });
    const { signal } = await publishSignal(actingAs(p.user), p.provider.id, BTC, "ui");
    await waitForFanouts(signal.id);
    await waitForInlineRuns();
    const [pos] = await db.select().from(positions).where(and(eq(positions.userId, user!), eq(positions.signalId, signal.id)));
    expect(pos).toMatchObject({ venue: "conn_fake", status: "open" });

    // Resetting the paper account closes paper copies only: nothing is planned for the exchange.
    const follower = { id: user!, role: "subscriber" as const };
    await resetPaperAccount(actingAs(follower));
    expect(exchange.placed).toHaveLength(1);
    expect((await db.select().from(positions).where(eq(positions.id, pos!.id)))[0]).toMatchObject({ status: "open" });

    // Closing now plans one closing order for the connection; it does not fill it at a modelled price.
    exchange.price = "31900";
    let runs = 0;
    configureCopyEngine({ slippageBps: async () => "2", afterVenue: (orders) => void (orders.length === 0 && runs++) });
    const planned = closePositionsNow({ userId: user!, reason: "kill_switch" });
    expect(await planned).toEqual({ closed: 0, planned: 1 });
    expect(await closePositionsNow({ userId: user!, reason: "kill_switch" })).toEqual({ closed: 0, planned: 0 });
    await waitForInlineRuns();
    expect(runs).toBe(1);
    expect(exchange.placed.map((o) => [o.side, o.quantity])).toEqual([
      ["buy", pos!.quantity],
      ["sell", pos!.quantity],
    ]);
    const close = (await ordersOf(signal.id)).find((o) => o.leg === "manual");
    expect(close).toMatchObject({ status: "filled", fillPrice: "31900", reason: "kill_switch", positionId: pos!.id, quantity: pos!.quantity });
    const [closed] = await db.select().from(positions).where(eq(positions.id, pos!.id));
    expect(closed).toMatchObject({ status: "closed", quantity: "0" });
    expect(closed!.avgExit).toMatch(/^31900(\.0+)?$/);
  });

  it("rejects with a reason, rather than queueing for ever, when the connection is unknown", async () => {
    const p = await newProvider();
    await copyingFollowers(p.provider.id, 1, { venue: "conn_gone" });
    const { signal } = await publishSignal(actingAs(p.user), p.provider.id, BTC, "ui");
    await waitForFanouts(signal.id);
    await waitForInlineRuns();
    const [entry] = await ordersOf(signal.id);
    expect(entry).toMatchObject({ status: "rejected" });
    expect(entry!.reason).toMatch(/^connection_unavailable/);
    expect(await db.select().from(positions).where(eq(positions.signalId, signal.id))).toEqual([]);
  });

  it("after a restore from a backup taken before its fan-out ran, the released fan-out finds the entry the lost database placed instead of placing it again", async () => {
    const p = await newProvider();
    const [user] = await copyingFollowers(p.provider.id, 1, { venue: "conn_fake" });
    const { signal } = await publishSignal(actingAs(p.user), p.provider.id, BTC, "ui");
    await waitForFanouts(signal.id);
    await waitForInlineRuns();
    expect(exchange.placed).toHaveLength(1);
    const [placed] = await ordersOf(signal.id);

    // An exchange that takes a filled order's client order id again: only looking it up first prevents a second buy.
    exchange.refusesReusedIds = false;
    // What the restore leaves: the backup had the fan-out pending and no order or position (the exchange still has
    // the order the lost database placed), and the restore held the fan-out.
    await db.delete(copyOrders).where(eq(copyOrders.signalId, signal.id));
    await db.delete(positions).where(eq(positions.signalId, signal.id));
    await db.update(copyFanouts).set({ status: "held", finishedAt: null, followers: 0, orders: 0 }).where(eq(copyFanouts.signalId, signal.id));
    await releaseHeld(serviceContext({ actor: { id: p.user.id, role: "admin" } }), { kind: "fanouts", all: true });

    // The sweeper re-drives it (a second re-drive: the release counted one). Its entry looks the client order id up
    // on the exchange and records the fill the lost database had; nothing is placed twice.
    expect(await claimStaleFanouts(0)).toEqual([{ signalId: signal.id, providerId: p.provider.id, redrives: 2 }]);
    await sendEvent("copy/fanout.requested", { signalId: signal.id, providerId: p.provider.id, redrive: 2 }, { id: `copy-redrive:${signal.id}:2` });
    await waitForFanouts(signal.id);
    await waitForInlineRuns();
    expect(exchange.placed).toHaveLength(1);
    expect((await ordersOf(signal.id))[0]).toMatchObject({ clientOrderId: placed!.clientOrderId, status: "filled", venueOrderId: "x-1", fillPrice: "32050", attempts: 2 });

    // The copy goes on as if nothing had been lost: the close sells what the exchange holds.
    exchange.price = "33000";
    market.setPrice("BTC/USDT", "33000");
    await closeSignal(actingAs(p.user), { providerId: p.provider.id, signalId: signal.id }, {});
    await waitForFanouts(signal.id);
    await waitForInlineRuns();
    expect(exchange.placed.map((o) => [o.side, o.clientOrderId === placed!.clientOrderId])).toEqual([
      ["buy", true],
      ["sell", false],
    ]);
    const [entry, exit] = await ordersOf(signal.id);
    expect(entry).toMatchObject({ clientOrderId: placed!.clientOrderId, status: "filled", venueOrderId: "x-1", fillPrice: "32050", attempts: 2 });
    expect(exit).toMatchObject({ leg: "close", status: "filled", fillPrice: "33000" });
    const [pos] = await db.select().from(positions).where(and(eq(positions.userId, user!), eq(positions.signalId, signal.id)));
    expect(pos).toMatchObject({ status: "closed", avgEntry: "32050", quantity: "0" });
  });
});
