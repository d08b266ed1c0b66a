/**
 * Runs lab backtests off the request thread (issue 19): one `worker_threads` Worker per run, a per-user and a
 * process-wide cap on runs at once, progress written to the run's row (throttled), cancel by terminating the worker.
 *
 * The worker is `new Worker(new URL("./worker.ts", import.meta.url))`: Turbopack (next dev and next build) bundles
 * that file as a worker entry; under Vitest or tsx the URL is the .ts source itself, which Node can only load with
 * tsx's loader (see tsxBootstrap). A worker that cannot start fails
 * the run with a clear error: the engine never falls back to running on the request thread.
 *
 * INVARIANT: a run's results are written only while its row is still `running` (a conditional update), so a run
 * cancelled while its worker finishes stores nothing.
 */
import "server-only";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { and, eq, sql } from "drizzle-orm";
import { db } from "@/server/db";
import { strategyBacktestRuns } from "@/server/db/schema";
import { LimitExceededError } from "@/server/errors";
import { logger } from "@/server/logger";
import type { JobInput, JobResult } from "@/lib/lab/job";
import type { WorkerMessage, WorkerRequest } from "./worker";

/** Runs at once per user, and in this process over everyone (each is one busy thread). */
export const LAB_LIMITS = { perUser: 2, global: 4 } as const;
/** A run still going after this is stopped and failed; a row left `running` past it by a dead process is failed when read. */
export const MAX_RUN_MS = 5 * 60_000;
/** Progress reaches the row at most this often, or every 5% of the bars. */
const PROGRESS_MS = 250;

interface Slot {
  userId: string;
  worker: Worker | null;
  cancelled: boolean;
  timer: NodeJS.Timeout | null;
}

const g = globalThis as unknown as { __tradsyLabSlots?: Map<string, Slot>; __tradsyLabWorkerFactory?: WorkerFactory };
const slots = (g.__tradsyLabSlots ??= new Map());

export type WorkerFactory = () => Worker;

function defaultWorker(): Worker {
  // Inside Next (dev or build), Turbopack rewrites this exact expression into its bundled worker chunk. Its
  // import.meta.url still names the .ts source, so it cannot tell us where we run: NEXT_RUNTIME, which Next sets in
  // its server processes, does (a Next internal, not app configuration, hence not in src/env.ts).
  if (process.env.NEXT_RUNTIME) return new Worker(new URL("./worker.ts", import.meta.url));
  return new Worker(tsxBootstrap(new URL("./worker.ts", import.meta.url).href));
}

/**
 * From source (Vitest, tsx scripts) the worker is a .ts file. Node 20 does not apply `--import tsx` from a worker's
 * execArgv to the worker's own entry (ERR_UNKNOWN_FILE_EXTENSION), so a one-line ES module entry registers tsx's
 * loader with its API and then imports the worker (tsx also resolves the "@/" paths from tsconfig.json).
 */
export function tsxBootstrap(workerHref: string): URL {
  // Built from the working directory (the repository root) rather than require.resolve, so no bundler follows it.
  const api = pathToFileURL(path.join(process.cwd(), "node_modules", "tsx", "dist", "esm", "api", "index.mjs")).href;
  const code = `import { register } from ${JSON.stringify(api)};\nregister();\nawait import(${JSON.stringify(workerHref)});\n`;
  return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
}

/** Tests: start workers another way (undefined restores the real one). */
export function setBacktestWorkerFactory(factory: WorkerFactory | undefined): void {
  g.__tradsyLabWorkerFactory = factory;
}

/**
 * Takes a slot for `runId` or refuses (429). Synchronous, so two requests cannot both see the last free slot.
 * The caller must `release` it if it does not go on to `launch`.
 */
export function reserveSlot(userId: string, runId: string): void {
  let mine = 0;
  for (const s of slots.values()) if (s.userId === userId) mine++;
  if (mine >= LAB_LIMITS.perUser) {
    throw new LimitExceededError(`You already have ${LAB_LIMITS.perUser} backtests running. Wait for one to finish or cancel it.`);
  }
  if (slots.size >= LAB_LIMITS.global) throw new LimitExceededError("The lab is busy running other backtests. Try again in a minute.", 30_000);
  slots.set(runId, { userId, worker: null, cancelled: false, timer: null });
}

export function releaseSlot(runId: string): void {
  const s = slots.get(runId);
  if (s?.timer) clearTimeout(s.timer);
  slots.delete(runId);
}

/** This process is running it (its row's `running` is true, not left over from a process that died). */
export function isRunningHere(runId: string): boolean {
  return slots.has(runId);
}

/** Stops the run's worker, if this process runs it. The caller has already marked the row cancelled. */
export function stopRun(runId: string): void {
  const s = slots.get(runId);
  if (!s) return;
  s.cancelled = true;
  void s.worker?.terminate();
  releaseSlot(runId);
}

