/**
 * Test-only helpers for the indicator tests (imported by *.test.ts beside it, never by index.ts): naive batch
 * formulas written independently of the classes (each window summed afresh, textbook recursions), so a bug the
 * classes share with their batch functions still shows, and the tolerant comparison the reference tests use.
 */
import type { Candle, Indicator } from "./core";
import { ADX, adx, ATR, atr, BollingerBands, bollingerBands, Donchian, donchian, EMA, ema, MACD, macd, OBV, obv } from "./index";
import { RSI, rsi, SMA, sma, Stochastic, stochastic, VWAP, vwap, WMA, wma } from "./index";

const nan = (length: number) => new Array<number>(length).fill(NaN);

export function naiveSma(v: readonly number[], n: number): number[] {
  const out = nan(v.length);
  for (let i = n - 1; i < v.length; i++) {
    let s = 0;
    for (let j = i - n + 1; j <= i; j++) s += v[j]!;
    out[i] = s / n;
  }
  return out;
}

/** Textbook EMA: prev + α·(x − prev), from the SMA of the first n (or from the first value). */
export function naiveEma(v: readonly number[], n: number, seed: "sma" | "first" = "sma"): number[] {
  const out = nan(v.length);
  const a = 2 / (n + 1);
  let prev = NaN;
  for (let i = 0; i < v.length; i++) {
    if (seed === "first") prev = i === 0 ? v[0]! : prev + a * (v[i]! - prev);
    else if (i === n - 1) prev = naiveSma(v.slice(0, n), n)[n - 1]!;
    else if (i >= n) prev = prev + a * (v[i]! - prev);
    if (i >= n - 1) out[i] = prev;
  }
  return out;
}

export function naiveWma(v: readonly number[], n: number): number[] {
  const out = nan(v.length);
  for (let i = n - 1; i < v.length; i++) {
    let s = 0;
    for (let w = 1; w <= n; w++) s += w * v[i - n + w]!;
    out[i] = s / ((n * (n + 1)) / 2);
  }
  return out;
}

/** Wilder's smoothing as he wrote it: (prev·(n − 1) + x) / n after a plain mean of the first n. */
function wilder(x: readonly number[], n: number, start: number): number[] {
  const out = nan(x.length);
  let prev = NaN;
  for (let i = start + n - 1; i < x.length; i++) {
    if (i === start + n - 1) {
      let s = 0;
      for (let j = start; j <= i; j++) s += x[j]!;
      prev = s / n;
    } else {
      prev = (prev * (n - 1) + x[i]!) / n;
    }
    out[i] = prev;
  }
  return out;
}

export function naiveRsi(v: readonly number[], n: number): number[] {
  const gains = v.map((x, i) => (i === 0 ? 0 : Math.max(x - v[i - 1]!, 0)));
  const losses = v.map((x, i) => (i === 0 ? 0 : Math.max(v[i - 1]! - x, 0)));
  const g = wilder(gains, n, 1);
  const l = wilder(losses, n, 1);
  return v.map((_, i) => (Number.isNaN(g[i]!) ? NaN : l[i] === 0 ? 100 : 100 - 100 / (1 + g[i]! / l[i]!)));
}

export function naiveMacd(v: readonly number[], fast: number, slow: number, signal: number, seed: "sma" | "first" = "sma") {
  const f = naiveEma(v, fast, seed);
  const s = naiveEma(v, slow, seed);
  const line = v.map((_, i) => f[i]! - s[i]!);
  const start = slow - 1;
  const sig = nan(v.length);
  naiveEma(line.slice(start), signal, seed).forEach((x, k) => (sig[start + k] = x));
  const macd = line.map((x, i) => (Number.isNaN(sig[i]!) ? NaN : x));
  return { macd, signal: sig, histogram: macd.map((x, i) => x - sig[i]!) };
}

export function naiveBollinger(v: readonly number[], n: number, k: number) {
  const middle = naiveSma(v, n);
  const sd = v.map((_, i) => {
    if (i < n - 1) return NaN;
    let s = 0;
    for (let j = i - n + 1; j <= i; j++) s += (v[j]! - middle[i]!) ** 2;
    return Math.sqrt(s / n);
  });
  return { middle, upper: middle.map((m, i) => m + k * sd[i]!), lower: middle.map((m, i) => m - k * sd[i]!) };
}

