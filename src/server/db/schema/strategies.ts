import "server-only";
import { sql } from "drizzle-orm";
import { doublePrecision, index, integer, jsonb, numeric, pgEnum, pgTable, primaryKey, text, uniqueIndex } from "drizzle-orm/pg-core";
import type { EquityPoint as StoredEquityPoint, JobTrade as StoredTrade } from "@/lib/lab/job";
import type { ParamSpace, Params, WalkForwardResult, WalkForwardWindows } from "@/lib/optimize";
import type { RulesDocument } from "@/lib/rules";
import { createdAt, prefixedId, tstz, updatedAt } from "./_shared";
import { providers } from "./providers";
import { users } from "./users";

/**
 * A user's own strategy: a JSON rule document (src/lib/rules) they built in the rule builder. Curated strategies are
 * code (src/lib/strategy-library) and have no row; runs name them by `curatedId`. Saving a changed document bumps
 * `version`, and every backtest and live run keeps the version and a copy of the document it used.
 */
export const strategies = pgTable(
  "strategies",
  {
    id: prefixedId("stg"),
    userId: text()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text().notNull(),
    rules: jsonb().$type<RulesDocument>().notNull(),
    version: integer().notNull().default(1),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("strategies_user_id_idx").on(t.userId, t.updatedAt)],
);

export const backtestStatus = pgEnum("backtest_status", ["queued", "running", "done", "failed", "cancelled"]);
export type BacktestStatus = (typeof backtestStatus.enumValues)[number];

/** A stored backtest's equity points and trades are the lab job's (src/lib/lab/job.ts), as the worker returns them. */
export type { EquityPoint as StoredEquityPoint, JobTrade as StoredTrade } from "@/lib/lab/job";

/**
 * A backtest: which strategy (own rules or a curated one), its version, parameters and the document it ran, the data
 * range, and, when done, its statistics, equity curve and trades. Always hypothetical: it never touches the chain.
 */
export const strategyBacktestRuns = pgTable(
  "strategy_backtest_runs",
  {
    id: prefixedId("btr"),
    /** Who ran it; null for the platform's reference backtest of a curated strategy (readable by everyone). */
    userId: text().references(() => users.id, { onDelete: "cascade" }),
    strategyId: text().references(() => strategies.id, { onDelete: "set null" }),
    curatedId: text(),
    strategyVersion: integer().notNull().default(1),
    /** The strategy's name when it ran. */
    name: text().notNull(),
    params: jsonb().$type<Record<string, number>>().notNull().default({}),
    rules: jsonb().$type<RulesDocument | null>(),
    symbol: text().notNull(),
    timeframe: text().notNull(),
    dataFrom: tstz(),
    dataTo: tstz(),
    /** Cash, commission, slippage, sizing: the engine configuration the run used. */
    settings: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    status: backtestStatus().notNull().default("queued"),
    barsDone: integer().notNull().default(0),
    barsTotal: integer().notNull().default(0),
    stats: jsonb().$type<Record<string, number | null>>(),
    equity: jsonb().$type<StoredEquityPoint[]>(),
    trades: jsonb().$type<StoredTrade[]>(),
    tradeCount: integer(),
    error: text(),
    startedAt: tstz(),
    finishedAt: tstz(),
    createdAt: createdAt(),
  },
  (t) => [
    index("strategy_backtest_runs_user_id_idx").on(t.userId, t.createdAt),
    index("strategy_backtest_runs_status_idx").on(t.status),
    // One reference backtest per curated strategy, version, market and timeframe.
    uniqueIndex("strategy_backtest_runs_reference_idx")
      .on(t.curatedId, t.strategyVersion, t.symbol, t.timeframe)
      .where(sql`${t.userId} is null`),
  ],
);

export const strategyRunStatus = pgEnum("strategy_run_status", ["running", "stopped"]);
export type StrategyRunStatus = (typeof strategyRunStatus.enumValues)[number];

/**
 * A strategy running live as an automated provider: it owns a provider row (`providers.automated`), publishes through
 * the normal path with source "strategy", and is hidden from the marketplace until `providers.listedFrom`
 * (the end of its incubation). The kill switch and the daily limits stop it; every stop is audited.
 */
