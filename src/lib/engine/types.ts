/** Shapes of the strategy engine: bars, configuration, orders as a strategy places them, trades and the run's result. */

/**
 * One closed candle as numbers. The engine simulates hypothetical fills in float64, as backtesting.py does (its
 * figures are the reference we must reproduce bit for bit); decimal strings come in and go out at the edges
 * (`toBarSeries`, `toClosedSignals`).
 */
export interface Bar {
  /** Open time, ms since epoch (UTC). */
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** Bars column by column: what a backtest runs over without one object per bar. */
export interface BarSeries {
  readonly length: number;
  readonly time: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
}

/**
 * How much an entry order buys or sells.
 * - `fraction`: that fraction of the available margin (equity minus the margin open trades use, times the
 *   leverage), commission included, by backtesting.py's formula.
 * - `quantity`: that many units.
 * - `risk`: as many units as lose that fraction of equity if the order's stop-loss is hit (|fill − stop| per
 *   unit, commission not included), capped at what the available margin buys. Needs `sl` on the order.
 * Quantities are rounded down to `EngineConfig.quantityStep`.
 */
export type SizeSpec = { fraction: number } | { quantity: number } | { risk: number };

/** What a strategy asks for with `buy`/`sell`. Prices are optional; none of `limit`/`stop` makes a market order. */
export interface OrderOptions {
  size?: SizeSpec;
  /** Limit price: buy at or below it, sell at or above it. */
  limit?: number;
  /** Stop price: the order becomes active (a market order, or a limit order when `limit` is set) once traded. */
  stop?: number;
  /** Stop-loss for the trade this order opens (a contingent stop order). */
  sl?: number;
  /** Take-profit for the trade this order opens (a contingent limit order). */
  tp?: number;
  tag?: string;
}

/** An order intent as the risk gate sees it. */
export interface OrderIntent extends OrderOptions {
  side: "long" | "short";
  /** Index of the bar at whose close the intent was made. */
  bar: number;
}

/** What the account looks like to the risk gate when an intent arrives (at the close of `bar`). */
export interface AccountSnapshot {
  bar: number;
  equity: number;
  cash: number;
  /** Signed units held, summed over open trades. */
  positionSize: number;
  openTrades: number;
  pendingOrders: number;
}

export type RiskDecision = { accept: true; intent?: OrderIntent } | { accept: false; reason: string };

/** Decides whether an intent becomes an order; may return an amended intent (a smaller size, a tighter stop). */
export type RiskGate = (intent: OrderIntent, account: AccountSnapshot) => RiskDecision;

export type EndOfData = "leave-open" | "close-at-last-close" | "close-at-last-open";

export interface EngineConfig {
  /** Starting cash. */
  cash: number;
  /**
   * Commission per side, charged on each fill: `fixed + |quantity| × price × relative`. backtesting.py's
   * `commission=.002` is `{ relative: 0.002, fixed: 0 }`, its `(100, .01)` is `{ fixed: 100, relative: 0.01 }`.
   */
  commission: { relative: number; fixed: number };
  /** Adverse slippage in basis points on market and stop fills (entries and exits); limit fills get their price. */
  slippageBps: number;
  /** Margin ratio: 1 is a cash account, 0.02 is 50:1 leverage. */
  margin: number;
  /** Quantities are whole multiples of this; 1 is whole units (backtesting.py), 0 is any fraction. */
  quantityStep: number;
  /** Size of a `buy()`/`sell()` that names none. */
  defaultSize: SizeSpec;
  /** Each new entry cancels pending entries and closes every open trade first (at most one trade at a time). */
  exclusiveOrders: boolean;
  /** Keep long and short trades open side by side; when false an opposite entry first closes trades FIFO. */
  hedging: boolean;
  /** Refuse a new entry intent while this many trades are open (risk gate); Infinity for no limit. */
  maxOpenTrades: number;
  /**
   * What happens to trades still open after the last bar: left open (marked to the last close in equity, not in
   * the trade statistics), closed at the last close, or closed at the last bar's open with pending orders processed
   * there too (backtesting.py's `finalize_trades=True`, which re-runs its broker on the last bar).
   */
  endOfData: EndOfData;
  /**
   * The price open trades are marked at when an order is sized (equity and used margin): the order's own fill
   * price, or the fill bar's close as backtesting.py does (its broker reads the current bar's close while
   * processing that bar's orders: a broker-side look-ahead that only matters when trades stay open across a fill).
   */
  sizingMark: "fill" | "close";
  /**
   * After an entry that fills inside a bar (a stop or limit order), whether that bar can still trigger the new
   * trade's stop-loss ("stop-first", our lifecycle rule: only the stop, never the target, since the candle does not
   * say which came first) or only the next bar ("next-bar", backtesting.py). Either way a take-profit fills in the
   * entry bar only after a stop-market entry whose stop-loss the bar did not touch (unambiguous: backtesting.py's
   * rule). A market entry fills at the open, so its whole bar comes after it: stop and target both count, stop first.
   */
  intrabarEntryExits: "stop-first" | "next-bar";
  /**
   * Expected time between bars, for gap detection (3,600,000 for hourly). null: no gap detection (daily stock data,
   * where weekends and holidays are not gaps).
   */
  intervalMs: number | null;
  /**
   * Entry orders pending when a gap occurs: filled at the first bar after it ("fill-after", what an exchange does
   * with an order resting through an outage) or cancelled ("cancel-entries"). Exits always fill after the gap.
   */
  gapPolicy: "fill-after" | "cancel-entries";
  riskGate: RiskGate | null;
}

export type ExitReason = "close" | "stop" | "target" | "reversal" | "end" | "out-of-money";

export interface ClosedTrade {
  id: number;
  side: "long" | "short";
  /** Signed units: negative for a short. */
  size: number;
  entryBar: number;
  exitBar: number;
  entryTime: number;
  exitTime: number;
  entryPrice: number;
  exitPrice: number;
  /** Stop-loss and take-profit when the trade closed (none on a part closed off a larger trade). */
  sl: number | null;
  tp: number | null;
  /** The stop-loss the trade opened with (the risk its R multiple is measured against). */
  initialSl: number | null;
  /** size × (exit − entry) − both commissions (backtesting.py's `Trade.pl`). */
  pnl: number;
  /** ±(exit / entry − 1) − commissions / (|size| × entry), a fraction (backtesting.py's `Trade.pl_pct`). */
  returnPct: number;
  /** Entry and exit commission of this (part of a) trade. */
  commission: number;
  exitReason: ExitReason;
  tag: string | null;
  /** The entry or exit order was placed before a gap in the data and filled at the first bar after it. */
  acrossGap: boolean;
}

export interface OpenTrade {
  id: number;
  side: "long" | "short";
  size: number;
  entryBar: number;
  entryTime: number;
  entryPrice: number;
  sl: number | null;
  tp: number | null;
  tag: string | null;
}

export interface Rejection {
  bar: number;
  side: "long" | "short";
  reason: string;
}

/** A hole in the data: bars missing between `index − 1` and `index`. */
export interface Gap {
  /** Index of the first bar after the gap. */
  index: number;
  /** Open time of the last bar before the gap and of the first after it. */
  from: number;
  to: number;
  /** Whole bars missing (at `intervalMs`). */
  missingBars: number;
}

export interface EngineResult {
  /** Equity at each bar's close (cash plus open trades marked at the close). */
  equity: Float64Array;
  /** Closed trades in closing order (built from the engine's typed-array log on first read). */
  readonly trades: ClosedTrade[];
  /** How many trades closed (without building the objects). */
  tradeCount: number;
  /** Trades still open after the last bar (only with `endOfData: "leave-open"`). */
  openTrades: OpenTrade[];
  /** Intents the risk gate refused and orders the broker cancelled (insufficient margin). */
  rejections: Rejection[];
  gaps: Gap[];
  /** Orders placed before a gap that filled after it. */
  filledAcrossGaps: number;
  /** Every commission charged, including the entry commission of trades still open. */
  commissionsPaid: number;
  cash: number;
  /** Equity fell to zero: the run stopped at `stoppedAt` and every later bar's equity is 0. */
  outOfMoney: boolean;
  stoppedAt: number | null;
  /** Bars processed. */
  bars: number;
}
