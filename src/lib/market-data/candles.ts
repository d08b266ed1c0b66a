/**
 * Pure candle helpers: timeframes, exact decimal strings, aggregation into coarser candles, range lookups.
 * Aggregation is exact (decimal.js), so a daily candle built from hourly ones matches the exchange's own.
 */
import Decimal from "decimal.js";
import { TIMEFRAMES, type Candle, type Timeframe } from "./types";

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

export const TIMEFRAME_MS: Readonly<Record<Timeframe, number>> = { "1m": 60_000, "1h": HOUR_MS, "1d": DAY_MS };

export function isTimeframe(value: unknown): value is Timeframe {
  return typeof value === "string" && (TIMEFRAMES as readonly string[]).includes(value);
}

// Sums of many 8-decimal volumes exceed decimal.js's default 20 significant digits; 60 keeps them exact.
const D = Decimal.clone({ precision: 60 });

const PLAIN_DECIMAL = /^-?(?:0|[1-9]\d*)(?:\.\d+)?$/;

/**
 * A number or numeric string as a canonical decimal string: plain notation, no trailing zeros
 * ("43519.34000000" -> "43519.34", 1e-7 -> "0.0000001"). The same value always gives the same string, so
 * candles read back from a `numeric` column compare equal to freshly fetched ones.
 * Numbers are taken at their shortest round-trip spelling (what JSON and ccxt produce), which is exact for
 * data written that way.
 */
export function toDecimalString(value: unknown): string {
  let s: string;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new RangeError(`Not a finite number: ${value}`);
    s = String(value);
  } else if (typeof value === "string") {
    s = value.trim();
  } else {
    throw new TypeError(`Not a decimal: ${String(value)}`);
  }
  // Fast path: loading 45k recorded candles parses a quarter of a million values.
  if (PLAIN_DECIMAL.test(s)) {
    if (s.includes(".")) s = s.replace(/0+$/, "").replace(/\.$/, "");
    return s === "-0" ? "0" : s;
  }
  let d: Decimal;
  try {
    d = new D(s);
  } catch {
    throw new TypeError(`Not a decimal: ${JSON.stringify(s)}`);
  }
  if (!d.isFinite()) throw new RangeError(`Not a finite decimal: ${s}`);
  return d.isZero() ? "0" : d.toFixed();
}

/** Decimals implied by a tick size: 0.01 -> 2, 0.00001 -> 5, 1 or 10 -> 0, 0.5 -> 1. */
export function decimalsOfTick(tick: string | number): number {
  const d = new D(toDecimalString(tick));
  if (d.lte(0)) throw new RangeError(`Tick size must be positive: ${tick}`);
  return d.decimalPlaces();
}

/** Index of the first element of ascending `sorted` that is >= `value` (sorted.length when none). */
export function lowerBound(sorted: ArrayLike<number>, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Groups ascending candles into buckets of `bucketMs` aligned to the epoch (so daily buckets start at UTC
 * midnight): open = first open, close = last close, high = max, low = min, volume = sum. A bucket is made from
 * whatever candles exist in it: a missing hour leaves the day built from 23, a bucket with none is absent.
 * Deciding whether the last bucket is complete (closed) is the caller's job.
 */
export function aggregateCandles(candles: readonly Candle[], bucketMs: number): Candle[] {
  const out: Candle[] = [];
  let bucket = Number.NaN;
  let open = "";
  let close = "";
  let high: Decimal | null = null;
  let low: Decimal | null = null;
  let highStr = "";
  let lowStr = "";
  let volume = new D(0);
  const flush = () => {
    if (Number.isNaN(bucket)) return;
    out.push({ openTime: bucket, open, high: highStr, low: lowStr, close, volume: toDecimalString(volume.toFixed()) });
  };
  let prev = Number.NEGATIVE_INFINITY;
  for (const c of candles) {
    if (c.openTime <= prev) throw new RangeError(`Candles must be strictly ascending (at ${c.openTime})`);
    prev = c.openTime;
    const b = Math.floor(c.openTime / bucketMs) * bucketMs;
    if (b !== bucket) {
      flush();
      bucket = b;
      open = c.open;
      high = null;
      low = null;
      volume = new D(0);
    }
    const h = new D(c.high);
    const l = new D(c.low);
    if (high === null || h.gt(high)) {
      high = h;
      highStr = c.high;
    }
    if (low === null || l.lt(low)) {
      low = l;
      lowStr = c.low;
    }
    close = c.close;
    volume = volume.plus(c.volume);
  }
  flush();
  return out;
}
