import type { Metadata } from "next";
import Link from "next/link";
import { forbidden } from "next/navigation";
import { requireUser } from "@/server/auth/guards";
import type { ReactNode } from "react";
import { Alert, Badge, Card, CardBody, CardHeader, EmptyState, PageHeader } from "@/components/ui/card";
import { ButtonLink } from "@/components/ui/button";
import { formatDate, formatUtcMonthDayTime } from "@/lib/format/dates";
import { api } from "@/trpc/server";
import { PriceForm } from "@/components/billing/price-form";
import { formatCents } from "@/lib/money";
import { EditLimits, StopRunButton } from "./client";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Running strategies" };

type Run = Awaited<ReturnType<Awaited<ReturnType<typeof api>>["strategyRuns"]["list"]>>[number];

/** A fraction as a signed percentage with two decimals ("-1.25%"). */
function pct(fraction: string): string {
  const n = Number(fraction) * 100;
  return `${n > 0 ? "+" : ""}${n.toFixed(2)}%`;
}

function tone(fraction: string): string {
  const n = Number(fraction);
  return n > 0 ? "text-emerald-700" : n < 0 ? "text-red-700" : "text-slate-700";
}

function Stat({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs font-medium text-slate-500">{label}</dt>
      <dd className="mt-0.5 text-sm font-medium text-slate-900">{children}</dd>
    </div>
  );
}

function RunCard({ run }: { run: Run }) {
  const running = run.status === "running";
  return (
    <Card>
      <CardHeader
        title={
          <span className="flex flex-wrap items-center gap-2">
            <span className="break-words">{run.name}</span>
            <Badge tone={running ? "green" : "slate"}>{running ? "Running" : "Stopped"}</Badge>
            {run.incubating ? <Badge tone="amber">Incubating until {formatDate(run.incubationEndsAt)}</Badge> : <Badge tone="brand">Listed</Badge>}
          </span>
        }
        description={`${run.curatedId ? `Curated strategy, version ${run.strategyVersion}` : `My rules, version ${run.strategyVersion}`} · ${run.timeframe} candles · started ${formatUtcMonthDayTime(run.startedAt)}`}
        action={running ? <StopRunButton id={run.id} name={run.name} openSignals={run.figures.openSignals} /> : null}
      />
      <CardBody className="space-y-4">
        {!running ? (
          <Alert tone="warning">
            Stopped {run.stoppedAt ? formatUtcMonthDayTime(run.stoppedAt) : ""}: {run.stopReason ?? "no reason given"}.
          </Alert>
        ) : null}
        <dl className="grid grid-cols-2 gap-x-6 gap-y-4 sm:grid-cols-3 lg:grid-cols-4">
          <Stat label="Trades today (UTC)">
            {run.figures.tradesToday} of {run.maxTradesPerDay}
          </Stat>
          <Stat label="Realised today">
            <span className={tone(run.figures.realisedToday)}>{pct(run.figures.realisedToday)}</span>
          </Stat>
          <Stat label="Daily loss limit">{(Number(run.maxDailyLoss) * 100).toFixed(2).replace(/\.?0+$/, "")}%</Stat>
          <Stat label="Realised since start">
            <span className={tone(run.figures.realisedTotal)}>{pct(run.figures.realisedTotal)}</span>
          </Stat>
          <Stat label="Signals">
            {run.figures.openSignals} open · {run.figures.closedSignals} closed
          </Stat>
          <Stat label="Incubation ends">{formatDate(run.incubationEndsAt)}</Stat>
          <Stat label="Candles processed until">{run.processedUntil ? formatUtcMonthDayTime(run.processedUntil) : "not yet"}</Stat>
        </dl>
        {running ? (
          <Subscriptions run={run} />
        ) : run.pricing.subscribers > 0 ? (
          <p className="text-sm text-slate-600">
            {run.pricing.subscribers === 1 ? "1 subscription runs" : `${run.pricing.subscribers} subscriptions run`} out the period already paid for, then
            {run.pricing.subscribers === 1 ? " ends" : " end"}, with no further charge.
          </p>
        ) : null}
        <p className="text-xs text-slate-500">
          Limits count per UTC day: further entries are skipped once the day&apos;s trades reach the limit, and the run stops itself when the day&apos;s
          realised loss reaches its limit.
        </p>
        <div className="flex flex-wrap gap-2">
          <ButtonLink href={`/providers/${run.provider.slug}`} variant="secondary" size="sm">
            Provider page and live record
          </ButtonLink>
          <ButtonLink href={`/providers/${run.provider.slug}/verify`} variant="ghost" size="sm">
            Verify its chain
          </ButtonLink>
          {run.curatedId ? (
            <ButtonLink href={`/lab/runs/${run.id}/ab`} variant="ghost" size="sm">
              A/B tests
            </ButtonLink>
          ) : null}
          {running ? <EditLimits id={run.id} maxDailyLoss={run.maxDailyLoss} maxTradesPerDay={run.maxTradesPerDay} /> : null}
        </div>
        {running && !run.curatedId ? (
          <p className="text-xs text-slate-500">A/B tests compare parameter sets of a curated strategy; a run of your own rules cannot be A/B tested.</p>
        ) : null}
      </CardBody>
    </Card>
  );
}

