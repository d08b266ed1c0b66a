/**
 * Backtesting a curated strategy: the engine's result and backtesting.py-definition statistics, with the resolved
 * parameters, so the "stored backtest" step can persist exactly what ran.
 */
import { DEFAULT_CONFIG, runBacktest, toBarSeries, type Backtest, type Bar, type BarSeries, type EngineConfig } from "@/lib/engine";
import type { Candle } from "@/lib/market-data/types";
import { CATALOGUE, getCurated, resolveParams, type CuratedStrategy, type StrategyParams } from "./catalogue";

/**
 * The library's default engine settings: 10,000 cash, 0.1% commission per side (a typical spot-exchange taker fee),
 * whole equity per trade in fractional units (quantityStep 0: whole-unit sizing as backtesting.py does would leave
 * a 10,000 account unable to buy one BTC), everything else the engine's defaults (market orders at the next open,
 * open trades closed at the last close so every trade counts in the statistics).
 */
export const LIBRARY_CONFIG: Readonly<Partial<EngineConfig>> = Object.freeze({
  cash: 10_000,
  commission: { relative: 0.001, fixed: 0 },
  quantityStep: 0,
  defaultSize: { fraction: 1 },
});

export interface CuratedBacktest extends Backtest {
  strategyId: string;
  params: StrategyParams;
  config: EngineConfig;
}

export function backtestCurated(
  id: string,
  params: Partial<StrategyParams> | undefined,
  candles: BarSeries | readonly (Bar | Candle)[],
  config: Partial<EngineConfig> = {},
  catalogue: readonly CuratedStrategy[] = CATALOGUE,
): CuratedBacktest {
  const entry = getCurated(id, catalogue);
  const resolved = resolveParams(entry, params);
  const series = isBarSeries(candles) ? candles : toBarSeries(candles);
  const full: EngineConfig = { ...DEFAULT_CONFIG, ...LIBRARY_CONFIG, ...config };
  const { result, stats } = runBacktest(entry.create(resolved), series, full);
  return { strategyId: id, params: resolved, config: full, result, stats };
}

function isBarSeries(x: BarSeries | readonly (Bar | Candle)[]): x is BarSeries {
  return !Array.isArray(x);
}
