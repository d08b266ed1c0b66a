/**
 * ccxt adapter: public market data from a real exchange (Binance by default). Markets are cached for an hour;
 * closed candles are written through to the `candles` table (source `ccxt:<exchangeId>`) and served from it
 * when a range is already there, so a chart or the price monitor asks the exchange only for what is new.
 *
 * ccxt is imported on first use: it is large, and the replay mode never needs it.
 */
import "server-only";
import type { Exchange, Market } from "ccxt";
import { and, asc, eq, gte, lt } from "drizzle-orm";
import { db as defaultDb, type Executor } from "@/server/db";
import { candles as candlesTable } from "@/server/db/schema";
import { NotFoundError, ValidationError } from "@/server/errors";
import { logger } from "@/server/logger";
import { TIMEFRAME_MS, decimalsOfTick, toDecimalString } from "@/lib/market-data/candles";
import { createSymbolResolver, type SymbolResolver } from "@/lib/market-data/symbols";
import type { Candle, Quote, SymbolInfo, Timeframe } from "@/lib/market-data/types";
import { assertCandleRange, type MarketData } from "./types";

export const DEFAULT_EXCHANGE_ID = "binance";

export interface CcxtOptions {
  /** A ccxt exchange id ("binance", "kraken", ...). */
  exchangeId?: string;
  db?: Executor;
  /** Clock, ms: decides which candles are closed. */
  now?: () => number;
  /**
   * Sends every REST call to this origin instead, keeping each endpoint's path ("https://api.binance.com/api/v3"
   * becomes "<apiBaseUrl>/api/v3"): tests run the real ccxt client against a local fake; also a mirror or proxy.
   */
  apiBaseUrl?: string;
  /** Per-request timeout. */
  timeoutMs?: number;
  marketsTtlMs?: number;
  /** Candles asked for per request (Binance spot allows 1000). */
  pageLimit?: number;
  /** A larger range is refused rather than paged through (20,000 1m candles is 20 requests, two weeks). */
  maxCandlesPerCall?: number;
  /**
   * A candle counts as closed only this long after its close time: a local clock slightly ahead of the exchange
   * would otherwise fetch, and cache for good, a candle that is still moving.
   */
  closeGraceMs?: number;
}

// ccxt's precision modes (ccxt.functions.precisionConstants); not exported as types.
const DECIMAL_PLACES = 2;
const TICK_SIZE = 4;
/** When an exchange states precision in significant digits, there is no fixed number of decimals. */
const FALLBACK_PRICE_DECIMALS = 8;

/** Per-exchange options that keep loadMarkets to the spot markets this adapter serves. */
const SPOT_ONLY: Record<string, Record<string, unknown>> = {
  binance: { fetchMarkets: { types: ["spot"] } },
};

type ExchangeClass = new (config?: Record<string, unknown>) => Exchange;

interface MarketCache {
  list: SymbolInfo[];
  resolve: SymbolResolver;
  loadedAt: number;
}

export class CcxtMarketData implements MarketData {
  readonly kind = "ccxt" as const;
  readonly source: string;
  readonly exchangeId: string;

  private readonly db: Executor;
  private readonly now: () => number;
  private readonly options: CcxtOptions;
  private readonly marketsTtlMs: number;
  private readonly pageLimit: number;
  private readonly maxCandles: number;
  private readonly closeGraceMs: number;
  private exchangePromise?: Promise<Exchange>;
  private markets?: MarketCache;
  private marketsLoading?: Promise<MarketCache>;
  /** Candle times the exchange skipped while returning later ones (outages): not asked for again by this process. */
  private readonly knownGaps = new Map<string, Set<number>>();

  constructor(options: CcxtOptions = {}) {
    this.options = options;
    this.exchangeId = options.exchangeId ?? DEFAULT_EXCHANGE_ID;
    this.source = `ccxt:${this.exchangeId}`;
    this.db = options.db ?? defaultDb;
    this.now = options.now ?? Date.now;
    this.marketsTtlMs = options.marketsTtlMs ?? 3_600_000;
    this.pageLimit = options.pageLimit ?? 1000;
    this.maxCandles = options.maxCandlesPerCall ?? 20_000;
    this.closeGraceMs = options.closeGraceMs ?? 5_000;
  }

  /** The underlying ccxt client (created on first use). */
  exchange(): Promise<Exchange> {
    this.exchangePromise ??= this.createExchange().catch((err: unknown) => {
      this.exchangePromise = undefined;
      throw err;
    });
    return this.exchangePromise;
  }

