/**
 * Replay adapter: real recorded candles from MARKET_DATA_DIR, shifted in time so they look live.
 *
 * Each series gets one offset (a whole number of weeks), chosen the first time any process needs it and stored
 * in `app_settings` under `market-data.replay.offsets`, so restarts, other processes and later deploys keep the
 * same clock and prices never jump. Prices and volumes are the recorded ones, unchanged; only times move.
 * The files are parsed lazily, once per process, and kept in memory.
 */
import "server-only";
import fs from "node:fs";
import path from "node:path";
import { eq, sql } from "drizzle-orm";
import { z } from "zod";
import { db as defaultDb, type Executor } from "@/server/db";
import { appSettings } from "@/server/db/schema";
import { NotFoundError } from "@/server/errors";
import { DAY_MS, TIMEFRAME_MS, aggregateCandles, lowerBound } from "@/lib/market-data/candles";
import { parseOhlcvCsv, parseOhlcvJson } from "@/lib/market-data/recorded";
import { chooseReplayOffset } from "@/lib/market-data/replay-clock";
import { createSymbolResolver, type SymbolResolver } from "@/lib/market-data/symbols";
import type { Candle, Quote, SymbolInfo, Timeframe } from "@/lib/market-data/types";
import { UnsupportedTimeframeError, assertCandleRange, type MarketData } from "./types";

export const REPLAY_SOURCE = "replay";
export const REPLAY_OFFSETS_KEY = "market-data.replay.offsets";

export interface ReplaySeriesSpec {
  info: SymbolInfo;
  /** Relative to the market-data dir. */
  file: string;
  format: "ohlcv-json" | "csv";
  /** Resolution of the file; coarser timeframes are aggregated from it. */
  timeframe: "1h" | "1d";
}

/** The recorded data set (see shared/data/README.md). BTC/USDT daily candles come from the hourly file. */
export const REPLAY_SERIES: readonly ReplaySeriesSpec[] = [
  {
    info: { symbol: "BTC/USDT", base: "BTC", quote: "USDT", market: "crypto", pricePrecision: 2 },
    file: "candles/binance_BTC_USDT_1h_2017-08-17_2022-10-11.json",
    format: "ohlcv-json",
    timeframe: "1h",
  },
  {
    info: { symbol: "EUR/USD", base: "EUR", quote: "USD", market: "forex", pricePrecision: 5 },
    file: "candles/EURUSD_1h_2017-2018.csv",
    format: "csv",
    timeframe: "1h",
  },
  {
    info: { symbol: "GOOG", base: "GOOG", quote: "USD", market: "stocks", pricePrecision: 2 },
    file: "candles/GOOG_1d_2004-2013.csv",
    format: "csv",
    timeframe: "1d",
  },
];

function availableSeries(dir: string): ReplaySeriesSpec[] {
  return REPLAY_SERIES.filter((s) => fs.existsSync(path.join(dir, s.file)));
}

/** True when `dir` holds at least one of the recorded series. */
export function replayAvailable(dir: string | undefined | null): boolean {
  return !!dir && availableSeries(path.resolve(dir)).length > 0;
}

/** A parsed file, at recorded times. */
export interface RecordedSeries {
  spec: ReplaySeriesSpec;
  candles: readonly Candle[];
  /** `candles[i].openTime`, for binary search. */
  times: Float64Array;
  /** Recorded close time of the last candle. */
  lastClose: number;
  /** Daily candles aggregated from an hourly file, built on first use. */
  daily?: { candles: readonly Candle[]; times: Float64Array };
}

// Kept on globalThis so Next.js hot reloads and several adapter instances share one parse per file.
const g = globalThis as unknown as { __tradsyReplaySeries?: Map<string, Promise<RecordedSeries>> };
const seriesCache = (g.__tradsyReplaySeries ??= new Map());

function timesOf(candles: readonly Candle[]): Float64Array {
  const times = new Float64Array(candles.length);
  for (let i = 0; i < candles.length; i++) times[i] = (candles[i] as Candle).openTime;
  return times;
}

/** Parses a recorded file once per process; later calls (any adapter instance) get the same object. */
export function loadRecordedSeries(dir: string, spec: ReplaySeriesSpec): Promise<RecordedSeries> {
  const file = path.resolve(dir, spec.file);
  let p = seriesCache.get(file);
  if (!p) {
    p = (async () => {
      const text = await fs.promises.readFile(file, "utf8");
      const candles = spec.format === "ohlcv-json" ? parseOhlcvJson(text, spec.file) : parseOhlcvCsv(text, spec.file);
      const last = candles.at(-1);
      if (!last) throw new Error(`${spec.file} holds no candles`);
      return { spec, candles, times: timesOf(candles), lastClose: last.openTime + TIMEFRAME_MS[spec.timeframe] };
    })();
    // A failed read is not cached: fixing the file must not need a restart.
    p.catch(() => seriesCache.delete(file));
    seriesCache.set(file, p);
  }
  return p;
}

function dailyOf(series: RecordedSeries): { candles: readonly Candle[]; times: Float64Array } {
  if (!series.daily) {
    const candles = aggregateCandles(series.candles, DAY_MS);
    series.daily = { candles, times: timesOf(candles) };
  }
  return series.daily;
}

const offsetsSchema = z.record(z.string(), z.number().int());
type Offsets = z.infer<typeof offsetsSchema>;

export interface ReplayOptions {
  /** The market-data dir (holding `candles/`). */
  dir: string;
  db?: Executor;
  /** Clock, ms; tests move it. */
  now?: () => number;
  /** History wanted before "now" where the series is long enough. */
  minHistoryDays?: number;
  /** For a series too short for that: recorded future left after "now", taken from the history instead. */
  shortSeriesRunwayDays?: number;
}

