/**
 * Inline runner: executes job descriptors inside this Node process when no Inngest server is configured, with its
 * state in the app database (./store.ts), so runs survive restarts and replicas share the work.
 *
 * It reproduces Inngest's execution model:
 * - A run is replayed on every attempt: `step.run` returns the recorded result of a step that succeeded before (keyed
 *   by step id; a repeated id gets Inngest's `id:1`, `id:2`), JSON round-tripped, so a completed step never runs again.
 *   A step interrupted mid-way (a crash before its result was recorded) runs again: steps are at-least-once.
 * - `step.sleep` / `step.sleepUntil` record their absolute wake time and end the attempt; the run is picked up when it
 *   is due, by whichever runner is polling (a 3-day sleep started before a restart wakes 3 days after it started).
 * - A failed attempt is retried `retries` times (Inngest's default 3) with exponential back-off, recorded as the
 *   run's wake time; `NonRetriableError` stops at once and `RetryAfterError` sets the delay.
 * - `sendEvent` deduplicates ids for 24 h; `step.sendEvent` gives its events ids derived from the run and step.
 * - Flow control declared on the job (concurrency with a key, throttle, debounce) is honoured (./store.ts).
 * - One runner at a time executes a run: claims take a lease (FOR UPDATE SKIP LOCKED); an expired lease (a crashed
 *   process) is taken over; a runner that lost its lease records nothing more.
 * - If a deploy changed a run's steps (a recorded step is never reached on replay and a new one would run), the run
 *   fails with an error naming them rather than risk repeating finished effects.
 *
 * Divergence: a handler that catches a step's error sees it on the first failure, where Inngest first retries the step.
 */
import "server-only";
import { hostname } from "node:os";
import { randomUUID } from "node:crypto";
import { durationToMs, NonRetriableError, RetryAfterError } from "inngest";
import { env } from "@/env";
import { getDatabase, type DatabaseHandle } from "@/server/db";
import { logger as rootLogger } from "@/server/logger";
import { evaluateKey, NO_FLOW_CONTROL, type FlowControl } from "../flow-control";
import type { CatalogueEvent, JobContext, JobDescriptor, JobEvent, JobLogger, JobStep, StepFn, StepResult } from "../types";
import {
  claimRuns,
  endAttempt,
  enqueueEvents,
  finishedRuns,
  fireCronTick,
  lastCronTick,
  loadSteps,
  markCronTick,
  nextWake,
  recordStep,
  renewLeases,
  type AttemptEnd,
  type ClaimedRun,
  type Lease,
  type NewRun,
  type RunOutcome,
  type StoredEvent,
  type StoredStep,
} from "./store";

export type RunResult =
  | { status: "completed"; jobId: string; runId: string; attempts: number; output: unknown }
  | { status: "failed"; jobId: string; runId: string; attempts: number; error: Error }
  | { status: "cancelled"; jobId: string; runId: string; attempts: number; error: Error };

export interface RunnerOptions {
  /** Jobs that `step.sendEvent` / `dispatchEvents` may trigger. Default: the registered list (`registerInlineJobs`). */
  jobs?: readonly JobDescriptor[];
  /** Delay before retry number `retry` (1-based). Default: 1 s, 2 s, 4 s... capped at 5 min. */
  backoffMs?: (retry: number) => number;
}

export const defaultBackoffMs = (retry: number): number => Math.min(1000 * 2 ** (retry - 1), 5 * 60_000);

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

function withId(event: JobEvent): StoredEvent {
  return { name: event.name, data: event.data ?? {}, id: event.id ?? randomUUID(), ts: event.ts ?? Date.now() };
}

function flowOf(job: JobDescriptor): FlowControl {
  return job.flow ?? NO_FLOW_CONTROL;
}

export function newRun(job: JobDescriptor, event: StoredEvent): NewRun {
  const flow = flowOf(job);
  return {
    jobId: job.id,
    event,
    flow,
    keys: {
      // "" for a job-wide limit: keys compare with `=` (an index can serve it), null only where the job has no limit.
      concurrency: flow.concurrency ? (evaluateKey(flow.concurrency.key, event) ?? "") : null,
      throttle: flow.throttle ? (evaluateKey(flow.throttle.key, event) ?? "") : null,
      debounce: flow.debounce ? (evaluateKey(flow.debounce.key, event) ?? "") : null,
    },
  };
}

/** Why an attempt stopped before its handler returned. */
type Interrupt =
  | { kind: "sleep"; wakeAt: Date }
  | { kind: "lost" }
  | { kind: "drain" }
  /** Recording a step failed (the database): hand the run back rather than report a failure the step did not have. */
  | { kind: "storage"; error: Error }
  | { kind: "changed"; error: Error };

/** How often runs held back by a concurrency limit are looked at again, besides when a local run finishes. */
const HELD_BACK_RECHECK_MS = 250;
/** Runs dispatched here that `waitForInlineRuns` waits for; beyond this many, the oldest are forgotten. */
const MAX_TRACKED = 10_000;
/**
 * A run asleep for longer than this is not work in flight: `idle()` (waitForInlineRuns) does not wait for it. An
 * onboarding sequence sleeps for days after every sign-up; waiting for it would hang every caller of `idle()`.
 */
