/**
 * The embedded job runner's overhead (issue 12): a job of 10,000 trivial `step.run`s on the inline runner
 * (src/server/jobs/inline), next to the statements it cannot do without, measured in the same run on the same
 * database and driver:
 *
 * - bare INSERT: one autocommitted single-row INSERT into job_steps per step (the same row the runner records). The
 *   floor: a durable step cannot cost less than writing its result.
 * - lease-checked INSERT: the runner's own per-step statement (`recordStep`: extend the lease and insert the result in
 *   one statement), called in a loop without the runner, so the figures separate the SQL from the runner's own code.
 * - inline runner: `runner.run()` of the job, from enqueueing to the run's result (enqueue, claim and finish are a
 *   handful of statements; the rest is one statement per step). The job ends with a 1 ms `step.sleep`: the attempt
 *   after it replays the 10,000 recorded steps, which gives the resume cost of a long run (claim, load the steps,
 *   replay them, finish) in the same repetition. The steps are timed up to the sleep.
 *
 * On an in-memory PGlite and on PostgreSQL (scratch database `tradsy_bench_jobs`, migrated, dropped at the end;
 * skipped when no server answers). A warm-up of each, then BENCH_JOBS_ROUNDS (3) repetitions in rotated order so
 * drift on this shared machine weighs on all three alike; medians are reported. BENCH_JOBS_STEPS sets the job size.
 */
import os from "node:os";
import { performance } from "node:perf_hooks";
import type { PGlite } from "@electric-sql/pglite";
import type { Sql } from "postgres";
import type { DatabaseHandle } from "@/server/db";
import { InlineRunner } from "@/server/jobs/inline/runner";
import { loadSteps, recordStep, type Lease } from "@/server/jobs/inline/store";
import type { JobDescriptor } from "@/server/jobs/types";
import { newId } from "@/lib/ids";
import { createPgliteScratch, createScratch, dropScratch } from "./db";
import { round, type Result } from "./report";

const DB_NAME = "tradsy_bench_jobs";
const STEPS = Number(process.env.BENCH_JOBS_STEPS ?? 10_000);
const WARMUP_STEPS = Math.min(1000, STEPS);
const ROUNDS = Number(process.env.BENCH_JOBS_ROUNDS ?? 3);
const SLEEP_MS = 1;

type Query = (text: string, params?: unknown[]) => Promise<unknown[]>;

/** One statement on the handle's driver, as the runner's store sends them (postgres.js: prepared). */
function queryOn(handle: DatabaseHandle): Query {
  if (handle.kind === "postgres") {
    const client = handle.driver as Sql;
    return (text, params = []) => client.unsafe(text, params as never[], { prepare: true }) as unknown as Promise<unknown[]>;
  }
  const client = handle.driver as PGlite;
  return async (text, params = []) => (await client.query(text, params)).rows;
}

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const perSec = (n: number, ms: number) => (n * 1000) / ms;

/** A run row for the reference loops to hang their steps on (job_steps.run_id is a foreign key), holding a lease. */
async function benchRun(q: Query, owner: string): Promise<string> {
  const id = newId("run");
  await q(
    `INSERT INTO job_runs (id, job_id, event, event_id, status, lease_owner, lease_until)
     VALUES ($1, 'bench-reference', '{}'::jsonb, $1, 'running', $2, now() + interval '1 hour')`,
    [id, owner],
  );
  return id;
}

async function bareInserts(q: Query, n: number): Promise<number> {
  const runId = await benchRun(q, "bench-bare");
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    await q(
      `INSERT INTO job_steps (run_id, step_key, kind, output, wake_at, attempt) VALUES ($1, $2, 'run'::job_step_kind, $3::text::jsonb, $4::timestamptz, $5::int)`,
      [runId, `s${i}`, JSON.stringify({ i }), null, 0],
    );
  }
  return performance.now() - t0;
}

async function leaseCheckedInserts(handle: DatabaseHandle, q: Query, n: number): Promise<number> {
  const lease: Lease = { runId: await benchRun(q, "bench-lease"), owner: "bench-lease", leaseMs: 30_000 };
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    if (!(await recordStep(handle, lease, { key: `s${i}`, kind: "run", output: { i }, attempt: 0 }))) throw new Error("bench lease lost");
  }
  return performance.now() - t0;
}

interface RunnerTimes {
  /** From `run()` to the handler reaching its sleep: enqueue, claim, and `n` steps. */
  stepsMs: number;
  /** From the sleep's end to the run's result: claim, load the `n` recorded steps, replay them, finish. */
  resumeMs: number;
  /** Of the resume, the replaying handler's own time (from its entry to its return). */
  replayMs: number;
  runId: string;
}

