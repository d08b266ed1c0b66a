/**
 * Lab optimisations over a real database and real worker threads (issue 20): a grid stores every point and its best
 * is the best of an independent loop over the same grid run directly on the same candles; a Bayesian run stores its
 * budget without a duplicate; a cancel stops the server's work within a second and a resume carries on from the
 * stored trials to the budget; walk-forward stores its windows and stitched result; refusals write nothing; another
 * user's optimisations are NOT_FOUND; a run orphaned by a dead process is failed (resumable) when read.
 */
import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { performance } from "node:perf_hooks";
import { toBarSeries } from "@/lib/engine";
import { engineConfigOf } from "@/lib/lab/job";
import { runTrial } from "@/lib/optimize";
import { DEFAULT_BACKTEST_SETTINGS } from "@/lib/validation/lab";
import { strategyOptimizations, strategyOptimizationTrials } from "@/server/db/schema";
import { optimizationSettled, setOptimizePoolSize, trialCount } from "@/server/services/lab/optimizations";
import { useTestDatabase } from "@/test/db";
import { hourlyWalk, useFakeMarket } from "@/test/fake-market";
import { callerFor, createUser, trpcCode } from "@/test/factories";
import { TRPCError } from "@trpc/server";

const t = useTestDatabase();
const market = useFakeMarket();
// One worker thread per optimisation unless a test is about parallelism: the suite runs other files beside this one.
beforeEach(() => setOptimizePoolSize(1));
afterEach(() => setOptimizePoolSize(undefined));

const HOUR = 3_600_000;
const walk = hourlyWalk;

async function user() {
  const u = await createUser("subscriber");
  return { user: u, caller: await callerFor(u) };
}
type Caller = Awaited<ReturnType<typeof callerFor>>;

