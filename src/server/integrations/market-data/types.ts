/**
 * The market-data port: one interface, three adapters (replay of recorded candles, ccxt public endpoints, and for
 * demos with neither a synthetic random walk), chosen in ./index.ts. Services and jobs depend on this, never on an adapter.
 */
import "server-only";
import { ValidationError } from "@/server/errors";
import type { Candle, Quote, SymbolInfo, Timeframe } from "@/lib/market-data/types";

export type { Candle, MarketKind, Quote, SymbolInfo, Timeframe } from "@/lib/market-data/types";

export interface MarketData {
  readonly kind: "replay" | "ccxt" | "synthetic";
  /** `candles.source` for rows this adapter owns: "replay", "ccxt:binance", "synthetic". */
  readonly source: string;
  listSymbols(): Promise<SymbolInfo[]>;
  /** Accepts "BTC/USDT", "BTCUSDT", "btc/usdt", "BINANCE:BTCUSDT"; null when unknown. */
  getSymbol(symbol: string): Promise<SymbolInfo | null>;
  /** Throws NotFoundError for an unknown symbol. */
  lastPrice(symbol: string): Promise<Quote>;
  /**
   * Closed candles with `since <= openTime < until` (until defaults to now), ascending. Gaps in the market's own
   * record stay gaps. Throws NotFoundError for an unknown symbol, UnsupportedTimeframeError when the adapter
   * has no data at that resolution for that symbol.
   */
  candles(symbol: string, timeframe: Timeframe, since: number, until?: number): Promise<Candle[]>;
}

/** The adapter holds no candles at this resolution for this symbol (e.g. the replay's daily-only stock). */
export class UnsupportedTimeframeError extends ValidationError {
  constructor(
    readonly symbol: string,
    readonly timeframe: string,
    readonly available: readonly Timeframe[],
  ) {
    super(`No ${timeframe} candles for ${symbol}; available: ${available.join(", ") || "none"}`, {
      timeframe: [`Use one of: ${available.join(", ")}`],
    });
  }
}

/** `since`/`until` must be real times: NaN would silently select everything. */
export function assertCandleRange(since: number, until: number | undefined): void {
  if (!Number.isFinite(since) || (until !== undefined && !Number.isFinite(until))) {
    throw new ValidationError("since and until must be times in ms since epoch", { since: ["Must be a time in ms"] });
  }
}
