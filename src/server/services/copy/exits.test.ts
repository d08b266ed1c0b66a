/**
 * Exits of copies (issue 13, acceptance 3), end to end: signals published and changed through the signals service
 * or the price monitor (fake candles), fan-out rows run by the inline job runner, the paper venue filling each
 * follower. Every expectation is computed independently (ModelCopy in src/test/copy.ts: fill = price moved 2 bps
 * against the follower, half-up to 8 dp; fee 0.1% of quantity × fill; crypto quantities floored to the step on
 * entry, partial exits to the nearest step of the share of the first size) and compared exactly.
 */
import { describe, expect, it } from "vitest";
import Decimal from "decimal.js";
import { eq, sql } from "drizzle-orm";
import { NonRetriableError, RetryAfterError } from "inngest";
import { useTestDatabase } from "@/test/db";
import { candle, useFakeMarket } from "@/test/fake-market";
import { actingAs, newProvider } from "@/test/signals";
import { balances, copyingFollowers, copyOf, expectCopy, ModelCopy, waitForFanouts, COPY_TEST_SLIPPAGE, useCopyEngine } from "@/test/copy";
import { db } from "@/server/db";
import { executeRows } from "@/server/db/raw";
import { copyFanouts, copyOrders, positions } from "@/server/db/schema";
import { sendEvent } from "@/server/jobs/events";
import { waitForInlineRuns } from "@/server/jobs/inline/runner";
import { cancelSignal, closeSignal, moveStop, publishSignal } from "@/server/services/signals";
import { runPriceMonitor } from "@/server/services/signals/monitor";
import { claimStaleFanouts, closePositionsNow, configureCopyEngine, pendingFanouts, runFanoutPage } from "./engine";

useTestDatabase();
const market = useFakeMarket();
useCopyEngine();
const SLIPPAGE = COPY_TEST_SLIPPAGE;

const D = (v: Decimal.Value) => new Decimal(v);
const BTC_PRICE = "32045.14";
const HOUR = 3_600_000;
/** A whole hour well in the past, so the candles of the monitor tests are closed by "now". */
const T0 = Math.floor(Date.now() / HOUR) * HOUR - 48 * HOUR;
const h = (n: number) => T0 + n * HOUR;
/** Signals driven by the monitor are published at h(0) + 5 min; their followers copy since before that. */
const PUBLISHED = new Date(h(0) + 5 * 60_000);
const SINCE = new Date(T0 - HOUR);

/** The engine's clock at the publication (entries of a signal published in the past are not "too old"). */
function engineAtPublication() {
  configureCopyEngine({ slippageBps: SLIPPAGE, now: () => new Date(PUBLISHED.getTime() + 1000) });
}

/** One follower with these settings, copying since `since`. */
async function follower(providerId: string, settings: Parameters<typeof copyingFollowers>[2], since?: Date) {
  const [id] = await copyingFollowers(providerId, 1, settings, since);
  return id!;
}

const quantityOf = async (userId: string, signalId: string) => D((await copyOf(userId, signalId)).position!.quantity).toFixed();

