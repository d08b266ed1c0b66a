/**
 * The embedded runner's durable state: every statement it runs against job_runs, job_steps, job_events and
 * job_schedules (src/server/db/schema/jobs.ts), on PGlite or PostgreSQL.
 *
 * Ownership of a run is a lease: claiming sets `lease_owner` and `lease_until`; every write an attempt makes (a step's
 * result, the attempt's end) is conditional on still holding it, in the same statement. A runner whose lease expired
 * (a crashed or stalled process) therefore cannot record anything after another runner took the run over.
 */
import "server-only";
import type { PGlite, Transaction } from "@electric-sql/pglite";
import type { Sql, TransactionSql } from "postgres";
import type { DatabaseHandle } from "@/server/db";
import { rawQueryOn } from "@/server/db/raw";
import { newId } from "@/lib/ids";
import type { JobRunStatusName } from "@/lib/job-runs";
import type { FlowControl } from "../flow-control";

type Row = Record<string, unknown>;
/** One statement on a connection or inside a transaction. */
export type Query = <T extends Row = Row>(text: string, params?: readonly unknown[]) => Promise<T[]>;

type RunStatus = JobRunStatusName;
const TERMINAL_STATUSES: readonly RunStatus[] = ["completed", "failed", "cancelled"];

export interface StoredEvent {
  name: string;
  data: unknown;
  id: string;
  ts: number;
}

export interface ClaimedRun {
  id: string;
  jobId: string;
  event: StoredEvent;
  attempt: number;
  /** The database clock minus this process's at the claim: sleeps are timed on the clock that decides "due". */
  clockOffsetMs: number;
}

export interface StoredStep {
  key: string;
  kind: "run" | "sleep" | "send_event" | "failed";
  output: unknown;
  wakeAt: Date | null;
}

export interface RunOutcome {
  id: string;
  jobId: string;
  status: RunStatus;
  attempt: number;
  output: unknown;
  lastError: string | null;
}

function queryOn(handle: DatabaseHandle): Query {
  return (text, params = []) => rawQueryOn(handle, text, params) as never;
}

async function inTransaction<T>(handle: DatabaseHandle, work: (q: Query) => Promise<T>): Promise<T> {
  if (handle.kind === "postgres") {
    return (handle.driver as Sql).begin((tx: TransactionSql) =>
      work((text, params = []) => tx.unsafe(text, params as never[], { prepare: true }) as unknown as Promise<never[]>),
    ) as Promise<T>;
  }
  return (handle.driver as PGlite).transaction((tx: Transaction) =>
    work(async (text, params = []) => (await tx.query(text, params as unknown[])).rows as never[]),
  );
}

function json(value: unknown): string {
  return JSON.stringify(value ?? null);
}

/** Dates go as ISO strings cast in SQL: both drivers then send them alike (see src/server/db/raw.ts). */
function iso(date: Date | null | undefined): string | null {
  return date ? date.toISOString() : null;
}

export interface NewRun {
  jobId: string;
  event: StoredEvent;
  flow: FlowControl;
  keys: { concurrency: string | null; throttle: string | null; debounce: string | null };
}

export interface EnqueuedEvent {
  event: StoredEvent;
  /** False when an event with this id arrived in the last 24 hours: it started nothing. */
  accepted: boolean;
  /** The runs it started or joined (a debounced run gathers the events of its period). */
  runIds: string[];
}

const INSERT_EVENT = `
  INSERT INTO job_events (id, name, data) VALUES ($1, $2, $3::text::jsonb)
  ON CONFLICT (id) DO UPDATE SET name = excluded.name, data = excluded.data, received_at = now()
    WHERE job_events.received_at < now() - interval '24 hours'
  RETURNING id`;

const INSERT_RUN = `
  INSERT INTO job_runs (id, job_id, event, event_id, concurrency_key, throttle_key)
  VALUES ($1, $2, $3::text::json, $4, $5, $6) RETURNING id`;

