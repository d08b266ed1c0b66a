/**
 * Symbol normalisation: whatever a person, an API client or a TradingView alert sends ("BINANCE:BTCUSDT",
 * "btc/usdt", "BTC-USDT", "EURUSD") resolves to one canonical `SymbolInfo.symbol` from a known list, or null.
 */
import type { SymbolInfo } from "./types";

/** TradingView-style exchange prefix: "BINANCE:", "OANDA:", "FX_IDC:", "NASDAQ:". A "/" is never part of one. */
const EXCHANGE_PREFIX = /^[A-Z0-9_.!-]+:(?=.)/i;
const SEPARATORS = /[/\-_\s]/g;

const compact = (s: string): string => s.toUpperCase().replace(SEPARATORS, "");

export type SymbolResolver = (input: string) => SymbolInfo | null;

/**
 * Builds a lookup over `known` once (the ccxt adapter knows thousands of markets; a webhook resolves one symbol
 * per request). A compact form shared by two symbols ("ABCDEF" as ABC/DEF and ABCD/EF) resolves to null rather
 * than to a guess; the exact "BASE/QUOTE" spelling always resolves.
 */
export function createSymbolResolver(known: readonly SymbolInfo[]): SymbolResolver {
  const exact = new Map<string, SymbolInfo>();
  // Compact spellings of the symbols themselves win over base+quote ones, so a contract "BTC/USDT:USDT" listed
  // beside spot "BTC/USDT" does not make "BTCUSDT" ambiguous.
  const bySymbol = new Map<string, SymbolInfo | null>();
  const byPair = new Map<string, SymbolInfo | null>();
  const add = (map: Map<string, SymbolInfo | null>, key: string, info: SymbolInfo) => {
    const prev = map.get(key);
    if (prev === undefined) map.set(key, info);
    else if (prev !== null && prev.symbol !== info.symbol) map.set(key, null);
  };
  for (const info of known) {
    exact.set(info.symbol.toUpperCase(), info);
    add(bySymbol, compact(info.symbol), info);
    add(byPair, compact(info.base + info.quote), info);
  }
  const lookup = (s: string): SymbolInfo | null => {
    const exactHit = exact.get(s.toUpperCase());
    if (exactHit) return exactHit;
    const key = compact(s);
    const hit = bySymbol.get(key);
    return hit === undefined ? (byPair.get(key) ?? null) : hit;
  };

  return (input) => {
    const trimmed = input.trim();
    if (!trimmed) return null;
    // Exact first, so a ccxt contract symbol such as "BTC/USDT:USDT" is never mistaken for a prefixed one.
    return lookup(trimmed) ?? (EXCHANGE_PREFIX.test(trimmed) ? lookup(trimmed.replace(EXCHANGE_PREFIX, "")) : null);
  };
}

/** "BINANCE:BTCUSDT" -> "BTC/USDT" when BTC/USDT is in `known`; null when nothing matches. */
export function normaliseSymbol(input: string, known: readonly SymbolInfo[]): string | null {
  return createSymbolResolver(known)(input)?.symbol ?? null;
}
