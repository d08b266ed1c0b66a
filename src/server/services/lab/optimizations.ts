/**
 * Lab optimisations (issue 20): a grid or Bayesian search over a curated strategy's parameters, or a walk-forward
 * validation, run off the request thread, with every trial stored as it finishes; read, list, cancel and resume
 * one's own.
 *
 * - Optimise: a TrialPool (./trial-pool.ts, one worker thread per core, the candles shared once) runs the trials; the
 *   driver (src/lib/optimize/driver.ts) keeps every worker busy, and each finished trial is written (its key is the
 *   primary key with the optimisation, so a write retried or repeated by a resume stores nothing twice) with the
 *   row's progress and best so far.
 * - Walk-forward: one worker runs the windows in turn (src/lib/optimize/walk-forward.ts) and posts progress after
 *   each; the result is stored whole.
 * - Cancel: the row says cancelled first (a conditional update: only a running row), then the workers are
 *   terminated — the server stops computing at once, not after the trials in flight; a result that races the
 *   cancel is not stored, because every write is conditional on the row still running.
 * - Resume: a cancelled or failed optimisation starts again from its stored trials (told to a fresh search, which
 *   then never asks for them again); the remaining budget runs. A Bayesian search resumed is not the same sequence
 *   the uninterrupted one would have been (its random state is not stored), but it is the same kind of search over
 *   the same evidence. Walk-forward runs start over.
 * - A row `running` whose process died (not running here, untouched for STALE_MS) is failed when read, with the
 *   number of trials kept; it can be resumed.
 */
import "server-only";
import { and, asc, count, desc, eq, inArray, sql } from "drizzle-orm";
import type { Worker } from "node:worker_threads";
import { engineConfigOf } from "@/lib/lab/job";
import {
  BayesianSearch,
  curatedSpace,
  drive,
  feasibleGridSize,
  GridSearch,
  parameterImportance,
  pointKey,
  walkForwardWindows,
  type Objective,
  type ParamSpace,
  type Params,
  type Search,
  type Trial,
  type TrialOutcome,
  type TrialSetup,
  type WalkForwardResult,
  type WalkForwardWindows,
} from "@/lib/optimize";
import { getCurated } from "@/lib/strategy-library";
import { MAX_OPTIMIZATION_TRIALS, type LabTimeframe, type StartOptimization } from "@/lib/validation/lab";
import { newId } from "@/lib/ids";
import { db } from "@/server/db";
import { strategyOptimizations, strategyOptimizationTrials } from "@/server/db/schema";
import { ConflictError, LimitExceededError, NotFoundError, ValidationError } from "@/server/errors";
import { logger } from "@/server/logger";
import type { ActingContext } from "@/server/services/context";
import { lockLiveAccount } from "@/server/services/privacy/live-account";
import { loadLabSeries } from "./backtests";
import type { OptimizeWorkerMessage, OptimizeWorkerRequest } from "./optimize-worker";
import { shareSeries, startWorker, TrialPool } from "./trial-pool";

export type OptimizationRow = typeof strategyOptimizations.$inferSelect;
export type TrialRow = typeof strategyOptimizationTrials.$inferSelect;

/** Optimisations at once per user and in this process (each keeps every core busy). */
export const OPTIMIZE_LIMITS = { perUser: 1, global: 2 } as const;
/** A running row untouched this long has lost its process. */
export const STALE_MS = 5 * 60_000;
/** Walk-forward windows one run may have (each is a whole optimisation). */
export const MAX_WINDOWS = 30;

interface Slot {
  userId: string;
  abort: AbortController;
  stop: () => Promise<void>;
  settled: Promise<void>;
}
const g = globalThis as unknown as { __tradsyOptimizeSlots?: Map<string, Slot>; __tradsyOptimizePoolSize?: number };
const slots = (g.__tradsyOptimizeSlots ??= new Map());

/** Tests: workers per optimisation (undefined: one per core). */
export function setOptimizePoolSize(n: number | undefined): void {
  g.__tradsyOptimizePoolSize = n;
}

