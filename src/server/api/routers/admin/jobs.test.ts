/**
 * admin.jobs (/admin/jobs): the embedded runner's runs and steps as an admin reads them, "retry now" and "cancel"
 * with their audit rows, and every refusal writing nothing. Runs and steps are inserted directly: the runner that
 * writes them is tested on its own. Their job ids are no registered job's, so the runner a retry wakes never claims
 * them while a test looks at them.
 */
import { describe, expect, it } from "vitest";
import { eq, like, sql } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { callerFor, signedIn, trpcCode } from "@/test/factories";
import { auditLog, jobRuns, jobSteps } from "@/server/db/schema";
import { JOB_RUN_STATUSES, type JobRunStatusName } from "@/lib/job-runs";
import { serviceContext } from "@/server/services/context";
import { adminCancelRun, adminRetryRun } from "@/server/services/jobs";
import { waitForInlineRuns } from "@/server/jobs/inline/runner";

const t = useTestDatabase();

type RunRow = typeof jobRuns.$inferInsert;

const at = (iso: string) => new Date(iso);

async function insertRun(values: Partial<RunRow> & { jobId?: string; status?: JobRunStatusName } = {}) {
  const eventId = values.eventId ?? `evt-${Math.random().toString(36).slice(2, 10)}`;
  const [row] = await t.db
    .insert(jobRuns)
    .values({
      jobId: "nightly-report",
      event: { name: "reports/nightly.requested", data: { day: "2026-01-01" }, id: eventId, ts: 1_767_225_600_000 },
      eventId,
      ...values,
    })
    .returning();
  return row!;
}

const runRow = async (id: string) => (await t.db.select().from(jobRuns).where(eq(jobRuns.id, id)))[0]!;
/** An admin whose sign-up's onboarding sequence run is gone: these tests count the runs they insert themselves. */
async function adminAlone() {
  const admin = await signedIn("admin");
  await waitForInlineRuns();
  await t.db.delete(jobRuns).where(eq(jobRuns.jobId, "onboarding-sequence"));
  return admin;
}
const jobAudits = () => t.db.select().from(auditLog).where(like(auditLog.action, "job.%"));

