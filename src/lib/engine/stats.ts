/**
 * Backtest statistics by backtesting.py's definitions (backtesting/_stats.py `compute_stats`, kernc/backtesting.py
 * @ 9c2b8e1), labelled as such: they are shown next to Tradsy's own track-record definitions (src/lib/stats), which
 * differ on purpose (per-signal returns with a fixed fee and a 10% allocation, Sharpe from arithmetic daily means).
 *
 * Definitions (percentages are percent, as backtesting.py prints them; returns of trades are fractions inside):
 * - Return = (final − initial equity) / initial. Buy & hold = close[last] / close[warm-up bar] − 1 (the first bar
 *   where the strategy's indicators all have values).
 * - Exposure time = share of bars inside some closed trade (entry bar to exit bar inclusive; trades still open at
 *   the end do not count).
 * - Daily returns: the equity's last value per calendar day (UTC; per week / month-end / year-end when the data is
 *   weekly, monthly or yearly), percent change between consecutive ones. Periods per year: 252, or 365 when more
 *   than 60% of 2/7 of the bars fall on weekends (crypto), 52, 12 or 1 for weekly, monthly, yearly data.
 * - Ann. return = (1 + g)^N − 1, g the geometric mean daily return. Ann. volatility =
 *   √((var + (1 + g)²)^N − (1 + g)^(2N)), var the sample variance of daily returns. Sharpe = (ann. return − rf) /
 *   ann. volatility. Sortino = (ann. return − rf) / (√mean(min(r, 0)²) · √N). Calmar = ann. return / max drawdown.
 *   CAGR = (final / initial)^(1 / years) − 1, years = duration / 365.25 days. Risk-free rate 0 unless given.
 * - Drawdown = 1 − equity / running peak. Drawdown periods run from a bar at the peak to the next bar at a peak (or
 *   the last bar); their duration is the time between those bars; Avg. drawdown is the mean of the periods' deepest
 *   points. Durations are rounded up to the data's resolution (a day for daily data).
 * - Per trade: return = ±(exit / entry − 1) − commissions / (|size| × entry); P&L = size × (exit − entry) −
 *   commissions. Win rate = P&L > 0. Avg. trade = geometric mean of returns. Profit factor = Σ positive returns /
 *   |Σ negative returns| (returns, not P&L). Expectancy = mean return. SQN = √n · mean P&L / stdev P&L. Kelly =
 *   win rate − (1 − win rate) / (mean winning P&L / mean losing |P&L|).
 * - Beta = cov(equity log returns, close log returns) / var(close log returns) per bar; Alpha = return − β · buy &
 *   hold.
 * Sums are numpy's pairwise sums and means and variances pandas' (two-pass), so figures agree with backtesting.py's
 * to within a few units in the last place. A figure backtesting.py gives as NaN is null here.
 */
import type { BarSeries, ClosedTrade, EngineResult } from "./types";

export const BACKTESTING_PY_LABEL = "backtesting.py definitions";

export interface BacktestingPyStats {
  label: typeof BACKTESTING_PY_LABEL;
  start: number;
  end: number;
  durationMs: number;
  exposureTimePct: number;
  equityFinal: number;
  equityPeak: number;
  commissions: number;
  returnPct: number;
  buyHoldReturnPct: number;
  returnAnnPct: number | null;
  volatilityAnnPct: number | null;
  cagrPct: number | null;
  sharpe: number | null;
  sortino: number | null;
  calmar: number | null;
  alphaPct: number | null;
  beta: number | null;
  /** Negative, as backtesting.py prints it: −33.9 is a 33.9% fall from the peak. */
  maxDrawdownPct: number;
  avgDrawdownPct: number | null;
  maxDrawdownDurationMs: number | null;
  avgDrawdownDurationMs: number | null;
  trades: number;
  winRatePct: number | null;
  bestTradePct: number | null;
  worstTradePct: number | null;
  avgTradePct: number | null;
  maxTradeDurationMs: number | null;
  avgTradeDurationMs: number | null;
  profitFactor: number | null;
  expectancyPct: number | null;
  sqn: number | null;
  kellyCriterion: number | null;
}

