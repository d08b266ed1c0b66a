/**
 * Donchian breakout, long only, after the Turtle Traders' System 1 (Curtis Faith, "Way of the Turtle", 2007: enter
 * on a 20-day high, exit on a 10-day low). The Turtles entered on a stop intrabar; here the signal is a CLOSE beyond
 * the channel of the PREVIOUS bars, decided at the close of bar i and filled at the next open:
 * - enter long when flat and close[i] > max(high[i−entryPeriod … i−1]) (the Donchian upper band of the entryPeriod
 *   bars before this one);
 * - exit when close[i] < min(low[i−exitPeriod … i−1]).
 * The channels exclude bar i itself (a bar's close can never exceed its own high). The first entry is possible at
 * bar entryPeriod; the exit rule applies from bar exitPeriod on (it only matters once a position exists).
 */
import { Donchian } from "@/lib/indicators";
import type { Strategy, StrategyContext } from "../engine";

export interface DonchianBreakoutParams {
  entryPeriod: number;
  exitPeriod: number;
}

export class DonchianBreakout implements Strategy {
  readonly name: string;
  readonly warmupBars: number;
  private readonly entry: Donchian;
  private readonly exit: Donchian;

  constructor({ entryPeriod, exitPeriod }: DonchianBreakoutParams) {
    this.name = `DonchianBreakout(${entryPeriod}, ${exitPeriod})`;
    this.entry = new Donchian({ period: entryPeriod });
    this.exit = new Donchian({ period: exitPeriod });
    this.warmupBars = Math.max(entryPeriod, exitPeriod);
  }

  onBar(ctx: StrategyContext): void {
    const bars = ctx.bars;
    const i = bars.index;
    // The channels as they stood after bar i − 1, read before bar i goes in.
    const upper = this.entry.value?.upper ?? null;
    const lower = this.exit.value?.lower ?? null;
    const candle = { high: bars.high(i), low: bars.low(i), close: bars.close(i) };
    this.entry.update(candle);
    this.exit.update(candle);
    const close = candle.close;
    if (ctx.positionSize > 0) {
      if (lower !== null && close < lower) ctx.closePosition();
    } else if (upper !== null && ctx.pendingOrders === 0 && close > upper) {
      ctx.buy();
    }
  }
}
