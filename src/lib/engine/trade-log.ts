/**
 * The closed-trade log, column by column in typed arrays. Recording a trade writes nine numbers and allocates
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
  id: Int32Array;
  size: Float64Array;
  entryBar: Int32Array;
  exitBar: Int32Array;
  entryPrice: Float64Array;
  exitPrice: Float64Array;
  commission: Float64Array;
  reason: Uint8Array;
  acrossGap: Uint8Array;
  /**
   * `capacity`: rows before the first growth. A backtest passes an estimate from its length (a run rarely trades
   * more than once every 16 bars), so a long run allocates its columns once instead of growing them.
   */
  constructor(capacity = INITIAL) {
    const n = Math.max(16, Math.ceil(capacity));
    this.id = new Int32Array(n);
    this.size = new Float64Array(n);
    this.entryBar = new Int32Array(n);
    this.exitBar = new Int32Array(n);
    this.entryPrice = new Float64Array(n);
    this.exitPrice = new Float64Array(n);
    this.commission = new Float64Array(n);
    this.reason = new Uint8Array(n);
    this.acrossGap = new Uint8Array(n);
  }

  /** By row, only for the trades that have them (most have none): stop-loss, take-profit, initial stop, tag. */
  readonly sl = new Map<number, number>();
  readonly tp = new Map<number, number>();
  readonly initialSl = new Map<number, number>();
  readonly tags = new Map<number, string>();

  /**
   * A new row with its whole-number fields set; the caller writes the prices and money into the columns at the
   * returned index (passing doubles as arguments would box each one when the call is not inlined).
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
    this.commission = grow(this.commission, n);
    this.reason = grow(this.reason, n);
    this.acrossGap = grow(this.acrossGap, n);
  }

  /**
   * The trades as objects; `time` gives each bar's open time. P&L and return are computed here, with the very
   * operations backtesting.py's Trade.pl and Trade.pl_pct use, so they come out bit for bit as if computed at the
   * close.
   */
  toArray(time: ArrayLike<number>): ClosedTrade[] {
    const out = new Array<ClosedTrade>(this.length);
    for (let k = 0; k < this.length; k++) {
      const size = this.size[k]!;
      const entry = this.entryPrice[k]!;
      const exit = this.exitPrice[k]!;
      const commission = this.commission[k]!;
      out[k] = {
        id: this.id[k]!,
        side: size > 0 ? "long" : "short",
        size,
        entryBar: this.entryBar[k]!,
        exitBar: this.exitBar[k]!,
        entryTime: time[this.entryBar[k]!]!,
        exitTime: time[this.exitBar[k]!]!,
        entryPrice: entry,
        exitPrice: exit,
        sl: this.sl.get(k) ?? null,
        tp: this.tp.get(k) ?? null,
        initialSl: this.initialSl.get(k) ?? null,
        pnl: size * (exit - entry) - commission,
        returnPct: Math.sign(size) * (exit / entry - 1) - commission / (Math.abs(size) * entry),
        commission,
        exitReason: REASONS[this.reason[k]!]!,
        tag: this.tags.get(k) ?? null,
        acrossGap: this.acrossGap[k] === 1,
      };
    }
    return out;
  }
}
