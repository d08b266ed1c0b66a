/**
 * Track record: the ONE implementation of Tradsy's track-record definitions (DESIGN.md, "Track-record
 * definitions"), shared by the stats roll-up, the leaderboard and the profile chart. Pure TypeScript (browser and
 * server); every figure is computed with decimal.js, never JS floats.
 *
 * Numbers in and out. Prices, shares, returns and money are decimal strings. Intermediate results carry 40
 * significant digits (a private Decimal clone, immune to Decimal.set elsewhere); only divisions and square roots
 * round there. Every returned figure is rounded once, at the output edge, half-up (ties away from zero) to 8
 * decimal places and printed with all 8 ("0.09790000"; never "-0.00000000"). Returns, ROI, win rate and
 * drawdown are fractions (0.05 = 5%), not percentages.
 *
 * Signal return. FEE = 0.001 per side on each side's notional. A leg exiting at X from entry E returns
 *   long:  r_i = X/E − 1 − FEE − FEE·X/E
 *   short: r_i = (E − X)/E − FEE − FEE·X/E
 * and a signal returns r = Σ share_i · r_i. Leg shares are fractions of the original size and must sum to
 * exactly 1 (checked in decimal, so 0.7 + 0.2 + 0.1 passes); every leg lies in [openedAt, closedAt].
 * A same-candle stop-and-target arrives here as whatever the lifecycle decided (stop first): one leg at the stop.
 *
 * R multiple. R = r / (|E − initialStop| / E); null when initialStop is null or equals E.
 *
 * Standard account. Opens with INITIAL_EQUITY = 10,000 USD at the window start ("all": the first signal's
 * openedAt). Each signal is allocated ALLOCATION = 10% of the realized equity at its openedAt (compounding; no
 * cap on how many are open at once). Its P&L, allocation · share_i · r_i, is realized at each leg's time.
 * Open positions are NOT marked to market: equity is realized equity only, carried forward between events.
 * - Same instant: an allocation at time t sees P&L realized strictly before t; a mark at t includes all P&L
 *   realized at or before t. (This also keeps a zero-duration signal well defined.)
 * - A signal closed inside a window but opened before its start is allocated from the opening equity, and any
 *   leg realized before the start is realized at the start: the window's account holds the whole signal.
 * - Equity curve points, ascending with one point per distinct time: the opening mark at the start, every leg
 *   time, and every UTC day end (00:00 UTC) in (start, now]. Daily series: the day-end points.
 * - An account driven to zero or below throws (every later ratio would be meaningless).
 *
 * Window. "30d" | "90d" | "1y" (365 days) | "all". A window holds the signals with closedAt in
 * (now − length, now]; "all" holds those with closedAt ≤ now.
 *
 * Statistics of a window's signals (n of them):
 * - ROI = final equity / INITIAL_EQUITY − 1.
 * - Win rate = (signals with r > 0) / n. Expectancy = mean r. Average hold = mean (closedAt − openedAt) in
 *   hours. With n = 0 all three are "0.00000000" (the provider_stats columns are NOT NULL).
 * - Profit factor = Σ positive r / |Σ negative r|, per signal (a losing leg of a winning signal is not a loss);
 *   null when no signal lost.
 * - Average R = mean R over the signals that have one; null when none does.
 * - Max drawdown = max over curve points of (running peak − equity) / running peak, the peak starting at
 *   INITIAL_EQUITY; 0 when never below a peak.
 * - Daily returns r_d = E_d / E_{d−1} − 1 over consecutive day-end points, with E_0 = INITIAL_EQUITY at the
 *   start, so the first (partial) day's P&L counts. P&L realized after the last day end (today, still running)
 *   is in ROI but not yet in the daily returns.
 * - Sharpe = mean(r_d) / sample stdev(r_d, n − 1) · √365. Sortino = mean(r_d) / DD · √365 with
 *   DD = √(mean over all days of min(0, r_d)²). Risk-free 0. Both null with fewer than 2 daily returns or a
 *   zero denominator.
 *
 * Ranking. Ranked when now − trackRecordStart ≥ MIN_TRACK_RECORD_DAYS (30) days, trackRecordStart being the
 * first openedAt over ALL the provider's signals, and the window has ≥ MIN_CLOSED_SIGNALS (20) closed signals.
 * Score = Sharpe · min(1, n / 50): risk-adjusted, never raw ROI, small samples shrunk toward 0; null when not
 * ranked or Sharpe is null.
 */
export {
  ALLOCATION,
  ANNUALISATION_DAYS,
  FEE,
  FULL_WEIGHT_SIGNALS,
  INITIAL_EQUITY,
  MIN_CLOSED_SIGNALS,
  MIN_TRACK_RECORD_DAYS,
  WINDOWS,
} from "./constants";
export { OUTPUT_DECIMAL_PLACES } from "./decimal";
export { rMultiple, signalReturn } from "./signal";
export { equityCurve, windowStart } from "./account";
export { computeAllWindows, computeStats, type StatsOptions } from "./stats";
export type {
  ClosedSignal,
  ClosedSignalLeg,
  DrawdownPoint,
  EquityCurve,
  EquityPoint,
  SignalSide,
  TrackRecordStats,
  TrackRecordWindow,
} from "./types";
