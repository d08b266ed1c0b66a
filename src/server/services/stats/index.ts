/**
 * Track-record roll-up and the leaderboard. The figures come only from src/lib/stats over the provider's closed
 * signals as recorded in their events; `provider_stats` is a cache of them per window, rewritten when a signal
 * closes, so marketplace reads never recompute.
 */
import "server-only";
import { and, asc, eq, inArray, isNotNull, lte, sql, arrayContains, type SQL } from "drizzle-orm";
import { db, type Executor } from "@/server/db";
import { providerStats, providers, signalEvents, signals, subscriptions, type Market, type StatsWindow, type StoredCurve } from "@/server/db/schema";
import { NotFoundError } from "@/server/errors";
import { computeAllWindows, equityCurve, WINDOWS, type ClosedSignal } from "@/lib/stats";
import { ENTITLED_STATUSES } from "@/server/services/entitlements";
import { publicProviderColumns } from "@/server/services/providers/public-columns";
import { providerSearchCondition } from "@/server/services/providers";
import { demoPricesAreSynthetic } from "@/server/integrations/market-data";
import { listedProvider } from "@/server/services/privacy/listing";

/** A provider's closed signals with their legs, as the stats library takes them. */
export async function closedSignalsOf(tx: Executor, providerId: string): Promise<ClosedSignal[]> {
  const rows = await tx
    .select({
      id: signals.id,
      side: signals.side,
      fillPrice: signals.fillPrice,
      initialStop: signals.initialStop,
      filledAt: signals.filledAt,
      closedAt: signals.closedAt,
    })
    .from(signals)
    .where(and(eq(signals.providerId, providerId), eq(signals.status, "closed")))
    .orderBy(asc(signals.closedAt));
  if (!rows.length) return [];
  const legs = await tx
    .select({ signalId: signalEvents.signalId, at: signalEvents.at, data: signalEvents.data })
    .from(signalEvents)
    .innerJoin(signals, eq(signals.id, signalEvents.signalId))
    .where(and(eq(signalEvents.providerId, providerId), eq(signals.status, "closed"), inArray(signalEvents.kind, ["partial_close", "closed"])))
    .orderBy(asc(signalEvents.seq));
  const bySignal = new Map<string, { price: string; share: string; at: Date }[]>();
  for (const l of legs) {
    const list = bySignal.get(l.signalId) ?? [];
    list.push({ price: String(l.data.price), share: String(l.data.share), at: new Date(l.at) });
    bySignal.set(l.signalId, list);
  }
  return rows.map((r) => ({
    id: r.id,
    side: r.side,
    entryPrice: r.fillPrice!,
    initialStop: r.initialStop,
    openedAt: r.filledAt!,
    closedAt: r.closedAt!,
    legs: bySignal.get(r.id) ?? [],
  }));
}

/** First fill over all of a provider's signals (open ones too): the track record's age for ranking. */
async function trackRecordStart(tx: Executor, providerId: string): Promise<Date | null> {
  const [row] = await tx
    .select({ first: sql<Date | null>`min(${signals.filledAt})`.mapWith((v: string | Date | null) => (v ? new Date(v) : null)) })
    .from(signals)
    .where(eq(signals.providerId, providerId));
  return row?.first ?? null;
}

