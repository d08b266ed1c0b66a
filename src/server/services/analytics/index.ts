/**
 * Admin analytics read model (issue 18): users and growth, revenue split, top earners, subscriptions with churn and
 * lifetime, signals by pair, copy volume and execution quality. Sums and counts run in SQL; the definitions live in
 * src/lib/analytics (and src/lib/stats for track-record figures). Results are cached per process for five minutes
 * per (range, bucket); `fresh` recomputes.
 */
import "server-only";
import { and, asc, eq, gt, gte, inArray, isNull, lt, lte, ne, sql, type SQL } from "drizzle-orm";
import { db } from "@/server/db";
import { copyOrders, providers, signalEvents, signals, subscriptions, userSessions, users } from "@/server/db/schema";
import { platformRevenue } from "@/server/services/billing/revenue";
import {
  averageLifetimeDays,
  bucketStart,
  churnByMonth,
  growthSeries,
  lastMonths,
  rangeStart,
  ratio,
  revenueByMonth,
  statsByPair,
  TtlCache,
  type SubscriptionSpan,
} from "@/lib/analytics";
import type { ClosedSignal } from "@/lib/stats";
import type { AnalyticsInput } from "@/lib/validation/analytics";

const DAY_MS = 86_400_000;
/** "Active" looks back this far (see activeUsers). */
export const ACTIVE_WINDOW_DAYS = 30;
export const ANALYTICS_TTL_MS = 5 * 60_000;
const REVENUE_MONTHS = 12;
const CHURN_MONTHS = 12;
const TOP_PROVIDERS = 10;
const LIVE = ["trialing", "active", "past_due", "paused"] as const;
const SENT_TO_VENUE = ["submitted", "filled", "rejected", "cancelled"] as const;

const iso = (d: Date) => d.toISOString();

async function userFigures(input: AnalyticsInput, now: Date) {
  const monthAgo = new Date(now.getTime() - ACTIVE_WINDOW_DAYS * DAY_MS);
  const from = rangeStart(input.range, now);
  // Deleted accounts are left out everywhere, so the growth curve ends at the total.
  const present = and(isNull(users.deletedAt), lte(users.createdAt, now));
  const n = (cond: SQL) => sql<number>`(count(*) filter (where ${cond}))::int`;
  const [c] = await db
    .select({
      total: sql<number>`count(*)::int`,
      traders: n(sql`${users.role} = 'subscriber'`),
      providers: n(sql`${users.role} = 'provider'`),
      admins: n(sql`${users.role} = 'admin'`),
      added: n(from ? sql`${users.createdAt} > ${iso(from)}::timestamptz` : sql`true`),
      // Active: a session seen, or a signal published (web, API or TradingView), in the last 30 days.
      active: n(sql`exists (select 1 from ${userSessions} s where s.user_id = ${users.id} and s.last_seen_at > ${iso(monthAgo)}::timestamptz and s.last_seen_at <= ${iso(now)}::timestamptz)
        or exists (select 1 from ${signals} g join ${providers} p on p.id = g.provider_id where p.user_id = ${users.id} and g.published_at > ${iso(monthAgo)}::timestamptz and g.published_at <= ${iso(now)}::timestamptz)`),
      first: sql<string | null>`min(${users.createdAt})::text`,
    })
    .from(users)
    .where(present);

  const growthFrom = from ?? (c?.first ? new Date(c.first) : now);
  const firstBucket = bucketStart(growthFrom, input.bucket);
  // The unit is one of four enum values checked by zod and the type; never text from a request.
  const trunc = sql`date_trunc(${sql.raw(`'${input.bucket}'`)}, ${users.createdAt} at time zone 'UTC')`;
  const [buckets, before] = await Promise.all([
    db
      .select({ b: sql<string>`to_char(${trunc}, 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`, n: sql<number>`count(*)::int` })
      .from(users)
      .where(and(present, gte(users.createdAt, firstBucket)))
      .groupBy(trunc),
    db
      .select({ n: sql<number>`count(*)::int` })
      .from(users)
      .where(and(isNull(users.deletedAt), lt(users.createdAt, firstBucket))),
  ]);
  const growth = growthSeries(
    buckets.map((b) => ({ start: new Date(b.b), n: Number(b.n) })),
    Number(before[0]?.n ?? 0),
    growthFrom,
    now,
    input.bucket,
  );
  return {
    total: Number(c?.total ?? 0),
    active: Number(c?.active ?? 0),
    added: Number(c?.added ?? 0),
    byRole: { traders: Number(c?.traders ?? 0), providers: Number(c?.providers ?? 0), admins: Number(c?.admins ?? 0) },
    growth,
  };
}

