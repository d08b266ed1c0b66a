/**
 * The monitoring catalogue: every metric the monitor reads (services/monitoring/readings.ts), its unit, and the
 * thresholds at which it is a warning or critical. Pure, so the System page and the alert emails print the same
 * words and the same lines.
 *
 * Every metric is "higher is worse": a reading at or above `critical` is critical, else at or above `warning` a
 * warning, else ok. A metric without thresholds (live SSE connections, the email queue's length) is shown, not
 * alerted on.
 */

export type OpsLevel = "warning" | "critical";
export type OpsStatus = "ok" | OpsLevel;
export type OpsUnit = "%" | "ms" | "h" | "min" | "count";

export interface OpsMetric {
  key: string;
  label: string;
  unit: OpsUnit;
  /** Null: informational (charted, never alerted on). */
  warning: number | null;
  critical: number | null;
  /** Why these lines, shown under the card. */
  note: string;
}

/**
 * The thresholds. The first four are what operators expect (CPU 70/90 %, memory 80/95 %, disk 80/95 %, DB latency
 * 100/500 ms); the rest are ours, chosen so that a healthy platform never crosses them:
 * - database pool: busy connections 80 % / 95 % of the pool (beyond, queries queue for a connection).
 * - event-loop lag (p99 over the minute): 200 ms already delays every request and SSE write; 1 s stalls them.
 * - exchange latency p95 2 s / 5 s (the copy budget: stale fills beyond that); rejected share 10 % / 25 % (at least
 *   5 orders in the 15 minutes, else no reading: one rejection out of two orders says nothing).
 * - job runs waiting past due by more than a minute 25 / 100; failed (gave up) in 24 h 1 / 10: a job that gave up
 *   lost work someone has to look at.
 * - oldest queued email 15 / 60 minutes (the drain runs every minute and backs off to minutes on failures).
 * - last completed backup 26 h / 50 h (a daily schedule plus slack: one missed day is a warning, two critical);
 *   last verified restore 50 h / 8 days; the newest verification failed = critical (1 = failed, 0 = passed).
 */
export const OPS_METRICS = [
  { key: "cpu", label: "CPU", unit: "%", warning: 70, critical: 90, note: "Host or container CPU use over the last minute." },
  { key: "memory", label: "Memory", unit: "%", warning: 80, critical: 95, note: "Host or container memory in use." },
  { key: "disk", label: "Disk", unit: "%", warning: 80, critical: 95, note: "Fullest of the data and backup directories' filesystems." },
  { key: "event_loop_lag", label: "Event-loop lag", unit: "ms", warning: 200, critical: 1000, note: "p99 delay of this process's event loop over the last minute." },
  { key: "db_latency", label: "Database latency", unit: "ms", warning: 100, critical: 500, note: "Round trip of a trivial query (select 1)." },
  { key: "db_pool", label: "Database pool busy", unit: "%", warning: 80, critical: 95, note: "Connections running a statement, of the most this process may open." },
  { key: "exchange_latency", label: "Exchange latency p95", unit: "ms", warning: 2000, critical: 5000, note: "Order round trip to live venues, last 15 minutes." },
  { key: "exchange_error_rate", label: "Exchange rejections", unit: "%", warning: 10, critical: 25, note: "Share of live-venue orders rejected, last 15 minutes (5 orders or more)." },
  { key: "sse_connections", label: "Live SSE connections", unit: "count", warning: null, critical: null, note: "Open live streams in this process." },
  { key: "jobs_waiting", label: "Job runs waiting", unit: "count", warning: 25, critical: 100, note: "Queued or retrying runs more than a minute past due." },
  { key: "jobs_failed", label: "Job runs failed (24 h)", unit: "count", warning: 1, critical: 10, note: "Runs that gave up after their retries." },
  { key: "email_queue", label: "Emails queued", unit: "count", warning: null, critical: null, note: "Waiting in the outbox." },
  { key: "email_queue_age", label: "Oldest queued email", unit: "min", warning: 15, critical: 60, note: "Age of the oldest email still queued." },
  { key: "backup_age", label: "Last backup", unit: "h", warning: 26, critical: 50, note: "Hours since the newest completed backup." },
  { key: "restore_verified_age", label: "Last verified restore", unit: "h", warning: 50, critical: 192, note: "Hours since a backup last restored and matched its manifest." },
  { key: "backup_verification", label: "Newest verification", unit: "count", warning: null, critical: 1, note: "1 when the newest verified backup failed verification." },
] as const satisfies readonly OpsMetric[];