/** Recomputes and stores every window's figures for one provider. */
export async function rollUpProvider(providerId: string, now: Date = new Date(), tx: Executor = db): Promise<void> {
  const [closed, start] = await Promise.all([closedSignalsOf(tx, providerId), trackRecordStart(tx, providerId)]);
  const all = computeAllWindows(closed, now, { trackRecordStart: start });
  // Only the all-time curve is drawn; it is stored with the "all" row.
  const full = closed.length ? equityCurve(closed, { start: null, now }) : null;
  const curve: StoredCurve | null = full
    ? {
        equity: full.daily.map((p) => ({ time: p.time.toISOString(), value: p.equity })),
        drawdown: full.drawdown.map((p) => ({ time: p.time.toISOString(), value: p.drawdown })),
        finalEquity: full.finalEquity,
        maxDrawdown: full.maxDrawdown,
      }
    : null;
  const rows = WINDOWS.map((w) => {
    const s = all[w];
    return {
      providerId,
      window: w as StatsWindow,
      closedSignals: s.closedSignals,
      wins: s.wins,
      roi: s.roi,
      winRate: s.winRate,
      profitFactor: s.profitFactor,
      maxDrawdown: s.maxDrawdown,
      sharpe: s.sharpe,
      sortino: s.sortino,
      expectancy: s.expectancy,
      avgR: s.avgR,
      avgHoldHours: s.avgHoldHours,
      score: s.score,
      ranked: s.ranked,
      firstSignalAt: start,
      curve: w === "all" ? curve : null,
      computedAt: now,
    };
  });
  await tx
    .insert(providerStats)
    .values(rows)
    .onConflictDoUpdate({
      target: [providerStats.providerId, providerStats.window],
      set: {
        closedSignals: sql`excluded.closed_signals`,
        wins: sql`excluded.wins`,
        roi: sql`excluded.roi`,
        winRate: sql`excluded.win_rate`,
        profitFactor: sql`excluded.profit_factor`,
        maxDrawdown: sql`excluded.max_drawdown`,
        sharpe: sql`excluded.sharpe`,
        sortino: sql`excluded.sortino`,
        expectancy: sql`excluded.expectancy`,
        avgR: sql`excluded.avg_r`,
        avgHoldHours: sql`excluded.avg_hold_hours`,
        score: sql`excluded.score`,
        ranked: sql`excluded.ranked`,
        firstSignalAt: sql`excluded.first_signal_at`,
        curve: sql`excluded.curve`,
        computedAt: sql`excluded.computed_at`,
      },
    });
}

export type LeaderboardSort = "score" | "roi" | "winRate" | "maxDrawdown" | "subscribers" | "newest";

export interface LeaderboardInput {
  q?: string;
  market?: Market;
  maxPriceCents?: number;
  minAgeDays?: number;
  window: StatsWindow;
  sort: LeaderboardSort;
  page: number;
  pageSize: number;
}

const subscriberCount = sql<number>`(select count(*)::int from ${subscriptions} where ${subscriptions.providerId} = ${providers.id} and ${subscriptions.status} in (${sql.join(
  ENTITLED_STATUSES.map((s) => sql`${s}`),
  sql`, `,
)}))`;

/**
 * The marketplace directory with each provider's figures for one window. Ranked providers (30 days, 20 closed
 * signals) come first when sorting by score; the others follow, unranked, by age.
 */