const DORMANT_AFTER_MS = 60_000;

/**
 * A promise that does its work only once someone awaits it: `sendEvent`'s `completion` is rarely awaited outside
 * tests, and a waiter for every run (polled until it ends, days for a sleeping one) would cost for nothing.
 */
function lazy<T>(make: () => Promise<T>): Promise<T> {
  let made: Promise<T> | undefined;
  const get = () => (made ??= make());
  return {
    then: (onFulfilled, onRejected) => get().then(onFulfilled, onRejected),
    catch: (onRejected) => get().catch(onRejected),
    finally: (onFinally) => get().finally(onFinally),
    [Symbol.toStringTag]: "Promise",
  } as Promise<T>;
}

class Deferred<T> {
  promise: Promise<T>;
  resolve!: (value: T) => void;
  constructor() {
    this.promise = new Promise<T>((resolve) => (this.resolve = resolve));
  }
}

const never = <T>(): Promise<T> => new Promise<T>(() => {});

function checkedConcurrency(n: number): number {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`The inline runner's concurrency must be a whole number of at least 1, not ${n}`);
  return n;
}

export interface InlineRunnerConfig {
  /** The database; default: the process-wide one, resolved on every use (tests swap it). */
  database?: () => Promise<DatabaseHandle>;
  /** Lease length: a run whose runner stopped renewing it is taken over this long after. Default 30 s. */
  leaseMs?: number;
  /** Attempts executed at once by this runner. Default 8 (the process-wide runner: JOBS_MAX_CONCURRENT). */
  maxConcurrent?: number;
  /** Polling interval while started (`start()`), for work from other replicas and restarts. Default 1 s. */
  pollMs?: number;
  backoffMs?: (retry: number) => number;
  /** A name for the owner column (host:pid:random by default). */
  owner?: string;
}

interface Active {
  run: ClaimedRun;
  job: JobDescriptor;
  done: Promise<void>;
  interrupt: Deferred<Interrupt>;
}

export class InlineRunner {
  readonly owner: string;
  private readonly database: () => Promise<DatabaseHandle>;
  private readonly leaseMs: number;
  private maxConcurrent: number;
  private readonly pollMs: number;
  private readonly backoffMs: (retry: number) => number;
  /** Jobs this runner can execute, by id: the registered list plus jobs handed to `runJob`/`dispatch`. */
  private readonly jobs = new Map<string, JobDescriptor>();
  private registered: readonly JobDescriptor[] | null = null;
  /** Per-run options from the caller (tests: a back-off, the jobs its events trigger), dropped when the run ends. */
  private readonly runOptions = new Map<string, RunnerOptions>();
  private readonly waiters = new Map<string, Deferred<RunResult>>();
  /** Runs dispatched by this process and not yet seen to end (`idle()` waits for them). */
  private readonly tracked = new Set<string>();
  private readonly active = new Map<string, Active>();
  /** Runs of ours asleep beyond DORMANT_AFTER_MS; `dormantChanged` tells `idle()` that one more went to sleep. */
  private readonly dormant = new Set<string>();
  private dormantChanged = new Deferred<void>();
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Infinity;
  private heartbeat: NodeJS.Timeout | null = null;
  private pumping: Promise<void> | null = null;
  private pumpAgain = false;
  private started = false;
  private stopped = false;
  private draining = false;
  private failures = 0;

  constructor(config: InlineRunnerConfig = {}) {
    this.database = config.database ?? getDatabase;
    this.leaseMs = config.leaseMs ?? 30_000;
    this.maxConcurrent = checkedConcurrency(config.maxConcurrent ?? 8);
    this.pollMs = config.pollMs ?? 1000;
    this.backoffMs = config.backoffMs ?? defaultBackoffMs;
    this.owner = config.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  }

  /** How many attempts this runner executes at once. */
  concurrency(): number {
    return this.maxConcurrent;
  }

  /**
   * Changes how many attempts this runner executes at once (the bench sets the figure it measures). Attempts already
   * running above a lowered limit finish; more are claimed at once when it is raised.
   */
  setConcurrency(n: number): void {
    this.maxConcurrent = checkedConcurrency(n);
    if (this.interested()) this.wake();
  }

  /** The jobs events trigger (every job the app defines); the runner can also execute jobs handed to it directly. */
  register(jobs: readonly JobDescriptor[]): void {
    this.registered = jobs;
    for (const job of jobs) this.jobs.set(job.id, job);
  }

  registeredJobs(): readonly JobDescriptor[] | null {
    return this.registered;
  }

  private know(jobs: readonly JobDescriptor[]): void {
    for (const job of jobs) this.jobs.set(job.id, job);
  }

  private flowByJob(): Map<string, FlowControl> {
    return new Map([...this.jobs.values()].map((j) => [j.id, flowOf(j)]));
  }

