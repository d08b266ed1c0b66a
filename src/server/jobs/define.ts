/**
 * `defineJob`: one declaration, two runtimes. It creates the Inngest function (served at /api/inngest) and the
 * descriptor the inline runner executes, from the same options and the same handler.
 */
import "server-only";
import type { EventType, GetStepTools, InngestFunction } from "inngest";
import { inngest } from "./client";
import { normaliseFlowControl } from "./flow-control";
import type { JobEvents } from "./events";
import type {
  JobDescriptor,
  JobEvent,
  JobEventName,
  JobHandler,
  JobStep,
  NormalisedTrigger,
  ScheduledTimerEvent,
} from "./types";

/**
 * `cron("0 3 * * *")`, `eventType("name")`, or the plain objects `{ cron }` / `{ event }` from inngest.
 * Inngest's `if` filter is left out on purpose: it is a CEL expression the inline runner cannot evaluate, so a job
 * using it would run on different events in the two modes.
 */
export type JobTrigger =
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any schema: data types come from JobEvents
  { cron: string } | { event: JobEventName | EventType<JobEventName, any>; if?: never };

type TriggerEvent<T> = T extends { cron: string }
  ? ScheduledTimerEvent
  : T extends { event: infer E }
    ? E extends JobEventName
      ? JobEvent<E, JobEvents[E]>
      : E extends { name: infer N extends JobEventName }
        ? JobEvent<N, JobEvents[N]>
        : never
    : never;

/** The union of events a job with these triggers can receive. */
export type EventOfTriggers<T> = T extends readonly (infer U)[] ? TriggerEvent<U> : TriggerEvent<T>;

/**
 * Inngest function options minus the ones owned here. The inline runner honours `retries` and the flow control
 * correctness depends on: `concurrency` (one limit, optionally with a key), `throttle` and `debounce`, keyed by a path
 * into the event (checked here, see ./flow-control.ts). The rest (rateLimit, batchEvents, priority, singleton,
 * idempotency, cancelOn, timeouts) is enforced by an Inngest server only.
 */
type InngestOnlyOptions = Omit<InngestFunction.Options, "id" | "name" | "triggers" | "onFailure">;

export type JobOptions<TTriggers> = InngestOnlyOptions & {
  id: string;
  name?: string;
  triggers: TTriggers;
};

export interface DefinedJob<TEvent extends JobEvent = JobEvent, TResult = unknown> {
  id: string;
  /** The Inngest function, for `serve()` and `@inngest/test`. */
  fn: InngestFunction.Any;
  /** The descriptor, for the inline runner and scheduler. */
  job: JobDescriptor;
  handler: JobHandler<TEvent, TResult>;
}

export const DEFAULT_RETRIES = 3;

export function normaliseTriggers(triggers: JobTrigger | readonly JobTrigger[]): NormalisedTrigger[] {
  const list: readonly JobTrigger[] = Array.isArray(triggers) ? triggers : [triggers as JobTrigger];
  return list.map((t) => {
    const hasCron = "cron" in t && typeof t.cron === "string";
    const hasEvent = "event" in t && t.event !== undefined;
    if (hasCron === hasEvent) throw new Error(`A job trigger needs exactly one of "cron" or "event"`);
    if ("if" in t && t.if !== undefined) throw new Error(`Job triggers cannot use "if": the inline runner has no CEL`);
    if (hasCron) return { cron: (t as { cron: string }).cron };
    const event = (t as { event: string | { name: string } }).event;
    return { event: typeof event === "string" ? event : event.name };
  });
}

export function defineJob<const TTriggers extends JobTrigger | readonly JobTrigger[], TResult>(
  options: JobOptions<TTriggers>,
  handler: JobHandler<EventOfTriggers<TTriggers>, TResult>,
): DefinedJob<EventOfTriggers<TTriggers>, TResult> {
  const triggers = normaliseTriggers(options.triggers);
  if (triggers.length === 0) throw new Error(`Job "${options.id}" has no triggers`);
  // Checked before Inngest sees them: a key the inline runner cannot evaluate fails here, in both modes.
  const flow = normaliseFlowControl(options.id, options);
  const fn = inngest.createFunction(
    // Inngest takes a mutable array and its own trigger union; ours is a subset of it.
    { ...options, triggers: [...(Array.isArray(options.triggers) ? options.triggers : [options.triggers])] } as never,
    // Inngest passes its full context, a superset of JobContext (checked by `InngestStepToolsSatisfyJobStep`).
    handler as never,
  ) as InngestFunction.Any;
  return {
    id: options.id,
    fn,
    handler,
    job: {
      id: options.id,
      name: options.name ?? options.id,
      triggers,
      retries: options.retries ?? DEFAULT_RETRIES,
      flow,
      // The runner only passes events matching this job's triggers, which is what EventOfTriggers describes.
      handler: handler as JobHandler<JobEvent, unknown>,
    },
  };
}

/**
 * Compile-time guard: if an Inngest upgrade changes its step tools so they no longer fit `JobStep`, this line stops
 * compiling instead of jobs failing at run time in Inngest mode only.
 */
export type InngestStepToolsSatisfyJobStep = GetStepTools<typeof inngest> extends JobStep ? true : never;
const _stepToolsCheck: InngestStepToolsSatisfyJobStep = true;
void _stepToolsCheck;
