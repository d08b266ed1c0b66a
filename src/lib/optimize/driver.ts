/**
 * Runs a search to its budget with up to `concurrency` trials in flight (issue 20): asks the search for a point,
 * hands it to `evaluate` (a worker thread in the app, a direct call in tests), tells the search the value when it
 * comes back, and reports each finished trial in the order they finish. Stops when the budget is spent, the search
 * has nothing left to ask, or `signal` aborts — then it waits for nothing: trials still in flight are abandoned and
 * their results ignored, so a cancel returns at once.
 */
import type { Search } from "./search";
import type { Params } from "./space";

export interface DriverOptions<R extends { value: number | null }> {
  search: Search;
  evaluate: (params: Params) => Promise<R>;
  /** Trials to run (including any already told to the search when resuming, counted by `alreadyDone`). */
  budget: number;
  alreadyDone?: number;
  concurrency: number;
  signal?: AbortSignal;
  onTrial?: (params: Params, result: R, index: number) => void | Promise<void>;
}

export interface DriverSummary {
  done: number;
  stopped: "budget" | "exhausted" | "cancelled";
}

export async function drive<R extends { value: number | null }>(o: DriverOptions<R>): Promise<DriverSummary> {
  let done = o.alreadyDone ?? 0;
  let started = done;
  let exhausted = false;
  const cancelled = () => o.signal?.aborted === true;
  const inFlight = new Set<Promise<void>>();
  let failure: unknown = null;

  const startOne = (): boolean => {
    if (started >= o.budget || exhausted || cancelled()) return false;
    const params = o.search.ask();
    if (!params) {
      exhausted = true;
      return false;
    }
    started++;
    const p: Promise<void> = o
      .evaluate(params)
      .then(async (result) => {
        if (cancelled()) return;
        o.search.tell(params, result.value);
        await o.onTrial?.(params, result, done++);
      })
      .catch((e: unknown) => {
        failure ??= e;
      })
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
    return true;
  };

  const abort = new Promise<void>((resolve) => {
    if (cancelled()) resolve();
    o.signal?.addEventListener("abort", () => resolve(), { once: true });
  });
  for (;;) {
    while (inFlight.size < o.concurrency && failure === null && startOne());
    if (failure !== null) throw failure;
    if (inFlight.size === 0 || cancelled()) break;
    await Promise.race([...inFlight, abort]);
  }
  if (failure !== null) throw failure;
  return { done, stopped: cancelled() ? "cancelled" : exhausted ? "exhausted" : "budget" };
}
