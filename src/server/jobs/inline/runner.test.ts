import { afterEach, describe, expect, it, vi } from "vitest";
import { NonRetriableError, RetryAfterError } from "inngest";
import type { JobContext, JobDescriptor, JobEvent, JobHandler } from "../types";
import { env } from "@/env";
import { useTestDatabase } from "@/test/db";
import { testJob, until } from "@/test/jobs";
import {
  defaultBackoffMs,
  dispatchEvents,
  InlineRunner,
  inlineRunner,
  inlineRunsInFlight,
  processConcurrency,
  registerInlineJobs,
  runJob,
  waitForInlineRuns,
} from "./runner";

const t = useTestDatabase();

const noBackoff = { backoffMs: () => 0 };
const tick: JobEvent = { name: "test/tick", data: {} };

function job(id: string, handler: JobHandler, overrides: Partial<JobDescriptor> = {}): JobDescriptor {
  return { id, name: id, triggers: [{ event: "test/tick" }], retries: 3, handler, ...overrides };
}

afterEach(async () => {
  await waitForInlineRuns();
});

describe("step.run", () => {
  it("does not re-run a step that succeeded when the attempt is retried", async () => {
    const calls = { load: 0, save: 0 };
    const handler = async ({ step }: JobContext) => {
      const loaded = await step.run("load", () => {
        calls.load += 1;
        return { n: 41 };
      });
      const saved = await step.run("save", () => {
        calls.save += 1;
        if (calls.save === 1) throw new Error("database hiccup");
        return loaded.n + 1;
      });
      return { saved };
    };
    const result = await runJob(job("memo", handler, { retries: 1 }), tick, noBackoff);
    expect(result).toMatchObject({ status: "completed", attempts: 2, output: { saved: 42 } });
    expect(calls).toEqual({ load: 1, save: 2 });
  });

  it("gives a repeated id in one attempt its own step, like Inngest's id:1 suffix", async () => {
    let calls = 0;
    let attempt = 0;
    const handler = async (ctx: JobContext) => {
      attempt = ctx.attempt;
      const values: number[] = [];
      for (let i = 0; i < 3; i++) values.push(await ctx.step.run("item", () => (calls += 1)));
      if (ctx.attempt === 0) throw new Error("fail after the loop");
      return values;
    };
    const result = await runJob(job("loop", handler, { retries: 1 }), tick, noBackoff);
    // Three distinct steps on the first attempt, all replayed (not re-run) on the retry.
    expect(result).toMatchObject({ status: "completed", output: [1, 2, 3] });
    expect(calls).toBe(3);
    expect(attempt).toBe(1);
  });

  it("JSON round-trips results as Inngest does", async () => {
    const when = new Date("2025-01-02T03:04:05.000Z");
    const handler = async ({ step }: JobContext) => {
      const date = await step.run("date", () => when);
      const nothing = await step.run("nothing", () => undefined);
      const args = await step.run("args", (a: number, b: number) => a + b, 2, 3);
      return { date, nothing, args };
    };
    const result = await runJob(job("json", handler), tick, noBackoff);
    expect(result).toMatchObject({
      status: "completed",
      output: { date: "2025-01-02T03:04:05.000Z", nothing: null, args: 5 },
    });
  });
});