  /** Polls on an interval from now on (server start-up), besides the wake-ups local work schedules. */
  start(): void {
    this.started = true;
    this.stopped = false;
    this.wake();
  }

  /** Started and not stopped: polling for due runs (`/api/ready` reports it). */
  get polling(): boolean {
    return this.started && !this.stopped;
  }

  /** Runs a claim pass now (after enqueueing, or when an admin retried a run). */
  wake(): void {
    this.schedule(0);
  }

  private schedule(inMs: number): void {
    if (this.stopped) return;
    if (inMs <= 0) {
      // At once, without a timer (tests with fake timers still see their runs start); passes coalesce in pump().
      queueMicrotask(() => void this.pump());
      return;
    }
    const at = Date.now() + Math.max(0, inMs);
    if (this.timer && at >= this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    // setTimeout overflows above 2^31-1 ms; a far wake-up is re-planned by the pass it triggers.
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timerAt = Infinity;
      void this.pump();
    }, Math.min(Math.max(0, inMs), 2_147_483_647));
    this.timer.unref();
  }

  /** One claim pass at a time; a wake-up during a pass runs another right after it. */
  private pump(): Promise<void> {
    if (this.pumping) {
      this.pumpAgain = true;
      return this.pumping;
    }
    this.pumping = (async () => {
      do {
        this.pumpAgain = false;
        await this.pass();
      } while (this.pumpAgain && !this.stopped);
    })().finally(() => {
      this.pumping = null;
    });
    return this.pumping;
  }

  private interested(): boolean {
    return this.started || this.waiters.size > 0 || this.active.size > 0;
  }

  private track(runIds: readonly string[]): void {
    for (const id of runIds) this.tracked.add(id);
    // Oldest first: a Set iterates in insertion order.
    for (const id of this.tracked) {
      if (this.tracked.size <= MAX_TRACKED) break;
      this.tracked.delete(id);
    }
  }

  private async pass(): Promise<void> {
    if (this.stopped) return;
    let handle: DatabaseHandle;
    try {
      handle = await this.database();
      let heldBack = 0;
      const free = this.maxConcurrent - this.active.size;
      if (!this.draining && free > 0) {
        const claim = await claimRuns(handle, { owner: this.owner, leaseMs: this.leaseMs, limit: free, flow: this.flowByJob() });
        heldBack = claim.heldBack;
        // A run of ours whose lease lapsed while we still execute it (a step that blocked the event loop past the
        // lease) comes back here: the claim renewed the lease; a second attempt must not start beside the first.
        for (const run of claim.claimed) if (!this.active.has(run.id)) this.execute(handle, run);
      }
      await this.settleWaiters(handle);
      this.failures = 0;
      if (!this.interested() || this.stopped) return;
      // Every slot busy: a finishing attempt wakes the runner; no need to look before (nor to poll in a tight loop).
      const saturated = this.active.size >= this.maxConcurrent;
      const next = saturated ? null : await nextWake(handle, [...this.jobs.keys()]);
      const waits = [
        next ? Math.max(next.getTime() - Date.now(), 5) : Infinity,
        this.started ? this.pollMs : Infinity,
        heldBack > 0 && !saturated ? HELD_BACK_RECHECK_MS : Infinity,
        this.waiters.size > 0 ? 1000 : Infinity,
      ];
      const wait = Math.min(...waits);
      if (Number.isFinite(wait)) this.schedule(wait);
    } catch (err) {
      // The database went away (a test closed it, PostgreSQL restarted): try again later, more slowly each time.
      this.failures += 1;
      if (this.failures <= 3) rootLogger.warn({ err, owner: this.owner }, "inline job runner could not poll; retrying");
      if (this.interested()) this.schedule(Math.min(1000 * 2 ** Math.min(this.failures, 5), 30_000));
    }
  }

  /** Resolves callers waiting for runs that ended here or elsewhere (another runner, an admin's cancel). */
  private async settleWaiters(handle: DatabaseHandle): Promise<void> {
    const ids = [...this.waiters.keys()].filter((id) => !this.active.has(id));
    if (ids.length === 0) return;
    for (const [id, outcome] of await finishedRuns(handle, ids)) this.settle(id, outcome);
  }

  private settle(runId: string, outcome: RunOutcome | null): void {
    const waiter = this.waiters.get(runId);
    this.runOptions.delete(runId);
    this.tracked.delete(runId);
    this.dormant.delete(runId);
    if (!waiter) return;
    this.waiters.delete(runId);
    const attempts = (outcome?.attempt ?? 0) + 1;
    const jobId = outcome?.jobId ?? "";
    if (!outcome) waiter.resolve({ status: "cancelled", jobId, runId, attempts, error: new Error("The run no longer exists") });
    else if (outcome.status === "completed") waiter.resolve({ status: "completed", jobId, runId, attempts, output: outcome.output });
    else if (outcome.status === "failed") waiter.resolve({ status: "failed", jobId, runId, attempts, error: new Error(outcome.lastError ?? "failed") });
    else waiter.resolve({ status: "cancelled", jobId, runId, attempts, error: new Error("The run was cancelled") });
  }

  /** Promise of a run's result, resolved when this runner sees it finish. */
  private await(runId: string): Promise<RunResult> {
    let waiter = this.waiters.get(runId);
    if (!waiter) {
      waiter = new Deferred<RunResult>();
      this.waiters.set(runId, waiter);
    }
    return waiter.promise;
  }

  /**
   * Records events and starts the runs of the jobs they trigger. `completion` settles when those runs have ended
   * (never rejects). A duplicate event id within 24 h starts nothing.
   */
  async dispatch(
    events: readonly JobEvent[],
    options: RunnerOptions = {},
  ): Promise<{ ids: string[]; completion: Promise<RunResult[]> }> {
    const jobs = options.jobs ?? this.registered;
    if (!jobs) throw new Error("The inline job runner has no jobs: call registerJobs() from src/server/jobs at start-up");
    this.know(jobs);
    const batch = events.map((raw) => {
      const event = withId(raw);
      const targets = jobsForEvent(jobs, event.name);
      if (targets.length === 0) rootLogger.debug({ event: event.name }, "inline event matched no job");
      return { event, deduplicate: raw.id !== undefined, runs: targets.map((job) => newRun(job, event)) };
    });
    const enqueued = await enqueueEvents(await this.database(), batch);
    const runIds = enqueued.flatMap((e) => e.runIds);
    for (const e of enqueued) if (!e.accepted) rootLogger.debug({ event: e.event.name, id: e.event.id }, "duplicate event id ignored");
    if (options.backoffMs || options.jobs) for (const id of runIds) this.runOptions.set(id, options);
    // A debounced run gathers several events: one waiter per run, made only if someone awaits the completion.
    const unique = [...new Set(runIds)];
    this.track(unique);
    const completion = lazy(() => {
      const all = Promise.all(unique.map((id) => this.await(id)));
      this.wake();
      return all;
    });
    if (runIds.length > 0) this.wake();
    return { ids: enqueued.map((e) => e.event.id), completion };
  }

  /** Starts one run of `job` for `event` (bypassing trigger matching) and resolves with its result; never rejects. */
  async run(job: JobDescriptor, event: JobEvent, options: RunnerOptions = {}): Promise<RunResult> {
    this.know([job]);
    const stored = withId(event);
    let runId: string | undefined;
    try {
      const [enqueued] = await enqueueEvents(await this.database(), [{ event: stored, deduplicate: event.id !== undefined, runs: [newRun(job, stored)] }]);
      runId = enqueued?.runIds[0];
    } catch (err) {
      rootLogger.error({ err, job: job.id }, "inline job run could not be recorded");
      return { status: "failed", jobId: job.id, runId: "", attempts: 0, error: toError(err) };
    }
    if (!runId) return { status: "cancelled", jobId: job.id, runId: "", attempts: 0, error: new Error(`Duplicate event id ${stored.id}`) };
    if (options.backoffMs || options.jobs) this.runOptions.set(runId, options);
    this.track([runId]);
    const result = this.await(runId);
    this.wake();
    return result;
  }

  /**
   * Fires a cron tick of `job`: one run per tick across every runner sharing the database. Resolves with the run's
   * result, or null when the tick had already fired (another replica, or a catch-up at start-up).
   */
  async fireCron(job: JobDescriptor, cron: string, tick: Date): Promise<RunResult | null> {
    this.know([job]);
    const event: StoredEvent = { name: "inngest/scheduled.timer", data: { cron }, id: `cron:${job.id}:${tick.toISOString()}`, ts: tick.getTime() };
    const runId = await fireCronTick(await this.database(), newRun(job, event), cron, tick);
    if (!runId) return null;
    const result = this.await(runId);
    this.wake();
    return result;
  }

  /** The last tick of a cron trigger that fired on this database; with `mark`, records it if none has yet. */
  async cronTick(job: JobDescriptor, cron: string, mark?: Date): Promise<Date | null> {
    const handle = await this.database();
    const last = await lastCronTick(handle, job.id, cron);
    if (last === null && mark) await markCronTick(handle, job.id, cron, mark);
    return last;
  }

  /** Waits for a run (created by anyone) to end; resolves with its result. */
  waitFor(runId: string): Promise<RunResult> {
    const result = this.await(runId);
    this.wake();
    return result;
  }

  /** Attempts executing in this runner now. */
  executing(): number {
    return this.active.size;
  }

  /** Runs this runner is executing, waiting for, or dispatched and has not seen end. */
  pending(): number {
    return new Set([...this.waiters.keys(), ...this.active.keys(), ...this.tracked].filter((id) => !this.dormant.has(id))).size;
  }

  /** Resolves once nothing this runner dispatched, waits for or executes is left, including work started meanwhile. */
  async idle(): Promise<void> {
    while (this.pending() > 0) {
      const waiting = [...this.tracked].filter((id) => !this.dormant.has(id)).map((id) => this.await(id));
      if (waiting.length > 0) this.wake();
      const waiters = [...this.waiters].filter(([id]) => !this.dormant.has(id)).map(([, w]) => w.promise);
      // A run going to sleep for long ends the wait for it: look again at what is left.
      await Promise.race([
        Promise.allSettled([...waiting, ...waiters, ...[...this.active.values()].map((a) => a.done)]),
        this.dormantChanged.promise,
      ]);
    }
  }

  /**
   * Graceful stop (SIGTERM): claim nothing more, let running steps finish, hand each unfinished run back (queued, so
   * another replica continues it at once), within `graceMs`. Attempts still running after it keep their lease, which
   * expires as a crashed process's would.
   */
  async drain(graceMs: number): Promise<void> {
    this.draining = true;
    // A claim in progress adds attempts: let it finish so they are drained too.
    await this.pumping?.catch(() => undefined);
    for (const a of this.active.values()) a.interrupt.resolve({ kind: "drain" });
    const all = Promise.allSettled([...this.active.values()].map((a) => a.done));
    let timeout: NodeJS.Timeout | undefined;
    await Promise.race([all, new Promise<void>((resolve) => (timeout = setTimeout(resolve, graceMs)))]);
    clearTimeout(timeout);
    this.stop();
  }

  /**
   * Stops at once, as a process exit would: no more claims or writes from this runner (attempts in progress are
   * abandoned and their leases left to expire). For tests of crash recovery, and after `drain`.
   */
  stop(): void {
    this.stopped = true;
    this.started = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = Infinity;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    for (const a of this.active.values()) a.interrupt.resolve({ kind: "lost" });
  }

  isStopped(): boolean {
    return this.stopped;
  }

  private startHeartbeat(): void {
    if (this.heartbeat) return;
    this.heartbeat = setInterval(() => void this.renew(), Math.max(50, Math.floor(this.leaseMs / 3)));
    this.heartbeat.unref();
  }

  private async renew(): Promise<void> {
    if (this.active.size === 0) {
      if (this.heartbeat) clearInterval(this.heartbeat);
      this.heartbeat = null;
      return;
    }
    try {
      const ids = [...this.active.keys()];
      const held = await renewLeases(await this.database(), this.owner, ids, this.leaseMs);
      for (const id of ids) if (!held.has(id)) this.active.get(id)?.interrupt.resolve({ kind: "lost" });
    } catch (err) {
      rootLogger.warn({ err, owner: this.owner }, "inline job runner could not renew its leases");
    }
  }

  private execute(handle: DatabaseHandle, run: ClaimedRun): void {
    const job = this.jobs.get(run.jobId);
    if (!job) return; // claimRuns only claims known jobs
    this.dormant.delete(run.id);
    const interrupt = new Deferred<Interrupt>();
    const entry: Active = { run, job, interrupt, done: Promise.resolve() };
    entry.done = this.attempt(handle, entry)
      .catch((err: unknown) => rootLogger.error({ err, runId: run.id, job: run.jobId }, "inline job attempt crashed the runner"))
      .finally(() => {
        this.active.delete(run.id);
        // A slot is free (and a concurrency key may be): look for more work.
        this.wake();
      });
    this.active.set(run.id, entry);
    this.startHeartbeat();
  }

  private async attempt(handle: DatabaseHandle, entry: Active): Promise<void> {
    const { run, job, interrupt } = entry;
    const lease: Lease = { runId: run.id, owner: this.owner, leaseMs: this.leaseMs };
    const log = rootLogger.child({ job: job.id, runId: run.id, attempt: run.attempt });
    const recorded = await loadSteps(handle, run.id);
    const tools = new StepTools(this, handle, lease, run, recorded, interrupt, job);
    const ctx: JobContext = {
      event: run.event as JobEvent,
      events: [run.event as JobEvent],
      runId: run.id,
      attempt: run.attempt,
      logger: log as JobLogger,
      step: tools.api(),
    };
    if (run.attempt === 0 && recorded.size === 0) log.debug({ event: run.event.name }, "inline job started");
    const started = Date.now();
    const handled = Promise.resolve()
      .then(() => job.handler(ctx))
      // Inside the chain: an output JSON cannot hold (a BigInt, a cycle) fails the attempt like a throw would.
      .then((output) => jsonRoundTrip(output))
      .then(
        (output) => ({ ok: true as const, output }),
        (error: unknown) => ({ ok: false as const, error }),
      );
    const outcome = await Promise.race([handled, interrupt.promise.then((reason) => ({ interrupted: reason }))]);
    // The attempt is over: a branch still pending (a Promise.all that rejected) starts no further step.
    tools.close();
    if ("interrupted" in outcome) {
      // Steps already executing finish and record their results before the attempt hands the run back.
      await tools.settled();
      await this.interrupted(handle, lease, run, outcome.interrupted, log);
      return;
    }
    await tools.settled();
    if (this.stopped) return; // the process "exited": nothing more is written
    let end: AttemptEnd;
    if (outcome.ok) {
      end = { status: "completed", output: outcome.output };
      log.info({ attempts: run.attempt + 1, ms: Date.now() - started }, "inline job completed");
    } else {
      const error = toError(outcome.error);
      // By name as well: a second copy of the inngest package (another bundle) has its own class.
      const retriable = !(outcome.error instanceof NonRetriableError || error.name === "NonRetriableError");
      if (!retriable || run.attempt >= job.retries) {
        end = { status: "failed", error: error.message || error.name };
        log.error({ err: error, attempts: run.attempt + 1, event: run.event.name }, "inline job failed");
      } else {
        const next = run.attempt + 1;
        const backoff = this.runOptions.get(run.id)?.backoffMs ?? this.backoffMs;
        const wait = (outcome.error instanceof RetryAfterError ? retryAfterMs(outcome.error) : undefined) ?? backoff(next);
        end = { status: "retrying", error: error.message || error.name, attempt: next, wakeAt: new Date(Date.now() + run.clockOffsetMs + wait) };
        log.warn({ err: error, retryInMs: wait }, "inline job attempt failed; retrying");
      }
    }
    try {
      await this.finish(handle, lease, run, end);
    } catch (err) {
      // The result could not be stored. A transient database error leaves the run to its lease (taken over, replayed);
      // one that is not (a value PostgreSQL refuses) must not replay forever: fail the run with the reason.
      log.error({ err }, "inline job result could not be stored");
      await this.finish(handle, lease, run, { status: "failed", error: `The run's result could not be stored: ${toError(err).message}` }).catch(
        () => undefined,
      );
    }
  }

  private async interrupted(handle: DatabaseHandle, lease: Lease, run: ClaimedRun, reason: Interrupt, log: JobLogger): Promise<void> {
    if (reason.kind === "lost") {
      if (!this.stopped) log.warn({ owner: this.owner }, "inline job run taken over by another runner; this attempt stops");
      return;
    }
    if (reason.kind === "sleep") await this.finish(handle, lease, run, { status: "sleeping", wakeAt: reason.wakeAt });
    else if (reason.kind === "drain") await this.finish(handle, lease, run, { status: "queued" });
    else if (reason.kind === "storage") {
      log.warn({ err: reason.error }, "inline job step result could not be recorded; the run is handed back");
      // Best effort: if the database is still away, the lease runs out and the run is taken over.
      await this.finish(handle, lease, run, { status: "queued" }).catch(() => undefined);
    }
    else {
      log.error({ err: reason.error }, "inline job failed: its steps changed since the run recorded them");
      await this.finish(handle, lease, run, { status: "failed", error: reason.error.message });
    }
  }

  private async finish(handle: DatabaseHandle, lease: Lease, run: ClaimedRun, end: AttemptEnd): Promise<void> {
    if (this.stopped) return;
    const written = await endAttempt(handle, lease, run.attempt, end);
    if (!written) return;
    this.active.delete(run.id);
    if (end.status === "completed") this.settle(run.id, { id: run.id, jobId: run.jobId, status: "completed", attempt: run.attempt, output: end.output, lastError: null });
    else if (end.status === "failed") this.settle(run.id, { id: run.id, jobId: run.jobId, status: "failed", attempt: run.attempt, output: null, lastError: end.error });
    else if (end.status === "retrying" || end.status === "sleeping") {
      const inMs = end.wakeAt.getTime() - run.clockOffsetMs - Date.now();
      if (end.status === "sleeping" && inMs > DORMANT_AFTER_MS) {
        this.dormant.add(run.id);
        const changed = this.dormantChanged;
        this.dormantChanged = new Deferred<void>();
        changed.resolve();
      }
      this.schedule(inMs);
    }
  }

  /** Step tools' hooks into the runner. */
  isDraining(): boolean {
    return this.draining;
  }

  async sendFromStep(runId: string, events: readonly JobEvent[]): Promise<{ ids: string[] }> {
    const { jobs } = this.runOptions.get(runId) ?? {};
    const { ids } = await this.dispatch(events, jobs ? { jobs } : {});
    return { ids };
  }
}

