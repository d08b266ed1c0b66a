"use client";

/**
 * The A/B tests page of one running strategy (issue 20): the current test (polled while it runs) with Stop and, once a
 * challenger has won, Promote; otherwise the form that starts one; and the run's past tests. Runs of the owner's own
 * rules cannot be A/B tested (the tests compare parameter sets of a curated strategy), and the page says so.
 */
import Link from "next/link";
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/react";
import { useConfirm } from "@/components/ui/alert-dialog";
import { Button, ButtonLink } from "@/components/ui/button";
import { Alert, Badge, Card, CardBody, CardHeader, PageHeader } from "@/components/ui/card";
import { ListSkeleton } from "@/components/ui/skeleton";
import { AbTestForm } from "@/components/lab/ab-test-form";
import { AB_STATUS, AbTestDetails, resultOf, type AbTestView } from "@/components/lab/ab-test-view";
import { bannerOf, describeParams, type ParamBounds } from "@/lib/lab/ab-view";
import type { Constraint } from "@/lib/optimize/space";
import { formatUtcMonthDayTime } from "@/lib/format/dates";

export interface CuratedDefinition {
  name: string;
  params: ParamBounds[];
  constraints: Constraint[];
}

/** How often a running test is evaluated again while the page is open (each read rebuilds the variants). */
const POLL_MS = 60_000;

const isCurrent = (t: { status: string }) => t.status === "running" || t.status === "decided";