describe("step.sendEvent", () => {
  it("starts every job triggered by the event, once even when the sender is retried", async () => {
    const received: JobEvent[] = [];
    const consumer = job("consumer", (ctx) => {
      received.push(ctx.event);
      return "consumed";
    }, { triggers: [{ event: "audit/retention.requested" }] });
    const bystander = job("bystander", () => {
      throw new Error("must not run: not triggered by this event");
    }, { triggers: [{ event: "something/else" }] });
    let attempts = 0;
    const producer = job("producer", async ({ step }) => {
      attempts += 1;
      const sent = await step.sendEvent("request-prune", {
        name: "audit/retention.requested",
        data: { requestedBy: "usr_1" },
      });
      if (attempts === 1) throw new Error("fail after sending");
      return sent;
    });
    const jobs = [producer, consumer, bystander];

    const result = await runJob(producer, tick, { ...noBackoff, jobs });
    await waitForInlineRuns();

    expect(result.status).toBe("completed");
    expect(attempts).toBe(2);
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ name: "audit/retention.requested", data: { requestedBy: "usr_1" } });
    const output = (result as { output: { ids: string[] } }).output;
    expect(output.ids).toEqual([received[0]!.id]);
  });

  it("dispatchEvents returns ids at once and reports the runs through completion", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = job("slow", async () => {
      await gate;
      return "done";
    });
    const { ids, completion } = await dispatchEvents([tick, { name: "no/listener", data: {} }], { jobs: [slow] });
    expect(ids).toHaveLength(2);
    expect(inlineRunsInFlight()).toBe(1);
    release();
    const results = await completion;
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ status: "completed", jobId: "slow", output: "done" });
    expect(inlineRunsInFlight()).toBe(0);
  });
});

describe("the registered job list", () => {
  // The runner is process-wide (globalThis); put back the list the test database helper registered.
  let before: readonly JobDescriptor[] | null = null;
  afterEach(() => {
    if (before) registerInlineJobs(before);
  });

  it("is what events trigger when no list is passed", async () => {
    before = inlineRunner().registeredJobs();
    registerInlineJobs([job("registered", () => "ran")]);
    const { completion } = await dispatchEvents([tick]);
    expect(await completion).toMatchObject([{ status: "completed", jobId: "registered", output: "ran" }]);
  });

  it("must be registered before an event is dispatched: the runner never imports the jobs itself", async () => {
    const fresh = new InlineRunner({ database: async () => t.handle });
    await expect(fresh.dispatch([tick])).rejects.toThrow(/registerJobs\(\)/);
  });
});

describe("step.sleep", () => {
  it("waits for ms strings, numbers and dates; code outside steps runs again on each resume", async () => {
    let invocations = 0;
    const handler = async ({ step }: JobContext) => {
      invocations += 1;
      const marks = [await step.run("mark-0", () => Date.now())];
      await step.sleep("short", "60ms");
      marks.push(await step.run("mark-1", () => Date.now()));
      await step.sleep("number", 30);
      marks.push(await step.run("mark-2", () => Date.now()));
      await step.sleepUntil("until", new Date(marks[2]! + 40));
      marks.push(await step.run("mark-3", () => Date.now()));
      await step.sleepUntil("past", new Date(0));
      return marks;
    };
    const result = await runJob(job("sleeper", handler), tick, noBackoff);
    expect(result.status).toBe("completed");
    const marks = (result as { output: number[] }).output;
    // Timers may fire a millisecond early relative to Date.now(); allow that, nothing more.
    expect(marks[1]! - marks[0]!).toBeGreaterThanOrEqual(59);
    expect(marks[2]! - marks[1]!).toBeGreaterThanOrEqual(29);
    expect(marks[3]! - marks[2]!).toBeGreaterThanOrEqual(39);
    // Each sleep ends the attempt and the run is replayed from its recorded steps; a sleep in the past does not.
    expect(invocations).toBe(4);
  });

  it("fails the run on a malformed duration", async () => {
    const handler = async ({ step }: JobContext) => step.sleep("bad", "soon");
    const result = await runJob(job("bad-sleep", handler, { retries: 0 }), tick, noBackoff);
    expect(result.status).toBe("failed");
    expect((result as { error: Error }).error.message).toMatch(/step\.sleep\("bad"\)/);
  });
});

