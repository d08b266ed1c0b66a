/**
 * lab: the strategy lab (issue 19) for any signed-in user — their own rule strategies (list, get, create, update,
 * delete), backtests of a saved strategy, an unsaved rules document or a curated strategy (start, get, list,
 * cancel), optimisations and walk-forward validations of curated strategies (start, get, list, cancel, resume;
 * issue 20), and the markets a backtest can use. Thin: validate, take the owner from the session, call the services
 * (src/server/services/lab). Curated strategies are code: there is no procedure that changes one.
 */
import "server-only";
import { z } from "zod";
import { BACKTESTING_PY_LABEL, BACKTESTING_PY_NAMES } from "@/lib/engine";
import type { RulesDocument } from "@/lib/rules";
import { labId, LAB_TIMEFRAMES, startBacktestSchema, startOptimizationSchema, strategyName } from "@/lib/validation/lab";
import { createTRPCRouter, protectedProcedure } from "@/server/api/trpc";
import type { BacktestRow, BacktestSummary, OptimizationDetail, OptimizationRow, StrategyRow } from "@/server/services/lab";
import {
  backtestCandles,
  cancelBacktest,
  cancelOptimization,
  createStrategy,
  labSymbols,
  deleteStrategy,
  getBacktest,
  getOptimization,
  getStrategy,
  listBacktests,
  listOptimizations,
  listStrategies,
  resumeOptimization,
  startBacktest,
  startOptimization,
  updateStrategy,
} from "@/server/services/lab";

const strategyId = z.object({ id: labId("strategy") });
const backtestId = z.object({ id: labId("backtest") });

/** The document is checked by parseRules in the service, so its errors name the field's path. */
const rulesInput = z.unknown().refine((v) => v !== undefined, "Add the rules document");

const rulesOutput = z.custom<RulesDocument>((v) => typeof v === "object" && v !== null);

