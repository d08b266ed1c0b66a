/** The catalogue's consistency, parameter resolution, backtestCurated and the risk levels it states. */
import { describe, expect, it } from "vitest";
import { backtestCurated, CATALOGUE, getCurated, resolveParams, RISK_LEVELS, riskLevelFromStats, LIBRARY_CONFIG } from "./index";
import { btcHourly, googDaily } from "./test-data";

describe("catalogue consistency", () => {
  it("ids are unique and the seven curated strategies are all there, SmaCross included", () => {
    const ids = CATALOGUE.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(["bollinger-breakout", "donchian-breakout", "ema-cross", "macd-cross", "rsi3-reversion", "rsi7-reversion", "sma-cross"]);
  });

  for (const e of CATALOGUE) {
    it(`${e.id}: defaults within bounds on the step grid, metadata filled, create(defaults) works`, () => {
      expect(e.name.length).toBeGreaterThan(0);
      expect(e.description.length).toBeGreaterThan(80);
      expect(e.markets.length).toBeGreaterThan(0);
      expect(e.timeframes.length).toBeGreaterThan(0);
      expect(e.tags.length).toBeGreaterThan(0);
      expect(RISK_LEVELS).toContain(e.riskLevel);
      expect(new Set(e.params.map((p) => p.name)).size).toBe(e.params.length);
      for (const p of e.params) {
        expect(p.min, p.name).toBeLessThanOrEqual(p.default);
        expect(p.default, p.name).toBeLessThanOrEqual(p.max);
        expect(p.step, p.name).toBeGreaterThan(0);
        const steps = (p.default - p.min) / p.step;
        expect(Math.abs(steps - Math.round(steps)), `${p.name} on its step grid`).toBeLessThan(1e-9);
        expect(p.description.length, p.name).toBeGreaterThan(0);
      }
      const s = e.create();
      expect(typeof s.onBar).toBe("function");
      expect(s.name.length).toBeGreaterThan(0);
      expect(e.create({})).toBeDefined();
    });
  }
});

describe("parameters", () => {
  const rsi3 = getCurated("rsi3-reversion");
  it("fills in defaults and keeps given values", () => {
    expect(resolveParams(rsi3, { entry: 10 })).toEqual({ period: 3, entry: 10, exit: 60, trendPeriod: 200 });
  });
  it("refuses out-of-range, fractional-count and unknown parameters, naming them", () => {
    expect(() => rsi3.create({ period: 1 })).toThrow(/period must be between 2 and 30/);
    expect(() => rsi3.create({ period: 3.5 })).toThrow(/period must be a whole number/);
    expect(() => rsi3.create({ lookback: 3 } as never)).toThrow(/no parameter "lookback"/);
    expect(() => getCurated("ema-cross").create({ fast: 30, slow: 20 })).toThrow(/fast must be less than slow/);
    expect(() => getCurated("sma-cross").create({ fast: 30, slow: 20 })).toThrow(/fast must be less than slow/);
    expect(() => getCurated("nope")).toThrow(/No curated strategy "nope"/);
  });
});

describe("risk level rule", () => {
  it("low, medium and high at the documented thresholds", () => {
    expect(riskLevelFromStats({ maxDrawdownPct: -20, volatilityAnnPct: 20 })).toBe("low");
    expect(riskLevelFromStats({ maxDrawdownPct: -20.1, volatilityAnnPct: 10 })).toBe("medium");
    expect(riskLevelFromStats({ maxDrawdownPct: -5, volatilityAnnPct: 20.1 })).toBe("medium");
    expect(riskLevelFromStats({ maxDrawdownPct: -40, volatilityAnnPct: 35 })).toBe("medium");
    expect(riskLevelFromStats({ maxDrawdownPct: -40.1, volatilityAnnPct: 1 })).toBe("high");
    expect(riskLevelFromStats({ maxDrawdownPct: -10, volatilityAnnPct: 35.1 })).toBe("high");
    expect(riskLevelFromStats({ maxDrawdownPct: -10, volatilityAnnPct: null })).toBe("low");
  });
});

const goog = googDaily();
describe.skipIf(!goog)("on GOOG 1d (the risk-level reference)", () => {
  it("every catalogue risk level is the rule applied to its default backtest", () => {
    for (const e of CATALOGUE) {
      const b = backtestCurated(e.id, {}, goog!);
      expect(riskLevelFromStats(b.stats), e.id).toBe(e.riskLevel);
    }
  });
});

const btc = btcHourly();
describe.skipIf(!btc)("backtestCurated on BTC/USDT 1h (first 10,000)", () => {
  it("returns the resolved parameters, the config used, the engine result and backtesting.py-definition stats", () => {
    const b = backtestCurated("ema-cross", { fast: 10 }, btc!);
    expect(b.strategyId).toBe("ema-cross");
    expect(b.params).toEqual({ fast: 10, slow: 26 });
    expect(b.config.commission).toEqual(LIBRARY_CONFIG.commission);
    expect(b.result.equity.length).toBe(btc!.length);
    expect(b.stats.label).toBe("backtesting.py definitions");
    expect(b.stats.trades).toBe(b.result.tradeCount);
    expect(b.result.tradeCount).toBeGreaterThan(0);
    // A config given overrides the library's.
    const free = backtestCurated("ema-cross", { fast: 10 }, btc!, { commission: { relative: 0, fixed: 0 } });
    expect(free.stats.equityFinal).toBeGreaterThan(b.stats.equityFinal);
  });
});
