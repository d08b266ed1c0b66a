import { describe, expect, it } from "vitest";
import { createSymbolResolver, normaliseSymbol } from "./symbols";
import type { SymbolInfo } from "./types";

const known: SymbolInfo[] = [
  { symbol: "BTC/USDT", base: "BTC", quote: "USDT", market: "crypto", pricePrecision: 2 },
  { symbol: "ETH/BTC", base: "ETH", quote: "BTC", market: "crypto", pricePrecision: 5 },
  { symbol: "EUR/USD", base: "EUR", quote: "USD", market: "forex", pricePrecision: 5 },
  { symbol: "GOOG", base: "GOOG", quote: "USD", market: "stocks", pricePrecision: 2 },
  { symbol: "BTC/USDT:USDT", base: "BTC", quote: "USDT", market: "crypto", pricePrecision: 1 },
];

describe("normaliseSymbol", () => {
  it.each([
    ["BTC/USDT", "BTC/USDT"],
    ["BTCUSDT", "BTC/USDT"],
    ["btc/usdt", "BTC/USDT"],
    ["btcusdt", "BTC/USDT"],
    ["BINANCE:BTCUSDT", "BTC/USDT"],
    ["binance:btc/usdt", "BTC/USDT"],
    ["  BTC-USDT ", "BTC/USDT"],
    ["BTC_USDT", "BTC/USDT"],
    ["EURUSD", "EUR/USD"],
    ["OANDA:EURUSD", "EUR/USD"],
    ["FX_IDC:eur/usd", "EUR/USD"],
    ["GOOG", "GOOG"],
    ["NASDAQ:GOOG", "GOOG"],
    ["GOOGUSD", "GOOG"],
    ["ethbtc", "ETH/BTC"],
    // An exact contract symbol is not read as "prefix BTC/USDT".
    ["BTC/USDT:USDT", "BTC/USDT:USDT"],
  ])("%j -> %s", (input, out) => expect(normaliseSymbol(input, known)).toBe(out));

  it.each(["ETHUSDT", "BINANCE:ETHUSDT", "", "   ", "BINANCE:", "BTC", "USDTBTC", "BTCUSDT.P"])("%j is unknown", (input) => {
    expect(normaliseSymbol(input, known)).toBeNull();
  });

  it("refuses to guess when a compact form fits two symbols, but resolves their exact spellings", () => {
    const clash: SymbolInfo[] = [
      { symbol: "ABC/DEF", base: "ABC", quote: "DEF", market: "crypto", pricePrecision: 2 },
      { symbol: "ABCD/EF", base: "ABCD", quote: "EF", market: "crypto", pricePrecision: 2 },
    ];
    expect(normaliseSymbol("ABCDEF", clash)).toBeNull();
    expect(normaliseSymbol("abc/def", clash)).toBe("ABC/DEF");
    expect(normaliseSymbol("ABCD/EF", clash)).toBe("ABCD/EF");
  });

  it("resolver returns the SymbolInfo itself", () => {
    const resolve = createSymbolResolver(known);
    expect(resolve("BINANCE:ETHBTC")).toEqual(known[1]);
    expect(resolve("nope")).toBeNull();
  });
});
