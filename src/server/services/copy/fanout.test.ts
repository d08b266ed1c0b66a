/**
 * The copy fan-out end to end: signals published and closed through the signals service, the fan-out row written
 * with the event, the copy-fanout job run by the inline runner, the paper venue filling pages of followers. Under
 * injected faults (duplicate deliveries, a failure half way with a retry, a crash between the venue and the write
 * re-driven by the sweeper) every follower ends with exactly one order per leg and exact balances.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import Decimal from "decimal.js";
import { and, eq, sql } from "drizzle-orm";
import { NonRetriableError } from "inngest";
import { useTestDatabase } from "@/test/db";
import { useFakeMarket } from "@/test/fake-market";
import { actingAs, newProvider } from "@/test/signals";
import { balances, copyingFollowers, orderKeys, waitForFanouts } from "@/test/copy";
import { db } from "@/server/db";
import { executeRows } from "@/server/db/raw";
import { copyFanouts, copyOrders, positions } from "@/server/db/schema";
import { resetRateLimits } from "@/server/rate-limit";
import { sendEvent } from "@/server/jobs/events";
import { waitForInlineRuns } from "@/server/jobs/inline/runner";
import { cancelSignal, checkPublication, closeSignal, publishOptimistic, publishSignal } from "@/server/services/signals";
import { claimStaleFanouts, configureCopyEngine, FANOUT_PARALLEL, fanoutLanes, forgetMarks, runFanoutPage, runLane, runLanes, runSignalFanouts } from "./engine";
import { paperAccountView } from "./account";

const t = useTestDatabase();
const market = useFakeMarket();
beforeEach(() => {
  resetRateLimits();
  configureCopyEngine({ slippageBps: async () => "2", pageSize: 50 });
});
afterEach(async () => {
  configureCopyEngine({});
  await waitForInlineRuns();
});

const D = (v: string | number) => new Decimal(v);
const dp8 = (d: Decimal) => d.toDecimalPlaces(8, Decimal.ROUND_HALF_UP);

/** What every default follower (allocation 1,000, 20% per entry) gets for a BTC long at `price`, 2 bps slippage. */
function expectedEntry(price: string) {
  const fill = dp8(D(price).mul("1.0002"));
  const quantity = D(200).div(fill).toDecimalPlaces(5, Decimal.ROUND_DOWN);
  const fee = dp8(quantity.mul(fill).mul("0.001"));
  return { fill, quantity, fee };
}

async function pendingFanoutCount(signalId: string) {
  const rows = await db.select().from(copyFanouts).where(and(eq(copyFanouts.signalId, signalId), eq(copyFanouts.status, "pending")));
  return rows.length;
}

const BTC = { symbol: "BTC/USDT", side: "long" as const, entryType: "market" as const, entryPrice: "32045.14", stopLoss: "31000" };