/** The step tools of one attempt: replay recorded steps, execute new ones under the lease, interrupt on sleeps. */
class StepTools {
  private readonly seen = new Map<string, number>();
  private readonly visited = new Set<string>();
  private readonly running = new Set<Promise<unknown>>();
  private stoppedBy: Interrupt | null = null;
  private closed = false;

  constructor(
    private readonly runner: InlineRunner,
    private readonly handle: DatabaseHandle,
    private readonly lease: Lease,
    private readonly run: ClaimedRun,
    private readonly recorded: Map<string, StoredStep>,
    private readonly interrupt: Deferred<Interrupt>,
    private readonly job: JobDescriptor,
  ) {
    void interrupt.promise.then((reason) => (this.stoppedBy ??= reason));
  }

  /** The database's clock, which decides when a sleeping run is due. */
  private now(): number {
    return Date.now() + this.run.clockOffsetMs;
  }

  /** The attempt ended: steps called from now on (a branch still pending) never start. */
  close(): void {
    this.closed = true;
  }

  private halted(): boolean {
    return this.closed || this.stoppedBy !== null || this.runner.isStopped();
  }

  /** Resolves when the steps executing now have finished (and recorded their results). */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  // Synchronous up to the first await, so concurrent steps (Promise.all) get their keys in call order.
  private keyFor(id: string): string {
    const n = this.seen.get(id) ?? 0;
    this.seen.set(id, n + 1);
    return n === 0 ? id : `${id}:${n}`;
  }