const tr = (c: readonly Candle[], i: number) =>
  i === 0 ? c[0]!.high - c[0]!.low : Math.max(c[i]!.high - c[i]!.low, Math.abs(c[i]!.high - c[i - 1]!.close), Math.abs(c[i]!.low - c[i - 1]!.close));

export function naiveAtr(c: readonly Candle[], n: number): number[] {
  return wilder(
    c.map((_, i) => tr(c, i)),
    n,
    0,
  );
}

function extremes(c: readonly Candle[], i: number, n: number) {
  let hh = -Infinity;
  let ll = Infinity;
  for (let j = i - n + 1; j <= i; j++) {
    hh = Math.max(hh, c[j]!.high);
    ll = Math.min(ll, c[j]!.low);
  }
  return { hh, ll };
}

export function naiveDonchian(c: readonly Candle[], n: number) {
  const upper = nan(c.length);
  const lower = nan(c.length);
  for (let i = n - 1; i < c.length; i++) ({ hh: upper[i], ll: lower[i] } = extremes(c, i, n));
  return { upper, lower, middle: upper.map((u, i) => (u + lower[i]!) / 2) };
}

export function naiveStochastic(c: readonly Candle[], kPeriod: number, kSmoothing: number, dPeriod: number) {
  const raw = c.map((x, i) => {
    if (i < kPeriod - 1) return NaN;
    const { hh, ll } = extremes(c, i, kPeriod);
    return hh === ll ? 0 : (100 * (x.close - ll)) / (hh - ll);
  });
  const smooth = (x: number[], n: number, start: number) => {
    const out = nan(x.length);
    naiveSma(x.slice(start), n).forEach((y, k) => (out[start + k] = y));
    return out;
  };
  const k = smooth(raw, kSmoothing, kPeriod - 1);
  const d = smooth(k, dPeriod, kPeriod + kSmoothing - 2);
  return { k: k.map((x, i) => (Number.isNaN(d[i]!) ? NaN : x)), d };
}

/** VWAP of each candle from the start of its session (all candles, or its UTC day). */
export function naiveVwap(c: readonly Candle[], session: "none" | "utc-day"): number[] {
  return c.map((x, i) => {
    const day = Math.floor(x.time! / 86_400_000);
    let pv = 0;
    let vol = 0;
    for (let j = i; j >= 0; j--) {
      if (session === "utc-day" && Math.floor(c[j]!.time! / 86_400_000) !== day) break;
      pv += ((c[j]!.high + c[j]!.low + c[j]!.close) / 3) * c[j]!.volume!;
      vol += c[j]!.volume!;
    }
    return vol === 0 ? NaN : pv / vol;
  });
}

export function naiveObv(c: readonly Candle[]): number[] {
  let total = 0;
  return c.map((x, i) => {
    if (i > 0) total += Math.sign(x.close - c[i - 1]!.close) * x.volume!;
    return total;
  });
}

/** Wilder's ADX as TradingView's ta.dmi computes it (from the second candle on). */
export function naiveAdx(c: readonly Candle[], n: number, m = n) {
  const len = c.length;
  const plusDM = nan(len);
  const minusDM = nan(len);
  const trs = nan(len);
  for (let i = 1; i < len; i++) {
    const up = c[i]!.high - c[i - 1]!.high;
    const down = c[i - 1]!.low - c[i]!.low;
    plusDM[i] = up > down && up > 0 ? up : 0;
    minusDM[i] = down > up && down > 0 ? down : 0;
    trs[i] = tr(c, i);
  }
  const p = wilder(plusDM, n, 1);
  const q = wilder(minusDM, n, 1);
  const t = wilder(trs, n, 1);
  const plusDI = p.map((x, i) => (t[i] === 0 ? 0 : (100 * x) / t[i]!));
  const minusDI = q.map((x, i) => (t[i] === 0 ? 0 : (100 * x) / t[i]!));
  const dx = plusDI.map((x, i) => (x + minusDI[i]! === 0 ? 0 : (100 * Math.abs(x - minusDI[i]!)) / (x + minusDI[i]!)));
  const adx = wilder(dx, m, n);
  const keep = (x: number[]) => x.map((y, i) => (Number.isNaN(adx[i]!) ? NaN : y));
  return { adx, plusDI: keep(plusDI), minusDI: keep(minusDI) };
}

