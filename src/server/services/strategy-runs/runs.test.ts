/**
 * Strategies running live as automated providers (issue 19, acceptance 5 and the run parts of 7), on a deterministic
 * fixture market: 280 hourly BTC/USDT candles before the run starts (with an EMA crossover in them that must never
 * publish) and 25 after it, on which EMA crossover (2, 5) enters long at the close of bars 5 and 16 and exits at 11
 * and 20 (checked against the engine in the first test). Ticks are called at chosen instants, as the job would.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { useFakeMarket } from "@/test/fake-market";
import { callerFor, signedIn, trpcCode } from "@/test/factories";
import { actingAs } from "@/test/signals";
import { waitForInlineRuns } from "@/server/jobs/inline/runner";
import { resetRateLimits } from "@/server/rate-limit";
import { auditLog, providers, signalEvents, signals, strategies, strategyRuns } from "@/server/db/schema";
import { verifyStoredChain } from "@/server/services/chain";
import { deleteAccount } from "@/server/services/privacy/delete";
import { SMA_CROSS_RULES, type RulesDocument } from "@/lib/rules";
import { backtestCurated } from "@/lib/strategy-library";
import { startRun, startRunAndTick, stopRun, tickRun } from ".";
import { fixture, H, LIVE, T0 } from "./test-fixture";

const t = useTestDatabase();
const market = useFakeMarket();
beforeEach(() => resetRateLimits());
afterEach(() => waitForInlineRuns());


const EMA = { kind: "curated" as const, curatedId: "ema-cross", params: { fast: 2, slow: 5 } };

async function provider() {
  const { user, caller } = await signedIn("provider");
  return { user, caller };
}

async function start(user: { id: string; role: "provider" | "admin" | "subscriber" }, limits: { maxTradesPerDay?: number; maxDailyLoss?: string } = {}) {
  market.setCandles("BTC/USDT", "1h", fixture());
  market.now = () => new Date(T0);
  return startRun(actingAs(user, { now: new Date(T0) }), { source: EMA, symbol: "BTC/USDT", timeframe: "1h", confirm: true, maxTradesPerDay: 10, maxDailyLoss: "0.5", ...limits });
}

/** The tick a minute after live bar `k` closed, with the market at `price` (default: that bar's close). */
async function tickAfter(runId: string, k: number, price?: number) {
  const now = new Date(T0 + (k + 1) * H + 60_000);
  market.now = () => now;
  market.setPrice("BTC/USDT", String(price ?? LIVE[k]));
  return tickRun(runId, now);
}

const signalsOf = (providerId: string) => t.db.select().from(signals).where(eq(signals.providerId, providerId)).orderBy(signals.number);
const auditOf = (action: string, runId: string) => t.db.select().from(auditLog).where(and(eq(auditLog.action, action), eq(auditLog.targetId, runId)));

