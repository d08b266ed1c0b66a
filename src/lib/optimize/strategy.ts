/**
 * Optimising a curated strategy (issue 20): its declared parameters as a search space (narrowed by the user), and
 * one trial — a full backtest with the given parameters — scored by the chosen objective. Pure and synchronous: the
 * worker threads (src/server/services/lab/optimize-worker.ts), walk-forward and the tests all call `runTrial`.
 */
import { backtestingPyStats, DEFAULT_CONFIG, Engine, type BarSeries, type EngineConfig } from "@/lib/engine";
import { getCurated, type CuratedStrategy, type StrategyParams } from "@/lib/strategy-library";
import { objectiveValue, type Objective } from "./objective";
import { checkSpace, type Dimension, type ParamSpace, type Params } from "./space";

/** The user's narrowing of one parameter: a range and grid step inside the declared ones. */
export interface ParamRange {
  min: number;
  max: number;
  step: number;
}

/**
 * The space of a curated strategy: its parameters as int dimensions (whole-number step) or float ones, with the
 * given ranges in place of the declared bounds (each checked to lie inside them), and its constraints.
 */
export function curatedSpace(entry: Pick<CuratedStrategy, "id" | "params" | "constraints">, ranges: Partial<Record<string, ParamRange>> = {}): ParamSpace {
  for (const k of Object.keys(ranges)) if (!entry.params.some((p) => p.name === k)) throw new RangeError(`${entry.id} has no parameter "${k}"`);
  const dimensions: Dimension[] = entry.params.map((p) => {
    const r = ranges[p.name] ?? { min: p.min, max: p.max, step: p.step };
    if (!(r.min >= p.min && r.max <= p.max)) throw new RangeError(`${p.name}: the range must lie within ${p.min} to ${p.max}`);
    if (r.min > r.max) throw new RangeError(`${p.name}: the minimum must not exceed the maximum`);
    const whole = Number.isInteger(p.step);
    if (whole && !(Number.isInteger(r.min) && Number.isInteger(r.max) && Number.isInteger(r.step))) {
      throw new RangeError(`${p.name} is a whole number of bars: use whole-number bounds and step`);
    }
    return { name: p.name, kind: whole ? "int" : "float", min: r.min, max: r.max, step: r.step };
  });
  const space: ParamSpace = { dimensions, constraints: entry.constraints ?? [] };
  checkSpace(space);
  return space;
}

/** A trial's figures, kept with it (what the trials table and the heatmap show). */
export interface TrialOutcome {
  value: number | null;
  /** Why the value is null (too few trades, undefined figure). */
  reason: string | null;
  trades: number;
  returnPct: number;
  maxDrawdownPct: number;
  sharpe: number | null;
  winRatePct: number | null;
}

export interface TrialSetup {
  curatedId: string;
  objective: Objective;
  minTrades: number;
  config: Partial<EngineConfig>;
}

/** One backtest of `params` over `series`, scored. Parameters the strategy refuses make the trial infeasible. */
export function runTrial(setup: TrialSetup, params: Params, series: BarSeries): TrialOutcome {
  let engineResult;
  let warmupBars = 0;
  try {
    const strategy = getCurated(setup.curatedId).create(params as StrategyParams);
    warmupBars = strategy.warmupBars ?? 0;
    engineResult = new Engine(strategy, { ...DEFAULT_CONFIG, ...setup.config }, series).run();
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    return { value: null, reason: e.message, trades: 0, returnPct: 0, maxDrawdownPct: 0, sharpe: null, winRatePct: null };
  }
  const stats = backtestingPyStats(engineResult, series, { warmupBars });
  const scored = objectiveValue(stats, setup.objective, setup.minTrades);
  return {
    value: scored.value,
    reason: scored.reason,
    trades: stats.trades,
    returnPct: stats.returnPct,
    maxDrawdownPct: stats.maxDrawdownPct,
    sharpe: stats.sharpe,
    winRatePct: stats.winRatePct,
  };
}
