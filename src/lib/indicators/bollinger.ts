/**
 * Bollinger Bands: middle = SMA(period) of the closes, upper/lower = middle ± multiplier · σ, where σ is the
 * POPULATION standard deviation of the same window (divide by period, not period − 1), as Bollinger defines it and
 * as trading-signals, TA-Lib and TradingView compute it. Warm-up: `period` inputs.
 *
 * O(1): the mean comes from a compensated running sum; the sum of squared deviations M2 slides with Welford's
 * update M2' = M2 + (x − old)·((x − mean') + (old − mean)), which never subtracts two large squares (prices near
 * 60,000 square to 3.6e9, where the variance of a calm window is a few hundred: Σx² − n·mean² loses ~7 digits there).
 * Its rounding is still relative to the largest spread the window held lately (when a jump leaves the window, M2
 * shrinks by orders of magnitude and keeps the jump's rounding), so each time the ring wraps (every `period`
 * updates) M2 is recomputed from the window: the error never outlives one window, and a flat window after a
 * volatile one comes back to σ ≈ 0 rather than to a leftover. Amortised O(1).
 */
import { checkPeriod, checkPositive, checkValue, RunningSum, runColumns, type Indicator } from "./core";

export interface BollingerParams {
  period: number;
  /** Band half-width in standard deviations. */
  multiplier: number;
}

export interface BollingerValue {
  middle: number;
  upper: number;
  lower: number;
}

export const BOLLINGER_OUTPUTS = ["middle", "upper", "lower"] as const;

export class BollingerBands implements Indicator<number, BollingerValue> {
  readonly period: number;
  readonly multiplier: number;
  readonly warmup: number;
  private readonly window: Float64Array;
  private readonly sum = new RunningSum();
  private m2 = 0;
  private count = 0;
  private current: BollingerValue | null = null;

  constructor({ period, multiplier }: BollingerParams) {
    this.period = checkPeriod("Bollinger Bands", "period", period);
    this.multiplier = checkPositive("Bollinger Bands", "multiplier", multiplier);
    this.warmup = this.period;
    this.window = new Float64Array(this.period);
  }

  update(x: number): BollingerValue | null {
    checkValue("Bollinger Bands", x);
    const n = this.period;
    const slot = this.count % n;
    this.count++;
    if (this.count <= n) {
      this.window[slot] = x;
      this.sum.add(x);
      if (this.count < n) return null;
      // The first full window: M2 is computed by the resync below.
    } else {
      const old = this.window[slot]!;
      const before = this.sum.value / n;
      this.sum.add(x - old);
      this.window[slot] = x;
      this.m2 += (x - old) * (x - this.sum.value / n + (old - before));
    }
    const middle = this.sum.value / n;
    if (slot === n - 1) this.m2 = this.deviations(middle);
    const width = Math.sqrt(Math.max(0, this.m2) / n) * this.multiplier;
    return (this.current = { middle, upper: middle + width, lower: middle - width });
  }

  private deviations(mean: number): number {
    let m2 = 0;
    for (let j = 0; j < this.period; j++) {
      const d = this.window[j]! - mean;
      m2 += d * d;
    }
    return m2;
  }

  get value(): BollingerValue | null {
    return this.current;
  }

  get ready(): boolean {
    return this.current !== null;
  }
}

export function bollingerBands(values: readonly number[], params: BollingerParams): Record<keyof BollingerValue, number[]> {
  return runColumns(new BollingerBands(params), values, BOLLINGER_OUTPUTS);
}
