/**
 * Batch = incremental and the edge cases, on synthetic series: a seeded random walk on a coarse tick (equal closes,
 * range-less windows, ADX ties, zero volumes), constant prices, one candle, none; independent naive formulas on the
 * same walk; rounding that must not drift over long runs; inputs refused at `update`.
 */
import * as TS from "trading-signals";
import { describe, expect, it } from "vitest";
import {
  adx,
  atr,
  bollingerBands,
  BollingerBands,
  donchian,
  ema,
  macd,
  obv,
  OBV,
  rsi,
  SMA,
  sma,
  stochastic,
  toCandle,
  toCandles,
  VWAP,
  vwap,
  wma,
  type Candle,
} from "./index";
import {
  batchVersusIncremental,
  cases,
  compareSeries,
  naiveAdx,
  naiveAtr,
  naiveBollinger,
  naiveDonchian,
  naiveEma,
  naiveMacd,
  naiveObv,
  naiveRsi,
  naiveSma,
  naiveStochastic,
  naiveVwap,
  naiveWma,
  prng,
  randomCandles,
} from "./test-fixtures";

const PARAMS = [
  { n: 14, fast: 12, slow: 26, signal: 9, k: 2, ks: 3, d: 3, m: 14 },
  { n: 1, fast: 1, slow: 2, signal: 1, k: 0.5, ks: 1, d: 1, m: 1 },
  { n: 5, fast: 3, slow: 10, signal: 4, k: 3, ks: 2, d: 5, m: 9 },
];
const ALL = PARAMS.flatMap((p) => cases(p));
const named = <T extends { name: string }>(list: T[]) => list.map((c) => [c.name, c] as const);

const flat = (count: number, price = 100, volume = 5): Candle[] =>
  Array.from({ length: count }, (_, i) => ({ time: Date.UTC(2024, 0, 1) + i * 3_600_000, open: price, high: price, low: price, close: price, volume }));

describe("batch = incremental, bit for bit, with no NaN after warm-up", () => {
  const walk = randomCandles(3000, 19);

  it.each(named(ALL))("%s on a random walk", (_name, c) => {
    expect(batchVersusIncremental(c, walk)).toEqual([]);
  });

  it.each(named(ALL))("%s on constant prices", (_name, c) => {
    expect(batchVersusIncremental(c, flat(120))).toEqual([]);
  });

  it.each(named(ALL))("%s on one candle, and on none", (_name, c) => {
    expect(batchVersusIncremental(c, flat(1))).toEqual([]);
    expect(batchVersusIncremental(c, [])).toEqual([]);
  });
});

describe("constant prices: every indicator settles on its flat-market value, never NaN", () => {
  const candles = flat(100, 100);
  const closes = candles.map((c) => c.close);
  const last = (xs: number[]) => xs[xs.length - 1];

  it("moving averages are the price; MACD is 0", () => {
    expect(last(sma(closes, { period: 20 }))).toBe(100);
    expect(last(ema(closes, { period: 20 }))).toBe(100);
    expect(last(ema(closes, { period: 20, seed: "first" }))).toBe(100);
    expect(last(wma(closes, { period: 20 }))).toBe(100);
    const m = macd(closes, { fast: 12, slow: 26, signal: 9 });
    expect([last(m.macd), last(m.signal), last(m.histogram)]).toEqual([0, 0, 0]);
  });

  it("RSI with no losses (and no gains) is 100", () => {
    expect(rsi(closes, { period: 14 }).slice(14)).toEqual(new Array(86).fill(100));
    expect(last(rsi([1, 2, 3, 4, 5, 6], { period: 3 }))).toBe(100);
    expect(last(rsi([6, 5, 4, 3, 2, 1], { period: 3 }))).toBe(0);
  });

  it("Bollinger Bands collapse onto the middle (σ = 0)", () => {
    const b = bollingerBands(closes, { period: 20, multiplier: 2 });
    expect([last(b.lower), last(b.middle), last(b.upper)]).toEqual([100, 100, 100]);
  });

  it("ATR is 0; Stochastic on a range-less window is 0; Donchian is the price", () => {
    expect(atr(candles, { period: 14 }).slice(13)).toEqual(new Array(87).fill(0));
    const s = stochastic(candles, { kPeriod: 14, kSmoothing: 3, dPeriod: 3 });
    expect([last(s.k), last(s.d)]).toEqual([0, 0]);
    const d = donchian(candles, { period: 20 });
    expect([last(d.upper), last(d.middle), last(d.lower)]).toEqual([100, 100, 100]);
  });

  it("ADX and both DIs are 0 (no range, no direction) where trading-signals divides 0 by 0", () => {
    for (const variant of ["wilder", "trading-signals"] as const) {
      const a = adx(candles, { period: 14, variant });
      expect([last(a.adx), last(a.plusDI), last(a.minusDI)]).toEqual([0, 0, 0]);
    }
    // The documented difference (index.ts), pinned: the reference's ADX and DIs are NaN here.
    const ref = new TS.ADX(14);
    for (const c of candles) ref.add(c as Required<Candle>);
    expect([ref.getResult(), ref.pdi, ref.mdi]).toEqual([NaN, NaN, NaN]);
  });

  it("the reference agrees on the other flat-market values (RSI 100, Stochastic 0, σ 0, ATR 0)", () => {
    const full = candles as Required<Candle>[];
    const feed = <T>(ind: { add(x: never): unknown; getResult(): T }, inputs: unknown[]) => {
      for (const x of inputs) ind.add(x as never);
      return ind.getResult();
    };
    expect(feed(new TS.RSI(14), closes)).toBe(100);
    expect(feed(new TS.StochasticOscillator({ kPeriod: 14, kSlowingPeriod: 3, dPeriod: 3 }), full)).toMatchObject({ stochK: 0, stochD: 0 });
    expect(feed(new TS.BollingerBands(20, 2), closes)).toEqual({ lower: 100, middle: 100, upper: 100 });
    expect(feed(new TS.ATR(14), full)).toBe(0);
  });

  it("VWAP is the price; OBV stays 0", () => {
    expect(last(vwap(candles))).toBe(100);
    expect(obv(candles)).toEqual(new Array(100).fill(0));
  });
});