// A debounced run waits `period` after the latest event (never past `timeout` after the first), and runs with it.
const UPSERT_DEBOUNCED_RUN = `
  INSERT INTO job_runs (id, job_id, event, event_id, concurrency_key, throttle_key, debounce_key, wake_at)
  VALUES ($1, $2, $3::text::json, $4, $5, $6, $7, now() + $8::int * interval '1 millisecond')
  ON CONFLICT (job_id, debounce_key) WHERE status = 'queued' and debounce_key is not null
  DO UPDATE SET event = excluded.event, event_id = excluded.event_id, concurrency_key = excluded.concurrency_key,
    throttle_key = excluded.throttle_key, updated_at = now(),
    wake_at = CASE WHEN $9::int IS NULL THEN excluded.wake_at
      ELSE least(excluded.wake_at, job_runs.created_at + $9::int * interval '1 millisecond') END
  RETURNING id`;

async function insertRun(q: Query, run: NewRun): Promise<string> {
  const { jobId, event, flow, keys } = run;
  if (flow.debounce) {
    const [row] = await q<{ id: string }>(UPSERT_DEBOUNCED_RUN, [
      newId("run"), jobId, json(event), event.id, keys.concurrency, keys.throttle, keys.debounce,
      flow.debounce.periodMs, flow.debounce.timeoutMs,
    ]);
    return row!.id;
  }
  const [row] = await q<{ id: string }>(INSERT_RUN, [newId("run"), jobId, json(event), event.id, keys.concurrency, keys.throttle]);
  return row!.id;
}

/**
 * Records events and creates their runs in one transaction. An event is recorded when it starts a run or carries a
 * caller's id (which must be deduplicated); one that does neither touches nothing.
 */
export async function enqueueEvents(
  handle: DatabaseHandle,
  batch: readonly { event: StoredEvent; deduplicate: boolean; runs: readonly NewRun[] }[],
): Promise<EnqueuedEvent[]> {
  const work = batch.filter((b) => b.deduplicate || b.runs.length > 0);
  if (work.length === 0) return batch.map((b) => ({ event: b.event, accepted: true, runIds: [] }));
  return inTransaction(handle, async (q) => {
    const out: EnqueuedEvent[] = [];
    for (const b of batch) {
      if (!b.deduplicate && b.runs.length === 0) {
        out.push({ event: b.event, accepted: true, runIds: [] });
        continue;
      }
      const inserted = await q(INSERT_EVENT, [b.event.id, b.event.name, json(b.event.data)]);
      if (inserted.length === 0) {
        out.push({ event: b.event, accepted: false, runIds: [] });
        continue;
      }
      const runIds: string[] = [];
      for (const run of b.runs) runIds.push(await insertRun(q, run));
      out.push({ event: b.event, accepted: true, runIds });
    }
    return out;
  });
}

/**
 * Fires one cron tick: moves the job's last tick forward and creates its run, once across every runner sharing the
 * database (the replica that moves `last_tick` creates the run). Returns the run id, or null when another runner (or
 * an earlier call) fired this tick already.
 */
export async function fireCronTick(handle: DatabaseHandle, run: NewRun, cron: string, tick: Date): Promise<string | null> {
  return inTransaction(handle, async (q) => {
    const moved = await q(
      `INSERT INTO job_schedules (job_id, cron, last_tick) VALUES ($1, $2, $3::timestamptz)
       ON CONFLICT (job_id, cron) DO UPDATE SET last_tick = excluded.last_tick, updated_at = now()
         WHERE job_schedules.last_tick < excluded.last_tick
       RETURNING job_id`,
      [run.jobId, cron, iso(tick)],
    );
    if (moved.length === 0) return null;
    return insertRun(q, run);
  });
}

/** The last tick that fired for a cron trigger, or null if it never did on this database. */
export async function lastCronTick(handle: DatabaseHandle, jobId: string, cron: string): Promise<Date | null> {
  const [row] = await queryOn(handle)<{ last_tick: Date }>(
    `SELECT last_tick FROM job_schedules WHERE job_id = $1 AND cron = $2`,
    [jobId, cron],
  );
  return row ? new Date(row.last_tick) : null;
}

/** Records a tick as the starting point without running it (the first start on a database has missed nothing). */
export async function markCronTick(handle: DatabaseHandle, jobId: string, cron: string, tick: Date): Promise<void> {
  await queryOn(handle)(
    `INSERT INTO job_schedules (job_id, cron, last_tick) VALUES ($1, $2, $3::timestamptz) ON CONFLICT (job_id, cron) DO NOTHING`,
    [jobId, cron, iso(tick)],
  );
}

