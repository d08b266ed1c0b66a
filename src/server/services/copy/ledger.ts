/**
 * The execution ledger's aggregates: how a provider's signals were actually copied (public, on the profile) and how a
 * follower's own copies went (their journal). Medians and the p90 are SQL `percentile_cont` (PostgreSQL and PGlite
 * alike), rounded to fixed places and returned as decimal strings; a statistic with no sample is null, and each
 * window says how many copies it rests on so a page can say "not enough data".
 *
 * A copy's return is (realised P&L − fees) / (average entry × first-filled quantity), beside the return its signal
 * published (`signals.result_pct`, after the track record's fees): the gap is what following cost or gained.
 */
import "server-only";
import { and, count, eq, sql, type SQL } from "drizzle-orm";
import { db } from "@/server/db";
import { executeRows } from "@/server/db/raw";
import { copyOrders, positions, providers, signals } from "@/server/db/schema";
import { NotFoundError } from "@/server/errors";
import { WINDOWS } from "@/lib/stats/constants";
import type { TrackRecordWindow } from "@/lib/stats/types";

/** Fewer copies than this in a window: the page shows "not enough data" rather than a median of one or two. */
export const LEDGER_MIN_SAMPLE = 3;

const WINDOW_DAYS: Record<TrackRecordWindow, number | null> = { "30d": 30, "90d": 90, "1y": 365, all: null };

export interface ExecutionWindow {
  window: TrackRecordWindow;
  enoughData: boolean;
  /** Signals published while the provider had at least one copier, and how many had ≥ 1 filled copy entry. */
  signals: number;
  copiedSignals: number;
  /** copiedSignals / signals (0–1, 4 places); null without signals. */
  copiedShare: string | null;
  /** Filled copy entries: signed slippage in bps (positive: worse than the provider's entry), latency in ms. */
  entries: number;
  medianSlippageBps: string | null;
  p90SlippageBps: string | null;
  medianLatencyMs: number | null;
  /** Closed copies, by their close time: followers' median return and their signals' published median, as fractions. */
  closedCopies: number;
  followerMedianReturn: string | null;
  publishedMedianReturn: string | null;
  /** Median per copy of (follower − published). */
  medianReturnGap: string | null;
}

export interface ExecutionQuality {
  provider: { id: string; slug: string; displayName: string };
  minSample: number;
  /** When the provider first had a copier; null: nobody has copied it yet. */
  firstCopierAt: Date | null;
  windows: ExecutionWindow[];
}

const sinceOf = (now: Date, w: TrackRecordWindow): string | null => {
  const days = WINDOW_DAYS[w];
  return days === null ? null : new Date(now.getTime() - days * 86_400_000).toISOString();
};

/** `filter (where <col> >= since)` for a window, nothing for "all". */
const inWindow = (col: SQL | typeof copyOrders.filledAt, since: string | null) => (since ? sql`filter (where ${col} >= ${since}::timestamptz)` : sql``);

const pct = (p: number, expr: SQL | typeof copyOrders.slippageBps, filter: SQL, places: number) =>
  sql<string | null>`round((percentile_cont(${sql.raw(String(p))}) within group (order by ${expr}) ${filter})::numeric, ${sql.raw(String(places))})::text`;

const copyReturn = sql`((${positions.realizedPnl} - ${positions.fees}) / nullif(${positions.avgEntry} * ${positions.initialQuantity}, 0))`;

/** "12.50" -> "12.5", "-0.00" -> "0". */
const trim = (v: string | null): string | null => {
  if (v === null) return null;
  const t = v.includes(".") ? v.replace(/0+$/, "").replace(/\.$/, "") : v;
  return /^-?0?$/.test(t) ? "0" : t;
};

/** A provider's execution quality by slug or id (public: the profile's block); unknown is NOT_FOUND. */
export async function executionQualityFor(by: { providerSlug?: string; providerId?: string }, now: Date = new Date()): Promise<ExecutionQuality> {
  const p = await db.query.providers.findFirst({
    where: by.providerId ? eq(providers.id, by.providerId) : eq(providers.slug, by.providerSlug ?? ""),
    columns: { id: true, slug: true, displayName: true },
  });
  if (!p) throw new NotFoundError("No such provider");
  return providerExecutionQuality(p, now);
}