const strategyOutput = z.object({
  id: z.string(),
  name: z.string(),
  rules: rulesOutput,
  version: z.number(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
const strategyView = (s: StrategyRow): z.infer<typeof strategyOutput> => ({
  id: s.id,
  name: s.name,
  rules: s.rules,
  version: s.version,
  createdAt: s.createdAt,
  updatedAt: s.updatedAt,
});

const status = z.enum(["queued", "running", "done", "failed", "cancelled"]);

const summaryOutput = z.object({
  id: z.string(),
  name: z.string(),
  strategyId: z.string().nullable(),
  curatedId: z.string().nullable(),
  strategyVersion: z.number(),
  params: z.record(z.string(), z.number()),
  symbol: z.string(),
  timeframe: z.string(),
  dataFrom: z.date().nullable(),
  dataTo: z.date().nullable(),
  status,
  barsDone: z.number(),
  barsTotal: z.number(),
  tradeCount: z.number().nullable(),
  error: z.string().nullable(),
  startedAt: z.date().nullable(),
  finishedAt: z.date().nullable(),
  createdAt: z.date(),
});
const summaryView = (r: BacktestSummary): z.infer<typeof summaryOutput> => ({
  id: r.id,
  name: r.name,
  strategyId: r.strategyId,
  curatedId: r.curatedId,
  strategyVersion: r.strategyVersion,
  params: r.params,
  symbol: r.symbol,
  timeframe: r.timeframe,
  dataFrom: r.dataFrom,
  dataTo: r.dataTo,
  status: r.status,
  barsDone: r.barsDone,
  barsTotal: r.barsTotal,
  tradeCount: r.tradeCount,
  error: r.error,
  startedAt: r.startedAt,
  finishedAt: r.finishedAt,
  createdAt: r.createdAt,
});

const statRow = z.object({ key: z.string(), label: z.string(), value: z.number().nullable() });
const TRACK_RECORD_NAMES: Record<string, string> = {
  roi: "ROI (standard account)",
  winRate: "Win rate",
  profitFactor: "Profit factor",
  maxDrawdown: "Max drawdown",
  sharpe: "Sharpe (daily, √365)",
  sortino: "Sortino (daily, √365)",
  expectancy: "Expectancy (mean return)",
  avgR: "Average R",
  avgHoldHours: "Average hold (hours)",
  closedSignals: "Closed trades",
};

const detailOutput = summaryOutput.extend({
  /** Always true: a backtest is a simulation, never a live record. */
  hypothetical: z.literal(true),
  rules: rulesOutput.nullable(),
  settings: z.object({
    cash: z.number(),
    commissionPct: z.number(),
    slippageBps: z.number(),
    sizing: z.object({ mode: z.enum(["fraction", "quantity", "risk"]), value: z.number() }),
  }).nullable(),
  stats: z
    .object({
      backtestingPy: z.object({ label: z.string(), rows: z.array(statRow) }),
      trackRecord: z.object({ label: z.string(), rows: z.array(statRow) }).nullable(),
      gaps: z.number().nullable(),
    })
    .nullable(),
  equity: z.array(z.object({ time: z.number(), equity: z.number(), drawdownPct: z.number() })),
  trades: z.array(
    z.object({
      side: z.enum(["long", "short"]),
      size: z.number(),
      entryTime: z.number(),
      entryPrice: z.number(),
      exitTime: z.number(),
      exitPrice: z.number(),
      pnl: z.number(),
      returnPct: z.number(),
      exitReason: z.string(),
    }),
  ),
});

function statsView(stats: Record<string, number | null> | null): z.infer<typeof detailOutput>["stats"] {
  if (!stats) return null;
  const bt = Object.entries(BACKTESTING_PY_NAMES).map(([key, label]) => ({ key, label, value: stats[`backtestingPy.${key}`] ?? null }));
  const hasTr = Object.keys(stats).some((k) => k.startsWith("trackRecord."));
  const tr = Object.entries(TRACK_RECORD_NAMES).map(([key, label]) => ({ key, label, value: stats[`trackRecord.${key}`] ?? null }));
  return {
    backtestingPy: { label: BACKTESTING_PY_LABEL, rows: bt },
    trackRecord: hasTr ? { label: "Tradsy track-record definitions (10% of equity per trade, 0.1% fee per side)", rows: tr } : null,
    gaps: stats["engine.gaps"] ?? null,
  };
}

function detailView(r: BacktestRow): z.infer<typeof detailOutput> {
  const s = r.settings as Record<string, unknown>;
  const settings = typeof s.cash === "number" ? (s as z.infer<typeof detailOutput>["settings"]) : null;
  return {
    ...summaryView(r),
    hypothetical: true,
    rules: r.rules,
    settings: settings && { cash: settings.cash, commissionPct: settings.commissionPct, slippageBps: settings.slippageBps, sizing: settings.sizing },
    stats: statsView(r.stats),
    equity: r.equity ?? [],
    trades: r.trades ?? [],
  };
}

const strategiesRouter = createTRPCRouter({
  list: protectedProcedure
    .input(z.void())
    .output(z.array(strategyOutput))
    .query(async ({ ctx }) => (await listStrategies(ctx.service)).map(strategyView)),

  get: protectedProcedure
    .input(strategyId)
    .output(strategyOutput)
    .query(async ({ ctx, input }) => strategyView(await getStrategy(ctx.service, input.id))),

  create: protectedProcedure
    .input(z.object({ name: strategyName, rules: rulesInput }))
    .output(strategyOutput)
    .mutation(async ({ ctx, input }) => strategyView(await createStrategy(ctx.service, input))),

  /** A changed document bumps the version; the name alone does not. */
  update: protectedProcedure
    .input(strategyId.extend({ name: strategyName.optional(), rules: z.unknown().optional() }))
    .output(strategyOutput)
    .mutation(async ({ ctx, input }) => strategyView(await updateStrategy(ctx.service, input.id, { name: input.name, rules: input.rules }))),

  delete: protectedProcedure
    .input(strategyId)
    .output(z.object({ deleted: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await deleteStrategy(ctx.service, input.id);
      return { deleted: true as const };
    }),
});

const backtestsRouter = createTRPCRouter({
  /** Starts a run off the request thread and answers at once; poll `get` for progress. 429 past the concurrency caps. */
  start: protectedProcedure
    .input(startBacktestSchema)
    .output(summaryOutput)
    .mutation(async ({ ctx, input }) => summaryView(await startBacktest(ctx.service, input))),

  get: protectedProcedure
    .input(backtestId)
    .output(detailOutput)
    .query(async ({ ctx, input }) => detailView(await getBacktest(ctx.service, input.id))),

  list: protectedProcedure
    .input(z.object({ strategyId: labId("strategy").optional(), limit: z.number().int().min(1, "Ask for at least 1").max(100, "At most 100").default(20) }).default({ limit: 20 }))
    .output(z.array(summaryOutput))
    .query(async ({ ctx, input }) => (await listBacktests(ctx.service, input)).map(summaryView)),

  /** The run's price bars for its chart (merged to at most 2,000), read again from the market-data port. */
  candles: protectedProcedure
    .input(backtestId)
    .output(z.array(z.object({ time: z.number(), open: z.number(), high: z.number(), low: z.number(), close: z.number() })))
    .query(({ ctx, input }) => backtestCandles(ctx.service, input.id)),

  cancel: protectedProcedure
    .input(backtestId)
    .output(summaryOutput)
    .mutation(async ({ ctx, input }) => summaryView(await cancelBacktest(ctx.service, input.id))),
});

const optimizationId = z.object({ id: labId("optimisation") });
const paramValue = z.union([z.number(), z.string()]);
const figures = z.object({
  returnPct: z.number(),
  maxDrawdownPct: z.number(),
  sharpe: z.number().nullable(),
  sortino: z.number().nullable(),
  trades: z.number(),
  winRatePct: z.number().nullable(),
  profitFactor: z.number().nullable(),
  sqn: z.number().nullable(),
});

const optimizationOutput = z.object({
  id: z.string(),
  kind: z.enum(["optimize", "walk-forward"]),
  curatedId: z.string(),
  name: z.string(),
  method: z.enum(["grid", "bayes"]),
  objective: z.string(),
  minTrades: z.number(),
  space: z.object({
    dimensions: z.array(z.object({ name: z.string(), kind: z.enum(["int", "float", "choice"]), min: z.number().optional(), max: z.number().optional(), step: z.number().optional() })),
    constraints: z.array(z.object({ a: z.string(), op: z.string(), b: z.string() })),
  }),
  budget: z.number(),
  symbol: z.string(),
  timeframe: z.string(),
  dataFrom: z.date().nullable(),
  dataTo: z.date().nullable(),
  windows: z.object({ mode: z.enum(["rolling", "anchored"]), trainBars: z.number(), testBars: z.number() }).nullable(),
  status,
  trialsDone: z.number(),
  windowsDone: z.number(),
  windowsTotal: z.number(),
  bestValue: z.number().nullable(),
  bestParams: z.record(z.string(), paramValue).nullable(),
  error: z.string().nullable(),
  startedAt: z.date().nullable(),
  finishedAt: z.date().nullable(),
  createdAt: z.date(),
  /** Server time of this answer, so the page's ETA does not depend on the browser's clock. */
  now: z.date(),
});
const optimizationView = (r: OptimizationRow, now: Date): z.infer<typeof optimizationOutput> => ({
  id: r.id,
  kind: r.kind,
  curatedId: r.curatedId,
  name: r.name,
  method: r.method,
  objective: r.objective,
  minTrades: r.minTrades,
  space: {
    dimensions: r.space.dimensions.map((d) => (d.kind === "choice" ? { name: d.name, kind: d.kind } : { name: d.name, kind: d.kind, min: d.min, max: d.max, step: d.step })),
    constraints: [...(r.space.constraints ?? [])],
  },
  budget: r.budget,
  symbol: r.symbol,
  timeframe: r.timeframe,
  dataFrom: r.dataFrom,
  dataTo: r.dataTo,
  windows: r.windows ?? null,
  status: r.status,
  trialsDone: r.trialsDone,
  windowsDone: r.windowsDone,
  windowsTotal: r.windowsTotal,
  bestValue: r.bestValue,
  bestParams: r.bestParams ?? null,
  error: r.error,
  startedAt: r.startedAt,
  finishedAt: r.finishedAt,
  createdAt: r.createdAt,
  now,
});

const trialOutput = z.object({
  seq: z.number(),
  params: z.record(z.string(), paramValue),
  value: z.number().nullable(),
  reason: z.string().nullable(),
  trades: z.number(),
  returnPct: z.number(),
  maxDrawdownPct: z.number(),
  sharpe: z.number().nullable(),
  winRatePct: z.number().nullable(),
});

const optimizationDetailOutput = optimizationOutput.extend({
  /** Always true: an optimisation is a simulation. */
  hypothetical: z.literal(true),
  top: z.array(trialOutput),
  points: z.array(z.object({ seq: z.number(), params: z.record(z.string(), paramValue), value: z.number().nullable() })),
  importance: z.array(z.object({ name: z.string(), eta2: z.number(), share: z.number() })),
  walkForward: z
    .object({
      windows: z.array(
        z.object({
          index: z.number(),
          trainFrom: z.number(),
          testFrom: z.number(),
          testTo: z.number(),
          params: z.record(z.string(), paramValue).nullable(),
          trials: z.number(),
          inSampleValue: z.number().nullable(),
          outOfSample: figures.nullable(),
          outOfSampleValue: z.number().nullable(),
        }),
      ),
      stitched: figures,
      equity: z.array(z.object({ time: z.number(), equity: z.number(), drawdownPct: z.number() })),
      inSampleMean: z.number().nullable(),
      outOfSampleMean: z.number().nullable(),
      efficiency: z.number().nullable(),
      profitableWindows: z.number(),
      warning: z.string().nullable(),
    })
    .nullable(),
});

function optimizationDetailView(d: OptimizationDetail, now: Date): z.infer<typeof optimizationDetailOutput> {
  const wf = d.row.result;
  return {
    ...optimizationView(d.row, now),
    hypothetical: true,
    top: d.top.map((t) => ({ seq: t.seq, params: t.params, value: t.value, reason: t.reason, trades: t.trades, returnPct: t.returnPct, maxDrawdownPct: t.maxDrawdownPct, sharpe: t.sharpe, winRatePct: t.winRatePct })),
    points: d.points,
    importance: d.importance,
    walkForward: wf
      ? {
          windows: wf.windows.map((w) => ({
            index: w.span.index,
            trainFrom: w.trainFrom,
            testFrom: w.testFrom,
            testTo: w.testTo,
            params: w.params,
            trials: w.trials,
            inSampleValue: w.inSample?.value ?? null,
            outOfSample: w.outOfSample,
            outOfSampleValue: w.outOfSampleValue,
          })),
          stitched: wf.stitched,
          equity: wf.equity,
          inSampleMean: wf.inSampleMean,
          outOfSampleMean: wf.outOfSampleMean,
          efficiency: wf.efficiency,
          profitableWindows: wf.profitableWindows,
          warning: wf.warning,
        }
      : null,
  };
}

const optimizationsRouter = createTRPCRouter({
  /** Starts an optimisation or walk-forward run off the request thread and answers at once; poll `get`. */
  start: protectedProcedure
    .input(startOptimizationSchema)
    .output(optimizationOutput)
    .mutation(async ({ ctx, input }) => optimizationView(await startOptimization(ctx.service, input), ctx.service.now)),

  get: protectedProcedure
    .input(optimizationId)
    .output(optimizationDetailOutput)
    .query(async ({ ctx, input }) => optimizationDetailView(await getOptimization(ctx.service, input.id), ctx.service.now)),

  list: protectedProcedure
    .input(z.object({ limit: z.number().int().min(1, "Ask for at least 1").max(100, "At most 100").default(20) }).default({ limit: 20 }))
    .output(z.array(optimizationOutput))
    .query(async ({ ctx, input }) => (await listOptimizations(ctx.service, input.limit)).map((r) => optimizationView(r, ctx.service.now))),

  cancel: protectedProcedure
    .input(optimizationId)
    .output(optimizationOutput)
    .mutation(async ({ ctx, input }) => optimizationView(await cancelOptimization(ctx.service, input.id), ctx.service.now)),

  resume: protectedProcedure
    .input(optimizationId)
    .output(optimizationOutput)
    .mutation(async ({ ctx, input }) => optimizationView(await resumeOptimization(ctx.service, input.id), ctx.service.now)),
});

export const labRouter = createTRPCRouter({
  strategies: strategiesRouter,
  backtests: backtestsRouter,
  optimizations: optimizationsRouter,

  /** The markets a backtest can run on, with the timeframes offered (stocks daily only: their hours are not 24/7). */
  symbols: protectedProcedure
    .input(z.void())
    .output(z.object({ source: z.enum(["replay", "ccxt", "synthetic"]), symbols: z.array(z.object({ symbol: z.string(), market: z.string(), timeframes: z.array(z.enum(LAB_TIMEFRAMES)) })) }))
    .query(() => labSymbols()),
});
