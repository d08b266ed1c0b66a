/**
 * ATR (Wilder): Wilder's average of the true range, TR = max(high − low, |high − prevClose|, |low − prevClose|).
 * The first candle has no previous close, so its TR is high − low and it counts towards the seed (the mean of the
 * first `period` TRs), as trading-signals and TradingView's ta.atr do (TA-Lib instead starts one candle later).
 * Warm-up: `period` candles.
 */
import { checkCandle, checkPeriod, runSeries, WilderAverage, type Candle, type Indicator } from "./core";

export interface ATRParams {
  period: number;
}

/** The true range of `c` after a candle that closed at `previousClose` (high − low for the first candle). */
export function trueRange(c: Candle, previousClose: number | null): number {
  const range = c.high - c.low;
  if (previousClose === null) return range;
  return Math.max(range, Math.abs(c.high - previousClose), Math.abs(c.low - previousClose));
}

export class ATR implements Indicator<Candle, number> {
  readonly period: number;
  readonly warmup: number;
  private readonly average: WilderAverage;
  private previousClose: number | null = null;
  private current: number | null = null;

  constructor({ period }: ATRParams) {
    this.period = checkPeriod("ATR", "period", period);
    this.warmup = this.period;
    this.average = new WilderAverage(this.period);
  }

  update(c: Candle): number | null {
    checkCandle("ATR", c);
    const tr = trueRange(c, this.previousClose);
    this.previousClose = c.close;
    const avg = this.average.update(tr);
    return avg === null ? null : (this.current = avg);
  }

  get value(): number | null {
    return this.current;
  }

  get ready(): boolean {
    return this.current !== null;
  }
}

export function atr(candles: readonly Candle[], params: ATRParams): number[] {
  return runSeries(new ATR(params), candles);
}
