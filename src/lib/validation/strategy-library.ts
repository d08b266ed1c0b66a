/**
 * Strategy Library inputs (issue 19), shared by the library router, the Settings form and the onboarding step: the
 * library's filters and the trader's profile (risk tolerance and experience; null = not answered).
 */
import { z } from "zod";
import type { Market, RiskLevel, StyleTag, Timeframe } from "@/lib/strategy-library/catalogue";

// Spelled out rather than imported so the browser forms do not bundle the catalogue's strategy code; the `satisfies`
// clauses fail to compile if the catalogue's lists change.
const MARKETS = ["crypto", "stocks", "forex"] as const satisfies readonly Market[];
const TIMEFRAMES = ["1h", "4h", "1d"] as const satisfies readonly Timeframe[];
const STYLE_TAGS = ["trend-following", "mean-reversion", "breakout"] as const satisfies readonly StyleTag[];
const RISK_LEVELS = ["low", "medium", "high"] as const satisfies readonly RiskLevel[];

export const RISK_TOLERANCES = ["low", "medium", "high"] as const;
export const EXPERIENCE_LEVELS = ["beginner", "intermediate", "expert"] as const;

export const tradingProfileSchema = z.object(
  {
    riskTolerance: z.enum(RISK_TOLERANCES, { error: "Choose low, medium or high risk tolerance, or leave it unanswered" }).nullable(),
    experience: z.enum(EXPERIENCE_LEVELS, { error: "Choose beginner, intermediate or expert, or leave it unanswered" }).nullable(),
  },
  { error: "Send your risk tolerance and experience" },
);
export type TradingProfileInput = z.infer<typeof tradingProfileSchema>;

export const libraryFiltersSchema = z
  .object({
    market: z.enum(MARKETS, { error: "Choose crypto, stocks or forex" }).optional(),
    timeframe: z.enum(TIMEFRAMES, { error: "Choose 1h, 4h or 1d" }).optional(),
    tag: z.enum(STYLE_TAGS, { error: "Choose trend-following, mean-reversion or breakout" }).optional(),
    risk: z.enum(RISK_LEVELS, { error: "Choose low, medium or high risk" }).optional(),
    complexity: z.union([z.literal(1), z.literal(2), z.literal(3)], { error: "Complexity is 1, 2 or 3" }).optional(),
  })
  .default({});
export type LibraryFilters = z.infer<typeof libraryFiltersSchema>;

export const RISK_TOLERANCE_LABELS: Readonly<Record<(typeof RISK_TOLERANCES)[number], string>> = {
  low: "Low — I would rather give up return than see deep falls",
  medium: "Medium — I accept falls of up to about a third",
  high: "High — I accept deep falls for a chance of higher return",
};
export const EXPERIENCE_LABELS: Readonly<Record<(typeof EXPERIENCE_LEVELS)[number], string>> = {
  beginner: "Beginner — New to trading or to automated strategies",
  intermediate: "Intermediate — I have traded with indicators before",
  expert: "Expert — I design and test my own strategies",
};

/** The profile form's values: "" is "not answered", sent as null. */
export const tradingProfileFormSchema = z
  .object({
    riskTolerance: z.enum(["", ...RISK_TOLERANCES], { error: "Choose a risk tolerance, or \"Prefer not to say\"" }),
    experience: z.enum(["", ...EXPERIENCE_LEVELS], { error: "Choose an experience level, or \"Prefer not to say\"" }),
  })
  .transform((v): TradingProfileInput => ({ riskTolerance: v.riskTolerance || null, experience: v.experience || null }));