function reserve(userId: string, id: string): Slot {
  let mine = 0;
  for (const s of slots.values()) if (s.userId === userId) mine++;
  if (mine >= OPTIMIZE_LIMITS.perUser) throw new LimitExceededError("You already have an optimisation running. Wait for it to finish or cancel it.");
  if (slots.size >= OPTIMIZE_LIMITS.global) throw new LimitExceededError("The lab is busy with other optimisations. Try again in a few minutes.", 60_000);
  const slot: Slot = { userId, abort: new AbortController(), stop: () => Promise.resolve(), settled: Promise.resolve() };
  slots.set(id, slot);
  return slot;
}

export const isOptimizingHere = (id: string) => slots.has(id);

/** Settles when the optimisation's work in this process has ended (tests). */
export function optimizationSettled(id: string): Promise<void> {
  return slots.get(id)?.settled ?? Promise.resolve();
}

interface Plan {
  space: ParamSpace;
  budget: number;
  windows: WalkForwardWindows | null;
}

/** Checks the request against the strategy's declared parameters; every refusal names the field. */
function plan(input: StartOptimization): Plan {
  let entry;
  try {
    entry = getCurated(input.curatedId);
  } catch {
    throw new ValidationError("There is no curated strategy with that id", { curatedId: ["Choose a strategy from the library"] });
  }
  let space: ParamSpace;
  try {
    space = curatedSpace(entry, input.ranges);
  } catch (e) {
    const message = e instanceof Error ? e.message : "Those ranges are not valid";
    throw new ValidationError(message, { ranges: [message] });
  }
  let budget = input.trials;
  if (input.method === "grid") {
    const points = feasibleGridSize(space);
    if (points === 0) throw new ValidationError("No point of that grid satisfies the strategy's constraints", { ranges: ["Widen the ranges"] });
    if (points > MAX_OPTIMIZATION_TRIALS) {
      const message = `That grid has ${points.toLocaleString("en-US")} points; at most ${MAX_OPTIMIZATION_TRIALS.toLocaleString("en-US")}. Use larger steps, narrower ranges or the Bayesian search.`;
      throw new ValidationError(message, { ranges: [message] });
    }
    budget = points;
  }
  return { space, budget, windows: input.walkForward ?? null };
}

const setupOf = (row: Pick<OptimizationRow, "curatedId" | "objective" | "minTrades" | "settings">): TrialSetup => ({
  curatedId: row.curatedId,
  objective: row.objective as Objective,
  minTrades: row.minTrades,
  config: (row.settings as { engine: TrialSetup["config"] }).engine,
});

/** Starts an optimisation (or walk-forward) and returns its row at once; progress reaches the row as trials finish. */
export async function startOptimization(ctx: ActingContext, input: StartOptimization): Promise<OptimizationRow> {
  const p = plan(input);
  const id = newId("opt");
  const slot = reserve(ctx.actor.id, id);
  try {
    const { info, candles, series, tf } = await loadLabSeries(ctx, input);
    let windowsTotal = 0;
    if (p.windows) {
      try {
        windowsTotal = walkForwardWindows(series.length, p.windows).length;
      } catch (e) {
        const message = e instanceof Error ? e.message : "Those windows do not fit";
        throw new ValidationError(message, { walkForward: [message] });
      }
      if (windowsTotal > MAX_WINDOWS) {
        const message = `Those windows make ${windowsTotal} walk-forward steps; at most ${MAX_WINDOWS}. Use longer test windows.`;
        throw new ValidationError(message, { walkForward: [message] });
      }
    }
    const config = engineConfigOf(input.settings, info.market === "crypto" ? tf : null);
    const row = await db.transaction(async (tx) => {
      // As for backtests: nothing is stored on an account being deleted (privacy/live-account.ts).
      await lockLiveAccount(tx, ctx.actor.id);
      const [inserted] = await tx
        .insert(strategyOptimizations)
        .values({
          id,
          userId: ctx.actor.id,
          kind: p.windows ? "walk-forward" : "optimize",
          curatedId: input.curatedId,
          name: getCurated(input.curatedId).name,
          method: input.method,
          objective: input.objective,
          minTrades: input.minTrades,
          space: p.space,
          budget: p.budget,
          seed: input.seed ?? Math.floor(Math.random() * 2 ** 31),
          symbol: info.symbol,
          timeframe: input.timeframe,
          dataFrom: new Date(candles[0]!.openTime),
          dataTo: new Date(candles[candles.length - 1]!.openTime + tf),
          settings: { ...input.settings, engine: config },
          windows: p.windows,
          windowsTotal,
          status: "running",
          startedAt: ctx.now,
          createdAt: ctx.now,
        })
        .returning();
      return inserted!;
    });
    launch(row, slot, series, []);
    return row;
  } catch (e) {
    slots.delete(id);
    throw e;
  }
}