async function subscriptionFigures(now: Date) {
  const list = await db
    .select({ status: subscriptions.status, createdAt: subscriptions.createdAt, canceledAt: subscriptions.canceledAt, updatedAt: subscriptions.updatedAt })
    .from(subscriptions)
    .where(and(ne(subscriptions.status, "incomplete"), lte(subscriptions.createdAt, now)));
  const spans: SubscriptionSpan[] = list.map((s) => {
    const ended = s.status === "canceled" ? (s.canceledAt ?? s.updatedAt) : null;
    // Ended after `now` (a test clock, or a row written after the figures' instant): still live as of now.
    return { startedAt: s.createdAt, endedAt: ended && ended.getTime() <= now.getTime() ? ended : null };
  });
  const byStatus: Record<string, number> = {};
  for (const s of list) byStatus[s.status] = (byStatus[s.status] ?? 0) + 1;
  const churn = churnByMonth(spans, lastMonths(now, CHURN_MONTHS), now);
  return {
    live: LIVE.reduce((n, s) => n + (byStatus[s] ?? 0), 0),
    active: byStatus.active ?? 0,
    cancelled: spans.filter((s) => s.endedAt !== null).length,
    byStatus,
    churn,
    /** The last complete month's churn (the current month is still running). */
    lastMonthChurn: churn.at(-2) ?? null,
    averageLifetimeDays: averageLifetimeDays(spans, now),
  };
}

async function revenueFigures(now: Date) {
  const r = await platformRevenue({ months: REVENUE_MONTHS, now });
  const byMonth = revenueByMonth(
    r.byMonth.map((m) => ({ month: m.month, grossCents: m.grossCents, platformFeeCents: m.platformFeeCents, providerShareCents: m.providerShareCents, refundedCents: m.refundedCents, invoices: m.invoices })),
    lastMonths(now, REVENUE_MONTHS),
  );
  const topProviders = [...r.byProvider]
    .filter((p) => p.providerId !== null)
    .sort((a, b) => b.providerShareCents - a.providerShareCents || b.grossCents - a.grossCents)
    .slice(0, TOP_PROVIDERS)
    .map((p) => ({ providerId: p.providerId!, slug: p.slug, displayName: p.displayName, grossCents: p.grossCents, providerShareCents: p.providerShareCents, platformFeeCents: p.platformFeeCents, invoices: p.invoices }));
  return { totals: { ...r.totals, platformShare: ratio(r.totals.platformFeeCents, r.totals.grossCents) }, byMonth, topProviders };
}

/** Every closed signal (closed in the range, up to now) with its exit legs, as src/lib/stats takes them. */
async function closedSignals(from: Date | null, now: Date): Promise<(ClosedSignal & { symbol: string })[]> {
  const where = and(eq(signals.status, "closed"), lte(signals.closedAt, now), from ? gt(signals.closedAt, from) : undefined);
  const list = await db
    .select({ id: signals.id, symbol: signals.symbol, side: signals.side, fillPrice: signals.fillPrice, initialStop: signals.initialStop, filledAt: signals.filledAt, closedAt: signals.closedAt })
    .from(signals)
    .where(where)
    .orderBy(asc(signals.closedAt));
  if (!list.length) return [];
  const legs = await db
    .select({ signalId: signalEvents.signalId, at: signalEvents.at, data: signalEvents.data })
    .from(signalEvents)
    .innerJoin(signals, eq(signals.id, signalEvents.signalId))
    .where(and(where, inArray(signalEvents.kind, ["partial_close", "closed"])))
    .orderBy(asc(signalEvents.seq));
  const bySignal = new Map<string, { price: string; share: string; at: Date }[]>();
  for (const l of legs) {
    const legList = bySignal.get(l.signalId) ?? [];
    legList.push({ price: String(l.data.price), share: String(l.data.share), at: new Date(l.at) });
    bySignal.set(l.signalId, legList);
  }
  return list
    .filter((s) => s.fillPrice !== null && s.filledAt !== null && s.closedAt !== null && bySignal.has(s.id))
    .map((s) => ({ id: s.id, symbol: s.symbol, side: s.side, entryPrice: s.fillPrice!, initialStop: s.initialStop, openedAt: s.filledAt!, closedAt: s.closedAt!, legs: bySignal.get(s.id)! }));
}