describe("copy fan-out under faults", () => {
  it("200 followers in parallel lanes, the event delivered 5 times, a failure half way retried, a crash between venue and write re-driven: one order per follower and leg, exact balances", async () => {
    const p = await newProvider();
    const followers = await copyingFollowers(p.provider.id, 200);

    // The page size of 50 splits the 200 followers into 6 lanes (pages to run 3 at a time) of about 34 each.
    // Fault 2: the job fails once in the third lane (a plain error: the runner retries the run).
    // Fault 3: the process "dies" between the venue's fills and their write in the last lane, every time, until the
    // sweeper's re-drive below: the run gives up, and only the re-drive can finish it.
    const ids = [...(await executeRows<{ id: string }>(t.db, sql`select id from copy_settings where provider_id = ${p.provider.id} order by id`))].map((r) => r.id);
    const lanes = [...new Set(ids.filter((_, i) => i % 34 === 0))];
    expect(lanes).toHaveLength(6);
    const [third, last] = [lanes[2], lanes[5]];
    const seen = new Map<string, number>();
    let healed = false;
    configureCopyEngine({
      slippageBps: async () => "2",
      pageSize: 50,
      afterVenue: (orders) => {
        const first = orders[0]?.copySettingId ?? "";
        seen.set(first, (seen.get(first) ?? 0) + 1);
        if (first === third && seen.get(first) === 1) throw new Error("injected: failure in the third lane");
        if (first === last && !healed) throw new NonRetriableError("injected: state lost between placing and persisting");
      },
    });
    const { signal } = await publishSignal(actingAs(p.user), p.provider.id, BTC, "ui");
    await waitForInlineRuns();
    // The run gave up with the last lane unwritten (others may be too, by when they ran), leaving the row pending.
    expect(await pendingFanoutCount(signal.id)).toBe(1);
    const partial = await orderKeys(signal.id);
    expect(partial.orders).toBeLessThanOrEqual(200 - 30);
    expect(partial).toEqual({ orders: partial.orders, keys: partial.orders, duplicated: 0 });
    healed = true;

    // The sweeper: a stale row gets a fresh event id, which the 24 h dedupe does not swallow.
    const stale = await claimStaleFanouts(0);
    expect(stale).toEqual([{ signalId: signal.id, providerId: p.provider.id, redrives: 1 }]);
    await sendEvent("copy/fanout.requested", { signalId: signal.id, providerId: p.provider.id, redrive: 1 }, { id: `copy-redrive:${signal.id}:1` });
    await waitForFanouts(signal.id);
    // Fault 1: the job event delivered 5 more times (new ids, and repeated ones): nothing more is written.
    for (let i = 0; i < 5; i++) await sendEvent("copy/fanout.requested", { signalId: signal.id, providerId: p.provider.id, redrive: 0 }, { id: `dup-${i % 3}` });
    await waitForFanouts(signal.id);

    const keys = await orderKeys(signal.id);
    expect(keys).toEqual({ orders: 200, keys: 200, duplicated: 0 });
    const { fill, quantity, fee } = expectedEntry("32045.14");
    const opened = await db.select().from(positions).where(eq(positions.signalId, signal.id));
    expect(opened).toHaveLength(200);
    expect(new Set(opened.map((o) => o.userId))).toEqual(new Set(followers));
    for (const o of opened) {
      expect(o.status).toBe("open");
      expect(D(o.quantity).eq(quantity)).toBe(true);
      expect(D(o.avgEntry).eq(fill)).toBe(true);
    }
    const afterEntry = await balances(followers);
    for (const u of followers) expect(afterEntry.get(u)).toBe(D(10000).minus(fee).toFixed());

    // The provider closes at a higher price: every copy closes in full, P&L exact.
    market.setPrice("BTC/USDT", "33000");
    configureCopyEngine({ slippageBps: async () => "2", pageSize: 50 });
    await closeSignal(actingAs(p.user), { providerId: p.provider.id, signalId: signal.id }, {});
    await waitForFanouts(signal.id);
    const exitFill = dp8(D("33000").mul("0.9998"));
    const exitFee = dp8(quantity.mul(exitFill).mul("0.001"));
    const pnl = dp8(exitFill.minus(fill).mul(quantity));
    const closed = await db.select().from(positions).where(eq(positions.signalId, signal.id));
    for (const c of closed) {
      expect(c.status).toBe("closed");
      expect(D(c.quantity).isZero()).toBe(true);
      expect(D(c.realizedPnl).eq(pnl)).toBe(true);
    }
    const final = await balances(followers);
    for (const u of followers) expect(final.get(u)).toBe(D(10000).minus(fee).plus(pnl).minus(exitFee).toFixed());
    expect(await orderKeys(signal.id)).toEqual({ orders: 400, keys: 400, duplicated: 0 });

    // Running the whole fan-out again (a late duplicate) writes nothing.
    await executeRows(t.db, sql`update copy_fanouts set status = 'pending' where signal_id = ${signal.id}`);
    await runSignalFanouts(signal.id);
    expect(await orderKeys(signal.id)).toEqual({ orders: 400, keys: 400, duplicated: 0 });
    expect(await balances(followers)).toEqual(final);
  }, 60_000);

  it("lanes: a large fan-out splits into disjoint id ranges of at most a page, and followers who join after the split are still copied", async () => {
    const p = await newProvider();
    await copyingFollowers(p.provider.id, 200);
    const { signal } = await publishSignal(actingAs(p.user), p.provider.id, BTC, "ui");
    await waitForFanouts(signal.id);
    // Undo the copies and re-open the row: the split below is made before anyone new joins.
    await executeRows(t.db, sql`delete from copy_orders where signal_id = ${signal.id}`);
    await executeRows(t.db, sql`delete from positions where signal_id = ${signal.id}`);
    await executeRows(t.db, sql`update copy_fanouts set status = 'pending' where signal_id = ${signal.id}`);
    const [fanout] = await db.select().from(copyFanouts).where(eq(copyFanouts.signalId, signal.id));

    const lanes = await fanoutLanes(fanout!.id);
    // 200 over pages of 50 is 4 pages, rounded up to a multiple of the lanes run at once.
    expect(lanes).toHaveLength(Math.ceil(4 / FANOUT_PARALLEL) * FANOUT_PARALLEL);
    expect(lanes[0]!.from).toBe("");
    expect(lanes.at(-1)!.until).toBeNull();
    for (let i = 1; i < lanes.length; i++) expect(lanes[i]!.from).toBe(lanes[i - 1]!.until);
    const ids = (await executeRows<{ id: string }>(t.db, sql`select id from copy_settings where provider_id = ${p.provider.id} order by id`)).map((r) => r.id);
    const sizes = lanes.map((l) => ids.filter((id) => id > l.from && (l.until === null || id <= l.until)).length);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(200);
    for (const n of sizes) expect(n).toBeLessThanOrEqual(50);

    // Three followers join between the split and the pages (their ids fall anywhere, the first or last lane too).
    await copyingFollowers(p.provider.id, 3);
    const totals = await runLanes(lanes, FANOUT_PARALLEL, (lane) => runLane(lane, (range) => runFanoutPage(fanout!.id, range)));
    expect(totals).toEqual({ followers: 203, orders: 203 });
    expect(await orderKeys(signal.id)).toEqual({ orders: 203, keys: 203, duplicated: 0 });
    // A page never ran twice over one follower: one open copy each.
    const [open] = await executeRows<{ n: number }>(t.db, sql`select count(*)::int as n from positions where signal_id = ${signal.id} and status = 'open'`);
    expect(open!.n).toBe(203);
  }, 60_000);

  it("the webhook's one-statement publication writes the fan-out row with the signal, and its followers get their copies", async () => {
    const p = await newProvider();
    const meta = actingAs(p.user);
    // The locked way first, so this process knows the chain head and the next publication goes the optimistic way.
    await publishSignal(meta, p.provider.id, { symbol: "ETH/USDT", side: "long" }, "ui");
    const followers = await copyingFollowers(p.provider.id, 3);
    const checked = await checkPublication(meta, p.provider.id, { ...BTC, idempotencyKey: "tv-1" });
    const result = await publishOptimistic(meta, p.provider.id, checked, "tradingview", { key: "tv-1", answer: () => ({ status: 201, body: {} }) });
    expect(result).not.toBeNull();
    const rows = await db.select().from(copyFanouts).where(eq(copyFanouts.signalId, result!.signal.id));
    expect(rows.map((r) => [r.kind, r.seq])).toEqual([["published", 2]]);
    await waitForFanouts(result!.signal.id);
    expect((await orderKeys(result!.signal.id)).orders).toBe(followers.length);
  });

  it("daily loss limit: a loss past 5% of the day's starting equity stops new entries until the day turns", async () => {
    const p = await newProvider();
    const [user] = await copyingFollowers(p.provider.id, 1, { sizingMode: "fixed", fixedAmount: "5000", maxPositionPct: "1", dailyLossPct: "0.05" });
    const first = (await publishSignal(actingAs(p.user), p.provider.id, BTC, "ui")).signal;
    await waitForFanouts(first.id);
    const [account] = await executeRows<{ day: string; day_start_equity: string }>(t.db, sql`select day, day_start_equity::text from paper_accounts where user_id = ${user}`);
    // Recorded by the day's first change: the equity before the entry's fee.
    expect(account).toEqual({ day: new Date().toISOString().slice(0, 10), day_start_equity: "10000" });
    market.setPrice("BTC/USDT", "28000");
    await closeSignal(actingAs(p.user), { providerId: p.provider.id, signalId: first.id }, {});
    await waitForFanouts(first.id);

    market.setPrice("BTC/USDT", "32045.14");
    const second = (await publishSignal(actingAs(p.user), p.provider.id, BTC, "ui")).signal;
    await waitForFanouts(second.id);
    const [skipped] = await db.select().from(copyOrders).where(eq(copyOrders.signalId, second.id));
    expect(skipped).toMatchObject({ status: "skipped" });
    expect(skipped!.reason).toMatch(/^daily_loss_limit/);

    // The next UTC day starts from the equity then: entries resume.
    await executeRows(t.db, sql`update paper_accounts set day = '2000-01-01' where user_id = ${user}`);
    const third = (await publishSignal(actingAs(p.user), p.provider.id, BTC, "ui")).signal;
    await waitForFanouts(third.id);
    const [filled] = await db.select().from(copyOrders).where(eq(copyOrders.signalId, third.id));
    expect(filled).toMatchObject({ status: "filled", leg: "entry" });
  });

  it("open copies are marked to the market when the account is read: open P&L and equity at the current price", async () => {
    const p = await newProvider();
    const [user] = await copyingFollowers(p.provider.id, 1);
    const { signal } = await publishSignal(actingAs(p.user), p.provider.id, BTC, "ui");
    await waitForFanouts(signal.id);
    const { fill, quantity, fee } = expectedEntry("32045.14");
    market.setPrice("BTC/USDT", "33000");
    forgetMarks();
    const view = await paperAccountView(user!);
    // Exact, unrounded: (mark − entry) × quantity.
    const open = D("33000").minus(fill).mul(quantity);
    expect([view.unrealisedPnl, view.equity]).toEqual([open.toFixed(), D(10000).minus(fee).plus(open).toFixed()]);
    const [pos] = await db.select().from(positions).where(eq(positions.signalId, signal.id));
    expect(pos!.markPrice).toBe("33000");
  });

  it("writes no fan-out row while nobody copies the provider", async () => {
    const p = await newProvider();
    const { signal } = await publishSignal(actingAs(p.user), p.provider.id, BTC, "ui");
    expect(await db.select().from(copyFanouts).where(eq(copyFanouts.signalId, signal.id))).toEqual([]);
  });

  it("a limit entry rests until the signal fills; a cancel before that cancels every resting copy", async () => {
    const p = await newProvider();
    const followers = await copyingFollowers(p.provider.id, 3);
    const { signal } = await publishSignal(actingAs(p.user), p.provider.id, { ...BTC, entryType: "limit", entryPrice: "31500" }, "ui");
    await waitForFanouts(signal.id);
    const resting = await db.select().from(copyOrders).where(eq(copyOrders.signalId, signal.id));
    expect(resting.map((o) => [o.status, o.orderType, o.limitPrice])).toEqual(followers.map(() => ["submitted", "limit", "31500"]));
    await cancelSignal(actingAs(p.user), { providerId: p.provider.id, signalId: signal.id });
    await waitForFanouts(signal.id);
    const after = await db.select().from(copyOrders).where(eq(copyOrders.signalId, signal.id));
    expect(after.map((o) => o.status)).toEqual(["cancelled", "cancelled", "cancelled"]);
    expect(await db.select().from(positions).where(eq(positions.signalId, signal.id))).toEqual([]);
    expect([...(await balances(followers)).values()]).toEqual(["10000", "10000", "10000"]);
  });
});