export async function providerExecutionQuality(provider: { id: string; slug: string; displayName: string }, now: Date = new Date()): Promise<ExecutionQuality> {
  const providerId = provider.id;
  const [first] = await executeRows<{ at: string | null }>(
    db,
    sql`select to_char(least((select min(started_at) from copy_settings where provider_id = ${providerId}), (select min(created_at) from copy_orders where provider_id = ${providerId})) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at`,
  );
  const firstCopierAt = first?.at ? new Date(first.at) : null;

  const windows: ExecutionWindow[] = [];
  for (const w of WINDOWS) {
    const since = sinceOf(now, w);
    const from = firstCopierAt ? new Date(Math.max(firstCopierAt.getTime(), since ? Date.parse(since) : 0)).toISOString() : null;
    const [sig] = from
      ? await db
          .select({
            n: count(),
            // Spelt out: drizzle leaves columns unqualified in a one-table select, and the subquery has two tables.
            copied: sql<number>`count(*) filter (where exists (select 1 from copy_orders as co where co.signal_id = ${sql.raw('"signals"."id"')} and co.leg = 'entry' and co.status = 'filled'))`.mapWith(Number),
          })
          .from(signals)
          .where(and(eq(signals.providerId, providerId), sql`${signals.publishedAt} >= ${from}::timestamptz`))
      : [{ n: 0, copied: 0 }];
    const entryFilter = inWindow(copyOrders.filledAt, since);
    const [ent] = await db
      .select({
        n: sql<number>`count(*) ${entryFilter}`.mapWith(Number),
        medSlip: pct(0.5, copyOrders.slippageBps, entryFilter, 2),
        p90Slip: pct(0.9, copyOrders.slippageBps, entryFilter, 2),
        medLatency: pct(0.5, sql`${copyOrders.latencyMs}`, entryFilter, 0),
      })
      .from(copyOrders)
      .where(and(eq(copyOrders.providerId, providerId), eq(copyOrders.leg, "entry"), eq(copyOrders.status, "filled")));
    const closedFilter = inWindow(sql`${positions.closedAt}`, since);
    const [ret] = await db
      .select({
        n: sql<number>`count(*) ${closedFilter}`.mapWith(Number),
        follower: pct(0.5, copyReturn, closedFilter, 6),
        published: pct(0.5, sql`${signals.resultPct}`, closedFilter, 6),
        gap: pct(0.5, sql`(${copyReturn} - ${signals.resultPct})`, closedFilter, 6),
      })
      .from(positions)
      .innerJoin(signals, eq(signals.id, positions.signalId))
      .where(and(eq(positions.providerId, providerId), eq(positions.status, "closed"), sql`${signals.resultPct} is not null`));
    const signalsN = Number(sig?.n ?? 0);
    const copied = Number(sig?.copied ?? 0);
    const entries = ent?.n ?? 0;
    windows.push({
      window: w,
      enoughData: entries >= LEDGER_MIN_SAMPLE,
      signals: signalsN,
      copiedSignals: copied,
      copiedShare: signalsN ? trim((copied / signalsN).toFixed(4)) : null,
      entries,
      medianSlippageBps: trim(ent?.medSlip ?? null),
      p90SlippageBps: trim(ent?.p90Slip ?? null),
      medianLatencyMs: ent?.medLatency == null ? null : Number(ent.medLatency),
      closedCopies: ret?.n ?? 0,
      followerMedianReturn: trim(ret?.follower ?? null),
      publishedMedianReturn: trim(ret?.published ?? null),
      medianReturnGap: trim(ret?.gap ?? null),
    });
  }
  return { provider, minSample: LEDGER_MIN_SAMPLE, firstCopierAt, windows };
}

export interface FollowerJournalStats {
  /** Copy decisions by status ("filled", "skipped", …) and the skips by reason, most frequent first. */
  orders: Record<string, number>;
  skipReasons: { reason: string; n: number }[];
  filledEntries: number;
  medianSlippageBps: string | null;
  p90SlippageBps: string | null;
  medianLatencyMs: number | null;
  closedPositions: number;
  wins: number;
  /** Σ (realised − fees) over closed positions. */
  realisedNet: string;
  medianReturn: string | null;
  publishedMedianReturn: string | null;
  medianReturnGap: string | null;
}

