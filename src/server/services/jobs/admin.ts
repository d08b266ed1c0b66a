/**
 * The embedded job runner's runs as admins read and steer them (/admin/jobs): the list by job and status, one run
 * with its recorded steps, "retry now" for a failed run and "cancel" for one no worker holds. The runner
 * (src/server/jobs/inline) owns the tables' life cycle; this module only ever moves a run out of a state no worker
 * holds (failed, or waiting), in one conditional UPDATE, so it never races an attempt in progress. Retries and
 * cancellations are audited in the same transaction.
 *
 * Under Inngest (`jobsMode()` "inngest") runs live on the Inngest server and these tables stay empty.
 */
import "server-only";
import { and, count, desc, asc, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { PgUpdateSetSource } from "drizzle-orm/pg-core";
import { db, type Executor } from "@/server/db";
import { jobRuns, jobSteps } from "@/server/db/schema";
import { ConflictError, NotFoundError } from "@/server/errors";
import { recordAudit } from "@/server/services/audit";
import type { ActingContext } from "@/server/services/context";
import { jobsMode, type JobsMode } from "@/server/jobs/client";
import { wakeInlineRunner } from "@/server/jobs/inline/runner";
import { listScheduledJobs } from "@/server/jobs/inline/scheduler";
import { CANCELLABLE_STATUSES, ERROR_PREVIEW_CHARS, JOB_RUN_STATUSES, JSON_PREVIEW_CHARS, RETRYABLE_STATUSES, type JobRunFilters, type JobRunStatusName } from "@/lib/job-runs";

const LIST_ERROR_CHARS = 300;

/** Text cut to `max` characters; `truncated` says whether anything was cut (the query fetches one more to know). */
export interface Clipped {
  text: string;
  truncated: boolean;
}

function clip(text: string | null, max: number): Clipped | null {
  if (text === null) return null;
  return text.length > max ? { text: text.slice(0, max), truncated: true } : { text, truncated: false };
}

/**
 * Above this many bytes a JSON value is not read whole to be pretty-printed: the page shows the start of its text as
 * stored (compact) instead, so a multi-megabyte step output never leaves the database whole.
 */
const PRETTY_MAX_BYTES = 64 * 1024;

/**
 * A json column's text for display: whole when small enough to pretty-print here, else its first `max + 1`
 * characters. The columns are `json`, kept as written (key order included), so the text is read as stored rather
 * than through jsonb, which would reorder the keys.
 */
const jsonText = (column: SQL | typeof jobRuns.event, max: number) =>
  sql<string | null>`case when octet_length(${column}::text) <= ${PRETTY_MAX_BYTES} then ${column}::text else left(${column}::text, ${max + 1}) end`;

/** Pretty-printed (two spaces, the stored key order) and cut to `max`; a value too large to parse is shown as stored, cut. */
function jsonPreview(text: string | null, max: number): Clipped | null {
  if (text === null) return null;
  let pretty = text;
  try {
    pretty = JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    // Cut by jsonText (or not JSON at all): shown as stored.
  }
  return clip(pretty, max);
}
const leftText = (column: SQL | typeof jobRuns.lastError, max: number) => sql<string | null>`left(${column}, ${max + 1})`;
const eventName = sql<string | null>`${jobRuns.event}->>'name'`;

export interface AdminRunListInput extends JobRunFilters {
  page: number;
  pageSize: number;
}

/**
 * Runs newest first, narrowed by job and status. `counts` are per status under the job filter alone (the status
 * tabs); `jobIds` every job that has runs, for the job filter.
 */
export async function adminListRuns(input: AdminRunListInput) {
  const byJob = input.jobId ? eq(jobRuns.jobId, input.jobId) : undefined;
  const where = and(byJob, input.status ? eq(jobRuns.status, input.status) : undefined);
  const [rows, perStatus, jobs] = await Promise.all([
    db
      .select({
        id: jobRuns.id,
        jobId: jobRuns.jobId,
        status: jobRuns.status,
        attempt: jobRuns.attempt,
        eventName,
        eventId: jobRuns.eventId,
        wakeAt: jobRuns.wakeAt,
        lastError: leftText(jobRuns.lastError, LIST_ERROR_CHARS),
        createdAt: jobRuns.createdAt,
        startedAt: jobRuns.startedAt,
        finishedAt: jobRuns.finishedAt,
        updatedAt: jobRuns.updatedAt,
      })
      .from(jobRuns)
      .where(where)
      .orderBy(desc(jobRuns.createdAt), desc(jobRuns.id))
      .limit(input.pageSize)
      .offset((input.page - 1) * input.pageSize),
    db.select({ status: jobRuns.status, n: count() }).from(jobRuns).where(byJob).groupBy(jobRuns.status),
    db.selectDistinct({ jobId: jobRuns.jobId }).from(jobRuns).orderBy(asc(jobRuns.jobId)),
  ]);
  const counts = Object.fromEntries(JOB_RUN_STATUSES.map((s) => [s, 0])) as Record<JobRunStatusName, number>;
  for (const { status, n } of perStatus) counts[status] = n;
  const all = Object.values(counts).reduce((a, b) => a + b, 0);
  return {
    items: rows.map(({ lastError, ...run }) => ({ ...run, attempts: run.attempt + 1, lastError: clip(lastError, LIST_ERROR_CHARS) })),
    total: input.status ? counts[input.status] : all,
    page: input.page,
    pageSize: input.pageSize,
    counts,
    /** Runs under the job filter, whatever their status. */
    all,
    jobIds: jobs.map((j) => j.jobId),
  };
}

export const RUN_STEPS_PAGE_SIZE = 100;

/** One run with a page of its recorded steps, oldest first. Unknown id: NotFoundError. */
export async function adminGetRun(id: string, stepPage = 1) {
  const [run] = await db
    .select({
      id: jobRuns.id,
      jobId: jobRuns.jobId,
      status: jobRuns.status,
      attempt: jobRuns.attempt,
      eventName,
      eventId: jobRuns.eventId,
      event: jsonText(jobRuns.event, JSON_PREVIEW_CHARS),
      output: jsonText(sql`${jobRuns.output}`, JSON_PREVIEW_CHARS),
      lastError: leftText(jobRuns.lastError, ERROR_PREVIEW_CHARS),
      wakeAt: jobRuns.wakeAt,
      leaseOwner: jobRuns.leaseOwner,
      leaseUntil: jobRuns.leaseUntil,
      concurrencyKey: jobRuns.concurrencyKey,
      throttleKey: jobRuns.throttleKey,
      debounceKey: jobRuns.debounceKey,
      createdAt: jobRuns.createdAt,
      updatedAt: jobRuns.updatedAt,
      startedAt: jobRuns.startedAt,
      finishedAt: jobRuns.finishedAt,
    })
    .from(jobRuns)
    .where(eq(jobRuns.id, id));
  if (!run) throw new NotFoundError("No job run with that id");
  const [steps, [stepTotal]] = await Promise.all([
    db
      .select({
        stepKey: jobSteps.stepKey,
        kind: jobSteps.kind,
        output: jsonText(sql`${jobSteps.output}`, JSON_PREVIEW_CHARS),
        wakeAt: jobSteps.wakeAt,
        attempt: jobSteps.attempt,
        createdAt: jobSteps.createdAt,
      })
      .from(jobSteps)
      .where(eq(jobSteps.runId, id))
      // Steps recorded in one transaction share created_at (now() is the transaction's start): the key breaks ties.
      .orderBy(asc(jobSteps.createdAt), asc(jobSteps.stepKey))
      .limit(RUN_STEPS_PAGE_SIZE)
      .offset((stepPage - 1) * RUN_STEPS_PAGE_SIZE),
    db.select({ n: count() }).from(jobSteps).where(eq(jobSteps.runId, id)),
  ]);
  return {
    ...run,
    attempts: run.attempt + 1,
    event: jsonPreview(run.event, JSON_PREVIEW_CHARS),
    output: jsonPreview(run.output, JSON_PREVIEW_CHARS),
    lastError: clip(run.lastError, ERROR_PREVIEW_CHARS),
    steps: steps.map((s) => ({ ...s, attempts: s.attempt + 1, output: jsonPreview(s.output, JSON_PREVIEW_CHARS) })),
    stepTotal: stepTotal?.n ?? 0,
    stepPage,
    stepPageSize: RUN_STEPS_PAGE_SIZE,
  };
}

/** Why a run cannot be moved: NotFoundError when there is no such run, else a ConflictError naming its status. */
async function refusal(tx: Executor, id: string, allowed: string, verb: string): Promise<never> {
  const [current] = await tx.select({ status: jobRuns.status }).from(jobRuns).where(eq(jobRuns.id, id));
  if (!current) throw new NotFoundError("No job run with that id");
  throw new ConflictError(`Only ${allowed} run can be ${verb}; this one is ${current.status}`);
}

const moved = { id: jobRuns.id, jobId: jobRuns.jobId, status: jobRuns.status, attempt: jobRuns.attempt, wakeAt: jobRuns.wakeAt };
type Moved = { id: string; jobId: string; status: JobRunStatusName; attempt: number; wakeAt: Date };

/**
 * Moves a run out of a state no worker holds (`from`), with its audit row, in one transaction. The row is locked first,
 * so a worker claiming the run waits for this transaction and then finds it moved; a run in any other state is refused
 * (NotFound or Conflict) and nothing is written. Times come from the database's clock, the one the runner decides by
 * (README, "Clock"): an app server whose clock runs ahead cannot push a retry into the future.
 */
async function moveRun(
  ctx: ActingContext,
  id: string,
  move: {
    from: readonly JobRunStatusName[];
    refused: [allowed: string, verb: string];
    set: PgUpdateSetSource<typeof jobRuns>;
    action: string;
    data: (row: Moved, before: JobRunStatusName) => Record<string, unknown>;
  },
): Promise<Moved> {
  return db.transaction(async (tx) => {
    const [before] = await tx
      .select({ status: jobRuns.status })
      .from(jobRuns)
      .where(and(eq(jobRuns.id, id), inArray(jobRuns.status, [...move.from])))
      .for("update");
    if (!before) return refusal(tx, id, ...move.refused);
    const [row] = (await tx
      .update(jobRuns)
      .set({ ...move.set, leaseOwner: null, leaseUntil: null, updatedAt: sql`now()` })
      .where(eq(jobRuns.id, id))
      .returning(moved)) as [Moved];
    await recordAudit(tx, { actorId: ctx.actor.id, action: move.action, targetType: "job_run", targetId: row.id, data: move.data(row, before.status), ip: ctx.ip, userAgent: ctx.userAgent });
    return row;
  });
}

/**
 * "Retry now": a failed run gets one more attempt, due at once. Its recorded steps stay, so the new attempt skips the
 * ones that succeeded, as an automatic retry does. Anything but a failed run is refused and nothing is written.
 */
export async function adminRetryRun(ctx: ActingContext, id: string) {
  const run = await moveRun(ctx, id, {
    from: RETRYABLE_STATUSES,
    refused: ["a failed", "retried"],
    set: { status: "retrying", attempt: sql`${jobRuns.attempt} + 1`, wakeAt: sql`now()`, finishedAt: null },
    action: "job.run.retried",
    data: (row) => ({ jobId: row.jobId, attempt: row.attempt }),
  });
  // Due now: this process's runner looks at once rather than at its next poll (any replica's poll would find it too).
  // Under Inngest no inline runner works here, and waking one would start it.
  if (jobsMode() === "inline") wakeInlineRunner();
  return { ...run, attempts: run.attempt + 1 };
}

/**
 * "Cancel": a run waiting to start, asleep or waiting out a retry's back-off ends as cancelled; its wake-up time is
 * kept as a record of when it would have gone on. A running or finished run is refused and nothing is written.
 */
export async function adminCancelRun(ctx: ActingContext, id: string) {
  const run = await moveRun(ctx, id, {
    from: CANCELLABLE_STATUSES,
    refused: ["a queued, sleeping or retrying", "cancelled"],
    set: { status: "cancelled", finishedAt: sql`now()` },
    action: "job.run.cancelled",
    data: (row, before) => ({ jobId: row.jobId, from: before }),
  });
  return { ...run, attempts: run.attempt + 1 };
}

/** Where jobs run, and the cron jobs with their next tick, for the page's schedule section. */
export function adminJobSchedules(): { mode: JobsMode; scheduled: { id: string; name: string; cron: string; timezone: string; nextRunAt: Date | null; scheduledBy: "inline" | "inngest" | "none" }[] } {
  return {
    mode: jobsMode(),
    scheduled: listScheduledJobs().map(({ id, name, cron, timezone, nextRunAt, scheduledBy }) => ({ id, name, cron, timezone, nextRunAt, scheduledBy })),
  };
}
