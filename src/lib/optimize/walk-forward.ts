/**
 * Walk-forward validation (issue 20): optimise on a training window, trade the best parameters on the window that
 * follows, move on, and judge the strategy by the out-of-sample windows stitched together — the figures a backtest
 * optimised on all the data cannot give.
 *
 * Windows (bar indices, [start, end)): `rolling` slides a training window of `trainBars` and a test window of
 * `testBars` forward by `testBars` at a time; `anchored` keeps every training window starting at bar 0 and growing.
 * Either way the test windows are back to back, and only whole test windows are used.
 *
 * Each test run starts `warmupBars` bars (the strategy's own, for the chosen parameters) before its window, so its
 * indicators are ready at the window's first bar; the strategy cannot trade during that warm-up, so the equity is
 * flat there and every trade opens inside the window. Out-of-sample figures are backtesting.py's (src/lib/engine/
 * stats.ts) over the window's bars.
 *
 * Stitching: the windows' equity curves are chained — each window starts with the equity the previous one ended
 * with (its curve, trades' sizes, P&L and commissions scaled by that ratio) — and the statistics are computed over
 * the chained curve and trades, as if one account had traded each window's parameters in turn.
 *
 * In-sample vs out-of-sample: per window, the objective of the best training trial (in-sample) and the same
 * objective over the test window (out-of-sample, no minimum-trades rule: a short window may trade little).
 * Walk-forward efficiency = mean out-of-sample objective / mean in-sample objective (Pardo, "The Evaluation and
 * Optimization of Trading Strategies", 2008). OVERFITTING WARNING when any of:
 *   - the efficiency is below 50% (with a positive in-sample mean): out of sample keeps less than half of what the
 *     optimiser found;
 *   - the stitched out-of-sample return is not positive while the in-sample mean objective is;
 *   - fewer than half of the test windows made money.
 */
import { computeBacktestingPyStats, DEFAULT_CONFIG, Engine, type BarSeries, type BacktestingPyStats, type ClosedTrade } from "@/lib/engine";
import { downsampleEquity, MAX_EQUITY_POINTS, type EquityPoint } from "@/lib/lab/job";
import { getCurated, type StrategyParams } from "@/lib/strategy-library";
import { OBJECTIVE_LABELS, objectiveValue } from "./objective";
import { BayesianSearch, GridSearch, type Search } from "./search";
import type { ParamSpace, Params } from "./space";
import { runTrial, type TrialOutcome, type TrialSetup } from "./strategy";

export interface WalkForwardWindows {
  mode: "rolling" | "anchored";
  trainBars: number;
  testBars: number;
}

export interface WindowSpan {
  index: number;
  trainStart: number;
  trainEnd: number;
  testStart: number;
  testEnd: number;
}

export type WindowSearch = { method: "grid" } | { method: "bayes"; trials: number; seed: number };

export interface WalkForwardInput {
  setup: TrialSetup;
  space: ParamSpace;
  search: WindowSearch;
  series: BarSeries;
  windows: WalkForwardWindows;
}

export type OutOfSampleFigures = Pick<BacktestingPyStats, "returnPct" | "maxDrawdownPct" | "sharpe" | "sortino" | "trades" | "winRatePct" | "profitFactor" | "sqn">;

export interface WindowResult {
  span: WindowSpan;
  /** Times of the windows' first bars (ms), for display. */
  trainFrom: number;
  testFrom: number;
  testTo: number;
  /** The best training parameters; null when no training trial was feasible (the window is then not traded). */
  params: Params | null;
  trials: number;
  inSample: TrialOutcome | null;
  outOfSample: OutOfSampleFigures | null;
  /** The objective over the test window. */
  outOfSampleValue: number | null;
}

export interface WalkForwardResult {
  windows: WindowResult[];
  stitched: OutOfSampleFigures;
  /** The stitched out-of-sample equity and its drawdown (at most MAX_EQUITY_POINTS points). */
  equity: EquityPoint[];
  inSampleMean: number | null;
  outOfSampleMean: number | null;
  /** outOfSampleMean / inSampleMean; null when the in-sample mean is not positive. */
  efficiency: number | null;
  profitableWindows: number;
  warning: string | null;
}