describe("copy rows when a user or a provider is deleted", () => {
  it("a follower's delete takes their copy orders and positions with it, a provider's delete every copy of theirs; nobody else's rows move", async () => {
    const [a, b] = [await newProvider(), await newProvider()];
    const fa = await copyingFollowers(a.provider.id, 3);
    const fb = await copyingFollowers(b.provider.id, 2);
    const sa = (await publishSignal(actingAs(a.user), a.provider.id, BTC, "ui")).signal;
    const sb = (await publishSignal(actingAs(b.user), b.provider.id, BTC, "ui")).signal;
    await waitForFanouts(sa.id);
    await waitForFanouts(sb.id);
    const rows = async (table: "copy_orders" | "positions", column: "user_id" | "provider_id", id: string) =>
      (await executeRows<{ n: number }>(t.db, sql`select count(*)::int as n from ${sql.raw(table)} where ${sql.raw(column)} = ${id}`))[0]!.n;
    expect(await rows("copy_orders", "provider_id", a.provider.id)).toBe(3);
    expect(await rows("positions", "provider_id", b.provider.id)).toBe(2);

    await executeRows(t.db, sql`delete from users where id = ${fa[0]!}`);
    expect(await rows("copy_orders", "user_id", fa[0]!)).toBe(0);
    expect(await rows("positions", "user_id", fa[0]!)).toBe(0);
    expect(await rows("copy_orders", "user_id", fa[1]!)).toBe(1);
    expect(await rows("positions", "provider_id", a.provider.id)).toBe(2);

    await executeRows(t.db, sql`delete from providers where id = ${b.provider.id}`);
    expect(await rows("copy_orders", "provider_id", b.provider.id)).toBe(0);
    expect(await rows("positions", "provider_id", b.provider.id)).toBe(0);
    for (const u of fb) expect(await rows("positions", "user_id", u)).toBe(0);
    expect(await rows("positions", "provider_id", a.provider.id)).toBe(2);
  });
});
