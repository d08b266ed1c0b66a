/**
 * Recommendations from a trader's risk tolerance and experience (both asked at onboarding). The rule:
 * 1. Complexity cap by experience: beginner 1, intermediate 2, expert 3 (see the catalogue's complexity scale).
 * 2. Drawdown cap by risk tolerance, on the strategy's backtest max drawdown (percent): low 20, medium 40,
 *    high none. A beginner's cap is at most the medium one whatever their tolerance (a first strategy should not
 *    be able to halve an account in the backtest). Without stats for a strategy its catalogue risk level stands in:
 *    it must not exceed the tolerance (beginner: at most medium).
 * 3. The strategies that pass are ranked by backtest Sharpe ratio (highest first; none last), then by lower
 *    drawdown, then by id.
 */
import type { BacktestingPyStats } from "@/lib/engine";
import { RISK_LEVELS, type CuratedStrategy, type RiskLevel } from "./catalogue";

export type Experience = "beginner" | "intermediate" | "expert";

export interface TraderProfile {
  riskTolerance: RiskLevel;
  experience: Experience;
}

export const COMPLEXITY_CAP: Readonly<Record<Experience, number>> = { beginner: 1, intermediate: 2, expert: 3 };
export const DRAWDOWN_CAP_PCT: Readonly<Record<RiskLevel, number>> = { low: 20, medium: 40, high: Infinity };

export type StrategyStats = Pick<BacktestingPyStats, "maxDrawdownPct" | "sharpe">;

export interface Recommendation {
  strategy: CuratedStrategy;
  maxDrawdownPct: number | null;
  sharpe: number | null;
}

export function recommend(
  profile: TraderProfile,
  catalogue: readonly CuratedStrategy[],
  stats: Readonly<Record<string, StrategyStats | undefined>>,
): Recommendation[] {
  const tolerance: RiskLevel = profile.experience === "beginner" && profile.riskTolerance === "high" ? "medium" : profile.riskTolerance;
  const ddCap = DRAWDOWN_CAP_PCT[tolerance];
  const complexityCap = COMPLEXITY_CAP[profile.experience];
  const out: Recommendation[] = [];
  for (const strategy of catalogue) {
    if (strategy.complexity > complexityCap) continue;
    const s = stats[strategy.id];
    if (s) {
      if (Math.abs(s.maxDrawdownPct) > ddCap) continue;
    } else if (RISK_LEVELS.indexOf(strategy.riskLevel) > RISK_LEVELS.indexOf(tolerance)) continue;
    out.push({ strategy, maxDrawdownPct: s ? Math.abs(s.maxDrawdownPct) : null, sharpe: s?.sharpe ?? null });
  }
  return out.sort(
    (a, b) =>
      (b.sharpe ?? -Infinity) - (a.sharpe ?? -Infinity) ||
      (a.maxDrawdownPct ?? Infinity) - (b.maxDrawdownPct ?? Infinity) ||
      (a.strategy.id < b.strategy.id ? -1 : 1),
  );
}