describe("admin.jobs reads", () => {
  it("lists runs newest first with attempts, event, error and timestamps; counts per status and the jobs seen", async () => {
    const { caller } = await adminAlone();
    const old = await insertRun({ status: "completed", createdAt: at("2026-01-01T10:00:00Z"), startedAt: at("2026-01-01T10:00:01Z"), finishedAt: at("2026-01-01T10:00:02Z") });
    const failed = await insertRun({
      jobId: "exchange-sync",
      status: "failed",
      attempt: 3,
      lastError: `Error: exchange timed out\n${"    at frame\n".repeat(100)}`,
      createdAt: at("2026-01-02T10:00:00Z"),
    });
    const sleeping = await insertRun({ status: "sleeping", wakeAt: at("2026-01-05T00:00:00Z"), createdAt: at("2026-01-03T10:00:00Z") });

    const list = await caller.admin.jobs.runs({ page: 1, pageSize: 25 });
    expect(list.items.map((r) => r.id)).toEqual([sleeping.id, failed.id, old.id]);
    expect(list.total).toBe(3);
    expect(list.all).toBe(3);
    expect(list.jobIds).toEqual(["exchange-sync", "nightly-report"]);
    expect(list.counts).toEqual({ queued: 0, running: 0, sleeping: 1, retrying: 0, completed: 1, failed: 1, cancelled: 0, held: 0 });
    const shown = list.items.find((r) => r.id === failed.id)!;
    expect(shown).toMatchObject({ jobId: "exchange-sync", status: "failed", attempt: 3, attempts: 4, eventName: "reports/nightly.requested", eventId: failed.eventId });
    // A stack trace is cut for the list; the detail has it whole.
    expect(shown.lastError?.truncated).toBe(true);
    expect(shown.lastError?.text.startsWith("Error: exchange timed out")).toBe(true);
    expect(list.items.find((r) => r.id === old.id)).toMatchObject({ startedAt: at("2026-01-01T10:00:01Z"), finishedAt: at("2026-01-01T10:00:02Z"), lastError: null });
    expect(list.items[0]!.wakeAt).toEqual(at("2026-01-05T00:00:00Z"));

    const page2 = await caller.admin.jobs.runs({ page: 2, pageSize: 2 });
    expect(page2.items.map((r) => r.id)).toEqual([old.id]);
  });

  it("filters by job and by status; counts follow the job filter only", async () => {
    const { caller } = await adminAlone();
    await insertRun({ jobId: "nightly-report", status: "completed" });
    await insertRun({ jobId: "nightly-report", status: "failed" });
    const syncFailed = await insertRun({ jobId: "exchange-sync", status: "failed" });
    await insertRun({ jobId: "exchange-sync", status: "sleeping" });

    const sync = await caller.admin.jobs.runs({ jobId: "exchange-sync", page: 1, pageSize: 25 });
    expect(sync.items.every((r) => r.jobId === "exchange-sync")).toBe(true);
    expect(sync.total).toBe(2);
    expect(sync.counts).toMatchObject({ failed: 1, sleeping: 1, completed: 0 });
    expect(sync.jobIds).toEqual(["exchange-sync", "nightly-report"]);

    const failedSync = await caller.admin.jobs.runs({ jobId: "exchange-sync", status: "failed", page: 1, pageSize: 25 });
    expect(failedSync.items.map((r) => r.id)).toEqual([syncFailed.id]);
    expect(failedSync.total).toBe(1);
    expect(failedSync.all).toBe(2);

    const failed = await caller.admin.jobs.runs({ status: "failed", page: 1, pageSize: 25 });
    expect(failed.items.map((r) => r.status)).toEqual(["failed", "failed"]);
    expect(failed.counts.completed).toBe(1);

    expect((await caller.admin.jobs.runs({ jobId: "no-such-job", page: 1, pageSize: 25 })).total).toBe(0);
    expect(await trpcCode(caller.admin.jobs.runs({ status: "paused" as never, page: 1, pageSize: 25 }))).toBe("BAD_REQUEST");
    expect(await trpcCode(caller.admin.jobs.runs({ jobId: "x".repeat(101), page: 1, pageSize: 25 }))).toBe("BAD_REQUEST");
  });

  it("shows one run with its steps in order, their outputs pretty-printed and cut, and its whole error", async () => {
    const { caller } = await signedIn("admin");
    const error = `Error: boom\n${"    at frame\n".repeat(100)}`;
    const run = await insertRun({ status: "failed", attempt: 2, lastError: error, output: null });
    await t.db.insert(jobSteps).values([
      { runId: run.id, stepKey: "load", kind: "run", output: { rows: 3 }, attempt: 0, createdAt: at("2026-01-01T10:00:00Z") },
      { runId: run.id, stepKey: "wait", kind: "sleep", output: null, wakeAt: at("2026-01-01T11:00:00Z"), attempt: 0, createdAt: at("2026-01-01T10:00:01Z") },
      { runId: run.id, stepKey: "big", kind: "run", output: { blob: "x".repeat(10_000) }, attempt: 1, createdAt: at("2026-01-01T11:00:01Z") },
      { runId: run.id, stepKey: "huge", kind: "run", output: { z: 1, blob: "y".repeat(200_000) }, attempt: 1, createdAt: at("2026-01-01T11:00:02Z") },
      { runId: run.id, stepKey: "threw", kind: "failed", output: { message: "exchange down" }, attempt: 1, createdAt: at("2026-01-01T11:00:03Z") },
    ]);
    const other = await insertRun({ status: "completed" });
    await t.db.insert(jobSteps).values({ runId: other.id, stepKey: "elsewhere", kind: "run", output: 1, attempt: 0 });

    const detail = await caller.admin.jobs.run({ id: run.id });
    expect(detail).toMatchObject({ id: run.id, status: "failed", attempt: 2, attempts: 3, stepTotal: 5, output: null });
    expect(detail.lastError).toEqual({ text: error, truncated: false });
    // As stored: name, data, id, ts (jsonb would have put the short keys first).
    expect(detail.event?.text).toMatch(/^\{\n  "name": "reports\/nightly.requested",\n  "data": \{/);
    expect(detail.steps.map((s) => [s.stepKey, s.kind, s.attempts])).toEqual([
      ["load", "run", 1],
      ["wait", "sleep", 1],
      ["big", "run", 2],
      ["huge", "run", 2],
      ["threw", "failed", 2],
    ]);
    expect(detail.steps[0]!.output).toEqual({ text: '{\n  "rows": 3\n}', truncated: false });
    expect(detail.steps[1]).toMatchObject({ output: null, wakeAt: at("2026-01-01T11:00:00Z") });
    expect(detail.steps[2]!.output?.truncated).toBe(true);
    expect(detail.steps[2]!.output!.text.length).toBeLessThan(10_000);
    // Too large to pretty-print: the start of the stored text, cut, in its own key order.
    expect(detail.steps[3]!.output?.truncated).toBe(true);
    expect(detail.steps[3]!.output!.text.startsWith('{"z":1,"blob":"yyy')).toBe(true);
    expect(detail.steps[3]!.output!.text.length).toBe(4_000);
    expect(detail.steps[4]!.output).toEqual({ text: '{\n  "message": "exchange down"\n}', truncated: false });

    expect(await trpcCode(caller.admin.jobs.run({ id: "run_00000000000000000000" }))).toBe("NOT_FOUND");
    for (const id of ["", "usr_abc", "run_ABC", "run_x\u0000", `run_${"a".repeat(41)}`]) {
      expect(await trpcCode(caller.admin.jobs.run({ id })), JSON.stringify(id)).toBe("BAD_REQUEST");
    }
  });

  it("says where jobs run and lists the cron jobs with their next run", async () => {
    const { caller } = await signedIn("admin");
    const { mode, scheduled } = await caller.admin.jobs.schedules();
    expect(mode).toBe("inline");
    expect(scheduled.map((s) => s.id)).toEqual(expect.arrayContaining(["audit-retention", "price-monitor"]));
    expect(scheduled.find((s) => s.id === "audit-retention")).toMatchObject({ cron: "0 3 * * *", timezone: "UTC" });
    for (const s of scheduled) expect(s.nextRunAt?.getTime()).toBeGreaterThan(Date.now() - 1_000);
  });
});

describe("admin.jobs.retry", () => {
  it("gives a failed run one more attempt, due now, keeping its steps, with an audit row", async () => {
    const admin = await signedIn("admin");
    const run = await insertRun({
      status: "failed",
      attempt: 3,
      lastError: "Error: boom",
      wakeAt: at("2026-01-01T00:00:00Z"),
      leaseOwner: "worker-1",
      leaseUntil: at("2026-01-01T00:01:00Z"),
      finishedAt: at("2026-01-01T00:00:30Z"),
    });
    await t.db.insert(jobSteps).values({ runId: run.id, stepKey: "load", kind: "run", output: { rows: 3 }, attempt: 0 });
    const before = Date.now();

    const result = await admin.caller.admin.jobs.retry({ id: run.id });
    expect(result).toMatchObject({ id: run.id, status: "retrying", attempt: 4, attempts: 5 });

    const after = await runRow(run.id);
    expect(after).toMatchObject({ status: "retrying", attempt: 4, finishedAt: null, leaseOwner: null, leaseUntil: null, lastError: "Error: boom" });
    expect(after.wakeAt.getTime()).toBeGreaterThanOrEqual(before - 1_000);
    expect(after.wakeAt.getTime()).toBeLessThanOrEqual(Date.now());
    expect(await t.db.select().from(jobSteps).where(eq(jobSteps.runId, run.id))).toHaveLength(1);

    const audit = await jobAudits();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: "job.run.retried", actorId: admin.user.id, targetType: "job_run", targetId: run.id, data: { jobId: "nightly-report", attempt: 4 } });
  });

  it("wakes this process's runner, which replays the recorded steps and finishes the run", async () => {
    const { caller } = await signedIn("admin");
    // A registered job (audit pruning, harmless here) whose one step succeeded before the run failed.
    const eventId = "evt-retention-retry";
    const run = await insertRun({ jobId: "audit-retention", event: { name: "audit/retention.requested", data: {}, id: eventId, ts: Date.now() }, eventId, status: "failed", attempt: 3, lastError: "Error: after the step" });
    await t.db.insert(jobSteps).values({ runId: run.id, stepKey: "prune-audit-log", kind: "run", output: 7, attempt: 0 });
    await caller.admin.jobs.retry({ id: run.id });
    // The runner is not started in tests (no poller): only the retry's wake-up can have it claim the run.
    await expect.poll(async () => (await runRow(run.id)).status, { timeout: 10_000, interval: 50 }).toBe("completed");
    // The step was not run again: its recorded output is the run's.
    expect(await runRow(run.id)).toMatchObject({ attempt: 4, output: { deleted: 7 } });
  });

  it("times the retry and a cancellation by the database's clock, which the runner goes by, not the app server's", async () => {
    const admin = await signedIn("admin");
    // An app server whose clock runs an hour ahead of the database's.
    const ctx = serviceContext({ actor: { id: admin.user.id, role: "admin" }, now: new Date(Date.now() + 3_600_000) });
    const failed = await insertRun({ status: "failed" });
    const sleeping = await insertRun({ status: "sleeping", wakeAt: at("2030-01-01T00:00:00Z") });
    await adminRetryRun(ctx, failed.id);
    await adminCancelRun(ctx, sleeping.id);
    const [{ dbNow }] = await t.db.execute<{ dbNow: Date }>(sql`select now() as "dbNow"`).then((r) => (Array.isArray(r) ? r : (r as unknown as { rows: { dbNow: Date }[] }).rows));
    expect((await runRow(failed.id)).wakeAt.getTime()).toBeLessThanOrEqual(new Date(dbNow).getTime());
    expect((await runRow(sleeping.id)).finishedAt!.getTime()).toBeLessThanOrEqual(new Date(dbNow).getTime());
  });

  it("refuses every run that is not failed, and unknown or malformed ids, writing nothing", async () => {
    const { caller } = await signedIn("admin");
    for (const status of JOB_RUN_STATUSES.filter((s) => s !== "failed")) {
      const run = await insertRun({ status, attempt: 1 });
      const err = await caller.admin.jobs.retry({ id: run.id }).catch((e: unknown) => e);
      expect(err, status).toMatchObject({ code: "CONFLICT", message: `Only a failed run can be retried; this one is ${status}` });
      expect(await runRow(run.id), status).toEqual(run);
    }
    expect(await trpcCode(caller.admin.jobs.retry({ id: "run_00000000000000000000" }))).toBe("NOT_FOUND");
    expect(await trpcCode(caller.admin.jobs.retry({ id: "not a run" }))).toBe("BAD_REQUEST");
    expect(await jobAudits()).toEqual([]);
  });

  it("refuses a second retry of the same run: it is no longer failed", async () => {
    const { caller } = await signedIn("admin");
    const run = await insertRun({ status: "failed" });
    await caller.admin.jobs.retry({ id: run.id });
    expect(await trpcCode(caller.admin.jobs.retry({ id: run.id }))).toBe("CONFLICT");
    expect(await runRow(run.id)).toMatchObject({ status: "retrying", attempt: 1 });
    expect(await jobAudits()).toHaveLength(1);
  });
});