export function AbTestsClient({ runId, strategy }: { runId: string; strategy: CuratedDefinition | null }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const run = useQuery(trpc.strategyRuns.get.queryOptions({ id: runId }));
  const list = useQuery(trpc.strategyRuns.abTests.list.queryOptions({ id: runId }, { enabled: strategy !== null }));
  const listed = list.data?.find(isCurrent);
  const current = useQuery(
    trpc.strategyRuns.abTests.get.queryOptions({ id: listed?.id ?? "" }, { enabled: Boolean(listed), refetchInterval: (q) => (q.state.data?.status === "running" ? POLL_MS : false) }),
  );
  const [promoted, setPromoted] = useState<{ label: string; version: number; signalsClosed: number; params: Record<string, number> } | null>(null);

  const refresh = () =>
    Promise.all([
      qc.invalidateQueries({ queryKey: trpc.strategyRuns.abTests.list.queryKey({ id: runId }) }),
      qc.invalidateQueries({ queryKey: trpc.strategyRuns.abTests.get.queryKey() }),
      qc.invalidateQueries({ queryKey: trpc.strategyRuns.get.queryKey({ id: runId }) }),
    ]);
  const start = useMutation(trpc.strategyRuns.abTests.start.mutationOptions({ onSuccess: () => refresh() }));
  const stop = useMutation(trpc.strategyRuns.abTests.stop.mutationOptions({ onSettled: () => refresh() }));
  const promote = useMutation(
    trpc.strategyRuns.abTests.promote.mutationOptions({
      onSuccess: (out) => {
        const winner = out.test.variants.find((v) => v.label === out.test.winner);
        setPromoted({ label: out.test.winner ?? "", version: out.version, signalsClosed: out.signalsClosed, params: winner?.params ?? {} });
      },
      onSettled: () => refresh(),
    }),
  );
  const { confirm, confirmDialog } = useConfirm();

  const r = run.data;
  if (!r) return run.error ? <Alert tone="error">{run.error.message}</Alert> : <ListSkeleton rows={2} bars={["h-6 w-64", "h-4 w-96 max-w-full"]} />;
  // The test as last read; the list's stored copy stands in while a fresh evaluation loads or if it fails.
  const test: AbTestView | undefined = current.data && current.data.id === listed?.id ? current.data : listed;
  const past = (list.data ?? []).filter((t) => t.id !== listed?.id);
  const running = r.status === "running";

  const onStop = async (t: AbTestView) => {
    const keepsWinner = t.status === "decided" && t.winner && t.winner !== "A";
    const ok = await confirm({
      title: "Stop this A/B test?",
      description: `The challengers stop shadowing the running version; nothing published changes and A keeps trading.${keepsWinner ? ` ${t.winner} is not promoted.` : ""} A stopped test cannot be resumed: you can start a new one.`,
      confirmLabel: "Stop the test",
      cancelLabel: "Keep it running",
      destructive: true,
    });
    if (ok) stop.mutate({ id: t.id });
  };

  const onPromote = async (t: AbTestView) => {
    const winner = t.variants.find((v) => v.label === t.winner)!;
    const open = r.figures.openSignals;
    const ok = await confirm({
      title: `Promote ${winner.label} to version ${r.strategyVersion + 1}?`,
      description: (
        <span className="block space-y-2">
          <span className="block">
            {open > 0 ? `The running version's ${open === 1 ? "open signal closes" : `${open} open signals close`} at the market now, as the Close button closes them (followers' copies close too).` : "The running version has no open signal to close."}
          </span>
          <span className="block">
            The strategy&apos;s version goes from {r.strategyVersion} to {r.strategyVersion + 1} and trades {winner.label}&apos;s parameters ({describeParams(winner.params, strategy?.params)}) from
            now on; earlier candles only warm its indicators.
          </span>
          <span className="block">The switch is recorded in the audit log, not in the signal chain (every chain entry is a signal). It cannot be undone, except by another test.</span>
        </span>
      ),
      confirmLabel: `Promote ${winner.label}`,
      cancelLabel: "Not now",
    });
    if (ok) promote.mutate({ id: t.id });
  };

  return (
    <>
      {confirmDialog}
      <Link href="/lab/runs" className="inline-flex items-center gap-1 text-sm font-medium text-slate-600 hover:text-slate-900">
        <span aria-hidden="true">←</span> Running strategies
      </Link>
      <div className="mt-4">
        <PageHeader
          title={`A/B tests · ${r.name}`}
          description={
            <>
              <strong className="font-medium text-slate-800">Version {r.strategyVersion}</strong>
              {strategy ? ` · ${describeParams(r.params, strategy.params)} · ${strategy.name}` : " of my rules"}, {r.timeframe} candles
            </>
          }
          action={
            <div className="flex flex-wrap items-center gap-2">
              <Badge tone={running ? "green" : "slate"}>{running ? "Running" : "Stopped"}</Badge>
              <ButtonLink href={`/providers/${r.provider.slug}`} variant="secondary" size="sm">
                Provider page
              </ButtonLink>
            </div>
          }
        />
      </div>

      <div className="space-y-6">
        {promoted ? (
          <Alert tone="success">
            <strong>{promoted.label} is now version {promoted.version}.</strong> The strategy trades {describeParams(promoted.params, strategy?.params)} from now on.{" "}
            {promoted.signalsClosed > 0 ? `${promoted.signalsClosed === 1 ? "1 open signal" : `${promoted.signalsClosed} open signals`} of the previous version closed at the market. ` : ""}
            The switch is in the audit log.
          </Alert>
        ) : null}

        {!strategy ? (
          <Alert tone="info">
            A/B tests compare parameter sets of a curated strategy, and this run trades your own rules (version {r.strategyVersion}), so it cannot be A/B tested. To try
            a change, backtest a new version in the{" "}
            <Link href="/lab" className="font-medium underline underline-offset-2">
              strategy lab
            </Link>{" "}
            and run it live as another strategy.
          </Alert>
        ) : list.isPending ? (
          <Card aria-busy="true">
            <CardHeader title="A/B test" />
            <p className="sr-only" role="status">
              Loading the A/B tests…
            </p>
            <ListSkeleton rows={2} bars={["h-4 w-56", "h-3 w-full", "h-3 w-3/4"]} />
          </Card>
        ) : list.error ? (
          <Alert tone="error">
            <p>The A/B tests could not be loaded: {list.error.message}</p>
            <Button variant="secondary" size="sm" className="mt-2" onClick={() => void list.refetch()}>
              Try again
            </Button>
          </Alert>
        ) : test ? (
          <Card>
            <CardHeader
              title={`Current test: ${test.variants
                .slice(1)
                .map((v) => v.label)
                .join(", ")} against A`}
              description={`Started ${formatUtcMonthDayTime(test.startsAt)}. The decision rule is a fixed horizon: judged once, when every variant has ${test.tradesNeeded} closed trades.`}
            />
            <CardBody className="space-y-4">
              {current.error ? <Alert tone="warning">The latest figures could not be computed ({current.error.message}); showing those from {test.evaluatedAt ? formatUtcMonthDayTime(test.evaluatedAt) : "the start"}.</Alert> : null}
              <AbTestDetails
                test={test}
                defs={strategy.params}
                actions={
                  <>
                    {test.status === "decided" && test.winner && test.winner !== "A" ? (
                      <Button onClick={() => void onPromote(test)} disabled={promote.isPending || !running}>
                        {promote.isPending ? "Promoting…" : `Promote ${test.winner}`}
                      </Button>
                    ) : null}
                    <Button variant="secondary" onClick={() => void onStop(test)} disabled={stop.isPending}>
                      {stop.isPending ? "Stopping…" : "Stop test"}
                    </Button>
                  </>
                }
              />
              {promote.error ? <Alert tone="error">{promote.error.message}</Alert> : null}
              {stop.error ? <Alert tone="error">{stop.error.message}</Alert> : null}
              {test.status === "decided" && !running ? <Alert tone="warning">This strategy has stopped, so the winner cannot be promoted.</Alert> : null}
            </CardBody>
          </Card>
        ) : running ? (
          <Card>
            <CardHeader
              title="Start an A/B test"
              description="Variant A is the running version, which keeps publishing. Up to three challengers shadow it on the same live candles, on paper."
            />
            <CardBody>
              <AbTestForm
                key={`${r.strategyVersion}`}
                runParams={r.params}
                defs={strategy.params}
                constraints={strategy.constraints}
                onStart={(input) => start.mutate({ id: runId, ...input })}
                pending={start.isPending}
                error={start.error}
              />
            </CardBody>
          </Card>
        ) : (
          <Alert tone="warning">This strategy has stopped: A/B tests shadow a running strategy, so no new test can start.</Alert>
        )}

        {strategy && list.data ? <PastTests tests={past} defs={strategy.params} /> : null}
      </div>
    </>
  );
}