const running = (id: string) => and(eq(strategyOptimizations.id, id), eq(strategyOptimizations.status, "running"));

function launch(row: OptimizationRow, slot: Slot, series: Awaited<ReturnType<typeof loadLabSeries>>["series"], told: Trial[]): void {
  const log = logger.child({ optimizationId: row.id });
  const work = row.kind === "walk-forward" ? runWalkForwardJob(row, slot, series) : runOptimizeJob(row, slot, series, told);
  slot.settled = work
    .catch(async (e: unknown) => {
      if (slot.abort.signal.aborted) return;
      log.error({ err: e }, "optimisation failed");
      const message = e instanceof Error ? e.message : String(e);
      await db
        .update(strategyOptimizations)
        .set({ status: "failed", error: `The optimisation stopped with an error: ${message}`, finishedAt: new Date() })
        .where(running(row.id))
        .catch((err: unknown) => log.error({ err }, "optimisation failure not stored"));
    })
    .finally(async () => {
      await slot.stop();
      slots.delete(row.id);
    });
}

function newSearch(row: OptimizationRow): Search {
  return row.method === "grid" ? new GridSearch(row.space) : new BayesianSearch(row.space, { seed: row.seed });
}

async function runOptimizeJob(row: OptimizationRow, slot: Slot, series: Awaited<ReturnType<typeof loadLabSeries>>["series"], told: Trial[]): Promise<void> {
  const pool = await TrialPool.start(setupOf(row), series, g.__tradsyOptimizePoolSize);
  slot.stop = () => pool.close();
  if (slot.abort.signal.aborted) return;
  const search = newSearch(row);
  let best: Trial | null = null;
  for (const t of told) {
    search.tell(t.params, t.value);
    if (t.value !== null && (best === null || t.value > best.value!)) best = t;
  }
  let seq = told.length;
  // Writes in trial order, one at a time: the row's count and best never go backwards.
  let writing: Promise<unknown> = Promise.resolve();
  const summary = await drive<TrialOutcome>({
    search,
    evaluate: (params) => pool.evaluate(params),
    budget: row.budget,
    alreadyDone: told.length,
    concurrency: pool.size,
    signal: slot.abort.signal,
    onTrial: (params, outcome) => {
      const improved = outcome.value !== null && (best === null || outcome.value > best.value!);
      if (improved) best = { params, value: outcome.value };
      const n = ++seq;
      const snapshot = best;
      writing = writing.then(() => storeTrial(row.id, n, row.space, params, outcome, improved ? snapshot : null));
      return writing as Promise<void>;
    },
  });
  await writing;
  if (summary.stopped === "cancelled") return;
  await db.update(strategyOptimizations).set({ status: "done", finishedAt: new Date() }).where(running(row.id));
}

async function storeTrial(id: string, seq: number, space: ParamSpace, params: Params, o: TrialOutcome, best: Trial | null): Promise<void> {
  await db.transaction(async (tx) => {
    const [still] = await tx.select({ id: strategyOptimizations.id }).from(strategyOptimizations).where(running(id)).for("update");
    if (!still) return;
    const inserted = await tx
      .insert(strategyOptimizationTrials)
      .values({
        optimizationId: id,
        paramsKey: pointKey(space, params),
        seq,
        params,
        value: o.value,
        reason: o.reason,
        trades: o.trades,
        returnPct: o.returnPct,
        maxDrawdownPct: o.maxDrawdownPct,
        sharpe: o.sharpe,
        winRatePct: o.winRatePct,
      })
      .onConflictDoNothing()
      .returning({ seq: strategyOptimizationTrials.seq });
    if (inserted.length === 0) return;
    await tx
      .update(strategyOptimizations)
      .set({
        trialsDone: sql`${strategyOptimizations.trialsDone} + 1`,
        ...(best ? { bestValue: best.value, bestParams: best.params } : {}),
      })
      .where(eq(strategyOptimizations.id, id));
  });
}