export type OpsMetricKey = (typeof OPS_METRICS)[number]["key"];

const BY_KEY = new Map<string, OpsMetric>(OPS_METRICS.map((m) => [m.key, m]));

export function opsMetric(key: string): OpsMetric | undefined {
  return BY_KEY.get(key);
}

/** ok, warning or critical for a reading (at or above a line crosses it). */
export function statusOf(metric: Pick<OpsMetric, "warning" | "critical">, value: number): OpsStatus {
  if (Number.isNaN(value)) return "ok";
  if (metric.critical !== null && value >= metric.critical) return "critical";
  if (metric.warning !== null && value >= metric.warning) return "warning";
  return "ok";
}

/** The line a status crossed (for the alert), or null for ok. */
export function thresholdFor(metric: Pick<OpsMetric, "warning" | "critical">, level: OpsLevel): number | null {
  return level === "critical" ? metric.critical : metric.warning;
}

/** "93%", "120 ms", "27.5 h", "3" (a reading with its unit). */
export function formatReading(unit: OpsUnit, value: number): string {
  if (value === Infinity) return "never";
  const rounded = Math.abs(value) >= 100 || Number.isInteger(value) ? Math.round(value).toString() : value.toFixed(1);
  switch (unit) {
    case "%":
      return `${rounded}%`;
    case "ms":
      return `${rounded} ms`;
    case "h":
      return `${rounded} h`;
    case "min":
      return `${rounded} min`;
    case "count":
      return rounded;
  }
}

/** A reading of a known metric with its unit; an unknown metric's value as a plain number. */
export function formatMetricValue(key: string, value: number): string {
  const metric = opsMetric(key);
  return formatReading(metric?.unit ?? "count", value);
}

/** "CPU at 93% (critical at 90%)" */
export function alertSummary(metric: OpsMetric, level: OpsLevel, value: number): string {
  const line = thresholdFor(metric, level);
  return `${metric.label} at ${formatReading(metric.unit, value)}${line === null ? "" : ` (${level} at ${formatReading(metric.unit, line)})`}`;
}

export interface Evaluation {
  metric: OpsMetric;
  value: number;
  status: OpsStatus;
  /** The alert to raise (the highest level crossed), or null when ok. */
  raise: { level: OpsLevel; threshold: number; summary: string } | null;
  /** Levels whose open alerts end: every level above the current status. */
  resolve: OpsLevel[];
}

/**
 * What one reading means for the alerts. Critical raises critical only (the warning alert, already open, is not
 * re-sent while it is critical); falling back to warning resolves critical and raises warning; ok resolves both.
 */
export function evaluate(metric: OpsMetric, value: number): Evaluation {
  const status = statusOf(metric, value);
  if (status === "ok") return { metric, value, status, raise: null, resolve: ["warning", "critical"] };
  const threshold = thresholdFor(metric, status)!;
  return {
    metric,
    value,
    status,
    raise: { level: status, threshold, summary: alertSummary(metric, status, value) },
    resolve: status === "warning" ? ["critical"] : [],
  };
}

/** The p-th percentile (0..100) of `values` by nearest rank, or null when empty. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

/** CPU use in % between two samples of cumulative busy and total time (any unit), clamped to 0..100. */
export function cpuPercent(prev: { busy: number; total: number }, next: { busy: number; total: number }): number | null {
  const total = next.total - prev.total;
  if (!(total > 0)) return null;
  return Math.min(100, Math.max(0, ((next.busy - prev.busy) / total) * 100));
}
