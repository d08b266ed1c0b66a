/**
 * The backtest worker thread's entry (issue 19): receives one job, runs it (src/lib/lab), posts progress and the
 * result, and exits. It owns no I/O: the parent (./runner.ts) fetched the candles and writes the database.
 *
 * No `import "server-only"` here, unlike the rest of src/server: that package throws when loaded outside the React
 * Server Components condition, and a worker thread starts a plain Node context (under tsx in tests and dev scripts,
 * bundled by Turbopack in `next build`). It imports only pure code from src/lib, so nothing server-side can leak.
 */
import { parentPort } from "node:worker_threads";
import { runBacktestJob, type JobInput, type JobResult } from "@/lib/lab/job";

export type WorkerRequest = { type: "run"; input: JobInput };
export type WorkerMessage =
  | { type: "ready" }
  | { type: "progress"; done: number; total: number }
  | { type: "done"; result: JobResult }
  | { type: "error"; message: string };

const port = parentPort;
if (!port) throw new Error("The backtest worker must run in a worker thread");

port.on("message", (msg: WorkerRequest) => {
  if (msg?.type !== "run") return;
  try {
    const result = runBacktestJob(msg.input, (done, total) => port.postMessage({ type: "progress", done, total } satisfies WorkerMessage));
    port.postMessage({ type: "done", result } satisfies WorkerMessage);
  } catch (e) {
    port.postMessage({ type: "error", message: e instanceof Error ? e.message : String(e) } satisfies WorkerMessage);
  }
  port.close();
});
port.postMessage({ type: "ready" } satisfies WorkerMessage);