export interface Mismatch {
  /** Indices compared (both sides have a value). */
  compared: number;
  /** The largest |a − b| / max(|a|, |b|, floor). */
  maxError: number;
  /** The first few offending indices, for the failure message. */
  failures: string[];
}

/**
 * Compares two aligned series value by value: |a − b| ≤ tol · max(|a|, |b|, floor(i)). The floor is the scale
 * below which a difference is rounding, not disagreement: for values that can cross 0 (MACD, OBV) a relative
 * tolerance alone would fail on two results that agree to 1e-15 of the price they were computed from. NaN (either
 * side) and null (the reference) mark "no value"; where values start on each side is stated by the caller.
 */
export function compareSeries(
  ours: readonly number[],
  ref: readonly (number | null)[],
  opts: { oursFrom: number; refFrom: number; floor?: (i: number) => number; tol?: number },
): Mismatch {
  const { oursFrom, refFrom, floor = () => 1e-12, tol = 1e-9 } = opts;
  const failures: string[] = [];
  let maxError = 0;
  let compared = 0;
  for (let i = 0; i < ours.length; i++) {
    const a = ours[i]!;
    const r = ref[i] ?? null;
    const b = r === null || Number.isNaN(r) ? null : r;
    if ((i < oursFrom) !== Number.isNaN(a)) failures.push(`[${i}] ours ${a}, expected ${i < oursFrom ? "no value" : "a value"}`);
    if ((i < refFrom) !== (b === null)) failures.push(`[${i}] reference ${r}, expected ${i < refFrom ? "no value" : "a value"}`);
    if (Number.isNaN(a) || b === null) continue;
    compared++;
    const err = Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), floor(i));
    if (!(err <= tol)) failures.push(`[${i}] ours ${a}, reference ${b} (error ${err.toExponential(2)})`);
    if (err > maxError || Number.isNaN(err)) maxError = err;
  }
  return { compared, maxError, failures: failures.slice(0, 5) };
}

/** A small seeded PRNG (mulberry32): synthetic series that are the same on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A random walk of hourly candles, prices on a coarse tick so that equal closes, equal highs and lows and
 * up = down moves (the ADX tie) happen often.
 */
export function randomCandles(count: number, seed: number, { start = 100, tick = 0.5, step = 2 } = {}): Candle[] {
  const rand = prng(seed);
  const q = (x: number) => Math.max(tick, Math.round(x / tick) * tick);
  const out: Candle[] = [];
  let close = start;
  for (let i = 0; i < count; i++) {
    const open = close;
    close = q(open + (rand() - 0.5) * 2 * step);
    const high = q(Math.max(open, close) + rand() * step);
    const low = q(Math.min(open, close) - rand() * step);
    out.push({ time: Date.UTC(2024, 0, 1) + i * 3_600_000, open, high: Math.max(high, open, close), low: Math.min(low, open, close), close, volume: Math.floor(rand() * 4) });
  }
  return out;
}

/** Every indicator, built with some parameters, with its batch function and output keys: the tables tests loop over. */
export interface Case {
  name: string;
  make: () => Indicator<never, unknown>;
  batch: (candles: readonly Candle[]) => unknown;
  /** Undefined for single-valued indicators. */
  keys?: readonly string[];
  input: "close" | "candle";
}

const closes = (c: readonly Candle[]) => c.map((x) => x.close);

