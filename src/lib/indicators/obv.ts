/**
 * OBV: a running total that adds the candle's volume when the close rose, subtracts it when the close fell and
 * leaves it when the close is unchanged. It starts at 0 on the first candle (TradingView's ta.obv), so it is ready
 * from the first candle. Warm-up: 1.
 *
 * Difference from trading-signals 8.3: its OBV takes an `interval` that only delays the start; OBV(2), the
 * shortest that works, reports nothing on the first candle and the same values as ours from the second on (the
 * test pins both). TA-Lib starts the total at the first candle's volume instead, a constant offset.
 */
import { checkCandle, runSeries, type Candle, type Indicator } from "./core";

export class OBV implements Indicator<Candle, number> {
  readonly warmup = 1;
  private previousClose = NaN;
  private total: number | null = null;

  update(c: Candle): number | null {
    checkCandle("OBV", c, true);
    if (this.total === null) {
      this.total = 0;
    } else if (c.close > this.previousClose) {
      this.total += c.volume!;
    } else if (c.close < this.previousClose) {
      this.total -= c.volume!;
    }
    this.previousClose = c.close;
    return this.total;
  }

  get value(): number | null {
    return this.total;
  }

  get ready(): boolean {
    return this.total !== null;
  }
}

export function obv(candles: readonly Candle[]): number[] {
  return runSeries(new OBV(), candles);
}
