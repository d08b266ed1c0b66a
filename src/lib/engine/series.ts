/**
 * Bars for the engine: building a column-wise series from the app's candles, the store the engine reveals bars
 * from, and the read-only view a strategy gets. The view is the no-look-ahead guarantee: it holds the store in a
 * true private field and answers only for bars that have closed, so no code path in the API reaches a later bar.
 */
import type { Candle } from "@/lib/market-data/types";
import type { Bar, BarSeries } from "./types";

/** A strategy asked for a bar that has not closed yet. */
export class LookAheadError extends RangeError {
  override name = "LookAheadError";
}

/**
 * Series checked by `checkSeries` (built by `toBarSeries` or `barSeries`): the engine does not walk them again on
 * every run. A series is data, not state; code that rewrites its arrays afterwards owns the consequences.
 */
const checked = new WeakSet<BarSeries>();

/** Columns as a checked series (see `checkSeries`). */
export function barSeries(columns: BarSeries): BarSeries {
  checkSeries(columns);
  return columns;
}

/** The app's decimal-string candles as a series (Number("…") of a decimal string is the nearest double). */
export function toBarSeries(candles: readonly (Candle | Bar)[]): BarSeries {
  const n = candles.length;
  const s = emptySeries(n);
  for (let i = 0; i < n; i++) {
    const c = candles[i]!;
    if ("openTime" in c) {
      s.time[i] = c.openTime;
      s.open[i] = Number(c.open);
      s.high[i] = Number(c.high);
      s.low[i] = Number(c.low);
      s.close[i] = Number(c.close);
      s.volume[i] = Number(c.volume);
    } else {
      s.time[i] = c.time;
      s.open[i] = c.open;
      s.high[i] = c.high;
      s.low[i] = c.low;
      s.close[i] = c.close;
      s.volume[i] = c.volume;
    }
  }
  checkSeries(s);
  return s;
}

/** Columns for `n` bars, all zero, to be filled in place (then checked: `barSeries` or `checkSeries`). */
export function emptySeries(n: number): { -readonly [K in keyof BarSeries]: BarSeries[K] } {
  return {
    length: n,
    time: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
  };
}

/** Refuses what would make fills meaningless: non-finite prices and times out of order. Gaps are allowed. */
export function checkSeries(s: BarSeries): void {
  if (checked.has(s)) return;
  const { time, open, high, low, close, length } = s;
  if (time.length < length || open.length < length || high.length < length || low.length < length || close.length < length) {
    throw new RangeError("Every column of the series needs `length` values");
  }
  let prev = -Infinity;
  for (let i = 0; i < length; i++) {
    const t = time[i]!;
    // x − x is 0 for a finite x and NaN for NaN or ±Infinity: one comparison checks all five (this runs on every
    // backtest's whole series, a million bars in the bench).
    if (open[i]! - open[i]! + (high[i]! - high[i]!) + (low[i]! - low[i]!) + (close[i]! - close[i]!) + (t - t) !== 0 || !(t > prev)) {
      checkBar(s, i, prev); // throws the precise message
    }
    prev = t;
  }
  checked.add(s);
}

function checkBar(s: BarSeries, i: number, prevTime: number): void {
  const o = s.open[i]!;
  const h = s.high[i]!;
  const l = s.low[i]!;
  const c = s.close[i]!;
  if (!(Number.isFinite(o) && Number.isFinite(h) && Number.isFinite(l) && Number.isFinite(c) && Number.isFinite(s.time[i]!))) {
    throw new RangeError(`Bar ${i}: prices and time must be finite numbers`);
  }
  if (!(s.time[i]! > prevTime)) throw new RangeError(`Bar ${i}: its time is not after the bar before it`);
}

/**
 * Where the engine keeps bars. A backtest adopts a whole series and reveals it bar by bar; a live engine appends
 * bars as they close (capacity doubles, so appending is amortised O(1)). Not exported from the package: only the
 * engine and the view hold one.
 */