  private stop(reason: Interrupt): Promise<never> {
    this.stoppedBy ??= reason;
    this.interrupt.resolve(reason);
    return never();
  }

  /** A step that completed (or slept) in an earlier attempt; steps recorded as failed run again. */
  private completed(key: string): StoredStep | undefined {
    const step = this.recorded.get(key);
    return step && step.kind !== "failed" ? step : undefined;
  }

  /**
   * Before a new step executes during a replay: every completed step must have been reached. One that was not means
   * the code changed under the run (a renamed or removed step); running the new one could repeat finished effects.
   * A step that failed before (its error was caught, the handler went another way) is not new.
   */
  private async checkReplay(key: string): Promise<Error | null> {
    if (this.recorded.has(key)) return null;
    const unvisited = () => [...this.recorded.values()].filter((s) => s.kind !== "failed" && !this.visited.has(s.key)).map((s) => s.key);
    if (unvisited().length === 0) return null;
    // Let steps started in the same tick as this one (Promise.all) be visited first.
    await new Promise((resolve) => setImmediate(resolve));
    const missing = unvisited();
    if (missing.length === 0) return null;
    return new NonRetriableError(
      `The steps of job "${this.job.id}" changed since this run recorded them: recorded step(s) ${missing.map((k) => `"${k}"`).join(", ")} ` +
        `were not reached and step "${key}" is new. The run stopped so as not to repeat finished effects; cancel it or deploy code with the old step ids.`,
    );
  }

