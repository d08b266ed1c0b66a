/** Input and output shapes of the track-record module. Prices, returns and money are decimal strings. */
import type { WINDOWS } from "./constants";

export type SignalSide = "long" | "short";
export type TrackRecordWindow = (typeof WINDOWS)[number];

export interface ClosedSignalLeg {
  /** Exit fill price. */
  price: string;
  /** Fraction of the original size closed by this leg; a signal's legs sum to exactly 1. */
  share: string;
  at: Date;
}

export interface ClosedSignal {
  id: string;
  side: SignalSide;
  /** Entry fill price. */
  entryPrice: string;
  initialStop: string | null;
  /** Fill time. */
  openedAt: Date;
  closedAt: Date;
  legs: readonly ClosedSignalLeg[];
}

export interface EquityPoint {
  time: Date;
  equity: string;
}

export interface DrawdownPoint {
  time: Date;
  /** Fall from the running peak as a fraction of that peak: "0.05000000" is 5% below the peak. */
  drawdown: string;
}

export interface EquityCurve {
  /** When the standard account opens with INITIAL_EQUITY. */
  start: Date;
  /** Ascending, one per distinct time: the opening mark, every UTC day end and every realized leg. */
  points: EquityPoint[];
  /** Equity at each UTC day end (00:00 UTC) in (start, now]. */
  daily: EquityPoint[];
  /** Drawdown at each of `points`. */
  drawdown: DrawdownPoint[];
  finalEquity: string;
  maxDrawdown: string;
}

export interface TrackRecordStats {
  window: TrackRecordWindow;
  closedSignals: number;
  wins: number;
  roi: string;
  winRate: string;
  profitFactor: string | null;
  maxDrawdown: string;
  sharpe: string | null;
  sortino: string | null;
  expectancy: string;
  avgR: string | null;
  avgHoldHours: string;
  /** Earliest openedAt among the window's signals (for "all", the account's start); null when none. */
  firstSignalAt: Date | null;
  score: string | null;
  ranked: boolean;
}