describe("exits of copies", () => {
  it("a stop hit closes every copy at the stop with slippage: leg stop, P&L and balance exact", async () => {
    engineAtPublication();
    const p = await newProvider();
    const copies = [
      { id: await follower(p.provider.id, {}, SINCE), m: ModelCopy.market("long", BTC_PRICE, "200") },
      { id: await follower(p.provider.id, { allocatedAmount: "2500" }, SINCE), m: ModelCopy.market("long", BTC_PRICE, "500") },
      { id: await follower(p.provider.id, { sizingMode: "fixed", fixedAmount: "777.77" }, SINCE), m: ModelCopy.market("long", BTC_PRICE, "777.77") },
    ];
    const { signal } = await publishSignal(actingAs(p.user, { now: PUBLISHED }), p.provider.id, { symbol: "BTC/USDT", side: "long", stopLoss: "31000" }, "ui");
    await waitForFanouts(signal.id);
    for (const c of copies) await expectCopy(c.id, signal.id, c.m, { what: "after entry" });

    market.setCandles("BTC/USDT", "1h", [candle(h(1), "32000", "32100", "30900", "31050")]);
    await runPriceMonitor(new Date(h(3)));
    await waitForFanouts(signal.id);
    for (const c of copies) {
      c.m.exit("stop", "31000");
      await expectCopy(c.id, signal.id, c.m, { what: "after the stop" });
      const stop = (await copyOf(c.id, signal.id)).orders.find((o) => o.leg === "stop")!;
      expect([D(stop.requestedPrice!).toFixed(), D(stop.slippageBps!).toFixed(), stop.side]).toEqual(["31000", "2", "sell"]);
    }
    // A loss: the model's numbers are what the test means, not just what the engine says.
    expect(copies[0]!.m.realized.isNeg()).toBe(true);
  });

  /**
   * Three take-profits of 0.5/0.3/0.2 hit one candle after another, each run through the monitor and the fan-out;
   * after each, `check` sees the copies. 320.6 / 32051.549028 floors to 0.01 BTC, which splits evenly; 200 and 300
   * give 0.00623 and 0.00935, which do not.
   */
  async function threeTargets(check: (copies: { id: string; m: ModelCopy }[], signalId: string, target: number) => Promise<void>) {
    engineAtPublication();
    const p = await newProvider();
    const even = { id: await follower(p.provider.id, { sizingMode: "fixed", fixedAmount: "320.6" }, SINCE), m: ModelCopy.market("long", BTC_PRICE, "320.6") };
    const odd = { id: await follower(p.provider.id, {}, SINCE), m: ModelCopy.market("long", BTC_PRICE, "200") };
    const odd2 = { id: await follower(p.provider.id, { allocatedAmount: "1500" }, SINCE), m: ModelCopy.market("long", BTC_PRICE, "300") };
    const copies = [even, odd, odd2];
    expect(copies.map((c) => c.m.initial.toFixed())).toEqual(["0.01", "0.00623", "0.00935"]);
    const takeProfits = [
      { price: "32500", share: "0.5" },
      { price: "33000", share: "0.3" },
      { price: "33500", share: "0.2" },
    ];
    const { signal } = await publishSignal(actingAs(p.user, { now: PUBLISHED }), p.provider.id, { symbol: "BTC/USDT", side: "long", stopLoss: "31000", takeProfits }, "ui");
    await waitForFanouts(signal.id);
    const candles = [
      candle(h(1), "32050", "32600", "32000", "32550"),
      candle(h(2), "32550", "33100", "32500", "33050"),
      candle(h(3), "33050", "33600", "33000", "33550"),
    ];
    for (let i = 0; i < 3; i++) {
      market.setCandles("BTC/USDT", "1h", candles.slice(0, i + 1));
      await runPriceMonitor(new Date(h(i + 2)));
      await waitForFanouts(signal.id);
      // The third target is the signal's close ("closed", reason target): the copies close all they hold.
      for (const c of copies) c.m.exit("tp", takeProfits[i]!.price, i === 2 ? "all" : takeProfits[i]!.share);
      await check(copies, signal.id, i + 1);
    }
    return { copies, signalId: signal.id };
  }

  it("targets 0.5/0.3/0.2 close the copies in legs of the first size; an uneven size ends at exactly 0 on the last leg", async () => {
    const evenLeft = ["0.005", "0.002", "0"];
    const { copies, signalId } = await threeTargets(async (copies, signalId, target) => {
      // Exactly, the average exit too: it was re-averaged from its own rounded value at each leg (fixed in 664d769), and
      // the 0.00623 BTC copy ended at 32842.54735153 instead of 204.60907 / 0.00623 = 32842.547351524… → …52.
      for (const c of copies) await expectCopy(c.id, signalId, c.m, { what: `after target ${target}` });
      expect(await quantityOf(copies[0]!.id, signalId)).toBe(evenLeft[target - 1]);
    });
    const [, odd, odd2] = copies;
    // The last leg closed what remained, not 0.2 of the first size (0.001246 → 0.00125 would leave −0.00001).
    expect(odd!.m.legs.map((l) => l.quantity.toFixed())).toEqual(["0.00312", "0.00187", "0.00124"]);
    expect(odd2!.m.legs.map((l) => l.quantity.toFixed())).toEqual(["0.00468", "0.00281", "0.00186"]);
    for (const c of copies) {
      const { orders } = await copyOf(c.id, signalId);
      expect(orders.map((o) => [o.leg, o.status])).toEqual([["entry", "filled"], ["tp", "filled"], ["tp", "filled"], ["tp", "filled"]]);
    }
  });

  it("a moved stop reaches the open copies (positions.stop_loss), and they close at the moved stop when it is hit", async () => {
    engineAtPublication();
    const p = await newProvider();
    const copies = [
      { id: await follower(p.provider.id, {}, SINCE), m: ModelCopy.market("long", BTC_PRICE, "200") },
      { id: await follower(p.provider.id, { allocatedAmount: "3000" }, SINCE), m: ModelCopy.market("long", BTC_PRICE, "600") },
    ];
    const { signal } = await publishSignal(actingAs(p.user, { now: PUBLISHED }), p.provider.id, { symbol: "BTC/USDT", side: "long", stopLoss: "31000" }, "ui");
    await waitForFanouts(signal.id);
    const stops = async () => (await db.select().from(positions).where(eq(positions.signalId, signal.id))).map((r) => D(r.stopLoss!).toFixed());
    expect(await stops()).toEqual(["31000", "31000"]);

    await moveStop(actingAs(p.user, { now: new Date(h(1) + 30 * 60_000) }), { providerId: p.provider.id, signalId: signal.id }, "31800");
    await waitForFanouts(signal.id);
    expect(await stops()).toEqual(["31800", "31800"]);

    // The +1h candle opened before the move (its low is not judged against the new stop); the +2h one trades through it.
    market.setCandles("BTC/USDT", "1h", [candle(h(1), "32050", "32100", "31700", "31900"), candle(h(2), "31900", "32000", "31750", "31800")]);
    await runPriceMonitor(new Date(h(4)));
    await waitForFanouts(signal.id);
    for (const c of copies) {
      c.m.exit("stop", "31800");
      await expectCopy(c.id, signal.id, c.m, { what: "after the moved stop" });
    }
  });

  it("the provider's manual close: half, then the rest, at the market price of each moment", async () => {
    const p = await newProvider();
    const copies = [
      { id: await follower(p.provider.id, {}), m: ModelCopy.market("long", BTC_PRICE, "200") },
      { id: await follower(p.provider.id, { allocatedAmount: "1500" }), m: ModelCopy.market("long", BTC_PRICE, "300") },
      { id: await follower(p.provider.id, { sizingMode: "fixed", fixedAmount: "320.6" }), m: ModelCopy.market("long", BTC_PRICE, "320.6") },
    ];
    const { signal } = await publishSignal(actingAs(p.user), p.provider.id, { symbol: "BTC/USDT", side: "long", stopLoss: "31000" }, "ui");
    const owned = { providerId: p.provider.id, signalId: signal.id };
    await waitForFanouts(signal.id);

    market.setPrice("BTC/USDT", "33000");
    await closeSignal(actingAs(p.user), owned, { share: "0.5" });
    await waitForFanouts(signal.id);
    for (const c of copies) {
      c.m.exit("close", "33000", "0.5");
      await expectCopy(c.id, signal.id, c.m, { what: "after the half" });
    }
    expect(await quantityOf(copies[2]!.id, signal.id)).toBe("0.005");

    market.setPrice("BTC/USDT", "32500");
    await closeSignal(actingAs(p.user), owned, {});
    await waitForFanouts(signal.id);
    for (const c of copies) {
      c.m.exit("close", "32500");
      await expectCopy(c.id, signal.id, c.m, { what: "after the rest" });
    }
  });

  it("a pending limit entry cancelled: every resting copy order is cancelled, no position, no fee", async () => {
    const p = await newProvider();
    const ids = await copyingFollowers(p.provider.id, 3);
    const { signal } = await publishSignal(actingAs(p.user), p.provider.id, { symbol: "ETH/USDT", side: "long", entryType: "limit", entryPrice: "1950", stopLoss: "1900" }, "ui");
    await waitForFanouts(signal.id);
    const resting = await db.select().from(copyOrders).where(eq(copyOrders.signalId, signal.id));
    // 200 / 1950 floored to ETH's step at 1950 (0.0001).
    expect(resting.map((o) => [o.status, D(o.limitPrice!).toFixed(), D(o.quantity).toFixed()])).toEqual(ids.map(() => ["submitted", "1950", "0.1025"]));
    await cancelSignal(actingAs(p.user), { providerId: p.provider.id, signalId: signal.id });
    await waitForFanouts(signal.id);
    const after = await db.select().from(copyOrders).where(eq(copyOrders.signalId, signal.id));
    expect(after.map((o) => [o.status, o.leg, D(o.fee).toFixed()])).toEqual(ids.map(() => ["cancelled", "entry", "0"]));
    expect(await db.select().from(positions).where(eq(positions.signalId, signal.id))).toEqual([]);
    expect([...(await balances(ids)).values()].map((b) => D(b).toFixed())).toEqual(["10000", "10000", "10000"]);
  });

  it("a limit entry the monitor fills: resting copies fill at the limit (no slippage), positions open, fee charged; then the stop", async () => {
    engineAtPublication();
    const p = await newProvider();
    const copies = [
      { id: await follower(p.provider.id, {}, SINCE), m: ModelCopy.limit("long", "31500", "200") },
      { id: await follower(p.provider.id, { allocatedAmount: "1500" }, SINCE), m: ModelCopy.limit("long", "31500", "300") },
    ];
    const { signal } = await publishSignal(
      actingAs(p.user, { now: PUBLISHED }),
      p.provider.id,
      { symbol: "BTC/USDT", side: "long", entryType: "limit", entryPrice: "31500", stopLoss: "31000" },
      "ui",
    );
    await waitForFanouts(signal.id);
    for (const c of copies) {
      const { position, orders } = await copyOf(c.id, signal.id);
      expect(position).toBeNull();
      expect(orders.map((o) => [o.status, o.orderType, D(o.limitPrice!).toFixed(), D(o.quantity).toFixed()])).toEqual([["submitted", "limit", "31500", c.m.initial.toFixed()]]);
    }

    market.setCandles("BTC/USDT", "1h", [candle(h(1), "31800", "32000", "31400", "31900")]);
    await runPriceMonitor(new Date(h(2)));
    await waitForFanouts(signal.id);
    for (const c of copies) {
      await expectCopy(c.id, signal.id, c.m, { what: "after the fill" });
      const [entry] = (await copyOf(c.id, signal.id)).orders;
      expect(D(entry!.slippageBps!).toFixed()).toBe("0");
    }

    market.setCandles("BTC/USDT", "1h", [candle(h(1), "31800", "32000", "31400", "31900"), candle(h(2), "31900", "31950", "30900", "31000")]);
    await runPriceMonitor(new Date(h(3)));
    await waitForFanouts(signal.id);
    for (const c of copies) {
      c.m.exit("stop", "31000");
      await expectCopy(c.id, signal.id, c.m, { what: "after the stop" });
    }
  });
});