export const strategyRuns = pgTable(
  "strategy_runs",
  {
    id: prefixedId("srn"),
    userId: text()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    providerId: text()
      .notNull()
      .references(() => providers.id, { onDelete: "cascade" }),
    strategyId: text().references(() => strategies.id, { onDelete: "set null" }),
    curatedId: text(),
    strategyVersion: integer().notNull().default(1),
    name: text().notNull(),
    params: jsonb().$type<Record<string, number>>().notNull().default({}),
    rules: jsonb().$type<RulesDocument | null>(),
    symbol: text().notNull(),
    timeframe: text().notNull(),
    status: strategyRunStatus().notNull().default("running"),
    incubationEndsAt: tstz().notNull(),
    /** Limits per UTC day: realised loss as a fraction of the day's starting equity (decimal string), new entries. */
    maxDailyLoss: numeric().notNull().default("0.05"),
    maxTradesPerDay: integer().notNull().default(10),
    /** Candles that opened before this instant have been given to the strategy. */
    processedUntil: tstz(),
    /**
     * When the current version began (a promotion from an A/B test): candles before it only warm the indicators of
     * the promoted parameters, as the candles before the run's start do. Null: version 1, since the run started.
     */
    versionStartedAt: tstz(),
    stoppedAt: tstz(),
    stoppedBy: text().references(() => users.id, { onDelete: "set null" }),
    stopReason: text(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("strategy_runs_provider_id_idx").on(t.providerId),
    index("strategy_runs_user_id_idx").on(t.userId),
    index("strategy_runs_status_idx").on(t.status),
  ],
);

export const optimizationKind = pgEnum("optimization_kind", ["optimize", "walk-forward"]);
export type OptimizationKind = (typeof optimizationKind.enumValues)[number];

/**
 * A parameter optimisation (issue 20) of a curated strategy over one market's candles: the space searched (the
 * user's ranges), the method (grid or Bayesian), objective, minimum trades, budget and seed, so it can be resumed or
 * repeated; its progress and best trial so far; for a walk-forward run, the windows asked for and the result. Trials
 * are in `strategy_optimization_trials`. Status reuses the backtests' (`cancelled` ones can be resumed). Hypothetical:
 * nothing here touches signals or the chain.
 */
export const strategyOptimizations = pgTable(
  "strategy_optimizations",
  {
    id: prefixedId("opt"),
    userId: text()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    kind: optimizationKind().notNull().default("optimize"),
    curatedId: text().notNull(),
    name: text().notNull(),
    method: text().$type<"grid" | "bayes">().notNull(),
    objective: text().notNull(),
    minTrades: integer().notNull(),
    space: jsonb().$type<ParamSpace>().notNull(),
    /** Trials to run (a grid: its feasible points; walk-forward: per window). */
    budget: integer().notNull(),
    seed: integer().notNull(),
    symbol: text().notNull(),
    timeframe: text().notNull(),
    dataFrom: tstz(),
    dataTo: tstz(),
    settings: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    windows: jsonb().$type<WalkForwardWindows | null>(),
    status: backtestStatus().notNull().default("running"),
    trialsDone: integer().notNull().default(0),
    /** Walk-forward: windows done of `windowsTotal`. */
    windowsDone: integer().notNull().default(0),
    windowsTotal: integer().notNull().default(0),
    bestValue: doublePrecision(),
    bestParams: jsonb().$type<Params | null>(),
    result: jsonb().$type<WalkForwardResult | null>(),
    error: text(),
    startedAt: tstz(),
    finishedAt: tstz(),
    createdAt: createdAt(),
    /** Touched by every progress write: a `running` row not touched for a while has lost its process. */
    updatedAt: updatedAt(),
  },
  (t) => [index("strategy_optimizations_user_id_idx").on(t.userId, t.createdAt)],
);

/**
 * One trial of an optimisation: the parameters (and their key, the primary key with the optimisation, so a retried
 * or resumed write never stores a point twice), the objective (null: infeasible, with the reason) and the figures
 * the trials table and heatmap show.
 */
export const strategyOptimizationTrials = pgTable(
  "strategy_optimization_trials",
  {
    optimizationId: text()
      .notNull()
      .references(() => strategyOptimizations.id, { onDelete: "cascade" }),
    paramsKey: text().notNull(),
    seq: integer().notNull(),
    params: jsonb().$type<Params>().notNull(),
    value: doublePrecision(),
    reason: text(),
    trades: integer().notNull(),
    returnPct: doublePrecision().notNull(),
    maxDrawdownPct: doublePrecision().notNull(),
    sharpe: doublePrecision(),
    winRatePct: doublePrecision(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.optimizationId, t.paramsKey] }), index("strategy_optimization_trials_seq_idx").on(t.optimizationId, t.seq)],
);

export const abTestStatus = pgEnum("ab_test_status", ["running", "decided", "promoted", "stopped"]);
export type AbTestStatus = (typeof abTestStatus.enumValues)[number];

/** A variant of an A/B test: its label ("A" is the running version), the parameters it trades. */
export interface AbVariant {
  label: string;
  params: Record<string, number>;
}

/**
 * An A/B (shadow) test of a running curated strategy (issue 20): variant A is what the provider trades, the others
 * shadow it on the same live candles on paper, publishing nothing. The plan (minimum detectable effect, alpha,
 * power) fixes the trades each variant needs before the test starts (fixed horizon); `result` is the latest
 * comparison. At most one running test per strategy run.
 */
export const strategyAbTests = pgTable(
  "strategy_ab_tests",
  {
    id: prefixedId("abt"),
    runId: text()
      .notNull()
      .references(() => strategyRuns.id, { onDelete: "cascade" }),
    userId: text()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    status: abTestStatus().notNull().default("running"),
    variants: jsonb().$type<AbVariant[]>().notNull(),
    effectSize: doublePrecision().notNull(),
    alpha: doublePrecision().notNull(),
    power: doublePrecision().notNull(),
    /** Closed trades each variant needs before the test is judged (computed when it starts). */
    tradesNeeded: integer().notNull(),
    /** The first candle the variants trade (candles before only warm their indicators). */
    startsAt: tstz().notNull(),
    result: jsonb().$type<Record<string, unknown> | null>(),
    evaluatedAt: tstz(),
    decidedAt: tstz(),
    winner: text(),
    promotedVersion: integer(),
    endedAt: tstz(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("strategy_ab_tests_run_id_idx").on(t.runId, t.createdAt),
    uniqueIndex("strategy_ab_tests_one_running_idx")
      .on(t.runId)
      .where(sql`${t.status} = 'running'`),
  ],
);