/** The run's earlier tests, newest first, each opening to its figures as they ended. */
function PastTests({ tests, defs }: { tests: AbTestView[]; defs: readonly ParamBounds[] }) {
  return (
    <Card>
      <CardHeader title="Past tests" description="Stopped and promoted tests of this strategy, with their figures as they ended." />
      {tests.length === 0 ? (
        <CardBody>
          <p className="text-sm text-slate-600">No past tests yet.</p>
        </CardBody>
      ) : (
        <ul className="divide-y divide-slate-100">
          {tests.map((t) => {
            const banner = bannerOf({ ...t, result: resultOf(t) });
            return (
              <li key={t.id}>
                <details className="group px-5 py-4">
                  <summary className="flex cursor-pointer list-none flex-wrap items-center gap-x-3 gap-y-1 text-sm">
                    <span aria-hidden="true" className="text-slate-400 transition-transform group-open:rotate-90">
                      ▸
                    </span>
                    <span className="font-medium text-slate-900">{formatUtcMonthDayTime(t.startsAt)}</span>
                    <Badge tone={AB_STATUS[t.status].tone}>{t.status === "promoted" && t.promotedVersion ? `Promoted as version ${t.promotedVersion}` : AB_STATUS[t.status].label}</Badge>
                    <span className="text-slate-600">{banner.title}</span>
                  </summary>
                  <div className="mt-4">
                    <AbTestDetails test={t} defs={defs} headingLevel={3} />
                  </div>
                </details>
              </li>
            );
          })}
        </ul>
      )}
    </Card>
  );
}
