import { requireAdmin } from "@/server/auth/guards";
import type { Metadata } from "next";
import type { ReactNode } from "react";
import Link from "next/link";
import { redirect } from "next/navigation";
import { Icon } from "@/components/shell/icons";
import { buttonClass } from "@/components/ui/button";
import { Alert, EmptyState, PageHeader } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { DataTable, type Column } from "@/components/ui/data-table";
import { pageCount, Pagination } from "@/components/ui/pagination";
import { SelectField } from "@/components/ui/select";
import { formatCount } from "@/lib/format/numbers";
import { formatUtcMonthDayTime } from "@/lib/format/dates";
import { formatDuration, JOB_RUN_STATUSES, jobRunsHref, parseJobRunFilters, type JobRunFilters, type JobRunStatusName } from "@/lib/job-runs";
import { JOB_RUN_STATUS } from "@/lib/labels";
import { parsePageParam, type SearchParams } from "@/lib/search-params";
import { api } from "@/trpc/server";
import { Dash, Instant, RunStatusBadge } from "./_components/run-parts";
import { ScheduledJobs } from "./_components/scheduled-jobs";
import { RunActions } from "./client";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Jobs" };

const PAGE_SIZE = 25;

type Caller = Awaited<ReturnType<typeof api>>;
type RunItem = Awaited<ReturnType<Caller["admin"]["jobs"]["runs"]>>["items"][number];

export default async function AdminJobsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  // Layouts and pages render in parallel: the page checks too, so its data call never runs for non-admins.
  await requireAdmin();
  const sp = await searchParams;
  const page = parsePageParam(sp.page);
  // From the URL; a malformed job or status is no filter (src/lib/job-runs.ts).
  const filters = parseJobRunFilters(sp);
  const caller = await api();
  const [result, schedules] = await Promise.all([caller.admin.jobs.runs({ ...filters, page, pageSize: PAGE_SIZE }), caller.admin.jobs.schedules()]);
  const { totalPages, beyond } = pageCount(result.total, PAGE_SIZE, page);
  if (beyond) redirect(jobRunsHref(filters, beyond));
  const filtered = Boolean(filters.jobId || filters.status);
  const hrefFor = (p: number) => jobRunsHref(filters, p);
  const caption = `Job runs${filters.jobId ? ` of ${filters.jobId}` : ""}${filters.status ? `, ${JOB_RUN_STATUS[filters.status].label.toLowerCase()}` : ""}, page ${page} of ${totalPages}`;
  const inngest = schedules.mode === "inngest";

  return (
    <>
      <PageHeader
        title="Jobs"
        description="Background work run by this server: each run of a job, its recorded steps, retries and sleeps. Newest first; times in UTC. Finished runs are kept 7 days, failed ones 30."
      />

      {inngest ? (
        <Alert className="mb-6">
          <strong>Jobs run on Inngest.</strong> An Inngest server is configured, so runs, steps and retries are on the
          Inngest dashboard; the runs listed here stay empty. The cron jobs below are scheduled by Inngest.
        </Alert>
      ) : null}

      <section aria-labelledby="runs-title">
        <h2 id="runs-title" className="sr-only">
          Runs
        </h2>
        <StatusTabs filters={filters} counts={result.counts} all={result.all} />
        <JobFilter filters={filters} jobIds={result.jobIds} />

        <p className="mt-4 mb-3 text-sm text-slate-600" data-testid="job-run-count">
          {formatCount(result.total)} {result.total === 1 ? "run" : "runs"}
          {filtered ? (result.total === 1 ? " matches these filters" : " match these filters") : ""}
          {filtered ? (
            <Link href="/admin/jobs" className="ml-2 font-medium text-brand-700 underline-offset-4 hover:underline">
              Clear filters
            </Link>
          ) : null}
        </p>

        {result.items.length ? (
          <>
            {/* A table where it fits beside the menu (`xl`); narrower, where it would scroll sideways, the same runs as cards. */}
            <div className="hidden xl:block">
              <DataTable caption={caption} className="min-w-[56rem]" bodyClassName="align-top" columns={RUN_COLUMNS} rows={result.items} rowKey={(r) => r.id} />
            </div>
            <ul aria-label={caption} className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white shadow-xs xl:hidden">
              {result.items.map((run) => (
                <RunCard key={run.id} run={run} />
              ))}
            </ul>
            <Pagination page={page} totalPages={totalPages} hrefFor={hrefFor} prevLabel="Newer" nextLabel="Older" />
          </>
        ) : filtered ? (
          <EmptyState
            title="No runs match these filters"
            action={
              <Link href="/admin/jobs" className={buttonClass("secondary", "md")}>
                Clear filters
              </Link>
            }
          >
            {filters.status && result.all > 0
              ? `None of the ${formatCount(result.all)} ${result.all === 1 ? "run" : "runs"}${filters.jobId ? ` of ${filters.jobId}` : ""} is ${JOB_RUN_STATUS[filters.status].label.toLowerCase()}.`
              : filters.jobId
                ? "No run of this job is recorded (finished runs are pruned after 7 days, failed ones after 30)."
                : "No run is recorded yet."}
          </EmptyState>
        ) : (
          <EmptyState title="No job runs yet" icon={<Icon name="clock" className="size-8" />}>
            {inngest
              ? "Jobs run on Inngest: look for their runs on the Inngest dashboard."
              : "A run appears here when an event starts a job or a cron job fires. Each keeps its steps, so a run interrupted by a restart resumes where it stood; failed runs can be retried from here."}
          </EmptyState>
        )}
      </section>

      <ScheduledJobs schedules={schedules} />
    </>
  );
}

