/**
 * The strategy engine (issue 19): one event-driven core for backtests, paper and live. Fill semantics are
 * documented at the top of ./engine.ts; statistics by backtesting.py's definitions in ./stats.ts.
 */
export {
  BACKTESTING_PY,
  DEFAULT_CONFIG,
  Engine,
  FULL_EQUITY,
  backtestingPy,
  pyFloorDiv,
  type OrderTicket,
  type Strategy,
  type StrategyContext,
} from "./engine";
export { runBacktest, type Backtest } from "./backtest";
export { BarView, LookAheadError, barSeries, checkSeries, toBarSeries } from "./series";
export {
  BACKTESTING_PY_LABEL,
  BACKTESTING_PY_NAMES,
  backtestingPyStats,
  computeBacktestingPyStats,
  type BacktestingPyStats,
  type StatsOptions,
} from "./stats";
export { toClosedSignals } from "./track-record";
export type * from "./types";