describe("a strategy run live (acceptance 5)", () => {
  it("the fixture: the engine's backtest of the same strategy trades the warm-up cross too, the live run never does", () => {
    const bt = backtestCurated("ema-cross", { fast: 2, slow: 5 }, fixture());
    // Three trades in the backtest (one in the warm-up history): the run's record will hold only the two live ones.
    expect(bt.result.trades.map((tr) => (tr.entryTime - T0) / H)).toEqual([-29, 6, 17]);
  });

  it("publishes through the normal path (source strategy), closes through the provider's close, verifies, never twice", async () => {
    const { user } = await provider();
    const run = await start(user);
    const prov = await t.db.query.providers.findFirst({ where: eq(providers.id, run.providerId) });
    expect(prov).toMatchObject({ automated: true, userId: user.id });
    expect(prov!.listedFrom!.getTime()).toBe(T0 + 30 * 86_400_000);
    expect(await auditOf("strategy_run.started", run.id)).toHaveLength(1);

    expect((await tickAfter(run.id, 4)).published).toBe(0);
    expect(await signalsOf(run.providerId)).toHaveLength(0);
    expect((await tickAfter(run.id, 5)).published).toBe(1);
    const [first] = await signalsOf(run.providerId);
    expect(first).toMatchObject({ source: "strategy", side: "long", status: "open", entryPrice: "102", idempotencyKey: `${run.id}:${T0 + 5 * H}:long` });
    expect(first!.publishedAt.getTime()).toBeGreaterThanOrEqual(T0);

    // A retried tick publishes nothing; nor does one that lost its progress (processedUntil set back): the key holds.
    expect((await tickAfter(run.id, 5)).published).toBe(0);
    await t.db.update(strategyRuns).set({ processedUntil: new Date(T0 + 5 * H) }).where(eq(strategyRuns.id, run.id));
    expect((await tickAfter(run.id, 5)).published).toBe(0);
    expect(await signalsOf(run.providerId)).toHaveLength(1);

    expect((await tickAfter(run.id, 11, 100)).exited).toBe(1);
    const closed = (await signalsOf(run.providerId))[0]!;
    expect(closed).toMatchObject({ status: "closed", exitPrice: "100", exitReason: "manual" });
    const events = await t.db.select().from(signalEvents).where(eq(signalEvents.signalId, closed.id));
    expect(events.map((e) => e.kind)).toEqual(["published", "closed"]);

    expect((await tickAfter(run.id, 16)).published).toBe(1);
    const record = await signalsOf(run.providerId);
    expect(record.map((s) => [s.source, s.status])).toEqual([["strategy", "closed"], ["strategy", "open"]]);
    // Only live signals: nothing before the run's start (the warm-up cross at -30 never published).
    expect(record.every((s) => s.publishedAt.getTime() > T0)).toBe(true);
    expect((await verifyStoredChain(run.providerId)).ok).toBe(true);

    // The kill switch: stopped at once, the open signal closed at the market, audited with the owner; later ticks
    // publish nothing.
    market.setPrice("BTC/USDT", "104");
    const out = await stopRun(actingAs(user, { now: new Date(T0 + 17 * H + 120_000) }), run.id);
    expect(out).toMatchObject({ stopped: true, signalsClosed: 1, run: { status: "stopped", stoppedBy: user.id } });
    expect((await signalsOf(run.providerId)).map((s) => s.status)).toEqual(["closed", "closed"]);
    const [stopAudit] = await auditOf("strategy_run.stopped", run.id);
    expect(stopAudit).toMatchObject({ actorId: user.id });
    expect(await tickAfter(run.id, 24)).toMatchObject({ published: 0, exited: 0 });
    expect(await signalsOf(run.providerId)).toHaveLength(2);
    expect((await verifyStoredChain(run.providerId)).ok).toBe(true);
  });

  it("a stop that commits while a tick is deciding leaves that tick nothing to publish (status re-read under the lock)", async () => {
    const { user } = await provider();
    const run = await start(user);
    // The tick's market checks run before it takes the provider's lock: the kill switch is pressed right then.
    const lastPrice = market.lastPrice.bind(market);
    let pressed = false;
    market.lastPrice = async (symbol: string) => {
      if (!pressed) {
        pressed = true;
        await stopRun(actingAs(user, { now: new Date(T0 + 6 * H) }), run.id);
      }
      return lastPrice(symbol);
    };
    const r = await tickAfter(run.id, 5);
    expect(pressed).toBe(true);
    expect(r).toMatchObject({ published: 0, stopped: true });
    expect(await signalsOf(run.providerId)).toHaveLength(0);
    const row = (await t.db.query.strategyRuns.findFirst({ where: eq(strategyRuns.id, run.id) }))!;
    // Candles 0-4 (no intent) were committed before; candle 5, whose entry met the stop, was not.
    expect(row).toMatchObject({ status: "stopped", processedUntil: new Date(T0 + 5 * H) });
  });

  it("own rules: the signal carries the rules' stop and target, and a move_stop moves the signal's stop (chained)", async () => {
    const { user } = await provider();
    const ema = (period: number) => ({ indicator: "ema", params: { period } });
    const rules: RulesDocument = {
      version: 1,
      name: "EMA 2/5 with a trailing stop",
      rules: [
        { when: { left: ema(2), op: "crosses_above", right: ema(5) }, then: { type: "enter_long" } },
        { when: { left: ema(2), op: "crosses_below", right: ema(5) }, then: { type: "exit" } },
        { when: { left: { price: "close" }, op: ">", right: { const: 105 } }, then: { type: "move_stop", stop: { percent: 2 } } },
      ],
      risk: { stop: { percent: 5 }, targets: [{ percent: 20, share: 0.5 }] },
    };
    const [doc] = await t.db.insert(strategies).values({ userId: user.id, name: "Trailing EMA", rules }).returning();
    market.setCandles("BTC/USDT", "1h", fixture());
    market.now = () => new Date(T0);
    const run = await startRun(actingAs(user, { now: new Date(T0) }), { source: { kind: "own", strategyId: doc!.id }, symbol: "BTC/USDT", timeframe: "1h", confirm: true });
    expect((await tickAfter(run.id, 5)).published).toBe(1);
    const [sig] = await signalsOf(run.providerId);
    expect(sig).toMatchObject({ entryPrice: "102", stopLoss: "96.9", takeProfits: [{ price: "122.4", share: "0.5" }] });
    await tickAfter(run.id, 7);
    const moved = (await signalsOf(run.providerId))[0]!;
    expect(moved).toMatchObject({ status: "open", initialStop: "96.9", stopLoss: "103.88" });
    const events = await t.db.select().from(signalEvents).where(eq(signalEvents.signalId, moved.id));
    expect(events.map((e) => e.kind)).toEqual(["published", "stop_moved"]);
    expect((await verifyStoredChain(run.providerId)).ok).toBe(true);
  });

  it("catches up on several closed candles in one tick, deciding as tick by tick", async () => {
    const { user } = await provider();
    const run = await start(user);
    const r = await tickAfter(run.id, 20, 100);
    // 22 candles: the one that had closed when the run started (its first live candle, flat here) and live bars 0-20.
    expect(r).toMatchObject({ published: 2, exited: 2, candles: 22 });
    const record = await signalsOf(run.providerId);
    expect(record.map((s) => s.idempotencyKey)).toEqual([`${run.id}:${T0 + 5 * H}:long`, `${run.id}:${T0 + 16 * H}:long`]);
    expect(record.every((s) => s.status === "closed")).toBe(true);
    expect((await tickAfter(run.id, 24)).published).toBe(0);
    expect((await verifyStoredChain(run.providerId)).ok).toBe(true);
  });

  it("acts at once on the candle that had closed when it started: the first tick, run by the start, publishes its entry", async () => {
    const { user } = await provider();
    market.setCandles("BTC/USDT", "1h", fixture());
    // A minute after live bar 5 closed, whose close the crossover enters at: bar 5 is this run's first live candle.
    const startedAt = new Date(T0 + 6 * H + 60_000);
    market.now = () => startedAt;
    market.setPrice("BTC/USDT", String(LIVE[5]));
    const run = await startRunAndTick(actingAs(user, { now: startedAt }), { source: EMA, symbol: "BTC/USDT", timeframe: "1h", confirm: true, maxTradesPerDay: 10, maxDailyLoss: "0.5" });
    const record = await signalsOf(run.providerId);
    expect(record.map((s) => [s.idempotencyKey, s.source])).toEqual([[`${run.id}:${T0 + 5 * H}:long`, "strategy"]]);
    expect(await t.db.query.strategyRuns.findFirst({ where: eq(strategyRuns.id, run.id) })).toMatchObject({ processedUntil: new Date(T0 + 6 * H) });
    // The same start a minute earlier (bar 5 not closed yet): bar 4 is its first live candle, and it asks for nothing.
    const { user: other } = await provider();
    const early = new Date(T0 + 6 * H - 60_000);
    market.now = () => early;
    const quiet = await startRunAndTick(actingAs(other, { now: early }), { source: EMA, symbol: "BTC/USDT", timeframe: "1h", confirm: true });
    expect(await signalsOf(quiet.providerId)).toEqual([]);
  });

  it("trades-per-day: further entries that day are skipped, audited once", async () => {
    const { user } = await provider();
    const run = await start(user, { maxTradesPerDay: 1 });
    await tickAfter(run.id, 11, 100);
    await tickAfter(run.id, 16);
    await tickAfter(run.id, 20);
    await tickAfter(run.id, 24);
    const record = await signalsOf(run.providerId);
    expect(record).toHaveLength(1);
    const skipped = await auditOf("strategy_run.entries_skipped", run.id);
    expect(skipped).toHaveLength(1);
    expect(skipped[0]!.data).toMatchObject({ day: "2026-01-05", maxTradesPerDay: 1 });
    expect((await t.db.query.strategyRuns.findFirst({ where: eq(strategyRuns.id, run.id) }))!.status).toBe("running");
  });

  it("daily loss: the run stops itself once today's realised loss reaches the limit (audited)", async () => {
    const { user } = await provider();
    const run = await start(user, { maxDailyLoss: "0.05" });
    await tickAfter(run.id, 5, 106);
    await tickAfter(run.id, 11, 90); // closes the long 15% down
    const r = await tickAfter(run.id, 12);
    expect(r.stopped).toBe(true);
    const row = (await t.db.query.strategyRuns.findFirst({ where: eq(strategyRuns.id, run.id) }))!;
    expect(row).toMatchObject({ status: "stopped", stoppedBy: null });
    expect(row.stopReason).toMatch(/Daily loss limit reached: -15\.\d+% realised today \(limit 5%\)/);
    expect(await auditOf("strategy_run.daily_loss_stop", run.id)).toHaveLength(1);
    expect((await tickAfter(run.id, 16)).published).toBe(0);
    expect(await signalsOf(run.providerId)).toHaveLength(1);
  });

  it("account deletion stops the user's runs and ends their automated providers' open signals", async () => {
    const { user } = await provider();
    const run = await start(user);
    await tickAfter(run.id, 5);
    expect((await signalsOf(run.providerId))[0]!.status).toBe("open");
    await deleteAccount(actingAs(user, { now: new Date(T0 + 7 * H) }), { confirmEmail: user.email, password: "correct horse battery" });
    expect((await t.db.query.strategyRuns.findFirst({ where: eq(strategyRuns.id, run.id) }))!.status).toBe("stopped");
    expect((await signalsOf(run.providerId))[0]!.status).toBe("closed");
    expect((await verifyStoredChain(run.providerId)).ok).toBe(true);
  });
});

