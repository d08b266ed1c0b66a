/**
 * Flow control declared on a job (`concurrency`, `throttle`, `debounce`, in Inngest's option shapes), normalised for
 * the embedded runner, which honours the same declaration the Inngest server is given.
 *
 * Keys are Inngest expressions; the embedded runner evaluates the subset a job needs to partition its runs: a path
 * into the event (`event.data.providerId`). Anything else is refused when the job is defined, so the two modes never
 * disagree about which runs share a key.
 */
import "server-only";
import { durationToMs } from "inngest";

export interface ConcurrencyControl {
  limit: number;
  key: string | null;
}

export interface ThrottleControl {
  limit: number;
  periodMs: number;
  key: string | null;
}

export interface DebounceControl {
  periodMs: number;
  key: string | null;
  timeoutMs: number | null;
}

export interface FlowControl {
  concurrency: ConcurrencyControl | null;
  throttle: ThrottleControl | null;
  debounce: DebounceControl | null;
}

export const NO_FLOW_CONTROL: FlowControl = { concurrency: null, throttle: null, debounce: null };

const KEY_PATH = /^event(\.[A-Za-z_$][\w$]*)+$/;

function checkKey(jobId: string, option: string, key: unknown): string | null {
  if (key === undefined || key === null) return null;
  if (typeof key !== "string" || !KEY_PATH.test(key.trim())) {
    throw new Error(
      `Job "${jobId}": ${option} key ${JSON.stringify(key)} is not supported by the embedded runner; use a path into the event such as "event.data.accountId"`,
    );
  }
  return key.trim();
}

function positiveInt(jobId: string, option: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw new Error(`Job "${jobId}": ${option} must be a whole number of at least 1, got ${JSON.stringify(value)}`);
  }
  return value;
}

function period(jobId: string, option: string, value: unknown): number {
  try {
    return durationToMs(value, { name: `Job "${jobId}": ${option}` });
  } catch {
    throw new Error(`Job "${jobId}": ${option} ${JSON.stringify(value)} is not a duration such as "10s" or "5m"`);
  }
}

interface FlowOptions {
  concurrency?: unknown;
  throttle?: unknown;
  debounce?: unknown;
}

/** Normalises and checks a job's flow-control options; throws with a message naming the job and the option. */
export function normaliseFlowControl(jobId: string, options: FlowOptions): FlowControl {
  let concurrency: ConcurrencyControl | null = null;
  let c = options.concurrency;
  if (Array.isArray(c)) {
    if (c.length > 1) throw new Error(`Job "${jobId}": the embedded runner honours one concurrency limit, not ${c.length}`);
    c = c[0];
  }
  if (typeof c === "number") concurrency = { limit: positiveInt(jobId, "concurrency", c), key: null };
  else if (c && typeof c === "object") {
    const o = c as { limit?: unknown; key?: unknown; scope?: unknown };
    if (o.scope !== undefined && o.scope !== "fn") {
      throw new Error(`Job "${jobId}": concurrency scope "${String(o.scope)}" is not supported by the embedded runner (only "fn")`);
    }
    concurrency = { limit: positiveInt(jobId, "concurrency.limit", o.limit), key: checkKey(jobId, "concurrency", o.key) };
  } else if (c !== undefined) throw new Error(`Job "${jobId}": concurrency must be a number or { limit, key }`);

  let throttle: ThrottleControl | null = null;
  if (options.throttle !== undefined) {
    const o = options.throttle as { limit?: unknown; period?: unknown; key?: unknown };
    throttle = {
      limit: positiveInt(jobId, "throttle.limit", o.limit),
      periodMs: period(jobId, "throttle.period", o.period),
      key: checkKey(jobId, "throttle", o.key),
    };
  }

  let debounce: DebounceControl | null = null;
  if (options.debounce !== undefined) {
    const o = options.debounce as { period?: unknown; key?: unknown; timeout?: unknown };
    debounce = {
      periodMs: period(jobId, "debounce.period", o.period),
      key: checkKey(jobId, "debounce", o.key),
      timeoutMs: o.timeout === undefined ? null : period(jobId, "debounce.timeout", o.timeout),
    };
  }
  return { concurrency, throttle, debounce };
}

/**
 * The value of a key path for one event, as a string ("" when the path leads nowhere, so such events share a key).
 * A null `path` (no key) gives null: the limit applies to the job as a whole.
 */
export function evaluateKey(path: string | null, event: { name: string; data: unknown }): string | null {
  if (path === null) return null;
  let value: unknown = event;
  for (const part of path.split(".").slice(1)) {
    value = value !== null && typeof value === "object" ? (value as Record<string, unknown>)[part] : undefined;
  }
  if (value === undefined || value === null) return "";
  return typeof value === "string" ? value : JSON.stringify(value);
}
