/**
 * The platform's reference backtests of the curated strategies (issue 19): each catalogue strategy with its default
 * parameters on one reference data set per market, run once per database and stored in `strategy_backtest_runs`
 * with `userId` null. Hypothetical by nature; never on the chain.
 *
 * When: lazily, the first time a library page or procedure needs them (`ensureReferenceBacktests`), not in the seed.
 * Computing all of them takes a second or two (the recordings are parsed, 7 strategies × 3 data sets run and stored),
 * which would be added to every fresh `npm run dev` start-up and to every test database; the Strategy Library's first
 * visitor pays it once instead, and every later read is a plain select.
 *
 * Idempotent through the unique index `strategy_backtest_runs_reference_idx` (curatedId, strategyVersion, symbol,
 * timeframe where userId is null): `insert … on conflict do nothing`, so two processes computing at once store one
 * row (both computed the same figures from the same candles). Within a process one computation per data set runs
 * at a time.
 *
 * Data: the market-data port's candles (`getMarketData().candles`). On the replay of recordings, times are moved
 * back by the replay's offset, so the stored run carries the dates the prices were really recorded on (a backtest
 * dated "last month" on 2021 prices would mislead). The kind of data is stored in `settings.data` with a label the
 * pages show; synthetic prices are always named as such.
 */
import "server-only";
import { and, eq, inArray, isNull } from "drizzle-orm";
import { db as defaultDb, type Executor } from "@/server/db";
import { strategyBacktestRuns, type StoredEquityPoint, type StoredTrade } from "@/server/db/schema";
import { getMarketData, type MarketData } from "@/server/integrations/market-data";
import { logger } from "@/server/logger";
import { backtestCurated, CATALOGUE, type CuratedBacktest, type CuratedStrategy, type Market } from "@/lib/strategy-library";
import type { Candle } from "@/lib/market-data/types";
import { storedTrade } from "@/lib/lab/job";

const DAY_MS = 86_400_000;

/**
 * Bump when a curated strategy's code, its defaults or LIBRARY_CONFIG change: the stored reference runs are keyed by
 * it, so the next read computes new ones beside the old.
 */
export const REFERENCE_VERSION = 1;

export interface ReferenceDataset {
  market: Market;
  symbol: string;
  timeframe: "1h" | "1d";
  /** How far back from now the candles are asked for (two years of hours stays under an exchange adapter's cap). */
  lookbackMs: number;
}

/** One data set per market, in the order the pages list them. The stock set is the catalogue's risk reference. */
export const REFERENCE_DATASETS: readonly ReferenceDataset[] = [
  { market: "crypto", symbol: "BTC/USDT", timeframe: "1h", lookbackMs: 730 * DAY_MS },
  { market: "stocks", symbol: "GOOG", timeframe: "1d", lookbackMs: 12 * 365 * DAY_MS },
  { market: "forex", symbol: "EUR/USD", timeframe: "1h", lookbackMs: 730 * DAY_MS },
];

export const MAX_EQUITY_POINTS = 2_000;
export const MAX_STORED_TRADES = 500;

/** What a stored run says about its prices (`settings.data`). */
export interface ReferenceData {
  kind: MarketData["kind"];
  source: string;
  /** For people: "Binance BTC/USDT 1h candles recorded Oct 2020–Jul 2022". */
  label: string;
  synthetic: boolean;
}

export type ReferenceRow = typeof strategyBacktestRuns.$inferSelect;

/**
 * The equity curve as at most `maxPoints` points: bars are grouped into buckets of whole UTC days (one day per
 * bucket when the run spans at most `maxPoints` days, else k days), each bucket keeping its last bar's time and
 * equity and the deepest drawdown (percent below the running peak of the full curve, ≤ 0) reached inside it, so
 * the chart shows the worst of each day and the stored max drawdown is visible. Day buckets keep daily returns
 * exact for the "similar strategies" correlation whenever the run spans ≤ maxPoints days.
 */
