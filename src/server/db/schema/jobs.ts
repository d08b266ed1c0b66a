import "server-only";
import { sql } from "drizzle-orm";
import { index, integer, json, jsonb, pgEnum, pgTable, primaryKey, text, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt, prefixedId, tstz, updatedAt } from "./_shared";

/**
 * The embedded job runner's durable state (src/server/jobs/inline): what Inngest keeps on its own servers when it
 * is configured. A run is a job executed for one event; its steps are the recorded results it replays on every
 * attempt, so a restart resumes a run where it stood.
 *
 * - queued: waiting to start (or, with a debounce, to stop receiving events) until `wakeAt`.
 * - running: an attempt holds the lease (`leaseOwner` until `leaseUntil`); an expired lease is taken over.
 * - sleeping: a `step.sleep` ends the attempt; the run wakes at `wakeAt`.
 * - retrying: an attempt failed; the next one starts at `wakeAt` (its back-off), `attempt` counts them.
 * - completed / failed / cancelled: finished (`finishedAt`); pruned after 7 days, failed runs after 30.
 * - held: brought back by a restore while unfinished; nothing claims it until an admin releases (back to queued) or
 *   cancels it, so a restore never re-drives work the lost copy may already have done.
 */
export const jobRunStatus = pgEnum("job_run_status", [
  "queued",
  "running",
  "sleeping",
  "retrying",
  "completed",
  "failed",
  "cancelled",
  "held",
]);

export const jobRuns = pgTable(
  "job_runs",
  {
    id: prefixedId("run"),
    jobId: text().notNull(),
    /**
     * The event that started the run (name, data, id, ts), as handed to the handler on every attempt. `json`, not
     * `jsonb`, here and for outputs: the text is kept as written, so replays see object keys in their original order.
     */
    event: json().notNull(),
    eventId: text().notNull(),
    status: jobRunStatus().notNull().default("queued"),
    /** Zero-based attempt: 0 until the first failure, as `ctx.attempt` reports it. */
    attempt: integer().notNull().default(0),
    /** Not claimed before this time: a sleep's end, a retry's back-off, a debounce or throttle delay. */
    wakeAt: tstz().notNull().defaultNow(),
    leaseOwner: text(),
    leaseUntil: tstz(),
    /** Flow-control keys evaluated from the event when the run was created (null: the job has none). */
    concurrencyKey: text(),
    throttleKey: text(),
    debounceKey: text(),
    output: json(),
    lastError: text(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    /** When the first attempt began (throttle counts starts in its period). */
    startedAt: tstz(),
    finishedAt: tstz(),
  },
  (t) => [
    // The poller's two questions: which waiting runs are due, and which leases have expired.
    index("job_runs_due_idx")
      .on(t.wakeAt)
      .where(sql`status in ('queued', 'sleeping', 'retrying')`),
    index("job_runs_lease_idx")
      .on(t.leaseUntil)
      .where(sql`status = 'running'`),
    index("job_runs_job_created_idx").on(t.jobId, t.createdAt),
    index("job_runs_status_finished_idx").on(t.status, t.finishedAt),
    index("job_runs_concurrency_idx")
      .on(t.jobId, t.concurrencyKey)
      .where(sql`status = 'running'`),
    index("job_runs_throttle_idx").on(t.jobId, t.throttleKey, t.startedAt),
    // One pending debounced run per job and key: later events replace its event and push its start back.
    uniqueIndex("job_runs_debounce_idx")
      .on(t.jobId, t.debounceKey)
      .where(sql`status = 'queued' and debounce_key is not null`),
  ],
);

/** `failed`: a step that threw (its error went to the handler); it runs again on a later attempt, not replayed. */
export const jobStepKind = pgEnum("job_step_kind", ["run", "sleep", "send_event", "failed"]);

/** A step's recorded result, keyed by its id in the run (a repeated id gets Inngest's `id:1`, `id:2`). */
export const jobSteps = pgTable(
  "job_steps",
  {
    runId: text()
      .notNull()
      .references(() => jobRuns.id, { onDelete: "cascade" }),
    stepKey: text().notNull(),
    kind: jobStepKind().notNull(),
    output: json(),
    /** Sleeps: the absolute time they end, fixed when the sleep began. */
    wakeAt: tstz(),
    /** The attempt that recorded it. */
    attempt: integer().notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.stepKey] })],
);

/**
 * Events sent through the embedded runner that started runs or carried an id. A second event with the same id within
 * 24 hours starts nothing (Inngest's event idempotency); after that the id is free again.
 */
export const jobEvents = pgTable(
  "job_events",
  {
    id: text().primaryKey(),
    name: text().notNull(),
    data: jsonb().notNull(),
    receivedAt: createdAt(),
  },
  (t) => [index("job_events_received_at_idx").on(t.receivedAt)],
);

/** Each cron job's last tick that started a run: replicas sharing the database fire a tick once. */
export const jobSchedules = pgTable("job_schedules", {
  jobId: text().notNull(),
  cron: text().notNull(),
  lastTick: tstz().notNull(),
  updatedAt: updatedAt(),
}, (t) => [primaryKey({ columns: [t.jobId, t.cron] })]);
