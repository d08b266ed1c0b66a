/**
 * Donchian channels: upper = highest high and lower = lowest low of the last `period` candles (the current one
 * included, as trading-signals and TradingView's Donchian do; a breakout rule compares the close with the previous
 * candle's channel), middle = (upper + lower) / 2. Warm-up: `period` candles. Monotonic queues keep each update
 * amortised O(1) whatever the period.
 */
import { checkCandle, checkPeriod, MonotonicQueue, runColumns, type Candle, type Indicator } from "./core";

export interface DonchianParams {
  period: number;
}

export interface DonchianValue {
  upper: number;
  middle: number;
  lower: number;
}

export const DONCHIAN_OUTPUTS = ["upper", "middle", "lower"] as const;

export class Donchian implements Indicator<Candle, DonchianValue> {
  readonly period: number;
  readonly warmup: number;
  private readonly highs: MonotonicQueue;
  private readonly lows: MonotonicQueue;
  private count = 0;
  private current: DonchianValue | null = null;

  constructor({ period }: DonchianParams) {
    this.period = checkPeriod("Donchian", "period", period);
    this.warmup = this.period;
    this.highs = new MonotonicQueue(this.period, true);
    this.lows = new MonotonicQueue(this.period, false);
  }

  update(c: Candle): DonchianValue | null {
    checkCandle("Donchian", c);
    const i = this.count++;
    const upper = this.highs.push(i, c.high);
    const lower = this.lows.push(i, c.low);
    if (this.count < this.period) return null;
    return (this.current = { upper, middle: (upper + lower) / 2, lower });
  }

  get value(): DonchianValue | null {
    return this.current;
  }

  get ready(): boolean {
    return this.current !== null;
  }
}

export function donchian(candles: readonly Candle[], params: DonchianParams): Record<keyof DonchianValue, number[]> {
  return runColumns(new Donchian(params), candles, DONCHIAN_OUTPUTS);
}
