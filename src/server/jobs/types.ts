/**
 * The contract between job handlers and the two runtimes that execute them (Inngest and the inline runner).
 *
 * Handlers see only `JobContext`: the part of Inngest's context the inline runner reproduces faithfully. Anything
 * else Inngest offers (waitForEvent, invoke, AI steps) is deliberately absent from the type, so a job
 * that type-checks runs the same in both modes. `define.ts` checks at compile time that Inngest's real step tools
 * still satisfy `JobStep`.
 */
import "server-only";
import type { Jsonify } from "inngest/types";
import type { JobEvents } from "./events";
import type { FlowControl } from "./flow-control";

export type JobEventName = keyof JobEvents & string;

export interface JobEvent<TName extends string = string, TData = Record<string, unknown>> {
  name: TName;
  data: TData;
  /** Both runtimes deduplicate events sharing an id for 24 h: the second one starts nothing. */
  id?: string;
  ts?: number;
}

/** The event Inngest (and the inline scheduler) delivers to cron-triggered runs. */
export type ScheduledTimerEvent = JobEvent<"inngest/scheduled.timer", { cron: string }>;

/** Any event from the catalogue in ./events.ts, with its data typed. */
export type CatalogueEvent = { [K in JobEventName]: JobEvent<K, JobEvents[K]> }[JobEventName];

/**
 * What `step.run(id, fn)` resolves to after the JSON round-trip both runtimes apply (Date -> string,
 * undefined -> null). Spelled exactly as Inngest spells it, so its step tools stay assignable to `JobStep`.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- mirrors Inngest's signature
export type StepFn = (...args: any[]) => unknown;
export type StepResult<TFn extends StepFn> = Jsonify<
  TFn extends (...args: Parameters<TFn>) => Promise<infer U>
    ? Awaited<U extends void ? null : U>
    : ReturnType<TFn> extends void
      ? null
      : ReturnType<TFn>
>;

export interface JobStep {
  /** Runs `fn` once per run: on a retry, a step that already succeeded returns its recorded result. */
  run<TFn extends StepFn>(id: string, fn: TFn, ...input: Parameters<TFn>): Promise<StepResult<TFn>>;
  /** Sends events from inside a run; recorded like a step so a retry does not send them twice. */
  sendEvent(id: string, payload: CatalogueEvent | CatalogueEvent[]): Promise<{ ids: string[] }>;
  /** `duration`: milliseconds or an `ms`-style string ("30s", "1h30m"). */
  sleep(id: string, duration: number | string): Promise<void>;
  sleepUntil(id: string, until: Date | string): Promise<void>;
}

/** Structured logger; pino-style `(fields, message)` calls work with both runtimes. */
export interface JobLogger {
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
  debug(...args: unknown[]): void;
}

export interface JobContext<TEvent extends JobEvent = JobEvent> {
  event: TEvent;
  events: TEvent[];
  runId: string;
  /** Zero-based: 0 on the first try, 1 on the first retry. */
  attempt: number;
  logger: JobLogger;
  step: JobStep;
}

export type JobHandler<TEvent extends JobEvent = JobEvent, TResult = unknown> = (
  ctx: JobContext<TEvent>,
) => Promise<TResult> | TResult;

export type NormalisedTrigger = { event: string } | { cron: string };

/** What the inline runner needs to run a job without any Inngest internals. */
export interface JobDescriptor {
  id: string;
  name: string;
  triggers: readonly NormalisedTrigger[];
  /** Retries after the first failed attempt (Inngest's meaning); Inngest's default is 3. */
  retries: number;
  /** Concurrency, throttle and debounce as declared (and handed to Inngest); absent: none. */
  flow?: FlowControl;
  // The event type is erased here: the registry holds jobs with different events, and the runner only hands a
  // job events that match its own triggers.
  handler: JobHandler<JobEvent, unknown>;
}
