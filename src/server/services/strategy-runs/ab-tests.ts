/**
 * A/B (shadow) tests of a running curated strategy (issue 20). Variant A is the running version: what the provider
 * publishes. One to three challengers (other parameters) shadow it on the same live candles, on paper: nothing of
 * theirs is published, and the chain is untouched.
 *
 * - Plan, fixed before the test starts (FIXED HORIZON, src/lib/lab/abtest.ts): each variant needs `tradesNeeded`
 *   closed trades, computed from the minimum effect worth detecting (Cohen's d), alpha and power. With k challengers
 *   each comparison with A uses alpha / k (Bonferroni), so the chance of any false winner stays at most alpha.
 * - Evaluation (every tick of the strategy loop, and on read): every variant is rebuilt from the candles — the engine
 *   and LIBRARY_CONFIG the live run uses, entries refused before the test's first candle (`startsAt`), trades still
 *   open not counted — so it is deterministic and needs no state between ticks. Per-trade returns (percent) of each
 *   challenger are compared with A's by Welch's t-test. Variant A is simulated like the others (not read from its
 *   published signals), so all variants are measured the same way.
 * - Decision: once every variant has its trades, once, on exactly the first `tradesNeeded` trades of each: a
 *   challenger whose returns are significantly higher than A's wins (the highest mean among several); otherwise A stays. Before that the page shows interim figures, labelled.
 * - Promotion (the owner, a decided test with a winning challenger): in one transaction under the provider's lock,
 *   the run's open signals of the old version are closed at the market (chained, as the Close button does), the run
 *   takes the winner's parameters as version n + 1 from now (`versionStartedAt`: earlier candles only warm it up),
 *   and the switch is audited (`strategy_run.version_promoted`, with both parameter sets and the test's figures). The
 *   switch itself is not a chain entry: every chain entry belongs to a signal.
 */
import "server-only";
import { and, asc, desc, eq, inArray } from "drizzle-orm";
import { DEFAULT_CONFIG, Engine, type ClosedTrade } from "@/lib/engine";
import { decide, tradesNeeded, welchTTest, type AbDecision, type WelchResult } from "@/lib/lab/abtest";
import type { Timeframe } from "@/lib/market-data/types";
import { CATALOGUE, LIBRARY_CONFIG, resolveParams, type StrategyParams } from "@/lib/strategy-library";
import { TIMEFRAME_MS, warmupBarsFor } from "@/lib/strategy-runs";
import { startAbTestSchema, type StartAbTestInput } from "@/lib/validation/strategy-runs";
import { db } from "@/server/db";
import { signals, strategyAbTests, strategyRuns, type AbVariant } from "@/server/db/schema";
import { ConflictError, NotFoundError, ValidationError } from "@/server/errors";
import { getMarketData } from "@/server/integrations/market-data";
import { logger } from "@/server/logger";
import { recordAudit } from "@/server/services/audit";
import type { ActingContext } from "@/server/services/context";
import { announceChange, exitLocked, lockProvider, type SignalRow } from "@/server/services/signals";
import { ownedRun, parse } from "./runs";

export type AbTestRow = typeof strategyAbTests.$inferSelect;

export interface VariantFigures {
  label: string;
  params: Record<string, number>;
  trades: number;
  meanReturnPct: number | null;
  sdReturnPct: number | null;
  winRatePct: number | null;
  /** Compounded over the closed trades, each a whole position. */
  totalReturnPct: number | null;
  /** Per-trade returns in percent, in closing order (the data the test ran on). */
  returns: number[];
}

export interface Comparison {
  /** The challenger compared with A. */
  label: string;
  /** Welch's t-test of the challenger's returns against A's (diff = challenger − A); null with fewer than 2 trades each. */
  test: WelchResult | null;
  /** `decide` with the challenger as the first variant; "A better" there means the challenger is better. */
  decision: AbDecision;
  /** The same, in words for the page. */
  verdict: string;
}

export interface AbResult {
  variants: VariantFigures[];
  comparisons: Comparison[];
  /** Alpha per comparison (alpha / challengers). */
  alphaPerComparison: number;
  tradesNeeded: number;
  horizonReached: boolean;
  candles: number;
  evaluatedAt: string;
}

const LABELS = ["A", "B", "C", "D"];
const keyOf = (p: Record<string, number>) => JSON.stringify(Object.entries(p).sort(([a], [b]) => a.localeCompare(b)));