/** backtesting.py's printed names, for tables that show these figures beside ours. */
export const BACKTESTING_PY_NAMES: Readonly<Record<Exclude<keyof BacktestingPyStats, "label">, string>> = {
  start: "Start",
  end: "End",
  durationMs: "Duration",
  exposureTimePct: "Exposure Time [%]",
  equityFinal: "Equity Final [$]",
  equityPeak: "Equity Peak [$]",
  commissions: "Commissions [$]",
  returnPct: "Return [%]",
  buyHoldReturnPct: "Buy & Hold Return [%]",
  returnAnnPct: "Return (Ann.) [%]",
  volatilityAnnPct: "Volatility (Ann.) [%]",
  cagrPct: "CAGR [%]",
  sharpe: "Sharpe Ratio",
  sortino: "Sortino Ratio",
  calmar: "Calmar Ratio",
  alphaPct: "Alpha [%]",
  beta: "Beta",
  maxDrawdownPct: "Max. Drawdown [%]",
  avgDrawdownPct: "Avg. Drawdown [%]",
  maxDrawdownDurationMs: "Max. Drawdown Duration",
  avgDrawdownDurationMs: "Avg. Drawdown Duration",
  trades: "# Trades",
  winRatePct: "Win Rate [%]",
  bestTradePct: "Best Trade [%]",
  worstTradePct: "Worst Trade [%]",
  avgTradePct: "Avg. Trade [%]",
  maxTradeDurationMs: "Max. Trade Duration",
  avgTradeDurationMs: "Avg. Trade Duration",
  profitFactor: "Profit Factor",
  expectancyPct: "Expectancy [%]",
  sqn: "SQN",
  kellyCriterion: "Kelly Criterion",
};

export interface StatsOptions {
  /** The strategy's warm-up (`Strategy.warmupBars`): where buy & hold starts. */
  warmupBars?: number;
  riskFreeRate?: number;
}

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;

/**
 * numpy's sum of a float64 array: pairwise summation (numpy/core/src/umath/loops_utils.h `pairwise_sum`, blocks of
 * 128 with eight accumulators) over chunks of 8,192 (the ufunc buffer), the chunks added in order. Checked equal
 * bit for bit to numpy 1.24's `a.sum()` for lengths 5 to 100,000.
 */
export function pairwiseSum(a: ArrayLike<number>): number {
  const n = a.length;
  let s = pairwise(a, 0, Math.min(n, 8192));
  for (let from = 8192; from < n; from += 8192) s += pairwise(a, from, Math.min(8192, n - from));
  return s;
}

function pairwise(a: ArrayLike<number>, from: number, n: number): number {
  if (n < 8) {
    let res = 0;
    for (let k = 0; k < n; k++) res += a[from + k]!;
    return res;
  }
  if (n <= 128) {
    const r = [a[from]!, a[from + 1]!, a[from + 2]!, a[from + 3]!, a[from + 4]!, a[from + 5]!, a[from + 6]!, a[from + 7]!];
    let k = 8;
    for (; k < n - (n % 8); k += 8) for (let j = 0; j < 8; j++) r[j]! += a[from + k + j]!;
    let res = r[0]! + r[1]! + (r[2]! + r[3]!) + (r[4]! + r[5]! + (r[6]! + r[7]!));
    for (; k < n; k++) res += a[from + k]!;
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwise(a, from, n2) + pairwise(a, from + n2, n - n2);
}

/**
 * Per-bar working arrays, reused from call to call (the function is synchronous, so one call uses them at a time):
 * an optimisation computes these statistics for hundreds of runs in a row, and fresh megabyte arrays for each made
 * worker threads contend for the allocator (two workers ran 1.3× one, not 2×; measured by bench/optimize.ts).
 */
const scratchF64: Float64Array[] = [new Float64Array(0), new Float64Array(0)];
let scratchU8 = new Uint8Array(0);
function scratch(slot: 0 | 1, n: number): Float64Array {
  if (scratchF64[slot]!.length < n) scratchF64[slot] = new Float64Array(Math.max(n, 2 * scratchF64[slot]!.length));
  return scratchF64[slot]!.subarray(0, n);
}

const mean = (a: ArrayLike<number>) => (a.length ? pairwiseSum(a) / a.length : NaN);

/** pandas' Series.var: two-pass, sample (ddof 1) by default. */
function variance(a: ArrayLike<number>, ddof = 1): number {
  const n = a.length;
  if (n - ddof <= 0) return NaN;
  const avg = pairwiseSum(a) / n;
  const sq = new Float64Array(n);
  for (let k = 0; k < n; k++) sq[k] = (avg - a[k]!) ** 2;
  return pairwiseSum(sq) / (n - ddof);
}

/** backtesting.py's geometric_mean: NaN as 0; 0 when any 1 + r ≤ 0. */
function geometricMean(returns: ArrayLike<number>): number {
  const n = returns.length;
  if (n === 0) return NaN;
  const logs = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const r = returns[k]!;
    const x = (r === r ? r : 0) + 1;
    if (x <= 0) return 0;
    logs[k] = Math.log(x);
  }
  return Math.exp(pairwiseSum(logs) / n) - 1;
}

