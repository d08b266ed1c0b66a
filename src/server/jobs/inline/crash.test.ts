/**
 * Issue 12, acceptance 5: a server process executing a 2,000-step job through the embedded runner is killed with
 * SIGKILL mid-way and started again on the same database. The run completes; every step's effect is there once; no
 * step the dead process recorded runs again; only the step it was executing (the job's steps run one after another)
 * may run a second time (steps are at-least-once); and the restarted runner takes the run over only once the dead
 * one's lease has expired.
 *
 * Real processes (src/test/job-worker.ts) on a database both can open: on PostgreSQL a database of this test's own;
 * on PGlite a data directory in a temporary folder, which the first process (dead by SIGKILL, as in a real crash)
 * no longer has open when the second opens it.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { openPglite, type DatabaseHandle } from "@/server/db";
import { executeRows } from "@/server/db/raw";
import { createTestDatabase } from "@/test/db";
import { killStrayProcesses, startJobWorker, type JobWorkerOptions } from "@/test/processes";

const STEPS = 2000;
/** Steps the first process has executed when it is killed: some hundreds recorded, most of the job still to run. */
const KILL_AT_STEP = 500;
// Long enough for the restarted process to be up before the dead one's lease expires, so the test sees it wait for
// the expiry rather than find it long past: about 1.5 s on PostgreSQL (tsx, the modules), 3.5 s on PGlite (opening a
// directory left by a crash takes another 1.5 s, and its migration check 0.3 s), with room for a busy machine: the
// suite runs CPU-bound files beside this one (the optimiser's acceptance runs, worker-thread pools), and a restart on
// PGlite once took 12 s under that load, and PostgreSQL over 4 s.
const LEASE_MS = process.env.DATABASE_URL ? 10_000 : 15_000;
const POLL_MS = 100;

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  await killStrayProcesses();
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** A database two processes can use one after another, and how this test opens it once they are done. */
async function sharedDatabase(): Promise<{ database: JobWorkerOptions["database"]; open: () => Promise<DatabaseHandle> }> {
  const url = process.env.DATABASE_URL;
  if (url) {
    // A copy of the run's migrated template, dropped by close() (src/test/db.ts).
    const handle = await createTestDatabase();
    cleanups.push(() => handle.close());
    const [row] = await executeRows<{ name: string }>(handle.db, sql`select current_database() as name`);
    return { database: { url: url.replace(/\/[^/?]+(\?|$)/, `/${row!.name}$1`) }, open: async () => handle };
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tradsy-job-crash-"));
  cleanups.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }));
  return {
    database: { dataDir },
    open: async () => {
      // Where the worker's getDatabase() put it (pgliteDir(): <DATA_DIR>/pglite).
      const handle = await openPglite(path.join(dataDir, "pglite"));
      cleanups.push(() => handle.close());
      return handle;
    },
  };
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe("a durable run whose process is killed mid-way", () => {
  it("completes after a restart, each step's effect once, no recorded step executed again (real SIGKILL)", { timeout: 90_000 }, async () => {
    const shared = await sharedDatabase();
    const options = { steps: STEPS, database: shared.database, leaseMs: LEASE_MS, pollMs: POLL_MS };

    const first = startJobWorker({ generation: 1, ...options });
    const started = await first.waitFor("its run", (line) => ("ready" in line ? line.ready : undefined), 60_000);
    await first.waitFor(`step ${KILL_AT_STEP}`, (line) => ("step" in line && line.step >= KILL_AT_STEP ? line.step : undefined));
    await first.kill();

    const second = startJobWorker({ generation: 2, ...options });
    const restarted = await second.waitFor("its run", (line) => ("ready" in line ? line.ready : undefined), 60_000);
    const done = await second.waitFor("the end of the run", (line) => ("done" in line ? line.done : undefined), 60_000);
    expect(await second.exited).toBe("0");

    // The restart sent the same event again, which started nothing: it finished the first process's run.
    expect(restarted.runId).toBe(started.runId);
    expect(done.status).toBe("completed");
    const handle = await shared.open();
    const runId = started.runId;
    const rows = <T extends Record<string, unknown>>(query: ReturnType<typeof sql>) => executeRows<T>(handle.db, query);
    expect(await rows(sql`select id, status from job_runs`)).toEqual([{ id: runId, status: "completed" }]);
    expect(await rows(sql`select count(*)::int as n from job_steps where run_id = ${runId}`)).toEqual([{ n: STEPS }]);

    // Killed mid-way: the steps the first process recorded are a prefix of the job, at least the ones it had
    // finished before it began the step it printed, and not all of them.
    const recorded = restarted.recorded;
    expect(recorded.length).toBeGreaterThanOrEqual(KILL_AT_STEP);
    expect(recorded.length).toBeLessThan(STEPS);
    expect(recorded).toEqual(range(recorded.length));

    // Every effect exactly once.
    const effects = await rows<{ step_no: number; n: number }>(
      sql`select step_no, count(*)::int as n from job_crash_effects where run_id = ${runId} group by step_no order by step_no`,
    );
    expect(effects.length, "steps whose effect is present").toBe(STEPS);
    expect(effects.filter((e, i) => e.step_no !== i || e.n !== 1)).toEqual([]);

    // Executions, by process.
    const executions = await rows<{ step_no: number; generation: number; at_ms: number }>(
      sql`select step_no, generation, at_ms from job_crash_executions where run_id = ${runId} order by at_ms, generation`,
    );
    const recordedSet = new Set(recorded);
    const againAfterRestart = executions.filter((e) => e.generation === 2 && recordedSet.has(e.step_no)).map((e) => e.step_no);
    expect(againAfterRestart, "recorded steps executed again after the restart").toEqual([]);
    const byStep = new Map<number, number[]>();
    for (const e of executions) byStep.set(e.step_no, [...(byStep.get(e.step_no) ?? []), e.generation]);
    // The step that was executing at the kill: run by the restart, and by the first process too if the kill came
    // after it began (at-least-once). Every other step ran exactly once: the recorded ones in the first process,
    // the rest in the second.
    const interrupted = recorded.length;
    expect([[2], [1, 2]]).toContainEqual(byStep.get(interrupted));
    const expected = (n: number) => (n < interrupted ? [1] : n === interrupted ? byStep.get(n) : [2]);
    const wrong = range(STEPS).filter((n) => JSON.stringify(byStep.get(n) ?? []) !== JSON.stringify(expected(n)));
    expect(wrong.map((n) => `step ${n} executed by ${JSON.stringify(byStep.get(n) ?? [])}`)).toEqual([]);
    expect(executions.length).toBe(STEPS + byStep.get(interrupted)!.length - 1);

    // Taken over only once the lease expired: the dead runner held the run when the restart came up, and the
    // restart's first execution is no earlier than the end of that lease (its last renewal + JOBS_LEASE_MS).
    expect(restarted.lease.owner).not.toBeNull();
    expect(restarted.lease.untilMs).not.toBeNull();
    expect(restarted.lease.nowMs, "the restart came up after the lease had expired: raise LEASE_MS").toBeLessThan(restarted.lease.untilMs!);
    const firstByRestart = Math.min(...executions.filter((e) => e.generation === 2).map((e) => e.at_ms));
    expect(firstByRestart).toBeGreaterThanOrEqual(restarted.lease.untilMs!);
  });
});
