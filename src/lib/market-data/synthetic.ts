/**
 * Synthetic hourly candles, for a demo that has neither recorded prices nor an exchange to ask: per symbol, a
 * seeded geometric random walk with slowly varying volatility, hour by hour from a fixed origin. Nothing here is a
 * market; the UI labels every figure computed from it as synthetic.
 *
 * INVARIANT: the same seed, symbol and origin give bit-identical candles in any process and on any IEEE-754 engine.
 * The generator uses integer arithmetic (the PRNG), +, -, *, / and sqrt only (all exactly rounded) and never
 * Math.exp/log/sin/cos, whose last bits may differ between engines; the process that later judges an open demo
 * signal therefore sees the very candles that signal was published on.
 */
import { HOUR_MS, lowerBound, toDecimalString } from "./candles";
import type { Candle, SymbolInfo } from "./types";

export interface SyntheticSymbolSpec {
  info: SymbolInfo;
  /** Price at the series' origin. */
  startPrice: number;
  /** Annualised volatility of returns (0.65 = 65%), the figure traders quote for the market. */
  annualVolatility: number;
  /** "24/7" for crypto; "fx" trades Sunday 22:00 to Friday 22:00 UTC and has no candles at the weekend. */
  session: "24/7" | "fx";
  /** Typical traded volume per hour, in base units. */
  hourlyVolume: number;
}

/** Volatilities close to the markets' recent realised figures, so the demo strategies trade at a realistic pace. */
export const SYNTHETIC_SYMBOLS: readonly SyntheticSymbolSpec[] = [
  {
    info: { symbol: "BTC/USDT", base: "BTC", quote: "USDT", market: "crypto", pricePrecision: 2 },
    startPrice: 30_000,
    annualVolatility: 0.6,
    session: "24/7",
    hourlyVolume: 1_500,
  },
  {
    info: { symbol: "ETH/USDT", base: "ETH", quote: "USDT", market: "crypto", pricePrecision: 2 },
    startPrice: 2_000,
    annualVolatility: 0.75,
    session: "24/7",
    hourlyVolume: 20_000,
  },
  // The other pairs the replay offers (same precision), so the demo plans trade the same instruments offline. Each
  // symbol walks on its own seeded stream, so adding these changed no other symbol's prices.
  {
    info: { symbol: "BNB/USDT", base: "BNB", quote: "USDT", market: "crypto", pricePrecision: 2 },
    startPrice: 300,
    annualVolatility: 0.7,
    session: "24/7",
    hourlyVolume: 15_000,
  },
  {
    info: { symbol: "XRP/USDT", base: "XRP", quote: "USDT", market: "crypto", pricePrecision: 4 },
    startPrice: 0.5,
    annualVolatility: 0.85,
    session: "24/7",
    hourlyVolume: 20_000_000,
  },
  {
    info: { symbol: "ADA/USDT", base: "ADA", quote: "USDT", market: "crypto", pricePrecision: 4 },
    startPrice: 0.45,
    annualVolatility: 0.85,
    session: "24/7",
    hourlyVolume: 15_000_000,
  },
  {
    info: { symbol: "SOL/USDT", base: "SOL", quote: "USDT", market: "crypto", pricePrecision: 3 },
    startPrice: 40,
    annualVolatility: 1,
    session: "24/7",
    hourlyVolume: 60_000,
  },
  {
    info: { symbol: "DOGE/USDT", base: "DOGE", quote: "USDT", market: "crypto", pricePrecision: 5 },
    startPrice: 0.07,
    annualVolatility: 1,
    session: "24/7",
    hourlyVolume: 80_000_000,
  },
  {
    info: { symbol: "EUR/USD", base: "EUR", quote: "USD", market: "forex", pricePrecision: 5 },
    startPrice: 1.1,
    annualVolatility: 0.07,
    session: "fx",
    hourlyVolume: 5_000,
  },
];

const HOURS_PER_YEAR: Record<SyntheticSymbolSpec["session"], number> = { "24/7": 365 * 24, fx: 52 * 5 * 24 };
/** Volatility regime: an Ornstein-Uhlenbeck multiplier around 1 (mean reversion over a few days), clamped. */
const VOL_REVERSION = 1 / 72;
const VOL_OF_VOL = 0.04;
const VOL_MIN = 0.35;
const VOL_MAX = 3;
/** Wick length relative to the hour's volatility, close to the mean excursion of a Brownian bridge. */
const WICK = 0.6;

