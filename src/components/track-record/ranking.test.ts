/**
 * How ranking reads (issue 11, item 8): an unranked provider says what it still lacks ("12 of 20 closed signals",
 * "18 of 30 days"), and a ranked provider with a negative risk-adjusted score is marked as such (its score with its
 * sign, a loss tone, a group of its own between the positive ranks and the unranked), never as a plain "Ranked #5".
 */
import { describe, expect, it } from "vitest";
import { missingForRanking, rankBadge, rankGroup, signedScore, unrankedReason } from "./ranking";

const NOW = new Date("2026-12-01T12:00:00Z");
const daysAgo = (d: number) => new Date(NOW.getTime() - d * 86_400_000);

describe("unrankedReason", () => {
  it("names each threshold still missing, with the count so far", () => {
    expect(unrankedReason({ closedSignals: 12, firstSignalAt: daysAgo(18), ranked: false }, NOW)).toBe("12 of 20 closed signals, 18 of 30 days");
    expect(unrankedReason({ closedSignals: 12, firstSignalAt: daysAgo(45), ranked: false }, NOW)).toBe("12 of 20 closed signals");
    expect(unrankedReason({ closedSignals: 25, firstSignalAt: daysAgo(9).toISOString(), ranked: false }, NOW)).toBe("9 of 30 days");
    expect(missingForRanking({ closedSignals: 1, firstSignalAt: daysAgo(1) }, NOW)).toEqual(["1 of 20 closed signals", "1 of 30 days"]);
  });

  it("counts a provider with no figures as having nothing yet, and a ranked one as having no reason", () => {
    expect(unrankedReason(null, NOW)).toBe("0 of 20 closed signals, 0 of 30 days");
    expect(unrankedReason({ closedSignals: 0, firstSignalAt: null, ranked: false }, NOW)).toBe("0 of 20 closed signals, 0 of 30 days");
    expect(unrankedReason({ closedSignals: 40, firstSignalAt: daysAgo(90), ranked: true, score: "1.2" }, NOW)).toBeNull();
  });

  it("says a provider that meets both thresholds by now is ranked at the next update, rather than showing nothing", () => {
    expect(unrankedReason({ closedSignals: 20, firstSignalAt: daysAgo(30), ranked: false }, NOW)).toBe("qualifies; ranked when its figures next update");
  });
});

describe("negative scores", () => {
  it("shows a score with its sign", () => {
    expect(signedScore("1.254")).toBe("+1.25");
    expect(signedScore("-0.4213")).toBe("-0.42");
    expect(signedScore("-0.001")).toBe("0.00");
    expect(signedScore(null)).toBe("—");
  });

  it("puts a ranked negative score in a group of its own, between the positive ranks and the unranked", () => {
    expect(rankGroup({ closedSignals: 30, firstSignalAt: daysAgo(60), ranked: true, score: "0.8" })).toBe("ranked");
    expect(rankGroup({ closedSignals: 30, firstSignalAt: daysAgo(60), ranked: true, score: "0" })).toBe("ranked");
    expect(rankGroup({ closedSignals: 30, firstSignalAt: daysAgo(60), ranked: true, score: "-5.96" })).toBe("negative");
    // A high score that is not ranked yet (too few signals) is no rank at all.
    expect(rankGroup({ closedSignals: 12, firstSignalAt: daysAgo(18), ranked: false, score: "9.9" })).toBe("unranked");
    expect(rankGroup(null)).toBe("unranked");
  });

  it("labels a negative rank with its signed score in the loss tone, never as a plain 'Ranked #n'", () => {
    const negative = rankBadge({ closedSignals: 30, firstSignalAt: daysAgo(60), ranked: true, score: "-5.96", rank: 5 }, NOW);
    expect(negative).toMatchObject({ text: "#5 · score -5.96", tone: "red" });
    expect(negative.text).not.toMatch(/^Ranked/);
    expect(negative.label).toMatch(/risk-adjusted score, which is negative \(-5\.96\)/);
    const positive = rankBadge({ closedSignals: 30, firstSignalAt: daysAgo(60), ranked: true, score: "1.5", rank: 1 }, NOW);
    expect(positive).toMatchObject({ text: "Ranked #1", tone: "green", label: "Ranked #1 by risk-adjusted score (+1.50)." });
    const unranked = rankBadge({ closedSignals: 12, firstSignalAt: daysAgo(18), ranked: false, score: null, rank: null }, NOW);
    expect(unranked).toMatchObject({ text: "Unranked", tone: "slate" });
    expect(unranked.label).toContain("12 of 20 closed signals, 18 of 30 days");
  });
});
