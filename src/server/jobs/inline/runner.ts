/**
 * Inline runner: executes job descriptors inside this Node process when no Inngest server is configured.
 *
 * It reproduces the parts of Inngest's execution model that jobs rely on:
 * - `step.run` results are recorded per run and step id (repeated ids get Inngest's `id:1`, `id:2` suffixes) and
 *   JSON round-tripped, so a retry skips the steps that already succeeded and sees the same values.
 * - a failed attempt is retried `retries` times (Inngest's default 3) with exponential backoff; `NonRetriableError`
 *   stops at once and `RetryAfterError` sets the delay.
 * - `step.sendEvent` dispatches to event-triggered jobs; `step.sleep` / `step.sleepUntil` wait on real timers.
 *
 * Not reproduced (documented limits of inline mode): durability across restarts (a sleeping or retrying run is
 * lost when the process exits), flow control options, event deduplication, batching. One divergence: a handler
 * that catches a step's error sees it on the first failure, where Inngest first retries the step.
 */
import "server-only";
import { randomUUID } from "node:crypto";
import { durationToMs, NonRetriableError, RetryAfterError } from "inngest";
import { logger as rootLogger } from "@/server/logger";
import type { CatalogueEvent, JobContext, JobDescriptor, JobEvent, JobStep, StepFn, StepResult } from "../types";

export type RunResult =
  | { status: "completed"; jobId: string; runId: string; attempts: number; output: unknown }
  | { status: "failed"; jobId: string; runId: string; attempts: number; error: Error };

export interface RunnerOptions {
  /** Jobs that `step.sendEvent` / `dispatchEvents` may trigger. Default: the registered list (`registerInlineJobs`). */
  jobs?: readonly JobDescriptor[];
  /** Delay before retry number `retry` (1-based). Default: 1 s, 2 s, 4 s... capped at 5 min. */
  backoffMs?: (retry: number) => number;
}

export const defaultBackoffMs = (retry: number): number => Math.min(1000 * 2 ** (retry - 1), 5 * 60_000);

// setTimeout overflows (fires immediately) above 2^31-1 ms, about 24.8 days; longer sleeps wait in chunks.
const MAX_TIMER_MS = 2_147_483_647;

async function delay(ms: number): Promise<void> {
  let remaining = Math.max(0, ms);
  do {
    const chunk = Math.min(remaining, MAX_TIMER_MS);
    await new Promise<void>((resolve) => setTimeout(resolve, chunk));
    remaining -= chunk;
  } while (remaining > 0);
}

/** The serialisation Inngest applies to step results: Date -> ISO string, undefined -> null, functions dropped. */
function jsonRoundTrip(value: unknown): unknown {
  const text = JSON.stringify(value);
  return text === undefined ? null : (JSON.parse(text) as unknown);
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(typeof error === "string" ? error : JSON.stringify(error));
}

