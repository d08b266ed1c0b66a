"use client";

import { useQuery } from "@tanstack/react-query";
import { Icon } from "@/components/shell/icons";
import { Alert, Card, CardBody, CardHeader, EmptyState } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { formatUtcMonthDayTime } from "@/lib/format/dates";
import { formatReading, type OpsStatus, type OpsUnit } from "@/lib/ops/thresholds";
import { useTRPC } from "@/trpc/react";
import { MetricChart } from "./chart";

const REFRESH_MS = 15_000;

const STATUS: Record<OpsStatus | "unknown", { label: string; card: string; dot: string; text: string }> = {
  ok: { label: "OK", card: "border-slate-200", dot: "bg-emerald-500", text: "text-emerald-700" },
  warning: { label: "Warning", card: "border-amber-300 bg-amber-50/60", dot: "bg-amber-500", text: "text-amber-800" },
  critical: { label: "Critical", card: "border-red-300 bg-red-50/70", dot: "bg-red-600", text: "text-red-700" },
  unknown: { label: "No reading", card: "border-dashed border-slate-300", dot: "bg-slate-300", text: "text-slate-500" },
};

function thresholdText(unit: OpsUnit, warning: number | null, critical: number | null): string {
  if (warning === null && critical === null) return "Shown only, no alert";
  const parts = [warning !== null ? `warning ${formatReading(unit, warning)}` : null, critical !== null ? `critical ${formatReading(unit, critical)}` : null].filter(Boolean);
  return `Alerts at ${parts.join(", ")}`;
}

/** The System page's live part: the cards, the open alerts and the charts, refetched every 15 seconds. */
export function SystemMonitor() {
  const trpc = useTRPC();
  const overview = useQuery({ ...trpc.admin.system.overview.queryOptions(), refetchInterval: REFRESH_MS });
  const history = useQuery({ ...trpc.admin.system.history.queryOptions({ hours: 24 }), refetchInterval: REFRESH_MS });

  if (overview.isError && !overview.data)
    return <Alert tone="error">The readings could not be loaded. The page tries again every 15 seconds.</Alert>;
  const data = overview.data;
  if (!data) return null;

  if (!data.lastTickAt)
    return (
      <EmptyState title="No readings yet" icon={<Icon name="clock" className="size-8" />}>
        The monitor runs every minute: the first readings appear here within a minute or two of the server starting. If
        none come, check that the <code className="font-mono text-xs">monitor</code> job runs on the Jobs page.
      </EmptyState>
    );

  const problems = data.metrics.filter((m) => m.status === "warning" || m.status === "critical").length;
  return (
    <div className="space-y-8">
      <p className="text-sm text-slate-600" aria-live="polite" data-testid="system-last-tick">
        Last reading {formatUtcMonthDayTime(new Date(data.lastTickAt))}
        {problems ? ` · ${problems} ${problems === 1 ? "metric needs" : "metrics need"} attention` : " · everything within its lines"}
      </p>
      {data.stale ? (
        <Alert tone="warning">
          <strong>The monitor has stopped.</strong> No reading for more than 5 minutes: check the <code className="font-mono text-xs">monitor</code> job on the Jobs page.
        </Alert>
      ) : null}

      <section aria-labelledby="alerts-title">
        <h2 id="alerts-title" className="mb-3 text-base font-semibold text-slate-900">
          Open alerts
        </h2>
        {data.alerts.length ? (
          <ul className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white shadow-xs" data-testid="system-alerts">
            {data.alerts.map((a) => (
              <li key={`${a.metric}:${a.level}`} className="flex flex-wrap items-center gap-x-3 gap-y-1 px-4 py-3 text-sm">
                <span className={cn("inline-flex items-center gap-1.5 font-medium", STATUS[a.level].text)}>
                  <span aria-hidden className={cn("size-2 rounded-full", STATUS[a.level].dot)} />
                  {STATUS[a.level].label}
                </span>
                <span className="font-medium text-slate-900">
                  {a.label} at {formatReading(a.unit, a.value)}
                </span>
                <span className="text-slate-500">line {formatReading(a.unit, a.threshold)}</span>
                <span className="w-full text-xs text-slate-500 sm:ml-auto sm:w-auto">
                  since {formatUtcMonthDayTime(new Date(a.firstSeenAt))}
                  {a.lastSentAt ? ` · admins emailed ${formatUtcMonthDayTime(new Date(a.lastSentAt))}` : ""}
                </span>
              </li>
            ))}
          </ul>
        ) : (
          <p className="rounded-lg border border-dashed border-slate-200 bg-white px-4 py-3 text-sm text-slate-600">No open alert.</p>
        )}
      </section>

      <section aria-labelledby="readings-title">
        <h2 id="readings-title" className="mb-3 text-base font-semibold text-slate-900">
          Current readings
        </h2>
        <ul className="grid grid-cols-2 gap-3 xl:grid-cols-4" data-testid="system-cards">
          {data.metrics.map((m) => {
            const s = STATUS[m.status];
            return (
              <li key={m.key} className={cn("min-w-0 rounded-lg border bg-white px-3 py-3 shadow-xs sm:px-4", s.card)} data-status={m.status} data-metric={m.key}>
                <div className="flex items-start justify-between gap-2">
                  <h3 className="text-sm font-medium text-slate-700">{m.label}</h3>
                  <span className={cn("inline-flex items-center gap-1.5 text-xs font-medium whitespace-nowrap", s.text)}>
                    <span aria-hidden className={cn("size-2 rounded-full", s.dot)} />
                    {s.label}
                  </span>
                </div>
                <p className="mt-1 text-xl font-semibold text-slate-900 tabular-nums sm:text-2xl">{m.value === null ? "—" : m.never ?? formatReading(m.unit, m.value)}</p>
                <p className="mt-1 text-xs text-slate-600">{thresholdText(m.unit, m.warning, m.critical)}</p>
                <p className="mt-0.5 hidden text-xs text-slate-500 sm:block">{m.note}</p>
              </li>
            );
          })}
        </ul>
      </section>

      <section aria-labelledby="charts-title">
        <h2 id="charts-title" className="mb-3 text-base font-semibold text-slate-900">
          Last 24 hours
        </h2>
        <p className="mb-3 text-sm text-slate-600">The worst reading of each 5 minutes; dashed lines are the warning and critical thresholds.</p>
        <div className="grid grid-cols-1 gap-4 lg:grid-cols-2">
          {data.metrics.map((m) => {
            const points = history.data?.series[m.key] ?? [];
            return (
              <Card key={m.key}>
                <CardHeader title={m.label} description={thresholdText(m.unit, m.warning, m.critical)} />
                <CardBody>
                  <MetricChart points={points} unit={m.unit} warning={m.warning} critical={m.critical} label={`${m.label}, last 24 hours: ${points.length} points`} />
                </CardBody>
              </Card>
            );
          })}
        </div>
      </section>
    </div>
  );
}