/** Efficiency below this warns of overfitting (see the header). */
export const MIN_EFFICIENCY = 0.5;

export function walkForwardWindows(bars: number, w: WalkForwardWindows): WindowSpan[] {
  if (!Number.isInteger(w.trainBars) || w.trainBars < 50) throw new RangeError("Training windows need at least 50 bars");
  if (!Number.isInteger(w.testBars) || w.testBars < 10) throw new RangeError("Test windows need at least 10 bars");
  const out: WindowSpan[] = [];
  for (let testStart = w.trainBars; testStart + w.testBars <= bars; testStart += w.testBars) {
    const trainStart = w.mode === "anchored" ? 0 : testStart - w.trainBars;
    out.push({ index: out.length, trainStart, trainEnd: testStart, testStart, testEnd: testStart + w.testBars });
  }
  if (out.length === 0) {
    throw new RangeError(`${bars} bars hold no window of ${w.trainBars} training and ${w.testBars} test bars: use shorter windows or more data`);
  }
  return out;
}

/** Columns [from, to) of a series, as views (nothing copied). */
export function sliceSeries(s: BarSeries, from: number, to: number): BarSeries {
  return {
    length: to - from,
    time: s.time.subarray(from, to),
    open: s.open.subarray(from, to),
    high: s.high.subarray(from, to),
    low: s.low.subarray(from, to),
    close: s.close.subarray(from, to),
    volume: s.volume.subarray(from, to),
  };
}

function newSearch(space: ParamSpace, s: WindowSearch, window: number): { search: Search; budget: number } {
  return s.method === "grid" ? { search: new GridSearch(space), budget: Infinity } : { search: new BayesianSearch(space, { seed: s.seed + window }), budget: s.trials };
}

/** Optimises one training window: every trial run here, in order. */
export function optimiseWindow(input: Pick<WalkForwardInput, "setup" | "space" | "search">, train: BarSeries, window = 0): { params: Params | null; outcome: TrialOutcome | null; trials: number } {
  const { search, budget } = newSearch(input.space, input.search, window);
  let best: { params: Params; outcome: TrialOutcome } | null = null;
  let trials = 0;
  for (; trials < budget; trials++) {
    const params = search.ask();
    if (!params) break;
    const outcome = runTrial(input.setup, params, train);
    search.tell(params, outcome.value);
    if (outcome.value !== null && (best === null || outcome.value > best.outcome.value!)) best = { params, outcome };
  }
  return { params: best?.params ?? null, outcome: best?.outcome ?? null, trials };
}

interface TestRun {
  equity: Float64Array;
  trades: ClosedTrade[];
}

/** The best parameters over one test window, warmed up on the bars before it (see the header). */
function runTestWindow(input: WalkForwardInput, params: Params, span: WindowSpan): TestRun {
  const strategy = getCurated(input.setup.curatedId).create(params as StrategyParams);
  const from = Math.max(0, span.testStart - (strategy.warmupBars ?? 0));
  const offset = span.testStart - from;
  const result = new Engine(strategy, { ...DEFAULT_CONFIG, ...input.setup.config }, sliceSeries(input.series, from, span.testEnd)).run();
  const trades = result.trades.map((t) => ({ ...t, entryBar: t.entryBar - offset, exitBar: t.exitBar - offset }));
  if (trades.some((t) => t.entryBar < 0)) throw new Error(`A trade opened during the warm-up of test window ${span.index + 1}`);
  return { equity: result.equity.slice(offset), trades };
}

function figures(s: BacktestingPyStats): OutOfSampleFigures {
  return {
    returnPct: s.returnPct,
    maxDrawdownPct: s.maxDrawdownPct,
    sharpe: s.sharpe,
    sortino: s.sortino,
    trades: s.trades,
    winRatePct: s.winRatePct,
    profitFactor: s.profitFactor,
    sqn: s.sqn,
  };
}

const meanOf = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

