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
 * Why not src/lib/indicators' SMA (which landed while this was written): its compensated sum is a different one
 * (Neumaier's), so on GOOG's closes 20% of its SMA(10)/SMA(20) values differ from pandas' by one unit in the last
 * place. SmaCross(10, 20) still makes the same 93 trades with it (checked), but parity that rests on luck is not
 * parity. TODO(issue 19): offer this as a "pandas" flavour of that module's SMA and use it from there.
 */
export class PandasRollingMean {
  /** The mean after the last value (NaN while fewer than n values). A field, so reading it allocates nothing. */
  value = NaN;
  // TypeScript-private rather than #private: plain properties load with smaller bytecode, which keeps `add` small
  // enough for V8 to inline into a strategy's per-bar code (it runs twice a bar in SmaCross).
  private readonly n: number;
  private readonly window: Float64Array;
  /** Values in the window (pandas' nobs), at most n. */
  private nobs = 0;
  /** Where the next value goes in the window (a wrapping counter: `count % n` is an integer division every bar). */
  private slot = 0;
  private sum = 0;
  private compAdd = 0;
  private compRemove = 0;
  private negative = 0;
  private sameRun = 0;
  private prev = NaN;
  /** The value `add` hands to `addGeneral` (see there). */
  private incoming = NaN;

  constructor(n: number) {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`SMA period must be a whole number ≥ 1, got ${n}`);
    this.n = n;
    this.window = new Float64Array(n);
  }

  update(x: number): number {
    this.add(x);
    return this.value;
  }

  /**
   * `update` without a return value (a double returned from a call that is not inlined is boxed on the heap).
   * The common case (a full window, the value leaving and the value entering both positive, the new value not
   * equal to the last) takes a short path that V8 inlines into the strategy: pandas' run-of-equal-values and sign
   * rules cannot change its result there, and the arithmetic is the general path's, operation for operation.
   */
  add(x: number): void {
    const n = this.n;
    const slot = this.slot;
    const old = this.window[slot]!;
    if (this.nobs !== n || n === 1 || !(x > 0) || !(old > 0) || x === this.prev) {
      this.incoming = x;
      this.addGeneral();
      return;
    }
    let sum = this.sum;
    const yOut = -old - this.compRemove;
    const tOut = sum + yOut;
    this.compRemove = tOut - sum - yOut;
    sum = tOut;
    const yIn = x - this.compAdd;
    const tIn = sum + yIn;
    this.compAdd = tIn - sum - yIn;
    sum = tIn;
    this.sum = sum;
    this.sameRun = 1;
    this.prev = x;
    this.window[slot] = x;
    this.slot = slot + 1 === n ? 0 : slot + 1;
    this.value = sum / n;
  }

  /**
   * Every case, as pandas' roll_mean does it (add_mean, remove_mean, calc_mean). It takes the value from a field,
   * not as an argument: a double passed to a call that is not inlined is boxed on the heap, and with two of these
   * calls inlined into one strategy (two SMAs of the same close) V8 hoists that box out of the rare branch to where
   * both calls meet, so it allocated on every bar (~16 MB per million bars, measured), not only on this path.
   */
  private addGeneral(): void {
    const x = this.incoming;
    const n = this.n;
    const slot = this.slot;
    let nobs = this.nobs;
    let sum = this.sum;
    let negative = this.negative;
    if (nobs === n) {
      const old = this.window[slot]!;
      nobs--;
      const y = -old - this.compRemove;
      const t = sum + y;
      this.compRemove = t - sum - y;
      sum = t;
      if (old < 0 || (old === 0 && 1 / old < 0)) negative--; // signbit
    }
    // pandas seeds prev_value with the window's first value, so the first value starts a run of one.
    const sameRun = this.nobs === 0 || x === this.prev ? this.sameRun + 1 : 1;
    nobs++;
    const y = x - this.compAdd;
    const t = sum + y;
    this.compAdd = t - sum - y;
    sum = t;
    if (x < 0 || (x === 0 && 1 / x < 0)) negative++;
    this.sum = sum;
    this.negative = negative;
    this.sameRun = sameRun;
    this.prev = x;
    this.window[slot] = x;
    this.nobs = nobs;
    this.slot = slot + 1 === n ? 0 : slot + 1;
    if (nobs < n) this.value = NaN;
    else if (sameRun >= nobs) this.value = x;
    else {
      const mean = sum / nobs;
      this.value = (negative === 0 && mean < 0) || (negative === nobs && mean > 0) ? 0 : mean;
    }
  }
}

export class SmaCross implements Strategy {
  readonly name: string;
  readonly warmupBars: number;
  private readonly fast: PandasRollingMean;
  private readonly slow: PandasRollingMean;
  private prevFast = NaN;
  private prevSlow = NaN;

  constructor({ fast, slow }: SmaCrossParams = { fast: 10, slow: 20 }) {
    this.name = `SmaCross(${fast}, ${slow})`;
    this.fast = new PandasRollingMean(fast);
    this.slow = new PandasRollingMean(slow);
    // backtesting.py starts trading (and the buy & hold comparison) at the first bar where every indicator has a value.
    this.warmupBars = Math.max(fast, slow) - 1;
  }

  onBar(ctx: StrategyContext): void {
    const bars = ctx.bars;
    const close = bars.close(bars.index);
    this.fast.add(close);
    this.slow.add(close);
    const fast = this.fast.value;
    const slow = this.slow.value;
    if (this.prevFast < this.prevSlow && fast > slow) {
      ctx.closePosition();
      ctx.buy();
    } else if (this.prevSlow < this.prevFast && slow > fast) {
      ctx.closePosition();
      ctx.sell();
    }
    this.prevFast = fast;
    this.prevSlow = slow;
  }
}