/** Whether the run takes paid subscribers, what is missing if not, and its price form. */
function Subscriptions({ run }: { run: Run }) {
  const p = run.pricing;
  const open = !run.incubating && p.payoutsReady && p.priceReady;
  const status = run.incubating ? (
    <>Subscriptions open when its incubation ends, {formatDate(run.incubationEndsAt)}, once payouts are set up and a price is saved.</>
  ) : !p.payoutsReady ? (
    <>
      Set up payouts on{" "}
      <Link href="/revenue" className="font-medium text-brand-700 hover:underline">
        Revenue
      </Link>{" "}
      first: subscription payments for all your strategies go to your one payout account.
    </>
  ) : !p.priceReady ? (
    <>Save a price to open subscriptions.</>
  ) : (
    <>New subscribers pay the price below; you keep 70%.</>
  );
  return (
    <section aria-label={`Subscriptions to ${run.name}`} className="rounded-md border border-slate-200 p-4">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h3 className="text-sm font-semibold text-slate-900">Subscriptions</h3>
        {open ? <Badge tone="green">Open for subscribers</Badge> : <Badge tone="amber">Not open yet</Badge>}
      </div>
      <dl className="mt-3 grid grid-cols-2 gap-x-6 gap-y-3 sm:grid-cols-3">
        <Stat label="Monthly price">{p.priceReady ? formatCents(p.priceCents) : "Not set"}</Stat>
        <Stat label="Free trial">{p.priceReady ? (p.trialDays ? `${p.trialDays} days` : "None") : "—"}</Stat>
        <Stat label="Subscribers">{p.subscribers}</Stat>
      </dl>
      <p className="mt-3 text-sm text-slate-600">{status}</p>
      <details className="group mt-3">
        <summary className="cursor-pointer text-sm font-medium text-brand-700 hover:underline">{p.priceReady ? "Change the price" : "Set a price"}</summary>
        <div className="mt-3">
          <PriceForm runId={run.id} priceCents={p.priceCents} trialDays={p.trialDays} priceReady={p.priceReady} />
        </div>
      </details>
    </section>
  );
}

export default async function RunsPage() {
  const user = await requireUser("/lab/runs");
  if (user.role !== "provider" && user.role !== "admin") forbidden();
  const caller = await api();
  const runs = await caller.strategyRuns.list();
  const running = runs.filter((r) => r.status === "running");
  const stopped = runs.filter((r) => r.status === "stopped");
  return (
    <>
      <PageHeader
        title="Running strategies"
        description="Each strategy you run live is an automated provider: its signals take the normal publish path and hash chain, as each candle closes."
        action={<ButtonLink href="/lab/runs/new">Run a strategy live</ButtonLink>}
      />
      <div className="space-y-6">
        {runs.length === 0 ? (
          <EmptyState title="No strategy runs live yet" action={<ButtonLink href="/lab/runs/new">Run a strategy live</ButtonLink>}>
            Pick a curated strategy or one of your own rules, a market and limits. It incubates for 30 days before it can be listed.{" "}
            <Link href="/strategies" className="font-medium text-brand-700 hover:underline">
              Browse the strategy library
            </Link>
            .
          </EmptyState>
        ) : null}
        {running.map((r) => (
          <RunCard key={r.id} run={r} />
        ))}
        {stopped.length ? (
          <section aria-labelledby="stopped-runs" className="space-y-4">
            <h2 id="stopped-runs" className="text-sm font-semibold tracking-wide text-slate-500 uppercase">
              Stopped
            </h2>
            {stopped.map((r) => (
              <RunCard key={r.id} run={r} />
            ))}
          </section>
        ) : null}
      </div>
    </>
  );
}
