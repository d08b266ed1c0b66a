/**
 * Example rules documents, as data: starting points the rule builder offers, and fixtures for the tests (each is
 * checked to parse, and SMA_CROSS_RULES to trade exactly as the coded SmaCross).
 */
import type { RulesDocument } from "./schema";

/** backtesting.py's SmaCross(10, 20): long when SMA(10) crosses above SMA(20), short when it crosses below. */
export const SMA_CROSS_RULES: RulesDocument = {
  version: 1,
  name: "SMA cross (10, 20)",
  description: "Always in the market: long when the 10-bar SMA crosses above the 20-bar SMA, short when it crosses below.",
  rules: [
    {
      when: { left: { indicator: "sma", params: { period: 10 } }, op: "crosses_above", right: { indicator: "sma", params: { period: 20 } } },
      then: { type: "enter_long" },
    },
    {
      when: { left: { indicator: "sma", params: { period: 10 } }, op: "crosses_below", right: { indicator: "sma", params: { period: 20 } } },
      then: { type: "enter_short" },
    },
  ],
};

/** RSI(14) reversion: buy when RSI leaves oversold, sell when it reaches overbought; 3% stop, half the equity. */
export const RSI_REVERSION_RULES: RulesDocument = {
  version: 1,
  name: "RSI(14) reversion",
  description: "Long when RSI(14) crosses back above 30; out when it reaches 70. A 3% stop; half the available equity per trade.",
  rules: [
    { when: { left: { indicator: "rsi", params: { period: 14 } }, op: "crosses_above", right: { const: 30 } }, then: { type: "enter_long" } },
    { when: { left: { indicator: "rsi", params: { period: 14 } }, op: ">=", right: { const: 70 } }, then: { type: "exit" } },
  ],
  risk: { stop: { percent: 3 }, size: { fraction: 0.5 } },
};

/**
 * Bollinger breakout with a trend filter: long when the close breaks above the upper band while above SMA(200),
 * short on the mirror; an ATR stop that trails, and two targets in R multiples.
 */
export const BOLLINGER_BREAKOUT_RULES: RulesDocument = {
  version: 1,
  name: "Bollinger breakout with trend filter",
  rules: [
    {
      when: {
        all: [
          { left: { price: "close" }, op: "crosses_above", right: { indicator: "bollinger", params: { period: 20, multiplier: 2 }, output: "upper" } },
          { left: { price: "close" }, op: ">", right: { indicator: "sma", params: { period: 200 } } },
        ],
      },
      then: { type: "enter_long" },
    },
    {
      when: {
        all: [
          { left: { price: "close" }, op: "crosses_below", right: { indicator: "bollinger", params: { period: 20, multiplier: 2 }, output: "lower" } },
          { left: { price: "close" }, op: "<", right: { indicator: "sma", params: { period: 200 } } },
        ],
      },
      then: { type: "enter_short" },
    },
    { when: { any: [{ left: { price: "close" }, op: ">", right: { price: "close", offset: 1 } }, { left: { price: "close" }, op: "<", right: { price: "close", offset: 1 } }] }, then: { type: "move_stop", stop: { atr: 3 } } },
  ],
  risk: { stop: { atr: 2 }, targets: [{ r: 1, share: 0.5 }, { r: 3, share: 0.5 }], size: { riskPercent: 1 }, atrPeriod: 14 },
};

export const EXAMPLE_RULES: readonly { id: string; doc: RulesDocument }[] = [
  { id: "sma-cross", doc: SMA_CROSS_RULES },
  { id: "rsi-reversion", doc: RSI_REVERSION_RULES },
  { id: "bollinger-breakout", doc: BOLLINGER_BREAKOUT_RULES },
];