export async function followerJournalStats(userId: string): Promise<FollowerJournalStats> {
  const none = sql``;
  const [byStatus, reasons, [ent], [ret]] = await Promise.all([
    db.select({ status: copyOrders.status, n: count() }).from(copyOrders).where(eq(copyOrders.userId, userId)).groupBy(copyOrders.status),
    db
      // By the reason's code ("max_open_positions"), not its sentence, which names figures that vary.
      .select({ reason: sql<string>`coalesce(split_part(${copyOrders.reason}, ':', 1), 'unknown')`, n: count() })
      .from(copyOrders)
      .where(and(eq(copyOrders.userId, userId), eq(copyOrders.status, "skipped")))
      .groupBy(sql`coalesce(split_part(${copyOrders.reason}, ':', 1), 'unknown')`)
      .orderBy(sql`count(*) desc`, sql`coalesce(split_part(${copyOrders.reason}, ':', 1), 'unknown')`),
    db
      .select({
        n: count(),
        medSlip: pct(0.5, copyOrders.slippageBps, none, 2),
        p90Slip: pct(0.9, copyOrders.slippageBps, none, 2),
        medLatency: pct(0.5, sql`${copyOrders.latencyMs}`, none, 0),
      })
      .from(copyOrders)
      .where(and(eq(copyOrders.userId, userId), eq(copyOrders.leg, "entry"), eq(copyOrders.status, "filled"))),
    db
      .select({
        n: count(),
        wins: sql<number>`count(*) filter (where ${positions.realizedPnl} - ${positions.fees} > 0)`.mapWith(Number),
        net: sql<string>`coalesce(sum(${positions.realizedPnl} - ${positions.fees}), 0)::text`,
        follower: pct(0.5, copyReturn, none, 6),
        published: pct(0.5, sql`${signals.resultPct}`, none, 6),
        gap: pct(0.5, sql`(${copyReturn} - ${signals.resultPct})`, none, 6),
      })
      .from(positions)
      .leftJoin(signals, eq(signals.id, positions.signalId))
      .where(and(eq(positions.userId, userId), eq(positions.status, "closed"))),
  ]);
  return {
    orders: Object.fromEntries(byStatus.map((r) => [r.status, r.n])),
    skipReasons: reasons,
    filledEntries: ent?.n ?? 0,
    medianSlippageBps: trim(ent?.medSlip ?? null),
    p90SlippageBps: trim(ent?.p90Slip ?? null),
    medianLatencyMs: ent?.medLatency == null ? null : Number(ent.medLatency),
    closedPositions: ret?.n ?? 0,
    wins: ret?.wins ?? 0,
    realisedNet: trim(ret?.net ?? "0") ?? "0",
    medianReturn: trim(ret?.follower ?? null),
    publishedMedianReturn: trim(ret?.published ?? null),
    medianReturnGap: trim(ret?.gap ?? null),
  };
}

export interface ProviderCopiers {
  /** Followings with copying on and not paused. */
  copying: number;
  /** Followings paused by the follower, a risk rule or a kill switch. */
  paused: number;
  /** Followers' copies of this provider's signals open now. */
  openCopies: number;
}

/** For the provider's own dashboard: how many followers copy it now (counts only, never who). */
export async function providerCopiers(providerId: string): Promise<ProviderCopiers> {
  const [row] = await executeRows<{ copying: number; paused: number; open: number }>(
    db,
    sql`select
          (select count(*)::int from copy_settings where provider_id = ${providerId} and enabled and paused_reason is null) as copying,
          (select count(*)::int from copy_settings where provider_id = ${providerId} and paused_reason is not null) as paused,
          (select count(*)::int from positions where provider_id = ${providerId} and status = 'open') as open`,
  );
  return { copying: row?.copying ?? 0, paused: row?.paused ?? 0, openCopies: row?.open ?? 0 };
}
