/**
 * MACD: line = EMA(fast) − EMA(slow) of the closes, signal = EMA(signal) of the line, histogram = line − signal.
 * The line starts when the slow EMA has its first value (input `slow`); the signal EMA runs over the line from
 * there, so the first complete value comes with input slow + signal − 1 (the warm-up). `seed` picks the seed of all
 * three EMAs (see ema.ts): "sma" (default, as TradingView's ta.macd) or "first" (as trading-signals).
 *
 * Difference from trading-signals 8.3 (seed "first"): its MACD reports from input `slow`, with a signal line whose
 * EMA has seen fewer than `signal` values (its EMA class withholds such values, its MACD does not). From our
 * warm-up on the values are the same; the test pins both facts.
 */
import { checkPeriod, checkValue, IndicatorParamError, runColumns, type Indicator } from "./core";
import { EMA, type EMASeed } from "./ema";

export interface MACDParams {
  fast: number;
  slow: number;
  signal: number;
  seed?: EMASeed;
}

export interface MACDValue {
  macd: number;
  signal: number;
  histogram: number;
}

export const MACD_OUTPUTS = ["macd", "signal", "histogram"] as const;

export class MACD implements Indicator<number, MACDValue> {
  readonly fast: number;
  readonly slow: number;
  readonly signal: number;
  readonly warmup: number;
  private readonly fastEma: EMA;
  private readonly slowEma: EMA;
  private readonly signalEma: EMA;
  private current: MACDValue | null = null;

  constructor({ fast, slow, signal, seed = "sma" }: MACDParams) {
    this.fast = checkPeriod("MACD", "fast period", fast);
    this.slow = checkPeriod("MACD", "slow period", slow);
    this.signal = checkPeriod("MACD", "signal period", signal);
    if (this.fast >= this.slow) {
      throw new IndicatorParamError(`MACD fast period (${fast}) must be shorter than the slow period (${slow})`);
    }
    this.fastEma = new EMA({ period: this.fast, seed });
    this.slowEma = new EMA({ period: this.slow, seed });
    this.signalEma = new EMA({ period: this.signal, seed });
    this.warmup = this.slow + this.signal - 1;
  }

  update(x: number): MACDValue | null {
    checkValue("MACD", x);
    const fast = this.fastEma.update(x);
    const slow = this.slowEma.update(x);
    // fast < slow, so the fast EMA is ready whenever the slow one is.
    if (fast === null || slow === null) return null;
    const macd = fast - slow;
    const signal = this.signalEma.update(macd);
    if (signal === null) return null;
    return (this.current = { macd, signal, histogram: macd - signal });
  }

  get value(): MACDValue | null {
    return this.current;
  }

  get ready(): boolean {
    return this.current !== null;
  }
}

export function macd(values: readonly number[], params: MACDParams): Record<keyof MACDValue, number[]> {
  return runColumns(new MACD(params), values, MACD_OUTPUTS);
}
