import { describe, expect, it } from "vitest";
import { tradesNeeded } from "./abtest";
import { bannerOf, challengerIssues, describeParams, formatP, paramLabel, planPreview, progressPct, type BannerInput, type ParamBounds } from "./ab-view";

const DEFS: ParamBounds[] = [
  { name: "fast", default: 12, min: 2, max: 100, step: 1, description: "" },
  { name: "slow", default: 26, min: 5, max: 300, step: 1, description: "" },
  { name: "multiplier", default: 2, min: 0.5, max: 4, step: 0.1, description: "" },
];
const FAST_BELOW_SLOW = [{ a: "fast", op: "<", b: "slow" }] as const;

describe("planPreview", () => {
  it("splits alpha across the challengers (Bonferroni) before computing the trades, as the server does", () => {
    const one = planPreview({ challengers: 1, effectSize: 0.3, alpha: 0.05, power: 0.8 })!;
    const three = planPreview({ challengers: 3, effectSize: 0.3, alpha: 0.05, power: 0.8 })!;
    expect(one).toEqual({ alphaPerComparison: 0.05, tradesNeeded: tradesNeeded({ effectSize: 0.3, alpha: 0.05, power: 0.8 }).n1 });
    expect(three.alphaPerComparison).toBeCloseTo(0.05 / 3, 15);
    expect(three.tradesNeeded).toBe(tradesNeeded({ effectSize: 0.3, alpha: 0.05 / 3, power: 0.8 }).n1);
    // A stricter alpha per comparison needs more trades.
    expect(three.tradesNeeded).toBeGreaterThan(one.tradesNeeded);
  });

  it("gives nothing outside the bounds the server accepts", () => {
    expect(planPreview({ challengers: 1, effectSize: 0.05, alpha: 0.05, power: 0.8 })).toBeNull();
    expect(planPreview({ challengers: 1, effectSize: 0.3, alpha: 0.5, power: 0.8 })).toBeNull();
    expect(planPreview({ challengers: 1, effectSize: 0.3, alpha: 0.05, power: 0.995 })).toBeNull();
    expect(planPreview({ challengers: 4, effectSize: 0.3, alpha: 0.05, power: 0.8 })).toBeNull();
    expect(planPreview({ challengers: 1, effectSize: Number.NaN, alpha: 0.05, power: 0.8 })).toBeNull();
  });
});

describe("challengerIssues", () => {
  const ok = { fast: 5, slow: 20, multiplier: 2.5 };
  it("accepts a valid set and refuses out-of-bounds, fractional counts and broken constraints", () => {
    expect(challengerIssues(DEFS, FAST_BELOW_SLOW, ok, [])).toEqual({ fields: {}, set: null });
    expect(challengerIssues(DEFS, FAST_BELOW_SLOW, { ...ok, fast: 1 }, []).fields).toEqual({ fast: "Between 2 and 100" });
    expect(challengerIssues(DEFS, FAST_BELOW_SLOW, { ...ok, slow: 20.5 }, []).fields).toEqual({ slow: "A whole number" });
    expect(challengerIssues(DEFS, FAST_BELOW_SLOW, { ...ok, multiplier: 2.55 }, []).fields).toEqual({});
    expect(challengerIssues(DEFS, FAST_BELOW_SLOW, { ...ok, fast: 30 }, []).set).toBe("Fast must be less than slow");
    expect(challengerIssues(DEFS, FAST_BELOW_SLOW, { fast: 5, slow: 20 }, []).fields).toEqual({ multiplier: "Enter multiplier" });
  });

  it("refuses a set already in the test, whatever the key order", () => {
    expect(challengerIssues(DEFS, [], ok, [{ multiplier: 2.5, slow: 20, fast: 5 }]).set).toBe("These parameters are already in the test");
    expect(challengerIssues(DEFS, [], ok, [{ ...ok, fast: 6 }]).set).toBeNull();
  });
});

describe("formats", () => {
  it("labels parameters and describes a set in the catalogue's order", () => {
    expect(paramLabel("trendPeriod")).toBe("Trend period");
    expect(paramLabel("fast")).toBe("Fast");
    expect(describeParams({ slow: 8, fast: 3 }, DEFS)).toBe("Fast 3 · Slow 8");
  });

  it("writes p-values and progress", () => {
    expect(formatP(0.07695)).toBe("0.077");
    expect(formatP(0.0004)).toBe("< 0.001");
    expect(formatP(null)).toBe("—");
    expect(progressPct(12, 64)).toBe(18);
    expect(progressPct(80, 64)).toBe(100);
    expect(progressPct(3, 0)).toBe(0);
  });
});

describe("bannerOf", () => {
  const base: BannerInput = {
    status: "running",
    winner: null,
    tradesNeeded: 64,
    promotedVersion: null,
    result: { horizonReached: false, variants: [{ trades: 40 }, { trades: 12 }], comparisons: [{ label: "B", test: { pValue: 0.001 } }] },
  };

  it("calls anything before the horizon interim, even a small p-value", () => {
    const b = bannerOf(base);
    expect(b).toMatchObject({ tone: "warning", title: "Interim — not a decision", decided: false });
    expect(b.detail).toContain("64 closed trades; the fewest so far is 12");
    expect(bannerOf({ ...base, result: null }).detail).toContain("the fewest so far is 0");
    expect(bannerOf({ ...base, status: "stopped" }).title).toBe("Stopped before a decision");
  });

  it("names the winner with its p-value, or says A stays", () => {
    const reached = { ...base.result!, horizonReached: true, comparisons: [{ label: "B", test: { pValue: 0.0123 } }, { label: "C", test: { pValue: 0.4 } }] };
    expect(bannerOf({ ...base, status: "decided", winner: "B", result: reached })).toMatchObject({ tone: "success", title: "Decided: B beats A (p = 0.012)", decided: true });
    expect(bannerOf({ ...base, status: "decided", winner: "A", result: reached })).toMatchObject({ tone: "info", title: "No challenger beat the running version" });
    expect(bannerOf({ ...base, status: "promoted", winner: "B", promotedVersion: 3, result: reached }).detail).toContain("as version 3");
    expect(bannerOf({ ...base, status: "stopped", winner: "B", result: reached }).detail).toContain("stopped without promoting");
  });
});