/** pandas' mean of timedeltas: a float64 sum of nanoseconds, divided, truncated to whole nanoseconds. */
function meanDurationNs(ms: readonly number[]): bigint | null {
  if (!ms.length) return null;
  return BigInt(Math.trunc(pairwiseSum(ms.map((m) => m * 1e6)) / ms.length));
}

/** Timedelta.resolution_string as a unit in ns: the smallest non-zero component of the data's period. */
function resolutionNs(periodMs: number): bigint {
  const ns = BigInt(Math.round(periodMs * 1e6));
  for (const unit of [86_400_000_000_000n, 3_600_000_000_000n, 60_000_000_000n, 1_000_000_000n, 1_000_000n, 1000n]) {
    if (ns % unit === 0n) return unit;
  }
  return 1n;
}

/** Timedelta.ceil(resolution), back in ms. */
function ceilDuration(ns: bigint | null, unit: bigint): number | null {
  if (ns === null) return null;
  const q = ns / unit + (ns % unit > 0n ? 1n : 0n);
  return Number(q * unit) / 1e6;
}

/** backtesting.py's _data_period: the median spacing of the last 100 bars. */
function dataPeriodMs(time: ArrayLike<number>): number {
  const from = Math.max(0, time.length - 100);
  const d: number[] = [];
  for (let k = from + 1; k < time.length; k++) d.push(time[k]! - time[k - 1]!);
  if (!d.length) return NaN;
  d.sort((a, b) => a - b);
  const m = d.length >> 1;
  return d.length % 2 ? d[m]! : (d[m - 1]! + d[m]!) / 2;
}

/** The resampling bin of a bar's time for pandas' resample(freq).last(). */
function binKey(t: number, freqDays: number): number {
  if (freqDays === 7) return Math.ceil((t - 3 * DAY_MS) / WEEK_MS); // 'W' = W-SUN, bins closed on the right
  if (freqDays === 31 || freqDays === 365) {
    // 'ME' / 'YE': closed on the right at the period's last day 00:00, so shift by a day less a millisecond.
    const d = new Date(t + DAY_MS - 1);
    return freqDays === 31 ? d.getUTCFullYear() * 12 + d.getUTCMonth() : d.getUTCFullYear();
  }
  return Math.floor(t / DAY_MS); // 'D', closed on the left
}

const nn = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** Log returns of closes and their mean, cached by the typed array's buffer, offset and length. */
const logReturnCache = new WeakMap<object, Map<string, { b: Float64Array; mb: number }>>();
function closeLogReturns(close: ArrayLike<number>): { b: Float64Array; mb: number } {
  const n = close.length;
  const compute = () => {
    const b = new Float64Array(n - 1);
    for (let k = 1; k < n; k++) b[k - 1] = Math.log(close[k]! / close[k - 1]!);
    return { b, mb: mean(b) };
  };
  if (!ArrayBuffer.isView(close)) return compute();
  const key = `${close.byteOffset}:${n}`;
  let byView = logReturnCache.get(close.buffer);
  if (!byView) logReturnCache.set(close.buffer, (byView = new Map()));
  let hit = byView.get(key);
  if (!hit) byView.set(key, (hit = compute()));
  return hit;
}

/** The figures of `compute_stats` for a finished run. */
export function backtestingPyStats(result: EngineResult, series: BarSeries, options: StatsOptions = {}): BacktestingPyStats {
  return computeBacktestingPyStats({
    trades: result.trades,
    equity: result.equity,
    time: series.time.subarray(0, result.bars),
    close: series.close.subarray(0, result.bars),
    ...options,
  });
}

