/**
 * A pool of optimisation worker threads (issue 20): one per core by default, all reading the same candles from one
 * SharedArrayBuffer, each running one trial at a time. `evaluate` queues a trial for the next idle worker; `close`
 * terminates every worker at once (what a cancel does: the server stops within the time it takes to end threads,
 * not at the end of the running trials). A worker that dies fails its trial and the pool.
 */
import "server-only";
import os from "node:os";
import { Worker } from "node:worker_threads";
import type { BarSeries } from "@/lib/engine";
import type { TrialOutcome, TrialSetup } from "@/lib/optimize/strategy";
import type { Params } from "@/lib/optimize/space";
import type { OptimizeWorkerMessage, OptimizeWorkerRequest } from "./optimize-worker";
import { tsxBootstrap } from "./runner";

export function startWorker(): Worker {
  // As in ./runner.ts: Turbopack rewrites this exact expression inside Next; from source, tsx's loader starts it.
  if (process.env.NEXT_RUNTIME) return new Worker(new URL("./optimize-worker.ts", import.meta.url));
  return new Worker(tsxBootstrap(new URL("./optimize-worker.ts", import.meta.url).href));
}

/** Copies the series into one shared buffer (six float64 columns). */
export function shareSeries(s: BarSeries): SharedArrayBuffer {
  const n = s.length;
  const buf = new SharedArrayBuffer(6 * n * 8);
  [s.time, s.open, s.high, s.low, s.close, s.volume].forEach((c, k) => new Float64Array(buf, k * n * 8, n).set(c.subarray(0, n)));
  return buf;
}

export const defaultPoolSize = () => Math.max(1, os.availableParallelism());

interface Job {
  id: number;
  params: Params;
  resolve: (o: TrialOutcome) => void;
  reject: (e: Error) => void;
}

export class TrialPool {
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Job>();
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;
  private failure: Error | null = null;

  private constructor(private readonly workers: Worker[]) {}

  /** Starts `size` workers and hands each the candles; resolves once all are ready. */
  static async start(setup: TrialSetup, series: BarSeries, size = defaultPoolSize()): Promise<TrialPool> {
    const columns = shareSeries(series);
    const workers: Worker[] = [];
    try {
      for (let k = 0; k < size; k++) workers.push(startWorker());
      await Promise.all(
        workers.map(
          (w) =>
            new Promise<void>((resolve, reject) => {
              const onMessage = (m: OptimizeWorkerMessage) => {
                if (m.type !== "ready") return;
                w.off("message", onMessage);
                w.off("error", reject);
                w.postMessage({ type: "init", setup, columns, length: series.length } satisfies OptimizeWorkerRequest);
                resolve();
              };
              w.on("message", onMessage);
              w.once("error", reject);
            }),
        ),
      );
    } catch (e) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw new Error(`The optimisation workers could not start: ${e instanceof Error ? e.message : String(e)}`);
    }
    const pool = new TrialPool(workers);
    for (const w of workers) pool.attach(w);
    return pool;
  }

  get size(): number {
    return this.workers.length;
  }

  private attach(w: Worker): void {
    this.idle.push(w);
    w.on("message", (m: OptimizeWorkerMessage) => {
      const job = this.busy.get(w);
      if (!job || (m.type !== "result" && m.type !== "error") || m.id !== job.id) return;
      this.busy.delete(w);
      this.idle.push(w);
      if (m.type === "result") job.resolve(m.outcome);
      else job.reject(new Error(m.message));
      this.pump();
    });
    const die = (why: string) => {
      if (this.closed) return;
      this.failure ??= new Error(why);
      this.busy.get(w)?.reject(this.failure);
      this.busy.delete(w);
      void this.close();
    };
    w.on("error", (e) => die(`An optimisation worker failed: ${e.message}`));
    w.on("exit", (code) => die(`An optimisation worker stopped unexpectedly (exit code ${code})`));
  }

  evaluate(params: Params): Promise<TrialOutcome> {
    if (this.closed) return Promise.reject(this.failure ?? new Error("The optimisation was stopped"));
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, params, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const w = this.idle.pop()!;
      const job = this.queue.shift()!;
      this.busy.set(w, job);
      w.postMessage({ type: "trial", id: job.id, params: job.params } satisfies OptimizeWorkerRequest);
    }
  }

  /** Ends every worker; trials not finished are rejected. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const stopped = this.failure ?? new Error("The optimisation was stopped");
    for (const job of [...this.queue, ...this.busy.values()]) job.reject(stopped);
    this.queue.length = 0;
    this.busy.clear();
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
