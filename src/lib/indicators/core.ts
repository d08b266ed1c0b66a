/**
 * The shared parts of the indicator library: the numeric candle, the incremental-indicator contract, parameter and
 * input checks, the batch runners (which drive the incremental classes, so batch = incremental by construction),
 * and the O(1) building blocks (a compensated running sum, a monotonic window queue, Wilder's average).
 */
import type { Candle as MarketCandle } from "@/lib/market-data/types";

/**
 * A candle as numbers. Indicators only decide whether to trade, so floats are fine here; the app's candles carry
 * decimal strings (src/lib/market-data, src/lib/lifecycle) and come in through `toCandle`.
 */
export interface Candle {
  /** Open time, ms since epoch (UTC). Only session-anchored indicators (VWAP with a session reset) read it. */
  time?: number;
  open?: number;
  high: number;
  low: number;
  close: number;
  /** Only the volume indicators (VWAP, OBV) read it; they refuse a candle without one. */
  volume?: number;
}

/** The app's decimal-string candle as numbers. Number("…") of a decimal string is the nearest double. */
export function toCandle(c: MarketCandle): Candle {
  return {
    time: c.openTime,
    open: Number(c.open),
    high: Number(c.high),
    low: Number(c.low),
    close: Number(c.close),
    volume: Number(c.volume),
  };
}

export function toCandles(candles: readonly MarketCandle[]): Candle[] {
  return candles.map(toCandle);
}

/**
 * The contract every indicator class keeps. `update` takes the next input (a close, or a candle) and returns the
 * indicator's value after it, or null while warming up; each call is O(1) (amortised O(1) where a class says so).
 */
export interface Indicator<In, Out> {
  update(input: In): Out | null;
  /** The value after the last update; null while warming up. */
  readonly value: Out | null;
  readonly ready: boolean;
  /** Inputs needed before the first value: the first value comes with input number `warmup` (index warmup − 1). */
  readonly warmup: number;
}

/** A parameter that cannot make a meaningful indicator (a period of 0, a NaN multiplier, fast ≥ slow…). */
export class IndicatorParamError extends RangeError {
  override name = "IndicatorParamError";
}

/** A period: a whole number of inputs, at least `min`. */
export function checkPeriod(indicator: string, param: string, value: unknown, min = 1): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw new IndicatorParamError(`${indicator} ${param} must be a whole number of at least ${min}, got ${show(value)}`);
  }
  return value;
}

/** A positive finite number (a band width in standard deviations, say). */
export function checkPositive(indicator: string, param: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new IndicatorParamError(`${indicator} ${param} must be a number above 0, got ${show(value)}`);
  }
  return value;
}

export function checkChoice<T extends string>(indicator: string, param: string, value: unknown, choices: readonly T[]): T {
  if (typeof value !== "string" || !(choices as readonly string[]).includes(value)) {
    throw new IndicatorParamError(`${indicator} ${param} must be one of ${choices.map((c) => `"${c}"`).join(", ")}, got ${show(value)}`);
  }
  return value as T;
}

function show(value: unknown): string {
  return typeof value === "string" ? `"${value}"` : String(value);
}

/**
 * Inputs are checked on every update: a NaN would poison a running sum for good (every later value NaN, far from
 * the bad candle), so it is refused where it enters. One `Number.isFinite` per field is noise next to the update.
 */
export function checkValue(indicator: string, value: number): number {
  if (!Number.isFinite(value)) throw new RangeError(`${indicator}: inputs must be finite numbers, got ${value}`);
  return value;
}

export function checkCandle(indicator: string, c: Candle, needsVolume = false): Candle {
  if (!Number.isFinite(c.high) || !Number.isFinite(c.low) || !Number.isFinite(c.close)) {
    throw new RangeError(`${indicator}: candle high, low and close must be finite numbers, got ${c.high}/${c.low}/${c.close}`);
  }
  if (needsVolume && (typeof c.volume !== "number" || !Number.isFinite(c.volume) || c.volume < 0)) {
    throw new RangeError(`${indicator}: the candle needs a volume (a finite number ≥ 0), got ${c.volume}`);
  }
  return c;
}

// ---- batch: arrays in, arrays aligned to the input out, NaN while warming up ------------------------------------

