/**
 * Plain-language definitions of the track-record figures, as implemented in src/lib/stats (DESIGN.md, "Track-record
 * definitions"). Shown as tooltips on the profile and in full in its "How the figures are calculated" section.
 * Keep in step with the header of src/lib/stats/index.ts.
 */
import Decimal from "decimal.js";
import { ALLOCATION, FEE, INITIAL_EQUITY, MIN_CLOSED_SIGNALS, MIN_TRACK_RECORD_DAYS } from "@/lib/stats/constants";
import { formatCount } from "@/lib/format/numbers";

const pct = (fraction: string) => `${new Decimal(fraction).times(100).toString()}%`;
const usd = (amount: string) => `$${formatCount(new Decimal(amount).toNumber())}`;

export type MetricKey =
  | "roi"
  | "winRate"
  | "maxDrawdown"
  | "sharpe"
  | "sortino"
  | "profitFactor"
  | "expectancy"
  | "avgR"
  | "avgHold"
  | "closedSignals"
  | "score";

export const METRIC_LABEL: Record<MetricKey, string> = {
  roi: "ROI",
  winRate: "Win rate",
  maxDrawdown: "Max drawdown",
  sharpe: "Sharpe ratio",
  sortino: "Sortino ratio",
  profitFactor: "Profit factor",
  expectancy: "Expectancy",
  avgR: "Average R",
  avgHold: "Average hold",
  closedSignals: "Closed signals",
  score: "Ranking score",
};

export const METRIC_DEFINITION: Record<MetricKey, string> = {
  roi: `Return of the standard account over the window: final equity ÷ ${usd(INITIAL_EQUITY)} − 1.`,
  winRate: "Share of closed signals whose return after fees is above zero.",
  maxDrawdown: "Largest fall of the standard account's equity from a running peak to a later low, as a share of that peak.",
  sharpe: "Mean daily return of the standard account ÷ its standard deviation, annualised with √365; risk-free rate 0.",
  sortino: "Like Sharpe, but divides by downside deviation only, so gains do not count as risk. Annualised with √365.",
  profitFactor: "Sum of winning signals' returns ÷ the absolute sum of losing signals' returns. Above 1 means gains outweigh losses.",
  expectancy: "Mean return per closed signal after fees: what one signal has earned on average.",
  avgR: "Mean R multiple: each signal's return divided by the distance from entry to its initial stop-loss.",
  avgHold: "Mean time from a signal's fill to its final close.",
  closedSignals: "Signals whose final close falls inside the window. Open, cancelled and expired signals are not counted.",
  score: `Risk-adjusted ranking score: Sharpe × min(1, closed signals ÷ 50), so small samples count for less. Raw ROI is never used to rank.`,
};

/** The longer notes for the definitions section. */
export const METHOD_NOTES: { term: string; text: string }[] = [
  {
    term: "Signal return",
    text: `Long: (exit − entry) ÷ entry; short: (entry − exit) ÷ entry, after a ${pct(FEE)} fee on each side. Partial closes weight each exit by the share of the position it closed.`,
  },
  {
    term: "Standard account",
    text: `Every provider is measured on the same account: it opens with ${usd(INITIAL_EQUITY)}, each signal is allocated ${pct(ALLOCATION)} of the equity at its fill (compounding), and P&L is booked when a signal's exits fill. Equity is marked at each close and at each UTC day end.`,
  },
  {
    term: "Windows",
    text: "30 days, 90 days and 1 year count the signals that closed within that many days before now, on an account opened at the window's start. All time starts at the provider's first signal.",
  },
  {
    term: "Ranking",
    text: `A provider is ranked once the track record is ${MIN_TRACK_RECORD_DAYS} days old and the window holds ${MIN_CLOSED_SIGNALS} closed signals. Rank follows the risk-adjusted score, never raw ROI: a lucky streak with deep drawdowns ranks below a steadier record.`,
  },
  {
    term: "Source of the figures",
    text: "Every figure is computed by the platform from the provider's hash-chained signals and the recorded prices at which they filled and closed. Providers cannot enter or edit results.",
  },
];
