/**
 * MACD signal-line crossover, long only (Gerald Appel's MACD, "Technical Analysis: Power Tools for Active
 * Investors", 2005: 12/26/9). Decided at the close of bar i, filled at the next open:
 * - enter long when flat and the MACD line crosses above its signal line: macd[i−1] ≤ signal[i−1] and
 *   macd[i] > signal[i];
 * - exit when it crosses below: macd[i−1] ≥ signal[i−1] and macd[i] < signal[i].
 * The first complete MACD value is at bar slow + signal − 2, so the first possible signal is one bar later.
 * EMAs seeded with SMAs (src/lib/indicators/macd.ts, TradingView's ta.macd).
 */
import { MACD } from "@/lib/indicators";
import type { Strategy, StrategyContext } from "../engine";

export interface MacdCrossParams {
  fast: number;
  slow: number;
  signal: number;
}

export class MacdCross implements Strategy {
  readonly name: string;
  readonly warmupBars: number;
  private readonly macd: MACD;
  private prevMacd: number | null = null;
  private prevSignal: number | null = null;

  constructor({ fast, slow, signal }: MacdCrossParams) {
    this.name = `MacdCross(${fast}, ${slow}, ${signal})`;
    this.macd = new MACD({ fast, slow, signal });
    this.warmupBars = this.macd.warmup - 1;
  }

  onBar(ctx: StrategyContext): void {
    const v = this.macd.update(ctx.bars.close(ctx.bars.index));
    const pm = this.prevMacd;
    const ps = this.prevSignal;
    this.prevMacd = v === null ? null : v.macd;
    this.prevSignal = v === null ? null : v.signal;
    if (v === null || pm === null || ps === null) return; // warm-up
    if (ctx.positionSize > 0) {
      if (pm >= ps && v.macd < v.signal) ctx.closePosition();
    } else if (ctx.pendingOrders === 0 && pm <= ps && v.macd > v.signal) {
      ctx.buy();
    }
  }
}
