/**
 * The copy services a follower and an admin act through: settings and followings, copying on/off, the paper account
 * view and reset, the journal (positions, orders, CSV), kill switches and the execution-ledger aggregates. Rows the
 * fan-out would write are inserted directly where the test is about reading them; closes go through the engine.
 */
import { afterEach, describe, expect, it } from "vitest";
import { and, count, eq, like } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { useFakeMarket } from "@/test/fake-market";
import { createUser } from "@/test/factories";
import { actingAs, newProvider, subscribe } from "@/test/signals";
import { changedTables, tableCounts } from "@/test/tables";
import { auditLog, copyKillSwitches, copyOrders, copySettings, freePaperCopies, paperAccountResets, paperAccounts, positions, signals } from "@/server/db/schema";
import { followSettingsSchema } from "@/lib/validation/copy";
import { publishSignal } from "@/server/services/signals";
import { LimitExceededError, NotFoundError, ValidationError } from "@/server/errors";
import { getFollowSettings, listFollowings, previewSizing, saveFollowSettings, setCopying } from "./settings";
import { paperAccountView, resetPaperAccount } from "./account";
import { closeOwnPosition, csvField, listOrders, listPositions, ordersCsv } from "./journal";
import { closeFollowing, killAllCopies, killSwitchState, pauseFollowing, setPlatformKillSwitch, setProviderCopyStop } from "./kill-switches";
import { executionQualityFor, followerJournalStats } from "./ledger";
import { configureCopyEngine, ensurePaperAccount, forgetMarks } from "./engine";

const t = useTestDatabase();
const market = useFakeMarket();
afterEach(() => configureCopyEngine({}));

const settings = (input: Record<string, unknown> = {}) => followSettingsSchema.parse(input);
const audits = (prefix: string) => t.db.select().from(auditLog).where(like(auditLog.action, `${prefix}%`));

let seq = 0;
async function insertPosition(userId: string, providerId: string, v: Partial<typeof positions.$inferInsert> = {}) {
  const [row] = await t.db
    .insert(positions)
    .values({
      userId,
      providerId,
      venue: "paper",
      symbol: "BTC/USDT",
      side: "long",
      quantity: "0.1",
      initialQuantity: "0.1",
      avgEntry: "30000",
      markPrice: "31000",
      lastSeq: 1,
      openedAt: new Date("2026-01-01T00:00:00Z"),
      ...v,
    })
    .returning();
  return row!;
}

async function insertOrder(userId: string, providerId: string, v: Partial<typeof copyOrders.$inferInsert> = {}) {
  const [row] = await t.db
    .insert(copyOrders)
    .values({ clientOrderId: `test-${++seq}`, userId, providerId, venue: "paper", symbol: "BTC/USDT", side: "buy", leg: "entry", status: "filled", quantity: "0.1", ...v })
    .returning();
  return row!;
}

async function follower() {
  const p = await newProvider();
  const user = await createUser("subscriber");
  await subscribe(user.id, p.provider.id, "active");
  return { p, user, ctx: actingAs(user, { now: new Date("2026-03-01T12:00:00Z") }) };
}