type Candidate = {
  id: string;
  job_id: string;
  concurrency_key: string | null;
  throttle_key: string | null;
  started_at: Date | null;
};

// Oldest first (by wake-up, then creation), so runs sharing a concurrency key start in the order they were sent.
// The window is wider than the free slots: runs held back by their key's limit are skipped, not in the way.
// Neither query finds anything while a maintenance window is open (services/maintenance: a restore holds one): an
// uncorrelated NOT EXISTS, evaluated once per statement over a partial index of open windows.
const NO_MAINTENANCE = "NOT EXISTS (SELECT 1 FROM ops_maintenance WHERE ended_at IS NULL)";

const CANDIDATES_DUE = `
  SELECT id, job_id, concurrency_key, throttle_key, started_at FROM job_runs
  WHERE status IN ('queued', 'sleeping', 'retrying') AND wake_at <= now() AND job_id = ANY($1::text[]) AND ${NO_MAINTENANCE}
  ORDER BY wake_at, created_at LIMIT $2 FOR UPDATE SKIP LOCKED`;

const CANDIDATES_EXPIRED = `
  SELECT id, job_id, concurrency_key, throttle_key, started_at FROM job_runs
  WHERE status = 'running' AND lease_until < now() AND job_id = ANY($1::text[]) AND ${NO_MAINTENANCE}
  ORDER BY lease_until LIMIT $2 FOR UPDATE SKIP LOCKED`;

const CLAIM = `
  UPDATE job_runs SET status = 'running', lease_owner = $2, lease_until = now() + $3::int * interval '1 millisecond',
    started_at = coalesce(started_at, now()), debounce_key = null, updated_at = now()
  WHERE id = $1
  RETURNING id, job_id, event, attempt, clock_timestamp() AS db_now`;

/** Pushes a run that has to wait for its throttle window back (it keeps its status). */
const POSTPONE = `UPDATE job_runs SET wake_at = $2::timestamptz WHERE id = $1`;

/**
 * Serialises the decisions about one flow-control key, so two runners cannot both see a free slot. A key another
 * runner is deciding about right now is skipped (not waited for: waiting in candidate order could deadlock).
 */
const TRY_LOCK_KEY = `SELECT pg_try_advisory_xact_lock(hashtext($1)) AS ok`;

// Every running run holds its slot, a crashed one too until it is taken over (the takeover keeps the slot).
const RUNNING_WITH_KEY = `
  SELECT count(*)::int AS n FROM job_runs WHERE job_id = $1 AND concurrency_key = $2 AND status = 'running'`;

const STARTS_IN_PERIOD = `
  SELECT count(*)::int AS n, min(started_at) AS first FROM job_runs
  WHERE job_id = $1 AND throttle_key = $2 AND started_at > now() - $3::int * interval '1 millisecond'`;

/** Extra due runs looked at per claim beyond the free slots, so runs held back by flow control do not block others. */
const CANDIDATE_WINDOW = 50;

export interface Claim {
  claimed: ClaimedRun[];
  /** Due runs left waiting for a concurrency slot or a key another runner was deciding about. */
  heldBack: number;
}

/**
 * Claims up to `limit` runs that are due (or whose lease expired) for `owner`, honouring each job's concurrency and
 * throttle. Runs of jobs this runner does not know are left to the runners that do.
 */
