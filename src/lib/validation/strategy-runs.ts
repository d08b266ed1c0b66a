/**
 * Inputs for running a strategy live as an automated provider (issue 19), shared by the strategyRuns router and the
 * start form. Messages are written for people.
 */
import { z } from "zod";
import { priceSchema } from "./billing";
import { TIMEFRAMES } from "@/lib/market-data/types";

const id = (what: string) => z.string({ error: `Choose a ${what}` }).trim().min(1, `Choose a ${what}`).max(64, `That ${what} id is not valid`);

/** A daily loss limit: a fraction of the day's starting equity, as text ("0.05" is 5%). */
export const maxDailyLossSchema = z
  .union([z.string(), z.number()], { error: "Enter the daily loss limit as a fraction, like 0.05 for 5%" })
  .transform((v) => String(v).trim())
  .refine((v) => /^(0(\.\d{1,4})?|1(\.0{1,4})?)$/.test(v), "Enter the daily loss limit as a fraction with at most 4 decimals, like 0.05 for 5%")
  .refine((v) => Number(v) >= 0.001, "The daily loss limit must be at least 0.001 (0.1%)")
  .refine((v) => Number(v) <= 0.5, "The daily loss limit can be at most 0.5 (50%)");

export const maxTradesPerDaySchema = z
  .number({ error: "Enter the most trades a day" })
  .int("Trades a day is a whole number")
  .min(1, "Allow at least 1 trade a day")
  .max(100, "At most 100 trades a day");

export const runLimitsSchema = z.object({ maxDailyLoss: maxDailyLossSchema, maxTradesPerDay: maxTradesPerDaySchema });

export const runSourceSchema = z.discriminatedUnion(
  "kind",
  [
    z.object({
      kind: z.literal("curated"),
      curatedId: id("curated strategy"),
      params: z.record(z.string().max(40), z.number({ error: "Parameters are numbers" })).default({}),
    }),
    z.object({ kind: z.literal("own"), strategyId: id("strategy") }),
  ],
  { error: "Choose a curated strategy or one of your own" },
);

export const startRunSchema = z.object({
  source: runSourceSchema,
  name: z.string().trim().max(60, "Keep the name under 60 characters").optional(),
  symbol: z.string({ error: "Choose a symbol" }).trim().min(1, "Choose a symbol").max(40, "That symbol is too long"),
  timeframe: z.enum(TIMEFRAMES, { error: `Choose a timeframe: ${TIMEFRAMES.join(", ")}` }),
  maxDailyLoss: maxDailyLossSchema.default("0.05"),
  maxTradesPerDay: maxTradesPerDaySchema.default(10),
  priceCents: z.number().int("The price is in whole cents").min(100, "The price must be at least $1").max(100_000, "The price can be at most $1,000").optional(),
  confirm: z.literal(true, { error: "Confirm that the strategy publishes live signals on its public record" }),
});
export type StartRunInput = z.input<typeof startRunSchema>;

export const runIdSchema = z.object({ id: id("running strategy") });

export const stopRunSchema = z.object({
  id: id("running strategy"),
  reason: z.string().trim().max(300, "Keep the reason under 300 characters").optional(),
});

export const updateLimitsSchema = runIdSchema.extend(runLimitsSchema.shape);

/** A running strategy's monthly price and trial for its subscribers (the same rules as a provider's own price). */
export const runPriceSchema = runIdSchema.extend(priceSchema.shape);

/** An A/B (shadow) test of a running curated strategy (issue 20): one to three challengers and the test's plan. */
export const startAbTestSchema = runIdSchema.extend({
  challengers: z
    .array(z.object({ params: z.record(z.string().max(40), z.number({ error: "Parameters are numbers" })) }), { error: "Add a challenger" })
    .min(1, "Add at least one challenger")
    .max(3, "At most three challengers"),
  /** The smallest difference worth detecting, in standard deviations of per-trade returns (Cohen's d). */
  effectSize: z.number({ error: "Enter the effect size" }).min(0.1, "The effect size must be at least 0.1").max(2, "The effect size can be at most 2").default(0.3),
  alpha: z.number({ error: "Enter alpha" }).min(0.001, "Alpha must be at least 0.001").max(0.2, "Alpha can be at most 0.2").default(0.05),
  power: z.number({ error: "Enter the power" }).min(0.5, "Power must be at least 0.5").max(0.99, "Power can be at most 0.99").default(0.8),
});
export type StartAbTestInput = z.input<typeof startAbTestSchema>;

export const abTestIdSchema = z.object({ id: id("A/B test") });
