/**
 * Admin analytics: the pure figures (no I/O) behind /admin/analytics. Services aggregate in SQL and hand the rows
 * here; the same functions are unit-tested on hand-built inputs. Definitions (README, "Analytics"):
 *
 * - Buckets are UTC: an hour, a day, an ISO week (Monday 00:00 UTC) or a calendar month. Growth is new users per
 *   bucket plus the running total (users created before the first bucket included).
 * - A subscription starts at its `created_at` and ends at its `canceled_at` (status canceled); subscriptions that
 *   never started (status incomplete) are left out. It is live on [start, end).
 * - Churn of month M = (subscriptions live at M's first instant that ended during M) / (subscriptions live at M's
 *   first instant). A subscription started and ended inside M is a cancellation of M (counted in `cancelled`) but
 *   not churn: it was not in the base. 0 when the base is empty. Reported as a fraction string, 4 places.
 * - Average lifetime = mean over subscriptions of (end, or now when still live) − start. Live ones are counted up
 *   to now (right-censored), so the figure is a lower bound of the eventual mean while many are live.
 * - Money is integer cents; ratios are decimal strings.
 */
import Decimal from "decimal.js";

export * from "./cache";
export * from "./pairs";

export const ANALYTICS_BUCKETS = ["hour", "day", "week", "month"] as const;
export type AnalyticsBucket = (typeof ANALYTICS_BUCKETS)[number];
export const ANALYTICS_RANGES = ["24h", "7d", "30d", "90d", "1y", "all"] as const;
export type AnalyticsRange = (typeof ANALYTICS_RANGES)[number];

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const RANGE_MS: Record<Exclude<AnalyticsRange, "all">, number> = { "24h": DAY_MS, "7d": 7 * DAY_MS, "30d": 30 * DAY_MS, "90d": 90 * DAY_MS, "1y": 365 * DAY_MS };

/** A growth chart never draws more buckets than this (hourly over a year would be 8,760 points). */
export const MAX_BUCKETS = 800;

/** Start of the window a range covers, ending at `now`; null for "all". */
export function rangeStart(range: AnalyticsRange, now: Date): Date | null {
  return range === "all" ? null : new Date(now.getTime() - RANGE_MS[range]);
}

/** Whether a bucket size suits a range (the router refuses the others). */
export function bucketFitsRange(range: AnalyticsRange, bucket: AnalyticsBucket): boolean {
  if (bucket === "hour") return range === "24h" || range === "7d";
  if (bucket === "day") return range !== "all";
  return true;
}

/** The UTC start of the bucket holding `at`. Weeks start on Monday (ISO, as PostgreSQL's date_trunc('week')). */
export function bucketStart(at: Date, bucket: AnalyticsBucket): Date {
  const d = new Date(at.getTime());
  if (bucket === "hour") return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours()));
  const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  if (bucket === "day") return new Date(day);
  if (bucket === "week") return new Date(day - ((d.getUTCDay() + 6) % 7) * DAY_MS);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1));
}

/** The bucket after the one starting at `start`. */
export function nextBucket(start: Date, bucket: AnalyticsBucket): Date {
  if (bucket === "hour") return new Date(start.getTime() + HOUR_MS);
  if (bucket === "day") return new Date(start.getTime() + DAY_MS);
  if (bucket === "week") return new Date(start.getTime() + 7 * DAY_MS);
  return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
}

export interface GrowthPoint {
  /** Bucket start (UTC). */
  start: Date;
  /** Users created in the bucket. */
  added: number;
  /** Users created up to the bucket's end (or up to now, for the current bucket). */
  cumulative: number;
}

/**
 * New and cumulative users per bucket, from `from`'s bucket to `to`'s, empty buckets included. `counts` are the
 * users created per bucket start (as SQL's date_trunc gives them); `before` the users created before `from`'s bucket.
 * With more than MAX_BUCKETS buckets the oldest are folded into `before` (the total stays right).
 */
export function growthSeries(counts: readonly { start: Date; n: number }[], before: number, from: Date, to: Date, bucket: AnalyticsBucket): GrowthPoint[] {
  const byStart = new Map<number, number>();
  for (const c of counts) {
    const k = bucketStart(c.start, bucket).getTime();
    byStart.set(k, (byStart.get(k) ?? 0) + c.n);
  }
  const points: GrowthPoint[] = [];
  let total = before;
  const last = bucketStart(to, bucket).getTime();
  for (let s = bucketStart(from, bucket); s.getTime() <= last; s = nextBucket(s, bucket)) {
    const added = byStart.get(s.getTime()) ?? 0;
    total += added;
    points.push({ start: s, added, cumulative: total });
  }
  // The dropped buckets' users are already inside the kept points' cumulative totals.
  return points.length > MAX_BUCKETS ? points.slice(-MAX_BUCKETS) : points;
}

