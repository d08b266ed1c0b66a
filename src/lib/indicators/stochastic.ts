/**
 * Stochastic oscillator (slow): raw %K = 100 · (close − lowest low) / (highest high − lowest low) over `kPeriod`
 * candles; %K = SMA(kSmoothing) of raw %K (kSmoothing 1 gives the fast stochastic); %D = SMA(dPeriod) of %K.
 * Warm-up: kPeriod + kSmoothing + dPeriod − 2 candles.
 *
 * A window without range (highest = lowest) gives raw %K = 0, as TA-Lib does. trading-signals divides by 1 instead,
 * (close − lowest) · 100, which is 0 as well whenever the close lies within its candle's range (always, in
 * consistent data); TradingView's ta.stoch gives NaN there.
 *
 * The highest high and lowest low come from monotonic queues: amortised O(1) per candle whatever kPeriod is.
 */
import { checkCandle, checkPeriod, MonotonicQueue, runColumns, type Candle, type Indicator } from "./core";
import { SMA } from "./sma";

export interface StochasticParams {
  kPeriod: number;
  kSmoothing: number;
  dPeriod: number;
}

export interface StochasticValue {
  k: number;
  d: number;
}

export const STOCHASTIC_OUTPUTS = ["k", "d"] as const;

export class Stochastic implements Indicator<Candle, StochasticValue> {
  readonly kPeriod: number;
  readonly kSmoothing: number;
  readonly dPeriod: number;
  readonly warmup: number;
  private readonly highs: MonotonicQueue;
  private readonly lows: MonotonicQueue;
  private readonly smoothK: SMA;
  private readonly smoothD: SMA;
  private count = 0;
  private current: StochasticValue | null = null;

  constructor({ kPeriod, kSmoothing, dPeriod }: StochasticParams) {
    this.kPeriod = checkPeriod("Stochastic", "%K period", kPeriod);
    this.kSmoothing = checkPeriod("Stochastic", "%K smoothing", kSmoothing);
    this.dPeriod = checkPeriod("Stochastic", "%D period", dPeriod);
    this.warmup = this.kPeriod + this.kSmoothing + this.dPeriod - 2;
    this.highs = new MonotonicQueue(this.kPeriod, true);
    this.lows = new MonotonicQueue(this.kPeriod, false);
    this.smoothK = new SMA({ period: this.kSmoothing });
    this.smoothD = new SMA({ period: this.dPeriod });
  }

  update(c: Candle): StochasticValue | null {
    checkCandle("Stochastic", c);
    const i = this.count++;
    const highest = this.highs.push(i, c.high);
    const lowest = this.lows.push(i, c.low);
    if (this.count < this.kPeriod) return null;
    const range = highest - lowest;
    const raw = range === 0 ? 0 : ((c.close - lowest) * 100) / range;
    const k = this.smoothK.update(raw);
    if (k === null) return null;
    const d = this.smoothD.update(k);
    if (d === null) return null;
    return (this.current = { k, d });
  }

  get value(): StochasticValue | null {
    return this.current;
  }

  get ready(): boolean {
    return this.current !== null;
  }
}

export function stochastic(candles: readonly Candle[], params: StochasticParams): Record<keyof StochasticValue, number[]> {
  return runColumns(new Stochastic(params), candles, STOCHASTIC_OUTPUTS);
}
