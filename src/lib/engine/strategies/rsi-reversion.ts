/**
 * RSI reversion, long only: a short-period RSI that dips into oversold territory inside an up-trend is bought, and
 * sold once the RSI has bounced. The rule follows Larry Connors and Cesar Alvarez, "Short Term Trading Strategies
 * That Work" (2008), ch. "The 2-period RSI": buy when the close is above its 200-bar SMA and RSI(2) is below 5–10.
 * Connors exits on a close above the 5-bar SMA; we exit on the RSI itself crossing a high threshold, which keeps the
 * rule to one oscillator and two numbers a person can reason about. The catalogue offers it as RSI(7) and RSI(3).
 *
 * Exact rule, decided at the close of bar i (orders fill at the next bar's open, as every engine market order does):
 * - enter long when flat (no position, no pending order), RSI(period)[i] < entry, and — when trendPeriod > 0 —
 *   close[i] > SMA(trendPeriod)[i];
 * - exit (close the whole position) when RSI(period)[i] > exit.
 * Nothing happens before every indicator has a value (the warm-up): RSI's first value is at bar `period`, the
 * trend SMA's at bar trendPeriod − 1. RSI is Wilder's (src/lib/indicators/rsi.ts).
 */
import { RSI, SMA } from "@/lib/indicators";
import type { Strategy, StrategyContext } from "../engine";

export interface RsiReversionParams {
  /** RSI lookback in bars. */
  period: number;
  /** Buy below this RSI (oversold). */
  entry: number;
  /** Sell above this RSI. */
  exit: number;
  /** Trend filter: only buy above the SMA of this many closes; 0 turns the filter off. */
  trendPeriod: number;
}

export class RsiReversion implements Strategy {
  readonly name: string;
  readonly warmupBars: number;
  readonly params: Readonly<RsiReversionParams>;
  private readonly rsi: RSI;
  private readonly trend: SMA | null;

  constructor(params: RsiReversionParams) {
    const { period, entry, exit, trendPeriod } = params;
    if (!(entry >= 0 && entry < exit && exit <= 100)) {
      throw new RangeError(`RSI reversion needs 0 ≤ entry < exit ≤ 100, got entry ${entry}, exit ${exit}`);
    }
    this.params = { ...params };
    this.name = `RsiReversion(${period}, ${entry}/${exit}${trendPeriod > 0 ? `, SMA ${trendPeriod}` : ""})`;
    this.rsi = new RSI({ period });
    this.trend = trendPeriod > 0 ? new SMA({ period: trendPeriod }) : null;
    this.warmupBars = Math.max(period, trendPeriod - 1);
  }

  onBar(ctx: StrategyContext): void {
    const close = ctx.bars.close(ctx.bars.index);
    const rsi = this.rsi.update(close);
    const trend = this.trend === null ? null : this.trend.update(close);
    if (rsi === null || (this.trend !== null && trend === null)) return; // warm-up
    if (ctx.positionSize > 0) {
      if (rsi > this.params.exit) ctx.closePosition();
    } else if (ctx.pendingOrders === 0 && rsi < this.params.entry && (trend === null || close > trend)) {
      ctx.buy();
    }
  }
}
