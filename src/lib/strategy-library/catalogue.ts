/**
 * The curated strategy catalogue (issue 19, "strategies as providers"): each platform strategy as data — id, name,
 * a description a trader understands, typed parameters with bounds, markets, timeframes, style tags, complexity and
 * risk level — plus `create(params)` building the engine strategy. Strategies are TypeScript modules in
 * src/lib/engine/strategies; nothing here is evaluated from text.
 *
 * Risk level rule (`riskLevelFromStats`): from a backtest's max drawdown (DD, percent, positive) and annualised
 * volatility (σ, percent), by backtesting.py's definitions:
 *   low    DD ≤ 20 and σ ≤ 20
 *   medium DD ≤ 40 and σ ≤ 35 (and not low)
 *   high   otherwise
 * A missing σ (too short a run) is judged on DD alone. The catalogue's `riskLevel` is that rule applied to the
 * reference backtest named in `RISK_REFERENCE` (defaults, GOOG daily 2004–2013, `LIBRARY_CONFIG`); a test
 * recomputes it from the recorded data, so a change to a strategy that moves its risk level fails until the
 * catalogue says so. Daily stock data is the reference because on hourly crypto nearly every strategy's volatility is
 * "high" (BTC/USDT's own annualised volatility is several times a large stock's), which would make the level say
 * nothing about the strategy.
 *
 * Complexity (what the recommender shows beginners): 1 = one indicator and a one-line rule, 2 = two indicators or
 * a filter, 3 = several interacting thresholds.
 */
import { BollingerBreakout } from "@/lib/engine/strategies/bollinger-breakout";
import { DonchianBreakout } from "@/lib/engine/strategies/donchian-breakout";
import { EmaCross } from "@/lib/engine/strategies/ema-cross";
import { MacdCross } from "@/lib/engine/strategies/macd-cross";
import { RsiReversion } from "@/lib/engine/strategies/rsi-reversion";
import { SmaCross } from "@/lib/engine/strategies/sma-cross";
import type { Strategy } from "@/lib/engine";
import type { BacktestingPyStats } from "@/lib/engine";
import { satisfies, type Constraint } from "@/lib/optimize/space";

export const MARKETS = ["crypto", "stocks", "forex"] as const;
export type Market = (typeof MARKETS)[number];
export const TIMEFRAMES = ["1h", "4h", "1d"] as const;
export type Timeframe = (typeof TIMEFRAMES)[number];
export const STYLE_TAGS = ["trend-following", "mean-reversion", "breakout"] as const;
export type StyleTag = (typeof STYLE_TAGS)[number];
export const RISK_LEVELS = ["low", "medium", "high"] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];
export type Complexity = 1 | 2 | 3;

export interface ParamDef {
  name: string;
  default: number;
  min: number;
  max: number;
  step: number;
  description: string;
}

export type StrategyParams = Record<string, number>;

export interface CuratedStrategy {
  id: string;
  name: string;
  description: string;
  params: readonly ParamDef[];
  /** Relations between parameters every valid set satisfies (fast < slow); the optimiser never proposes others. */
  constraints?: readonly Constraint[];
  markets: readonly Market[];
  timeframes: readonly Timeframe[];
  tags: readonly StyleTag[];
  complexity: Complexity;
  riskLevel: RiskLevel;
  /** Builds the engine strategy; missing parameters take their defaults, out-of-range ones throw (RangeError). */
  create(params?: Partial<StrategyParams>): Strategy;
}

/** Thresholds of the risk-level rule (see the header), in percent. */
export const RISK_THRESHOLDS = {
  low: { maxDrawdownPct: 20, volatilityAnnPct: 20 },
  medium: { maxDrawdownPct: 40, volatilityAnnPct: 35 },
} as const;

export function riskLevelFromStats(stats: Pick<BacktestingPyStats, "maxDrawdownPct" | "volatilityAnnPct">): RiskLevel {
  const dd = Math.abs(stats.maxDrawdownPct);
  const vol = stats.volatilityAnnPct ?? 0;
  for (const level of ["low", "medium"] as const) {
    const t = RISK_THRESHOLDS[level];
    if (dd <= t.maxDrawdownPct && vol <= t.volatilityAnnPct) return level;
  }
  return "high";
}

/** The data the catalogue's risk levels come from (checked by catalogue.test.ts). */
export const RISK_REFERENCE = { file: "GOOG_1d_2004-2013.csv" } as const;