describe("follow settings", () => {
  it("lists live subscriptions with defaults, then saved settings; never another user's", async () => {
    const { p, user, ctx } = await follower();
    const other = await createUser("subscriber");
    await subscribe(other.id, p.provider.id, "active");
    const before = await listFollowings(user.id);
    expect(before.freeTier).toEqual({ used: 0, limit: 4 });
    expect(before.followings).toHaveLength(1);
    expect(before.followings[0]).toMatchObject({ provider: { id: p.provider.id, slug: p.provider.slug }, access: "subscription", entitled: true, saved: false, enabled: false, killSwitch: null });
    expect(before.followings[0]!.settings).toEqual(settings());

    await saveFollowSettings(ctx, p.provider.id, settings({ allocationPct: "0.25", symbolsAllow: ["btcusdt", "ETH/USDT"], copyStopPct: "0.5" }));
    const after = (await listFollowings(user.id)).followings[0]!;
    expect(after).toMatchObject({ saved: true, enabled: false, settings: { allocationPct: "0.25", symbolsAllow: ["BTC/USDT", "ETH/USDT"], copyStopPct: "0.5", dailyLossPct: "0.05" } });
    expect((await listFollowings(other.id)).followings[0]!.saved).toBe(false);
    const [audit] = await audits("copy.settings.update");
    expect(audit).toMatchObject({ actorId: user.id, targetType: "copy_settings" });
    expect(audit!.data).toMatchObject({ providerId: p.provider.id, created: true, changed: { allocationPct: { from: null, to: "0.25" } } });
  });

  it("refuses an unknown symbol by name and writes nothing", async () => {
    const { p, ctx } = await follower();
    const before = await tableCounts();
    const err = await saveFollowSettings(ctx, p.provider.id, settings({ symbolsDeny: ["DOGE/USDT"] })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).message).toBe('"DOGE/USDT" in the deny list is not a symbol we have prices for. Use a listed symbol like BTC/USDT');
    expect((err as ValidationError).fieldErrors).toEqual({ symbolsDeny: [(err as ValidationError).message] });
    expect(changedTables(before, await tableCounts())).toEqual({});
  });

  it("lets the free tier follow while it has room, then refuses with what to do", async () => {
    const p = await newProvider();
    const user = await createUser("subscriber");
    const ctx = actingAs(user);
    const view = await saveFollowSettings(ctx, p.provider.id, settings());
    expect(view).toMatchObject({ access: "free", entitled: false, subscriptionId: null, saved: true });
    const published = await Promise.all(
      [1, 2, 3, 4].map(async () => (await publishSignal(actingAs(p.user), p.provider.id, { symbol: "ETH/USDT", side: "long", takeProfits: [] }, "ui")).signal.id),
    );
    await t.db.insert(freePaperCopies).values(published.map((signalId) => ({ userId: user.id, signalId })));
    const before = await tableCounts();
    await expect(setCopying(ctx, p.provider.id, true)).rejects.toThrow(LimitExceededError);
    await expect(saveFollowSettings(ctx, p.provider.id, settings())).rejects.toThrow(/used all 4. Subscribe to .* to copy their signals/);
    expect(changedTables(before, await tableCounts())).toEqual({});
    expect((await getFollowSettings(user.id, p.provider.id)).access).toBe("none");
    await expect(getFollowSettings(user.id, "prv_nope")).rejects.toThrow(NotFoundError);
  });

  it("turns copying on with the allocation set aside from equity, and off leaving positions open", async () => {
    const { p, user, ctx } = await follower();
    await saveFollowSettings(ctx, p.provider.id, settings({ allocationPct: "0.2" }));
    await ensurePaperAccount(user.id);
    await t.db.update(paperAccounts).set({ balance: "9000" }).where(eq(paperAccounts.userId, user.id));
    const pos = await insertPosition(user.id, p.provider.id, { avgEntry: "30000", markPrice: "31000", quantity: "0.1" });
    await t.db.update(copySettings).set({ pausedReason: "copy_stop" }).where(eq(copySettings.userId, user.id));

    const on = await setCopying(ctx, p.provider.id, true);
    // Equity 9000 + 0.1 × (31000 − 30000) = 9100; 20% of it.
    expect(on).toMatchObject({ enabled: true, allocatedAmount: "1820", pausedReason: null, startedAt: ctx.now, openPositions: 1 });
    const off = await setCopying(ctx, p.provider.id, false);
    expect(off).toMatchObject({ enabled: false, allocatedAmount: "1820" });
    expect((await t.db.select().from(positions).where(eq(positions.id, pos.id)))[0]!.status).toBe("open");
    expect((await audits("copy.following.")).map((a) => a.action).sort()).toEqual(["copy.following.disable", "copy.following.enable"]);
    const stranger = await createUser("subscriber");
    await expect(setCopying(actingAs(stranger), p.provider.id, false)).rejects.toThrow(NotFoundError);
  });

  it("previews a signal's size with the planner: quantity, notional and risk", async () => {
    const { p, ctx } = await follower();
    market.setPrice("BTC/USDT", "50000");
    const preview = await previewSizing(ctx, { providerId: p.provider.id, settings: settings({ sizingMode: "risk", riskPct: "0.01" }), symbol: "BTC/USDT", side: "long", stopLoss: "49000" });
    expect(preview.source).toBe("input");
    expect(preview.decision).toMatchObject({ action: "order", side: "buy" });
    expect(preview.summary).toMatch(/^This signal would open [\d.]+ BTC ≈ \$[\d,.]+, risking \$[\d,.]+$/);
    const none = await previewSizing(actingAs(await createUser("subscriber")), { providerId: p.provider.id });
    expect(none).toMatchObject({ source: "none", decision: null });
  });
});

