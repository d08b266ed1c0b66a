/**
 * "Similar strategies": how alike two backtested strategy runs are, by what they earned day by day and by what
 * they are.
 *
 * Daily returns (`dailyReturns`): bars are grouped by the UTC calendar day of their open time (floor(time /
 * 86,400,000); the 23:00 hourly bar closes at midnight and so ends its own day); a day's value is
 * the equity at the close of its LAST bar (intraday bars are aggregated by taking the day's closing equity, as
 * backtesting.py resamples equity to days); the day's return is that value over the previous day's value that the
 * run has, minus 1. Days without bars (weekends on stock data, gaps in a recording) have no return; the next day's
 * return spans them.
 *
 * Correlation: Pearson's r of two runs' daily returns over the days both have (aligned by day number). Undefined
 * (null) when fewer than `MIN_COMMON_DAYS` days are shared or either side is constant on them (a strategy that
 * never traded).
 *
 * Feature similarity f ∈ [0, 1] between catalogue entries:
 *   f = 0.4 · J(tags) + 0.2 · J(markets) + 0.2 · J(timeframes) + 0.2 · (1 − |risk_a − risk_b| / 2)
 * J the Jaccard index |A ∩ B| / |A ∪ B|, risk levels numbered low 0, medium 1, high 2.
 *
 * Score: s = 0.6 · (r + 1) / 2 + 0.4 · f when r is defined (r mapped onto [0, 1]), s = 0.4 · f otherwise — an
 * unknown correlation counts as no evidence of likeness, not as neutral, so such runs rank below any run with a
 * defined correlation of the same features and a non-negative r.
 */
import { CATALOGUE, getCurated, RISK_LEVELS, type CuratedStrategy } from "./catalogue";

export const MIN_COMMON_DAYS = 20;
export const SCORE_WEIGHTS = { correlation: 0.6, features: 0.4 } as const;
export const FEATURE_WEIGHTS = { tags: 0.4, markets: 0.2, timeframes: 0.2, risk: 0.2 } as const;

const DAY_MS = 86_400_000;

/** Day number (days since the epoch, UTC) → that day's return. Days in ascending order. */
export function dailyReturns(times: ArrayLike<number>, equity: ArrayLike<number>): Map<number, number> {
  if (times.length !== equity.length) throw new RangeError(`times (${times.length}) and equity (${equity.length}) differ in length`);
  const out = new Map<number, number>();
  let prevValue = NaN;
  let day = NaN;
  let value = NaN;
  const flush = () => {
    if (!Number.isNaN(day)) {
      if (!Number.isNaN(prevValue)) out.set(day, value / prevValue - 1);
      prevValue = value;
    }
  };
  for (let i = 0; i < times.length; i++) {
    const d = Math.floor(times[i]! / DAY_MS);
    if (d !== day) {
      if (d < day) throw new RangeError(`times must ascend (bar ${i})`);
      flush();
      day = d;
    }
    value = equity[i]!;
  }
  flush();
  return out;
}

/** Pearson's r over equal-length arrays (two-pass: means first, then centred sums); null when undefined. */
export function pearson(x: readonly number[], y: readonly number[]): number | null {
  const n = x.length;
  if (n !== y.length) throw new RangeError("pearson: arrays differ in length");
  if (n < 2) return null;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i]!;
    my += y[i]!;
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - mx;
    const dy = y[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return null;
  // Rounding can push |r| a hair past 1 for identical series.
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
}

/** Correlation of two runs' daily returns on the days both have; null with fewer than `minDays` common days. */
export function dailyReturnCorrelation(a: Map<number, number>, b: Map<number, number>, minDays = MIN_COMMON_DAYS): number | null {
  const x: number[] = [];
  const y: number[] = [];
  for (const [day, r] of a) {
    const s = b.get(day);
    if (s !== undefined) {
      x.push(r);
      y.push(s);
    }
  }
  return x.length < minDays ? null : pearson(x, y);
}

function jaccard<T>(a: readonly T[], b: readonly T[]): number {
  const sa = new Set(a);
  const sb = new Set(b);
  let both = 0;
  for (const v of sa) if (sb.has(v)) both++;
  const union = sa.size + sb.size - both;
  return union === 0 ? 1 : both / union;
}

export function featureSimilarity(
  a: Pick<CuratedStrategy, "tags" | "markets" | "timeframes" | "riskLevel">,
  b: Pick<CuratedStrategy, "tags" | "markets" | "timeframes" | "riskLevel">,
): number {
  const w = FEATURE_WEIGHTS;
  const risk = 1 - Math.abs(RISK_LEVELS.indexOf(a.riskLevel) - RISK_LEVELS.indexOf(b.riskLevel)) / 2;
  return w.tags * jaccard(a.tags, b.tags) + w.markets * jaccard(a.markets, b.markets) + w.timeframes * jaccard(a.timeframes, b.timeframes) + w.risk * risk;
}

export function similarityScore(correlation: number | null, features: number): number {
  const w = SCORE_WEIGHTS;
  return (correlation === null ? 0 : w.correlation * ((correlation + 1) / 2)) + w.features * features;
}

/** One backtested run: a catalogue strategy (with some parameters) on some data. `key` tells variants apart. */
export interface StrategyRun {
  key: string;
  strategyId: string;
  /** Bar open times and the equity at each bar's close (an engine result's `equity`). */
  times: ArrayLike<number>;
  equity: ArrayLike<number>;
}

export interface Similar {
  key: string;
  strategyId: string;
  correlation: number | null;
  features: number;
  score: number;
}

/**
 * The other runs ranked by similarity to run `key` (highest score first; ties by key, so the order is
 * deterministic). `key` must be one of `runs`.
 */
export function similarStrategies(key: string, runs: readonly StrategyRun[], catalogue: readonly CuratedStrategy[] = CATALOGUE): Similar[] {
  const self = runs.find((r) => r.key === key);
  if (!self) throw new RangeError(`No run "${key}" among the runs given`);
  const selfEntry = getCurated(self.strategyId, catalogue);
  const selfReturns = dailyReturns(self.times, self.equity);
  return runs
    .filter((r) => r.key !== key)
    .map((r) => {
      const correlation = dailyReturnCorrelation(selfReturns, dailyReturns(r.times, r.equity));
      const features = featureSimilarity(selfEntry, getCurated(r.strategyId, catalogue));
      return { key: r.key, strategyId: r.strategyId, correlation, features, score: similarityScore(correlation, features) };
    })
    .sort((a, b) => b.score - a.score || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