export class ReplayMarketData implements MarketData {
  readonly kind = "replay" as const;
  readonly source = REPLAY_SOURCE;

  private readonly dir: string;
  private readonly db: Executor;
  private readonly now: () => number;
  private readonly minHistoryMs: number;
  private readonly runwayMs: number;
  private readonly specs: readonly ReplaySeriesSpec[];
  private readonly resolve: SymbolResolver;
  private offsets?: Promise<Offsets>;

  constructor(options: ReplayOptions) {
    this.dir = path.resolve(options.dir);
    this.db = options.db ?? defaultDb;
    this.now = options.now ?? Date.now;
    this.minHistoryMs = (options.minHistoryDays ?? 365) * DAY_MS;
    this.runwayMs = (options.shortSeriesRunwayDays ?? 30) * DAY_MS;
    this.specs = availableSeries(this.dir);
    if (this.specs.length === 0) throw new Error(`No recorded candles in ${this.dir} (expected ${REPLAY_SERIES[0]?.file} and others)`);
    this.resolve = createSymbolResolver(this.specs.map((s) => s.info));
  }

  async listSymbols(): Promise<SymbolInfo[]> {
    return this.specs.map((s) => ({ ...s.info }));
  }

  async getSymbol(symbol: string): Promise<SymbolInfo | null> {
    const info = this.resolve(symbol);
    return info ? { ...info } : null;
  }

  async lastPrice(symbol: string): Promise<Quote> {
    const { spec, series, offset } = await this.open(symbol);
    const tf = TIMEFRAME_MS[spec.timeframe];
    const cutoff = this.now() - offset;
    // Last candle closed by now: openTime + tf <= cutoff.
    const i = lowerBound(series.times, cutoff - tf + 1) - 1;
    const candle = series.candles[i];
    if (!candle) throw new NotFoundError(`No recorded price for ${spec.info.symbol} yet`);
    return { symbol: spec.info.symbol, price: candle.close, at: new Date(candle.openTime + offset + tf) };
  }

  async candles(symbol: string, timeframe: Timeframe, since: number, until?: number): Promise<Candle[]> {
    assertCandleRange(since, until);
    const { spec, series, offset } = await this.open(symbol);
    let data: { candles: readonly Candle[]; times: Float64Array };
    if (timeframe === spec.timeframe) data = series;
    else if (timeframe === "1d" && spec.timeframe === "1h") data = dailyOf(series);
    else throw new UnsupportedTimeframeError(spec.info.symbol, timeframe, spec.timeframe === "1h" ? ["1h", "1d"] : ["1d"]);

    const tf = TIMEFRAME_MS[timeframe];
    const now = this.now();
    // In recorded time: since <= t < until and closed (t + tf <= now).
    const from = since - offset;
    const to = Math.min((until ?? Number.POSITIVE_INFINITY) - offset, now - offset - tf + 1);
    const out: Candle[] = [];
    for (let i = lowerBound(data.times, from); i < data.candles.length; i++) {
      const c = data.candles[i] as Candle;
      if (c.openTime >= to) break;
      out.push({ ...c, openTime: c.openTime + offset });
    }
    return out;
  }

  /** Offsets in force, per symbol (ms to add to recorded times), choosing and storing missing ones. */
  replayOffsets(): Promise<Readonly<Offsets>> {
    this.offsets ??= this.loadOffsets().catch((err: unknown) => {
      this.offsets = undefined;
      throw err;
    });
    return this.offsets;
  }

  private async open(symbol: string) {
    const info = this.resolve(symbol);
    const spec = info && this.specs.find((s) => s.info.symbol === info.symbol);
    if (!spec) throw new NotFoundError(`Unknown symbol ${JSON.stringify(symbol)}`);
    const [series, offsets] = await Promise.all([loadRecordedSeries(this.dir, spec), this.replayOffsets()]);
    const offset = offsets[spec.info.symbol];
    if (offset === undefined) throw new Error(`No replay offset for ${spec.info.symbol}`);
    return { spec, series, offset };
  }

  private async loadOffsets(): Promise<Offsets> {
    const [row] = await this.db
      .select({ value: appSettings.value })
      .from(appSettings)
      .where(eq(appSettings.key, REPLAY_OFFSETS_KEY));
    const stored = row ? parseOffsets(row.value) : {};
    const missing = this.specs.filter((s) => stored[s.info.symbol] === undefined);
    if (missing.length === 0) return stored;

    const now = this.now();
    const chosen: Offsets = {};
    for (const spec of missing) {
      const series = await loadRecordedSeries(this.dir, spec);
      chosen[spec.info.symbol] = chooseReplayOffset({
        firstOpen: series.times[0] as number,
        lastClose: series.lastClose,
        now,
        minHistoryMs: this.minHistoryMs,
        runwayMs: this.runwayMs,
        stepMs: 7 * DAY_MS,
      });
    }
    // INVARIANT: an offset, once stored, never changes. `excluded || existing` lets existing keys win, so two
    // processes choosing at once both end up with whichever offsets reached the table first.
    const [merged] = await this.db
      .insert(appSettings)
      .values({ key: REPLAY_OFFSETS_KEY, value: chosen })
      .onConflictDoUpdate({
        target: appSettings.key,
        set: { value: sql`excluded.value || ${appSettings.value}`, updatedAt: sql`now()` },
      })
      .returning({ value: appSettings.value });
    return parseOffsets(merged?.value);
  }
}

function parseOffsets(value: unknown): Offsets {
  const parsed = offsetsSchema.safeParse(value);
  if (!parsed.success) {
    throw new Error(`app_settings "${REPLAY_OFFSETS_KEY}" is not a map of symbol -> offset ms; fix or delete that row`);
  }
  return parsed.data;
}
