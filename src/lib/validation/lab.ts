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