describe("paper account", () => {
  it("shows equity at the mark, realised P&L, fees and a day-end curve that ends at the balance", async () => {
    // The stored marks stand: the market cannot price these symbols now (a read marks to the market when it can).
    configureCopyEngine({ price: async () => Promise.reject(new Error("no price in this test")) });
    forgetMarks();
    const { p, user } = await follower();
    const account = await ensurePaperAccount(user.id);
    await t.db.update(paperAccounts).set({ createdAt: new Date("2026-01-01T00:00:00Z"), balance: "10089.8" }).where(eq(paperAccounts.id, account.id));
    const closed = await insertPosition(user.id, p.provider.id, { status: "closed", quantity: "0", avgEntry: "30000", side: "long", realizedPnl: "100", fees: "6.1", closedAt: new Date("2026-01-03T10:00:00Z") });
    await insertOrder(user.id, p.provider.id, { positionId: closed.id, leg: "entry", fillPrice: "30000", quantity: "0.1", fee: "3", filledAt: new Date("2026-01-02T10:00:00Z") });
    await insertOrder(user.id, p.provider.id, { positionId: closed.id, leg: "tp", side: "sell", fillPrice: "31000", quantity: "0.1", fee: "3.1", filledAt: new Date("2026-01-03T10:00:00Z") });
    const short = await insertPosition(user.id, p.provider.id, { side: "short", avgEntry: "2000", markPrice: "1900", quantity: "1", symbol: "ETH/USDT" });
    await insertOrder(user.id, p.provider.id, { positionId: short.id, leg: "entry", side: "sell", fillPrice: "2000", quantity: "1", fee: "2", filledAt: new Date("2026-01-03T11:00:00Z"), symbol: "ETH/USDT" });
    // Another follower's rows never count.
    const other = await createUser("subscriber");
    await insertPosition(other.id, p.provider.id, { markPrice: "1" });

    const view = await paperAccountView(user.id);
    expect(view).toMatchObject({ exists: true, balance: "10089.8", unrealisedPnl: "100", equity: "10189.8", realisedPnl: "100", fees: "8.1", openPositions: 1, resets: 0 });
    expect(view.curve).toEqual([
      { time: "2026-01-01", value: "10000" },
      { time: "2026-01-02", value: "9997" },
      { time: "2026-01-03", value: "10091.9" },
    ]);
    expect(await paperAccountView(other.id)).toMatchObject({ balance: "10000", openPositions: 1 });
    const nobody = await createUser("subscriber");
    expect(await paperAccountView(nobody.id)).toMatchObject({ exists: false, balance: "10000", equity: "10000", curve: [{ value: "10000" }] });
  });

  it("resets: closes open copies through the engine first, records the reset and restarts at 10,000", async () => {
    const { p, user, ctx } = await follower();
    await setCopying(ctx, p.provider.id, true);
    await t.db.update(paperAccounts).set({ balance: "8000" }).where(eq(paperAccounts.userId, user.id));
    market.setPrice("BTC/USDT", "31000");
    await insertPosition(user.id, p.provider.id, { avgEntry: "30000", markPrice: "30500", quantity: "0.1" });
    const result = await resetPaperAccount(ctx);
    expect(result).toMatchObject({ closed: 1, balanceAfter: "10000" });
    expect(await t.db.select().from(positions).where(eq(positions.status, "open"))).toEqual([]);
    const [manual] = await t.db.select().from(copyOrders).where(eq(copyOrders.leg, "manual"));
    expect(manual).toMatchObject({ reason: "reset", status: "filled", userId: user.id });
    const [reset] = await t.db.select().from(paperAccountResets);
    expect(reset).toMatchObject({ balanceAfter: "10000", positionsClosed: 1 });
    expect(reset!.balanceBefore).toBe(result.balanceBefore);
    const view = await paperAccountView(user.id, ctx.now);
    expect(view).toMatchObject({ balance: "10000", equity: "10000", resets: 1, realisedPnl: "0", fees: "0", lastReset: { positionsClosed: 1 } });
    expect(view.curve).toEqual([{ time: "2026-03-01", value: "10000" }]);
    const [following] = await t.db.select().from(copySettings);
    expect(following).toMatchObject({ allocatedAmount: "1000", startedAt: ctx.now });
    expect((await audits("copy.paper_account.reset")).length).toBe(1);
  });
});