  /** Records a step's outcome under the lease; false when the run is no longer ours. Database errors interrupt. */
  private async record(key: string, kind: StoredStep["kind"], output: unknown, wakeAt?: Date): Promise<boolean | "error"> {
    try {
      return await recordStep(this.handle, this.lease, { key, kind, output, wakeAt, attempt: this.run.attempt });
    } catch (err) {
      this.stoppedBy ??= { kind: "storage", error: toError(err) };
      this.interrupt.resolve(this.stoppedBy);
      return "error";
    }
  }

  private async execute<T>(key: string, kind: StoredStep["kind"], work: () => Promise<T>): Promise<T> {
    if (this.halted()) return never();
    const changed = await this.checkReplay(key);
    if (changed) return this.stop({ kind: "changed", error: changed });
    if (this.runner.isDraining()) return this.stop({ kind: "drain" });
    if (this.halted()) return never();
    const task = (async (): Promise<{ lost: true } | { lost: false; value: T } | { lost: false; error: unknown }> => {
      let value: T;
      try {
        value = await work();
      } catch (error) {
        // Recorded as failed (not replayed): the replay check then knows the key if the handler caught the error.
        if (this.stoppedBy?.kind === "lost" || this.runner.isStopped()) return { lost: true };
        const ok = await this.record(key, "failed", { error: toError(error).message });
        return ok === true ? { lost: false, error } : { lost: true };
      }
      if (this.stoppedBy?.kind === "lost" || this.runner.isStopped()) return { lost: true };
      const ok = await this.record(key, kind, value);
      return ok === true ? { lost: false, value } : { lost: true };
    })();
    this.running.add(task);
    try {
      const result = await task;
      if (result.lost) return this.stoppedBy ? never() : this.stop({ kind: "lost" });
      if ("error" in result) throw result.error;
      return result.value;
    } finally {
      this.running.delete(task);
    }
  }