/** Starts a test on the caller's running curated strategy. At most one running test per strategy. */
export async function startAbTest(ctx: ActingContext, raw: StartAbTestInput | unknown): Promise<AbTestRow> {
  const input = parse(startAbTestSchema, raw);
  const run = await ownedRun(ctx, input.id);
  if (run.status !== "running") throw new ConflictError("This strategy has stopped; start it again to test variants");
  const entry = run.curatedId ? CATALOGUE.find((e) => e.id === run.curatedId) : undefined;
  if (!entry) throw new ValidationError("A/B tests compare parameters of a curated strategy; this run trades your own rules", { id: ["Choose a run of a curated strategy"] });
  const variants: AbVariant[] = [{ label: "A", params: run.params }];
  const seen = new Set([keyOf(run.params)]);
  input.challengers.forEach((c, k) => {
    let params: StrategyParams;
    try {
      params = resolveParams(entry, c.params);
      entry.create(params);
    } catch (e) {
      const message = e instanceof RangeError ? e.message : "Check the parameters";
      throw new ValidationError(`Challenger ${LABELS[k + 1]}: ${message}`, { [`challengers.${k}.params`]: [message] });
    }
    if (seen.has(keyOf(params))) {
      const message = "These parameters are already in the test";
      throw new ValidationError(`Challenger ${LABELS[k + 1]}: ${message}`, { [`challengers.${k}.params`]: [message] });
    }
    seen.add(keyOf(params));
    variants.push({ label: LABELS[k + 1]!, params });
  });
  const alphaPer = input.alpha / input.challengers.length;
  const plan = tradesNeeded({ effectSize: input.effectSize, alpha: alphaPer, power: input.power });
  const tf = TIMEFRAME_MS[run.timeframe as Timeframe];
  // The candle forming now is the first the variants trade: each starts flat with its indicators warmed up.
  const startsAt = new Date(Math.floor(ctx.now.getTime() / tf) * tf);
  return db.transaction(async (tx) => {
    const [running] = await tx.select({ id: strategyAbTests.id }).from(strategyAbTests).where(and(eq(strategyAbTests.runId, run.id), eq(strategyAbTests.status, "running")));
    if (running) throw new ConflictError("This strategy already has an A/B test running; stop it first");
    const [row] = await tx
      .insert(strategyAbTests)
      .values({ runId: run.id, userId: run.userId, variants, effectSize: input.effectSize, alpha: input.alpha, power: input.power, tradesNeeded: plan.n1, startsAt, createdAt: ctx.now })
      .onConflictDoNothing()
      .returning();
    if (!row) throw new ConflictError("This strategy already has an A/B test running; stop it first");
    await recordAudit(tx, {
      actorId: ctx.actor.id,
      action: "strategy_ab_test.started",
      targetType: "strategy_run",
      targetId: run.id,
      data: { testId: row.id, variants, effectSize: input.effectSize, alpha: input.alpha, power: input.power, tradesNeeded: plan.n1 },
    });
    return row;
  });
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

function figuresOf(v: AbVariant, trades: readonly ClosedTrade[]): VariantFigures {
  const returns = trades.map((t) => t.returnPct * 100);
  const n = returns.length;
  const m = n ? mean(returns) : null;
  const sd = n > 1 ? Math.sqrt(returns.reduce((s, r) => s + (r - m!) ** 2, 0) / (n - 1)) : null;
  return {
    label: v.label,
    params: v.params,
    trades: n,
    meanReturnPct: m,
    sdReturnPct: sd,
    winRatePct: n ? (returns.filter((r) => r > 0).length / n) * 100 : null,
    totalReturnPct: n ? (returns.reduce((g, r) => g * (1 + r / 100), 1) - 1) * 100 : null,
    returns,
  };
}

const VERDICTS: Record<AbDecision, (label: string) => string> = {
  "A better": (l) => `${l} is better than A`,
  "B better": (l) => `A is better than ${l}`,
  "no significant difference": (l) => `No significant difference between ${l} and A`,
  "not enough trades yet": () => "Not enough trades yet: interim figures, not a decision",
};

/** Compares each challenger with A (pure: the tests call it on fixture returns). */
export function compareVariants(figures: VariantFigures[], needed: number, alphaPer: number): Comparison[] {
  // Fixed horizon: once every variant has its trades, the test is judged on exactly the first `needed` of each
  // (trades a faster variant made while a slower one caught up are not part of the plan). Before that: interim
  // figures on everything so far.
  const reached = figures.every((f) => f.returns.length >= needed);
  const sample = (f: VariantFigures) => (reached ? f.returns.slice(0, needed) : f.returns);
  const a = sample(figures[0]!);
  return figures.slice(1).map((c) => {
    let test: WelchResult | null = null;
    try {
      test = welchTTest(sample(c), a);
    } catch {
      test = null;
    }
    const decision: AbDecision = test ? decide(test, { n1: needed, n2: needed, alpha: alphaPer }) : "not enough trades yet";
    return { label: c.label, test, decision, verdict: VERDICTS[decision](c.label) };
  });
}

/** Runs every variant over the live candles since the test began and stores the comparison (and the decision, once). */
export async function evaluateAbTest(testId: string, now: Date, opts: { onlyAfterNewCandle?: boolean } = {}): Promise<AbTestRow> {
  const test = await db.query.strategyAbTests.findFirst({ where: eq(strategyAbTests.id, testId) });
  if (!test) throw new NotFoundError("No such A/B test");
  if (test.status !== "running") return test;
  const run = (await db.query.strategyRuns.findFirst({ where: eq(strategyRuns.id, test.runId) }))!;
  if (run.status !== "running") {
    // The strategy stopped: its shadows stop with it (the figures so far stay, undecided).
    const [ended] = await db.update(strategyAbTests).set({ status: "stopped", endedAt: now }).where(and(eq(strategyAbTests.id, testId), eq(strategyAbTests.status, "running"))).returning();
    return ended ?? test;
  }
  const entry = CATALOGUE.find((e) => e.id === run.curatedId)!;
  const tf = TIMEFRAME_MS[run.timeframe as Timeframe];
  // The every-minute tick: no candle has closed since the last evaluation, so nothing can have changed.
  if (opts.onlyAfterNewCandle && test.evaluatedAt && Math.floor(test.evaluatedAt.getTime() / tf) === Math.floor(now.getTime() / tf)) return test;
  const start = test.startsAt.getTime();
  const strategies = test.variants.map((v) => entry.create(v.params));
  const warmup = Math.max(...strategies.map((s) => warmupBarsFor(s)));
  const candles = (await getMarketData().candles(run.symbol, run.timeframe as Timeframe, start - warmup * tf, now.getTime())).filter((c) => c.openTime + tf <= now.getTime());
  const figures = test.variants.map((v, k) => {
    let openTime = 0;
    const engine = new Engine(strategies[k]!, {
      ...DEFAULT_CONFIG,
      ...LIBRARY_CONFIG,
      endOfData: "leave-open",
      riskGate: () => (openTime < start ? { accept: false, reason: "warm-up: before the test" } : { accept: true }),
    });
    for (const c of candles) {
      openTime = c.openTime;
      engine.onCandle({ time: c.openTime, open: Number(c.open), high: Number(c.high), low: Number(c.low), close: Number(c.close), volume: Number(c.volume) });
    }
    return figuresOf(v, engine.finish().trades);
  });
  const alphaPer = test.alpha / (test.variants.length - 1);
  const comparisons = compareVariants(figures, test.tradesNeeded, alphaPer);
  const horizonReached = figures.every((f) => f.trades >= test.tradesNeeded);
  const result: AbResult = {
    variants: figures,
    comparisons,
    alphaPerComparison: alphaPer,
    tradesNeeded: test.tradesNeeded,
    horizonReached,
    candles: candles.filter((c) => c.openTime >= start).length,
    evaluatedAt: now.toISOString(),
  };
  let winner: string | null = null;
  if (horizonReached) {
    const better = comparisons.filter((c) => c.decision === "A better");
    const best = better.sort((x, y) => figures.find((f) => f.label === y.label)!.meanReturnPct! - figures.find((f) => f.label === x.label)!.meanReturnPct!)[0];
    winner = best?.label ?? "A";
  }
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(strategyAbTests)
      .set({ result: result as unknown as Record<string, unknown>, evaluatedAt: now, ...(winner ? { status: "decided" as const, decidedAt: now, winner } : {}) })
      .where(and(eq(strategyAbTests.id, testId), eq(strategyAbTests.status, "running")))
      .returning();
    if (!row) return (await tx.query.strategyAbTests.findFirst({ where: eq(strategyAbTests.id, testId) }))!;
    if (winner) {
      await recordAudit(tx, {
        actorId: null,
        action: "strategy_ab_test.decided",
        targetType: "strategy_run",
        targetId: run.id,
        data: { testId, winner, comparisons: comparisons.map((c) => ({ label: c.label, decision: c.decision, pValue: c.test?.pValue ?? null, t: c.test?.t ?? null })) },
      });
    }
    return row;
  });
}

