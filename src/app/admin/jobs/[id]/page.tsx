import { requireAdmin } from "@/server/auth/guards";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound, redirect } from "next/navigation";
import type { ReactNode } from "react";
import { cache } from "react";
import { TRPCError } from "@trpc/server";
import { Alert, Badge, Card, CardBody, CardHeader, FactList } from "@/components/ui/card";
import { pageCount, Pagination } from "@/components/ui/pagination";
import { formatCount } from "@/lib/format/numbers";
import { ERROR_PREVIEW_CHARS, formatDuration, jobRunIdSchema, jobRunsHref, JSON_PREVIEW_CHARS } from "@/lib/job-runs";
import { hrefWith, parsePageParam, type SearchParams } from "@/lib/search-params";
import { api } from "@/trpc/server";
import { Dash, Instant, Preformatted, RunStatusBadge } from "../_components/run-parts";
import { RunActions } from "../client";

export const dynamic = "force-dynamic";

type Params = Promise<{ id: string }>;
type Run = Awaited<ReturnType<Awaited<ReturnType<typeof api>>["admin"]["jobs"]["run"]>>;
type Step = Run["steps"][number];

const getRun = cache(async (id: string, stepPage: number) => {
  // generateMetadata runs beside the layout's guard, not after it: without this a non-admin's request would reach
  // the procedure and log its FORBIDDEN as a page error before the 403 page is drawn.
  await requireAdmin();
  // A malformed id is an unknown run (a 404), not a refused request.
  if (!jobRunIdSchema.safeParse(id).success) return null;
  const caller = await api();
  try {
    return await caller.admin.jobs.run({ id, stepPage });
  } catch (err) {
    if (err instanceof TRPCError && err.code === "NOT_FOUND") return null;
    throw err;
  }
});

export async function generateMetadata({ params, searchParams }: { params: Params; searchParams: Promise<SearchParams> }): Promise<Metadata> {
  const run = await getRun((await params).id, parsePageParam((await searchParams).steps));
  return { title: run ? `${run.jobId} run` : "Run not found" };
}

const KIND: Record<Step["kind"], { label: string; tone: "slate" | "brand" | "amber" | "red" }> = {
  run: { label: "Run", tone: "slate" },
  sleep: { label: "Sleep", tone: "amber" },
  send_event: { label: "Send event", tone: "brand" },
  // A step that threw: it runs again on the next attempt rather than being replayed.
  failed: { label: "Threw", tone: "red" },
};

/** One recorded step: its key, kind, attempt and time on the left, what it returned (or until when it sleeps) on the right. */
function StepItem({ step, n }: { step: Step; n: number }) {
  return (
    <li className="grid gap-3 px-5 py-4 md:grid-cols-[16rem_1fr]" data-testid="job-step">
      <div className="min-w-0">
        <p className="flex items-baseline gap-2">
          <span className="text-xs text-slate-400 tabular-nums">{n}.</span>
          <code className="font-mono text-sm font-medium break-all text-slate-900">{step.stepKey}</code>
        </p>
        <p className="mt-1.5 flex flex-wrap items-center gap-x-2 gap-y-1 text-xs text-slate-500">
          <Badge tone={KIND[step.kind].tone}>{KIND[step.kind].label}</Badge>
          <span>attempt {step.attempts}</span>
        </p>
        <p className="mt-1 text-xs">
          <Instant at={step.createdAt} />
        </p>
      </div>
      <div className="min-w-0">
        {step.kind === "sleep" ? (
          <p className="text-sm text-slate-700">
            Sleeps until <Instant at={step.wakeAt} />
          </p>
        ) : step.output ? (
          <Preformatted value={step.output} max={JSON_PREVIEW_CHARS} label={`Output of step ${step.stepKey}`} className="max-h-48" />
        ) : (
          <p className="text-sm text-slate-500">No output</p>
        )}
      </div>
    </li>
  );
}