export function cases(p = { n: 14, fast: 12, slow: 26, signal: 9, k: 2, ks: 3, d: 3, m: 14 }): Case[] {
  return [
    { name: `SMA(${p.n})`, make: () => new SMA({ period: p.n }), batch: (c) => sma(closes(c), { period: p.n }), input: "close" },
    { name: `EMA(${p.n})`, make: () => new EMA({ period: p.n }), batch: (c) => ema(closes(c), { period: p.n }), input: "close" },
    { name: `EMA(${p.n}, first)`, make: () => new EMA({ period: p.n, seed: "first" }), batch: (c) => ema(closes(c), { period: p.n, seed: "first" }), input: "close" },
    { name: `WMA(${p.n})`, make: () => new WMA({ period: p.n }), batch: (c) => wma(closes(c), { period: p.n }), input: "close" },
    { name: `RSI(${p.n})`, make: () => new RSI({ period: p.n }), batch: (c) => rsi(closes(c), { period: p.n }), input: "close" },
    {
      name: `MACD(${p.fast}, ${p.slow}, ${p.signal})`,
      make: () => new MACD({ fast: p.fast, slow: p.slow, signal: p.signal }),
      batch: (c) => macd(closes(c), { fast: p.fast, slow: p.slow, signal: p.signal }),
      keys: ["macd", "signal", "histogram"],
      input: "close",
    },
    {
      name: `Bollinger(${p.n}, ${p.k})`,
      make: () => new BollingerBands({ period: p.n, multiplier: p.k }),
      batch: (c) => bollingerBands(closes(c), { period: p.n, multiplier: p.k }),
      keys: ["middle", "upper", "lower"],
      input: "close",
    },
    { name: `ATR(${p.n})`, make: () => new ATR({ period: p.n }), batch: (c) => atr(c, { period: p.n }), input: "candle" },
    {
      name: `Stochastic(${p.n}, ${p.ks}, ${p.d})`,
      make: () => new Stochastic({ kPeriod: p.n, kSmoothing: p.ks, dPeriod: p.d }),
      batch: (c) => stochastic(c, { kPeriod: p.n, kSmoothing: p.ks, dPeriod: p.d }),
      keys: ["k", "d"],
      input: "candle",
    },
    { name: `Donchian(${p.n})`, make: () => new Donchian({ period: p.n }), batch: (c) => donchian(c, { period: p.n }), keys: ["upper", "middle", "lower"], input: "candle" },
    { name: "VWAP", make: () => new VWAP(), batch: (c) => vwap(c), input: "candle" },
    { name: "VWAP(utc-day)", make: () => new VWAP({ session: "utc-day" }), batch: (c) => vwap(c, { session: "utc-day" }), input: "candle" },
    { name: "OBV", make: () => new OBV(), batch: (c) => obv(c), input: "candle" },
    {
      name: `ADX(${p.n}, ${p.m})`,
      make: () => new ADX({ period: p.n, adxPeriod: p.m }),
      batch: (c) => adx(c, { period: p.n, adxPeriod: p.m }),
      keys: ["adx", "plusDI", "minusDI"],
      input: "candle",
    },
    {
      name: `ADX(${p.n}, ${p.m}, trading-signals)`,
      make: () => new ADX({ period: p.n, adxPeriod: p.m, variant: "trading-signals" }),
      batch: (c) => adx(c, { period: p.n, adxPeriod: p.m, variant: "trading-signals" }),
      keys: ["adx", "plusDI", "minusDI"],
      input: "candle",
    },
  ];
}

/**
 * Drives a fresh instance by hand and lists every way it disagrees with the batch output (which must be bit-equal:
 * Object.is, so NaN = NaN and 0 ≠ −0), with `value`/`ready`, or with "no NaN after warm-up, first value at
 * index warmup − 1". Empty when all is well.
 */
export function batchVersusIncremental(c: Case, candles: readonly Candle[]): string[] {
  const ind = c.make() as Indicator<number | Candle, unknown>;
  const batch = c.batch(candles);
  const columns = (c.keys ? batch : { value: batch }) as Record<string, number[]>;
  const keys = c.keys ?? ["value"];
  const problems: string[] = [];
  for (const k of keys) if (columns[k]!.length !== candles.length) problems.push(`${k}: ${columns[k]!.length} values for ${candles.length} inputs`);
  let first = -1;
  for (let i = 0; i < candles.length && problems.length < 5; i++) {
    const v = ind.update(c.input === "close" ? candles[i]!.close : candles[i]!);
    if (v !== ind.value) problems.push(`[${i}] update() returned something other than value`);
    if (ind.ready !== (v !== null)) problems.push(`[${i}] ready is ${ind.ready} with value ${JSON.stringify(v)}`);
    if (v !== null && first < 0) first = i;
    for (const k of keys) {
      const expected = v === null ? NaN : c.keys ? (v as Record<string, number>)[k]! : (v as number);
      if (!Object.is(columns[k]![i], expected)) problems.push(`[${i}] ${k}: batch ${columns[k]![i]}, incremental ${expected}`);
      if (v !== null && !Number.isFinite(expected)) problems.push(`[${i}] ${k}: ${expected} after warm-up`);
    }
  }
  // VWAP waits for volume, not for a count of candles; every other indicator starts exactly at its warm-up.
  if (!c.name.startsWith("VWAP") && candles.length >= ind.warmup && first !== ind.warmup - 1) {
    problems.push(`first value at index ${first}, warm-up says ${ind.warmup - 1}`);
  }
  return problems;
}
