/**
 * The admin jobs page's vocabulary (/admin/jobs): the statuses a run of the embedded job runner can be in, which of
 * them an admin may act on, and the list's filters as the URL carries them (`/admin/jobs?job=stats-rollup&status=failed`).
 * The page parses them here, the admin router takes them (jobRunFiltersInput) and the jobs service applies them.
 * Pure: the page, its client buttons and the service share it.
 *
 * The statuses mirror the `job_run_status` enum (src/server/db/schema/jobs.ts, which says what each means);
 * src/server/db/labels.test.ts checks they still do.
 */
import { z } from "zod";
import { firstParam, hrefWith, textParam, type SearchParams } from "./search-params";

export const JOB_RUN_STATUSES = ["queued", "running", "sleeping", "retrying", "completed", "failed", "cancelled", "held"] as const;
export type JobRunStatusName = (typeof JOB_RUN_STATUSES)[number];

/** "Retry now" starts a new attempt at once: only a run that used up its attempts (failed) can be given another. */
export const RETRYABLE_STATUSES = ["failed"] as const satisfies readonly JobRunStatusName[];
/**
 * "Cancel" stops a run no worker holds: waiting to start, asleep, or waiting out a retry's back-off. A running attempt
 * holds its lease (the runner would overwrite the status when it ends) and a finished run has nothing left to stop.
 */
export const CANCELLABLE_STATUSES = ["queued", "sleeping", "retrying"] as const satisfies readonly JobRunStatusName[];

export const canRetry = (status: JobRunStatusName): boolean => (RETRYABLE_STATUSES as readonly JobRunStatusName[]).includes(status);
export const canCancel = (status: JobRunStatusName): boolean => (CANCELLABLE_STATUSES as readonly JobRunStatusName[]).includes(status);

export interface JobRunFilters {
  /** A job's id, exactly (`stats-rollup`). */
  jobId?: string;
  status?: JobRunStatusName;
}

/** How much of a JSON value (an event, a step's output) the run page shows, pretty-printed: enough to read, never megabytes. */
export const JSON_PREVIEW_CHARS = 4_000;
/** How much of a run's last error (message and stack) the run page shows; the list shows its first line. */
export const ERROR_PREVIEW_CHARS = 20_000;

/** Job ids are short slugs declared in code; anything longer is no id of ours. */
export const JOB_ID_MAX = 100;

/** A run id as `newId("run")` makes it; the router refuses anything else before it reaches the database. */
export const jobRunIdSchema = z
  .string({ error: "Give a run id" })
  .trim()
  .regex(/^run_[0-9a-z]{1,40}$/, "A run id looks like run_ followed by letters and digits");

export const jobRunFiltersInput = {
  jobId: z.string().trim().min(1, "Give a job id, or leave the filter out").max(JOB_ID_MAX, `Job ids are at most ${JOB_ID_MAX} characters`).optional(),
  status: z.enum(JOB_RUN_STATUSES, { error: `Status is one of ${JOB_RUN_STATUSES.join(", ")}` }).optional(),
};

/** The filters in a URL's query; a malformed one (an unknown status, control characters) is no filter. */
export function parseJobRunFilters(sp: SearchParams): JobRunFilters {
  const jobId = textParam(sp.job, JOB_ID_MAX + 1);
  const rawStatus = firstParam(sp.status);
  const status = JOB_RUN_STATUSES.find((s) => s === rawStatus);
  return {
    ...(jobId && jobId.length <= JOB_ID_MAX ? { jobId } : {}),
    ...(status ? { status } : {}),
  };
}

/** The jobs page's URL for these filters and page (the inverse of parseJobRunFilters). */
export function jobRunsHref(filters: JobRunFilters, page = 1): string {
  return hrefWith("/admin/jobs", { job: filters.jobId, status: filters.status, page });
}

/** How long something took or has left, in its largest two units: "850 ms", "4.2 s", "3 min 5 s", "2 h 10 min", "3 d 4 h". */
export function formatDuration(ms: number): string {
  const abs = Math.max(0, Math.round(ms));
  if (abs < 1_000) return `${abs} ms`;
  // Cut, not rounded: 59.99 s is not yet a minute.
  if (abs < 10_000) return `${(Math.floor(abs / 100) / 10).toFixed(1)} s`;
  if (abs < 60_000) return `${Math.floor(abs / 1_000)} s`;
  const units: [string, number][] = [
    ["d", 86_400_000],
    ["h", 3_600_000],
    ["min", 60_000],
    ["s", 1_000],
  ];
  const i = units.findIndex(([, size]) => abs >= size);
  const [bigName, big] = units[i]!;
  const [smallName, small] = units[i + 1]!;
  const first = Math.floor(abs / big);
  const second = Math.floor((abs - first * big) / small);
  return second ? `${first} ${bigName} ${second} ${smallName}` : `${first} ${bigName}`;
}
