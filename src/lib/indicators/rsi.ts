/**
 * RSI (Wilder): the changes x_i − x_{i−1} split into gains and losses, each smoothed with Wilder's average (seeded
 * with the mean of the first `period` changes); RSI = 100 − 100 / (1 + avgGain / avgLoss). Warm-up: period + 1
 * inputs (period changes). With no losses in the average it is 100, also when nothing moved at all (a flat
 * series): trading-signals and TradingView's ta.rsi both say 100 there, so we do too.
 */
import { checkPeriod, checkValue, runSeries, WilderAverage, type Indicator } from "./core";

export interface RSIParams {
  period: number;
}

export class RSI implements Indicator<number, number> {
  readonly period: number;
  readonly warmup: number;
  private readonly gains: WilderAverage;
  private readonly losses: WilderAverage;
  private previous = NaN;
  private started = false;
  private current: number | null = null;

  constructor({ period }: RSIParams) {
    this.period = checkPeriod("RSI", "period", period);
    this.warmup = this.period + 1;
    this.gains = new WilderAverage(this.period);
    this.losses = new WilderAverage(this.period);
  }

  update(x: number): number | null {
    checkValue("RSI", x);
    if (!this.started) {
      this.started = true;
      this.previous = x;
      return null;
    }
    const change = x - this.previous;
    this.previous = x;
    const gain = this.gains.update(change > 0 ? change : 0);
    const loss = this.losses.update(change > 0 ? 0 : -change);
    if (gain === null || loss === null) return null;
    return (this.current = loss === 0 ? 100 : 100 - 100 / (gain / loss + 1));
  }

  get value(): number | null {
    return this.current;
  }

  get ready(): boolean {
    return this.current !== null;
  }
}

export function rsi(values: readonly number[], params: RSIParams): number[] {
  return runSeries(new RSI(params), values);
}