export function downsampleEquity(times: ArrayLike<number>, equity: ArrayLike<number>, maxPoints = MAX_EQUITY_POINTS): StoredEquityPoint[] {
  const n = Math.min(times.length, equity.length);
  if (n === 0) return [];
  const firstDay = Math.floor(times[0]! / DAY_MS);
  const days = Math.floor(times[n - 1]! / DAY_MS) - firstDay + 1;
  const k = Math.max(1, Math.ceil(days / maxPoints));
  const out: StoredEquityPoint[] = [];
  let peak = -Infinity;
  let bucket = NaN;
  let worst = 0;
  for (let i = 0; i < n; i++) {
    const b = Math.floor((Math.floor(times[i]! / DAY_MS) - firstDay) / k);
    if (b !== bucket) {
      bucket = b;
      worst = 0;
      out.push({ time: times[i]!, equity: equity[i]!, drawdownPct: 0 });
    }
    const e = equity[i]!;
    if (e > peak) peak = e;
    const dd = peak > 0 ? (e / peak - 1) * 100 : 0;
    if (dd < worst) worst = dd;
    const last = out[out.length - 1]!;
    last.time = times[i]!;
    last.equity = e;
    last.drawdownPct = worst;
  }
  return out;
}

const month = new Intl.DateTimeFormat("en-US", { month: "short", year: "numeric", timeZone: "UTC" });

function describeData(market: MarketData, dataset: ReferenceDataset, from: number, to: number, venue: string | null): ReferenceData {
  const span = `${month.format(from)}–${month.format(to)}`;
  if (market.kind === "synthetic") {
    return { kind: "synthetic", source: market.source, synthetic: true, label: `Synthetic prices (a seeded random walk, not market data), ${span}` };
  }
  if (market.kind === "replay") {
    return { kind: "replay", source: market.source, synthetic: false, label: `${venue ? `${venue} ` : ""}${dataset.symbol} ${dataset.timeframe} candles recorded ${span}` };
  }
  const exchange = market.source.replace(/^ccxt:/, "");
  return { kind: "ccxt", source: market.source, synthetic: false, label: `${exchange} ${dataset.symbol} ${dataset.timeframe} candles, ${span}` };
}

export interface DatasetCandles {
  candles: Candle[];
  data: (from: number, to: number) => ReferenceData;
}

/**
 * The data set's closed candles from the market-data port, at their recorded times (see the header); null when the
 * adapter has no such instrument or resolution (synthetic prices have no stock, for one).
 */
export async function loadDatasetCandles(market: MarketData, dataset: ReferenceDataset, now: number): Promise<DatasetCandles | null> {
  let candles: Candle[];
  try {
    candles = await market.candles(dataset.symbol, dataset.timeframe, now - dataset.lookbackMs, now);
  } catch (err) {
    logger.info({ err, symbol: dataset.symbol, timeframe: dataset.timeframe, source: market.source }, "no reference data for this market");
    return null;
  }
  if (candles.length === 0) return null;
  let venue: string | null = null;
  let offset = 0;
  if (market.kind === "replay") {
    // Duck-typed like services/market-data's priceSource: the class the adapter came from may be another bundle's.
    const replay = market as Partial<{ replayedSeries(): Promise<{ symbol: string; venue: string | null; offsetMs: number }[]> }>;
    const series = typeof replay.replayedSeries === "function" ? (await replay.replayedSeries()).find((s) => s.symbol === dataset.symbol) : undefined;
    venue = series?.venue ?? null;
    offset = series?.offsetMs ?? 0;
  }
  const shifted = offset ? candles.map((c) => ({ ...c, openTime: c.openTime - offset })) : candles;
  return { candles: shifted, data: (from, to) => describeData(market, dataset, from, to, venue) };
}

/** A stored reference run's row from a backtest (pure apart from the clock given). */
export function referenceRow(entry: CuratedStrategy, dataset: ReferenceDataset, bt: CuratedBacktest, times: ArrayLike<number>, data: ReferenceData, now: Date) {
  const { result, stats } = bt;
  const trades: StoredTrade[] = result.trades.slice(-MAX_STORED_TRADES).map(storedTrade);
  const { label: _label, ...figures } = stats;
  return {
    userId: null,
    curatedId: entry.id,
    strategyVersion: REFERENCE_VERSION,
    name: entry.name,
    params: bt.params,
    symbol: dataset.symbol,
    timeframe: dataset.timeframe,
    dataFrom: new Date(times[0]!),
    dataTo: new Date(times[times.length - 1]!),
    settings: { ...bt.config, data },
    status: "done" as const,
    barsDone: result.bars,
    barsTotal: times.length,
    stats: figures as Record<string, number | null>,
    equity: downsampleEquity(times, result.equity),
    trades,
    // INVARIANT: tradeCount is every closed trade; `trades` keeps only the last MAX_STORED_TRADES.
    tradeCount: result.tradeCount,
    startedAt: now,
    finishedAt: now,
  };
}