export default async function AdminJobRunPage({ params, searchParams }: { params: Params; searchParams: Promise<SearchParams> }) {
  // Layouts and pages render in parallel: the page checks too, so its data call never runs for non-admins.
  await requireAdmin();
  const { id } = await params;
  const stepPage = parsePageParam((await searchParams).steps);
  const run = await getRun(id, stepPage);
  // A 404, shown by not-found.tsx beside this page, inside the admin layout.
  if (!run) notFound();
  const { totalPages, beyond } = pageCount(run.stepTotal, run.stepPageSize, stepPage);
  const stepsHref = (p: number) => hrefWith(`/admin/jobs/${run.id}`, { steps: p > 1 ? p : undefined });
  if (beyond) redirect(stepsHref(beyond));

  const waiting = run.status === "queued" || run.status === "sleeping" || run.status === "retrying";
  const facts: [string, ReactNode][] = [
    ["Status", <RunStatusBadge key="status" status={run.status} />],
    ["Attempt", <span key="attempt" className="tabular-nums">{run.attempts}</span>],
    ["Event", <code key="event" className="font-mono text-xs break-all">{run.eventName ?? "—"}</code>],
    ["Event id", <code key="event-id" className="font-mono text-xs break-all">{run.eventId}</code>],
    ["Created", <Instant key="created" at={run.createdAt} />],
    ["Started", <Instant key="started" at={run.startedAt} />],
    ["Finished", <Instant key="finished" at={run.finishedAt} />],
    [run.status === "sleeping" ? "Wakes" : waiting ? "Due" : "Wake-up time", <Instant key="wake" at={run.wakeAt} />],
  ];
  if (run.startedAt && run.finishedAt) facts.push(["Took", formatDuration(run.finishedAt.getTime() - run.startedAt.getTime())]);
  if (run.leaseOwner) {
    facts.push([
      "Held by",
      <span key="lease" className="break-all">
        <code className="font-mono text-xs">{run.leaseOwner}</code> until <Instant at={run.leaseUntil} />
      </span>,
    ]);
  }
  for (const [label, key] of [["Concurrency key", run.concurrencyKey], ["Throttle key", run.throttleKey], ["Debounce key", run.debounceKey]] as const) {
    if (key) facts.push([label, <code key={label} className="font-mono text-xs break-all">{key}</code>]);
  }
  facts.push(["Run id", <code key="id" className="font-mono text-xs break-all">{run.id}</code>]);

  return (
    <>
      <Link href={jobRunsHref({ jobId: run.jobId })} className="inline-flex items-center gap-1 text-sm font-medium text-slate-600 hover:text-slate-900">
        <span aria-hidden="true">←</span> Runs of {run.jobId}
      </Link>
      <div className="mt-4 flex flex-wrap items-start justify-between gap-4">
        <div className="min-w-0">
          <h1 className="text-2xl font-semibold tracking-tight break-words text-slate-900">
            {run.jobId} <span className="font-normal text-slate-500">run</span>
          </h1>
          <p className="mt-1 flex flex-wrap items-center gap-2 text-sm text-slate-600">
            <RunStatusBadge status={run.status} />
            <span>
              Attempt {run.attempts} · {formatCount(run.stepTotal)} {run.stepTotal === 1 ? "step" : "steps"} recorded
            </span>
          </p>
        </div>
        <RunActions runId={run.id} jobId={run.jobId} status={run.status} align="end" />
      </div>

      {run.lastError ? (
        <section aria-labelledby="error-title" className="mt-6">
          <Alert tone={run.status === "failed" ? "error" : "warning"}>
            <h2 id="error-title" className="font-semibold">
              {run.status === "failed" ? "Failed with" : "Last error"}
            </h2>
            <Preformatted value={run.lastError} max={ERROR_PREVIEW_CHARS} label="Last error" className="mt-2 bg-white/70 text-red-900" />
          </Alert>
        </section>
      ) : null}

      <div className="mt-6 grid items-start gap-6 lg:grid-cols-2">
        <Card>
          <CardHeader title="Run" description="Times in UTC." />
          <CardBody>
            <FactList facts={facts} labelWidth="wide" />
          </CardBody>
        </Card>
        <div className="min-w-0 space-y-6">
          <Card>
            <CardHeader title="Event" description="What the handler is given on every attempt." />
            <CardBody>{run.event ? <Preformatted value={run.event} max={JSON_PREVIEW_CHARS} label="Event" /> : <Dash />}</CardBody>
          </Card>
          {run.output ? (
            <Card>
              <CardHeader title="Output" description="What the run returned." />
              <CardBody>
                <Preformatted value={run.output} max={JSON_PREVIEW_CHARS} label="Run output" />
              </CardBody>
            </Card>
          ) : null}
        </div>
      </div>

      <section aria-labelledby="steps-title" className="mt-6">
        <Card>
          <CardHeader
            title={<span id="steps-title">Steps</span>}
            description="Recorded results, oldest first. A new attempt replays them instead of running those steps again."
          />
          {run.steps.length ? (
            <ol className="divide-y divide-slate-100">
              {run.steps.map((step, i) => (
                <StepItem key={step.stepKey} step={step} n={(stepPage - 1) * run.stepPageSize + i + 1} />
              ))}
            </ol>
          ) : (
            <p className="px-5 py-6 text-sm text-slate-600">No step recorded yet: the run has not finished a step.</p>
          )}
          <Pagination page={stepPage} totalPages={totalPages} hrefFor={stepsHref} label="Steps pages" prevLabel="Earlier" nextLabel="Later" className="mx-5 mt-0 mb-4 border-t border-slate-100 pt-4" />
        </Card>
      </section>
    </>
  );
}