export class BarStore implements BarSeries {
  time: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
  /** Bars closed so far; the current bar is `length − 1`. */
  length = 0;
  /** A backtest's series is fixed: nothing can be appended. */
  readonly fixed: boolean;

  constructor(series?: BarSeries) {
    if (series) {
      checkSeries(series);
      ({ time: this.time, open: this.open, high: this.high, low: this.low, close: this.close, volume: this.volume } = series);
      this.fixed = true;
    } else {
      const s = emptySeries(256);
      ({ time: this.time, open: this.open, high: this.high, low: this.low, close: this.close, volume: this.volume } = s);
      this.fixed = false;
    }
  }

  get capacity(): number {
    return this.time.length;
  }

  append(bar: Bar): void {
    if (this.fixed) throw new Error("This engine runs over a fixed series: use run(), not onCandle()");
    if (this.length === this.capacity) this.grow();
    const i = this.length;
    this.time[i] = bar.time;
    this.open[i] = bar.open;
    this.high[i] = bar.high;
    this.low[i] = bar.low;
    this.close[i] = bar.close;
    this.volume[i] = bar.volume;
    checkBar(this, i, i > 0 ? this.time[i - 1]! : -Infinity);
    this.length = i + 1;
  }

  private grow(): void {
    const n = this.capacity * 2;
    const copy = (a: Float64Array) => {
      const b = new Float64Array(n);
      b.set(a);
      return b;
    };
    this.time = copy(this.time);
    this.open = copy(this.open);
    this.high = copy(this.high);
    this.low = copy(this.low);
    this.close = copy(this.close);
    this.volume = copy(this.volume);
  }
}

/** Why bar `i` cannot be read: not closed yet (look-ahead), or not a bar index at all (whole indexes below 2^31). */
function refuse(i: number, closed: number): never {
  if (i >= closed) throw new LookAheadError(`Bar ${i} has not closed yet (the last closed bar is ${closed - 1})`);
  throw new RangeError(`No bar ${i}`);
}

/**
 * The closed bars as a strategy sees them, by absolute index 0 … `index`. Asking for a later bar throws
 * `LookAheadError`; there is no array, iterator or store to reach around it (the store sits in a #private field).
 */
export class BarView {
  readonly #store: BarStore;

  constructor(store: BarStore) {
    this.#store = store;
  }

  /** Index of the bar that has just closed. */
  get index(): number {
    return this.#store.length - 1;
  }

  /** Closed bars so far. */
  get length(): number {
    return this.#store.length;
  }

  // Each accessor checks inline rather than through a shared #private method: a private method call costs a brand
  // check and defeated inlining, doubling the per-bar cost of `close(i)` (measured).
  time(i: number): number {
    const s = this.#store;
    if (i >= s.length || (i | 0) !== i || i < 0) refuse(i, s.length);
    return s.time[i]!;
  }
  open(i: number): number {
    const s = this.#store;
    if (i >= s.length || (i | 0) !== i || i < 0) refuse(i, s.length);
    return s.open[i]!;
  }
  high(i: number): number {
    const s = this.#store;
    if (i >= s.length || (i | 0) !== i || i < 0) refuse(i, s.length);
    return s.high[i]!;
  }
  low(i: number): number {
    const s = this.#store;
    if (i >= s.length || (i | 0) !== i || i < 0) refuse(i, s.length);
    return s.low[i]!;
  }
  close(i: number): number {
    const s = this.#store;
    if (i >= s.length || (i | 0) !== i || i < 0) refuse(i, s.length);
    return s.close[i]!;
  }
  volume(i: number): number {
    const s = this.#store;
    if (i >= s.length || (i | 0) !== i || i < 0) refuse(i, s.length);
    return s.volume[i]!;
  }

  /** Bar `i` as a fresh object (a copy: changing it changes nothing). */
  candle(i: number): Bar {
    const s = this.#store;
    if (i >= s.length || (i | 0) !== i || i < 0) refuse(i, s.length);
    return { time: s.time[i]!, open: s.open[i]!, high: s.high[i]!, low: s.low[i]!, close: s.close[i]!, volume: s.volume[i]! };
  }
}