/** Settles when the run's worker is gone (tests). */
const settled = new Map<string, Promise<void>>();
export function runSettled(runId: string): Promise<void> {
  return settled.get(runId) ?? Promise.resolve();
}

/**
 * Starts the reserved run's worker on `input` and returns at once; the worker's messages update the row. Never
 * throws: a worker that cannot start fails the run.
 */
export function launch(runId: string, input: JobInput): void {
  const slot = slots.get(runId);
  if (!slot) throw new Error(`launch(${runId}) without a reserved slot`);
  const log = logger.child({ runId });
  let done!: () => void;
  settled.set(runId, new Promise<void>((r) => (done = r)));
  const finish = () => {
    releaseSlot(runId);
    settled.delete(runId);
    done();
  };

  let worker: Worker;
  try {
    worker = (g.__tradsyLabWorkerFactory ?? defaultWorker)();
  } catch (e) {
    log.error({ err: e }, "backtest worker could not start");
    void fail(runId, "The backtest worker could not start, so the backtest did not run. Try again later.").finally(finish);
    return;
  }
  slot.worker = worker;
  let lastWrite = 0;
  let lastBars = 0;
  let writing: Promise<unknown> = Promise.resolve();
  let ended = false;
  const end = (work: () => Promise<unknown>) => {
    if (ended) return;
    ended = true;
    if (slot.timer) clearTimeout(slot.timer);
    void writing
      .then(work)
      .catch((e: unknown) => log.error({ err: e }, "backtest result could not be stored"))
      .finally(() => {
        void worker.terminate();
        finish();
      });
  };

  slot.timer = setTimeout(() => {
    log.warn({ maxRunMs: MAX_RUN_MS }, "backtest ran too long: stopped");
    slot.cancelled = true;
    end(() => fail(runId, `The backtest took longer than ${MAX_RUN_MS / 60_000} minutes and was stopped. Try a shorter date range.`));
  }, MAX_RUN_MS);
  slot.timer.unref?.();

  worker.on("message", (msg: WorkerMessage) => {
    if (slot.cancelled) return;
    if (msg.type === "ready") {
      // Transfer the columns: the worker owns them from here, nothing is copied.
      const s = input.series;
      const transfer = [s.time, s.open, s.high, s.low, s.close, s.volume].map((a) => a.buffer as ArrayBuffer);
      worker.postMessage({ type: "run", input } satisfies WorkerRequest, transfer);
    } else if (msg.type === "progress") {
      const now = Date.now();
      if (msg.done < msg.total && now - lastWrite < PROGRESS_MS && msg.done - lastBars < msg.total / 20) return;
      lastWrite = now;
      lastBars = msg.done;
      writing = writing.then(() =>
        db.update(strategyBacktestRuns).set({ barsDone: msg.done }).where(and(eq(strategyBacktestRuns.id, runId), eq(strategyBacktestRuns.status, "running"))),
      ).catch((e: unknown) => log.warn({ err: e }, "backtest progress not written"));
    } else if (msg.type === "done") {
      end(() => store(runId, msg.result));
    } else if (msg.type === "error") {
      end(() => fail(runId, `The backtest stopped with an error: ${msg.message}`));
    }
  });
  worker.on("error", (e) => {
    log.error({ err: e }, "backtest worker failed");
    if (!slot.cancelled) end(() => fail(runId, "The backtest worker failed, so the backtest did not finish. Try again later."));
  });
  worker.on("exit", (code) => {
    if (!slot.cancelled) end(() => fail(runId, `The backtest worker stopped unexpectedly (exit code ${code}).`));
    else if (!ended) {
      ended = true;
      finish();
    }
  });
}

async function store(runId: string, r: JobResult): Promise<void> {
  const stats: Record<string, number | null> = {};
  for (const [k, v] of Object.entries(r.backtestingPy)) stats[`backtestingPy.${k}`] = v as number | null;
  if (r.trackRecord) for (const [k, v] of Object.entries(r.trackRecord)) stats[`trackRecord.${k}`] = v;
  stats["engine.gaps"] = r.gaps;
  await db
    .update(strategyBacktestRuns)
    .set({
      status: "done",
      barsDone: r.barsTotal,
      barsTotal: r.barsTotal,
      stats,
      equity: r.equity,
      trades: r.trades,
      tradeCount: r.tradeCount,
      error: r.trackRecordError ? `Track-record statistics unavailable: ${r.trackRecordError}` : null,
      finishedAt: sql`now()`,
    })
    .where(and(eq(strategyBacktestRuns.id, runId), eq(strategyBacktestRuns.status, "running")));
}

async function fail(runId: string, message: string): Promise<void> {
  await db
    .update(strategyBacktestRuns)
    .set({ status: "failed", error: message, finishedAt: sql`now()` })
    .where(and(eq(strategyBacktestRuns.id, runId), eq(strategyBacktestRuns.status, "running")));
}
