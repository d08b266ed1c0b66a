/**
 * One lab backtest as a pure job (issue 19): what the backtest worker thread runs, and what the tests run directly
 * to check the worker stored the same thing. In: the strategy (a rules document or a curated id + parameters), the
 * bars column by column and the engine settings. Out: backtesting.py-definition statistics, Tradsy's track-record
 * statistics of the same trades (src/lib/stats via toClosedSignals), the equity curve with drawdown downsampled to
 * at most MAX_EQUITY_POINTS, and the trades (at most MAX_STORED_TRADES; tradeCount is the true count).
 * Hypothetical by design: float maths, never money we hold.
 */
import { backtestingPyStats, DEFAULT_CONFIG, Engine, toClosedSignals, type BacktestingPyStats, type BarSeries, type EngineConfig, type EngineResult, type SizeSpec, type Strategy } from "@/lib/engine";
import { compileRules, type RulesDocument } from "@/lib/rules";
import { computeStats, type TrackRecordStats } from "@/lib/stats";
import { getCurated, type StrategyParams } from "@/lib/strategy-library";
import type { BacktestSettings } from "@/lib/validation/lab";

export const MAX_EQUITY_POINTS = 2_000;
export const MAX_STORED_TRADES = 5_000;
/** Bars one backtest may run over: the default range is the latest this many (all of BTC/USDT 1h since 2017). */
export const MAX_BACKTEST_BARS = 60_000;

export type JobStrategy = { kind: "rules"; rules: RulesDocument } | { kind: "curated"; curatedId: string; params: StrategyParams };

export interface JobInput {
  strategy: JobStrategy;
  series: BarSeries;
  config: Partial<EngineConfig>;
}

export interface EquityPoint {
  time: number;
  equity: number;
  drawdownPct: number;
}

export interface JobTrade {
  side: "long" | "short";
  size: number;
  entryTime: number;
  entryPrice: number;
  exitTime: number;
  exitPrice: number;
  pnl: number;
  returnPct: number;
  exitReason: string;
}

/** Track-record figures as numbers (the stats module's decimal strings read once, for display). */
export type TrackRecordFigures = Record<"roi" | "winRate" | "profitFactor" | "maxDrawdown" | "sharpe" | "sortino" | "expectancy" | "avgR" | "avgHoldHours" | "closedSignals", number | null>;

export interface JobResult {
  backtestingPy: Omit<BacktestingPyStats, "label">;
  /** null when the standard account cannot be computed (e.g. a trade lost more than the allocation). */
  trackRecord: TrackRecordFigures | null;
  trackRecordError: string | null;
  gaps: number;
  equity: EquityPoint[];
  trades: JobTrade[];
  tradeCount: number;
  barsTotal: number;
}

/** Engine configuration from the lab's settings (market orders at the next open, fractional units, open trades closed at the end). */
export function engineConfigOf(settings: BacktestSettings, intervalMs: number | null): Partial<EngineConfig> {
  const s = settings.sizing;
  const defaultSize: SizeSpec = s.mode === "fraction" ? { fraction: s.value } : s.mode === "quantity" ? { quantity: s.value } : { risk: s.value };
  return {
    cash: settings.cash,
    commission: { relative: settings.commissionPct / 100, fixed: 0 },
    slippageBps: settings.slippageBps,
    quantityStep: 0,
    defaultSize,
    endOfData: "close-at-last-close",
    intervalMs,
  };
}

export function buildStrategy(s: JobStrategy): Strategy {
  return s.kind === "rules" ? compileRules(s.rules) : getCurated(s.curatedId).create(s.params);
}

/**
 * Runs the job, calling `onProgress(barsDone, barsTotal)` every `progressEvery` bars. Bars are fed one by one
 * (`onCandle`), which the engine's tests prove gives exactly `run()`'s result.
 */
