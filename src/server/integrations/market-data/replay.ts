/**
 * Replay adapter: real recorded candles from MARKET_DATA_DIR, shifted in time so they look live.
 *
 * Each series gets one offset (a whole number of weeks), chosen the first time any process needs it and stored
 * in `app_settings` under `market-data.replay.offsets`, so restarts, other processes and later deploys keep the
 * same clock and prices never jump. The offset puts "now" 90 to 97 days before the end of the recording (its most
 * recent prices; see lib/market-data/replay-clock), leaving that much recorded future to play. Once it is played
 * the recording has nothing newer: the last price stands still and no new candles appear, which the price-source
 * labels say; a new database replays afresh. Prices and volumes are the recorded ones, unchanged; only times move.
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
import { logger } from "@/server/logger";
import { DAY_MS, TIMEFRAME_MS, aggregateCandles, lowerBound } from "@/lib/market-data/candles";
import { parseOhlcvCsv, parseOhlcvJson, parseUtcTimestamp } from "@/lib/market-data/recorded";
import type { ReplayedSeries } from "@/lib/market-data/price-source";
import { chooseReplayOffset, DEFAULT_REPLAY_RUNWAY_MS, replayProgress } from "@/lib/market-data/replay-clock";
import { createSymbolResolver, type SymbolResolver } from "@/lib/market-data/symbols";
import type { Candle, Quote, SymbolInfo, Timeframe } from "@/lib/market-data/types";
import { UnsupportedTimeframeError, assertCandleRange, type MarketData } from "./types";

export const REPLAY_SOURCE = "replay";
export const REPLAY_OFFSETS_KEY = "market-data.replay.offsets";
/** Offsets are whole weeks: daily candles stay on UTC midnight and FX/stock weekends on Saturdays and Sundays. */
export const REPLAY_STEP_MS = 7 * DAY_MS;

export interface ReplaySeriesSpec {
  info: SymbolInfo;
  /** Where it was recorded, as the price-source label names it ("Binance"); null when the recording does not say. */
  venue: string | null;
  /** Relative to the market-data dir; a `*` in the file name matches the recorded dates (the latest file wins). */
  file: string;
  format: "ohlcv-json" | "csv";
  /** Resolution of the file; coarser timeframes are aggregated from it. */
  timeframe: "1h" | "1d";
}

/**
 * A Binance spot pair recorded hourly: shared/data/candles/binance_<BASE>_USDT_1h_<first>_<last>.json. The dates
 * are matched, not spelled out, so a longer recording dropped in its place is replayed (and labelled) as it is.
 */
const binance = (base: string, pricePrecision: number): ReplaySeriesSpec => ({
  info: { symbol: `${base}/USDT`, base, quote: "USDT", market: "crypto", pricePrecision },
  venue: "Binance",
  file: `candles/binance_${base}_USDT_1h_*.json`,
  format: "ohlcv-json",
  timeframe: "1h",
});

/**
 * The recorded data set (see shared/data/README.md). Daily candles of the hourly series are aggregated from them.
 * Price precision is the finest tick in the span the replay plays (2021-2022): Binance quoted DOGE in 0.00001,
 * ADA and XRP in 0.0001, SOL in 0.001 and BNB in 0.01 then (older candles may carry more decimals; they are only
 * shown, never published on).
 */
export const REPLAY_SERIES: readonly ReplaySeriesSpec[] = [
  binance("BTC", 2),
  binance("ETH", 2),
  binance("BNB", 2),
  binance("XRP", 4),
  binance("ADA", 4),
  binance("SOL", 3),
  binance("DOGE", 5),
  {
    info: { symbol: "EUR/USD", base: "EUR", quote: "USD", market: "forex", pricePrecision: 5 },
    venue: null,
    file: "candles/EURUSD_1h_2017-2018.csv",
    format: "csv",
    timeframe: "1h",
  },
  {
    info: { symbol: "GOOG", base: "GOOG", quote: "USD", market: "stocks", pricePrecision: 2 },
    venue: null,
    file: "candles/GOOG_1d_2004-2013.csv",
    format: "csv",
    timeframe: "1d",
  },
];