describe("admin.jobs.cancel", () => {
  it("cancels a sleeping, queued or retrying run, keeping its wake-up time, with an audit row each", async () => {
    const admin = await signedIn("admin");
    const wakeAt = at("2030-01-01T00:00:00Z");
    for (const status of ["sleeping", "queued", "retrying"] as const) {
      const run = await insertRun({ status, wakeAt, attempt: 1 });
      const before = Date.now();
      await expect(admin.caller.admin.jobs.cancel({ id: run.id })).resolves.toMatchObject({ id: run.id, status: "cancelled" });
      const after = await runRow(run.id);
      expect(after, status).toMatchObject({ status: "cancelled", wakeAt, attempt: 1, leaseOwner: null, leaseUntil: null });
      expect(after.finishedAt!.getTime(), status).toBeGreaterThanOrEqual(before - 1_000);
      const audit = (await jobAudits()).filter((a) => a.targetId === run.id);
      expect(audit, status).toEqual([
        expect.objectContaining({ action: "job.run.cancelled", actorId: admin.user.id, targetType: "job_run", data: { jobId: "nightly-report", from: status } }),
      ]);
    }
  });

  it("refuses a running or finished run, and unknown ids, writing nothing", async () => {
    const { caller } = await signedIn("admin");
    for (const status of ["running", "completed", "failed", "cancelled"] as const) {
      const run = await insertRun({ status, leaseOwner: status === "running" ? "worker-1" : null });
      const err = await caller.admin.jobs.cancel({ id: run.id }).catch((e: unknown) => e);
      expect(err, status).toMatchObject({ code: "CONFLICT", message: `Only a queued, sleeping or retrying run can be cancelled; this one is ${status}` });
      expect(await runRow(run.id), status).toEqual(run);
    }
    expect(await trpcCode(caller.admin.jobs.cancel({ id: "run_00000000000000000000" }))).toBe("NOT_FOUND");
    expect(await jobAudits()).toEqual([]);
  });
});