/** All runs, then one tab per status with its count (under the job filter); the current one is marked. */
function StatusTabs({ filters, counts, all }: { filters: JobRunFilters; counts: Record<JobRunStatusName, number>; all: number }) {
  const tabs: { status?: JobRunStatusName; label: string; n: number }[] = [
    { label: "All", n: all },
    ...JOB_RUN_STATUSES.map((status) => ({ status, label: JOB_RUN_STATUS[status].label, n: counts[status] })),
  ];
  return (
    <nav aria-label="Runs by status">
      <ul className="flex flex-wrap gap-1.5">
        {tabs.map((tab) => {
          const current = tab.status === filters.status;
          return (
            <li key={tab.label}>
              <Link
                href={jobRunsHref({ jobId: filters.jobId, status: tab.status })}
                aria-current={current ? "page" : undefined}
                className={cn(
                  "inline-flex h-8 items-center gap-1.5 rounded-full border px-3 text-sm whitespace-nowrap",
                  current ? "border-brand-700 bg-brand-700 text-white" : "border-slate-200 bg-white text-slate-700 hover:bg-slate-50",
                  !current && tab.n === 0 && "text-slate-400",
                )}
              >
                {tab.label}
                <span className={cn("text-xs tabular-nums", current ? "text-brand-100" : "text-slate-500")}>{formatCount(tab.n)}</span>
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}

/** The job filter: a plain GET form (works without JavaScript), keeping the status tab. */
function JobFilter({ filters, jobIds }: { filters: JobRunFilters; jobIds: string[] }) {
  // A job filtered on from a link but without runs is still offered, so the select shows what the list is narrowed to.
  const ids = filters.jobId && !jobIds.includes(filters.jobId) ? [filters.jobId, ...jobIds] : jobIds;
  return (
    <form action="/admin/jobs" method="get" role="search" aria-label="Filter runs by job" className="mt-4 flex items-end gap-2">
      {filters.status ? <input type="hidden" name="status" value={filters.status} /> : null}
      <div className="min-w-0 flex-1 sm:w-64 sm:flex-none">
        <SelectField id="job-filter" label="Job" name="job" defaultValue={filters.jobId ?? ""} options={[{ value: "", label: "All jobs" }, ...ids.map((id) => ({ value: id, label: id }))]} />
      </div>
      <button type="submit" className={buttonClass("secondary", "md")}>
        Show
      </button>
    </form>
  );
}

const WAITING: readonly JobRunStatusName[] = ["queued", "sleeping", "retrying"];

/** When a waiting run goes on, when a finished one ended (and how long a completed or failed one took), or when a running one started. */
function Timing({ run }: { run: RunItem }) {
  const at = (d: Date) => <time dateTime={d.toISOString()}>{formatUtcMonthDayTime(d)}</time>;
  let text: ReactNode = null;
  if (WAITING.includes(run.status)) text = <>{run.status === "sleeping" ? "Wakes" : "Due"} {at(run.wakeAt)}</>;
  else if (run.finishedAt) {
    const took = run.startedAt && run.status !== "cancelled" ? ` · took ${formatDuration(run.finishedAt.getTime() - run.startedAt.getTime())}` : "";
    text = <>{JOB_RUN_STATUS[run.status].label} {at(run.finishedAt)}{took}</>;
  } else if (run.startedAt) text = <>Started {at(run.startedAt)}</>;
  return text ? <span className="mt-1 block text-xs text-slate-500">{text}</span> : null;
}

function RunLink({ run }: { run: RunItem }) {
  return (
    <Link href={`/admin/jobs/${run.id}`} className="font-medium break-all text-brand-700 underline-offset-4 hover:underline">
      {run.jobId}
    </Link>
  );
}

function StatusLine({ run }: { run: RunItem }) {
  return (
    <span className="flex flex-wrap items-center gap-x-2 gap-y-1">
      <RunStatusBadge status={run.status} />
      <span className="text-xs whitespace-nowrap text-slate-600">attempt {run.attempts}</span>
    </span>
  );
}

function ErrorLine({ run }: { run: RunItem }) {
  if (!run.lastError) return <Dash />;
  // The first line is the message; the stack is on the run's page.
  const first = run.lastError.text.split("\n", 1)[0]!;
  return (
    <span className="line-clamp-2 font-mono text-xs break-all text-red-800" title={first}>
      {first}
    </span>
  );
}

const RUN_COLUMNS: Column<RunItem>[] = [
  {
    id: "run",
    header: (
      <>
        Run <span className="font-normal normal-case">and creation</span>
      </>
    ),
    cell: (run) => (
      <>
        <RunLink run={run} />
        <code className="block font-mono text-xs text-slate-500">{run.id}</code>
        <span className="mt-1 block text-xs text-slate-500">
          <Instant at={run.createdAt} />
        </span>
      </>
    ),
  },
  {
    id: "status",
    header: "Status",
    className: "min-w-44",
    cell: (run) => (
      <>
        <StatusLine run={run} />
        <Timing run={run} />
        {/* Always mounted: after a refusal the page refreshes, and the message must outlive the buttons it replaces. */}
        <div className="mt-2 empty:hidden">
          <RunActions runId={run.id} jobId={run.jobId} status={run.status} />
        </div>
      </>
    ),
  },
  {
    id: "event",
    header: "Event",
    className: "max-w-56",
    cell: (run) => (
      <>
        <code className="block font-mono text-xs break-words text-slate-800">{run.eventName ?? "—"}</code>
        <span className="block font-mono text-xs break-all text-slate-500" title="Event id">
          {run.eventId}
        </span>
      </>
    ),
  },
  { id: "error", header: "Last error", className: "max-w-72", cell: (run) => <ErrorLine run={run} /> },
];

/** One run as a card, below `xl`: the same facts and buttons, stacked. */
function RunCard({ run }: { run: RunItem }) {
  return (
    <li className="px-4 py-4 sm:px-5" data-testid="job-run-card">
      <div className="flex items-start justify-between gap-3">
        <div className="min-w-0">
          <RunLink run={run} />
          <code className="block font-mono text-xs break-all text-slate-500">{run.id}</code>
        </div>
        <RunStatusBadge status={run.status} />
      </div>
      <Timing run={run} />
      <dl className="mt-3 grid grid-cols-2 gap-x-4 gap-y-2 text-sm sm:grid-cols-[6rem_12rem_1fr]">
        <div>
          <dt className="text-xs text-slate-500">Attempt</dt>
          <dd className="mt-0.5 text-slate-700 tabular-nums">{run.attempts}</dd>
        </div>
        <div>
          <dt className="text-xs text-slate-500">Created</dt>
          <dd className="mt-0.5">
            <Instant at={run.createdAt} />
          </dd>
        </div>
        <div className="col-span-2 sm:col-span-1">
          <dt className="text-xs text-slate-500">Event</dt>
          <dd className="mt-0.5 font-mono text-xs break-all text-slate-700">
            {run.eventName ?? "—"} · {run.eventId}
          </dd>
        </div>
        {run.lastError ? (
          <div className="col-span-2 sm:col-span-3">
            <dt className="text-xs text-slate-500">Last error</dt>
            <dd className="mt-0.5">
              <ErrorLine run={run} />
            </dd>
          </div>
        ) : null}
      </dl>
      {/* Always mounted, as in the table. */}
      <div className="mt-3 empty:hidden">
        <RunActions runId={run.id} jobId={run.jobId} status={run.status} />
      </div>
    </li>
  );
}
