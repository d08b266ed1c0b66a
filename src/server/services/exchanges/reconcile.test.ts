/**
 * Acceptance 3 of issue 14: reconciliation of a follower's exchange connection against the local fake Binance (the
 * real ccxt client, real URLs). One account is put in every situation at once: a fill the exchange made while our
 * process died before recording it, an order under our client order id our ledger never held, a copy the account no
 * longer holds (sold behind our back), bought coins no copy accounts for, and dust; the follower's own holdings of
 * the same asset are not flagged. Then: a second run records nothing new, the one-click close clears both orphans
 * (the exchange and the ledger agree afterwards), and another user can neither list, reconcile nor close any of it.
 */
import Decimal from "decimal.js";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { useFakeMarket } from "@/test/fake-market";
import { createUser } from "@/test/factories";
import { actingAs, newProvider } from "@/test/signals";
import { copyingFollowers, waitForFanouts } from "@/test/copy";
import { db } from "@/server/db";
import { copyOrders, copySettings, exchangeConnections, positions, users, venueDiscrepancies } from "@/server/db/schema";
import { ConflictError, NotFoundError } from "@/server/errors";
import { runJob, waitForInlineRuns } from "@/server/jobs/inline/runner";
import { exchangeReconcile } from "@/server/jobs/functions/exchange-reconcile";
import { startFakeBinanceTrading, type FakeApiKey, type FakeBinanceTrading } from "@/server/integrations/exchanges/fake-binance-trading";
import { venueClientOrderId } from "@/server/integrations/exchanges/venue-id";
import { publishSignal } from "@/server/services/signals";
import { configureCopyEngine, placePlanned } from "@/server/services/copy/engine";
import { clientOrderId } from "@/server/services/copy/paper";
import { setVenueResolver } from "@/server/services/copy/venues";
import { connectionVenue, createConnection, setLocalTestExchange } from "./connections";
import { closeOrphan, listDiscrepancies, listOpenDiscrepanciesForAdmin, reconcileConnection, reconcileNow } from "./reconcile";

useTestDatabase();
const market = useFakeMarket();

const BTC_PRICE = "32045.14";
const ETH_PRICE = "2000.5";
/** The follower's own 0.5 BTC, and 0.00005 BTC left over from an earlier copy (the dust). */
const OWN_BTC = "0.5";
const DUST = "0.00005";
const FOLLOWER: FakeApiKey = {
  apiKey: "reconcileFollowerKey000000000000000000000000000000000000000000",
  secret: "reconcileFollowerSecret0000000000000000000000000000000000000000",
  balances: { USDT: "100000", BTC: new Decimal(OWN_BTC).plus(DUST).toString() },
};
const OTHER: FakeApiKey = {
  apiKey: "reconcileOtherKey00000000000000000000000000000000000000000000000",
  secret: "reconcileOtherSecret000000000000000000000000000000000000000000000",
  balances: { USDT: "1000" },
};

let fake: FakeBinanceTrading;
beforeAll(async () => {
  fake = await startFakeBinanceTrading({ keys: [FOLLOWER, OTHER], prices: { BTCUSDT: BTC_PRICE, ETHUSDT: ETH_PRICE } });
});
afterAll(async () => {
  setLocalTestExchange(undefined);
  await fake?.close();
});
beforeEach(() => {
  fake.reset();
  setLocalTestExchange(fake);
  // As the app's start-up installs it (src/server/startup.ts).
  setVenueResolver(connectionVenue);
  market.setPrice("BTC/USDT", BTC_PRICE);
  market.setPrice("ETH/USDT", ETH_PRICE);
  configureCopyEngine({ slippageBps: async () => "2" });
});
afterEach(async () => {
  await waitForInlineRuns();
  setVenueResolver(undefined);
  configureCopyEngine({});
  expect(fake.unexpected).toEqual([]);
});

const sum = (xs: Decimal.Value[]) => xs.reduce<Decimal>((a, x) => a.plus(x), new Decimal(0));

/** A follower copying provider `p` through their own local exchange connection (FOLLOWER's account). */
async function followerOnExchange(providerId: string, key: FakeApiKey, label: string) {
  const [userId] = await copyingFollowers(providerId, 1);
  const ctx = actingAs({ id: userId!, role: "subscriber" });
  const conn = await createConnection(ctx, { exchangeId: "local", label, apiKey: key.apiKey, secret: key.secret });
  expect(conn.status).toBe("active");
  await db.update(copySettings).set({ venue: conn.id }).where(eq(copySettings.userId, userId!));
  return { userId: userId!, ctx, conn };
}