/** Milliseconds to wait from a RetryAfterError: Inngest stores whole seconds or an RFC 3339 date. */
function retryAfterMs(error: RetryAfterError): number | undefined {
  if (/^\d+$/.test(error.retryAfter)) return Number(error.retryAfter) * 1000;
  const at = Date.parse(error.retryAfter);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

export function jobsForEvent(jobs: readonly JobDescriptor[], name: string): JobDescriptor[] {
  return jobs.filter((job) => job.triggers.some((t) => "event" in t && t.event === name));
}

// Every run started here, so tests and shutdown code can wait for background work to finish.
const inFlight = new Set<Promise<RunResult>>();

/** Resolves once no inline run is in progress, including runs started while waiting. */
export async function waitForInlineRuns(): Promise<void> {
  while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
}

export function inlineRunsInFlight(): number {
  return inFlight.size;
}

function withId<T extends JobEvent>(event: T): T & { id: string; ts: number } {
  return { ...event, id: event.id ?? randomUUID(), ts: event.ts ?? Date.now() };
}

/** Runs one job for one event to completion (including retries). Never rejects: failures are in the result. */
export function runJob(job: JobDescriptor, event: JobEvent, options: RunnerOptions = {}): Promise<RunResult> {
  const run = executeRun(job, withId(event), options);
  inFlight.add(run);
  void run.finally(() => inFlight.delete(run));
  return run;
}

async function executeRun(job: JobDescriptor, event: JobEvent, options: RunnerOptions): Promise<RunResult> {
  const runId = randomUUID();
  const backoffMs = options.backoffMs ?? defaultBackoffMs;
  // INVARIANT: outlives attempts; holds only steps that succeeded, so a retry resumes after them.
  const completedSteps = new Map<string, unknown>();
  const started = Date.now();
  let attempt = 0;
  for (;;) {
    const log = rootLogger.child({ job: job.id, runId, attempt });
    const ctx: JobContext = {
      event,
      events: [event],
      runId,
      attempt,
      logger: log,
      step: createStepTools(completedSteps, options),
    };
    try {
      if (attempt === 0) log.debug({ event: event.name }, "inline job started");
      const output = jsonRoundTrip(await job.handler(ctx));
      log.info({ attempts: attempt + 1, ms: Date.now() - started }, "inline job completed");
      return { status: "completed", jobId: job.id, runId, attempts: attempt + 1, output };
    } catch (caught) {
      const error = toError(caught);
      // By name as well: a second copy of the inngest package (another bundle) has its own class.
      const retriable = !(caught instanceof NonRetriableError || error.name === "NonRetriableError");
      if (!retriable || attempt >= job.retries) {
        log.error({ err: error, attempts: attempt + 1, event: event.name }, "inline job failed");
        return { status: "failed", jobId: job.id, runId, attempts: attempt + 1, error };
      }
      attempt += 1;
      const wait = (error instanceof RetryAfterError ? retryAfterMs(error) : undefined) ?? backoffMs(attempt);
      log.warn({ err: error, retryInMs: wait }, "inline job attempt failed; retrying");
      await delay(wait);
    }
  }
}

function createStepTools(completedSteps: Map<string, unknown>, options: RunnerOptions): JobStep {
  // Reset per attempt: the n-th use of an id in an attempt maps to the same key in every attempt.
  const seen = new Map<string, number>();
  const keyFor = (id: string): string => {
    const n = seen.get(id) ?? 0;
    seen.set(id, n + 1);
    return n === 0 ? id : `${id}:${n}`;
  };
  // Synchronous up to the first await, so concurrent steps (Promise.all) get their keys in call order.
  const recorded = async <T>(id: string, execute: () => Promise<T>): Promise<T> => {
    const key = keyFor(id);
    if (completedSteps.has(key)) return completedSteps.get(key) as T;
    const value = await execute();
    completedSteps.set(key, value);
    return value;
  };

  return {
    run: <TFn extends StepFn>(id: string, fn: TFn, ...input: Parameters<TFn>) =>
      recorded(id, async () => jsonRoundTrip(await fn(...input)) as StepResult<TFn>),
    sendEvent: (id: string, payload: CatalogueEvent | CatalogueEvent[]) =>
      recorded(id, async () => {
        const { ids } = await dispatchEvents(Array.isArray(payload) ? payload : [payload], options);
        return { ids };
      }),
    sleep: (id: string, duration: number | string) =>
      recorded(id, () => delay(durationToMs(duration, { name: `step.sleep("${id}")` }))),
    sleepUntil: (id: string, until: Date | string) =>
      recorded(id, () => {
        const at = until instanceof Date ? until.getTime() : Date.parse(until);
        if (Number.isNaN(at)) throw new Error(`step.sleepUntil("${id}"): invalid date ${String(until)}`);
        return delay(at - Date.now());
      }),
  };
}

// The job list is handed to the runner rather than imported by it: the jobs import the services, which send events
// through ../events and so through this module, and importing the list here would close that loop. On globalThis:
// start-up registers it from the instrumentation bundle, and events are sent from every route bundle's copy of this
// module (the inline scheduler's state lives there for the same reason).
const registry = globalThis as unknown as { __tradsyInlineJobs?: readonly JobDescriptor[] };

/**
 * Sets the jobs that events sent in this process trigger: `registerJobs()` in ../index.ts, called by the server's
 * start-up (src/server/startup.ts), the test database helper and scripts that send events.
 */
export function registerInlineJobs(jobs: readonly JobDescriptor[]): void {
  registry.__tradsyInlineJobs = jobs;
}

function registeredJobs(): readonly JobDescriptor[] {
  const jobs = registry.__tradsyInlineJobs;
  if (!jobs) throw new Error("The inline job runner has no jobs: call registerJobs() from src/server/jobs at start-up");
  return jobs;
}

/**
 * Starts a run of every job triggered by each event, without waiting for them: `completion` settles when they
 * have all finished (it never rejects).
 */
export async function dispatchEvents(
  events: readonly JobEvent[],
  options: RunnerOptions = {},
): Promise<{ ids: string[]; completion: Promise<RunResult[]> }> {
  const jobs = options.jobs ?? registeredJobs();
  const ids: string[] = [];
  const runs: Promise<RunResult>[] = [];
  for (const raw of events) {
    const event = withId(raw);
    ids.push(event.id);
    const targets = jobsForEvent(jobs, event.name);
    if (targets.length === 0) rootLogger.debug({ event: event.name }, "inline event matched no job");
    for (const job of targets) runs.push(runJob(job, event, options));
  }
  return { ids, completion: Promise.all(runs) };
}
