/**
 * Synthetic adapter: the last resort of a demo that has neither recorded candles nor an exchange (see ./index.ts).
 * Prices are a seeded random walk (src/lib/market-data/synthetic.ts), not a market, and every page that shows
 * figures computed from them says so.
 *
 * The walk's seed and origin are chosen the first time any process needs them and stored in `app_settings` under
 * `market-data.synthetic`, so restarts and other processes generate the very same candles: an open demo signal is
 * judged later on the prices it was published on.
 */
import "server-only";
import { eq } from "drizzle-orm";
import { z } from "zod";
import { db as defaultDb, type Executor } from "@/server/db";
import { appSettings } from "@/server/db/schema";
import { NotFoundError } from "@/server/errors";
import { DAY_MS, HOUR_MS, TIMEFRAME_MS, aggregateCandles } from "@/lib/market-data/candles";
import { createSymbolResolver, type SymbolResolver } from "@/lib/market-data/symbols";
import { createSyntheticSeries, SYNTHETIC_SYMBOLS, type SyntheticSeries } from "@/lib/market-data/synthetic";
import type { Candle, Quote, SymbolInfo, Timeframe } from "@/lib/market-data/types";
import { UnsupportedTimeframeError, assertCandleRange, type MarketData } from "./types";

export const SYNTHETIC_SOURCE = "synthetic";
export const SYNTHETIC_SERIES_KEY = "market-data.synthetic";
/** Changing it would change every synthetic price of a new database; stored databases keep theirs. */
export const DEFAULT_SYNTHETIC_SEED = "tradsy-demo-v1";

const paramsSchema = z.object({ seed: z.string().min(1), origin: z.number().int() });
export type SyntheticParams = z.infer<typeof paramsSchema>;

export interface SyntheticOptions {
  db?: Executor;
  /** Clock, ms; tests move it. */
  now?: () => number;
  /** Seed for a database that has none stored yet. */
  seed?: string;
  /** History generated before the first use (the demo needs a year; strategies a little warm-up). */
  historyDays?: number;
}

export class SyntheticMarketData implements MarketData {
  readonly kind = "synthetic" as const;
  readonly source = SYNTHETIC_SOURCE;

  private readonly db: Executor;
  private readonly now: () => number;
  private readonly seed: string;
  private readonly historyMs: number;
  private readonly resolve: SymbolResolver = createSymbolResolver(SYNTHETIC_SYMBOLS.map((s) => s.info));
  private params?: Promise<SyntheticParams>;
  private readonly series = new Map<string, SyntheticSeries>();

  constructor(options: SyntheticOptions = {}) {
    this.db = options.db ?? defaultDb;
    this.now = options.now ?? Date.now;
    this.seed = options.seed ?? DEFAULT_SYNTHETIC_SEED;
    this.historyMs = (options.historyDays ?? 400) * DAY_MS;
  }

  async listSymbols(): Promise<SymbolInfo[]> {
    return SYNTHETIC_SYMBOLS.map((s) => ({ ...s.info }));
  }

  async getSymbol(symbol: string): Promise<SymbolInfo | null> {
    const info = this.resolve(symbol);
    return info ? { ...info } : null;
  }

  async lastPrice(symbol: string): Promise<Quote> {
    const series = await this.open(symbol);
    const now = this.now();
    // The last hour closed by now; an FX weekend has none, so look back over it.
    const [last] = series.candles(now - 4 * DAY_MS, Math.floor(now / HOUR_MS) * HOUR_MS).slice(-1);
    if (!last) throw new NotFoundError(`No synthetic price for ${series.spec.info.symbol} yet`);
    return { symbol: series.spec.info.symbol, price: last.close, at: new Date(last.openTime + HOUR_MS) };
  }

  async candles(symbol: string, timeframe: Timeframe, since: number, until?: number): Promise<Candle[]> {
    assertCandleRange(since, until);
    if (timeframe !== "1h" && timeframe !== "1d") throw new UnsupportedTimeframeError(symbol, timeframe, ["1h", "1d"]);
    const series = await this.open(symbol);
    const tf = TIMEFRAME_MS[timeframe];
    // Closed candles only: openTime + tf <= now.
    const end = Math.min(until ?? Number.POSITIVE_INFINITY, Math.floor(this.now() / tf) * tf);
    if (since >= end) return [];
    if (timeframe === "1h") return series.candles(since, end);
    const from = Math.floor(since / DAY_MS) * DAY_MS;
    return aggregateCandles(series.candles(from, end), DAY_MS).filter((c) => c.openTime >= since);
  }

  /** Seed and origin in force, choosing and storing them on first use. */
  seriesParams(): Promise<SyntheticParams> {
    this.params ??= this.loadParams().catch((err: unknown) => {
      this.params = undefined;
      throw err;
    });
    return this.params;
  }

  private async open(symbol: string): Promise<SyntheticSeries> {
    const info = this.resolve(symbol);
    const spec = info && SYNTHETIC_SYMBOLS.find((s) => s.info.symbol === info.symbol);
    if (!spec) throw new NotFoundError(`Unknown symbol ${JSON.stringify(symbol)}`);
    const { seed, origin } = await this.seriesParams();
    let series = this.series.get(spec.info.symbol);
    if (!series) this.series.set(spec.info.symbol, (series = createSyntheticSeries({ seed, spec, origin })));
    return series;
  }

  private async loadParams(): Promise<SyntheticParams> {
    // Whole days keep daily candles on UTC midnight.
    const chosen: SyntheticParams = { seed: this.seed, origin: Math.floor((this.now() - this.historyMs) / DAY_MS) * DAY_MS };
    // INVARIANT: the parameters, once stored, never change; of two processes choosing at once, the first wins.
    await this.db.insert(appSettings).values({ key: SYNTHETIC_SERIES_KEY, value: chosen }).onConflictDoNothing();
    const [row] = await this.db.select({ value: appSettings.value }).from(appSettings).where(eq(appSettings.key, SYNTHETIC_SERIES_KEY));
    const parsed = paramsSchema.safeParse(row?.value);
    if (!parsed.success) throw new Error(`app_settings "${SYNTHETIC_SERIES_KEY}" is not { seed, origin }; fix or delete that row`);
    return parsed.data;
  }
}