function stepsJob(): { job: JobDescriptor; marks: { sleepAt?: number; entries: number[]; returnedAt?: number } } {
  const marks: { sleepAt?: number; entries: number[]; returnedAt?: number } = { entries: [] };
  const job: JobDescriptor = {
    id: "bench-steps",
    name: "Bench: trivial steps, then a short sleep",
    triggers: [{ event: "bench/steps" }],
    retries: 0,
    handler: async ({ event, step }) => {
      marks.entries.push(performance.now());
      const n = (event.data as { steps: number }).steps;
      let sum = 0;
      for (let i = 0; i < n; i++) sum += (await step.run(`s${i}`, () => ({ i }))).i;
      marks.sleepAt ??= performance.now();
      await step.sleep("nap", SLEEP_MS);
      marks.returnedAt = performance.now();
      return sum;
    },
  };
  return { job, marks };
}

async function runnerJob(handle: DatabaseHandle, n: number): Promise<RunnerTimes> {
  const runner = new InlineRunner({ database: async () => handle, leaseMs: 30_000, pollMs: 1000 });
  const { job, marks } = stepsJob();
  try {
    const t0 = performance.now();
    const result = await runner.run(job, { name: "bench/steps", data: { steps: n } });
    const t1 = performance.now();
    if (result.status !== "completed") throw new Error(`bench job ${result.status}: ${result.error.message}`);
    if (result.output !== (n * (n - 1)) / 2 || marks.entries.length !== 2 || marks.sleepAt === undefined || marks.returnedAt === undefined) {
      throw new Error(`bench job ran wrongly: output ${String(result.output)}, ${marks.entries.length} attempts`);
    }
    return {
      stepsMs: marks.sleepAt - t0,
      resumeMs: t1 - (marks.sleepAt + SLEEP_MS),
      replayMs: marks.returnedAt - marks.entries[1]!,
      runId: result.runId,
    };
  } finally {
    runner.stop();
  }
}

interface DbFigures {
  bareMs: number;
  leaseMs: number;
  runner: RunnerTimes;
  loadMs: number;
  /** Database round trips the runner made per step in the warm-up job (1 is the floor: one statement per step). */
  tripsPerStep: number;
}

/**
 * The handle with its driver's round trips counted: single statements (PGlite `query`, postgres.js `unsafe`) and
 * transactions (one each, whatever they hold). Used for the warm-up run only, so the count costs the timings nothing.
 */
function counting(handle: DatabaseHandle): { handle: DatabaseHandle; count: () => number } {
  let n = 0;
  const counted = new Set(handle.kind === "postgres" ? ["unsafe", "begin"] : ["query", "transaction"]);
  const driver = new Proxy(handle.driver as object, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== "function") return value;
      const fn = value as (...args: unknown[]) => unknown;
      return typeof prop === "string" && counted.has(prop)
        ? (...args: unknown[]) => {
            n += 1;
            return fn.apply(target, args);
          }
        : fn.bind(target);
    },
  });
  return { handle: { ...handle, driver } as DatabaseHandle, count: () => n };
}

async function measure(label: string, handle: DatabaseHandle): Promise<DbFigures> {
  const q = queryOn(handle);
  const t0 = performance.now();
  await bareInserts(q, WARMUP_STEPS);
  await leaseCheckedInserts(handle, q, WARMUP_STEPS);
  const counted = counting(handle);
  await runnerJob(counted.handle, WARMUP_STEPS);
  console.log(
    `jobs bench, ${label}: warm-up (${WARMUP_STEPS.toLocaleString("en-US")} of each) ${((performance.now() - t0) / 1000).toFixed(1)} s; ` +
      `the runner's warm-up job made ${counted.count()} database round trips for ${WARMUP_STEPS.toLocaleString("en-US")} steps, a sleep and its resume ` +
      `(${(counted.count() / WARMUP_STEPS).toFixed(3)} per step)`,
  );

  const bare: number[] = [];
  const lease: number[] = [];
  const runs: RunnerTimes[] = [];
  const order = ["bare", "lease", "runner"] as const;
  for (let r = 0; r < ROUNDS; r++) {
    for (let k = 0; k < order.length; k++) {
      const which = order[(k + r) % order.length]!;
      if (which === "bare") bare.push(await bareInserts(q, STEPS));
      else if (which === "lease") lease.push(await leaseCheckedInserts(handle, q, STEPS));
      else runs.push(await runnerJob(handle, STEPS));
    }
    const last = runs.at(-1)!;
    console.log(
      `  round ${r + 1}/${ROUNDS}: bare INSERT ${bare.at(-1)!.toFixed(0)} ms, lease-checked INSERT ${lease.at(-1)!.toFixed(0)} ms, ` +
        `runner ${last.stepsMs.toFixed(0)} ms, resume ${last.resumeMs.toFixed(0)} ms`,
    );
  }
  // Reading back the recorded steps of a finished run, alone: the part of the resume that is one query.
  const loads: number[] = [];
  for (let i = 0; i < 3; i++) {
    const l0 = performance.now();
    const steps = await loadSteps(handle, runs.at(-1)!.runId);
    loads.push(performance.now() - l0);
    if (steps.size !== STEPS + 1) throw new Error(`expected ${STEPS + 1} recorded steps, found ${steps.size}`);
  }
  return {
    bareMs: median(bare),
    leaseMs: median(lease),
    runner: {
      stepsMs: median(runs.map((x) => x.stepsMs)),
      resumeMs: median(runs.map((x) => x.resumeMs)),
      replayMs: median(runs.map((x) => x.replayMs)),
      runId: "",
    },
    loadMs: median(loads),
    tripsPerStep: counted.count() / WARMUP_STEPS,
  };
}