export async function claimRuns(
  handle: DatabaseHandle,
  options: { owner: string; leaseMs: number; limit: number; flow: ReadonlyMap<string, FlowControl> },
): Promise<Claim> {
  const jobIds = [...options.flow.keys()];
  if (jobIds.length === 0 || options.limit <= 0) return { claimed: [], heldBack: 0 };
  return inTransaction(handle, async (q) => {
    const expired = await q<Candidate>(CANDIDATES_EXPIRED, [jobIds, options.limit]);
    const due = await q<Candidate>(CANDIDATES_DUE, [jobIds, options.limit + CANDIDATE_WINDOW]);
    const claimed: ClaimedRun[] = [];
    let heldBack = 0;
    for (const c of [...expired, ...due]) {
      if (claimed.length >= options.limit) break;
      const flow = options.flow.get(c.job_id)!;
      // A run whose lease expired already holds its concurrency slot and was already counted by the throttle.
      const resuming = expired.includes(c);
      if (flow.concurrency && !resuming) {
        const [lock] = await q<{ ok: boolean }>(TRY_LOCK_KEY, [`concurrency\u001f${c.job_id}\u001f${c.concurrency_key ?? ""}`]);
        const [{ n }] = lock?.ok ? ((await q<{ n: number }>(RUNNING_WITH_KEY, [c.job_id, c.concurrency_key ?? ""])) as [{ n: number }]) : [{ n: Infinity }];
        if (n >= flow.concurrency.limit) {
          heldBack += 1;
          continue;
        }
      }
      if (flow.throttle && c.started_at === null) {
        const [lock] = await q<{ ok: boolean }>(TRY_LOCK_KEY, [`throttle\u001f${c.job_id}\u001f${c.throttle_key ?? ""}`]);
        if (!lock?.ok) {
          heldBack += 1;
          continue;
        }
        const [row] = await q<{ n: number; first: Date | null }>(STARTS_IN_PERIOD, [c.job_id, c.throttle_key ?? "", flow.throttle.periodMs]);
        if (row && row.n >= flow.throttle.limit && row.first) {
          await q(POSTPONE, [c.id, iso(new Date(new Date(row.first).getTime() + flow.throttle.periodMs))]);
          continue;
        }
      }
      const [run] = await q<{ id: string; job_id: string; event: StoredEvent; attempt: number; db_now: Date }>(CLAIM, [c.id, options.owner, options.leaseMs]);
      if (run) {
        const clockOffsetMs = new Date(run.db_now).getTime() - Date.now();
        claimed.push({ id: run.id, jobId: run.job_id, event: run.event, attempt: run.attempt, clockOffsetMs });
      }
    }
    return { claimed, heldBack };
  });
}

export async function loadSteps(handle: DatabaseHandle, runId: string): Promise<Map<string, StoredStep>> {
  const rows = await queryOn(handle)<{ step_key: string; kind: StoredStep["kind"]; output: unknown; wake_at: Date | null }>(
    `SELECT step_key, kind, output, wake_at FROM job_steps WHERE run_id = $1`,
    [runId],
  );
  return new Map(rows.map((r) => [r.step_key, { key: r.step_key, kind: r.kind, output: r.output, wakeAt: r.wake_at ? new Date(r.wake_at) : null }]));
}

// The lease check and the write are one statement: nothing is recorded by a runner that lost the run. FOR SHARE, not
// an UPDATE of lease_until: a takeover's UPDATE waits for it and the check then sees the new owner, while the run row
// is not rewritten (with its indexes) on every step; the heartbeat extends the lease (`renewLeases`). A step recorded
// as failed is replaced by its later result; a completed one never is.
const RECORD_STEP = `
  WITH lease AS (
    SELECT id FROM job_runs WHERE id = $1 AND lease_owner = $2 AND status = 'running' FOR SHARE)
  INSERT INTO job_steps (run_id, step_key, kind, output, wake_at, attempt)
  SELECT id, $3, $4::job_step_kind, $5::text::json, $6::timestamptz, $7::int FROM lease
  ON CONFLICT (run_id, step_key) DO UPDATE SET kind = excluded.kind, output = excluded.output, wake_at = excluded.wake_at,
    attempt = excluded.attempt, created_at = now()
    WHERE job_steps.kind = 'failed'
  RETURNING step_key`;

export interface Lease {
  runId: string;
  owner: string;
  leaseMs: number;
}

/** Records a step's result; false when the lease is gone (the run was taken over, cancelled or deleted). */
export async function recordStep(
  handle: DatabaseHandle,
  lease: Lease,
  step: { key: string; kind: StoredStep["kind"]; output: unknown; wakeAt?: Date | null; attempt: number },
): Promise<boolean> {
  const rows = await queryOn(handle)(RECORD_STEP, [
    lease.runId, lease.owner, step.key, step.kind, json(step.output), iso(step.wakeAt), step.attempt,
  ]);
  return rows.length === 1;
}

/** Extends the leases of the runs this owner is executing; returns the ids it still holds. */
export async function renewLeases(handle: DatabaseHandle, owner: string, runIds: readonly string[], leaseMs: number): Promise<Set<string>> {
  if (runIds.length === 0) return new Set();
  const rows = await queryOn(handle)<{ id: string }>(
    `UPDATE job_runs SET lease_until = now() + $3::int * interval '1 millisecond'
     WHERE id = ANY($1::text[]) AND lease_owner = $2 AND status = 'running' RETURNING id`,
    [runIds, owner, leaseMs],
  );
  return new Set(rows.map((r) => r.id));
}