export function runBacktestJob(input: JobInput, onProgress?: (done: number, total: number) => void, progressEvery = 0): JobResult {
  const { series } = input;
  const n = series.length;
  if (n === 0) throw new RangeError("There are no candles in that range");
  const strategy = buildStrategy(input.strategy);
  const engine = new Engine(strategy, { ...DEFAULT_CONFIG, ...input.config });
  const every = progressEvery > 0 ? progressEvery : Math.max(1, Math.floor(n / 100));
  for (let i = 0; i < n; i++) {
    engine.onCandle({ time: series.time[i]!, open: series.open[i]!, high: series.high[i]!, low: series.low[i]!, close: series.close[i]!, volume: series.volume[i]! });
    if (onProgress && (i + 1) % every === 0) onProgress(i + 1, n);
  }
  const result = engine.finish();
  onProgress?.(n, n);
  return summarise(result, series, strategy.warmupBars ?? 0);
}

export function summarise(result: EngineResult, series: BarSeries, warmupBars: number): JobResult {
  const { label: _label, ...bt } = backtestingPyStats(result, series, { warmupBars });
  const trades = result.trades;
  let trackRecord: TrackRecordFigures | null = null;
  let trackRecordError: string | null = null;
  try {
    trackRecord = trackRecordFigures(computeStats(toClosedSignals(trades), "all", new Date(series.time[series.length - 1]! + 1), { trackRecordStart: null }));
  } catch (e) {
    trackRecordError = e instanceof Error ? e.message : String(e);
  }
  return {
    backtestingPy: bt,
    trackRecord,
    trackRecordError,
    gaps: result.gaps.length,
    equity: downsampleEquity(series.time, result.equity, MAX_EQUITY_POINTS),
    trades: trades.slice(0, MAX_STORED_TRADES).map(storedTrade),
    tradeCount: result.tradeCount,
    barsTotal: series.length,
  };
}

function trackRecordFigures(s: TrackRecordStats): TrackRecordFigures {
  const num = (v: string | null) => (v === null ? null : Number(v));
  return {
    roi: num(s.roi),
    winRate: num(s.winRate),
    profitFactor: num(s.profitFactor),
    maxDrawdown: num(s.maxDrawdown),
    sharpe: num(s.sharpe),
    sortino: num(s.sortino),
    expectancy: num(s.expectancy),
    avgR: num(s.avgR),
    avgHoldHours: num(s.avgHoldHours),
    closedSignals: s.closedSignals,
  };
}

/** An engine trade as a stored backtest keeps it (return in percent; the lab's runs and the library's references). */
export function storedTrade(t: EngineResult["trades"][number]): JobTrade {
  return {
    side: t.side,
    size: t.size,
    entryTime: t.entryTime,
    entryPrice: t.entryPrice,
    exitTime: t.exitTime,
    exitPrice: t.exitPrice,
    pnl: t.pnl,
    returnPct: t.returnPct * 100,
    exitReason: String(t.exitReason),
  };
}

/**
 * The equity curve with its drawdown (fall from the running peak, in percent, ≤ 0), at most `max` points: each
 * bucket of bars keeps its deepest-drawdown point, so the chart's worst fall is the run's; the last bar is always kept.
 */
export function downsampleEquity(time: ArrayLike<number>, equity: ArrayLike<number>, max: number): EquityPoint[] {
  const n = equity.length;
  const dd = new Float64Array(n);
  let peak = -Infinity;
  for (let i = 0; i < n; i++) {
    const e = equity[i]!;
    if (e > peak) peak = e;
    dd[i] = peak > 0 ? (e / peak - 1) * 100 : 0;
  }
  const point = (i: number): EquityPoint => ({ time: time[i]!, equity: equity[i]!, drawdownPct: dd[i]! });
  if (n <= max) return Array.from({ length: n }, (_, i) => point(i));
  const out: EquityPoint[] = [];
  const buckets = max - 1; // the last point has its own slot
  const size = (n - 1) / buckets;
  for (let b = 0; b < buckets; b++) {
    const lo = Math.floor(b * size);
    const hi = Math.min(n - 1, Math.floor((b + 1) * size));
    let pick = lo;
    for (let i = lo + 1; i < hi; i++) if (dd[i]! < dd[pick]!) pick = i;
    out.push(point(pick));
  }
  out.push(point(n - 1));
  return out;
}