/** Runs a single-valued indicator over an array: out[i] is its value after input i, NaN while warming up. */
export function runSeries<In>(indicator: Indicator<In, number>, inputs: readonly In[]): number[] {
  const out = new Array<number>(inputs.length);
  for (let i = 0; i < inputs.length; i++) out[i] = indicator.update(inputs[i]!) ?? NaN;
  return out;
}

/** Runs a multi-valued indicator over an array: one array per output key, aligned to the input, NaN while warming up. */
export function runColumns<In, K extends string>(
  indicator: Indicator<In, Readonly<Record<K, number>>>,
  inputs: readonly In[],
  keys: readonly K[],
): Record<K, number[]> {
  const out = {} as Record<K, number[]>;
  for (const k of keys) out[k] = new Array<number>(inputs.length);
  for (let i = 0; i < inputs.length; i++) {
    const v = indicator.update(inputs[i]!);
    for (const k of keys) out[k][i] = v === null ? NaN : v[k];
  }
  return out;
}

// ---- O(1) building blocks ---------------------------------------------------------------------------------------

/**
 * A running sum with Neumaier's compensation. A plain running sum of a sliding window (add the new value, subtract
 * the one leaving) drifts: every add and subtract rounds, and over a million updates the error grows with the
 * count, not the window. With the compensation term the error stays about 2ε·|sum| + N·ε²·Σ|x| (Neumaier's bound
 * over all N values ever added): a rounding or two of the window's sum however long it runs, still in O(1), unless
 * the window holds values some 15 orders of magnitude below those it once held.
 */
export class RunningSum {
  private sum = 0;
  private compensation = 0;

  add(x: number): void {
    const t = this.sum + x;
    if (Math.abs(this.sum) >= Math.abs(x)) this.compensation += this.sum - t + x;
    else this.compensation += x - t + this.sum;
    this.sum = t;
  }

  get value(): number {
    return this.sum + this.compensation;
  }
}

/**
 * The running maximum (or minimum) of the last `capacity` values, in amortised O(1): a deque of candidates in
 * decreasing (increasing) order. A value that a newer, at-least-as-extreme value dominates can never be the extreme
 * again, so it is dropped when that value arrives; each value enters and leaves once.
 * INVARIANT: after `push`, the front is the extreme of the values pushed at positions (i − capacity, i].
 */
export class MonotonicQueue {
  private readonly positions: Float64Array;
  private readonly values: Float64Array;
  private head = 0;
  private size = 0;

  constructor(
    private readonly capacity: number,
    private readonly keepMax: boolean,
  ) {
    this.positions = new Float64Array(capacity);
    this.values = new Float64Array(capacity);
  }

  /** Adds the value at position `i` (positions increase by one per push) and returns the window's extreme. */
  push(i: number, v: number): number {
    const cap = this.capacity;
    // Expire first: the survivors sit in (i − capacity, i − 1], at most capacity − 1 of them, so the push fits.
    while (this.size > 0 && this.positions[this.head]! <= i - cap) {
      this.head = (this.head + 1) % cap;
      this.size--;
    }
    while (this.size > 0) {
      const back = this.values[(this.head + this.size - 1) % cap]!;
      if (this.keepMax ? back <= v : back >= v) this.size--;
      else break;
    }
    const at = (this.head + this.size) % cap;
    this.positions[at] = i;
    this.values[at] = v;
    this.size++;
    return this.values[this.head]!;
  }
}

/**
 * Wilder's smoothing (the RMA of TradingView, trading-signals' WSMA): the first value is the plain mean of the
 * first `period` inputs, then avg += (x − avg) / period. Written as trading-signals writes it, multiplying by a
 * precomputed 1/period, so RSI, ATR and ADX round the same way as the reference.
 */
export class WilderAverage {
  private readonly factor: number;
  private count = 0;
  private seed = 0;
  private avg = NaN;

  constructor(private readonly period: number) {
    this.factor = 1 / period;
  }

  /** Returns the average after `x`, or null until `period` inputs have arrived. */
  update(x: number): number | null {
    if (this.count >= this.period) {
      this.avg = (x - this.avg) * this.factor + this.avg;
      return this.avg;
    }
    this.seed += x;
    if (++this.count < this.period) return null;
    this.avg = this.seed / this.period;
    return this.avg;
  }
}