async function byKind(ctx: ReturnType<typeof actingAs>, status?: "open" | "resolved") {
  const list = await listDiscrepancies(ctx, status ? { status } : {});
  return Object.fromEntries(list.map((d) => [d.kind, d]));
}

describe("reconciliation", () => {
  it("finds and records a missed fill, an unrecorded order, an orphan on each side and dust; a one-click close clears the orphans; others see nothing", { timeout: 120_000 }, async () => {
    const p = await newProvider();
    const a = await followerOnExchange(p.provider.id, FOLLOWER, "Main");

    // An ETH copy placed through the engine and the connection's run: open in the ledger, held on the exchange.
    const { signal: eth } = await publishSignal(actingAs(p.user), p.provider.id, { symbol: "ETH/USDT", side: "long", entryType: "market", entryPrice: ETH_PRICE, stopLoss: "1900" }, "ui");
    await waitForFanouts(eth.id);
    await waitForInlineRuns();
    const [ethCopy] = await db.select().from(positions).where(and(eq(positions.userId, a.userId), eq(positions.signalId, eth.id)));
    expect(ethCopy).toMatchObject({ status: "open", venue: a.conn.id });
    expect(fake.balances(FOLLOWER.apiKey).ETH?.free).toBe(new Decimal(ethCopy!.quantity).toString());

    // (1) A fill we missed: the process dies between the exchange's answer and our write, and no retry comes.
    const p2 = await newProvider();
    const { signal: btc } = await publishSignal(actingAs(p2.user), p2.provider.id, { symbol: "BTC/USDT", side: "long", entryType: "market", entryPrice: BTC_PRICE, stopLoss: "31000" }, "ui");
    await waitForFanouts(btc.id);
    const [planned] = await db
      .insert(copyOrders)
      .values({
        clientOrderId: clientOrderId({ eventId: `${btc.id}:reconcile-test`, userId: a.userId, leg: "entry" }),
        userId: a.userId,
        providerId: p2.provider.id,
        signalId: btc.id,
        seq: 1,
        venue: a.conn.id,
        symbol: "BTC/USDT",
        side: "buy",
        leg: "entry",
        status: "planned",
        requestedPrice: BTC_PRICE,
        quantity: "0.001",
      })
      .returning();
    await expect(
      placePlanned(planned!.id, {
        afterVenue: () => {
          throw new Error("injected: the process died between the exchange's answer and our write");
        },
      }),
    ).rejects.toThrow("injected");
    const missed = fake.orders.find((o) => o.clientOrderId === venueClientOrderId(planned!.clientOrderId))!;
    expect(missed).toMatchObject({ side: "BUY", status: "FILLED", executedQty: "0.00100000" });

    // (2) An order under our client order id that our ledger does not hold (its row was lost).
    const lost = fake.placeDirect(FOLLOWER.apiKey, { symbol: "BTCUSDT", side: "BUY", quantity: "0.002", clientOrderId: venueClientOrderId("tc-a-row-we-lost") });
    // (3) The ETH copy sold behind our back: the ledger holds a copy the account does not.
    fake.setBalance(FOLLOWER.apiKey, "ETH", "0");
    // (4) Dust: what an earlier copy left, below the minimum order value (5 USDT).
    const [dust] = await db
      .insert(positions)
      .values({ userId: a.userId, providerId: p.provider.id, signalId: "sig_reconcile_dust", venue: a.conn.id, symbol: "BTC/USDT", side: "long", quantity: DUST, initialQuantity: "0.001", avgEntry: BTC_PRICE, markPrice: BTC_PRICE, lastSeq: 1, openedAt: new Date(Date.now() - 86_400_000) })
      .returning();

    const first = await reconcileConnection(a.conn.id);
    expect(first).toEqual({
      connectionId: a.conn.id,
      found: { missed_fill: 1, unrecorded_order: 1, dust: 1, orphan_ledger: 1, orphan_exchange: 1 },
      recorded: 5,
      resolved: 0,
    });

    // The missed fill is in the ledger as the exchange filled it, and its finding says so.
    const [recorded] = await db.select().from(copyOrders).where(eq(copyOrders.id, planned!.id));
    expect(recorded).toMatchObject({ status: "filled", venueOrderId: String(missed.orderId) });
    expect(new Decimal(recorded!.quantity).eq(missed.executedQty)).toBe(true);
    expect(new Decimal(recorded!.fillPrice!).eq(new Decimal(missed.cummulativeQuoteQty).div(missed.executedQty))).toBe(true);
    expect(new Decimal(recorded!.fee).eq(sum(missed.fills.map((f) => f.commission)))).toBe(true);
    const [btcCopy] = await db.select().from(positions).where(eq(positions.id, recorded!.positionId!));
    expect(btcCopy).toMatchObject({ status: "open", signalId: btc.id, venue: a.conn.id });
    expect(new Decimal(btcCopy!.quantity).eq("0.001")).toBe(true);

    const all = await byKind(a.ctx);
    expect(all.missed_fill).toMatchObject({ status: "resolved", resolution: "recorded", symbol: "BTC/USDT", data: { copyOrderId: planned!.id, venueOrderId: String(missed.orderId) } });
    expect(all.unrecorded_order).toMatchObject({ status: "open", closable: true, data: { venueOrderId: String(lost.orderId), clientOrderId: lost.clientOrderId, side: "buy", filled: "0.002", copyOrderId: null } });
    // Only what the unrecorded order bought: not the follower's own 0.5 BTC, nor the copies' BTC.
    expect(all.orphan_exchange).toMatchObject({ status: "open", symbol: "BTC/USDT", data: { asset: "BTC", quantity: "0.002", orders: String(lost.orderId) } });
    expect(all.orphan_ledger).toMatchObject({ status: "open", symbol: "ETH/USDT", data: { positionId: ethCopy!.id, held: "0" } });
    expect(all.dust).toMatchObject({ status: "open", data: { positionId: dust!.id, quantity: DUST } });
    expect(all.dust!.detail).toMatch(/below BTC\/USDT's minimum order/);

    // A second run (through the connection's job, as the follower's "reconcile now" does) records nothing new.
    const openBefore = (await listDiscrepancies(a.ctx, { status: "open" })).map((d) => d.id).sort();
    expect(openBefore).toHaveLength(4);
    expect(await reconcileNow(a.ctx, a.conn.id)).toEqual({ requested: true });
    await waitForInlineRuns();
    expect(await db.select().from(venueDiscrepancies).where(eq(venueDiscrepancies.connectionId, a.conn.id))).toHaveLength(5);
    expect((await listDiscrepancies(a.ctx, { status: "open" })).map((d) => d.id).sort()).toEqual(openBefore);
    const [conn] = await db.select({ at: exchangeConnections.lastReconciledAt }).from(exchangeConnections).where(eq(exchangeConnections.id, a.conn.id));
    expect(conn!.at).toBeInstanceOf(Date);

    // The admin sees the open ones, with the connection they are on.
    const admin = await listOpenDiscrepanciesForAdmin({ limit: 50 });
    expect(admin.filter((d) => d.userId === a.userId).map((d) => d.id).sort()).toEqual(openBefore);
    expect(admin.find((d) => d.userId === a.userId)).toMatchObject({ exchangeId: "local", connectionLabel: "Main", userEmail: (await db.select({ email: users.email }).from(users).where(eq(users.id, a.userId)))[0]!.email });

    // Another user can neither list, reconcile nor close any of it.
    const other = await createUser("subscriber");
    const octx = actingAs(other);
    await createConnection(octx, { exchangeId: "local", label: "Mine", apiKey: OTHER.apiKey, secret: OTHER.secret });
    expect(await listDiscrepancies(octx)).toEqual([]);
    expect(await listDiscrepancies(octx, { connectionId: a.conn.id })).toEqual([]);
    await expect(reconcileNow(octx, a.conn.id)).rejects.toBeInstanceOf(NotFoundError);
    for (const id of openBefore) await expect(closeOrphan(octx, id)).rejects.toBeInstanceOf(NotFoundError);
    expect((await listDiscrepancies(a.ctx, { status: "open" })).map((d) => d.id).sort()).toEqual(openBefore);

    // One click on the unrecorded order closes the orphan it left: adopted into the ledger, sold through the engine.
    const closing = await closeOrphan(a.ctx, all.unrecorded_order!.id);
    expect(closing).toEqual({ status: "closing", positionId: expect.stringMatching(/^pos_/) });
    await waitForInlineRuns();
    const sale = fake.orders.filter((o) => o.side === "SELL");
    expect(sale.map((o) => [o.symbol, o.executedQty, o.status])).toEqual([["BTCUSDT", "0.00200000", "FILLED"]]);
    const [adopted] = await db.select().from(positions).where(eq(positions.id, (closing as { positionId: string }).positionId));
    expect(adopted).toMatchObject({ status: "closed", venue: a.conn.id, symbol: "BTC/USDT" });
    const adoptedOrders = await db.select().from(copyOrders).where(eq(copyOrders.positionId, adopted!.id));
    expect(adoptedOrders.map((o) => [o.side, o.status, o.venueOrderId, new Decimal(o.quantity).toString()]).sort()).toEqual([
      ["buy", "filled", String(lost.orderId), "0.002"],
      ["sell", "filled", String(sale[0]!.orderId), "0.002"],
    ]);
    const afterSale = await byKind(a.ctx);
    expect(afterSale.orphan_exchange).toMatchObject({ status: "resolved", resolution: "closed" });
    expect(afterSale.unrecorded_order).toMatchObject({ status: "resolved", resolution: "closed" });

    // One click on the ledger orphan: closed in our books without an order, the reason on record.
    expect(await closeOrphan(a.ctx, all.orphan_ledger!.id)).toEqual({ status: "closed" });
    await expect(closeOrphan(a.ctx, all.orphan_ledger!.id)).rejects.toBeInstanceOf(ConflictError);
    const [ethAfter] = await db.select().from(positions).where(eq(positions.id, ethCopy!.id));
    expect(ethAfter).toMatchObject({ status: "closed", quantity: "0" });
    const [ledgerClose] = await db.select().from(copyOrders).where(and(eq(copyOrders.positionId, ethCopy!.id), eq(copyOrders.leg, "manual")));
    expect(ledgerClose).toMatchObject({ status: "cancelled", reason: expect.stringMatching(/^orphan_ledger: the exchange account no longer holds this copy/) });
    expect(fake.orders.filter((o) => o.symbol === "ETHUSDT").map((o) => o.side)).toEqual(["BUY"]); // nothing sent

    // The exchange and the ledger agree: a run finds only the dust, and the account's BTC beyond the follower's own
    // is what the open copies hold.
    const last = await reconcileConnection(a.conn.id);
    expect(last).toEqual({ connectionId: a.conn.id, found: { dust: 1 }, recorded: 0, resolved: 0 });
    expect((await listDiscrepancies(a.ctx, { status: "open" })).map((d) => d.kind)).toEqual(["dust"]);
    const openBtc = await db.select().from(positions).where(and(eq(positions.venue, a.conn.id), eq(positions.status, "open"), eq(positions.symbol, "BTC/USDT")));
    expect(sum(openBtc.map((x) => x.quantity)).toString()).toBe(new Decimal(fake.balances(FOLLOWER.apiKey).BTC!.free).minus(OWN_BTC).toString());
    expect(new Decimal(fake.balances(FOLLOWER.apiKey).ETH!.free).isZero()).toBe(true);
  });

  it("a finding no longer seen is resolved 'gone'; the 5-minute cron reconciles every usable connection through its job", { timeout: 60_000 }, async () => {
    const p = await newProvider();
    const a = await followerOnExchange(p.provider.id, FOLLOWER, "Main");
    const { signal } = await publishSignal(actingAs(p.user), p.provider.id, { symbol: "ETH/USDT", side: "long", entryType: "market", entryPrice: ETH_PRICE, stopLoss: "1900" }, "ui");
    await waitForFanouts(signal.id);
    await waitForInlineRuns();
    const [copy] = await db.select().from(positions).where(and(eq(positions.userId, a.userId), eq(positions.signalId, signal.id)));
    const held = fake.balances(FOLLOWER.apiKey).ETH!.free;

    fake.setBalance(FOLLOWER.apiKey, "ETH", "0");
    expect(exchangeReconcile.job.triggers).toEqual([{ cron: "*/5 * * * *" }]);
    const run = await runJob(exchangeReconcile.job, { name: "inngest/scheduled.timer", data: { cron: "*/5 * * * *" } });
    expect(run).toMatchObject({ status: "completed" });
    await waitForInlineRuns();
    expect(await listDiscrepancies(a.ctx, { status: "open" })).toMatchObject([{ kind: "orphan_ledger", data: { positionId: copy!.id } }]);

    // The coins come back (the follower bought them again by hand): nothing to close, the finding is gone.
    fake.setBalance(FOLLOWER.apiKey, "ETH", held);
    expect(await reconcileConnection(a.conn.id)).toEqual({ connectionId: a.conn.id, found: {}, recorded: 0, resolved: 1 });
    expect(await listDiscrepancies(a.ctx)).toMatchObject([{ kind: "orphan_ledger", status: "resolved", resolution: "gone" }]);
  });
});