async function copyFigures(from: Date | null, now: Date) {
  const inRange = and(lte(copyOrders.createdAt, now), from ? gt(copyOrders.createdAt, from) : undefined);
  const filled = sql`${copyOrders.status} = 'filled'`;
  const [row] = await db
    .select({
      decisions: sql<number>`count(*)::int`,
      skipped: sql<number>`(count(*) filter (where ${copyOrders.status} = 'skipped'))::int`,
      orders: sql<number>`(count(*) filter (where ${inArray(copyOrders.status, [...SENT_TO_VENUE])}))::int`,
      filled: sql<number>`(count(*) filter (where ${filled}))::int`,
      rejected: sql<number>`(count(*) filter (where ${copyOrders.status} = 'rejected'))::int`,
      // numeric × numeric is exact in SQL; printed as a decimal string, never through a JS float.
      notional: sql<string>`coalesce(round(sum(${copyOrders.quantity} * ${copyOrders.fillPrice}) filter (where ${filled}), 2), 0)::text`,
      // percentile_disc is the nearest-rank percentile: always one of the observed values.
      slippageP50: sql<string | null>`(percentile_disc(0.5) within group (order by ${copyOrders.slippageBps}) filter (where ${filled} and ${copyOrders.slippageBps} is not null))::text`,
      slippageP95: sql<string | null>`(percentile_disc(0.95) within group (order by ${copyOrders.slippageBps}) filter (where ${filled} and ${copyOrders.slippageBps} is not null))::text`,
      latencyP50: sql<string | null>`(percentile_disc(0.5) within group (order by ${copyOrders.latencyMs}) filter (where ${filled} and ${copyOrders.latencyMs} is not null))::text`,
      latencyP95: sql<string | null>`(percentile_disc(0.95) within group (order by ${copyOrders.latencyMs}) filter (where ${filled} and ${copyOrders.latencyMs} is not null))::text`,
    })
    .from(copyOrders)
    .where(inRange);
  const r = row!;
  return {
    decisions: Number(r.decisions),
    skipped: Number(r.skipped),
    orders: Number(r.orders),
    filled: Number(r.filled),
    rejected: Number(r.rejected),
    notionalUsd: r.notional,
    /** filled / orders sent to a venue (submitted, filled, rejected, cancelled); skips are decisions, not orders. */
    fillRate: ratio(r.filled, r.orders),
    slippageBps: { p50: r.slippageP50, p95: r.slippageP95 },
    latencyMs: { p50: r.latencyP50 === null ? null : Number(r.latencyP50), p95: r.latencyP95 === null ? null : Number(r.latencyP95) },
  };
}

/** All the figures for one (range, bucket) at `now`, straight from the database. */
export async function computeAnalytics(input: AnalyticsInput, now: Date) {
  const from = rangeStart(input.range, now);
  const [usersFig, subs, revenue, pairSignals, copy] = await Promise.all([
    userFigures(input, now),
    subscriptionFigures(now),
    revenueFigures(now),
    closedSignals(from, now),
    copyFigures(from, now),
  ]);
  return {
    range: input.range,
    bucket: input.bucket,
    from,
    now,
    users: usersFig,
    subscriptions: subs,
    revenue,
    pairs: statsByPair(pairSignals, now),
    copy,
  };
}
export type Analytics = Awaited<ReturnType<typeof computeAnalytics>>;

/** A cached analytics reader with its own clock (tests pass a fake one). */
export function createAnalytics(clock: () => Date = () => new Date(), ttlMs = ANALYTICS_TTL_MS) {
  const cache = new TtlCache<Analytics>(ttlMs, clock);
  return {
    async get(input: AnalyticsInput, opts: { fresh?: boolean } = {}) {
      const r = await cache.get(`${input.range}:${input.bucket}`, () => computeAnalytics(input, clock()), opts);
      return { ...r.value, asOf: r.at, cached: r.cached };
    },
    clear: () => cache.clear(),
  };
}

/** The process's analytics (per process: each replica caches its own five minutes). */
export const analytics = createAnalytics();
