/** recommend(): the documented complexity and drawdown caps for each profile, and the ranking. */
import { describe, expect, it } from "vitest";
import { CATALOGUE } from "./catalogue";
import { recommend, type StrategyStats, type TraderProfile } from "./recommend";

// Complexities in the catalogue: rsi7, rsi3, macd 2; ema, sma, bollinger, donchian 1.
const STATS: Record<string, StrategyStats> = {
  "rsi7-reversion": { maxDrawdownPct: -15, sharpe: 0.5 },
  "rsi3-reversion": { maxDrawdownPct: -30, sharpe: 1.2 },
  "macd-cross": { maxDrawdownPct: -45, sharpe: 0.9 },
  "ema-cross": { maxDrawdownPct: -18, sharpe: 0.8 },
  "sma-cross": { maxDrawdownPct: -35, sharpe: 0.6 },
  "bollinger-breakout": { maxDrawdownPct: -25, sharpe: 1.0 },
  "donchian-breakout": { maxDrawdownPct: -50, sharpe: 1.5 },
};

const ids = (profile: TraderProfile, stats: Record<string, StrategyStats | undefined> = STATS) =>
  recommend(profile, CATALOGUE, stats).map((r) => r.strategy.id);

describe("recommend", () => {
  it("beginner, low risk: simple strategies with drawdown ≤ 20%", () => {
    expect(ids({ experience: "beginner", riskTolerance: "low" })).toEqual(["ema-cross"]);
  });
  it("beginner, medium risk: simple strategies with drawdown ≤ 40%, best Sharpe first", () => {
    expect(ids({ experience: "beginner", riskTolerance: "medium" })).toEqual(["bollinger-breakout", "ema-cross", "sma-cross"]);
  });
  it("beginner, high risk: still capped at the medium drawdown", () => {
    expect(ids({ experience: "beginner", riskTolerance: "high" })).toEqual(ids({ experience: "beginner", riskTolerance: "medium" }));
  });
  it("intermediate, low risk: complexity ≤ 2, drawdown ≤ 20%", () => {
    expect(ids({ experience: "intermediate", riskTolerance: "low" })).toEqual(["ema-cross", "rsi7-reversion"]);
  });
  it("intermediate, medium risk", () => {
    expect(ids({ experience: "intermediate", riskTolerance: "medium" })).toEqual([
      "rsi3-reversion",
      "bollinger-breakout",
      "ema-cross",
      "sma-cross",
      "rsi7-reversion",
    ]);
  });
  it("intermediate, high risk: no drawdown cap", () => {
    expect(ids({ experience: "intermediate", riskTolerance: "high" })).toEqual([
      "donchian-breakout",
      "rsi3-reversion",
      "bollinger-breakout",
      "macd-cross",
      "ema-cross",
      "sma-cross",
      "rsi7-reversion",
    ]);
  });
  it("expert, low and high risk", () => {
    expect(ids({ experience: "expert", riskTolerance: "low" })).toEqual(["ema-cross", "rsi7-reversion"]);
    expect(ids({ experience: "expert", riskTolerance: "high" })).toHaveLength(CATALOGUE.length);
  });
  it("without stats the catalogue risk level stands in (high-risk entries out for a medium tolerance), ordered by id", () => {
    expect(ids({ experience: "expert", riskTolerance: "medium" }, {})).toEqual([
      "bollinger-breakout",
      "donchian-breakout",
      "ema-cross",
      "rsi3-reversion",
      "rsi7-reversion",
    ]);
    expect(ids({ experience: "expert", riskTolerance: "low" }, {})).toEqual([]);
  });
  it("a strategy without a Sharpe ratio ranks after those with one, lower drawdown first among equals", () => {
    const stats = { ...STATS, "ema-cross": { maxDrawdownPct: -5, sharpe: null }, "rsi7-reversion": { maxDrawdownPct: -10, sharpe: null } };
    expect(ids({ experience: "intermediate", riskTolerance: "low" }, stats)).toEqual(["ema-cross", "rsi7-reversion"]);
    expect(ids({ experience: "intermediate", riskTolerance: "medium" }, stats).slice(-2)).toEqual(["ema-cross", "rsi7-reversion"]);
  });
});