function report(label: string, f: DbFigures, results: Result[]) {
  const n = STEPS.toLocaleString("en-US");
  const bareRate = perSec(STEPS, f.bareMs);
  const leaseRate = perSec(STEPS, f.leaseMs);
  const stepRate = perSec(STEPS, f.runner.stepsMs);
  const ratio = f.runner.stepsMs / f.bareMs;
  console.log(`jobs bench, ${label}: ${n} steps, median of ${ROUNDS}`);
  console.log(`  bare INSERT (one job_steps row each)    ${f.bareMs.toFixed(0).padStart(6)} ms  ${bareRate.toFixed(0).padStart(6)} inserts/s  (the floor)`);
  console.log(`  lease-checked INSERT (recordStep)       ${f.leaseMs.toFixed(0).padStart(6)} ms  ${leaseRate.toFixed(0).padStart(6)} /s         ${(f.leaseMs / f.bareMs).toFixed(2)}x the bare INSERT time`);
  console.log(`  inline runner, step.run                 ${f.runner.stepsMs.toFixed(0).padStart(6)} ms  ${stepRate.toFixed(0).padStart(6)} steps/s    ${ratio.toFixed(2)}x the bare INSERT time (${stepRate.toFixed(0)} steps/s vs ${bareRate.toFixed(0)} inserts/s)`);
  console.log(
    `  resume of a run with ${n} recorded steps ${f.runner.resumeMs.toFixed(0)} ms (claim, load, replay, finish; replay in the handler ${f.runner.replayMs.toFixed(0)} ms, loading the steps alone ${f.loadMs.toFixed(0)} ms)`,
  );
  results.push(
    { name: `bare INSERT, ${label}`, value: round(bareRate, 0), unit: "rows/s", budget: "- (the floor)" },
    { name: `lease-checked step INSERT, ${label}`, value: round(leaseRate, 0), unit: "rows/s", budget: `- (${round(f.leaseMs / f.bareMs, 2)}x bare time)` },
    { name: `inline runner ${n}-step job, ${label}`, value: round(stepRate, 0), unit: "steps/s", budget: `- (bare ${round(bareRate, 0)} inserts/s)` },
    { name: `inline runner time / bare INSERT time, ${label}`, value: round(ratio, 2), unit: "x", budget: "-" },
    { name: `inline runner round trips per step, ${label}`, value: round(f.tripsPerStep, 3), unit: "/step", budget: "- (1 statement per step)" },
    { name: `resume of ${n} recorded steps, ${label}`, value: round(f.runner.resumeMs, 0), unit: "ms", budget: "-" },
  );
}

function skipPostgres(results: Result[], reason: string) {
  console.log(`SKIPPED inline runner on PostgreSQL: ${reason}`);
  results.push({ name: "inline runner steps/s, PostgreSQL", value: null, unit: "skipped", budget: "-", skipped: reason });
}

export async function benchJobs(pgUrl: string | undefined, results: Result[]) {
  const load1 = os.loadavg()[0]!;
  const pglite = await createPgliteScratch();
  try {
    report("PGlite", await measure("PGlite (in-memory)", pglite), results);
  } finally {
    await pglite.close();
  }
  if (!pgUrl) skipPostgres(results, "no PostgreSQL server answers (set BENCH_DATABASE_URL or DATABASE_URL)");
  else {
    const { handle } = await createScratch(pgUrl, DB_NAME);
    try {
      report("PostgreSQL", await measure(`PostgreSQL (${new URL(pgUrl).host})`, handle), results);
    } finally {
      await handle.close();
      await dropScratch(pgUrl, DB_NAME);
    }
  }
  console.log(`load average (1 min) before / after the jobs bench: ${load1.toFixed(1)} / ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} CPUs`);
}