const END_ATTEMPT = `
  UPDATE job_runs SET status = $3::job_run_status, attempt = $4::int, wake_at = coalesce($5::timestamptz, wake_at), output = $6::text::json,
    last_error = coalesce($7::text, last_error), finished_at = CASE WHEN $3::job_run_status IN ('completed', 'failed') THEN now() END,
    lease_owner = NULL, lease_until = NULL, updated_at = now()
  WHERE id = $1 AND lease_owner = $2 AND status = 'running'
  RETURNING id`;

export type AttemptEnd =
  | { status: "completed"; output: unknown }
  | { status: "failed"; error: string }
  | { status: "retrying"; error: string; attempt: number; wakeAt: Date }
  | { status: "sleeping"; wakeAt: Date }
  /** Handed back unfinished (shutdown): another runner, or this one after a restart, continues it at once. */
  | { status: "queued" };

/** Ends the attempt holding `lease`; false when the lease was lost first (nothing is written then). */
export async function endAttempt(handle: DatabaseHandle, lease: Lease, attempt: number, end: AttemptEnd): Promise<boolean> {
  const rows = await queryOn(handle)(END_ATTEMPT, [
    lease.runId,
    lease.owner,
    end.status,
    end.status === "retrying" ? end.attempt : attempt,
    iso(end.status === "retrying" || end.status === "sleeping" ? end.wakeAt : end.status === "queued" ? new Date() : null),
    end.status === "completed" ? json(end.output) : null,
    end.status === "failed" || end.status === "retrying" ? end.error : null,
  ]);
  return rows.length === 1;
}

/** Runs among `ids` that have finished (or no longer exist: `status` null). */
export async function finishedRuns(handle: DatabaseHandle, ids: readonly string[]): Promise<Map<string, RunOutcome | null>> {
  if (ids.length === 0) return new Map();
  const rows = await queryOn(handle)<{ id: string; job_id: string; status: RunStatus; attempt: number; output: unknown; last_error: string | null }>(
    `SELECT id, job_id, status, attempt, output, last_error FROM job_runs WHERE id = ANY($1::text[])`,
    [ids],
  );
  const found = new Map(rows.map((r) => [r.id, r]));
  const out = new Map<string, RunOutcome | null>();
  for (const id of ids) {
    const r = found.get(id);
    if (!r) out.set(id, null);
    else if (TERMINAL_STATUSES.includes(r.status)) {
      out.set(id, { id, jobId: r.job_id, status: r.status, attempt: r.attempt, output: r.output, lastError: r.last_error });
    }
  }
  return out;
}

/**
 * When the next run of these jobs becomes claimable in the future (a wake-up or a lease expiry), or null if none
 * waits. Runs already due but held back are not counted: a finishing run or the recheck looks at them again.
 */
export async function nextWake(handle: DatabaseHandle, jobIds: readonly string[]): Promise<Date | null> {
  if (jobIds.length === 0) return null;
  const [row] = await queryOn(handle)<{ at: Date | null }>(
    `SELECT least(
       (SELECT min(wake_at) FROM job_runs WHERE status IN ('queued', 'sleeping', 'retrying') AND wake_at > now() AND job_id = ANY($1::text[])),
       (SELECT min(lease_until) FROM job_runs WHERE status = 'running' AND job_id = ANY($1::text[]))) AS at`,
    [jobIds],
  );
  return row?.at ? new Date(row.at) : null;
}

export interface PruneResult {
  runs: number;
  events: number;
}

/** Retention: finished runs after 7 days, failed ones after 30, events once they no longer deduplicate (24 h). */
export async function pruneJobHistory(handle: DatabaseHandle): Promise<PruneResult> {
  const q = queryOn(handle);
  const runs = await q(
    `DELETE FROM job_runs WHERE (status IN ('completed', 'cancelled') AND finished_at < now() - interval '7 days')
       OR (status = 'failed' AND finished_at < now() - interval '30 days') RETURNING id`,
  );
  const events = await q(`DELETE FROM job_events WHERE received_at < now() - interval '24 hours' RETURNING id`);
  return { runs: runs.length, events: events.length };
}
