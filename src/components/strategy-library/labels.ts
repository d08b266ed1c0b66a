/**
 * Words and tones for the Strategy Library's pages (issue 19): risk level, complexity, style tags, and the
 * hypothetical backtest figures as text. Pure; shared by the list, the detail page and the recommendations.
 */
import type { Tone } from "@/lib/labels";

export type RiskLevelName = "low" | "medium" | "high";
export type StyleTagName = "trend-following" | "mean-reversion" | "breakout";

export const RISK_LEVEL: Record<RiskLevelName, { label: string; tone: Tone }> = {
  low: { label: "Low risk", tone: "green" },
  medium: { label: "Medium risk", tone: "amber" },
  high: { label: "High risk", tone: "red" },
};

export const COMPLEXITY_LABEL: Record<1 | 2 | 3, string> = { 1: "Simple", 2: "Moderate", 3: "Advanced" };
export const COMPLEXITY_HINT: Record<1 | 2 | 3, string> = {
  1: "one indicator, a one-line rule",
  2: "two indicators or a filter",
  3: "several interacting thresholds",
};

export const TAG_LABEL: Record<StyleTagName, string> = {
  "trend-following": "Trend following",
  "mean-reversion": "Mean reversion",
  breakout: "Breakout",
};

/** The risk-level rule as the pages state it (lib/strategy-library/catalogue's header). */
export const RISK_RULE =
  "Risk level comes from the strategy's backtest on daily GOOG 2004–2013: low if its worst fall stayed within 20% and its annualised volatility within 20%, medium within 40% and 35%, high otherwise.";

export function signedPct(v: number | null | undefined, dp = 1): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "—";
  const r = Number(v.toFixed(dp));
  return `${r > 0 ? "+" : r < 0 ? "−" : ""}${Math.abs(r).toFixed(dp)}%`;
}

export function plainPct(v: number | null | undefined, dp = 1): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "—";
  return `${Math.abs(v).toFixed(dp)}%`;
}

export function ratioText(v: number | null | undefined, dp = 2): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "—";
  const r = Number(v.toFixed(dp));
  return `${r < 0 ? "−" : ""}${Math.abs(r).toFixed(dp)}`;
}

export const gainTone = (v: number | null | undefined) => (v === null || v === undefined || Math.abs(v) < 0.05 ? "text-slate-900" : v > 0 ? "text-gain" : "text-loss");