async function runWalkForwardJob(row: OptimizationRow, slot: Slot, series: Awaited<ReturnType<typeof loadLabSeries>>["series"]): Promise<void> {
  const worker: Worker = startWorker();
  slot.stop = async () => {
    await worker.terminate();
  };
  const result = await new Promise<WalkForwardResult | null>((resolve, reject) => {
    slot.abort.signal.addEventListener("abort", () => resolve(null), { once: true });
    let writing: Promise<unknown> = Promise.resolve();
    worker.on("message", (m: OptimizeWorkerMessage) => {
      if (m.type === "ready") {
        const search = row.method === "grid" ? ({ method: "grid" } as const) : ({ method: "bayes", trials: row.budget, seed: row.seed } as const);
        worker.postMessage({
          type: "walk-forward",
          input: { setup: setupOf(row), space: row.space, search, windows: row.windows! },
          columns: shareSeries(series),
          length: series.length,
        } satisfies OptimizeWorkerRequest);
      } else if (m.type === "window") {
        writing = writing.then(() => db.update(strategyOptimizations).set({ windowsDone: m.done, windowsTotal: m.total }).where(running(row.id)));
      } else if (m.type === "walk-forward-done") {
        void writing.then(() => resolve(m.result), reject);
      } else if (m.type === "error") {
        reject(new Error(m.message));
      }
    });
    worker.once("error", reject);
    worker.once("exit", (code) => {
      if (!slot.abort.signal.aborted) reject(new Error(`The walk-forward worker stopped unexpectedly (exit code ${code})`));
    });
  });
  if (!result) return;
  const trials = result.windows.reduce((n, w) => n + w.trials, 0);
  await db.update(strategyOptimizations).set({ status: "done", result, trialsDone: trials, finishedAt: new Date() }).where(running(row.id));
}

async function reapStale(ctx: ActingContext, rows: OptimizationRow[]): Promise<OptimizationRow[]> {
  const cutoff = ctx.now.getTime() - STALE_MS;
  const stale = rows.filter((r) => r.status === "running" && !isOptimizingHere(r.id) && r.updatedAt.getTime() < cutoff);
  if (stale.length === 0) return rows;
  const error = "The server stopped while this optimisation ran. Resume it to carry on from the trials it kept.";
  const ids = stale.map((r) => r.id);
  await db
    .update(strategyOptimizations)
    .set({ status: "failed", error, finishedAt: ctx.now })
    .where(and(inArray(strategyOptimizations.id, ids), eq(strategyOptimizations.status, "running")));
  return rows.map((r) => (ids.includes(r.id) ? { ...r, status: "failed" as const, error, finishedAt: ctx.now } : r));
}

async function ownRow(ctx: ActingContext, id: string): Promise<OptimizationRow> {
  const [row] = await db.select().from(strategyOptimizations).where(and(eq(strategyOptimizations.id, id), eq(strategyOptimizations.userId, ctx.actor.id)));
  if (!row) throw new NotFoundError("No such optimisation");
  return (await reapStale(ctx, [row]))[0]!;
}

/** Trials the detail view returns (the best first); the heatmap and importance use every trial. */
export const SHOWN_TRIALS = 200;

export interface OptimizationDetail {
  row: OptimizationRow;
  /** The best trials, best first (at most SHOWN_TRIALS). */
  top: TrialRow[];
  /** Every trial's parameters and value, in the order they finished (for the heatmap and the progress chart). */
  points: { seq: number; params: Params; value: number | null }[];
  importance: ReturnType<typeof parameterImportance>;
}