describe("access control (acceptance 7)", () => {
  const startInput = { source: EMA, symbol: "BTC/USDT", timeframe: "1h" as const, confirm: true as const };

  it("only providers and admins start, only with an explicit confirmation, only their own rules", async () => {
    market.setCandles("BTC/USDT", "1h", []);
    const sub = await signedIn("subscriber");
    expect(await trpcCode(sub.caller.strategyRuns.start(startInput))).toBe("FORBIDDEN");
    const a = await provider();
    expect(await trpcCode(a.caller.strategyRuns.start({ ...startInput, confirm: false as unknown as true }))).toBe("BAD_REQUEST");
    expect(await trpcCode(a.caller.strategyRuns.start({ ...startInput, symbol: "NOPE/USDT" }))).toBe("BAD_REQUEST");
    expect(await trpcCode(a.caller.strategyRuns.start({ ...startInput, source: { ...EMA, params: { fast: 1 } } }))).toBe("BAD_REQUEST");
    const b = await provider();
    const [theirs] = await t.db.insert(strategies).values({ userId: b.user.id, name: "B's rules", rules: SMA_CROSS_RULES }).returning();
    expect(await trpcCode(a.caller.strategyRuns.start({ ...startInput, source: { kind: "own", strategyId: theirs!.id } }))).toBe("NOT_FOUND");
    const own = await b.caller.strategyRuns.start({ ...startInput, source: { kind: "own", strategyId: theirs!.id } });
    const row = (await t.db.query.strategyRuns.findFirst({ where: eq(strategyRuns.id, own.id) }))!;
    expect(row).toMatchObject({ strategyId: theirs!.id, strategyVersion: 1, curatedId: null, rules: SMA_CROSS_RULES });
    expect(await t.db.select().from(strategyRuns)).toHaveLength(1);
  });

  it("owners see and stop only their runs; an admin stops anyone's; limits are the owner's", async () => {
    market.setCandles("BTC/USDT", "1h", []);
    const a = await provider();
    const b = await provider();
    const { id } = await a.caller.strategyRuns.start(startInput);
    expect(await a.caller.strategyRuns.list()).toHaveLength(1);
    expect(await b.caller.strategyRuns.list()).toHaveLength(0);
    expect(await trpcCode(b.caller.strategyRuns.get({ id }))).toBe("NOT_FOUND");
    expect(await trpcCode(b.caller.strategyRuns.stop({ id }))).toBe("NOT_FOUND");
    expect(await trpcCode(b.caller.strategyRuns.updateLimits({ id, maxDailyLoss: "0.02", maxTradesPerDay: 3 }))).toBe("NOT_FOUND");
    expect(await trpcCode(a.caller.strategyRuns.updateLimits({ id, maxDailyLoss: "0.9", maxTradesPerDay: 3 }))).toBe("BAD_REQUEST");
    await expect(a.caller.strategyRuns.updateLimits({ id, maxDailyLoss: "0.02", maxTradesPerDay: 3 })).resolves.toMatchObject({ maxDailyLoss: "0.02", maxTradesPerDay: 3 });
    expect(await auditOf("strategy_run.limits_changed", id)).toHaveLength(1);
    await expect(a.caller.strategyRuns.get({ id })).resolves.toMatchObject({ status: "running", incubating: true, maxTradesPerDay: 3 });

    expect(await trpcCode(b.caller.admin.strategies.list({}))).toBe("FORBIDDEN");
    const admin = await signedIn("admin");
    const all = await admin.caller.admin.strategies.list({});
    expect(all.items.map((i) => [i.id, i.owner.email])).toEqual([[id, a.user.email]]);
    expect(await trpcCode(admin.caller.admin.strategies.stop({ id, reason: "x" }))).toBe("BAD_REQUEST");
    await expect(admin.caller.admin.strategies.stop({ id, reason: "Misbehaving feed" })).resolves.toMatchObject({ status: "stopped" });
    const [audit] = await auditOf("strategy_run.stopped", id);
    expect(audit).toMatchObject({ actorId: admin.user.id, data: expect.objectContaining({ reason: "Misbehaving feed" }) });
    expect(await trpcCode(a.caller.strategyRuns.stop({ id }))).toBe("CONFLICT");
  });

  it("an incubating provider is not listed and refuses subscriptions, but its page is reachable; listed once incubation ends", async () => {
    market.setCandles("BTC/USDT", "1h", []);
    const a = await provider();
    const { providerId } = await a.caller.strategyRuns.start(startInput);
    const prov = (await t.db.query.providers.findFirst({ where: eq(providers.id, providerId) }))!;
    const anon = await callerFor(null);
    const listed = async () => (await anon.providers.list({ page: 1, pageSize: 50 })).items.map((p) => p.slug);
    expect(await listed()).not.toContain(prov.slug);
    await expect(anon.providers.bySlug({ slug: prov.slug })).resolves.toMatchObject({ slug: prov.slug });
    const sub = await signedIn("subscriber");
    const state = await sub.caller.billing.subscribeState({ providerId });
    expect(state).toMatchObject({ acceptingSubscribers: false });
    expect(state.incubatingUntil).toEqual(prov.listedFrom);
    await expect(sub.caller.billing.checkout({ providerId })).rejects.toThrow(/incubating until/);
    await t.db.update(providers).set({ listedFrom: new Date(Date.now() - 1000) }).where(eq(providers.id, providerId));
    expect(await listed()).toContain(prov.slug);
  });
});