  private sleepStep(id: string, wakeAt: () => number): Promise<void> {
    const key = this.keyFor(id);
    const step = this.completed(key);
    if (step) {
      this.visited.add(key);
      const at = step.wakeAt?.getTime() ?? 0;
      return at <= this.now() ? Promise.resolve() : this.stop({ kind: "sleep", wakeAt: new Date(at) });
    }
    return (async () => {
      if (this.halted()) return never<void>();
      const at = wakeAt();
      const changed = await this.checkReplay(key);
      if (changed) return this.stop({ kind: "changed", error: changed });
      // A sleep already over (sleepUntil in the past) is a no-op, as in Inngest.
      if (at <= this.now()) return;
      if (this.halted()) return never<void>();
      const ok = await this.record(key, "sleep", null, new Date(at));
      if (ok === "error") return never<void>();
      return this.stop(ok ? { kind: "sleep", wakeAt: new Date(at) } : { kind: "lost" });
    })();
  }

  private replayOr<T>(id: string, kind: StoredStep["kind"], work: (key: string) => Promise<T>): Promise<T> {
    const key = this.keyFor(id);
    const step = this.completed(key);
    if (step) {
      this.visited.add(key);
      return Promise.resolve(step.output as T);
    }
    return this.execute(key, kind, () => work(key));
  }

