/**
 * A deterministic market-data adapter for integration tests: three symbols, last prices the test sets, and only
 * the candles the test provides. Install it with `useFakeMarket()`; each test starts from the default prices and
 * no candles.
 */
import { afterAll, beforeAll, beforeEach } from "vitest";
import { NotFoundError } from "@/server/errors";
import { setMarketData, UnsupportedTimeframeError, type Candle, type MarketData, type Quote, type SymbolInfo, type Timeframe } from "@/server/integrations/market-data";
import { createSymbolResolver } from "@/lib/market-data/symbols";

export const FAKE_SYMBOLS: readonly SymbolInfo[] = [
  { symbol: "BTC/USDT", base: "BTC", quote: "USDT", market: "crypto", pricePrecision: 2 },
  { symbol: "ETH/USDT", base: "ETH", quote: "USDT", market: "crypto", pricePrecision: 2 },
  { symbol: "EUR/USD", base: "EUR", quote: "USD", market: "forex", pricePrecision: 5 },
];

export const DEFAULT_PRICES: Readonly<Record<string, string>> = { "BTC/USDT": "32045.14", "ETH/USDT": "2000.5", "EUR/USD": "1.085" };

export class FakeMarket implements MarketData {
  readonly kind = "ccxt" as const;
  readonly source = "fake";
  private readonly resolve = createSymbolResolver(FAKE_SYMBOLS);
  private prices = new Map<string, string>();
  private series = new Map<string, Candle[]>();
  /** Every `candles` call, so a test can tell what the monitor asked for. */
  readonly candleRequests: { symbol: string; timeframe: Timeframe; since: number; until: number | undefined }[] = [];
  now: () => Date = () => new Date();

  constructor() {
    this.reset();
  }

  reset(): void {
    this.prices = new Map(Object.entries(DEFAULT_PRICES));
    this.series.clear();
    this.candleRequests.length = 0;
    this.now = () => new Date();
  }

  setPrice(symbol: string, price: string): void {
    this.prices.set(this.info(symbol).symbol, price);
  }

  /** Replaces the candles of one symbol and timeframe (ascending by openTime). */
  setCandles(symbol: string, timeframe: Timeframe, candles: Candle[]): void {
    this.series.set(`${this.info(symbol).symbol}|${timeframe}`, [...candles].sort((a, b) => a.openTime - b.openTime));
  }

  private info(symbol: string): SymbolInfo {
    const info = this.resolve(symbol);
    if (!info) throw new NotFoundError(`Unknown symbol "${symbol}"`);
    return info;
  }

  async listSymbols(): Promise<SymbolInfo[]> {
    return FAKE_SYMBOLS.map((s) => ({ ...s }));
  }

  async getSymbol(symbol: string): Promise<SymbolInfo | null> {
    const info = this.resolve(symbol);
    return info ? { ...info } : null;
  }

  async lastPrice(symbol: string): Promise<Quote> {
    const info = this.info(symbol);
    return { symbol: info.symbol, price: this.prices.get(info.symbol)!, at: this.now() };
  }

  async candles(symbol: string, timeframe: Timeframe, since: number, until?: number): Promise<Candle[]> {
    const info = this.info(symbol);
    this.candleRequests.push({ symbol: info.symbol, timeframe, since, until });
    const list = this.series.get(`${info.symbol}|${timeframe}`);
    if (!list) {
      const available = (["1m", "1h", "1d"] as const).filter((tf) => this.series.has(`${info.symbol}|${tf}`));
      throw new UnsupportedTimeframeError(info.symbol, timeframe, available);
    }
    const end = until ?? this.now().getTime();
    return list.filter((c) => c.openTime >= since && c.openTime < end).map((c) => ({ ...c }));
  }
}

/** A candle from open/high/low/close (volume is irrelevant to the lifecycle). */
export function candle(openTime: number, open: string, high: string, low: string, close: string): Candle {
  return { openTime, open, high, low, close, volume: "1" };
}

/** Installs one FakeMarket for the test file, reset before each test. */
export function useFakeMarket(): FakeMarket {
  const market = new FakeMarket();
  beforeAll(() => setMarketData(market));
  beforeEach(() => market.reset());
  afterAll(() => setMarketData(undefined));
  return market;
}

/** A seeded random walk of `n` hourly candles ending before the current hour (lab tests: backtests, optimisations). */
export function hourlyWalk(n: number, seed = 7): Candle[] {
  const HOUR = 3_600_000;
  let s = seed;
  const rnd = () => ((s = (s * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  const start = Math.floor(Date.now() / HOUR) * HOUR - (n + 1) * HOUR;
  let p = 100;
  const out: Candle[] = [];
  for (let i = 0; i < n; i++) {
    const o = p;
    p = Math.max(1, p * (1 + (rnd() - 0.5) * 0.02));
    const hi = Math.max(o, p) * (1 + rnd() * 0.005);
    const lo = Math.min(o, p) * (1 - rnd() * 0.005);
    out.push({ openTime: start + i * HOUR, open: o.toFixed(4), high: hi.toFixed(4), low: lo.toFixed(4), close: p.toFixed(4), volume: (1000 + rnd() * 100).toFixed(2) });
  }
  return out;
}
