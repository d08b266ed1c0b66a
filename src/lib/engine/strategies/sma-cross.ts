/**
 * SmaCross: backtesting.py's example strategy. When the fast SMA of closes crosses above the slow one, close any
 * position and buy; when it crosses below, close and sell (its README, doc "Quick Start User Guide" and the test
 * suite's `SmaCross`: `crossover(sma1, sma2)` → `position.close(); buy()`, the reverse → `position.close(); sell()`).
 * A cross is strict on both bars: fast[i−1] < slow[i−1] and fast[i] > slow[i] (backtesting.lib.crossover).
 */
import type { Strategy, StrategyContext } from "../engine";

export interface SmaCrossParams {
  fast: number;
  slow: number;
}

/**
 * pandas' `Series.rolling(n).mean()`, one value at a time (pandas/_libs/window/aggregations.pyx `roll_mean`: a
 * running sum with separate Kahan compensation for values entering and leaving, a run of equal values returning
 * that value exactly, and a sign clamp). Same bits as pandas, so crossovers decided on near-equal averages agree
 * with backtesting.py's. NaN while fewer than n values.
 *
 * TODO(issue 19): move onto src/lib/indicators' SMA once that lands, if it gives the same trades on GOOG (the
 * parity test pins them); this private copy exists because that module was not committed yet.
 */
export class PandasRollingMean {
  readonly #n: number;
  readonly #window: Float64Array;
  #count = 0;
  #sum = 0;
  #compAdd = 0;
  #compRemove = 0;
  #negative = 0;
  #sameRun = 0;
  #prev = NaN;

  constructor(n: number) {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`SMA period must be a whole number ≥ 1, got ${n}`);
    this.#n = n;
    this.#window = new Float64Array(n);
  }

  update(x: number): number {
    const n = this.#n;
    const slot = this.#count % n;
    let nobs = this.#count < n ? this.#count : n;
    if (this.#count >= n) {
      const old = this.#window[slot]!;
      nobs--;
      const y = -old - this.#compRemove;
      const t = this.#sum + y;
      this.#compRemove = t - this.#sum - y;
      this.#sum = t;
      if (old < 0 || Object.is(old, -0)) this.#negative--;
    }
    if (this.#count === 0) this.#prev = x; // pandas seeds prev_value with the window's first value
    nobs++;
    const y = x - this.#compAdd;
    const t = this.#sum + y;
    this.#compAdd = t - this.#sum - y;
    this.#sum = t;
    if (x < 0 || Object.is(x, -0)) this.#negative++;
    this.#sameRun = x === this.#prev ? this.#sameRun + 1 : 1;
    this.#prev = x;
    this.#window[slot] = x;
    this.#count++;
    if (nobs < n) return NaN;
    if (this.#sameRun >= nobs) return x;
    const mean = this.#sum / nobs;
    if (this.#negative === 0 && mean < 0) return 0;
    if (this.#negative === nobs && mean > 0) return 0;
    return mean;
  }
}

export class SmaCross implements Strategy {
  readonly name: string;
  readonly warmupBars: number;
  readonly #fast: PandasRollingMean;
  readonly #slow: PandasRollingMean;
  #prevFast = NaN;
  #prevSlow = NaN;

  constructor({ fast, slow }: SmaCrossParams = { fast: 10, slow: 20 }) {
    this.name = `SmaCross(${fast}, ${slow})`;
    this.#fast = new PandasRollingMean(fast);
    this.#slow = new PandasRollingMean(slow);
    // backtesting.py starts trading (and the buy & hold comparison) at the first bar where every indicator has a value.
    this.warmupBars = Math.max(fast, slow) - 1;
  }

  onBar(ctx: StrategyContext): void {
    const bars = ctx.bars;
    const close = bars.close(bars.index);
    const fast = this.#fast.update(close);
    const slow = this.#slow.update(close);
    if (this.#prevFast < this.#prevSlow && fast > slow) {
      ctx.closePosition();
      ctx.buy();
    } else if (this.#prevSlow < this.#prevFast && slow > fast) {
      ctx.closePosition();
      ctx.sell();
    }
    this.#prevFast = fast;
    this.#prevSlow = slow;
  }
}
