/** Parameter validation: the classes refuse what makes no indicator; the registry also holds the product's bounds. */
import { describe, expect, it } from "vitest";
import {
  ADX,
  ATR,
  BollingerBands,
  createIndicator,
  Donchian,
  EMA,
  IndicatorParamError,
  INDICATOR_IDS,
  INDICATORS,
  MACD,
  resolveParams,
  RSI,
  SMA,
  Stochastic,
  VWAP,
  WMA,
} from "./index";

describe("constructors refuse meaningless parameters with a message naming indicator, parameter and value", () => {
  it.each([
    ["SMA period 0", () => new SMA({ period: 0 }), "SMA period must be a whole number of at least 1, got 0"],
    ["SMA period 2.5", () => new SMA({ period: 2.5 }), "SMA period must be a whole number of at least 1, got 2.5"],
    ["SMA period NaN", () => new SMA({ period: NaN }), "SMA period must be a whole number of at least 1, got NaN"],
    ["EMA period -3", () => new EMA({ period: -3 }), "EMA period must be a whole number of at least 1, got -3"],
    ["EMA seed", () => new EMA({ period: 3, seed: "median" as never }), 'EMA seed must be one of "sma", "first", got "median"'],
    ["WMA period Infinity", () => new WMA({ period: Infinity }), "WMA period must be a whole number of at least 1, got Infinity"],
    ["RSI period as a string", () => new RSI({ period: "14" as never }), 'RSI period must be a whole number of at least 1, got "14"'],
    ["MACD fast ≥ slow", () => new MACD({ fast: 26, slow: 12, signal: 9 }), "MACD fast period (26) must be shorter than the slow period (12)"],
    ["MACD fast = slow", () => new MACD({ fast: 12, slow: 12, signal: 9 }), "MACD fast period (12) must be shorter than the slow period (12)"],
    ["MACD signal 0", () => new MACD({ fast: 12, slow: 26, signal: 0 }), "MACD signal period must be a whole number of at least 1, got 0"],
    ["Bollinger multiplier 0", () => new BollingerBands({ period: 20, multiplier: 0 }), "Bollinger Bands multiplier must be a number above 0, got 0"],
    ["Bollinger multiplier NaN", () => new BollingerBands({ period: 20, multiplier: NaN }), "Bollinger Bands multiplier must be a number above 0, got NaN"],
    ["Bollinger period 0", () => new BollingerBands({ period: 0, multiplier: 2 }), "Bollinger Bands period must be a whole number of at least 1, got 0"],
    ["ATR period 1.5", () => new ATR({ period: 1.5 }), "ATR period must be a whole number of at least 1, got 1.5"],
    ["Stochastic %D 0", () => new Stochastic({ kPeriod: 14, kSmoothing: 3, dPeriod: 0 }), "Stochastic %D period must be a whole number of at least 1, got 0"],
    ["Stochastic %K smoothing missing", () => new Stochastic({ kPeriod: 14, dPeriod: 3 } as never), "Stochastic %K smoothing must be a whole number of at least 1, got undefined"],
    ["Donchian period 0", () => new Donchian({ period: 0 }), "Donchian period must be a whole number of at least 1, got 0"],
    ["VWAP session", () => new VWAP({ session: "week" as never }), 'VWAP session must be one of "none", "utc-day", got "week"'],
    ["ADX smoothing 0", () => new ADX({ period: 14, adxPeriod: 0 }), "ADX ADX smoothing period must be a whole number of at least 1, got 0"],
    ["ADX variant", () => new ADX({ period: 14, variant: "talib" as never }), 'ADX variant must be one of "wilder", "trading-signals", got "talib"'],
  ])("%s", (_name, make, message) => {
    expect(make).toThrow(IndicatorParamError);
    expect(make).toThrow(message);
  });

  it("IndicatorParamError is a RangeError", () => {
    expect(new IndicatorParamError("x")).toBeInstanceOf(RangeError);
  });
});

describe("the registry", () => {
  it("describes every indicator as plain data, defaults within their bounds", () => {
    expect(INDICATOR_IDS).toEqual(["sma", "ema", "wma", "rsi", "macd", "bollinger", "atr", "stochastic", "donchian", "vwap", "obv", "adx"]);
    expect(JSON.parse(JSON.stringify(INDICATORS))).toEqual(INDICATORS);
    for (const spec of Object.values(INDICATORS)) {
      expect(spec.outputs.length).toBeGreaterThan(0);
      for (const p of spec.params) {
        if (p.type === "choice") expect(p.options.map((o) => o.value)).toContain(p.default);
        else expect(p.default >= p.min && p.default <= p.max, `${spec.id}.${p.key}`).toBe(true);
      }
    }
  });

  it("builds each indicator from its defaults, fed candles, outputs keyed as the spec says", () => {
    for (const id of INDICATOR_IDS) {
      const ind = createIndicator(id);
      let v = null;
      for (let i = 0; i < 200; i++) v = ind.update({ time: i * 3_600_000, high: 101 + (i % 7), low: 99 - (i % 5), close: 100 + (i % 3), volume: 1 + (i % 4) });
      expect(Object.keys(v!), id).toEqual(INDICATORS[id].outputs.map((o) => o.key));
      expect(ind.ready).toBe(true);
      expect(ind.value).toBe(v);
    }
  });

  it("fills defaults and keeps what was given", () => {
    expect(resolveParams("macd", { fast: 5 })).toEqual({ fast: 5, slow: 26, signal: 9 });
    expect(resolveParams("vwap", { session: "utc-day" })).toEqual({ session: "utc-day" });
    expect(resolveParams("obv")).toEqual({});
    expect(createIndicator("rsi", { period: 7 }).warmup).toBe(8);
  });

  it.each([
    ["an unknown indicator", () => resolveParams("ichimoku"), 'Unknown indicator "ichimoku": pick one of sma, ema, wma, rsi, macd, bollinger, atr, stochastic, donchian, vwap, obv, adx'],
    ["an inherited name", () => resolveParams("toString"), 'Unknown indicator "toString"'],
    ["an unknown parameter", () => resolveParams("rsi", { length: 14 }), 'RSI has no parameter "length": it takes period'],
    ["a parameter where there are none", () => resolveParams("obv", { period: 14 }), 'OBV has no parameter "period": it takes none'],
    ["a fractional period", () => resolveParams("sma", { period: 2.5 }), "SMA Period must be a whole number, got 2.5"],
    ["a string for a number", () => resolveParams("bollinger", { multiplier: "2" }), 'BB Standard deviations must be a number, got "2"'],
    ["below the minimum", () => resolveParams("rsi", { period: 1 }), "RSI Period must be between 2 and 500, got 1"],
    ["above the maximum", () => resolveParams("sma", { period: 5000 }), "SMA Period must be between 1 and 1000, got 5000"],
    ["a choice not offered", () => resolveParams("vwap", { session: "week" }), 'VWAP Reset must be one of "none", "utc-day", got "week"'],
    ["MACD fast ≥ slow, caught by the class", () => createIndicator("macd", { fast: 30, slow: 26 }), "MACD fast period (30) must be shorter than the slow period (26)"],
  ])("refuses %s", (_name, call, message) => {
    expect(call).toThrow(IndicatorParamError);
    expect(call).toThrow(message);
  });
});
