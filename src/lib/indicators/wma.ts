/**
 * WMA: the linearly weighted mean of the last `period` closes, weights 1 (oldest) … period (newest), divided by
 * period·(period + 1)/2. Warm-up: `period` inputs.
 *
 * O(1): with S the window's sum and W its weighted sum, sliding one step is W' = W − S + period·x (every weight
 * drops by one, the oldest to zero) and S' = S − oldest + x. W is built from S on every step, so rounding would
 * accumulate in it; both are recomputed from the window each time the ring wraps (every `period` updates), which
 * keeps the error to one window's worth at an amortised O(1).
 */
import { checkPeriod, checkValue, runSeries, type Indicator } from "./core";

export interface WMAParams {
  period: number;
}

export class WMA implements Indicator<number, number> {
  readonly period: number;
  readonly warmup: number;
  private readonly window: Float64Array;
  private readonly divisor: number;
  private count = 0;
  private sum = 0;
  private weighted = 0;
  private current: number | null = null;

  constructor({ period }: WMAParams) {
    this.period = checkPeriod("WMA", "period", period);
    this.warmup = this.period;
    this.window = new Float64Array(this.period);
    this.divisor = (this.period * (this.period + 1)) / 2;
  }

  update(x: number): number | null {
    checkValue("WMA", x);
    const n = this.period;
    const slot = this.count % n;
    if (this.count < n) {
      this.window[slot] = x;
      this.weighted += (slot + 1) * x;
      this.sum += x;
    } else {
      this.weighted += n * x - this.sum;
      this.sum += x - this.window[slot]!;
      this.window[slot] = x;
      if (slot === n - 1) this.resync();
    }
    this.count++;
    if (this.count < n) return null;
    return (this.current = this.weighted / this.divisor);
  }

  /** Called when the newest value sits in the last slot: the ring then holds the window oldest-first. */
  private resync(): void {
    let sum = 0;
    let weighted = 0;
    for (let j = 0; j < this.period; j++) {
      const v = this.window[j]!;
      sum += v;
      weighted += (j + 1) * v;
    }
    this.sum = sum;
    this.weighted = weighted;
  }

  get value(): number | null {
    return this.current;
  }

  get ready(): boolean {
    return this.current !== null;
  }
}

export function wma(values: readonly number[], params: WMAParams): number[] {
  return runSeries(new WMA(params), values);
}
