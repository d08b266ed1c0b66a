/**
 * The optimisation worker thread's entry (issue 20): receives the candles once, in a SharedArrayBuffer every worker
 * of the pool reads (nothing is copied per trial), then runs trials — one backtest each, src/lib/optimize's
 * `runTrial` — as the pool sends them; or runs one whole walk-forward validation (its windows one after another),
 * posting progress after each window. Like ./worker.ts it owns no I/O and imports only pure code from src/lib (so
 * no `import "server-only"`, which throws outside the React Server Components condition).
 */
import { parentPort } from "node:worker_threads";
import { barSeries, type BarSeries } from "@/lib/engine";
import { runTrial, type TrialOutcome, type TrialSetup } from "@/lib/optimize/strategy";
import { runWalkForward, type WalkForwardInput, type WalkForwardResult } from "@/lib/optimize/walk-forward";
import type { Params } from "@/lib/optimize/space";

export type OptimizeWorkerRequest =
  | { type: "init"; setup: TrialSetup; columns: SharedArrayBuffer; length: number }
  | { type: "trial"; id: number; params: Params }
  | { type: "walk-forward"; input: Omit<WalkForwardInput, "series">; columns: SharedArrayBuffer; length: number };
export type OptimizeWorkerMessage =
  | { type: "ready" }
  | { type: "result"; id: number; outcome: TrialOutcome }
  | { type: "error"; id: number; message: string }
  | { type: "window"; done: number; total: number }
  | { type: "walk-forward-done"; result: WalkForwardResult };

/** The six columns (time, open, high, low, close, volume) one after another in one shared buffer. */
export function seriesFromShared(columns: SharedArrayBuffer, n: number): BarSeries {
  const col = (k: number) => new Float64Array(columns, k * n * 8, n);
  return barSeries({ length: n, time: col(0), open: col(1), high: col(2), low: col(3), close: col(4), volume: col(5) });
}

const port = parentPort;
if (!port) throw new Error("The optimisation worker must run in a worker thread");

let setup: TrialSetup | null = null;
let series: BarSeries | null = null;
port.on("message", (msg: OptimizeWorkerRequest) => {
  if (msg?.type === "init") {
    setup = msg.setup;
    series = seriesFromShared(msg.columns, msg.length);
    return;
  }
  if (msg?.type === "walk-forward") {
    try {
      const result = runWalkForward({ ...msg.input, series: seriesFromShared(msg.columns, msg.length) }, (_w, done, total) =>
        port.postMessage({ type: "window", done, total } satisfies OptimizeWorkerMessage),
      );
      port.postMessage({ type: "walk-forward-done", result } satisfies OptimizeWorkerMessage);
    } catch (e) {
      port.postMessage({ type: "error", id: 0, message: e instanceof Error ? e.message : String(e) } satisfies OptimizeWorkerMessage);
    }
    return;
  }
  if (msg?.type !== "trial") return;
  try {
    if (!setup || !series) throw new Error("trial before init");
    port.postMessage({ type: "result", id: msg.id, outcome: runTrial(setup, msg.params, series) } satisfies OptimizeWorkerMessage);
  } catch (e) {
    port.postMessage({ type: "error", id: msg.id, message: e instanceof Error ? e.message : String(e) } satisfies OptimizeWorkerMessage);
  }
});
port.postMessage({ type: "ready" } satisfies OptimizeWorkerMessage);
