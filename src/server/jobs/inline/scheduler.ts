/**
 * Inline scheduler: fires cron-triggered jobs from this process (croner) when no Inngest server is configured.
 * Each tick starts a run through the inline runner with the event Inngest itself would send,
 * `inngest/scheduled.timer`. A tick fires once across replicas sharing the database (job_schedules records the last
 * one), and at start-up a tick missed while no process was running fires once (not once per missed tick).
 *
 * State lives on `globalThis`: Next.js can evaluate this module more than once (instrumentation and route bundles,
 * dev hot reloads), and a second set of timers would run every job twice.
 */
import "server-only";
import { Cron } from "croner";
import { logger } from "@/server/logger";
import { jobsMode } from "../client";
import { jobs as allJobs } from "../index";
import type { JobDescriptor } from "../types";
import { inlineRunner, type InlineRunner } from "./runner";

export interface LastRun {
  startedAt: Date;
  finishedAt: Date | null;
  status: "running" | "completed" | "failed";
  error: string | null;
}

export interface ScheduledJobInfo {
  id: string;
  name: string;
  /** The trigger as declared, e.g. "0 3 * * *" or "TZ=Europe/Paris 0 9 * * 1". */
  cron: string;
  timezone: string;
  nextRunAt: Date | null;
  /** Who fires it: this process, an Inngest server, or nobody (inline mode, scheduler not started). */
  scheduledBy: "inline" | "inngest" | "none";
  running: boolean;
  /** Last run this process fired since start-up; null in Inngest mode (see the Inngest dashboard). */
  lastRun: LastRun | null;
}

export interface SchedulerOptions {
  /** Default: every job in ../index.ts. */
  jobs?: readonly JobDescriptor[];
  /** Default: the process-wide runner. */
  runner?: InlineRunner;
  /** Start even though Inngest is configured (jobs would then run twice; for tests and one-off scripts). */
  force?: boolean;
}

interface Entry {
  job: JobDescriptor;
  cron: string;
  timezone: string;
  timer: Cron;
  /** Paused: only computes the tick a firing belongs to. */
  schedule: Cron;
  history: { lastRun: LastRun | null };
}

interface SchedulerState {
  entries: Entry[] | null;
  /** The start-up catch-up of missed ticks (tests await it). */
  catchUp: Promise<void> | null;
}

const g = globalThis as unknown as { __tradsyInlineScheduler?: SchedulerState };
const state: SchedulerState = (g.__tradsyInlineScheduler ??= { entries: null, catchUp: null });

/** Splits Inngest's optional `TZ=<zone>` prefix off a cron expression; Inngest's default zone is UTC. */
export function parseCron(expression: string): { pattern: string; timezone: string } {
  const match = /^\s*(?:CRON_)?TZ=(\S+)\s+(.+)$/.exec(expression);
  return match ? { pattern: match[2]!.trim(), timezone: match[1]! } : { pattern: expression.trim(), timezone: "UTC" };
}

function cronTriggers(jobs: readonly JobDescriptor[]): { job: JobDescriptor; cron: string }[] {
  return jobs.flatMap((job) => job.triggers.flatMap((t) => ("cron" in t ? [{ job, cron: t.cron }] : [])));
}

/** The scheduled time a firing at `at` belongs to (croner fires within milliseconds of it). */
function tickOf(schedule: Cron, at: Date): Date {
  return schedule.previousRuns(1, new Date(at.getTime() + 500))[0] ?? at;
}

/** A tick the database could not record (it restarted) is tried again a few times rather than lost until start-up. */
async function fireWithRetries(entry: Entry, runner: InlineRunner, tickAt: Date) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await runner.fireCron(entry.job, entry.cron, tickAt);
    } catch (err) {
      if (attempt >= 4) throw err;
      logger.warn({ err, job: entry.job.id, tick: tickAt }, "cron tick not recorded yet; trying again");
      await new Promise((resolve) => setTimeout(resolve, 1000 * 2 ** attempt).unref());
    }
  }
}

async function fire(entry: Entry, runner: InlineRunner, tickAt: Date): Promise<void> {
  const lastRun: LastRun = { startedAt: new Date(), finishedAt: null, status: "running", error: null };
  try {
    const result = await fireWithRetries(entry, runner, tickAt);
    if (!result) return; // another replica fired this tick
    entry.history.lastRun = lastRun;
    lastRun.finishedAt = new Date();
    lastRun.status = result.status === "completed" ? "completed" : "failed";
    lastRun.error = result.status === "completed" ? null : result.error.message;
  } catch (err) {
    logger.error({ err, job: entry.job.id, tick: tickAt }, "cron tick could not be fired");
  }
}

