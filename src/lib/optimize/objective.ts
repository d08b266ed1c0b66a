/**
 * What an optimisation maximises (issue 20): one figure of a backtest by backtesting.py's definitions
 * (src/lib/engine/stats.ts), with a minimum number of trades below which a trial does not count (a Sharpe ratio of
 * three trades is luck, and an optimiser finds luck first).
 *
 * - `sharpe`, `sortino`: the annualised ratios.
 * - `return-drawdown`: total return divided by the maximum drawdown (both percent); undefined without a drawdown.
 * - `profit-factor`: Σ winning trade returns / |Σ losing trade returns|; undefined without a losing trade.
 * - `sqn`: Van Tharp's system quality number, √n · mean P&L / sd P&L.
 * An undefined figure makes the trial infeasible (value null, with the reason), as does too few trades.
 */
import type { BacktestingPyStats } from "@/lib/engine";

export const OBJECTIVES = ["sharpe", "sortino", "return-drawdown", "profit-factor", "sqn"] as const;
export type Objective = (typeof OBJECTIVES)[number];

export const OBJECTIVE_LABELS: Record<Objective, string> = {
  sharpe: "Sharpe ratio",
  sortino: "Sortino ratio",
  "return-drawdown": "Return / max drawdown",
  "profit-factor": "Profit factor",
  sqn: "SQN",
};

export type ObjectiveStats = Pick<BacktestingPyStats, "sharpe" | "sortino" | "returnPct" | "maxDrawdownPct" | "profitFactor" | "sqn" | "trades">;

export type Scored = { value: number; reason: null } | { value: null; reason: string };

export function objectiveValue(stats: ObjectiveStats, objective: Objective, minTrades: number): Scored {
  if (stats.trades < minTrades) return { value: null, reason: `${stats.trades} trades, fewer than the minimum of ${minTrades}` };
  let v: number | null;
  switch (objective) {
    case "sharpe":
      v = stats.sharpe;
      break;
    case "sortino":
      v = stats.sortino;
      break;
    case "return-drawdown":
      v = stats.maxDrawdownPct === 0 ? null : stats.returnPct / Math.abs(stats.maxDrawdownPct);
      break;
    case "profit-factor":
      v = stats.profitFactor;
      break;
    case "sqn":
      v = stats.sqn;
      break;
  }
  if (v === null || !Number.isFinite(v)) return { value: null, reason: `${OBJECTIVE_LABELS[objective]} is undefined for this run` };
  return { value: v, reason: null };
}