/** a / b as a fraction string with `dp` places (half-up); "0.0000" when b is 0. */
export function ratio(a: number | string, b: number | string, dp = 4): string {
  const den = new Decimal(b);
  if (den.isZero()) return new Decimal(0).toFixed(dp);
  return new Decimal(a).div(den).toDecimalPlaces(dp, Decimal.ROUND_HALF_UP).toFixed(dp);
}

export interface SubscriptionSpan {
  startedAt: Date;
  /** When it ended (canceled); null while live. */
  endedAt: Date | null;
}

/** "YYYY-MM" of a UTC instant. */
export function monthKey(at: Date): string {
  return `${at.getUTCFullYear()}-${String(at.getUTCMonth() + 1).padStart(2, "0")}`;
}

/** The `months` calendar months (UTC) ending with `now`'s, oldest first, as "YYYY-MM". */
export function lastMonths(now: Date, months: number): string[] {
  const out: string[] = [];
  for (let i = months - 1; i >= 0; i--) out.push(monthKey(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - i, 1))));
  return out;
}

function monthBounds(key: string): [number, number] {
  const [y, m] = key.split("-").map(Number) as [number, number];
  return [Date.UTC(y, m - 1, 1), Date.UTC(y, m, 1)];
}

export interface ChurnMonth {
  month: string;
  /** Live at the month's first instant. */
  liveAtStart: number;
  /** Started during the month. */
  started: number;
  /** Ended during the month (all of them, including ones started in it). */
  cancelled: number;
  /** Of `liveAtStart`, how many ended during the month: the churn numerator. */
  churned: number;
  /** churned / liveAtStart, 4 places. */
  rate: string;
}

/** Monthly churn (see the module header) for each month key given; the current month counts up to `now`. */
export function churnByMonth(spans: readonly SubscriptionSpan[], months: readonly string[], now: Date): ChurnMonth[] {
  return months.map((month) => {
    const [from, toExclusive] = monthBounds(month);
    const to = Math.min(toExclusive, now.getTime() + 1);
    let liveAtStart = 0;
    let started = 0;
    let cancelled = 0;
    let churned = 0;
    for (const s of spans) {
      const start = s.startedAt.getTime();
      const end = s.endedAt?.getTime() ?? null;
      const liveAtFrom = start < from && (end === null || end >= from);
      if (liveAtFrom) liveAtStart++;
      if (start >= from && start < to) started++;
      if (end !== null && end >= from && end < to) {
        cancelled++;
        if (liveAtFrom) churned++;
      }
    }
    return { month, liveAtStart, started, cancelled, churned, rate: ratio(churned, liveAtStart) };
  });
}

/** Mean lifetime in days (2 places) over the spans; live ones count up to `now`. null with none. */
export function averageLifetimeDays(spans: readonly SubscriptionSpan[], now: Date): string | null {
  if (!spans.length) return null;
  let totalMs = 0;
  for (const s of spans) totalMs += Math.max(0, (s.endedAt ?? now).getTime() - s.startedAt.getTime());
  // Integer milliseconds summed exactly (well inside 2^53 for any plausible count); one division at the end.
  return new Decimal(totalMs).div(spans.length).div(DAY_MS).toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toFixed(2);
}

export interface RevenueMonth {
  month: string;
  grossCents: number;
  platformFeeCents: number;
  providerShareCents: number;
  refundedCents: number;
  invoices: number;
}

/**
 * The ledger's monthly sums on every month key given (months without payments as zeros), with the platform's share
 * of the gross as a fraction string (0.3000 when the 30% fee held on every invoice). Integer cents in and out.
 */
export function revenueByMonth(rows: readonly RevenueMonth[], months: readonly string[]): (RevenueMonth & { platformShare: string })[] {
  const by = new Map(rows.map((r) => [r.month, r]));
  return months.map((month) => {
    const r = by.get(month) ?? { month, grossCents: 0, platformFeeCents: 0, providerShareCents: 0, refundedCents: 0, invoices: 0 };
    for (const k of ["grossCents", "platformFeeCents", "providerShareCents", "refundedCents"] as const) {
      if (!Number.isSafeInteger(r[k])) throw new RangeError(`${k} of ${month} must be an integer of cents`);
    }
    return { ...r, month, platformShare: ratio(r.platformFeeCents, r.grossCents) };
  });
}