describe("retries", () => {
  it("retries a failed run with backoff, then succeeds", async () => {
    const attempts: number[] = [];
    const backoffMs = vi.fn(() => 0);
    const handler = ({ attempt }: JobContext) => {
      attempts.push(attempt);
      if (attempt < 2) throw new Error(`flaky ${attempt}`);
      return "ok";
    };
    const result = await runJob(job("flaky", handler), tick, { backoffMs });
    expect(result).toMatchObject({ status: "completed", attempts: 3, output: "ok" });
    expect(attempts).toEqual([0, 1, 2]);
    expect(backoffMs.mock.calls).toEqual([[1], [2]]);
  });

  it("reports failure once retries are exhausted", async () => {
    const handler = vi.fn(() => {
      throw new Error("always broken");
    });
    const result = await runJob(job("broken", handler, { retries: 2 }), tick, noBackoff);
    expect(result.status).toBe("failed");
    expect(result.attempts).toBe(3);
    expect((result as { error: Error }).error.message).toBe("always broken");
    expect(handler).toHaveBeenCalledTimes(3);
  });

  it("does not retry a NonRetriableError and never rejects on non-Error throws", async () => {
    const fatal = vi.fn(() => {
      throw new NonRetriableError("bad input");
    });
    const r1 = await runJob(job("fatal", fatal), tick, noBackoff);
    expect(r1).toMatchObject({ status: "failed", attempts: 1 });
    expect(fatal).toHaveBeenCalledTimes(1);

    const r2 = await runJob(job("odd", () => Promise.reject("a string"), { retries: 0 }), tick, noBackoff);
    expect(r2).toMatchObject({ status: "failed", attempts: 1 });
    expect((r2 as { error: Error }).error.message).toBe("a string");
  });

  it("waits as long as a RetryAfterError asks instead of the backoff", async () => {
    const backoffMs = vi.fn(() => 0);
    let first = 0;
    let second = 0;
    const handler = ({ attempt }: JobContext) => {
      if (attempt === 0) {
        first = Date.now();
        throw new RetryAfterError("rate limited", 1000);
      }
      second = Date.now();
      return "ok";
    };
    const result = await runJob(job("rate-limited", handler), tick, { backoffMs });
    expect(result.status).toBe("completed");
    expect(backoffMs).not.toHaveBeenCalled();
    expect(second - first).toBeGreaterThanOrEqual(990);
  });

  it("backs off exponentially by default, capped at five minutes", () => {
    expect([1, 2, 3, 4].map(defaultBackoffMs)).toEqual([1000, 2000, 4000, 8000]);
    expect(defaultBackoffMs(20)).toBe(300_000);
  });
});

describe("concurrency", () => {
  const runners: InlineRunner[] = [];
  afterEach(() => {
    for (const r of runners.splice(0)) r.stop();
  });

  it("the process-wide runner executes JOBS_MAX_CONCURRENT attempts at once", () => {
    expect(inlineRunner().concurrency()).toBe(env.JOBS_MAX_CONCURRENT ?? (env.DATABASE_URL ? 50 : 8));
    expect(processConcurrency()).toBe(inlineRunner().concurrency());
  });

  it("executes at most its concurrency at once, one per connection key, and more as soon as it is raised", async () => {
    let running = 0;
    let peak = 0;
    const gates: (() => void)[] = [];
    const perConnection = testJob(
      "per-connection",
      async ({ step }) => {
        await step.run("place", async () => {
          running += 1;
          peak = Math.max(peak, running);
          await new Promise<void>((release) => gates.push(release));
          running -= 1;
        });
      },
      { options: { concurrency: { limit: 1, key: "event.data.connectionId" } } },
    );
    const r = new InlineRunner({ database: async () => t.handle, maxConcurrent: 3, pollMs: 20 });
    runners.push(r);
    r.register([perConnection]);
    const { completion } = await r.dispatch(Array.from({ length: 10 }, (_, i) => ({ name: "test/go", data: { connectionId: `conn_${i}` } })));
    const done = completion.then((results) => results);
    await until("three attempts running", async () => running === 3);
    await new Promise((res) => setTimeout(res, 300));
    expect(peak).toBe(3);

    r.setConcurrency(10);
    expect(r.concurrency()).toBe(10);
    await until("all ten running", async () => running === 10);
    for (const release of gates.splice(0)) release();
    const results = await done;
    expect(results.map((x) => x.status)).toEqual(Array(10).fill("completed"));
    expect(peak).toBe(10);
    expect(() => r.setConcurrency(0)).toThrow(RangeError);
  });
});
