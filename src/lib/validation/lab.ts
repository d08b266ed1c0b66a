/**
 * Strategy lab inputs (issue 19), shared by the lab router and the builder's forms: a strategy's name and rules
 * document, a backtest's source, market, range and engine settings. Messages are written for people.
 */
import { z } from "zod";

export const LAB_TIMEFRAMES = ["1h", "1d"] as const;
export type LabTimeframe = (typeof LAB_TIMEFRAMES)[number];

export const strategyName = z
  .string({ error: "Give the strategy a name" })
  .trim()
  .min(1, "Give the strategy a name")
  .max(80, "Keep the name under 80 characters");

/** An id that reaches a URL: short and plain. */
export const labId = (what: string) =>
  z.string({ error: `Choose a ${what}` }).trim().min(1, `Choose a ${what}`).max(64, `That ${what} id is not valid`);

/** The engine's sizing as a form chooses it (EngineConfig.defaultSize; a rules document's own risk.size wins). */
export const sizingSchema = z.discriminatedUnion(
  "mode",
  [
    z.object({
      mode: z.literal("fraction"),
      value: z.number({ error: "Enter a share of equity" }).gt(0, "The share of equity must be above 0").max(1, "At most the whole equity (1)"),
    }),
    z.object({
      mode: z.literal("quantity"),
      value: z.number({ error: "Enter a quantity" }).gt(0, "The quantity must be above 0").max(1e9, "That quantity is too large"),
    }),
    z.object({
      mode: z.literal("risk"),
      value: z.number({ error: "Enter the risk per trade" }).gt(0, "The risk per trade must be above 0").max(0.2, "Risk at most 20% of equity per trade"),
    }),
  ],
  { error: "Choose how trades are sized: fraction, quantity or risk" },
);
export type Sizing = z.infer<typeof sizingSchema>;

/** Hypothetical engine settings (floats by design: this is a simulation, not money we hold). */
export const backtestSettingsSchema = z.object({
  cash: z.number({ error: "Enter the starting cash" }).min(100, "Start with at least 100").max(1e9, "Start with at most 1,000,000,000"),
  /** Per side, in percent of the notional: 0.1 is 0.1%. */
  commissionPct: z.number({ error: "Enter a commission" }).min(0, "Commission cannot be negative").max(5, "Commission is at most 5% per side"),
  slippageBps: z.number({ error: "Enter a slippage" }).min(0, "Slippage cannot be negative").max(500, "Slippage is at most 500 bps (5%)"),
  sizing: sizingSchema,
});
export type BacktestSettings = z.infer<typeof backtestSettingsSchema>;

export const DEFAULT_BACKTEST_SETTINGS: BacktestSettings = { cash: 10_000, commissionPct: 0.1, slippageBps: 0, sizing: { mode: "fraction", value: 1 } };

export const backtestSourceSchema = z.discriminatedUnion(
  "kind",
  [
    z.object({ kind: z.literal("strategy"), strategyId: labId("strategy") }),
    /** An unsaved document from the builder: checked by parseRules in the service (errors at the field's path). */
    z.object({ kind: z.literal("rules"), name: strategyName.optional(), rules: z.unknown() }),
    z.object({
      kind: z.literal("curated"),
      curatedId: labId("curated strategy"),
      params: z.record(z.string().max(40), z.number({ error: "Parameters are numbers" })).optional(),
    }),
  ],
  { error: "Choose what to backtest: a saved strategy, a rules document or a curated strategy" },
);
export type BacktestSource = z.infer<typeof backtestSourceSchema>;

export const startBacktestSchema = z
  .object({
    source: backtestSourceSchema,
    symbol: z.string({ error: "Choose a market" }).trim().min(1, "Choose a market").max(40, "That market is not valid"),
    timeframe: z.enum(LAB_TIMEFRAMES, { error: "Choose 1h or 1d" }),
    /** ms since epoch; omitted: the whole available history (capped at MAX_BACKTEST_BARS). */
    from: z.number().int("Choose a start date").optional(),
    to: z.number().int("Choose an end date").optional(),
    settings: backtestSettingsSchema.default(DEFAULT_BACKTEST_SETTINGS),
  })
  .refine((v) => v.from === undefined || v.to === undefined || v.from < v.to, { message: "The start must be before the end", path: ["from"] });
export type StartBacktestInput = z.input<typeof startBacktestSchema>;

/** Trials one optimisation may run (Bayesian budget, or a grid's points). */
export const MAX_OPTIMIZATION_TRIALS = 2_000;

const paramRangeSchema = z.object({
  min: z.number({ error: "Enter the lowest value" }),
  max: z.number({ error: "Enter the highest value" }),
  step: z.number({ error: "Enter a step" }).gt(0, "The step must be above 0"),
});

export const walkForwardWindowsSchema = z.object({
  mode: z.enum(["rolling", "anchored"], { error: "Choose rolling or anchored windows" }),
  trainBars: z.number({ error: "Enter the training window" }).int("Whole bars").min(50, "Training windows need at least 50 bars").max(50_000, "At most 50,000 bars"),
  testBars: z.number({ error: "Enter the test window" }).int("Whole bars").min(10, "Test windows need at least 10 bars").max(50_000, "At most 50,000 bars"),
});

export const OBJECTIVE_VALUES = ["sharpe", "sortino", "return-drawdown", "profit-factor", "sqn"] as const;

export const startOptimizationSchema = z
  .object({
    curatedId: labId("curated strategy"),
    /** Per parameter: the range and grid step to search (omitted parameters search their declared range). */
    ranges: z.record(z.string().max(40), paramRangeSchema).default({}),
    method: z.enum(["grid", "bayes"], { error: "Choose grid or Bayesian search" }),
    /** Bayesian: trials to run; a grid runs all its points (refused above MAX_OPTIMIZATION_TRIALS). */
    trials: z.number({ error: "Enter the number of trials" }).int("Whole trials").min(10, "Run at least 10 trials").max(MAX_OPTIMIZATION_TRIALS, `At most ${MAX_OPTIMIZATION_TRIALS.toLocaleString("en-US")} trials`).default(100),
    objective: z.enum(OBJECTIVE_VALUES, { error: "Choose what to maximise" }),
    minTrades: z.number({ error: "Enter the minimum trades" }).int("Whole trades").min(0, "At least 0").max(10_000, "At most 10,000").default(10),
    seed: z.number().int().min(0).max(2 ** 31 - 1).optional(),
    symbol: z.string({ error: "Choose a market" }).trim().min(1, "Choose a market").max(40, "That market is not valid"),
    timeframe: z.enum(LAB_TIMEFRAMES, { error: "Choose 1h or 1d" }),
    from: z.number().int("Choose a start date").optional(),
    to: z.number().int("Choose an end date").optional(),
    settings: backtestSettingsSchema.default(DEFAULT_BACKTEST_SETTINGS),
    /** Present: a walk-forward validation with these windows instead of one optimisation over the whole range. */
    walkForward: walkForwardWindowsSchema.optional(),
  })
  .refine((v) => v.from === undefined || v.to === undefined || v.from < v.to, { message: "The start must be before the end", path: ["from"] });
export type StartOptimizationInput = z.input<typeof startOptimizationSchema>;
export type StartOptimization = z.output<typeof startOptimizationSchema>;
