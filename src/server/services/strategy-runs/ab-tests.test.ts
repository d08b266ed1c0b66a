/**
 * A/B shadow tests (issue 20, acceptance 4). The statistics on fixture returns against SciPy; the variants' figures
 * on a deterministic live market against the engine run directly on the same candles; the fixed-horizon decision;
 * and a promotion: a new version with the winner's parameters from then on, the old version's open signal closed
 * through the chain, the switch audited (not a chain entry), the chain still verifying. Access control throughout.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { useFakeMarket } from "@/test/fake-market";
import { signedIn, trpcCode } from "@/test/factories";
import { actingAs } from "@/test/signals";
import { waitForInlineRuns } from "@/server/jobs/inline/runner";
import { resetRateLimits } from "@/server/rate-limit";
import { auditLog, signals, strategyAbTests, strategyRuns } from "@/server/db/schema";
import { verifyStoredChain } from "@/server/services/chain";
import { decide, tradesNeeded, welchTTest } from "@/lib/lab/abtest";
import { backtestCurated } from "@/lib/strategy-library";
import { compareVariants, evaluateAbTest, startAbTest, startRun, tickRun, type AbResult, type VariantFigures } from ".";
import { fixture, H, LIVE, T0 } from "./test-fixture";

const t = useTestDatabase();
const market = useFakeMarket();
beforeEach(() => resetRateLimits());
afterEach(() => waitForInlineRuns());


const A = { fast: 2, slow: 5 };
const B = { fast: 3, slow: 8 };

async function runningStrategy() {
  const { user, caller } = await signedIn("provider");
  market.setCandles("BTC/USDT", "1h", fixture());
  market.now = () => new Date(T0);
  const run = await startRun(actingAs(user, { now: new Date(T0) }), { source: { kind: "curated", curatedId: "ema-cross", params: A }, symbol: "BTC/USDT", timeframe: "1h", confirm: true, maxTradesPerDay: 10, maxDailyLoss: "0.5" });
  return { user, caller, run };
}

async function tickAfter(runId: string, k: number) {
  const now = new Date(T0 + (k + 1) * H + 60_000);
  market.now = () => now;
  market.setPrice("BTC/USDT", String(LIVE[k]));
  return tickRun(runId, now);
}

const figures = (label: string, returns: number[]): VariantFigures => ({ label, params: {}, trades: returns.length, meanReturnPct: null, sdReturnPct: null, winRatePct: null, totalReturnPct: null, returns });

describe("A/B statistics on fixture returns", () => {
  it("gives SciPy's Welch t statistic and p-value", () => {
    // Reference: scipy 1.17.1, stats.ttest_ind(b, a, equal_var=False) on these lists →
    // statistic 1.8682612621046424, pvalue 0.07695135910144482, df 19.340790422994345.
    const b = [1.8, -0.6, 2.4, 0.9, -1.2, 3.1, 0.4, -0.3, 1.6, 2.2, -0.9, 1.1];
    const a = [0.5, -1.4, 0.8, -0.2, 1.0, -2.1, 0.3, 0.6, -0.7, 1.2, -0.4, 0.1, -1.0, 0.9];
    // Before the horizon (15 trades each planned): interim figures on every trade so far.
    const [c] = compareVariants([figures("A", a), figures("B", b)], 15, 0.05);
    expect(c!.test!.t).toBeCloseTo(1.8682612621046424, 12);
    expect(c!.test!.pValue).toBeCloseTo(0.07695135910144482, 12);
    expect(c!.test!.df).toBeCloseTo(19.340790422994345, 10);
    expect(c!.decision).toBe("not enough trades yet");
    expect(c!.verdict).toMatch(/Not enough trades yet/);
    // At the horizon (12 planned, both have them): exactly the first 12 of each are judged, later trades do not count.
    const [h] = compareVariants([figures("A", a), figures("B", [...b, 50, 60, 70])], 12, 0.05);
    const direct = welchTTest(b, a.slice(0, 12));
    expect(h!.test!.t).toBe(direct.t);
    expect(h!.test!.pValue).toBe(direct.pValue);
    expect(h!.decision).toBe(decide(direct, { n1: 12, n2: 12, alpha: 0.05 }));
    expect(h!.decision).not.toBe("not enough trades yet");
  });
});

describe("A/B tests of a running strategy", () => {
  it("evaluates every variant as the engine trades it on the same live candles, and decides at the fixed horizon", async () => {
    const { user, caller, run } = await runningStrategy();
    const started = await startAbTest(actingAs(user, { now: new Date(T0 + 60_000) }), { id: run.id, challengers: [{ params: B }], effectSize: 2, alpha: 0.2, power: 0.5 });
    const plan = tradesNeeded({ effectSize: 2, alpha: 0.2, power: 0.5 });
    expect(started).toMatchObject({ status: "running", tradesNeeded: plan.n1, startsAt: new Date(T0) });
    expect(await trpcCode(caller.strategyRuns.abTests.start({ id: run.id, challengers: [{ params: { fast: 4, slow: 9 } }] }))).toBe("CONFLICT");

    const row = await evaluateAbTest(started.id, new Date(T0 + LIVE.length * H + 60_000));
    const result = row.result as unknown as AbResult;
    expect(result.candles).toBe(LIVE.length);
    // Independently: each variant backtested on the same candles; its closed trades that opened at or after T0.
    for (const [label, params] of [["A", A], ["B", B]] as const) {
      const bt = backtestCurated("ema-cross", params, fixture());
      const expected = bt.result.trades.filter((tr) => tr.entryTime >= T0 && tr.exitReason !== "end").map((tr) => tr.returnPct * 100);
      const got = result.variants.find((v) => v.label === label)!;
      expect(got.returns).toHaveLength(expected.length);
      got.returns.forEach((r, k) => expect(r).toBeCloseTo(expected[k]!, 10));
    }
    const [a, b] = [result.variants[0]!.returns, result.variants[1]!.returns];
    // A trades what the live run publishes on this fixture (runs.test.ts): two round trips.
    expect(a).toHaveLength(2);
    expect(b.length).toBeGreaterThan(0);
    const reached = a.length >= plan.n1 && b.length >= plan.n1;
    expect(result.horizonReached).toBe(reached);
    const first = (xs: number[]) => (reached ? xs.slice(0, plan.n1) : xs);
    const expectedDecision = decide(welchTTest(first(b), first(a)), { n1: plan.n1, n2: plan.n1, alpha: 0.2 });
    expect(result.comparisons[0]!.decision).toBe(expectedDecision);
    expect(row.status).toBe(reached ? "decided" : "running");
    if (reached) expect(row.winner).toBe(expectedDecision === "A better" ? "B" : "A");
  });

  it("refuses bad challengers and other users' runs and tests, writing nothing", async () => {
    const { caller, run } = await runningStrategy();
    expect(await trpcCode(caller.strategyRuns.abTests.start({ id: run.id, challengers: [{ params: { fast: 9, slow: 4 } }] }))).toBe("BAD_REQUEST");
    expect(await trpcCode(caller.strategyRuns.abTests.start({ id: run.id, challengers: [{ params: A }] }))).toBe("BAD_REQUEST");
    expect(await trpcCode(caller.strategyRuns.abTests.start({ id: run.id, challengers: [] }))).toBe("BAD_REQUEST");
    const other = await signedIn("provider");
    expect(await trpcCode(other.caller.strategyRuns.abTests.start({ id: run.id, challengers: [{ params: B }] }))).toBe("NOT_FOUND");
    expect(await t.db.select().from(strategyAbTests).where(eq(strategyAbTests.runId, run.id))).toEqual([]);
    const started = await caller.strategyRuns.abTests.start({ id: run.id, challengers: [{ params: B }] });
    for (const call of [() => other.caller.strategyRuns.abTests.get({ id: started.id }), () => other.caller.strategyRuns.abTests.stop({ id: started.id }), () => other.caller.strategyRuns.abTests.promote({ id: started.id }), () => other.caller.strategyRuns.abTests.list({ id: run.id })]) {
      expect(await trpcCode(call())).toBe("NOT_FOUND");
    }
    expect(await trpcCode(caller.strategyRuns.abTests.promote({ id: started.id }))).toBe("CONFLICT");
    expect((await caller.strategyRuns.abTests.stop({ id: started.id })).status).toBe("stopped");
    expect(await trpcCode(caller.strategyRuns.abTests.stop({ id: started.id }))).toBe("CONFLICT");

    // A test of a strategy that stops stops with it.
    const again = await caller.strategyRuns.abTests.start({ id: run.id, challengers: [{ params: B }] });
    await t.db.update(strategyRuns).set({ status: "stopped" }).where(eq(strategyRuns.id, run.id));
    expect((await evaluateAbTest(again.id, new Date())).status).toBe("stopped");
  });

  it("promotion makes the winner version 2 from now: the old version's open signal closes, the switch is audited, the chain verifies", async () => {
    const { user, caller, run } = await runningStrategy();
    // The running version opens a long at the close of live bar 5.
    expect((await tickAfter(run.id, 5)).published).toBe(1);
    const [test] = await t.db
      .insert(strategyAbTests)
      .values({ runId: run.id, userId: user.id, variants: [{ label: "A", params: A }, { label: "B", params: B }], effectSize: 0.5, alpha: 0.05, power: 0.8, tradesNeeded: 64, startsAt: new Date(T0), status: "decided", winner: "B", decidedAt: new Date(T0 + 6 * H) })
      .returning();
    const promoteAt = new Date(T0 + 7 * H + 60_000);
    market.now = () => promoteAt;
    market.setPrice("BTC/USDT", "104");
    const out = await caller.strategyRuns.abTests.promote({ id: test!.id });
    expect(out).toMatchObject({ version: 2, signalsClosed: 1, test: { status: "promoted", promotedVersion: 2 } });
    const after = await t.db.query.strategyRuns.findFirst({ where: eq(strategyRuns.id, run.id) });
    expect(after).toMatchObject({ params: B, strategyVersion: 2 });
    expect(after!.versionStartedAt).not.toBeNull();
    const sigs = await t.db.select().from(signals).where(eq(signals.providerId, run.providerId));
    expect(sigs.map((s) => s.status)).toEqual(["closed"]);
    const [audit] = await t.db.select().from(auditLog).where(and(eq(auditLog.action, "strategy_run.version_promoted"), eq(auditLog.targetId, run.id)));
    expect(audit!.data).toMatchObject({ testId: test!.id, fromVersion: 1, toVersion: 2, fromParams: A, toParams: B, signalsClosed: 1 });
    expect(await verifyStoredChain(run.providerId)).toMatchObject({ ok: true });
    expect(await trpcCode(caller.strategyRuns.abTests.promote({ id: test!.id }))).toBe("CONFLICT");

    // The new version trades only candles after its start: replaying the past publishes nothing twice.
    for (let k = 6; k < LIVE.length; k++) await tickAfter(run.id, k);
    const later = await t.db.select().from(signals).where(eq(signals.providerId, run.providerId));
    expect(later.filter((s) => s.publishedAt.getTime() < promoteAt.getTime())).toHaveLength(1);
    expect(await verifyStoredChain(run.providerId)).toMatchObject({ ok: true });
  });
});
