/** The cron jobs with their schedule, next run and who fires them (this server, Inngest, or nobody). */
import Link from "next/link";
import { Badge, Card, CardHeader } from "@/components/ui/card";
import { DataTable, type Column } from "@/components/ui/data-table";
import { jobRunsHref } from "@/lib/job-runs";
import type { api } from "@/trpc/server";
import { Instant } from "./run-parts";

type Schedules = Awaited<ReturnType<Awaited<ReturnType<typeof api>>["admin"]["jobs"]["schedules"]>>;

const SCHEDULED_BY: Record<Schedules["scheduled"][number]["scheduledBy"], { label: string; tone: "green" | "brand" | "slate" }> = {
  inline: { label: "This server", tone: "green" },
  inngest: { label: "Inngest", tone: "brand" },
  none: { label: "Not scheduled", tone: "slate" },
};

type Scheduled = Schedules["scheduled"][number];

function ScheduledJobName({ job }: { job: Scheduled }) {
  return (
    <>
      <Link href={jobRunsHref({ jobId: job.id })} className="font-medium text-brand-700 underline-offset-4 hover:underline">
        {job.name}
      </Link>
      <code className="block font-mono text-xs text-slate-500">{job.id}</code>
    </>
  );
}

function CronExpression({ job }: { job: Scheduled }) {
  return (
    <>
      <code className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-xs whitespace-nowrap text-slate-800">{job.cron}</code>
      <span className="mt-1 block text-xs text-slate-500">{job.timezone}</span>
    </>
  );
}

function ScheduledBy({ job }: { job: Scheduled }) {
  return <Badge tone={SCHEDULED_BY[job.scheduledBy].tone}>{SCHEDULED_BY[job.scheduledBy].label}</Badge>;
}

const SCHEDULE_COLUMNS: Column<Scheduled>[] = [
  { id: "job", header: "Job", cell: (job) => <ScheduledJobName job={job} /> },
  { id: "cron", header: "Schedule", cell: (job) => <CronExpression job={job} /> },
  { id: "next", header: "Next run", cell: (job) => <Instant at={job.nextRunAt} /> },
  { id: "by", header: "Scheduled by", cell: (job) => <ScheduledBy job={job} /> },
];

export function ScheduledJobs({ schedules }: { schedules: Schedules }) {
  const idle = schedules.mode === "inline" && schedules.scheduled.some((s) => s.scheduledBy === "none");
  return (
    <section aria-labelledby="scheduled-title" className="mt-10">
      <Card>
        <CardHeader
          title={<span id="scheduled-title">Scheduled jobs</span>}
          description={
            schedules.mode === "inngest"
              ? "Cron jobs, fired by the Inngest server. Next runs are computed here from each schedule."
              : "Cron jobs this server fires itself. Each tick starts a run listed above."
          }
        />
        {idle ? (
          <p className="border-b border-slate-100 px-5 py-3 text-sm text-amber-800">The scheduler is not running in this process, so these jobs are not fired from here.</p>
        ) : null}
        {schedules.scheduled.length ? (
          <>
            <div className="hidden md:block">
              <DataTable caption="Scheduled jobs" className="min-w-[36rem]" framed={false} headerClassName="bg-white" bodyClassName="align-top" columns={SCHEDULE_COLUMNS} rows={schedules.scheduled} rowKey={(s) => `${s.id} ${s.cron}`} />
            </div>
            <ul aria-label="Scheduled jobs" className="divide-y divide-slate-100 md:hidden">
              {schedules.scheduled.map((s) => (
                <li key={`${s.id} ${s.cron}`} className="px-5 py-4" data-testid="scheduled-job-card">
                  <div className="flex items-start justify-between gap-3">
                    <div className="min-w-0">
                      <ScheduledJobName job={s} />
                    </div>
                    <ScheduledBy job={s} />
                  </div>
                  <dl className="mt-3 grid grid-cols-2 gap-x-4 gap-y-2 text-sm">
                    <div>
                      <dt className="text-xs text-slate-500">Schedule</dt>
                      <dd className="mt-0.5">
                        <CronExpression job={s} />
                      </dd>
                    </div>
                    <div>
                      <dt className="text-xs text-slate-500">Next run</dt>
                      <dd className="mt-0.5">
                        <Instant at={s.nextRunAt} />
                      </dd>
                    </div>
                  </dl>
                </li>
              ))}
            </ul>
          </>
        ) : (
          <p className="px-5 py-6 text-sm text-slate-600">No job runs on a schedule.</p>
        )}
      </Card>
    </section>
  );
}
