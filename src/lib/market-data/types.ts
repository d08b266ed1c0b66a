/**
 * Market-data shapes shared by the server adapters (replay, ccxt) and the browser (charts, previews).
 * Prices and volumes are decimal strings, never floats.
 */

export type MarketKind = "crypto" | "forex" | "stocks";

export const TIMEFRAMES = ["1m", "1h", "1d"] as const;
export type Timeframe = (typeof TIMEFRAMES)[number];

export interface SymbolInfo {
  /** Canonical form: "BTC/USDT", "EUR/USD"; a stock is just its ticker, "GOOG". */
  symbol: string;
  base: string;
  quote: string;
  market: MarketKind;
  /** Decimals a price is quoted with (a 0.01 tick is 2). */
  pricePrecision: number;
}

export interface Candle {
  /** Open time, ms since epoch (UTC). */
  openTime: number;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: string;
}

export interface Quote {
  symbol: string;
  price: string;
  at: Date;
}