export function computeBacktestingPyStats(input: {
  trades: readonly ClosedTrade[];
  equity: ArrayLike<number>;
  time: ArrayLike<number>;
  close: ArrayLike<number>;
  warmupBars?: number;
  riskFreeRate?: number;
}): BacktestingPyStats {
  const { trades, equity, time, close } = input;
  const rf = input.riskFreeRate ?? 0;
  const n = equity.length;
  if (n === 0 || time.length !== n || close.length !== n) throw new RangeError("equity, time and close must have the same, non-zero length");
  if (!(rf > -1 && rf < 1)) throw new RangeError("riskFreeRate must be in (−1, 1)");

  // Drawdown and its periods, in one pass: a period runs from a bar at the peak (drawdown 0) to the next one (or
  // the last bar); its depth is the deepest point between them.
  const dd = scratch(0, n);
  const ddDurations: number[] = [];
  const ddPeaks: number[] = [];
  let peak = -Infinity;
  let equityPeak = -Infinity;
  let maxDd = 0;
  let lastZero = -1;
  let deepest = 0;
  for (let k = 0; k < n; k++) {
    const e = equity[k]!;
    if (e > peak) peak = e;
    if (e > equityPeak) equityPeak = e;
    const d = 1 - e / peak;
    dd[k] = d;
    if (d > maxDd) maxDd = d;
    if (d === 0) {
      if (lastZero >= 0 && k > lastZero + 1) {
        ddDurations.push(time[k]! - time[lastZero]!);
        ddPeaks.push(deepest);
      }
      lastZero = k;
      deepest = 0;
    } else if (d > deepest) {
      deepest = d;
    }
  }
  if (lastZero >= 0 && lastZero !== n - 1 && n - 1 > lastZero + 1) {
    ddDurations.push(time[n - 1]! - time[lastZero]!);
    ddPeaks.push(deepest);
  }
  let avgDrawdown: number;
  if (ddPeaks.length) {
    avgDrawdown = mean(ddPeaks);
  } else {
    // backtesting.py: no completed period (a drawdown only on the last bar, or none) falls back to the non-zero points.
    const nonZero = Array.from(dd).filter((x) => x !== 0 && x === x);
    avgDrawdown = mean(nonZero);
  }

  // Exposure: bars inside some closed trade.
  if (scratchU8.length < n) scratchU8 = new Uint8Array(Math.max(n, 2 * scratchU8.length));
  const inTrade = scratchU8.subarray(0, n).fill(0);
  for (const t of trades) inTrade.fill(1, t.entryBar, Math.min(n, t.exitBar + 1));
  let exposed = 0;
  for (let k = 0; k < n; k++) exposed += inTrade[k]!;

  const first = input.warmupBars ?? 0;
  const start = time[0]!;
  const end = time[n - 1]!;
  const durationMs = end - start;
  const returnPct = ((equity[n - 1]! - equity[0]!) / equity[0]!) * 100;
  const buyHoldReturnPct = ((close[n - 1]! - close[first]!) / close[first]!) * 100;

  // Daily (weekly, monthly, yearly) returns of the equity.
  const periodMs = dataPeriodMs(time);
  const freqDays = Number.isFinite(periodMs) ? Math.floor(periodMs / DAY_MS) : 0;
  let weekend = 0;
  for (let k = 0; k < n; k++) {
    // The UTC weekday without a Date per bar: day 0 of the epoch (1970-01-01) was a Thursday (4); 0 is Sunday.
    const dow = (((Math.floor(time[k]! / DAY_MS) + 4) % 7) + 7) % 7;
    if (dow === 0 || dow === 6) weekend++;
  }
  const haveWeekends = weekend / n > (2 / 7) * 0.6;
  const periodsPerYear = freqDays === 7 ? 52 : freqDays === 31 ? 12 : freqDays === 365 ? 1 : haveWeekends ? 365 : 252;
  const lastPerBin: number[] = [];
  let key = NaN;
  for (let k = 0; k < n; k++) {
    const b = binKey(time[k]!, freqDays);
    if (b === key) lastPerBin[lastPerBin.length - 1] = equity[k]!;
    else lastPerBin.push(equity[k]!);
    key = b;
  }
  const dayReturns = new Float64Array(Math.max(0, lastPerBin.length - 1));
  for (let k = 1; k < lastPerBin.length; k++) dayReturns[k - 1] = lastPerBin[k]! / lastPerBin[k - 1]! - 1;
  const g = geometricMean(dayReturns);
  const annReturn = (1 + g) ** periodsPerYear - 1;
  const annVol = Math.sqrt((variance(dayReturns) + (1 + g) ** 2) ** periodsPerYear - (1 + g) ** (2 * periodsPerYear));
  const downside = new Float64Array(dayReturns.length);
  for (let k = 0; k < dayReturns.length; k++) downside[k] = Math.min(dayReturns[k]!, 0) ** 2;
  const sortino = (annReturn - rf) / (Math.sqrt(mean(downside)) * Math.sqrt(periodsPerYear));
  const durationDays = Math.floor(durationMs / DAY_MS);
  const years = (durationDays + Math.floor((durationMs - durationDays * DAY_MS) / 1000) / 86_400) / 365.25;
  const cagr = years ? ((equity[n - 1]! / equity[0]!) ** (1 / years) - 1) * 100 : NaN;
  const sharpe = (annReturn * 100 - rf * 100) / (annVol * 100 || NaN);

  // Beta against the closes, per bar. The closes' log returns are the same for every run over one series (an
  // optimisation runs hundreds): computed once per close array and kept while the array lives.
  let beta = NaN;
  if (n > 2) {
    const { b, mb } = closeLogReturns(close);
    const a = scratch(1, n - 1);
    for (let k = 1; k < n; k++) {
      const prev = equity[k - 1]!;
      const cur = equity[k]!;
      a[k - 1] = cur === prev && cur > 0 ? 0 : Math.log(cur / prev);
    }
    const ma = mean(a);
    let cov = 0;
    let varB = 0;
    for (let k = 0; k < n - 1; k++) {
      cov += (a[k]! - ma) * (b[k]! - mb);
      varB += (b[k]! - mb) ** 2;
    }
    beta = cov / (n - 2) / (varB / (n - 2));
  }

  // Trades.
  const m = trades.length;
  const pl = trades.map((t) => t.pnl);
  const returns = trades.map((t) => t.returnPct);
  const wins = pl.filter((p) => p > 0);
  const losses = pl.filter((p) => p < 0);
  const winRate = m ? wins.length / m : NaN;
  const posReturns = returns.filter((r) => r > 0);
  const negReturns = returns.filter((r) => r < 0);
  const tradeDurations = trades.map((t) => t.exitTime - t.entryTime);
  const unit = resolutionNs(periodMs);
  const maxOf = (xs: number[]) => (xs.length ? Math.max(...xs) : NaN);
  const minOf = (xs: number[]) => (xs.length ? Math.min(...xs) : NaN);
  let commissions = 0; // Python's sum() over the trades, not numpy's
  for (const t of trades) commissions += t.commission;

  return {
    label: BACKTESTING_PY_LABEL,
    start,
    end,
    durationMs,
    exposureTimePct: (exposed / n) * 100,
    equityFinal: equity[n - 1]!,
    equityPeak,
    commissions,
    returnPct,
    buyHoldReturnPct,
    returnAnnPct: nn(annReturn * 100),
    volatilityAnnPct: nn(annVol * 100),
    cagrPct: nn(cagr),
    sharpe: nn(sharpe),
    sortino: nn(sortino),
    calmar: nn(annReturn / (maxDd || NaN)),
    alphaPct: nn(returnPct - rf * 100 - beta * (buyHoldReturnPct - rf * 100)),
    beta: nn(beta),
    maxDrawdownPct: -maxDd * 100,
    avgDrawdownPct: nn(-avgDrawdown * 100),
    maxDrawdownDurationMs: ddPeaks.length ? ceilDuration(BigInt(maxOf(ddDurations)) * 1_000_000n, unit) : null,
    avgDrawdownDurationMs: ddPeaks.length ? ceilDuration(meanDurationNs(ddDurations), unit) : null,
    trades: m,
    winRatePct: nn(winRate * 100),
    bestTradePct: nn(maxOf(returns) * 100),
    worstTradePct: nn(minOf(returns) * 100),
    avgTradePct: nn(geometricMean(returns) * 100),
    maxTradeDurationMs: m ? ceilDuration(BigInt(maxOf(tradeDurations)) * 1_000_000n, unit) : null,
    avgTradeDurationMs: ceilDuration(meanDurationNs(tradeDurations), unit),
    profitFactor: nn(pairwiseSum(posReturns) / (Math.abs(pairwiseSum(negReturns)) || NaN)),
    expectancyPct: nn(mean(returns) * 100),
    sqn: nn((Math.sqrt(m) * mean(pl)) / (Math.sqrt(variance(pl)) || NaN)),
    kellyCriterion: nn(winRate - (1 - winRate) / (mean(wins) / -mean(losses))),
  };
}
