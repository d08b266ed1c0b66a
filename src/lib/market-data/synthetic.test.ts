import Decimal from "decimal.js";
import { describe, expect, it } from "vitest";
import { DAY_MS, HOUR_MS } from "./candles";
import { createSyntheticSeries, fxClosed, SYNTHETIC_SYMBOLS, type SyntheticSymbolSpec } from "./synthetic";

// A Monday 00:00 UTC, so a year holds whole weeks from a known weekday.
const ORIGIN = Date.UTC(2024, 0, 1);
const YEAR = 365 * DAY_MS;
const spec = (symbol: string): SyntheticSymbolSpec => SYNTHETIC_SYMBOLS.find((s) => s.info.symbol === symbol)!;
const series = (symbol: string, seed = "test-seed") => createSyntheticSeries({ seed, spec: spec(symbol), origin: ORIGIN });

describe("createSyntheticSeries", () => {
  it("is deterministic: the same seed gives the same candles, another seed other ones", () => {
    const a = series("BTC/USDT").candles(ORIGIN, ORIGIN + 30 * DAY_MS);
    const b = series("BTC/USDT").candles(ORIGIN, ORIGIN + 30 * DAY_MS);
    expect(a).toHaveLength(30 * 24);
    expect(b).toEqual(a);
    expect(series("BTC/USDT", "other-seed").candles(ORIGIN, ORIGIN + 30 * DAY_MS)).not.toEqual(a);
    // Each symbol walks on its own stream.
    expect(series("ETH/USDT").candles(ORIGIN, ORIGIN + DAY_MS).map((c) => c.close)).not.toEqual(a.slice(0, 24).map((c) => c.close));
  });

  it("pins the walk: stored demo signals were published on these prices, so a change here must be deliberate", () => {
    const [first, second] = series("BTC/USDT", "tradsy-demo-v1").candles(ORIGIN, ORIGIN + 2 * HOUR_MS);
    expect(first).toEqual({ openTime: ORIGIN, open: "30000", high: "30124.07", low: "29935.46", close: "30071.19", volume: "2212.3877" });
    expect(second?.open).toBe(first?.close);
    const [yearOn] = series("BTC/USDT", "tradsy-demo-v1").candles(ORIGIN + YEAR - HOUR_MS, ORIGIN + YEAR);
    expect(yearOn?.close).toBe("32464.22");
  });

  it("continues the same walk however the range is asked for", () => {
    const whole = series("EUR/USD").candles(ORIGIN, ORIGIN + 60 * DAY_MS);
    const s = series("EUR/USD");
    // Later range first, then earlier and overlapping ones: the kept walk answers all of them alike.
    const late = s.candles(ORIGIN + 40 * DAY_MS, ORIGIN + 60 * DAY_MS);
    const early = s.candles(ORIGIN, ORIGIN + 40 * DAY_MS);
    expect([...early, ...late]).toEqual(whole);
    expect(s.candles(ORIGIN - 10 * DAY_MS, ORIGIN + HOUR_MS)).toEqual(whole.slice(0, 1));
    // since <= openTime < until
    const t = whole[5]!.openTime;
    expect(s.candles(t, t + HOUR_MS)).toEqual([whole[5]]);
    expect(s.candles(t, t)).toEqual([]);
  });

  it("hands out copies, so a caller cannot change the kept series", () => {
    const s = series("BTC/USDT");
    s.candles(ORIGIN, ORIGIN + HOUR_MS)[0]!.close = "1";
    expect(s.candles(ORIGIN, ORIGIN + HOUR_MS)[0]!.close).not.toBe("1");
  });

  it.each(SYNTHETIC_SYMBOLS.map((s) => s.info.symbol))("%s: a year of candles keeps the OHLC invariants at the market's precision", (symbol) => {
    const candles = series(symbol).candles(ORIGIN, ORIGIN + YEAR);
    const decimals = spec(symbol).info.pricePrecision;
    expect(candles.length).toBeGreaterThan(250 * 24);
    let prev: (typeof candles)[number] | undefined;
    for (const c of candles) {
      const [o, h, l, cl, v] = [c.open, c.high, c.low, c.close, c.volume].map((x) => new Decimal(x));
      expect(l!.gt(0), `${c.openTime} low`).toBe(true);
      expect(h!.gte(Decimal.max(o!, cl!)), `${c.openTime} high`).toBe(true);
      expect(l!.lte(Decimal.min(o!, cl!)), `${c.openTime} low`).toBe(true);
      expect(v!.gt(0)).toBe(true);
      for (const p of [o, h, l, cl]) expect(p!.decimalPlaces()).toBeLessThanOrEqual(decimals);
      expect(c.openTime % HOUR_MS).toBe(0);
      if (prev) {
        expect(c.openTime).toBeGreaterThan(prev.openTime);
        // No gaps in price: each hour opens where the last one closed (FX weekends included).
        expect(c.open).toBe(prev.close);
      }
      prev = c;
    }
  });

  it.each(SYNTHETIC_SYMBOLS.map((s) => s.info.symbol))("%s: realised volatility is close to the market's", (symbol) => {
    const { annualVolatility, session } = spec(symbol);
    const closes = series(symbol)
      .candles(ORIGIN, ORIGIN + YEAR)
      .map((c) => Number(c.close));
    const returns = closes.slice(1).map((c, i) => Math.log(c / closes[i]!));
    const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
    const sd = Math.sqrt(returns.reduce((a, b) => a + (b - mean) ** 2, 0) / (returns.length - 1));
    const annualised = sd * Math.sqrt(session === "fx" ? 52 * 5 * 24 : 365 * 24);
    expect(annualised).toBeGreaterThan(annualVolatility * 0.75);
    expect(annualised).toBeLessThan(annualVolatility * 1.35);
    // Candles have bodies and wicks: not a flat line, not all doji.
    const ranged = series(symbol)
      .candles(ORIGIN, ORIGIN + 30 * DAY_MS)
      .filter((c) => c.high !== c.low);
    expect(ranged.length).toBeGreaterThan(0.9 * 30 * 24 * (session === "fx" ? 5 / 7 : 1));
  });

  it("crypto trades every hour; FX has no candles from Friday 22:00 to Sunday 22:00 UTC", () => {
    expect(series("BTC/USDT").candles(ORIGIN, ORIGIN + 7 * DAY_MS)).toHaveLength(7 * 24);
    const fx = series("EUR/USD").candles(ORIGIN, ORIGIN + 7 * DAY_MS);
    // Monday to Friday 21:00, then Sunday 22:00 and 23:00.
    expect(fx).toHaveLength(4 * 24 + 22 + 2);
    expect(fx.some((c) => fxClosed(c.openTime))).toBe(false);
    expect(fxClosed(Date.UTC(2024, 0, 5, 21))).toBe(false); // Friday 21:00
    expect(fxClosed(Date.UTC(2024, 0, 5, 22))).toBe(true);
    expect(fxClosed(Date.UTC(2024, 0, 6, 12))).toBe(true); // Saturday
    expect(fxClosed(Date.UTC(2024, 0, 7, 21))).toBe(true); // Sunday 21:00
    expect(fxClosed(Date.UTC(2024, 0, 7, 22))).toBe(false);
  });

  it("refuses an origin off the hour and a non-positive price or volatility", () => {
    expect(() => createSyntheticSeries({ seed: "x", spec: spec("BTC/USDT"), origin: ORIGIN + 1 })).toThrow(/whole hour/);
    expect(() => createSyntheticSeries({ seed: "x", spec: { ...spec("BTC/USDT"), startPrice: 0 }, origin: ORIGIN })).toThrow(/positive/);
    expect(() => createSyntheticSeries({ seed: "x", spec: { ...spec("BTC/USDT"), annualVolatility: -1 }, origin: ORIGIN })).toThrow(/positive/);
  });
});
