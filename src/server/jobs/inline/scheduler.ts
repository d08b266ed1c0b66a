/**
 * Inline scheduler: runs cron-triggered jobs in this process (croner) when no Inngest server is configured.
 * Each tick calls the inline runner with the event Inngest itself would send, `inngest/scheduled.timer`.
 *
 * State lives on `globalThis`: Next.js can evaluate this module more than once (instrumentation and route bundles,
 * dev hot reloads), and a second set of timers would run every job twice.
 */
import "server-only";
import { Cron } from "croner";
import { logger } from "@/server/logger";
import { jobsMode } from "../client";
import { jobs as allJobs } from "../index";
import type { JobDescriptor, ScheduledTimerEvent } from "../types";
import { runJob, type RunnerOptions } from "./runner";

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
  /** Last run started by this process since start-up; null in Inngest mode (see the Inngest dashboard). */
  lastRun: LastRun | null;
}

export interface SchedulerOptions {
  /** Default: every job in ../index.ts. */
  jobs?: readonly JobDescriptor[];
  runner?: RunnerOptions;
  /** Start even though Inngest is configured (jobs would then run twice; for tests and one-off scripts). */
  force?: boolean;
}

interface Entry {
  job: JobDescriptor;
  cron: string;
  timezone: string;
  timer: Cron;
  history: { lastRun: LastRun | null };
}

interface SchedulerState {
  entries: Entry[] | null;
}

const g = globalThis as unknown as { __tradsyInlineScheduler?: SchedulerState };
const state: SchedulerState = (g.__tradsyInlineScheduler ??= { entries: null });

/** Splits Inngest's optional `TZ=<zone>` prefix off a cron expression; Inngest's default zone is UTC. */
export function parseCron(expression: string): { pattern: string; timezone: string } {
  const match = /^\s*(?:CRON_)?TZ=(\S+)\s+(.+)$/.exec(expression);
  return match ? { pattern: match[2]!.trim(), timezone: match[1]! } : { pattern: expression.trim(), timezone: "UTC" };
}

function cronTriggers(jobs: readonly JobDescriptor[]): { job: JobDescriptor; cron: string }[] {
  return jobs.flatMap((job) => job.triggers.flatMap((t) => ("cron" in t ? [{ job, cron: t.cron }] : [])));
}

async function tick(
  job: JobDescriptor,
  cron: string,
  history: Entry["history"],
  runner: RunnerOptions | undefined,
): Promise<void> {
  const lastRun: LastRun = { startedAt: new Date(), finishedAt: null, status: "running", error: null };
  history.lastRun = lastRun;
  const event: ScheduledTimerEvent = { name: "inngest/scheduled.timer", data: { cron } };
  // runJob never rejects; its failures are already logged by the runner.
  const result = await runJob(job, event, runner);
  lastRun.finishedAt = new Date();
  lastRun.status = result.status;
  lastRun.error = result.status === "failed" ? result.error.message : null;
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
  try {
    for (const { job, cron } of cronTriggers(options.jobs ?? allJobs)) {
      const { pattern, timezone } = parseCron(cron);
      const history: Entry["history"] = { lastRun: null };
      // protect: a run still going (e.g. waiting to retry) makes the next tick skip instead of overlapping.
      const timer = new Cron(pattern, { timezone, protect: true, unref: true }, () =>
        tick(job, cron, history, options.runner),
      );
      entries.push({ job, cron, timezone, timer, history });
    }
  } catch (error) {
    // A bad expression must not leave half the jobs scheduled and the guard unset.
    for (const e of entries) e.timer.stop();
    throw error;
  }
  state.entries = entries;
  logger.info(
    { jobs: entries.map((e) => ({ id: e.job.id, cron: e.cron, nextRunAt: e.timer.nextRun() })) },
    "inline scheduler started",
  );
  return true;
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
      running: e.timer.isBusy(),
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