  api(): JobStep {
    return {
      run: <TFn extends StepFn>(id: string, fn: TFn, ...input: Parameters<TFn>) =>
        this.replayOr(id, "run", async () => jsonRoundTrip(await fn(...input)) as StepResult<TFn>),
      sendEvent: (id: string, payload: CatalogueEvent | CatalogueEvent[]) =>
        this.replayOr(id, "send_event", async (key) => {
          const list = Array.isArray(payload) ? payload : [payload];
          // Ids derived from the run and step: a step re-run after a crash sends the same events, deduplicated.
          const events = list.map((e, i) => ({ ...e, id: e.id ?? `${this.run.id}:${key}:${i}` }));
          return this.runner.sendFromStep(this.run.id, events);
        }),
      sleep: (id: string, duration: number | string) => {
        const ms = durationToMs(duration, { name: `step.sleep("${id}")` });
        return this.sleepStep(id, () => this.now() + ms);
      },
      sleepUntil: (id: string, until: Date | string) => {
        const at = until instanceof Date ? until.getTime() : Date.parse(until);
        if (Number.isNaN(at)) return Promise.reject(new Error(`step.sleepUntil("${id}"): invalid date ${String(until)}`));
        return this.sleepStep(id, () => at);
      },
    };
  }
}

// One runner per process, on globalThis: start-up registers the jobs from the instrumentation bundle, and events are
// sent from every route bundle's copy of this module (the inline scheduler's state lives there for the same reason).
// The job list is handed to the runner rather than imported by it: the jobs import the services, which send events
// through ../events and so through this module, and importing the list here would close that loop.
const g = globalThis as unknown as { __tradsyInlineRunner?: InlineRunner };

/**
 * JOBS_MAX_CONCURRENT, else by database: PostgreSQL's pool serves 50 attempts at once (1,000 connections' orders
 * at 50 ms each, bench/copy-live.ts); the embedded database's single connection does not (100 connections' faulty
 * orders took over 4 minutes at 50, 19 s at 8: services/copy/live-faults.test.ts).
 */
export function processConcurrency(): number {
  return env.JOBS_MAX_CONCURRENT ?? (env.DATABASE_URL ? 50 : 8);
}

export function inlineRunner(): InlineRunner {
  return (g.__tradsyInlineRunner ??= new InlineRunner({ leaseMs: env.JOBS_LEASE_MS, pollMs: env.JOBS_POLL_MS, maxConcurrent: processConcurrency() }));
}

/**
 * Sets the jobs that events sent in this process trigger: `registerJobs()` in ../index.ts, called by the server's
 * start-up (src/server/startup.ts), the test database helper and scripts that send events.
 */
export function registerInlineJobs(jobs: readonly JobDescriptor[]): void {
  inlineRunner().register(jobs);
}

/** Starts polling the database for due runs (server start-up in inline mode). */
export function startInlineRunner(): void {
  inlineRunner().start();
}

/**
 * On SIGTERM (and SIGINT), stop claiming, let running steps finish within `graceMs`, hand unfinished runs back, and
 * exit. Next.js exits on these signals itself unless NEXT_MANUAL_SIG_HANDLE is set (`npm start` sets it).
 */
export function drainInlineRunnerOnSignals(graceMs: number): void {
  const flags = globalThis as unknown as { __tradsyDrainHooked?: boolean };
  if (flags.__tradsyDrainHooked) return;
  flags.__tradsyDrainHooked = true;
  const onSignal = (signal: NodeJS.Signals) => {
    rootLogger.info({ signal, graceMs }, "stopping: inline job runner hands back its runs");
    void inlineRunner()
      .drain(graceMs)
      .catch((err: unknown) => rootLogger.error({ err }, "inline job runner did not drain"))
      .finally(() => process.exit(signal === "SIGTERM" ? 143 : 130));
  };
  process.once("SIGTERM", onSignal);
  process.once("SIGINT", onSignal);
}

/** Asks the runner to look for due runs now (e.g. after an admin's "retry now"). */
export function wakeInlineRunner(): void {
  inlineRunner().wake();
}

/** Resolves once no inline run started or awaited in this process is in progress, including runs started meanwhile. */
export async function waitForInlineRuns(): Promise<void> {
  await inlineRunner().idle();
}

export function inlineRunsInFlight(): number {
  return inlineRunner().pending();
}

/** Runs one job for one event to completion (including retries). Never rejects: failures are in the result. */
export function runJob(job: JobDescriptor, event: JobEvent, options: RunnerOptions = {}): Promise<RunResult> {
  return inlineRunner().run(job, event, options);
}

/**
 * Starts a run of every job triggered by each event, without waiting for them: `completion` settles when they
 * have all finished (it never rejects).
 */
export function dispatchEvents(
  events: readonly JobEvent[],
  options: RunnerOptions = {},
): Promise<{ ids: string[]; completion: Promise<RunResult[]> }> {
  return inlineRunner().dispatch(events, options);
}