async function waitDone(caller: Caller, id: string, timeoutMs = 60_000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const o = await caller.lab.optimizations.get({ id });
    if (o.status !== "running") return o;
    if (Date.now() > end) throw new Error(`optimisation ${id} still running after ${timeoutMs} ms (${o.trialsDone}/${o.budget})`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function refusal(p: Promise<unknown>): Promise<{ code: string; message: string; fieldErrors: Record<string, string[]> }> {
  try {
    await p;
  } catch (e) {
    if (!(e instanceof TRPCError)) throw e;
    return { code: e.code, message: e.message, fieldErrors: (e.cause as { fieldErrors?: Record<string, string[]> } | undefined)?.fieldErrors ?? {} };
  }
  throw new Error("expected a refusal");
}

const GRID = { fast: { min: 4, max: 20, step: 4 }, slow: { min: 20, max: 60, step: 10 } };

describe("lab optimisations", () => {
  it("a grid stores every point, each as the engine scores it directly, and its best is the grid's true maximum", async () => {
    const candles = walk(3_000);
    market.setCandles("BTC/USDT", "1h", candles);
    const { caller } = await user();
    const started = await caller.lab.optimizations.start({ curatedId: "sma-cross", ranges: GRID, method: "grid", objective: "sharpe", minTrades: 5, symbol: "BTC/USDT", timeframe: "1h" });
    // 5 × 5 points, less (20, 20): fast must be below slow.
    expect(started).toMatchObject({ status: "running", kind: "optimize", budget: 24 });
    const done = await waitDone(caller, started.id);
    expect(done).toMatchObject({ status: "done", trialsDone: 24, hypothetical: true });
    expect(done.points).toHaveLength(24);

    // Independently: every grid point backtested here, on the same candles and settings.
    const series = toBarSeries(candles);
    const setup = { curatedId: "sma-cross", objective: "sharpe" as const, minTrades: 5, config: engineConfigOf(DEFAULT_BACKTEST_SETTINGS, HOUR) };
    let best = -Infinity;
    let bestAt: Record<string, number> = {};
    const byKey = new Map(done.points.map((p) => [`${p.params.fast}|${p.params.slow}`, p.value]));
    for (let fast = 4; fast <= 20; fast += 4) {
      for (let slow = 20; slow <= 60; slow += 10) {
        if (fast >= slow) continue;
        const v = runTrial(setup, { fast, slow }, series).value;
        expect(byKey.get(`${fast}|${slow}`)).toBe(v);
        if (v !== null && v > best) [best, bestAt] = [v, { fast, slow }];
      }
    }
    expect(done.bestValue).toBe(best);
    expect(done.bestParams).toEqual(bestAt);
    expect(done.top[0]).toMatchObject({ params: bestAt, value: best });
    expect(done.importance.map((r) => r.name)).toEqual(["fast", "slow"]);
  });

  it("a Bayesian run stores its budget of distinct trials", async () => {
    market.setCandles("BTC/USDT", "1h", walk(2_000, 5));
    const { caller } = await user();
    const started = await caller.lab.optimizations.start({ curatedId: "ema-cross", method: "bayes", trials: 15, seed: 3, objective: "sqn", minTrades: 3, symbol: "BTC/USDT", timeframe: "1h" });
    const done = await waitDone(caller, started.id);
    expect(done).toMatchObject({ status: "done", trialsDone: 15, method: "bayes" });
    const keys = done.points.map((p) => `${p.params.fast}|${p.params.slow}`);
    expect(new Set(keys).size).toBe(15);
    expect(done.points.every((p) => (p.params.fast as number) < (p.params.slow as number))).toBe(true);
  });

  it("cancel stops the server's work within a second; resume carries on from the stored trials to the budget", async () => {
    market.setCandles("BTC/USDT", "1h", walk(20_000, 9));
    setOptimizePoolSize(2);
    const { caller } = await user();
    const started = await caller.lab.optimizations.start({
      curatedId: "sma-cross",
      ranges: { fast: { min: 2, max: 40, step: 1 }, slow: { min: 50, max: 90, step: 10 } },
      method: "grid",
      objective: "sharpe",
      minTrades: 1,
      symbol: "BTC/USDT",
      timeframe: "1h",
    });
    expect(started.budget).toBe(39 * 5);
    while ((await trialCount(started.id)) < 5) await new Promise((r) => setTimeout(r, 20));
    const t0 = performance.now();
    const cancelled = await caller.lab.optimizations.cancel({ id: started.id });
    await optimizationSettled(started.id);
    expect(performance.now() - t0).toBeLessThan(1_000);
    expect(cancelled.status).toBe("cancelled");
    const kept = await trialCount(started.id);
    expect(kept).toBeLessThan(started.budget);
    await new Promise((r) => setTimeout(r, 300));
    expect(await trialCount(started.id)).toBe(kept);
    expect(await trpcCode(caller.lab.optimizations.cancel({ id: started.id }))).toBe("CONFLICT");

    const resumed = await caller.lab.optimizations.resume({ id: started.id });
    expect(resumed).toMatchObject({ status: "running", trialsDone: kept });
    const done = await waitDone(caller, started.id);
    expect(done).toMatchObject({ status: "done", trialsDone: started.budget });
    const rows = await t.db.select().from(strategyOptimizationTrials).where(eq(strategyOptimizationTrials.optimizationId, started.id));
    expect(rows).toHaveLength(started.budget);
    expect(new Set(rows.map((r) => r.seq)).size).toBe(started.budget);
    expect(await trpcCode(caller.lab.optimizations.resume({ id: started.id }))).toBe("CONFLICT");
  }, 120_000);

  it("walk-forward stores each window's parameters and the stitched out-of-sample result", async () => {
    market.setCandles("BTC/USDT", "1h", walk(3_000, 4));
    const { caller } = await user();
    const started = await caller.lab.optimizations.start({
      curatedId: "sma-cross",
      ranges: GRID,
      method: "grid",
      objective: "sharpe",
      minTrades: 2,
      symbol: "BTC/USDT",
      timeframe: "1h",
      walkForward: { mode: "rolling", trainBars: 1_000, testBars: 500 },
    });
    expect(started).toMatchObject({ kind: "walk-forward", windowsTotal: 4 });
    const done = await waitDone(caller, started.id);
    expect(done).toMatchObject({ status: "done", windowsDone: 4, trialsDone: 96 });
    const wf = done.walkForward!;
    expect(wf.windows).toHaveLength(4);
    expect(wf.windows.every((w) => w.params !== null && w.trials === 24)).toBe(true);
    const growth = wf.windows.reduce((g, w) => g * (1 + (w.outOfSample?.returnPct ?? 0) / 100), 1);
    expect(wf.stitched.returnPct).toBeCloseTo((growth - 1) * 100, 9);
    expect(wf.equity.length).toBeGreaterThan(100);
  }, 60_000);

  it("refuses bad requests with the field and a clear message, writing nothing", async () => {
    market.setCandles("BTC/USDT", "1h", walk(600));
    const { user: u, caller } = await user();
    const base = { curatedId: "sma-cross", method: "grid" as const, objective: "sharpe" as const, symbol: "BTC/USDT", timeframe: "1h" as const };
    const tooBig = await refusal(caller.lab.optimizations.start({ ...base, ranges: { fast: { min: 2, max: 100, step: 1 }, slow: { min: 5, max: 300, step: 1 } } }));
    expect(tooBig.code).toBe("BAD_REQUEST");
    expect(tooBig.fieldErrors.ranges?.[0]).toMatch(/points; at most 2,000/);
    expect((await refusal(caller.lab.optimizations.start({ ...base, ranges: { fast: { min: 1, max: 10, step: 1 } } }))).fieldErrors.ranges?.[0]).toMatch(/within 2 to 100/);
    expect((await refusal(caller.lab.optimizations.start({ ...base, ranges: { lookback: { min: 1, max: 10, step: 1 } } }))).message).toMatch(/no parameter "lookback"/);
    expect((await refusal(caller.lab.optimizations.start({ ...base, ranges: { fast: { min: 50, max: 60, step: 1 }, slow: { min: 5, max: 40, step: 1 } } }))).message).toMatch(/No point of that grid/);
    expect((await refusal(caller.lab.optimizations.start({ ...base, curatedId: "nope" }))).fieldErrors.curatedId).toBeDefined();
    expect((await refusal(caller.lab.optimizations.start({ ...base, method: "bayes", trials: 5 }))).code).toBe("BAD_REQUEST");
    const wf = await refusal(caller.lab.optimizations.start({ ...base, ranges: GRID, walkForward: { mode: "rolling", trainBars: 500, testBars: 200 } }));
    expect(wf.fieldErrors.walkForward?.[0]).toMatch(/no window of 500 training and 200 test bars/);
    expect(await t.db.select().from(strategyOptimizations).where(eq(strategyOptimizations.userId, u.id))).toEqual([]);
  });

  it("another user's optimisations are NOT_FOUND; one per user at a time (429)", async () => {
    market.setCandles("BTC/USDT", "1h", walk(20_000, 2));
    setOptimizePoolSize(1);
    const a = await user();
    const b = await user();
    const start = { curatedId: "sma-cross", ranges: { fast: { min: 2, max: 40, step: 1 }, slow: { min: 50, max: 90, step: 10 } }, method: "grid" as const, objective: "sharpe" as const, symbol: "BTC/USDT", timeframe: "1h" as const };
    const r1 = await a.caller.lab.optimizations.start(start);
    const busy = await refusal(a.caller.lab.optimizations.start(start));
    expect(busy.code).toBe("TOO_MANY_REQUESTS");
    expect(busy.message).toMatch(/already have an optimisation running/);
    const calls = [() => b.caller.lab.optimizations.get({ id: r1.id }), () => b.caller.lab.optimizations.cancel({ id: r1.id }), () => b.caller.lab.optimizations.resume({ id: r1.id })];
    for (const call of calls) expect(await trpcCode(call())).toBe("NOT_FOUND");
    expect(await b.caller.lab.optimizations.list()).toEqual([]);
    expect((await a.caller.lab.optimizations.list()).map((o) => o.id)).toEqual([r1.id]);
    await a.caller.lab.optimizations.cancel({ id: r1.id });
    await optimizationSettled(r1.id);
  }, 60_000);

  it("marks a run left running by a process that died as failed when read, and it can be resumed", async () => {
    market.setCandles("BTC/USDT", "1h", walk(800));
    const { user: u, caller } = await user();
    const [row] = await t.db
      .insert(strategyOptimizations)
      .values({
        userId: u.id,
        curatedId: "sma-cross",
        name: "SMA crossover (10/20)",
        method: "grid",
        objective: "sharpe",
        minTrades: 1,
        space: { dimensions: [{ name: "fast", kind: "int", min: 4, max: 8, step: 4 }, { name: "slow", kind: "int", min: 20, max: 30, step: 10 }], constraints: [{ a: "fast", op: "<", b: "slow" }] },
        budget: 4,
        seed: 1,
        symbol: "BTC/USDT",
        timeframe: "1h",
        settings: { ...DEFAULT_BACKTEST_SETTINGS, engine: engineConfigOf(DEFAULT_BACKTEST_SETTINGS, HOUR) },
        status: "running",
        updatedAt: new Date(Date.now() - 10 * 60_000),
      })
      .returning();
    const read = await caller.lab.optimizations.get({ id: row!.id });
    expect(read.status).toBe("failed");
    expect(read.error).toMatch(/Resume it/);
    await caller.lab.optimizations.resume({ id: row!.id });
    expect(await waitDone(caller, row!.id)).toMatchObject({ status: "done", trialsDone: 4 });
  });
});