export async function getOptimization(ctx: ActingContext, id: string): Promise<OptimizationDetail> {
  const row = await ownRow(ctx, id);
  const [top, points] = await Promise.all([
    db
      .select()
      .from(strategyOptimizationTrials)
      .where(eq(strategyOptimizationTrials.optimizationId, id))
      .orderBy(sql`${strategyOptimizationTrials.value} desc nulls last`, asc(strategyOptimizationTrials.seq))
      .limit(SHOWN_TRIALS),
    db
      .select({ seq: strategyOptimizationTrials.seq, params: strategyOptimizationTrials.params, value: strategyOptimizationTrials.value })
      .from(strategyOptimizationTrials)
      .where(eq(strategyOptimizationTrials.optimizationId, id))
      .orderBy(asc(strategyOptimizationTrials.seq)),
  ]);
  return { row, top, points, importance: parameterImportance(row.space, points) };
}

export async function listOptimizations(ctx: ActingContext, limit = 20): Promise<OptimizationRow[]> {
  const rows = await db
    .select()
    .from(strategyOptimizations)
    .where(eq(strategyOptimizations.userId, ctx.actor.id))
    .orderBy(desc(strategyOptimizations.createdAt), desc(strategyOptimizations.id))
    .limit(limit);
  return reapStale(ctx, rows);
}

/** Cancels a running optimisation: the row first, then its workers are terminated. Trials already stored stay. */
export async function cancelOptimization(ctx: ActingContext, id: string): Promise<OptimizationRow> {
  const [row] = await db
    .update(strategyOptimizations)
    .set({ status: "cancelled", finishedAt: ctx.now })
    .where(and(eq(strategyOptimizations.id, id), eq(strategyOptimizations.userId, ctx.actor.id), eq(strategyOptimizations.status, "running")))
    .returning();
  if (!row) {
    const current = await ownRow(ctx, id);
    throw new ConflictError(`This optimisation has already ${current.status === "done" ? "finished" : current.status}`);
  }
  const slot = slots.get(id);
  if (slot) {
    slot.abort.abort();
    await slot.stop();
    // Its slot is free once this returns, so a Resume right after is not refused as a second running optimisation.
    await slot.settled;
  }
  return row;
}

/** Resumes a cancelled or failed optimisation from its stored trials (a walk-forward starts over). */
export async function resumeOptimization(ctx: ActingContext, id: string): Promise<OptimizationRow> {
  const current = await ownRow(ctx, id);
  if (current.status !== "cancelled" && current.status !== "failed") {
    throw new ConflictError(current.status === "done" ? "This optimisation has finished" : "This optimisation is still running");
  }
  const slot = reserve(ctx.actor.id, id);
  try {
    const { series } = await loadLabSeries(ctx, {
      symbol: current.symbol,
      timeframe: current.timeframe as LabTimeframe,
      from: current.dataFrom?.getTime(),
      to: current.dataTo?.getTime(),
    });
    const told =
      current.kind === "optimize"
        ? await db
            .select({ params: strategyOptimizationTrials.params, value: strategyOptimizationTrials.value })
            .from(strategyOptimizationTrials)
            .where(eq(strategyOptimizationTrials.optimizationId, id))
            .orderBy(asc(strategyOptimizationTrials.seq))
        : [];
    const [row] = await db
      .update(strategyOptimizations)
      .set({ status: "running", error: null, finishedAt: null, startedAt: ctx.now, ...(current.kind === "walk-forward" ? { windowsDone: 0, result: null, trialsDone: 0 } : { trialsDone: told.length }) })
      .where(and(eq(strategyOptimizations.id, id), eq(strategyOptimizations.userId, ctx.actor.id), inArray(strategyOptimizations.status, ["cancelled", "failed"])))
      .returning();
    if (!row) throw new ConflictError("This optimisation changed while it was being resumed; reload and try again");
    launch(row, slot, series, told);
    return row;
  } catch (e) {
    slots.delete(id);
    throw e;
  }
}

/** Trials stored for an optimisation (tests and the privacy export). */
export async function trialCount(id: string): Promise<number> {
  const [r] = await db.select({ n: count() }).from(strategyOptimizationTrials).where(eq(strategyOptimizationTrials.optimizationId, id));
  return r?.n ?? 0;
}