/** Evaluates every running test (the strategy loop's tick); one failing is logged and does not hold up the others. */
export async function evaluateRunningAbTests(now: Date): Promise<number> {
  const rows = await db.select({ id: strategyAbTests.id }).from(strategyAbTests).where(eq(strategyAbTests.status, "running"));
  let n = 0;
  for (const { id } of rows) {
    try {
      await evaluateAbTest(id, now, { onlyAfterNewCandle: true });
      n++;
    } catch (err) {
      logger.error({ err, testId: id }, "A/B test evaluation failed");
    }
  }
  return n;
}

async function ownTest(ctx: ActingContext, testId: string): Promise<AbTestRow> {
  const test = await db.query.strategyAbTests.findFirst({ where: and(eq(strategyAbTests.id, testId), eq(strategyAbTests.userId, ctx.actor.id)) });
  if (!test) throw new NotFoundError("No such A/B test");
  return test;
}

/** The caller's test, evaluated afresh when it is still running. */
export async function getAbTest(ctx: ActingContext, testId: string): Promise<AbTestRow> {
  const test = await ownTest(ctx, testId);
  return test.status === "running" ? evaluateAbTest(test.id, ctx.now) : test;
}

export async function listAbTests(ctx: ActingContext, runId: string): Promise<AbTestRow[]> {
  const run = await ownedRun(ctx, runId);
  return db.select().from(strategyAbTests).where(eq(strategyAbTests.runId, run.id)).orderBy(desc(strategyAbTests.createdAt));
}