/** sfc32 seeded by cyrb128 of the text: small, fast, passes PractRand, and integer-only. */
function prng(seedText: string): () => number {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < seedText.length; i++) {
    const k = seedText.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  let a = (h1 ^ h2 ^ h3 ^ h4) >>> 0;
  let b = (h2 ^ h1) >>> 0;
  let c = (h3 ^ h1) >>> 0;
  let d = (h4 ^ h1) >>> 0;
  return () => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    const t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    const r = (t + d) | 0;
    c = (c + r) | 0;
    return (r >>> 0) / 4294967296;
  };
}

/** Standard normal by Irwin-Hall (twelve uniforms): arithmetic only, tails cut at 6 sigma, which prices never need. */
function normal(next: () => number): number {
  let s = 0;
  for (let i = 0; i < 12; i++) s += next();
  return s - 6;
}

/** True when an FX market is shut in the hour opening at `t`: Friday 22:00 to Sunday 22:00 UTC. */
export function fxClosed(t: number): boolean {
  const d = new Date(t);
  const day = d.getUTCDay();
  const hour = d.getUTCHours();
  return day === 6 || (day === 5 && hour >= 22) || (day === 0 && hour < 22);
}

/** Rounds to the market's decimals (toFixed is exact and monotonic), never below one tick. */
function price(value: number, decimals: number): string {
  const tick = 10 ** -decimals;
  return toDecimalString(Math.max(value, tick).toFixed(decimals));
}

export interface SyntheticSeriesOptions {
  seed: string;
  spec: SyntheticSymbolSpec;
  /** Open time of the first hour, ms; must be on a whole hour. */
  origin: number;
}

export interface SyntheticSeries {
  readonly spec: SyntheticSymbolSpec;
  /** Candles with `since <= openTime < until`, ascending; none before the origin, none for FX weekend hours. */
  candles(since: number, until: number): Candle[];
}

/**
 * A series generated lazily and kept: asking for a later `until` continues the same walk, so a process that
 * runs for months never regenerates the past.
 */
export function createSyntheticSeries({ seed, spec, origin }: SyntheticSeriesOptions): SyntheticSeries {
  if (!Number.isInteger(origin / HOUR_MS)) throw new RangeError("origin must be on a whole hour");
  if (!(spec.startPrice > 0) || !(spec.annualVolatility > 0)) throw new RangeError("startPrice and annualVolatility must be positive");
  const next = prng(`${seed}|${spec.info.symbol}`);
  const hourly = spec.annualVolatility / Math.sqrt(HOURS_PER_YEAR[spec.session]);
  const decimals = spec.info.pricePrecision;
  const candles: Candle[] = [];
  const times: number[] = [];
  let t = origin;
  let last = spec.startPrice;
  let vol = 1;

  function step(openTime: number): Candle {
    // The draws happen in a fixed order and number per hour: reordering them would change every later price.
    vol = Math.min(VOL_MAX, Math.max(VOL_MIN, vol + VOL_REVERSION * (1 - vol) + VOL_OF_VOL * normal(next)));
    const s = hourly * vol;
    const z = normal(next);
    // s^2/2 offsets the volatility drag of a multiplicative step, so the median price neither rises nor falls.
    const r = Math.min(0.5, Math.max(-0.5, (s * s) / 2 + s * z));
    const open = last;
    const close = open * (1 + r);
    const up = Math.min(0.5, s * WICK * Math.abs(normal(next)));
    const down = Math.min(0.5, s * WICK * Math.abs(normal(next)));
    const high = Math.max(open, close) * (1 + up);
    const low = Math.min(open, close) * (1 - down);
    const volume = spec.hourlyVolume * vol * (0.6 + 0.8 * next()) * (1 + 0.5 * Math.abs(z));
    last = close;
    return {
      openTime,
      open: price(open, decimals),
      high: price(high, decimals),
      low: price(low, decimals),
      close: price(close, decimals),
      volume: toDecimalString(volume.toFixed(4)),
    };
  }

  return {
    spec,
    candles(since: number, until: number): Candle[] {
      for (; t < until; t += HOUR_MS) {
        if (spec.session === "fx" && fxClosed(t)) continue;
        candles.push(step(t));
        times.push(t);
      }
      // Copies: the kept series must not change under a caller that edits what it got.
      return candles.slice(lowerBound(times, since), lowerBound(times, until)).map((c) => ({ ...c }));
    },
  };
}
