/**
 * The inline runner's durability: runs resume from the database after a runner stops as a process exit would (no
 * hand-over), retries keep their count across a restart, two runners share one PostgreSQL database without executing
 * anything twice, event ids deduplicate, and flow control holds. Each "restart" is a new runner on the same database.
 */
import { afterEach, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import type { DatabaseHandle } from "@/server/db";
import { executeRows } from "@/server/db/raw";
import { useTestDatabase } from "@/test/db";
import { testJob as job, until } from "@/test/jobs";
import { normaliseFlowControl } from "../flow-control";
import type { JobContext, JobEvent, JobHandler } from "../types";
import { InlineRunner, type InlineRunnerConfig } from "./runner";
import { pruneJobHistory } from "./store";

const t = useTestDatabase();
const runners: InlineRunner[] = [];
const extraHandles: DatabaseHandle[] = [];

afterEach(async () => {
  for (const r of runners.splice(0)) r.stop();
  for (const h of extraHandles.splice(0)) await h.close();
});

function runner(config: InlineRunnerConfig = {}): InlineRunner {
  const r = new InlineRunner({ database: async () => t.handle, leaseMs: 1000, pollMs: 25, backoffMs: () => 50, ...config });
  runners.push(r);
  return r;
}

const go = (data: Record<string, unknown> = {}, id?: string): JobEvent => ({ name: "test/go", data, ...(id ? { id } : {}) });

async function rows<T extends Record<string, unknown>>(query: ReturnType<typeof sql>): Promise<T[]> {
  return executeRows<T>(t.db, query);
}

async function runRow(id: string) {
  const [row] = await rows<{ status: string; attempt: number; wake_at: Date; last_error: string | null }>(
    sql`select status, attempt, wake_at, last_error from job_runs where id = ${id}`,
  );
  return row;
}

async function onlyRunId(jobId: string): Promise<string> {
  const [row] = await until("the run", async () => {
    const found = await rows<{ id: string }>(sql`select id from job_runs where job_id = ${jobId}`);
    return found.length > 0 ? found : null;
  });
  return row!.id;
}

async function effectsTable() {
  await t.db.execute(sql`create table if not exists test_effects (run_id text not null, step text not null, owner text, at timestamptz default now())`);
}

describe("restart", () => {
  it("resumes a sleeping run on a new runner: completed steps are not executed again and the sleep ends 2 s after it began", async () => {
    await effectsTable();
    const executions = { a: 0, b: 0, after: 0 };
    const handler = async ({ step, runId }: JobContext) => {
      for (const name of ["a", "b"] as const) {
        await step.run(name, async () => {
          executions[name] += 1;
          await t.db.execute(sql`insert into test_effects (run_id, step) values (${runId}, ${name})`);
          return name;
        });
      }
      await step.sleep("nap", "2s");
      return step.run("after", () => {
        executions.after += 1;
        return Date.now();
      });
    };
    const first = runner({ owner: "first" });
    void first.run(job("sleepy", handler), go());
    const runId = await onlyRunId("sleepy");
    const sleeping = await until("the sleep", async () => ((await runRow(runId))?.status === "sleeping" ? runRow(runId) : null));
    const [nap] = await rows<{ wake_at: Date; created_at: Date }>(sql`select wake_at, created_at from job_steps where run_id = ${runId} and step_key = 'nap'`);
    const sleepBegan = new Date(nap!.created_at).getTime();
    expect(new Date(sleeping.wake_at).getTime() - sleepBegan).toBeGreaterThanOrEqual(1990);
    first.stop(); // as a process exit: no hand-over, nothing written after this

    await new Promise((r) => setTimeout(r, 700)); // the "restart" takes a while
    const second = runner({ owner: "second" });
    second.register([job("sleepy", handler)]);
    second.start();
    const result = await second.waitFor(runId);

    expect(result).toMatchObject({ status: "completed", attempts: 1 });
    expect(executions).toEqual({ a: 1, b: 1, after: 1 });
    const effects = await rows<{ step: string }>(sql`select step from test_effects where run_id = ${runId} order by step`);
    expect(effects.map((e) => e.step)).toEqual(["a", "b"]);
    // Woke from the sleep's original start, not from the restart: 2 s after it began, not 2 s after the restart.
    const woke = (result as { output: number }).output;
    expect(woke - sleepBegan).toBeGreaterThanOrEqual(1990);
    expect(woke - sleepBegan).toBeLessThan(2600);
  });

  it("keeps the attempt count and recorded steps of a retry across a restart: fails twice, then succeeds on attempt 3", async () => {
    const executions = { load: 0, handler: 0 };
    const handler = async ({ step, attempt }: JobContext) => {
      executions.handler += 1;
      const loaded = await step.run("load", () => {
        executions.load += 1;
        return { n: 41 };
      });
      if (attempt < 2) throw new Error(`flaky ${attempt}`);
      return loaded.n + 1;
    };
    const first = runner({ owner: "first", backoffMs: () => 300 });
    void first.run(job("flaky", handler), go());
    const runId = await onlyRunId("flaky");
    await until("the first retry", async () => {
      const row = await runRow(runId);
      return row?.status === "retrying" && row.attempt === 1;
    });
    first.stop();

    const second = runner({ owner: "second", backoffMs: () => 50 });
    second.register([job("flaky", handler)]);
    second.start();
    const result = await second.waitFor(runId);
    expect(result).toMatchObject({ status: "completed", attempts: 3, output: 42 });
    expect(executions).toEqual({ load: 1, handler: 3 });
    expect(await runRow(runId)).toMatchObject({ status: "completed", attempt: 2, last_error: "flaky 1" });
  });

  it("takes over a run whose runner died mid-step once its lease expires; the stopped runner records nothing more", async () => {
    let release!: () => void;
    const stuck = new Promise<void>((resolve) => (release = resolve));
    const executions: string[] = [];
    const handler = async ({ step }: JobContext) => {
      await step.run("one", () => void executions.push("one"));
      await step.run("two", async () => {
        executions.push("two");
        if (executions.filter((e) => e === "two").length === 1) await stuck; // the first runner hangs here
      });
      await step.run("three", () => void executions.push("three"));
    };
    const first = runner({ owner: "first", leaseMs: 600 });
    void first.run(job("hang", handler), go());
    const runId = await onlyRunId("hang");
    await until("step two", async () => executions.includes("two"));
    first.stop();
    const stoppedAt = Date.now();

    const second = runner({ owner: "second", leaseMs: 600 });
    second.register([job("hang", handler)]);
    second.start();
    const result = await second.waitFor(runId);
    expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(400); // not before the lease ran out
    release(); // the dead runner's step finally returns: it must not record anything
    await new Promise((r) => setTimeout(r, 100));

    expect(result.status).toBe("completed");
    // "one" finished before the crash and never runs again; "two" was interrupted, so it runs again (at-least-once).
    expect(executions).toEqual(["one", "two", "two", "three"]);
    const steps = await rows<{ step_key: string }>(sql`select step_key from job_steps where run_id = ${runId} order by step_key`);
    expect(steps.map((s) => s.step_key)).toEqual(["one", "three", "two"]);
  });

  it("does not start a second attempt of its own run when a step blocked the event loop past the lease", async () => {
    const executions: number[] = [];
    const blocking = job("blocking", async ({ step }) => {
      for (let i = 0; i < 3; i++) {
        await step.run("s", async () => {
          executions.push(i);
          const until = Date.now() + 500; // no timer, no heartbeat: the lease (300 ms) lapses meanwhile
          while (Date.now() < until);
          await new Promise((r) => setTimeout(r, 30));
        });
      }
    });
    const r = runner({ leaseMs: 300, pollMs: 20 });
    r.register([blocking]);
    r.start();
    const result = await r.run(blocking, go());
    expect(result.status).toBe("completed");
    expect(executions).toEqual([0, 1, 2]);
  });

  it("fails a run whose steps were renamed by a deploy instead of repeating finished effects", async () => {
    const effects: string[] = [];
    const before = job("renamed", async ({ step }) => {
      await step.run("charge", () => void effects.push("charge"));
      await step.sleep("wait", "200ms");
      await step.run("email", () => void effects.push("email"));
    });
    const first = runner({ owner: "first" });
    void first.run(before, go());
    const runId = await onlyRunId("renamed");
    await until("the sleep", async () => (await runRow(runId))?.status === "sleeping");
    first.stop();

    const after = job("renamed", async ({ step }) => {
      await step.run("charge-card", () => void effects.push("charge-card"));
      await step.sleep("wait", "200ms");
      await step.run("email", () => void effects.push("email"));
    });
    const second = runner({ owner: "second" });
    second.register([after]);
    second.start();
    const result = await second.waitFor(runId);
    expect(result.status).toBe("failed");
    expect((result as { error: Error }).error.message).toMatch(/recorded step\(s\) "charge"(, "wait")? were not reached and step "charge-card" is new/);
    expect(effects).toEqual(["charge"]);
  });

  it("drains on shutdown: the running step finishes and is recorded, the run is handed back and finished elsewhere", async () => {
    let release!: () => void;
    const slow = new Promise<void>((resolve) => (release = resolve));
    const executions: string[] = [];
    const handler = async ({ step }: JobContext) => {
      await step.run("slow", async () => {
        executions.push("slow");
        await slow;
      });
      await step.run("next", () => void executions.push("next"));
    };
    const first = runner({ owner: "first", leaseMs: 30_000 });
    void first.run(job("drained", handler), go());
    const runId = await onlyRunId("drained");
    await until("the slow step", async () => executions.includes("slow"));
    const drained = first.drain(5000);
    setTimeout(release, 100);
    await drained;
    expect(await runRow(runId)).toMatchObject({ status: "queued" });
    expect(executions).toEqual(["slow"]);

    const second = runner({ owner: "second" });
    second.register([job("drained", handler)]);
    second.start();
    // Handed back with its lease released: taken at once, not after the 30 s lease.
    const result = await second.waitFor(runId);
    expect(result.status).toBe("completed");
    expect(executions).toEqual(["slow", "next"]);
  });

  it("reports a run cancelled while it sleeps, and never wakes it", async () => {
    const executions: string[] = [];
    const r = runner();
    const result = r.run(
      job("cancel-me", async ({ step }) => {
        await step.sleep("long", "1h");
        executions.push("woke");
      }),
      go(),
    );
    const runId = await onlyRunId("cancel-me");
    await until("the sleep", async () => (await runRow(runId))?.status === "sleeping");
    await t.db.execute(sql`update job_runs set status = 'cancelled', finished_at = now(), wake_at = now() where id = ${runId}`);
    expect(await result).toMatchObject({ status: "cancelled", runId });
    expect(executions).toEqual([]);
  });
});

describe("two runners on one PostgreSQL database", () => {
  it.runIf(!!process.env.DATABASE_URL)("execute 200 runs with every step's row exactly once and no run executed by both", async () => {
    await effectsTable();
    const [{ name }] = (await rows<{ name: string }>(sql`select current_database() as name`)) as [{ name: string }];
    const { openPostgres } = await import("@/server/db");
    const url = process.env.DATABASE_URL!.replace(/\/[^/?]+(\?|$)/, `/${name}$1`);
    const STEPS = 5;
    const handlerFor = (owner: string): JobHandler => async ({ step, runId }) => {
      for (let i = 0; i < STEPS; i++) {
        await step.run(`insert-${i}`, async () => {
          await t.db.execute(sql`insert into test_effects (run_id, step, owner) values (${runId}, ${String(i)}, ${owner})`);
          return i;
        });
      }
    };
    const handles = [await openPostgres(url), await openPostgres(url)];
    extraHandles.push(...handles);
    const [a, b] = handles.map((h, i) => {
      const r = runner({ database: async () => h, owner: `runner-${i}`, leaseMs: 30_000, pollMs: 10 });
      r.register([job("race", handlerFor(`runner-${i}`))]);
      return r;
    }) as [InlineRunner, InlineRunner];
    await a.dispatch(Array.from({ length: 200 }, (_, i) => go({ i })));
    a.start();
    b.start();
    await until(
      "200 completed runs",
      async () => (await rows<{ n: number }>(sql`select count(*)::int as n from job_runs where status = 'completed'`))[0]!.n === 200,
      60_000,
    );

    const [totals] = await rows<{ n: number; distinct_steps: number }>(
      sql`select count(*)::int as n, count(distinct (run_id, step))::int as distinct_steps from test_effects`,
    );
    expect(totals).toEqual({ n: 200 * STEPS, distinct_steps: 200 * STEPS });
    const shared = await rows(sql`select run_id from test_effects group by run_id having count(distinct owner) > 1`);
    expect(shared).toEqual([]);
    const byOwner = await rows<{ owner: string; runs: number }>(
      sql`select owner, count(distinct run_id)::int as runs from test_effects group by owner order by owner`,
    );
    // Both took part: the race was real.
    expect(byOwner.map((o) => o.owner)).toEqual(["runner-0", "runner-1"]);
    const [steps] = await rows<{ n: number }>(sql`select count(*)::int as n from job_steps`);
    expect(steps!.n).toBe(200 * STEPS);
  }, 90_000);
});

describe("event ids", () => {
  it("start one run for two sends with the same id within 24 h, and a new one after", async () => {
    let runs = 0;
    const r = runner();
    r.register([job("once", () => (runs += 1))]);
    const first = await r.dispatch([go({ n: 1 }, "evt-123")]);
    const second = await r.dispatch([go({ n: 2 }, "evt-123")]);
    expect(first.ids).toEqual(["evt-123"]);
    expect(second.ids).toEqual(["evt-123"]);
    expect(await first.completion).toMatchObject([{ status: "completed" }]);
    expect(await second.completion).toEqual([]);
    expect(runs).toBe(1);

    await t.db.execute(sql`update job_events set received_at = now() - interval '25 hours' where id = 'evt-123'`);
    const later = await r.dispatch([go({ n: 3 }, "evt-123")]);
    expect(await later.completion).toMatchObject([{ status: "completed" }]);
    expect(runs).toBe(2);
  });

  it("gives step.sendEvent's events ids derived from the run and step, so a re-run step sends nothing twice", async () => {
    let consumed = 0;
    const consumer = job("consumer", () => (consumed += 1), { triggers: [{ event: "test/child" }] });
    let attempts = 0;
    const producer = job("producer", async ({ step }) => {
      attempts += 1;
      const sent = await step.sendEvent("child", { name: "test/child", data: {} } as never);
      return sent.ids;
    });
    const r = runner();
    r.register([producer, consumer]);
    const { completion } = await r.dispatch([go()]);
    const [result] = await completion;
    await r.idle();
    expect(result).toMatchObject({ status: "completed" });
    const ids = (result as { output: string[] }).output;
    expect(ids[0]).toMatch(/^run_[0-9a-z]+:child:0$/);
    // Sending the same derived id again (as a step re-run after a crash would) starts nothing.
    const again = await r.dispatch([{ name: "test/child", data: {}, id: ids[0] }]);
    expect(await again.completion).toEqual([]);
    expect(consumed).toBe(1);
    expect(attempts).toBe(1);
  });
});

describe("flow control", () => {
  it("concurrency with a key: runs with the same key never overlap; other keys run alongside", async () => {
    const windows: { account: string; start: number; end: number }[] = [];
    const accounts = job(
      "per-account",
      async ({ step, event }) => {
        const w = await step.run("trade", async () => {
          const start = Date.now();
          await new Promise((r) => setTimeout(r, 200));
          return { start, end: Date.now() };
        });
        windows.push({ account: (event.data as { account: string }).account, ...w });
      },
      { options: { concurrency: { limit: 1, key: "event.data.account" } } },
    );
    const r = runner();
    r.register([accounts]);
    const { completion } = await r.dispatch([go({ account: "acc-1" }), go({ account: "acc-1" }), go({ account: "acc-2" })]);
    expect((await completion).map((c) => c.status)).toEqual(["completed", "completed", "completed"]);

    const same = windows.filter((w) => w.account === "acc-1").sort((x, y) => x.start - y.start);
    expect(same).toHaveLength(2);
    expect(same[1]!.start).toBeGreaterThanOrEqual(same[0]!.end);
    const other = windows.find((w) => w.account === "acc-2")!;
    expect(other.start).toBeLessThan(same[0]!.end); // a different key was not held back
  });

  it("throttle: at most `limit` starts per period, later runs are delayed, not dropped", async () => {
    const throttled = job("throttled", () => "ran", { options: { throttle: { limit: 2, period: "600ms" } } });
    const r = runner();
    r.register([throttled]);
    const { completion } = await r.dispatch([go(), go(), go(), go()]);
    expect((await completion).map((c) => c.status)).toEqual(["completed", "completed", "completed", "completed"]);
    // Start times as the throttle counts them (the database's clock).
    const starts = (await rows<{ started_at: Date }>(sql`select started_at from job_runs where job_id = 'throttled' order by started_at`)).map((r) =>
      new Date(r.started_at).getTime(),
    );
    expect(starts).toHaveLength(4);
    expect(starts[1]! - starts[0]!).toBeLessThan(500);
    expect(starts[2]! - starts[0]!).toBeGreaterThanOrEqual(600);
    expect(starts[3]! - starts[1]!).toBeGreaterThanOrEqual(600);
  });

  it("debounce with a key: a burst runs once, with its last event; another key runs on its own", async () => {
    const seen: unknown[] = [];
    const digest = job("digest", ({ event }) => void seen.push(event.data), {
      options: { debounce: { period: "300ms", key: "event.data.user" } },
    });
    const r = runner();
    r.register([digest]);
    const sends = [];
    for (const n of [1, 2, 3]) {
      sends.push(await r.dispatch([go({ user: "u1", n })]));
      await new Promise((res) => setTimeout(res, 60));
    }
    sends.push(await r.dispatch([go({ user: "u2", n: 9 })]));
    await Promise.all(sends.map((s) => s.completion));
    expect(seen).toHaveLength(2);
    expect(seen).toEqual(expect.arrayContaining([{ user: "u1", n: 3 }, { user: "u2", n: 9 }]));
  });

  it("refuses flow-control keys the embedded runner cannot evaluate, naming the job", () => {
    expect(() => normaliseFlowControl("bad", { concurrency: { limit: 1, key: "event.data.a + '-' + event.data.b" } })).toThrow(
      /Job "bad": concurrency key .* not supported by the embedded runner/,
    );
    expect(() => normaliseFlowControl("bad", { throttle: { limit: 1, period: "soon" } })).toThrow(/throttle.period "soon" is not a duration/);
    expect(() => normaliseFlowControl("bad", { concurrency: [{ limit: 1 }, { limit: 2, key: "event.data.x" }] })).toThrow(/one concurrency limit/);
    expect(normaliseFlowControl("ok", { concurrency: 2 })).toMatchObject({ concurrency: { limit: 2, key: null } });
  });
});

describe("crons", () => {
  it("fire a tick once across runners sharing the database", async () => {
    let runs = 0;
    const nightly = job("nightly", () => (runs += 1), { triggers: [{ cron: "0 3 * * *" }] });
    const tick = new Date("2026-12-06T03:00:00Z");
    const [first, second] = await Promise.all([runner().fireCron(nightly, "0 3 * * *", tick), runner().fireCron(nightly, "0 3 * * *", tick)]);
    expect([first, second].filter((r) => r !== null)).toHaveLength(1);
    expect(runs).toBe(1);
  });

  it("run a tick missed while stopped once at start-up, not once per missed tick; a first start misses nothing", async () => {
    const { startInlineScheduler, stopInlineScheduler, inlineSchedulerCaughtUp } = await import("./scheduler");
    let runs = 0;
    const minutely = job("minutely", () => (runs += 1), { triggers: [{ cron: "* * * * *" }] });
    const r = runner();
    try {
      startInlineScheduler({ jobs: [minutely], runner: r });
      await inlineSchedulerCaughtUp();
      await r.idle();
      expect(runs).toBe(0); // first start on this database: recorded, not run
      stopInlineScheduler();

      // Down for ten minutes: ten ticks missed, one run at the next start.
      await t.db.execute(sql`update job_schedules set last_tick = last_tick - interval '10 minutes' where job_id = 'minutely'`);
      startInlineScheduler({ jobs: [minutely], runner: r });
      await inlineSchedulerCaughtUp();
      await r.idle();
      expect(runs).toBe(1);
      const events = await rows<{ event_id: string }>(sql`select event_id from job_runs where job_id = 'minutely'`);
      expect(events).toHaveLength(1);
      expect(events[0]!.event_id).toMatch(/^cron:minutely:/);
    } finally {
      stopInlineScheduler();
    }
  });
});

describe("retention", () => {
  it("prunes finished runs after 7 days, failed runs after 30, and event ids after 24 h", async () => {
    await t.db.execute(sql`
      insert into job_runs (id, job_id, event, event_id, status, finished_at) values
        ('run_old_done', 'j', '{}', 'e1', 'completed', now() - interval '8 days'),
        ('run_new_done', 'j', '{}', 'e2', 'completed', now() - interval '6 days'),
        ('run_old_cancelled', 'j', '{}', 'e3', 'cancelled', now() - interval '8 days'),
        ('run_failed_20d', 'j', '{}', 'e4', 'failed', now() - interval '20 days'),
        ('run_failed_31d', 'j', '{}', 'e5', 'failed', now() - interval '31 days'),
        ('run_sleeping', 'j', '{}', 'e6', 'sleeping', null)`);
    await t.db.execute(sql`insert into job_steps (run_id, step_key, kind, attempt) values ('run_old_done', 'a', 'run', 0)`);
    await t.db.execute(sql`insert into job_events (id, name, data, received_at) values ('old', 'x', '{}', now() - interval '25 hours'), ('new', 'x', '{}', now())`);
    expect(await pruneJobHistory(t.handle)).toEqual({ runs: 3, events: 1 });
    const left = await rows<{ id: string }>(sql`select id from job_runs order by id`);
    expect(left.map((r) => r.id)).toEqual(["run_failed_20d", "run_new_done", "run_sleeping"]);
    expect(await rows(sql`select * from job_steps`)).toEqual([]);
  });
});