describe("against independent naive formulas on a random walk with ties and range-less windows", () => {
  const candles = randomCandles(2500, 7);
  const closes = candles.map((c) => c.close);
  const ok = (m: ReturnType<typeof compareSeries>) => expect(m.failures).toEqual([]);
  const pct = { floor: () => 1 };

  it("SMA, EMA (both seeds), WMA, RSI", () => {
    for (const n of [1, 2, 10, 30]) {
      ok(compareSeries(sma(closes, { period: n }), naiveSma(closes, n), { oursFrom: n - 1, refFrom: n - 1 }));
      ok(compareSeries(ema(closes, { period: n }), naiveEma(closes, n), { oursFrom: n - 1, refFrom: n - 1 }));
      ok(compareSeries(ema(closes, { period: n, seed: "first" }), naiveEma(closes, n, "first"), { oursFrom: n - 1, refFrom: n - 1 }));
      ok(compareSeries(wma(closes, { period: n }), naiveWma(closes, n), { oursFrom: n - 1, refFrom: n - 1 }));
      ok(compareSeries(rsi(closes, { period: n }), naiveRsi(closes, n), { oursFrom: n, refFrom: n, ...pct }));
    }
  });

  it("MACD (both seeds), Bollinger Bands, ATR", () => {
    for (const seed of ["sma", "first"] as const) {
      const ours = macd(closes, { fast: 5, slow: 13, signal: 4, seed });
      const naive = naiveMacd(closes, 5, 13, 4, seed);
      for (const k of ["macd", "signal", "histogram"] as const) ok(compareSeries(ours[k], naive[k], { oursFrom: 15, refFrom: 15, floor: (i) => closes[i]! }));
    }
    const b = bollingerBands(closes, { period: 20, multiplier: 2 });
    const nb = naiveBollinger(closes, 20, 2);
    for (const k of ["middle", "upper", "lower"] as const) ok(compareSeries(b[k], nb[k], { oursFrom: 19, refFrom: 19 }));
    ok(compareSeries(atr(candles, { period: 14 }), naiveAtr(candles, 14), { oursFrom: 13, refFrom: 13 }));
  });

  it("Stochastic, Donchian (exact), ADX (Wilder)", () => {
    const s = stochastic(candles, { kPeriod: 5, kSmoothing: 3, dPeriod: 3 });
    const ns = naiveStochastic(candles, 5, 3, 3);
    for (const k of ["k", "d"] as const) ok(compareSeries(s[k], ns[k], { oursFrom: 8, refFrom: 8, ...pct }));
    for (const n of [1, 3, 20]) {
      const d = donchian(candles, { period: n });
      const nd = naiveDonchian(candles, n);
      for (const k of ["upper", "middle", "lower"] as const) ok(compareSeries(d[k], nd[k], { oursFrom: n - 1, refFrom: n - 1, tol: 0 }));
    }
    const a = adx(candles, { period: 10, adxPeriod: 6 });
    const na = naiveAdx(candles, 10, 6);
    for (const k of ["adx", "plusDI", "minusDI"] as const) ok(compareSeries(a[k], na[k], { oursFrom: 15, refFrom: 15, ...pct }));
  });

  it("VWAP (cumulative and per UTC day; zero-volume candles included) and OBV", () => {
    const zeroFirst = candles.map((c, i) => (i < 3 ? { ...c, volume: 0 } : c));
    for (const session of ["none", "utc-day"] as const) {
      const ours = vwap(zeroFirst, { session }).map((x) => (Number.isNaN(x) ? -1 : x));
      const naive = naiveVwap(zeroFirst, session).map((x) => (Number.isNaN(x) ? -1 : x));
      ok(compareSeries(ours, naive, { oursFrom: 0, refFrom: 0 }));
    }
    expect(vwap(zeroFirst).slice(0, 4).map(Number.isNaN)).toEqual([true, true, true, false]);
    ok(compareSeries(obv(candles), naiveObv(candles), { oursFrom: 0, refFrom: 0, tol: 0 }));
  });
});