describe("journal", () => {
  it("pages positions newest first with open P&L at the mark, only the owner's", async () => {
    // The stored marks stand: the market cannot price these symbols now (a read marks to the market when it can).
    configureCopyEngine({ price: async () => Promise.reject(new Error("no price in this test")) });
    forgetMarks();
    const { p, user } = await follower();
    const other = await createUser("subscriber");
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await insertPosition(user.id, p.provider.id, { openedAt: new Date(Date.UTC(2026, 0, 1 + i)), markPrice: String(30000 + i * 100) })).id);
    await insertPosition(other.id, p.provider.id);
    await insertPosition(user.id, p.provider.id, { status: "closed", realizedPnl: "50", fees: "6", closedAt: new Date("2026-02-01T00:00:00Z") });
    const first = await listPositions(user.id, { status: "open", limit: 2 });
    expect(first.items.map((x) => x.id)).toEqual([ids[4], ids[3]]);
    expect(first.items[0]).toMatchObject({ unrealizedPnl: "40", markPrice: "30400", returnPct: null, provider: { slug: p.provider.slug } });
    const second = await listPositions(user.id, { status: "open", limit: 2, cursor: first.nextCursor! });
    expect(second.items.map((x) => x.id)).toEqual([ids[2], ids[1]]);
    const third = await listPositions(user.id, { status: "open", limit: 2, cursor: second.nextCursor! });
    expect(third).toMatchObject({ items: [{ id: ids[0] }], nextCursor: null });
    const closed = await listPositions(user.id, { status: "closed" });
    // (50 − 6) / (30000 × 0.1)
    expect(closed.items).toMatchObject([{ unrealizedPnl: null, returnPct: "0.01466667", realizedPnl: "50" }]);
  });

  it("filters and pages orders, and exports them as RFC 4180 CSV with formula-safe text", async () => {
    const { p, user } = await follower();
    const other = await createUser("subscriber");
    const at = (d: number) => new Date(Date.UTC(2026, 0, d));
    const a = await insertOrder(user.id, p.provider.id, { createdAt: at(1), fillPrice: "30000.1", fee: "3.00001", slippageBps: "-1.5", latencyMs: 120 });
    const b = await insertOrder(user.id, p.provider.id, { createdAt: at(2), status: "skipped", reason: '=HYPERLINK("x"), "quoted"', quantity: "0" });
    const c = await insertOrder(user.id, p.provider.id, { createdAt: at(3), leg: "tp", side: "sell", symbol: "-1+1" });
    await insertOrder(other.id, p.provider.id, { createdAt: at(4) });
    expect((await listOrders(user.id, {})).items.map((o) => o.id)).toEqual([c.id, b.id, a.id]);
    expect((await listOrders(user.id, { filters: { status: "skipped" } })).items.map((o) => o.id)).toEqual([b.id]);
    expect((await listOrders(user.id, { filters: { leg: "tp" } })).items.map((o) => o.id)).toEqual([c.id]);
    expect((await listOrders(user.id, { filters: { from: at(2), to: at(2) } })).items.map((o) => o.id)).toEqual([b.id]);
    const page = await listOrders(user.id, { limit: 2 });
    expect((await listOrders(user.id, { limit: 2, cursor: page.nextCursor! })).items.map((o) => o.id)).toEqual([a.id]);

    const csv = await ordersCsv(user.id);
    const lines = csv.split("\r\n");
    expect(lines[0]).toBe(
      "created_at,filled_at,provider,provider_slug,signal_id,symbol,side,leg,order_type,status,reason,requested_price,limit_price,fill_price,quantity,fee,slippage_bps,latency_ms,venue,client_order_id,order_id",
    );
    expect(lines).toHaveLength(5);
    expect(lines[4]).toBe("");
    expect(lines[1]).toContain(",'-1+1,sell,tp,");
    expect(lines[2]).toContain(`,"'=HYPERLINK(""x""), ""quoted""",`);
    expect(lines[3]).toContain(",30000.1,0.1,3.00001,-1.5,120,paper,");
    expect(csv).not.toContain(other.id);
    expect(csvField("-12.5")).toBe("-12.5");
    expect(csvField("@SUM(A1)", true)).toBe("'@SUM(A1)");
    expect(csvField("a\nb", true)).toBe('"a\nb"');
  });

  it("closes only the owner's open position, by hand", async () => {
    const { p, user, ctx } = await follower();
    const other = await createUser("subscriber");
    const mine = await insertPosition(user.id, p.provider.id);
    const theirs = await insertPosition(other.id, p.provider.id);
    await ensurePaperAccount(user.id);
    await expect(closeOwnPosition(ctx, theirs.id)).rejects.toThrow(NotFoundError);
    expect((await t.db.select().from(positions).where(eq(positions.id, theirs.id)))[0]!.status).toBe("open");
    market.setPrice("BTC/USDT", "31234.5");
    expect(await closeOwnPosition(actingAs(user), mine.id)).toEqual({ closed: 1 });
    expect((await t.db.select().from(positions).where(eq(positions.id, mine.id)))[0]!.status).toBe("closed");
    // The engine's fill moved the balance by exactly what the curve and the realised figures say.
    const view = await paperAccountView(user.id);
    expect(view.balance).not.toBe("10000");
    expect(view.curve.at(-1)!.value).toBe(view.balance);
    expect(view.realisedPnl).not.toBe("0");
    await expect(closeOwnPosition(ctx, mine.id)).rejects.toThrow(NotFoundError);
    expect((await audits("copy.position.close")).length).toBe(1);
  });
});

