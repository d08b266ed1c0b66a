"use client";

/**
 * One optimisation or walk-forward validation. While it runs (polled every second): the progress bar, the ETA from
 * the pace between polls, the best so far, and Cancel; cancelled or failed: what was kept, and Resume. With trials:
 * the heatmap (two number parameters), parameter importance, the best-so-far chart and the best trials; a finished
 * walk-forward: its verdict, figures, stitched equity and windows. Labelled hypothetical.
 */
import Link from "next/link";
import { useMemo, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/react";
import { addSample, buildHeatmap, etaText, remainingMs, type ProgressSample } from "@/lib/lab/optimize-view";
import { Button, ButtonLink } from "@/components/ui/button";
import { Alert, Badge, Card, CardBody, CardHeader, EmptyState, PageHeader } from "@/components/ui/card";
import { HypotheticalLabel } from "@/components/lab/hypothetical";
import { num, STATUS_TONE, utcDay, utcMinute } from "@/components/lab/format";
import { KIND_LABEL, METHOD_LABEL, objectiveLabel, objectiveText, paramsText, progressOf, STATUS_LABEL } from "@/components/lab/optimize-format";
import { OptimizeHeatmap } from "@/components/lab/optimize-heatmap";
import { BestSoFarChart } from "@/components/lab/optimize-charts";
import { ImportanceBars, TrialsTable } from "@/components/lab/optimize-results";
import { WalkForwardResults } from "@/components/lab/walk-forward-results";

export function OptimizationClient({ id }: { id: string }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const run = useQuery(trpc.lab.optimizations.get.queryOptions({ id }, { refetchInterval: (q) => (q.state.data?.status === "running" ? 1_000 : false) }));
  const refresh = () => qc.invalidateQueries({ queryKey: trpc.lab.optimizations.get.queryKey({ id }) });
  const cancel = useMutation(trpc.lab.optimizations.cancel.mutationOptions({ onSettled: refresh }));
  const resume = useMutation(trpc.lab.optimizations.resume.mutationOptions({ onSettled: refresh }));
  const r = run.data;
  const heatmap = useMemo(() => (r && r.kind === "optimize" ? buildHeatmap(r.space, r.points) : null), [r]);

  // The ETA's samples, one per poll of this run (a resume starts a new series): derived state, updated in render.
  const [track, setTrack] = useState<{ key: string; samples: ProgressSample[] }>({ key: "", samples: [] });
  const progress = r ? progressOf(r) : null;
  if (r && progress && r.status === "running") {
    const key = `${r.id}:${r.startedAt?.getTime() ?? 0}`;
    const base = track.key === key ? track.samples : [];
    const next = addSample(base, { at: r.now.getTime(), done: progress.done });
    if (next !== base || track.key !== key) setTrack({ key, samples: next });
  }

  if (!r || !progress) {
    return run.isError ? (
      <EmptyState
        title="This optimisation could not be loaded"
        action={
          <Button type="button" variant="secondary" onClick={() => void run.refetch()}>
            Try again
          </Button>
        }
      >
        {run.error.message}
      </EmptyState>
    ) : (
      <p role="status" className="text-sm text-slate-600">
        Loading the optimisation…
      </p>
    );
  }

  const order = r.space.dimensions.map((d) => d.name);
  const label = `${r.name} on ${r.symbol} ${r.timeframe}`;
  const wf = r.kind === "walk-forward";
  const running = r.status === "running";
  const searchText = r.method === "grid" ? `grid of ${num(r.budget, 0)} points` : `Bayesian, ${num(r.budget, 0)} trials`;

  return (
    <>
      <PageHeader
        title={`${KIND_LABEL[r.kind]}: ${r.name}`}
        description={
          <>
            {r.symbol} · {r.timeframe} · {utcDay(r.dataFrom)} to {utcDay(r.dataTo)} · {searchText} · maximising {objectiveLabel(r.objective)}, at least {r.minTrades} trade{r.minTrades === 1 ? "" : "s"}
            {r.windows ? ` · ${r.windows.mode} windows of ${num(r.windows.trainBars, 0)} training and ${num(r.windows.testBars, 0)} test bars` : ""}
          </>
        }
        action={
          <div className="flex flex-wrap items-center gap-2">
            <Badge tone={STATUS_TONE[r.status]}>{STATUS_LABEL[r.status]}</Badge>
            <ButtonLink href="/lab/optimize" variant="ghost" size="sm">
              All optimisations
            </ButtonLink>
          </div>
        }
      />
      <HypotheticalLabel className="mb-6" />

      {running ? (
        <Card className="mb-6" data-testid="optimization-progress">
          <CardBody className="space-y-3">
            <div className="flex flex-wrap items-baseline justify-between gap-2 text-sm">
              <span className="font-medium text-slate-800">{wf ? `Walk-forward: window ${Math.min(progress.done + 1, progress.total)} of ${progress.total}` : `${METHOD_LABEL[r.method]} running`}</span>
              <span className="text-slate-600 tabular-nums" data-testid="progress-text">
                {num(progress.done, 0)} / {num(progress.total, 0)} {progress.unit} ({progress.pct.toFixed(0)}%) · <span data-testid="eta">{etaText(remainingMs(track.samples, progress.total))}</span>
              </span>
            </div>
            <div
              className="h-2 w-full overflow-hidden rounded-full bg-slate-100"
              role="progressbar"
              aria-label="Optimisation progress"
              aria-valuemin={0}
              aria-valuemax={progress.total}
              aria-valuenow={progress.done}
              aria-valuetext={`${progress.done} of ${progress.total} ${progress.unit}`}
            >
              <div className="h-full bg-brand-600 transition-all" style={{ width: `${progress.pct}%` }} />
            </div>
            {wf ? (
              <p className="text-sm text-slate-600">Each window is a whole optimisation on its training bars; the results appear when the last window is done.</p>
            ) : (
              <p className="text-sm text-slate-700" data-testid="best-so-far">
                <span className="text-slate-500">Best so far: </span>
                {r.bestValue === null ? (
                  "no trial with a value yet"
                ) : (
                  <>
                    <strong className="tabular-nums">
                      {objectiveLabel(r.objective)} {objectiveText(r.bestValue)}
                    </strong>{" "}
                    at <span className="font-mono text-xs">{paramsText(r.bestParams, order)}</span>
                  </>
                )}
              </p>
            )}
            <Button type="button" variant="secondary" size="sm" onClick={() => cancel.mutate({ id })} loading={cancel.isPending}>
              {cancel.isPending ? "Cancelling…" : "Cancel"}
            </Button>
          </CardBody>
        </Card>
      ) : null}
      {cancel.error ? <Alert tone="error" className="mb-6">{cancel.error.message}</Alert> : null}

      {r.status === "cancelled" || r.status === "failed" ? (
        <Card className="mb-6" data-testid="optimization-stopped">
          <CardBody className="flex flex-wrap items-center justify-between gap-4">
            <div className="min-w-0 space-y-1">
              <h2 className="text-base font-semibold text-slate-900">{r.status === "cancelled" ? "Cancelled" : "Failed"}</h2>
              {r.status === "failed" ? <p className="text-sm text-red-800">{r.error ?? "The optimisation stopped with an error."}</p> : null}
              <p className="text-sm text-slate-600">
                {wf
                  ? `Stopped after ${progress.done} of ${progress.total} windows. A resumed walk-forward starts again from its first window.`
                  : `${num(r.trialsDone, 0)} of ${num(r.budget, 0)} trials kept. Resume runs the remaining ${num(Math.max(0, r.budget - r.trialsDone), 0)}; no trial is run twice.`}
              </p>
            </div>
            <Button type="button" onClick={() => resume.mutate({ id })} loading={resume.isPending}>
              {resume.isPending ? "Resuming…" : "Resume"}
            </Button>
          </CardBody>
        </Card>
      ) : null}
      {resume.error ? <Alert tone="error" className="mb-6">{resume.error.message}</Alert> : null}

      {!wf ? (
        r.points.length === 0 ? (
          running ? (
            <p className="text-sm text-slate-600" role="status">
              The first trials are running; their results appear here as they finish.
            </p>
          ) : (
            <EmptyState title="No trials stored">This run stopped before its first trial finished. Resume it to start the search.</EmptyState>
          )
        ) : (
          <div className="space-y-6">
            <div className={heatmap ? "grid items-start gap-6 lg:grid-cols-[minmax(0,2fr)_minmax(0,1fr)]" : undefined}>
              {heatmap ? (
                <Card>
                  <CardHeader title="Heatmap" description={`Best ${objectiveLabel(r.objective)} in each cell of the two parameters' grid.`} />
                  <CardBody>
                    <OptimizeHeatmap heatmap={heatmap} objective={r.objective} />
                  </CardBody>
                </Card>
              ) : null}
              <Card>
                <CardHeader title="Parameter importance" description={`How much of the spread of ${objectiveLabel(r.objective)} across the trials each parameter explains alone (η², shown as shares).`} />
                <CardBody className="space-y-3">
                  <ImportanceBars rows={r.importance} />
                  {r.method === "bayes" ? <p className="text-xs text-slate-500">A Bayesian search crowds its trials near the optimum, so this describes the region it searched.</p> : null}
                  {heatmap ? null : (
                    <p className="text-xs text-slate-500">
                      No heatmap: it needs exactly two number parameters, and {r.name} has {order.length} ({order.join(", ")}).
                    </p>
                  )}
                </CardBody>
              </Card>
            </div>
            <Card>
              <CardHeader title="Best so far" description="Each trial's value (grey dots) and the best found up to it (line), by trial number. The worst 5% of trials fall below the chart." />
              <CardBody>
                <BestSoFarChart points={r.points} label={label} />
              </CardBody>
            </Card>
            <Card>
              <CardHeader title={`Best trials (${num(r.top.length, 0)} of ${num(r.trialsDone, 0)})`} description={`Ranked by ${objectiveLabel(r.objective)}; trials without a value last, with the reason. Hypothetical figures.`} />
              <TrialsTable rows={r.top} objective={r.objective} order={order} />
            </Card>
          </div>
        )
      ) : r.walkForward ? (
        <WalkForwardResults wf={r.walkForward} objective={r.objective} order={order} label={label} />
      ) : null}

      <p className="mt-6 text-xs text-slate-500">
        Started {r.startedAt ? utcMinute(r.startedAt.getTime()) : "—"} UTC{r.finishedAt ? ` · finished ${utcMinute(r.finishedAt.getTime())} UTC` : ""}.{" "}
        <Link href="/lab/optimize" className="underline">
          Start another
        </Link>
      </p>
    </>
  );
}