const g = globalThis as unknown as { __tradsyLibraryRefs?: Map<string, Promise<void>>; __tradsyLibraryMisses?: Map<string, number> };

/**
 * A data set the adapter could not serve (no such instrument, an exchange that did not answer) is not asked for again
 * by this process for this long, so a library page does not wait on an unreachable exchange at every visit.
 */
export const RETRY_MISSING_DATA_MS = 10 * 60_000;

export interface EnsureOptions {
  db?: Executor;
  market?: MarketData;
  now?: Date;
  catalogue?: readonly CuratedStrategy[];
  datasets?: readonly ReferenceDataset[];
}

/**
 * Computes and stores every reference run that is missing. Cheap when none is: one indexed select. Errors are
 * logged and the data set is skipped (pages show "not available" rather than fail).
 */
export async function ensureReferenceBacktests(options: EnsureOptions = {}): Promise<void> {
  const db = options.db ?? defaultDb;
  const catalogue = options.catalogue ?? CATALOGUE;
  const datasets = options.datasets ?? REFERENCE_DATASETS;
  const have = await db
    .select({ curatedId: strategyBacktestRuns.curatedId, symbol: strategyBacktestRuns.symbol, timeframe: strategyBacktestRuns.timeframe })
    .from(strategyBacktestRuns)
    .where(and(isNull(strategyBacktestRuns.userId), eq(strategyBacktestRuns.strategyVersion, REFERENCE_VERSION), inArray(strategyBacktestRuns.curatedId, catalogue.map((e) => e.id))));
  const stored = new Set(have.map((r) => `${r.curatedId}|${r.symbol}|${r.timeframe}`));
  await Promise.all(
    datasets.map((dataset) => {
      const missing = catalogue.filter(
        (e) => e.markets.includes(dataset.market) && e.timeframes.includes(dataset.timeframe) && !stored.has(`${e.id}|${dataset.symbol}|${dataset.timeframe}`),
      );
      if (missing.length === 0) return undefined;
      // Per process, one computation per data set at a time (another process is taken care of by the unique index).
      // Tests pass their own db and are not memoised, so that two of them can race for real.
      if (options.db) return computeDataset(db, dataset, missing, options);
      g.__tradsyLibraryRefs ??= new Map();
      g.__tradsyLibraryMisses ??= new Map();
      const key = `${dataset.symbol}|${dataset.timeframe}`;
      const missedAt = g.__tradsyLibraryMisses.get(key);
      if (missedAt !== undefined && Date.now() - missedAt < RETRY_MISSING_DATA_MS) return undefined;
      let running = g.__tradsyLibraryRefs.get(key);
      if (!running) {
        running = computeDataset(db, dataset, missing, options)
          .then((ok) => {
            if (ok) g.__tradsyLibraryMisses?.delete(key);
            else g.__tradsyLibraryMisses?.set(key, Date.now());
          })
          .finally(() => g.__tradsyLibraryRefs?.delete(key));
        g.__tradsyLibraryRefs.set(key, running);
      }
      return running;
    }),
  );
}

/** Stores the missing runs of one data set; false when the data set could not be loaded or computed. */
async function computeDataset(db: Executor, dataset: ReferenceDataset, missing: readonly CuratedStrategy[], options: EnsureOptions): Promise<boolean> {
  const market = options.market ?? getMarketData();
  const now = options.now ?? new Date();
  try {
    const loaded = await loadDatasetCandles(market, dataset, now.getTime());
    if (!loaded) return false;
    const times = loaded.candles.map((c) => c.openTime);
    const data = loaded.data(times[0]!, times[times.length - 1]!);
    const rows = missing.map((entry) => referenceRow(entry, dataset, backtestCurated(entry.id, undefined, loaded.candles, {}, options.catalogue ?? CATALOGUE), times, data, now));
    // INVARIANT: the unique reference index decides; a run another process stored first stays as it is.
    for (const row of rows) await db.insert(strategyBacktestRuns).values(row).onConflictDoNothing();
    return true;
  } catch (err) {
    logger.error({ err, symbol: dataset.symbol, timeframe: dataset.timeframe }, "reference backtests failed");
    return false;
  }
}
