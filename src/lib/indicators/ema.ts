/**
 * EMA: ema = x·α + ema_prev·(1 − α) with α = 2 / (period + 1). Warm-up: `period` inputs, either seed.
 *
 * Seeds (`seed`):
 * - "sma" (default; TA-Lib, TradingView's ta.ema): the first value is the SMA of the first `period` inputs.
 * - "first" (trading-signals 8.3, pandas ewm(adjust=False)): the recursion starts from the first input itself; the
 *   values before input `period` exist but are not reported, as trading-signals' getResult() does not report them.
 * The two differ by d·(1 − α)^(i − period + 1) at index i ≥ period − 1, where d is their difference at the first
 * value: the seed's influence decays, it never vanishes exactly.
 */
import { checkChoice, checkPeriod, checkValue, runSeries, type Indicator } from "./core";

export const EMA_SEEDS = ["sma", "first"] as const;
export type EMASeed = (typeof EMA_SEEDS)[number];

export interface EMAParams {
  period: number;
  seed?: EMASeed;
}

export class EMA implements Indicator<number, number> {
  readonly period: number;
  readonly seed: EMASeed;
  readonly warmup: number;
  private readonly alpha: number;
  private count = 0;
  private sum = 0;
  private ema = NaN;
  private current: number | null = null;

  constructor({ period, seed = "sma" }: EMAParams) {
    this.period = checkPeriod("EMA", "period", period);
    this.seed = checkChoice("EMA", "seed", seed, EMA_SEEDS);
    this.warmup = this.period;
    this.alpha = 2 / (this.period + 1);
  }

  update(x: number): number | null {
    checkValue("EMA", x);
    this.count++;
    if (this.count > this.period) {
      // Written as trading-signals writes it (x·α + prev·(1 − α)), so the "first" seed rounds as the reference does.
      this.ema = x * this.alpha + this.ema * (1 - this.alpha);
      return (this.current = this.ema);
    }
    if (this.seed === "first") {
      this.ema = this.count === 1 ? x : x * this.alpha + this.ema * (1 - this.alpha);
    } else {
      this.sum += x;
      if (this.count === this.period) this.ema = this.sum / this.period;
    }
    return this.count === this.period ? (this.current = this.ema) : null;
  }

  get value(): number | null {
    return this.current;
  }

  get ready(): boolean {
    return this.current !== null;
  }
}

export function ema(values: readonly number[], params: EMAParams): number[] {
  return runSeries(new EMA(params), values);
}