describe("kill switches", () => {
  it("follower: pauses every following, closes every copy, audited", async () => {
    const { p, user, ctx } = await follower();
    const p2 = await newProvider();
    await subscribe(user.id, p2.provider.id, "active");
    await setCopying(ctx, p.provider.id, true);
    await setCopying(ctx, p2.provider.id, true);
    await insertPosition(user.id, p.provider.id);
    await insertPosition(user.id, p2.provider.id, { symbol: "ETH/USDT" });
    const other = await createUser("subscriber");
    await insertPosition(other.id, p.provider.id);
    expect(await killAllCopies(ctx)).toEqual({ paused: 2, closed: 2 });
    const rows = await t.db.select().from(copySettings).where(eq(copySettings.userId, user.id));
    expect(rows.map((r) => [r.enabled, r.pausedReason])).toEqual([
      [false, "kill_switch"],
      [false, "kill_switch"],
    ]);
    expect((await t.db.select({ n: count() }).from(positions).where(and(eq(positions.userId, other.id), eq(positions.status, "open"))))[0]!.n).toBe(1);
    expect((await audits("copy.kill_switch.follower")).map((a) => a.action).sort()).toEqual(["copy.kill_switch.follower", "copy.kill_switch.follower.closed"]);
    // Turning a following back on clears the pause.
    expect(await setCopying(ctx, p.provider.id, true)).toMatchObject({ enabled: true, pausedReason: null });
  });

  it("per following: pause leaves copies open, close closes that provider's only", async () => {
    const { p, user, ctx } = await follower();
    const p2 = await newProvider();
    await subscribe(user.id, p2.provider.id, "active");
    await setCopying(ctx, p.provider.id, true);
    await setCopying(ctx, p2.provider.id, true);
    await insertPosition(user.id, p.provider.id);
    await insertPosition(user.id, p2.provider.id);
    await pauseFollowing(ctx, p.provider.id);
    expect(await getFollowSettings(user.id, p.provider.id)).toMatchObject({ enabled: false, pausedReason: "paused", openPositions: 1 });
    expect(await closeFollowing(ctx, p2.provider.id)).toEqual({ closed: 1 });
    expect(await getFollowSettings(user.id, p2.provider.id)).toMatchObject({ enabled: false, pausedReason: "kill_switch", openPositions: 0 });
    expect(await getFollowSettings(user.id, p.provider.id)).toMatchObject({ openPositions: 1 });
    await expect(pauseFollowing(actingAs(await createUser("subscriber")), p.provider.id)).rejects.toThrow(NotFoundError);
    expect((await audits("copy.")).map((a) => a.action).filter((a) => !a.startsWith("copy.following.enable")).sort()).toEqual([
      "copy.following.pause",
      "copy.kill_switch.following",
      "copy.kill_switch.following.closed",
    ]);
  });

  it("admin: platform and provider switches on and off, shown in the state and on followings", async () => {
    const { p, user } = await follower();
    const admin = await createUser("admin");
    const ctx = actingAs(admin);
    expect(await killSwitchState()).toEqual({ platform: { on: false }, providers: [] });
    await setProviderCopyStop(ctx, p.provider.id, true, "investigating");
    expect((await getFollowSettings(user.id, p.provider.id)).killSwitch).toBe("provider");
    await setPlatformKillSwitch(ctx, true, "exchange outage");
    await setPlatformKillSwitch(ctx, true, "exchange outage, still");
    const state = await killSwitchState();
    expect(state.platform).toMatchObject({ on: true, reason: "exchange outage, still", actorId: admin.id });
    expect(state.providers).toMatchObject([{ providerId: p.provider.id, slug: p.provider.slug, reason: "investigating" }]);
    expect((await listFollowings(user.id)).followings[0]!.killSwitch).toBe("platform");
    await setPlatformKillSwitch(ctx, false, "");
    await setProviderCopyStop(ctx, p.provider.id, false, "");
    expect(await t.db.select().from(copyKillSwitches)).toEqual([]);
    expect((await audits("copy.kill_switch.")).map((a) => [a.action, (a.data as { changed: boolean }).changed])).toEqual([
      ["copy.kill_switch.provider.on", true],
      ["copy.kill_switch.platform.on", true],
      ["copy.kill_switch.platform.on", false],
      ["copy.kill_switch.platform.off", true],
      ["copy.kill_switch.provider.off", true],
    ]);
    await expect(setProviderCopyStop(ctx, "prv_nope", true, "why")).rejects.toThrow(NotFoundError);
  });
});