/** Defaults merged with the given values, each checked against its definition. */
export function resolveParams(entry: Pick<CuratedStrategy, "id" | "params" | "constraints">, given: Partial<StrategyParams> = {}): StrategyParams {
  const out: StrategyParams = {};
  for (const key of Object.keys(given)) {
    if (!entry.params.some((p) => p.name === key)) throw new RangeError(`${entry.id} has no parameter "${key}"`);
  }
  for (const p of entry.params) {
    const v = given[p.name] ?? p.default;
    if (typeof v !== "number" || !Number.isFinite(v) || v < p.min || v > p.max) {
      throw new RangeError(`${entry.id}: ${p.name} must be between ${p.min} and ${p.max}, got ${String(v)}`);
    }
    // Steps of whole numbers mean a count of bars: refuse 14.5 rather than let an indicator throw a vaguer error.
    if (Number.isInteger(p.step) && !Number.isInteger(v)) throw new RangeError(`${entry.id}: ${p.name} must be a whole number, got ${v}`);
    out[p.name] = v;
  }
  for (const c of entry.constraints ?? []) {
    if (!satisfies({ dimensions: [], constraints: [c] }, out)) throw new RangeError(`${entry.id}: ${c.a} must be ${OP_WORDS[c.op]} ${c.b}, got ${out[c.a]} and ${out[c.b]}`);
  }
  return out;
}

const OP_WORDS: Record<Constraint["op"], string> = { "<": "less than", "<=": "at most", ">": "greater than", ">=": "at least" };
const FAST_BELOW_SLOW: readonly Constraint[] = [{ a: "fast", op: "<", b: "slow" }];

type Def = Omit<CuratedStrategy, "create"> & { build(p: StrategyParams): Strategy };

function define(def: Def): CuratedStrategy {
  const { build, ...rest } = def;
  const entry: CuratedStrategy = { ...rest, create: (params) => build(resolveParams(entry, params)) };
  return entry;
}

const p = (name: string, d: number, min: number, max: number, step: number, description: string): ParamDef => ({
  name,
  default: d,
  min,
  max,
  step,
  description,
});

const rsiParams = (period: number, entry: number, exit: number): ParamDef[] => [
  p("period", period, 2, 30, 1, "RSI lookback in bars: shorter reacts to smaller dips."),
  p("entry", entry, 1, 49, 1, "Buy when the RSI closes below this level (oversold)."),
  p("exit", exit, 51, 99, 1, "Sell when the RSI closes above this level."),
  p("trendPeriod", 200, 0, 400, 10, "Only buy while the close is above its simple average of this many bars (0: no filter)."),
];
const rsi = (q: StrategyParams) =>
  new RsiReversion({ period: q.period!, entry: q.entry!, exit: q.exit!, trendPeriod: q.trendPeriod! });