/** Ends a running or decided test without promoting anything. */
export async function stopAbTest(ctx: ActingContext, testId: string): Promise<AbTestRow> {
  const test = await ownTest(ctx, testId);
  const [row] = await db
    .update(strategyAbTests)
    .set({ status: "stopped", endedAt: ctx.now })
    .where(and(eq(strategyAbTests.id, test.id), inArray(strategyAbTests.status, ["running", "decided"])))
    .returning();
  if (!row) throw new ConflictError(`This A/B test has already ${test.status === "promoted" ? "been promoted" : "stopped"}`);
  await recordAudit(db, { actorId: ctx.actor.id, action: "strategy_ab_test.stopped", targetType: "strategy_run", targetId: test.runId, data: { testId } });
  return row;
}

/** Promotes the decided winner: a new version of the run (see the module header). */
export async function promoteAbTest(ctx: ActingContext, testId: string): Promise<{ test: AbTestRow; version: number; signalsClosed: number }> {
  const test = await ownTest(ctx, testId);
  if (test.status !== "decided") {
    throw new ConflictError(test.status === "running" ? "The test has not reached its trades yet: there is no decision to promote" : `This A/B test has ${test.status === "promoted" ? "already been promoted" : "stopped"}`);
  }
  if (!test.winner || test.winner === "A") throw new ConflictError("No challenger beat the running version: there is nothing to promote");
  const winner = test.variants.find((v) => v.label === test.winner)!;
  const before = (await db.query.strategyRuns.findFirst({ where: eq(strategyRuns.id, test.runId) }))!;
  if (before.status !== "running") throw new ConflictError("This strategy has stopped; a stopped strategy cannot take a new version");
  const price = (await getMarketData().lastPrice(before.symbol)).price;
  const ended: SignalRow[] = [];
  const out = await db.transaction(async (tx) => {
    await lockProvider(tx, before.providerId);
    const run = (await tx.query.strategyRuns.findFirst({ where: eq(strategyRuns.id, before.id) }))!;
    if (run.status !== "running") throw new ConflictError("This strategy has stopped; a stopped strategy cannot take a new version");
    const [claimed] = await tx.update(strategyAbTests).set({ status: "promoted", promotedVersion: run.strategyVersion + 1, endedAt: ctx.now }).where(and(eq(strategyAbTests.id, test.id), eq(strategyAbTests.status, "decided"))).returning();
    if (!claimed) throw new ConflictError("This A/B test was promoted or stopped meanwhile");
    const live = await tx.query.signals.findMany({ where: and(eq(signals.providerId, run.providerId), inArray(signals.status, ["open", "pending"])), orderBy: asc(signals.publishedAt) });
    for (const s of live) ended.push(await exitLocked(ctx, tx, s, price));
    const version = run.strategyVersion + 1;
    await tx.update(strategyRuns).set({ params: winner.params, strategyVersion: version, versionStartedAt: ctx.now, updatedAt: ctx.now }).where(eq(strategyRuns.id, run.id));
    const comparison = (test.result as unknown as AbResult | null)?.comparisons.find((c) => c.label === winner.label);
    await recordAudit(tx, {
      actorId: ctx.actor.id,
      action: "strategy_run.version_promoted",
      targetType: "strategy_run",
      targetId: run.id,
      data: {
        testId: test.id,
        fromVersion: run.strategyVersion,
        toVersion: version,
        fromParams: run.params,
        toParams: winner.params,
        pValue: comparison?.test?.pValue ?? null,
        t: comparison?.test?.t ?? null,
        signalsClosed: live.length,
      },
    });
    return { test: claimed, version };
  });
  for (const s of ended) await announceChange(s, s.status === "cancelled" ? "cancelled" : "closed");
  return { ...out, signalsClosed: ended.length };
}