export async function leaderboard(input: LeaderboardInput) {
  const conds: SQL[] = [listedProvider];
  if (input.q) conds.push(await providerSearchCondition(input.q));
  if (input.market) conds.push(arrayContains(providers.markets, [input.market]));
  if (input.maxPriceCents !== undefined) conds.push(lte(providers.priceCents, input.maxPriceCents));
  if (input.minAgeDays !== undefined) {
    conds.push(isNotNull(providerStats.firstSignalAt), lte(providerStats.firstSignalAt, new Date(Date.now() - input.minAgeDays * 86_400_000)));
  }
  const where = conds.length ? and(...conds) : undefined;
  const nullsLast = (col: SQL | typeof providerStats.score, dir: "asc" | "desc") => sql`${col} ${sql.raw(dir)} nulls last`;
  const order: SQL[] = {
    score: [sql`${providerStats.ranked} desc nulls last`, nullsLast(providerStats.score, "desc")],
    roi: [nullsLast(sql`${providerStats.roi}`, "desc")],
    winRate: [nullsLast(sql`${providerStats.winRate}`, "desc")],
    maxDrawdown: [sql`(${providerStats.closedSignals} > 0) desc nulls last`, nullsLast(sql`${providerStats.maxDrawdown}`, "asc")],
    subscribers: [sql`${subscriberCount} desc`],
    newest: [sql`${providers.createdAt} desc`],
  }[input.sort];
  const joinOn = and(eq(providerStats.providerId, providers.id), eq(providerStats.window, input.window));
  const [items, [total], syntheticPrices] = await Promise.all([
    db
      .select({
        ...publicProviderColumns,
        subscribers: subscriberCount,
        stats: {
          closedSignals: providerStats.closedSignals,
          roi: providerStats.roi,
          winRate: providerStats.winRate,
          maxDrawdown: providerStats.maxDrawdown,
          sharpe: providerStats.sharpe,
          score: providerStats.score,
          ranked: providerStats.ranked,
          firstSignalAt: providerStats.firstSignalAt,
        },
      })
      .from(providers)
      .leftJoin(providerStats, joinOn)
      .where(where)
      .orderBy(...order, asc(providers.createdAt), asc(providers.id))
      .limit(input.pageSize)
      .offset((input.page - 1) * input.pageSize),
    db.select({ n: sql<number>`count(*)::int` }).from(providers).leftJoin(providerStats, joinOn).where(where),
    demoPricesAreSynthetic(),
  ]);
  const ranks = await ranksOf(
    input.window,
    items.flatMap((i) => (i.stats?.ranked && i.stats.score !== null ? [i.stats.score] : [])),
  );
  return {
    items: items.map((i) => ({
      ...i,
      stats:
        i.stats?.closedSignals === null || i.stats?.closedSignals === undefined
          ? null
          : { ...i.stats, rank: i.stats.ranked && i.stats.score !== null ? (ranks.get(i.stats.score) ?? null) : null },
    })),
    total: total?.n ?? 0,
    page: input.page,
    pageSize: input.pageSize,
    // A demo database whose figures come from the synthetic walk, not a market: the page must say so.
    syntheticPrices,
  };
}

/**
 * Position among all ranked providers of the window (1 + how many score higher), whatever the list's filters and
 * sort, for the scores on one page: one pass over the window's ranked rows, after the page is cut (computing it
 * per row before the sort cost a sub-query for every provider).
 */
async function ranksOf(window: StatsWindow, scores: string[]): Promise<Map<string, number>> {
  const unique = [...new Set(scores)];
  if (!unique.length) return new Map();
  const columns = Object.fromEntries(unique.map((s, i) => [`r${i}`, sql<number>`(count(*) filter (where ${providerStats.score} > ${s}::numeric))::int`]));
  const [row] = await db
    .select(columns)
    .from(providerStats)
    .where(and(eq(providerStats.window, window), eq(providerStats.ranked, true)));
  return new Map(unique.map((s, i) => [s, Number(row?.[`r${i}`] ?? 0) + 1]));
}

/** Everything the profile page shows about a provider's record: stats by window and the all-time equity curve. */
export async function trackRecord(slug: string) {
  const provider = await db.query.providers.findFirst({ where: eq(providers.slug, slug), columns: { id: true } });
  if (!provider) throw new NotFoundError("No provider with that name");
  const [stats, syntheticPrices] = await Promise.all([
    db.select().from(providerStats).where(eq(providerStats.providerId, provider.id)),
    demoPricesAreSynthetic(),
  ]);
  const byWindow = Object.fromEntries(stats.map(({ curve: _curve, ...s }) => [s.window, s])) as Partial<
    Record<StatsWindow, Omit<(typeof stats)[number], "curve">>
  >;
  const stored = stats.find((s) => s.window === "all")?.curve ?? null;
  return {
    stats: byWindow,
    // Day-end equity points are enough for a year and keep the payload small; stored at roll-up time.
    curve: stored
      ? {
          equity: stored.equity.map((p) => ({ time: new Date(p.time), value: p.value })),
          drawdown: stored.drawdown.map((p) => ({ time: new Date(p.time), value: p.value })),
          finalEquity: stored.finalEquity,
          maxDrawdown: stored.maxDrawdown,
        }
      : null,
    // In a demo on synthetic prices every price this process judged came from the walk, this provider's included.
    syntheticPrices,
  };
}