export const CATALOGUE: readonly CuratedStrategy[] = [
  define({
    id: "rsi7-reversion",
    name: "RSI(7) reversion",
    description:
      "Buys short pull-backs in an up-trend: when the 7-bar RSI falls below 30 while the price is above its 200-bar average, it buys at the next open, and sells once the RSI climbs back above 70. Many small, short trades; it does well in choppy, rising markets and suffers in sharp sell-offs, where it keeps buying dips that continue.",
    params: rsiParams(7, 30, 70),
    markets: ["crypto", "stocks", "forex"],
    timeframes: ["1h", "4h", "1d"],
    tags: ["mean-reversion"],
    complexity: 2,
    riskLevel: "medium",
    build: rsi,
  }),
  define({
    id: "rsi3-reversion",
    name: "RSI(3) reversion",
    description:
      "A faster, Connors-style version: the 3-bar RSI must drop below 15 (a sharp, brief sell-off) with the price still above its 200-bar average; it sells when the RSI rises above 60. It trades more often and holds for only a few bars.",
    params: rsiParams(3, 15, 60),
    markets: ["crypto", "stocks", "forex"],
    timeframes: ["1h", "4h", "1d"],
    tags: ["mean-reversion"],
    complexity: 2,
    riskLevel: "medium",
    build: rsi,
  }),
  define({
    id: "macd-cross",
    name: "MACD crossover",
    description:
      "Follows momentum: it buys when the MACD line (12-bar EMA minus 26-bar EMA) crosses above its 9-bar signal line and sells when it crosses back below. It catches the middle of trends and gives back some profit at each turn; sideways markets produce many small losses.",
    params: [
      p("fast", 12, 2, 50, 1, "Fast EMA length in bars."),
      p("slow", 26, 5, 200, 1, "Slow EMA length in bars (must be longer than the fast one)."),
      p("signal", 9, 2, 50, 1, "Length of the signal line, an EMA of the MACD line."),
    ],
    constraints: FAST_BELOW_SLOW,
    markets: ["crypto", "stocks", "forex"],
    timeframes: ["1h", "4h", "1d"],
    tags: ["trend-following"],
    complexity: 2,
    riskLevel: "high",
    build: (q) => new MacdCross({ fast: q.fast!, slow: q.slow!, signal: q.signal! }),
  }),
  define({
    id: "ema-cross",
    name: "EMA crossover",
    description:
      "The classic trend follower: it buys when the fast exponential average (12 bars) crosses above the slow one (26 bars) and sells when it crosses back below. Few trades, long holds in trends, and whipsaws when the market goes sideways.",
    params: [
      p("fast", 12, 2, 100, 1, "Fast EMA length in bars."),
      p("slow", 26, 5, 300, 1, "Slow EMA length in bars (must be longer than the fast one)."),
    ],
    constraints: FAST_BELOW_SLOW,
    markets: ["crypto", "stocks", "forex"],
    timeframes: ["1h", "4h", "1d"],
    tags: ["trend-following"],
    complexity: 1,
    riskLevel: "medium",
    build: (q) => new EmaCross({ fast: q.fast!, slow: q.slow! }),
  }),
  define({
    id: "sma-cross",
    name: "SMA crossover (10/20)",
    description:
      "backtesting.py's example strategy: when the 10-bar simple average crosses above the 20-bar one it closes any short and buys; when it crosses below it closes the long and sells short. Always in the market after the first cross, long or short.",
    params: [
      p("fast", 10, 2, 100, 1, "Fast SMA length in bars."),
      p("slow", 20, 5, 300, 1, "Slow SMA length in bars."),
    ],
    constraints: FAST_BELOW_SLOW,
    markets: ["crypto", "stocks", "forex"],
    timeframes: ["1h", "4h", "1d"],
    tags: ["trend-following"],
    complexity: 1,
    riskLevel: "high",
    // SmaCross itself accepts fast ≥ slow (it would just trade the other way round); the catalogue does not.
    build: (q) => new SmaCross({ fast: q.fast!, slow: q.slow! }),
  }),
  define({
    id: "bollinger-breakout",
    name: "Bollinger breakout",
    description:
      "Buys when the price closes above the upper Bollinger Band (20-bar average plus 2 standard deviations), betting that a break out of the usual range starts a move, and sells when the price closes back below the 20-bar average. Most breakouts fail quickly for a small loss; the few that run pay for them.",
    params: [
      p("period", 20, 5, 100, 1, "Bars in the average and the standard deviation."),
      p("multiplier", 2, 0.5, 4, 0.1, "Band width in standard deviations: wider means fewer, stronger breakouts."),
    ],
    markets: ["crypto", "stocks", "forex"],
    timeframes: ["1h", "4h", "1d"],
    tags: ["breakout", "trend-following"],
    complexity: 1,
    riskLevel: "medium",
    build: (q) => new BollingerBreakout({ period: q.period!, multiplier: q.multiplier! }),
  }),
  define({
    id: "donchian-breakout",
    name: "Donchian breakout (Turtle)",
    description:
      "The Turtle traders' rule: buy when the price closes above the highest high of the previous 20 bars, sell when it closes below the lowest low of the previous 10. It stays out of quiet markets and rides strong trends; its exits are slow, so it gives back part of each trend's gain.",
    params: [
      p("entryPeriod", 20, 5, 200, 1, "Buy on a close above the highest high of this many previous bars."),
      p("exitPeriod", 10, 2, 100, 1, "Sell on a close below the lowest low of this many previous bars."),
    ],
    markets: ["crypto", "stocks", "forex"],
    timeframes: ["1h", "4h", "1d"],
    tags: ["breakout", "trend-following"],
    complexity: 1,
    riskLevel: "medium",
    build: (q) => new DonchianBreakout({ entryPeriod: q.entryPeriod!, exitPeriod: q.exitPeriod! }),
  }),
];

export type CuratedId = string;

export function getCurated(id: CuratedId, catalogue: readonly CuratedStrategy[] = CATALOGUE): CuratedStrategy {
  const entry = catalogue.find((e) => e.id === id);
  if (!entry) throw new RangeError(`No curated strategy "${id}"`);
  return entry;
}