describe("order of a follower's legs", () => {
  it("an entry delivered after the signal closed is skipped for everyone (signal_finished), and no exit order exists", async () => {
    const p = await newProvider();
    const ids = await copyingFollowers(p.provider.id, 3);
    // The entry's job never lands: every attempt "dies" before the write and gives up.
    configureCopyEngine({
      slippageBps: SLIPPAGE,
      afterVenue: () => {
        throw new NonRetriableError("injected: the entry never lands");
      },
    });
    const { signal } = await publishSignal(actingAs(p.user), p.provider.id, { symbol: "BTC/USDT", side: "long", stopLoss: "31000" }, "ui");
    await waitForInlineRuns();
    market.setPrice("BTC/USDT", "33000");
    await closeSignal(actingAs(p.user), { providerId: p.provider.id, signalId: signal.id }, {});
    await waitForInlineRuns();

    const pending = await pendingFanouts(signal.id);
    expect(pending.map((f) => f.kind)).toEqual(["published", "closed"]);
    // The close may not overtake the entry: its page waits while the entry is pending.
    await expect(runFanoutPage(pending[1]!.id, "")).rejects.toBeInstanceOf(RetryAfterError);
    expect(await db.select().from(copyOrders).where(eq(copyOrders.signalId, signal.id))).toEqual([]);

    // The sweeper re-drives both, in chain order: the entry now finds the signal closed.
    configureCopyEngine({ slippageBps: SLIPPAGE });
    const stale = await claimStaleFanouts(0);
    expect(stale).toEqual([{ signalId: signal.id, providerId: p.provider.id, redrives: 1 }]);
    await sendEvent("copy/fanout.requested", { signalId: signal.id, providerId: p.provider.id, redrive: 1 }, { id: `copy-redrive:${signal.id}:1` });
    await waitForFanouts(signal.id);

    const orders = await db.select().from(copyOrders).where(eq(copyOrders.signalId, signal.id));
    expect(orders).toHaveLength(3);
    for (const o of orders) {
      expect([o.leg, o.status]).toEqual(["entry", "skipped"]);
      expect(o.reason).toMatch(/^signal_finished: /);
    }
    expect(new Set(orders.map((o) => o.userId))).toEqual(new Set(ids));
    expect(await db.select().from(positions).where(eq(positions.signalId, signal.id))).toEqual([]);
    expect([...(await balances(ids)).values()].map((b) => D(b).toFixed())).toEqual(["10000", "10000", "10000"]);
    const done = await db.select().from(copyFanouts).where(eq(copyFanouts.signalId, signal.id));
    expect(done.map((f) => f.status)).toEqual(["done", "done"]);
  });

  it("a follower's own close, then the signal's: the signal's exit leaves that position alone; a second manual close closes nothing", async () => {
    const p = await newProvider();
    const mine = { id: await follower(p.provider.id, {}), m: ModelCopy.market("long", BTC_PRICE, "200") };
    const other = { id: await follower(p.provider.id, { allocatedAmount: "1500" }), m: ModelCopy.market("long", BTC_PRICE, "300") };
    const { signal } = await publishSignal(actingAs(p.user), p.provider.id, { symbol: "BTC/USDT", side: "long", stopLoss: "31000" }, "ui");
    await waitForFanouts(signal.id);

    market.setPrice("BTC/USDT", "31500");
    const positionId = (await copyOf(mine.id, signal.id)).position!.id;
    expect(await closePositionsNow({ userId: mine.id, positionIds: [positionId], reason: "manual" })).toEqual({ closed: 1, planned: 0 });
    expect(await closePositionsNow({ userId: mine.id, positionIds: [positionId], reason: "manual" })).toEqual({ closed: 0, planned: 0 });
    mine.m.exit("manual", "31500");
    await expectCopy(mine.id, signal.id, mine.m, { what: "after the manual close" });

    market.setPrice("BTC/USDT", "33000");
    await closeSignal(actingAs(p.user), { providerId: p.provider.id, signalId: signal.id }, {});
    await waitForFanouts(signal.id);
    await expectCopy(mine.id, signal.id, mine.m, { what: "after the signal's close" });
    expect((await copyOf(mine.id, signal.id)).orders.map((o) => [o.leg, o.status, o.reason])).toEqual([
      ["entry", "filled", null],
      ["manual", "filled", "manual"],
    ]);
    other.m.exit("close", "33000");
    await expectCopy(other.id, signal.id, other.m);
  });

  it("a lapsed subscription: the next signal is not copied (and leaves no row showing its levels) while the open copy still gets its exit", async () => {
    const p = await newProvider();
    const lapsed = { id: await follower(p.provider.id, {}), m: ModelCopy.market("long", BTC_PRICE, "200") };
    const active = { id: await follower(p.provider.id, {}), m: ModelCopy.market("long", BTC_PRICE, "200") };
    // Paid followings (the subscription recorded on the settings), so the free tier does not stand in for it.
    await executeRows(
      db,
      sql`update copy_settings as c set subscription_id = s.id from subscriptions as s where s.subscriber_id = c.user_id and s.provider_id = c.provider_id and c.provider_id = ${p.provider.id}`,
    );
    const first = (await publishSignal(actingAs(p.user), p.provider.id, { symbol: "BTC/USDT", side: "long", stopLoss: "31000" }, "ui")).signal;
    await waitForFanouts(first.id);
    await expectCopy(lapsed.id, first.id, lapsed.m);

    await executeRows(db, sql`update subscriptions set status = 'canceled' where subscriber_id = ${lapsed.id}`);
    const second = (await publishSignal(actingAs(p.user), p.provider.id, { symbol: "ETH/USDT", side: "long", stopLoss: "1900" }, "ui")).signal;
    await waitForFanouts(second.id);
    const skipped = await copyOf(lapsed.id, second.id);
    expect(skipped.position).toBeNull();
    // No skipped row either: it would carry the open signal's symbol, side and price into a lapsed follower's journal.
    expect(skipped.orders).toEqual([]);
    const activeEth = ModelCopy.market("long", "2000.5", "200");
    await expectCopy(active.id, second.id, activeEth, { balance: active.m.balance.plus(activeEth.balance).minus(10000) });

    market.setPrice("BTC/USDT", "33000");
    await closeSignal(actingAs(p.user), { providerId: p.provider.id, signalId: first.id }, {});
    await waitForFanouts(first.id);
    lapsed.m.exit("close", "33000");
    active.m.exit("close", "33000");
    await expectCopy(lapsed.id, first.id, lapsed.m, { what: "lapsed, after the exit" });
    await expectCopy(active.id, first.id, active.m, { what: "active, after the exit", balance: active.m.balance.plus(activeEth.balance).minus(10000) });
  });
});