describe("admin.jobs access", () => {
  const calls = {
    runs: (c: Awaited<ReturnType<typeof callerFor>>) => c.admin.jobs.runs({ page: 1, pageSize: 25 }),
    run: (c: Awaited<ReturnType<typeof callerFor>>, id: string) => c.admin.jobs.run({ id }),
    schedules: (c: Awaited<ReturnType<typeof callerFor>>) => c.admin.jobs.schedules(),
    retry: (c: Awaited<ReturnType<typeof callerFor>>, id: string) => c.admin.jobs.retry({ id }),
    cancelSleeping: (c: Awaited<ReturnType<typeof callerFor>>, _failed: string, sleeping: string) => c.admin.jobs.cancel({ id: sleeping }),
  };

  it("refuses traders and providers (FORBIDDEN) and visitors (UNAUTHORIZED) on every procedure, writing nothing", async () => {
    const failed = await insertRun({ status: "failed" });
    const sleeping = await insertRun({ status: "sleeping" });
    const callers = [
      ["trader", (await signedIn("subscriber")).caller, "FORBIDDEN"],
      ["provider", (await signedIn("provider")).caller, "FORBIDDEN"],
      ["visitor", await callerFor(null), "UNAUTHORIZED"],
    ] as const;
    for (const [who, caller, code] of callers) {
      for (const [name, call] of Object.entries(calls)) {
        expect(await trpcCode(call(caller, failed.id, sleeping.id)), `${who} ${name}`).toBe(code);
      }
    }
    expect(await runRow(failed.id)).toEqual(failed);
    expect(await runRow(sleeping.id)).toEqual(sleeping);
    expect(await jobAudits()).toEqual([]);
  });
});
