/**
 * EMA crossover, long only: the classic moving-average trend follower (as in Murphy, "Technical Analysis of the
 * Financial Markets", ch. 9, with exponential averages). Decided at the close of bar i, filled at the next open:
 * - enter long when flat and the fast EMA crosses above the slow one: fast[i−1] ≤ slow[i−1] and fast[i] > slow[i];
 * - exit when it crosses below: fast[i−1] ≥ slow[i−1] and fast[i] < slow[i].
 * A cross needs both bars to have values, so the first possible signal is at bar `slow` (the slow EMA's first value
 * is at bar slow − 1). EMAs are seeded with an SMA (src/lib/indicators/ema.ts, TradingView's ta.ema).
 */
import { EMA } from "@/lib/indicators";
import type { Strategy, StrategyContext } from "../engine";

export interface EmaCrossParams {
  fast: number;
  slow: number;
}

export class EmaCross implements Strategy {
  readonly name: string;
  readonly warmupBars: number;
  private readonly fast: EMA;
  private readonly slow: EMA;
  private prevFast: number | null = null;
  private prevSlow: number | null = null;

  constructor({ fast, slow }: EmaCrossParams) {
    if (!(fast < slow)) throw new RangeError(`EMA crossover needs fast < slow, got ${fast} and ${slow}`);
    this.name = `EmaCross(${fast}, ${slow})`;
    this.fast = new EMA({ period: fast });
    this.slow = new EMA({ period: slow });
    this.warmupBars = slow - 1;
  }

  onBar(ctx: StrategyContext): void {
    const close = ctx.bars.close(ctx.bars.index);
    const fast = this.fast.update(close);
    const slow = this.slow.update(close);
    const pf = this.prevFast;
    const ps = this.prevSlow;
    this.prevFast = fast;
    this.prevSlow = slow;
    if (fast === null || slow === null || pf === null || ps === null) return; // warm-up
    if (ctx.positionSize > 0) {
      if (pf >= ps && fast < slow) ctx.closePosition();
    } else if (ctx.pendingOrders === 0 && pf <= ps && fast > slow) {
      ctx.buy();
    }
  }
}