/** The file a spec names in `dir` (its `*` matched against the folder: the recording with the latest end, then the longest), or null. */
export function resolveSeriesFile(dir: string, spec: ReplaySeriesSpec): string | null {
  const full = path.resolve(dir, spec.file);
  const name = path.basename(full);
  if (!name.includes("*")) return fs.existsSync(full) ? full : null;
  const folder = path.dirname(full);
  const [head, tail] = name.split("*", 2) as [string, string];
  let entries: string[];
  try {
    entries = fs.readdirSync(folder);
  } catch {
    return null;
  }
  // The wildcard covers "<first>_<last>" (ISO dates): the recording that reaches furthest wins, and of two that end
  // together the one that starts earlier (more history).
  const span = (e: string) => {
    const parts = e.slice(head.length, e.length - tail.length).split("_");
    return { first: parts[0] ?? "", last: parts.at(-1) ?? "" };
  };
  const match = entries
    .filter((e) => e.length >= head.length + tail.length && e.startsWith(head) && e.endsWith(tail))
    .sort((a, b) => {
      const x = span(a);
      const y = span(b);
      return x.last.localeCompare(y.last) || y.first.localeCompare(x.first) || a.localeCompare(b);
    })
    .at(-1);
  return match ? path.join(folder, match) : null;
}

