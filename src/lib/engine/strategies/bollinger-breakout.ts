/**
 * Bollinger Band breakout, long only: a close above the upper band is read as the start of a move (the
 * volatility-breakout use of the bands, John Bollinger, "Bollinger on Bollinger Bands", 2001, ch. 15–16), and the
 * trade is held until the price falls back to the middle band. Decided at the close of bar i, filled at the next open:
 * - enter long when flat and close[i] > upper[i] (SMA(period) + multiplier · population σ of the same closes);
 * - exit when close[i] < middle[i] (the SMA).
 * The bands' first value is at bar period − 1; nothing happens before it.
 */
import { BollingerBands } from "@/lib/indicators";
import type { Strategy, StrategyContext } from "../engine";

export interface BollingerBreakoutParams {
  period: number;
  multiplier: number;
}

export class BollingerBreakout implements Strategy {
  readonly name: string;
  readonly warmupBars: number;
  private readonly bands: BollingerBands;

  constructor({ period, multiplier }: BollingerBreakoutParams) {
    this.name = `BollingerBreakout(${period}, ${multiplier})`;
    this.bands = new BollingerBands({ period, multiplier });
    this.warmupBars = period - 1;
  }

  onBar(ctx: StrategyContext): void {
    const close = ctx.bars.close(ctx.bars.index);
    const b = this.bands.update(close);
    if (b === null) return; // warm-up
    if (ctx.positionSize > 0) {
      if (close < b.middle) ctx.closePosition();
    } else if (ctx.pendingOrders === 0 && close > b.upper) {
      ctx.buy();
    }
  }
}
