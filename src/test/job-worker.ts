/**
 * A stand-alone server process for the embedded job runner's crash test (run with tsx by `startJobWorker`, see
 * src/server/jobs/inline/crash.test.ts): opens the database named by DATABASE_URL, or the PGlite directory under
 * DATA_DIR, migrates it, and runs one job of <steps> steps through the process-wide inline runner, as the server's
 * start-up does (register, start polling). Its parent kills it with SIGKILL mid-way and starts it again.
 *
 * Every step has an idempotent effect (a row in job_crash_effects, unique per run and step) and leaves a
 * non-idempotent trace of each execution (a row in job_crash_executions with this process's generation), so the
 * test can tell effects from executions.
 *
 * Usage: job-worker.ts <generation> <steps>. It prints JSON lines on stdout:
 * - `{ "ready": { generation, pid, runId, recorded, lease } }` once the run exists, before the runner polls:
 *   `recorded` are the step numbers job_steps held at start (what an earlier process finished), `lease` the run's
 *   lease as the earlier process left it, with the database's clock (`now`), in epoch milliseconds;
 * - `{ "step": n }` after each execution of step n (before the runner records it);
 * - `{ "done": { status, attempts } }` when the run has ended; then it closes the database and exits.
 */
import { getDatabase, migrateDatabase } from "@/server/db";
import { rawQuery } from "@/server/db/raw";
import { dispatchEvents, inlineRunner, registerInlineJobs, startInlineRunner } from "@/server/jobs/inline/runner";
import type { JobDescriptor } from "@/server/jobs/types";

const JOB_ID = "test/crash-steps";
/** A fixed event id: the restarted process sends the event again, which starts nothing, and picks up the run. */
const EVENT_ID = "crash-test-run";

export type WorkerLine =
  | { ready: { generation: number; pid: number; runId: string; recorded: number[]; lease: { owner: string | null; untilMs: number | null; nowMs: number } } }
  | { step: number }
  | { done: { status: string; attempts: number } };

function print(line: WorkerLine): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

const generation = Number(process.argv[2]);
const steps = Number(process.argv[3]);
if (!(Number.isInteger(generation) && generation >= 1 && Number.isInteger(steps) && steps >= 1)) {
  throw new Error("usage: job-worker.ts <generation: 1, 2...> <steps>");
}

const handle = await getDatabase();
// A PGlite directory starts empty; on PostgreSQL the test's database is already migrated and this checks it.
await migrateDatabase(handle);
await rawQuery(`CREATE TABLE IF NOT EXISTS job_crash_effects (run_id text NOT NULL, step_no int NOT NULL, PRIMARY KEY (run_id, step_no))`);
await rawQuery(
  `CREATE TABLE IF NOT EXISTS job_crash_executions (run_id text NOT NULL, step_no int NOT NULL, generation int NOT NULL, pid int NOT NULL,
     at_ms float8 NOT NULL DEFAULT extract(epoch FROM clock_timestamp()) * 1000)`,
);

const job: JobDescriptor = {
  id: JOB_ID,
  name: JOB_ID,
  triggers: [{ event: "test/crash.requested" }],
  // A failure is the test's to report, not to retry away.
  retries: 0,
  handler: async ({ runId, step }) => {
    // One step id in a loop, as real jobs write it: the runner keys them effect, effect:1, effect:2...
    for (let n = 0; n < steps; n++) {
      await step.run("effect", async () => {
        await rawQuery(`INSERT INTO job_crash_executions (run_id, step_no, generation, pid) VALUES ($1, $2, $3, $4)`, [runId, n, generation, process.pid]);
        await rawQuery(`INSERT INTO job_crash_effects (run_id, step_no) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [runId, n]);
        print({ step: n });
        return n;
      });
    }
    return { steps };
  },
};

// What the previous process left, read before this runner claims anything.
const before = await rawQuery<{ id: string; lease_owner: string | null; lease_until_ms: number | null }>(
  `SELECT id, lease_owner, extract(epoch FROM lease_until)::float8 * 1000 AS lease_until_ms FROM job_runs WHERE event_id = $1`,
  [EVENT_ID],
);
const recorded = before[0]
  ? (await rawQuery<{ output: number }>(`SELECT output FROM job_steps WHERE run_id = $1 ORDER BY (output::text)::int`, [before[0].id])).map((r) => Number(r.output))
  : [];
const [clock] = await rawQuery<{ now_ms: number }>(`SELECT extract(epoch FROM now())::float8 * 1000 AS now_ms`);

registerInlineJobs([job]);
// The first process creates the run; a restarted one sends the same event id, which starts nothing.
await dispatchEvents([{ name: "test/crash.requested", data: {}, id: EVENT_ID }]);
const [run] = await rawQuery<{ id: string }>(`SELECT id FROM job_runs WHERE event_id = $1`, [EVENT_ID]);
if (!run) throw new Error("the crash test's run was not created");
print({
  ready: {
    generation,
    pid: process.pid,
    runId: run.id,
    recorded,
    lease: { owner: before[0]?.lease_owner ?? null, untilMs: before[0]?.lease_until_ms ?? null, nowMs: clock!.now_ms },
  },
});
startInlineRunner();
const result = await inlineRunner().waitFor(run.id);
print({ done: { status: result.status, attempts: result.attempts } });
inlineRunner().stop();
await handle.close();
process.exit(0);
