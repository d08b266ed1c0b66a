/** Shapes the track-record components take (plain data, so server pages can pass them to client components). */
import type { StatsWindowKey } from "./format";

/** One window's row of provider_stats: decimal strings, fractions not percentages. */
export interface WindowStats {
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
  score: string | null;
  ranked: boolean;
  firstSignalAt: Date | null;
}

export type StatsByWindow = Partial<Record<StatsWindowKey, WindowStats>>;

/** A signal as the track-record components show it: the subset of the signals API's full view they read. */
export interface SignalLevels {
  number: number;
  symbol: string;
  side: "long" | "short";
  entryType: "market" | "limit";
  entryPrice: string;
  stopLoss: string | null;
  initialStop: string | null;
  takeProfits: { price: string; share: string }[];
  note: string;
  status: "pending" | "open" | "closed" | "cancelled" | "expired";
  publishedAt: Date;
  filledAt: Date | null;
  fillPrice: string | null;
  remaining: string;
  closedAt: Date | null;
  exitPrice: string | null;
  exitReason: string | null;
  resultPct: string | null;
  resultR: string | null;
  hash: string;
}

/** An open signal seen by someone not entitled to its levels. */
export interface HiddenSignal {
  number: number;
  status: "pending" | "open";
  publishedAt: Date;
  hash: string;
}

export type ShownSignal = ({ visibility: "full" } & SignalLevels) | ({ visibility: "hidden" } & HiddenSignal);