/** A tick that came due while no process was running fires once now; the first start on a database misses nothing. */
async function catchUp(entries: readonly Entry[], runner: InlineRunner): Promise<void> {
  const now = new Date();
  await Promise.all(
    entries.map(async (entry) => {
      const latest = entry.schedule.previousRuns(1, now)[0];
      if (!latest) return;
      try {
        const last = await runner.cronTick(entry.job, entry.cron, latest);
        if (last !== null && last.getTime() < latest.getTime()) {
          logger.info({ job: entry.job.id, missed: latest, last }, "cron tick missed while stopped: running it once");
          await fire(entry, runner, latest);
        }
      } catch (err) {
        logger.error({ err, job: entry.job.id }, "missed cron ticks could not be checked");
      }
    }),
  );
}

/**
 * Schedules every cron-triggered job. Idempotent: while running, later calls change nothing. Returns whether the
 * scheduler is running after the call (false in Inngest mode, where the Inngest server owns the crons).
 */
export function startInlineScheduler(options: SchedulerOptions = {}): boolean {
  if (state.entries) return true;
  if (jobsMode() === "inngest" && !options.force) {
    logger.warn("inline scheduler not started: Inngest is configured and schedules the crons");
    return false;
  }
  const entries: Entry[] = [];
  const runner = options.runner ?? inlineRunner();
  try {
    for (const { job, cron } of cronTriggers(options.jobs ?? allJobs)) {
      const { pattern, timezone } = parseCron(cron);
      const schedule = new Cron(pattern, { timezone, paused: true });
      // Firing only records the run; overlapping runs are the job's concurrency setting's business, as in Inngest.
      const entry = { job, cron, timezone, schedule, history: { lastRun: null } } as Omit<Entry, "timer"> as Entry;
      entry.timer = new Cron(pattern, { timezone, unref: true }, () => fire(entry, runner, tickOf(schedule, new Date())));
      entries.push(entry);
    }
  } catch (error) {
    // A bad expression must not leave half the jobs scheduled and the guard unset.
    for (const e of entries) e.timer.stop();
    throw error;
  }
  state.entries = entries;
  state.catchUp = catchUp(entries, runner);
  logger.info(
    { jobs: entries.map((e) => ({ id: e.job.id, cron: e.cron, nextRunAt: e.timer.nextRun() })) },
    "inline scheduler started",
  );
  return true;
}

/** Resolves when the start-up check for missed ticks (and the runs it fired) is done. */
export async function inlineSchedulerCaughtUp(): Promise<void> {
  await state.catchUp;
}

/** Stops all timers. Runs already in progress finish (see `waitForInlineRuns`). */
export function stopInlineScheduler(): void {
  if (!state.entries) return;
  for (const entry of state.entries) entry.timer.stop();
  state.entries = null;
  logger.info("inline scheduler stopped");
}

export function isInlineSchedulerRunning(): boolean {
  return state.entries !== null;
}

/** Cron jobs with their next run, for the admin page. Works in every mode; next runs are computed locally. */
export function listScheduledJobs(options: Pick<SchedulerOptions, "jobs"> = {}): ScheduledJobInfo[] {
  if (state.entries) {
    return state.entries.map((e) => ({
      id: e.job.id,
      name: e.job.name,
      cron: e.cron,
      timezone: e.timezone,
      nextRunAt: e.timer.nextRun(),
      scheduledBy: "inline",
      running: e.history.lastRun?.status === "running",
      lastRun: e.history.lastRun ? { ...e.history.lastRun } : null,
    }));
  }
  const scheduledBy = jobsMode() === "inngest" ? "inngest" : "none";
  return cronTriggers(options.jobs ?? allJobs).map(({ job, cron }) => {
    const { pattern, timezone } = parseCron(cron);
    // No callback: croner only computes dates, it schedules nothing.
    const nextRunAt = new Cron(pattern, { timezone, paused: true }).nextRun();
    return { id: job.id, name: job.name, cron, timezone, nextRunAt, scheduledBy, running: false, lastRun: null };
  });
}
