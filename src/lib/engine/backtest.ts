/** A backtest: the engine run over a whole series, with backtesting.py's statistics of the run. */
import { Engine, type Strategy } from "./engine";
import { backtestingPyStats, type BacktestingPyStats } from "./stats";
import type { BarSeries, EngineConfig, EngineResult } from "./types";

export interface Backtest {
  result: EngineResult;
  stats: BacktestingPyStats;
}

export function runBacktest(strategy: Strategy, series: BarSeries, config: Partial<EngineConfig> = {}, options: { riskFreeRate?: number } = {}): Backtest {
  if (series.length === 0) throw new RangeError("A backtest needs at least one bar");
  const result = new Engine(strategy, config, series).run();
  const stats = backtestingPyStats(result, series, { warmupBars: strategy.warmupBars ?? 0, riskFreeRate: options.riskFreeRate });
  return { result, stats };
}
