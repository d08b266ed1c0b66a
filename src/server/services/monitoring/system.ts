/**
 * What the admin System page shows: each metric's latest reading with its status and thresholds, the open alerts, and
 * the last 24 hours of readings for the charts (worst value per 5 minutes, so a spike survives the thinning).
 */
import "server-only";
import { desc, eq, gte, isNull, sql } from "drizzle-orm";
import { db as appDb, type Executor } from "@/server/db";
import { backups, opsAlerts, opsReadings } from "@/server/db/schema";
import { OPS_METRICS, statusOf, type OpsMetric, type OpsStatus, type OpsUnit } from "@/lib/ops/thresholds";
import { executeRows } from "@/server/db/raw";

/** A reading older than this is not "current": the monitor stopped (the card says so). */
export const STALE_AFTER_MS = 5 * 60_000;
export const CHART_BUCKET_MINUTES = 5;

/** A metric of the catalogue (src/lib/ops/thresholds) with its latest reading. */
export interface SystemMetricCard extends OpsMetric {
  /** The latest reading (null: none yet, or none in the last 5 minutes). */
  value: number | null;
  at: Date | null;
  status: OpsStatus | "unknown";
  /** Shown instead of the number when it measures time since nothing happened yet (no backup ever). */
  never: string | null;
}

export interface SystemOverview {
  /** The newest tick's minute, or null when the monitor never ran (or its readings were all pruned). */
  lastTickAt: Date | null;
  stale: boolean;
  metrics: SystemMetricCard[];
  alerts: { metric: string; label: string; unit: OpsUnit; level: "warning" | "critical"; value: number; threshold: number; firstSeenAt: Date; lastSentAt: Date | null }[];
}

export async function systemOverview(now: Date, db: Executor = appDb): Promise<SystemOverview> {
  const latest = await db
    .selectDistinctOn([opsReadings.metric], { metric: opsReadings.metric, at: opsReadings.at, value: opsReadings.value })
    .from(opsReadings)
    .where(gte(opsReadings.at, new Date(now.getTime() - 24 * 60 * 60_000)))
    .orderBy(opsReadings.metric, desc(opsReadings.at));
  const byMetric = new Map(latest.map((r) => [r.metric, r]));
  // The backup ages count from the monitor's first reading when there is no backup yet: say so, not "0.1 h".
  const [anyCompleted] = await db.select({ id: backups.id }).from(backups).where(eq(backups.status, "completed")).limit(1);
  const [anyPassed] = await db.select({ id: backups.id }).from(backups).where(eq(backups.verification, "passed")).limit(1);
  const never: Record<string, string | null> = {
    backup_age: anyCompleted ? null : "None yet",
    restore_verified_age: anyPassed ? null : "None yet",
  };
  const lastTickAt = latest.reduce<Date | null>((max, r) => (!max || r.at > max ? r.at : max), null);
  const fresh = (at: Date) => now.getTime() - at.getTime() <= STALE_AFTER_MS;
  const metrics = OPS_METRICS.map((m): SystemMetricCard => {
    const r = byMetric.get(m.key);
    const current = r && fresh(r.at) ? r : null;
    return {
      key: m.key,
      label: m.label,
      unit: m.unit,
      warning: m.warning,
      critical: m.critical,
      note: m.note,
      value: current?.value ?? null,
      at: current?.at ?? null,
      status: current ? statusOf(m, current.value) : "unknown",
      never: never[m.key] ?? null,
    };
  });
  const open = await db.select().from(opsAlerts).where(isNull(opsAlerts.resolvedAt)).orderBy(desc(opsAlerts.lastSeenAt));
  const labels = new Map<string, { label: string; unit: OpsUnit }>(OPS_METRICS.map((m) => [m.key, { label: m.label, unit: m.unit }]));
  return {
    lastTickAt,
    stale: lastTickAt !== null && !fresh(lastTickAt),
    metrics,
    alerts: open
      // Critical first, then the newest.
      .sort((a, b) => (a.level === b.level ? 0 : a.level === "critical" ? -1 : 1))
      .map((a) => ({
        metric: a.metric,
        label: labels.get(a.metric)?.label ?? a.metric,
        unit: labels.get(a.metric)?.unit ?? "count",
        level: a.level,
        value: a.value,
        threshold: a.threshold,
        firstSeenAt: a.firstSeenAt,
        lastSentAt: a.lastSentAt,
      })),
  };
}

export interface SystemHistory {
  bucketMinutes: number;
  /** Per metric: [epoch seconds, worst value in the bucket], oldest first. */
  series: Record<string, [number, number][]>;
}

/** The last `hours` of readings, worst value per 5-minute bucket (a spike stays visible). */
export async function systemHistory(now: Date, hours = 24, db: Executor = appDb): Promise<SystemHistory> {
  const since = new Date(now.getTime() - hours * 60 * 60_000);
  // A constant of ours, inlined so both drivers see one numeric type.
  const bucket = sql.raw(String(CHART_BUCKET_MINUTES * 60));
  const rows = await executeRows<{ metric: string; t: number | string; v: number | string }>(
    db,
    sql`select ${opsReadings.metric} as metric,
               (floor(extract(epoch from ${opsReadings.at}) / ${bucket}) * ${bucket})::bigint as t,
               max(${opsReadings.value}) as v
          from ${opsReadings}
         where ${gte(opsReadings.at, since)}
         group by 1, 2
         order by 1, 2`,
  );
  const series: Record<string, [number, number][]> = {};
  for (const r of rows) (series[r.metric] ??= []).push([Number(r.t), Number(r.v)]);
  return { bucketMinutes: CHART_BUCKET_MINUTES, series };
}