export function runWalkForward(input: WalkForwardInput, onWindow?: (w: WindowResult, done: number, total: number) => void): WalkForwardResult {
  const { series } = input;
  const spans = walkForwardWindows(series.length, input.windows);
  const cash = { ...DEFAULT_CONFIG, ...input.setup.config }.cash;
  const first = spans[0]!.testStart;
  const last = spans[spans.length - 1]!.testEnd;
  const stitchedEquity = new Float64Array(last - first);
  const stitchedTrades: ClosedTrade[] = [];
  let running = cash;
  const windows: WindowResult[] = [];

  for (const span of spans) {
    const opt = optimiseWindow(input, sliceSeries(series, span.trainStart, span.trainEnd), span.index);
    const base = span.testStart - first;
    const n = span.testEnd - span.testStart;
    let outOfSample: OutOfSampleFigures | null = null;
    let outOfSampleValue: number | null = null;
    if (opt.params) {
      const run = runTestWindow(input, opt.params, span);
      const stats = computeBacktestingPyStats({
        trades: run.trades,
        equity: run.equity,
        time: series.time.subarray(span.testStart, span.testEnd),
        close: series.close.subarray(span.testStart, span.testEnd),
      });
      outOfSample = figures(stats);
      outOfSampleValue = objectiveValue(stats, input.setup.objective, 0).value;
      const scale = running / cash;
      for (let k = 0; k < n; k++) stitchedEquity[base + k] = run.equity[k]! * scale;
      for (const t of run.trades) {
        stitchedTrades.push({ ...t, entryBar: t.entryBar + base, exitBar: t.exitBar + base, size: t.size * scale, pnl: t.pnl * scale, commission: t.commission * scale });
      }
      running = stitchedEquity[base + n - 1]!;
    } else {
      // Nothing feasible to trade: the account sits in cash through the window.
      stitchedEquity.fill(running, base, base + n);
    }
    const w: WindowResult = {
      span,
      trainFrom: series.time[span.trainStart]!,
      testFrom: series.time[span.testStart]!,
      testTo: series.time[span.testEnd - 1]!,
      params: opt.params,
      trials: opt.trials,
      inSample: opt.outcome,
      outOfSample,
      outOfSampleValue,
    };
    windows.push(w);
    onWindow?.(w, windows.length, spans.length);
  }

  const stitched = figures(
    computeBacktestingPyStats({ trades: stitchedTrades, equity: stitchedEquity, time: series.time.subarray(first, last), close: series.close.subarray(first, last) }),
  );
  const paired = windows.filter((w) => w.inSample?.value != null && w.outOfSampleValue !== null);
  const inSampleMean = meanOf(paired.map((w) => w.inSample!.value!));
  const outOfSampleMean = meanOf(paired.map((w) => w.outOfSampleValue!));
  const efficiency = inSampleMean !== null && outOfSampleMean !== null && inSampleMean > 0 ? outOfSampleMean / inSampleMean : null;
  const profitableWindows = windows.filter((w) => (w.outOfSample?.returnPct ?? 0) > 0).length;

  const reasons: string[] = [];
  if (efficiency !== null && efficiency < MIN_EFFICIENCY) {
    reasons.push(`out of sample kept ${(efficiency * 100).toFixed(0)}% of the in-sample ${OBJECTIVE_LABELS[input.setup.objective]} (below ${MIN_EFFICIENCY * 100}%)`);
  }
  if (inSampleMean !== null && inSampleMean > 0 && stitched.returnPct <= 0) reasons.push(`the stitched out-of-sample return is ${stitched.returnPct.toFixed(2)}%`);
  if (profitableWindows * 2 < windows.length) reasons.push(`only ${profitableWindows} of ${windows.length} test windows made money`);
  const warning = reasons.length ? `Likely overfitted: ${reasons.join("; ")}.` : null;

  return {
    windows,
    stitched,
    equity: downsampleEquity(series.time.subarray(first, last), stitchedEquity, MAX_EQUITY_POINTS),
    inSampleMean,
    outOfSampleMean,
    efficiency,
    profitableWindows,
    warning,
  };
}