function availableSeries(dir: string): ReplaySeriesSpec[] {
  return REPLAY_SERIES.filter((s) => resolveSeriesFile(dir, s) !== null);
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
const g = globalThis as unknown as {
  __tradsyReplaySeries?: Map<string, Promise<RecordedSeries>>;
  __tradsyReplaySpans?: Map<string, Promise<RecordedSpan>>;
};
const seriesCache = (g.__tradsyReplaySeries ??= new Map());
const spanCache = (g.__tradsyReplaySpans ??= new Map());

function seriesFile(dir: string, spec: ReplaySeriesSpec): string {
  const file = resolveSeriesFile(dir, spec);
  if (!file) throw new Error(`No recorded candles for ${spec.info.symbol} in ${dir} (expected ${spec.file})`);
  return file;
}

function timesOf(candles: readonly Candle[]): Float64Array {
  const times = new Float64Array(candles.length);
  for (let i = 0; i < candles.length; i++) times[i] = (candles[i] as Candle).openTime;
  return times;
}

/** Parses a recorded file once per process; later calls (any adapter instance) get the same object. */
export function loadRecordedSeries(dir: string, spec: ReplaySeriesSpec): Promise<RecordedSeries> {
  const file = seriesFile(dir, spec);
  let p = seriesCache.get(file);
  if (!p) {
    p = (async () => {
      const text = await fs.promises.readFile(file, "utf8");
      const where = path.relative(dir, file);
      const candles = spec.format === "ohlcv-json" ? parseOhlcvJson(text, where) : parseOhlcvCsv(text, where);
      const last = candles.at(-1);
      if (!last) throw new Error(`${where} holds no candles`);
      return { spec, candles, times: timesOf(candles), lastClose: last.openTime + TIMEFRAME_MS[spec.timeframe] };
    })();
    // A failed read is not cached: fixing the file must not need a restart.
    p.catch(() => seriesCache.delete(file));
    seriesCache.set(file, p);
  }
  return p;
}

/** Recorded open time of a file's first candle and close time of its last. */
export interface RecordedSpan {
  firstOpen: number;
  lastClose: number;
}

/**
 * A file's span from its first and last rows only, so choosing offsets and labelling the replay need not parse
 * every recording (a dozen megabytes); a file whose ends do not read as expected is parsed whole instead.
 */
export function readRecordedSpan(dir: string, spec: ReplaySeriesSpec): Promise<RecordedSpan> {
  const file = seriesFile(dir, spec);
  let p = spanCache.get(file);
  if (!p) {
    p = (async () => {
      const ends = await readEnds(file, 512);
      const first = ends && firstTime(ends.head, spec.format);
      const last = ends && lastTime(ends.tail, spec.format);
      if (first != null && last != null && last >= first) return { firstOpen: first, lastClose: last + TIMEFRAME_MS[spec.timeframe] };
      const series = await loadRecordedSeries(dir, spec);
      return { firstOpen: series.times[0] as number, lastClose: series.lastClose };
    })();
    p.catch(() => spanCache.delete(file));
    spanCache.set(file, p);
  }
  return p;
}

async function readEnds(file: string, bytes: number): Promise<{ head: string; tail: string } | null> {
  const handle = await fs.promises.open(file, "r");
  try {
    const { size } = await handle.stat();
    const n = Math.min(bytes, size);
    const head = Buffer.alloc(n);
    const tail = Buffer.alloc(n);
    await handle.read(head, 0, n, 0);
    await handle.read(tail, 0, n, size - n);
    return { head: head.toString("utf8"), tail: tail.toString("utf8") };
  } catch {
    return null;
  } finally {
    await handle.close();
  }
}

function firstTime(head: string, format: ReplaySeriesSpec["format"]): number | null {
  if (format === "ohlcv-json") {
    const m = /^\s*\[\s*\[\s*(\d+)\s*,/.exec(head);
    return m ? Number(m[1]) : null;
  }
  const line = head.split(/\r?\n/)[1];
  return line ? csvTime(line) : null;
}

function lastTime(tail: string, format: ReplaySeriesSpec["format"]): number | null {
  if (format === "ohlcv-json") {
    const m = /\[\s*(\d+)\s*,[^[\]]*\]\s*\]\s*$/.exec(tail);
    return m ? Number(m[1]) : null;
  }
  const lines = tail.split(/\r?\n/).filter((l) => l.trim());
  // The first line of the tail may be cut; the last one is whole.
  return lines.length >= 2 ? csvTime(lines.at(-1)!) : null;
}

function csvTime(line: string): number | null {
  try {
    return parseUtcTimestamp(line.split(",")[0] ?? "");
  } catch {
    return null;
  }
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
  /**
   * Recorded future left after "now" when a series' offset is chosen (default 90 days, plus up to a week): how long
   * a new database's replay keeps moving before its recordings run out. Offsets already stored keep theirs.
   */
  runwayDays?: number;
}

export class ReplayMarketData implements MarketData {
  readonly kind = "replay" as const;
  readonly source = REPLAY_SOURCE;

  private readonly dir: string;
  private readonly db: Executor;
  private readonly now: () => number;
  private readonly runwayMs: number;
  private readonly specs: readonly ReplaySeriesSpec[];
  private readonly resolve: SymbolResolver;
  private offsets?: Promise<Offsets>;

  constructor(options: ReplayOptions) {
    this.dir = path.resolve(options.dir);
    this.db = options.db ?? defaultDb;
    this.now = options.now ?? Date.now;
    this.runwayMs = options.runwayDays === undefined ? DEFAULT_REPLAY_RUNWAY_MS : options.runwayDays * DAY_MS;
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

  /**
   * Every recording this adapter replays, with its recorded span and the offset in force (choosing and storing
   * missing offsets): what the price-source labels are written from.
   */
  async replayedSeries(): Promise<ReplayedSeries[]> {
    const [offsets, spans] = await Promise.all([this.replayOffsets(), Promise.all(this.specs.map((s) => readRecordedSpan(this.dir, s)))]);
    return this.specs.map((spec, i) => ({
      symbol: spec.info.symbol,
      venue: spec.venue,
      timeframe: spec.timeframe,
      recordedFrom: spans[i]!.firstOpen,
      recordedTo: spans[i]!.lastClose,
      offsetMs: offsets[spec.info.symbol]!,
    }));
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
    if (missing.length === 0) {
      await this.warnIfRunOut(stored);
      return stored;
    }

    const now = this.now();
    const chosen: Offsets = {};
    for (const spec of missing) {
      const span = await readRecordedSpan(this.dir, spec);
      chosen[spec.info.symbol] = chooseReplayOffset({ ...span, now, runwayMs: this.runwayMs, stepMs: REPLAY_STEP_MS });
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
    const offsets = parseOffsets(merged?.value);
    await this.warnIfRunOut(offsets);
    return offsets;
  }

  /** Says once per adapter, at start-up, which recordings have run out or soon will: their prices stand still. */
  private async warnIfRunOut(offsets: Offsets): Promise<void> {
    const now = this.now();
    const soon: string[] = [];
    const ended: string[] = [];
    for (const spec of this.specs) {
      const offset = offsets[spec.info.symbol];
      if (offset === undefined) continue;
      const span = await readRecordedSpan(this.dir, spec).catch(() => null);
      if (!span) continue;
      const p = replayProgress({ lastClose: span.lastClose, offsetMs: offset }, now);
      if (p.ended) ended.push(spec.info.symbol);
      else if (p.runwayLeftMs < 14 * DAY_MS) soon.push(spec.info.symbol);
    }
    if (ended.length) {
      logger.warn({ symbols: ended }, "replayed recordings have run out: their last prices stand still (start from an empty database for a fresh replay)");
    }
    if (soon.length) logger.info({ symbols: soon }, "replayed recordings run out within 14 days");
  }
}

function parseOffsets(value: unknown): Offsets {
  const parsed = offsetsSchema.safeParse(value);
  if (!parsed.success) {
    throw new Error(`app_settings "${REPLAY_OFFSETS_KEY}" is not a map of symbol -> offset ms; fix or delete that row`);
  }
  return parsed.data;
}
