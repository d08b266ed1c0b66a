/**
 * The closed-trade log, column by column in typed arrays. Recording a trade writes a dozen numbers and allocates
 * nothing, so a run with tens of thousands of trades keeps the garbage collector out of the bar loop (an object per
 * trade cost a quarter of a million-bar run); `ClosedTrade` objects are built once, when the result's `trades` is
 * first read.
 */
import type { ClosedTrade, ExitReason } from "./types";

const REASONS: readonly ExitReason[] = ["close", "stop", "target", "reversal", "end", "out-of-money"];

export const REASON_CODE: Readonly<Record<ExitReason, number>> = {
  close: 0,
  stop: 1,
  target: 2,
  reversal: 3,
  end: 4,
  "out-of-money": 5,
};

/** Rows before the first growth; the columns then grow fourfold (a few copies even for 100,000 trades). */
const INITIAL = 4096;

const grow = <T extends Float64Array | Int32Array | Uint8Array>(a: T, n: number): T => {
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a);
  return b;
};

export class TradeLog {
  length = 0;
  id = new Float64Array(INITIAL);
  size = new Float64Array(INITIAL);
  entryBar = new Int32Array(INITIAL);
  exitBar = new Int32Array(INITIAL);
  entryPrice = new Float64Array(INITIAL);
  exitPrice = new Float64Array(INITIAL);
  /** NaN: none. */
  sl = new Float64Array(INITIAL);
  tp = new Float64Array(INITIAL);
  initialSl = new Float64Array(INITIAL);
  pnl = new Float64Array(INITIAL);
  returnPct = new Float64Array(INITIAL);
  commission = new Float64Array(INITIAL);
  reason = new Uint8Array(INITIAL);
  acrossGap = new Uint8Array(INITIAL);
  /** Tags by row, only for the trades that have one. */
  readonly tags = new Map<number, string>();

  /**
   * A new row with its whole-number fields set; the caller writes the prices and money into the columns at the
   * returned index (passing a dozen doubles as arguments would box each one when the call is not inlined).
   */
  append(id: number, entryBar: number, exitBar: number, reason: number, acrossGap: boolean, tag: string | null): number {
    const k = this.length;
    if (k === this.id.length) this.#grow();
    this.id[k] = id;
    this.entryBar[k] = entryBar;
    this.exitBar[k] = exitBar;
    this.reason[k] = reason;
    this.acrossGap[k] = acrossGap ? 1 : 0;
    if (tag !== null) this.tags.set(k, tag);
    this.length = k + 1;
    return k;
  }

  #grow(): void {
    const n = this.id.length * 4;
    this.id = grow(this.id, n);
    this.size = grow(this.size, n);
    this.entryBar = grow(this.entryBar, n);
    this.exitBar = grow(this.exitBar, n);
    this.entryPrice = grow(this.entryPrice, n);
    this.exitPrice = grow(this.exitPrice, n);
    this.sl = grow(this.sl, n);
    this.tp = grow(this.tp, n);
    this.initialSl = grow(this.initialSl, n);
    this.pnl = grow(this.pnl, n);
    this.returnPct = grow(this.returnPct, n);
    this.commission = grow(this.commission, n);
    this.reason = grow(this.reason, n);
    this.acrossGap = grow(this.acrossGap, n);
  }

  /** The trades as objects; `time` gives each bar's open time. */
  toArray(time: ArrayLike<number>): ClosedTrade[] {
    const out = new Array<ClosedTrade>(this.length);
    const orNull = (x: number) => (x === x ? x : null);
    for (let k = 0; k < this.length; k++) {
      const size = this.size[k]!;
      out[k] = {
        id: this.id[k]!,
        side: size > 0 ? "long" : "short",
        size,
        entryBar: this.entryBar[k]!,
        exitBar: this.exitBar[k]!,
        entryTime: time[this.entryBar[k]!]!,
        exitTime: time[this.exitBar[k]!]!,
        entryPrice: this.entryPrice[k]!,
        exitPrice: this.exitPrice[k]!,
        sl: orNull(this.sl[k]!),
        tp: orNull(this.tp[k]!),
        initialSl: orNull(this.initialSl[k]!),
        pnl: this.pnl[k]!,
        returnPct: this.returnPct[k]!,
        commission: this.commission[k]!,
        exitReason: REASONS[this.reason[k]!]!,
        tag: this.tags.get(k) ?? null,
        acrossGap: this.acrossGap[k] === 1,
      };
    }
    return out;
  }
}
