/** SMA: the arithmetic mean of the last `period` closes. Warm-up: `period` inputs. */
import { checkPeriod, checkValue, RunningSum, runSeries, type Indicator } from "./core";

export interface SMAParams {
  period: number;
}

export class SMA implements Indicator<number, number> {
  readonly period: number;
  readonly warmup: number;
  private readonly window: Float64Array;
  private readonly sum = new RunningSum();
  private count = 0;
  private current: number | null = null;

  constructor({ period }: SMAParams) {
    this.period = checkPeriod("SMA", "period", period);
    this.warmup = this.period;
    this.window = new Float64Array(this.period);
  }

  update(x: number): number | null {
    checkValue("SMA", x);
    const slot = this.count % this.period;
    if (this.count >= this.period) this.sum.add(-this.window[slot]!);
    this.window[slot] = x;
    this.sum.add(x);
    this.count++;
    if (this.count < this.period) return null;
    return (this.current = this.sum.value / this.period);
  }

  get value(): number | null {
    return this.current;
  }

  get ready(): boolean {
    return this.current !== null;
  }
}

export function sma(values: readonly number[], params: SMAParams): number[] {
  return runSeries(new SMA(params), values);
}