  /**
   * Whether the exchange answers one small public call (its clock, else its market list) within `timeoutMs`.
   * Loading ccxt itself is not counted: on a slow disk that alone can take longer than an offline answer should.
   */
  async reachable(timeoutMs: number): Promise<boolean> {
    const ex = await this.exchange();
    const call = ex.has.fetchTime ? ex.fetchTime() : this.loadMarkets();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    try {
      return await Promise.race([
        call.then(
          () => true,
          (err: unknown) => {
            logger.info({ err, exchange: this.exchangeId }, "exchange not reachable");
            return false;
          },
        ),
        timedOut,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  async listSymbols(): Promise<SymbolInfo[]> {
    return (await this.loadMarkets()).list.map((s) => ({ ...s }));
  }

  async getSymbol(symbol: string): Promise<SymbolInfo | null> {
    const info = (await this.loadMarkets()).resolve(symbol);
    return info ? { ...info } : null;
  }

  async lastPrice(symbol: string): Promise<Quote> {
    const info = await this.requireSymbol(symbol);
    const ticker = await (await this.exchange()).fetchTicker(info.symbol);
    // With `number = String` (see createExchange) these are the exchange's own decimal strings.
    const price: unknown = ticker.last ?? ticker.close;
    if (price === undefined || price === null) throw new Error(`${this.exchangeId} sent no last price for ${info.symbol}`);
    return {
      symbol: info.symbol,
      price: toDecimalString(price),
      at: new Date(typeof ticker.timestamp === "number" ? ticker.timestamp : this.now()),
    };
  }

  async candles(symbol: string, timeframe: Timeframe, since: number, until?: number): Promise<Candle[]> {
    assertCandleRange(since, until);
    const tf = TIMEFRAME_MS[timeframe];
    if (!tf) throw new ValidationError(`Unknown timeframe ${JSON.stringify(timeframe)}`, { timeframe: ["Use 1m, 1h or 1d"] });
    const info = await this.requireSymbol(symbol);

    // Grid of wanted open times: start <= t < end, t closed (t + tf + grace <= now).
    const start = Math.ceil(since / tf) * tf;
    const lastClosed = Math.floor((this.now() - this.closeGraceMs - tf) / tf) * tf;
    const end = Math.min(until ?? Number.POSITIVE_INFINITY, lastClosed + tf);
    if (start >= end) return [];
    const count = Math.ceil((end - start) / tf);
    if (count > this.maxCandles) {
      throw new ValidationError(`That range holds ${count} ${timeframe} candles; ask for at most ${this.maxCandles} at a time`, {
        since: ["Range too long for this timeframe"],
      });
    }

    const cached = await this.readCached(info.symbol, timeframe, start, end);
    const have = new Set(cached.map((c) => c.openTime));
    const gaps = this.knownGaps.get(this.gapKey(info.symbol, timeframe));
    let firstMissing: number | undefined;
    let lastMissing: number | undefined;
    for (let t = start; t < end; t += tf) {
      if (have.has(t) || gaps?.has(t)) continue;
      firstMissing ??= t;
      lastMissing = t;
    }
    if (firstMissing === undefined || lastMissing === undefined) return cached;

    await this.fetchAndStore(info.symbol, timeframe, firstMissing, lastMissing, lastClosed);
    return this.readCached(info.symbol, timeframe, start, end);
  }

  private async requireSymbol(symbol: string): Promise<SymbolInfo> {
    const info = await this.getSymbol(symbol);
    if (!info) throw new NotFoundError(`Unknown symbol ${JSON.stringify(symbol)} on ${this.exchangeId}`);
    return info;
  }

  private gapKey(symbol: string, timeframe: Timeframe): string {
    return `${symbol}|${timeframe}`;
  }

  /** Pages forward by `since` from `first` to `last` (open times, inclusive) and writes what comes back. */
  private async fetchAndStore(symbol: string, timeframe: Timeframe, first: number, last: number, lastClosed: number) {
    const ex = await this.exchange();
    const tf = TIMEFRAME_MS[timeframe];
    const maxPages = Math.ceil((last - first) / tf / this.pageLimit) + 2;
    let cursor = first;
    for (let page = 0; cursor <= last && page < maxPages; page++) {
      const raw = await ex.fetchOHLCV(symbol, timeframe, cursor, this.pageLimit, { until: last });
      const rows: Candle[] = [];
      for (const r of raw) {
        const t = r[0];
        // INVARIANT: only closed candles reach the cache; a cached candle is never updated again.
        if (typeof t !== "number" || t < cursor || t > last || t > lastClosed) continue;
        rows.push({
          openTime: t,
          open: toDecimalString(r[1]),
          high: toDecimalString(r[2]),
          low: toDecimalString(r[3]),
          close: toDecimalString(r[4]),
          volume: toDecimalString(r[5]),
        });
      }
      rows.sort((a, b) => a.openTime - b.openTime);
      const newest = rows.at(-1);
      // Nothing at all: before the market existed, or the exchange lags. Not remembered: asked again next time.
      if (!newest) break;
      await this.store(symbol, timeframe, rows);
      this.rememberGaps(symbol, timeframe, cursor, newest.openTime, rows);
      cursor = newest.openTime + tf;
    }
  }

  /** Times in [from, to] the exchange skipped although it returned candles after them. */
  private rememberGaps(symbol: string, timeframe: Timeframe, from: number, to: number, rows: readonly Candle[]) {
    const tf = TIMEFRAME_MS[timeframe];
    const got = new Set(rows.map((r) => r.openTime));
    const key = this.gapKey(symbol, timeframe);
    for (let t = from; t < to; t += tf) {
      if (got.has(t)) continue;
      let set = this.knownGaps.get(key);
      if (!set) this.knownGaps.set(key, (set = new Set()));
      set.add(t);
    }
  }

  private async store(symbol: string, timeframe: Timeframe, rows: readonly Candle[]) {
    for (let i = 0; i < rows.length; i += 1000) {
      await this.db
        .insert(candlesTable)
        .values(rows.slice(i, i + 1000).map((r) => ({ source: this.source, symbol, timeframe, ...r })))
        .onConflictDoNothing();
    }
  }

  private async readCached(symbol: string, timeframe: Timeframe, start: number, end: number): Promise<Candle[]> {
    const t = candlesTable;
    const rows = await this.db
      .select({ openTime: t.openTime, open: t.open, high: t.high, low: t.low, close: t.close, volume: t.volume })
      .from(t)
      .where(and(eq(t.source, this.source), eq(t.symbol, symbol), eq(t.timeframe, timeframe), gte(t.openTime, start), lt(t.openTime, end)))
      .orderBy(asc(t.openTime));
    // Canonical strings whatever the driver hands back (PostgreSQL keeps a numeric's written scale).
    return rows.map((r) => ({
      openTime: Number(r.openTime),
      open: toDecimalString(r.open),
      high: toDecimalString(r.high),
      low: toDecimalString(r.low),
      close: toDecimalString(r.close),
      volume: toDecimalString(r.volume),
    }));
  }

  private async loadMarkets(): Promise<MarketCache> {
    const cache = this.markets;
    if (cache && this.now() - cache.loadedAt < this.marketsTtlMs) return cache;
    this.marketsLoading ??= this.fetchMarkets()
      .then((fresh) => (this.markets = fresh))
      .catch((err: unknown) => {
        // A failed refresh keeps serving the markets we have; only a first load fails the caller.
        if (!cache) throw err;
        logger.warn({ err, exchange: this.exchangeId }, "market list refresh failed; keeping the cached one");
        return cache;
      })
      .finally(() => (this.marketsLoading = undefined));
    return this.marketsLoading;
  }

  private async fetchMarkets(): Promise<MarketCache> {
    const ex = await this.exchange();
    // Always a reload: this cache decides when to ask. ccxt's own keeps a failed load's rejected promise and returns
    // it to every later loadMarkets() without a request, so after a failed first load it would never ask again.
    const markets = await ex.loadMarkets(true);
    const list: SymbolInfo[] = [];
    for (const m of Object.values(markets)) {
      if (!m || !m.spot || m.active === false || !m.base || !m.quote) continue;
      list.push({ symbol: m.symbol, base: m.base, quote: m.quote, market: "crypto", pricePrecision: priceDecimals(m, ex.precisionMode) });
    }
    list.sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
    return { list, resolve: createSymbolResolver(list), loadedAt: this.now() };
  }

  private async createExchange(): Promise<Exchange> {
    const ccxt = await import("ccxt");
    const classes = ccxt.exchanges as unknown as Record<string, ExchangeClass>;
    const Ctor = Object.hasOwn(classes, this.exchangeId) ? classes[this.exchangeId] : undefined;
    if (!Ctor) throw new Error(`Unknown ccxt exchange id ${JSON.stringify(this.exchangeId)}`);
    const ex = new Ctor({
      enableRateLimit: true,
      ...(this.options.timeoutMs ? { timeout: this.options.timeoutMs } : {}),
      options: {
        // Public data only: no currency list (authenticated on Binance) and no clock sync round trip.
        fetchCurrencies: false,
        adjustForTimeDifference: false,
        ...SPOT_ONLY[this.exchangeId],
      },
    });
    // ccxt's `number` hook takes String in place of Number: every parsed field stays the exchange's own decimal
    // string, so prices reach the cache exactly as written instead of through a float.
    ex.number = String as unknown as Exchange["number"];
    if (this.options.apiBaseUrl) ex.urls.api = rebaseUrls(ex.urls.api, this.options.apiBaseUrl, ex.hostname) as Exchange["urls"]["api"];
    return ex;
  }
}

/** A market's price precision as decimals, whichever way the exchange states it. */
function priceDecimals(m: NonNullable<Market>, precisionMode: number | undefined): number {
  const p: unknown = m.precision?.price;
  if (p === undefined || p === null) return FALLBACK_PRICE_DECIMALS;
  if (precisionMode === TICK_SIZE) return decimalsOfTick(p as string | number);
  if (precisionMode === DECIMAL_PLACES) return Number(p);
  return FALLBACK_PRICE_DECIMALS;
}

function rebaseUrls(value: unknown, base: string, hostname: string | undefined): unknown {
  if (typeof value === "string") {
    const url = new URL(value.replaceAll("{hostname}", hostname ?? "localhost"));
    return base.replace(/\/+$/, "") + url.pathname.replace(/\/+$/, "");
  }
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rebaseUrls(v, base, hostname)]));
  }
  return value;
}