describe("running sums do not drift over long runs", () => {
  // 300,000 prices near 60,000 (squares near 3.6e9) with calm stretches, jumps of thousands and flat runs: the
  // shapes where a plain running sum or a plain sum of squares loses digits.
  const rand = prng(42);
  let price = 60_000;
  const closes = Array.from({ length: 300_000 }, (_, i) => {
    if (i % 50_000 >= 49_900) return price; // a flat run of 100 at the end of each stretch
    price += rand() < 0.001 ? (rand() - 0.5) * 8000 : (rand() - 0.5) * 2;
    return Math.round(price * 100) / 100;
  });

  // Tolerances chosen to fail the plain alternatives on this series and pass ours (measured, largest scaled error:
  // SMA from a plain add-and-subtract sum 2.8e-14, ours 6.5e-16; WMA sliding W without the resync 5.7e-10, ours
  // 1.9e-15; Bollinger from a plain sum of squares 3.9e-7, ours 7.1e-13).
  it("SMA, WMA and Bollinger Bands match the window recomputed from scratch at every index", () => {
    const ok = (m: ReturnType<typeof compareSeries>) => expect(m.failures).toEqual([]);
    ok(compareSeries(sma(closes, { period: 20 }), naiveSma(closes, 20), { oursFrom: 19, refFrom: 19, tol: 1e-14 }));
    ok(compareSeries(wma(closes, { period: 20 }), naiveWma(closes, 20), { oursFrom: 19, refFrom: 19, tol: 1e-14 }));
    const b = bollingerBands(closes, { period: 20, multiplier: 2 });
    const nb = naiveBollinger(closes, 20, 2);
    for (const k of ["middle", "upper", "lower"] as const) ok(compareSeries(b[k], nb[k], { oursFrom: 19, refFrom: 19, tol: 1e-11 }));
  });

  it("Bollinger's σ comes back to 0 on a flat window after a volatile one", () => {
    const bb = new BollingerBands({ period: 20, multiplier: 2 });
    for (const x of closes.slice(0, 49_900)) bb.update(x);
    let v = null;
    for (let i = 0; i < 40; i++) v = bb.update(60_000.37);
    expect(v!.upper - v!.lower).toBeLessThan(1e-9 * 60_000);
  });
});

describe("inputs", () => {
  it("a non-finite value or candle field is refused where it enters, naming the indicator", () => {
    expect(() => new SMA({ period: 3 }).update(NaN)).toThrow("SMA: inputs must be finite numbers, got NaN");
    expect(() => new SMA({ period: 3 }).update(Infinity)).toThrow(RangeError);
    expect(() => new OBV().update({ high: 1, low: NaN, close: 1, volume: 1 })).toThrow("OBV: candle high, low and close must be finite numbers");
  });

  it("the volume indicators refuse a candle without volume; the UTC-day VWAP one without time", () => {
    expect(() => new VWAP().update({ high: 2, low: 1, close: 1.5 })).toThrow("VWAP: the candle needs a volume");
    expect(() => new OBV().update({ high: 2, low: 1, close: 1.5, volume: -1 })).toThrow("OBV: the candle needs a volume");
    expect(() => new VWAP({ session: "utc-day" }).update({ high: 2, low: 1, close: 1.5, volume: 1 })).toThrow('VWAP with session "utc-day" needs the candle\'s time');
  });

  it("the UTC-day VWAP starts afresh at midnight UTC", () => {
    const v = new VWAP({ session: "utc-day" });
    const at = (iso: string, price: number, volume: number) => v.update({ time: Date.parse(iso), high: price, low: price, close: price, volume });
    expect(at("2024-03-01T22:00:00Z", 10, 1)).toBe(10);
    expect(at("2024-03-01T23:00:00Z", 20, 1)).toBe(15);
    expect(at("2024-03-02T00:00:00Z", 40, 0)).toBeNull();
    expect(v.ready).toBe(false);
    expect(at("2024-03-02T01:00:00Z", 30, 3)).toBe(30);
  });

  it("toCandle turns the app's decimal-string candle into numbers", () => {
    const c = { openTime: 1_700_000_000_000, open: "100.5", high: "101.25", low: "99.75", close: "100", volume: "12.5" };
    expect(toCandle(c)).toEqual({ time: 1_700_000_000_000, open: 100.5, high: 101.25, low: 99.75, close: 100, volume: 12.5 });
    expect(toCandles([c, c])).toHaveLength(2);
  });
});