describe("execution ledger", () => {
  it("says there is not enough data for a provider nobody copied", async () => {
    const p = await newProvider();
    const q = await executionQualityFor({ providerSlug: p.provider.slug });
    expect(q.firstCopierAt).toBeNull();
    expect(q.windows.map((w) => w.window)).toEqual(["30d", "90d", "1y", "all"]);
    expect(q.windows[3]).toEqual({
      window: "all",
      enoughData: false,
      signals: 0,
      copiedSignals: 0,
      copiedShare: null,
      entries: 0,
      medianSlippageBps: null,
      p90SlippageBps: null,
      medianLatencyMs: null,
      closedCopies: 0,
      followerMedianReturn: null,
      publishedMedianReturn: null,
      medianReturnGap: null,
    });
    await expect(executionQualityFor({ providerSlug: "nobody" })).rejects.toThrow(NotFoundError);
  });

  it("computes the copied share, median and p90 slippage, median latency and returns by window (percentile_cont)", async () => {
    const { p, user, ctx } = await follower();
    const now = new Date();
    const s1 = (await publishSignal(actingAs(p.user), p.provider.id, { symbol: "BTC/USDT", side: "long", takeProfits: [] }, "ui")).signal.id;
    const s2 = (await publishSignal(actingAs(p.user), p.provider.id, { symbol: "ETH/USDT", side: "long", takeProfits: [] }, "ui")).signal.id;
    await t.db.update(copySettings).set({ startedAt: new Date(now.getTime() - 86_400_000) });
    await saveFollowSettings(ctx, p.provider.id, settings());
    await t.db.update(copySettings).set({ startedAt: new Date(now.getTime() - 86_400_000) }).where(eq(copySettings.userId, user.id));
    const old = new Date(now.getTime() - 60 * 86_400_000);
    const slips = ["1", "2", "3", "4", "10"];
    for (const [i, bps] of slips.entries()) {
      await insertOrder(user.id, p.provider.id, { signalId: i === 0 ? s1 : null, slippageBps: bps, latencyMs: (i + 1) * 100, filledAt: i === 4 ? old : now });
    }
    await t.db.update(signals).set({ resultPct: "0.02" }).where(eq(signals.id, s1));
    await t.db.update(signals).set({ resultPct: "-0.01" }).where(eq(signals.id, s2));
    // Returns: (60 − 6) / 3000 = 0.018 vs 0.02; (−20 − 4) / 2000 = −0.012 vs −0.01.
    await insertPosition(user.id, p.provider.id, { signalId: s1, status: "closed", realizedPnl: "60", fees: "6", avgEntry: "30000", initialQuantity: "0.1", closedAt: now });
    await insertPosition(user.id, p.provider.id, { signalId: s2, status: "closed", realizedPnl: "-20", fees: "4", avgEntry: "2000", initialQuantity: "1", closedAt: old });

    const q = await executionQualityFor({ providerId: p.provider.id }, new Date(now.getTime() + 1000));
    const all = q.windows.find((w) => w.window === "all")!;
    const d30 = q.windows.find((w) => w.window === "30d")!;
    expect(all).toMatchObject({ enoughData: true, entries: 5, medianSlippageBps: "3", p90SlippageBps: "7.6", medianLatencyMs: 300, closedCopies: 2 });
    expect(all).toMatchObject({ followerMedianReturn: "0.003", publishedMedianReturn: "0.005", medianReturnGap: "-0.002" });
    expect(d30).toMatchObject({ entries: 4, medianSlippageBps: "2.5", p90SlippageBps: "3.7", medianLatencyMs: 250, closedCopies: 1, followerMedianReturn: "0.018", publishedMedianReturn: "0.02" });
    // Both signals were published after the first copier (a day ago); one has a filled entry.
    expect(all).toMatchObject({ signals: 2, copiedSignals: 1, copiedShare: "0.5" });

    const mine = await followerJournalStats(user.id);
    expect(mine).toMatchObject({ filledEntries: 5, medianSlippageBps: "3", closedPositions: 2, wins: 1, realisedNet: "30", medianReturn: "0.003" });
  });
});
