/** The lab job's pure parts: equity downsampling keeps the worst drawdown and the last bar; settings map onto the engine. */
import { describe, expect, it } from "vitest";
import { downsampleEquity, engineConfigOf, MAX_EQUITY_POINTS } from "./job";

describe("downsampleEquity", () => {
  it("keeps every point of a short curve, with drawdown from the running peak in percent", () => {
    expect(downsampleEquity([1, 2, 3, 4], [100, 120, 90, 130], 10)).toEqual([
      { time: 1, equity: 100, drawdownPct: 0 },
      { time: 2, equity: 120, drawdownPct: 0 },
      { time: 3, equity: 90, drawdownPct: -25 },
      { time: 4, equity: 130, drawdownPct: 0 },
    ]);
  });

  it("caps a long curve at the limit, ascending in time, keeping the deepest drawdown and the last bar", () => {
    const n = 100_003;
    const time = Array.from({ length: n }, (_, i) => i);
    const equity = Array.from({ length: n }, (_, i) => 10_000 + 1_000 * Math.sin(i / 500) + (i === 54_321 ? -5_000 : 0));
    const out = downsampleEquity(time, equity, MAX_EQUITY_POINTS);
    expect(out.length).toBeLessThanOrEqual(MAX_EQUITY_POINTS);
    expect(out.length).toBeGreaterThan(MAX_EQUITY_POINTS - 5);
    for (let i = 1; i < out.length; i++) expect(out[i]!.time).toBeGreaterThan(out[i - 1]!.time);
    expect(out.at(-1)!.time).toBe(n - 1);
    const worst = Math.min(...out.map((p) => p.drawdownPct));
    expect(out.find((p) => p.drawdownPct === worst)!.time).toBe(54_321);
  });
});

describe("engineConfigOf", () => {
  it("turns percent commission into a rate and sizing into the engine's size", () => {
    expect(engineConfigOf({ cash: 5_000, commissionPct: 0.1, slippageBps: 3, sizing: { mode: "risk", value: 0.01 } }, 3_600_000)).toEqual({
      cash: 5_000,
      commission: { relative: 0.001, fixed: 0 },
      slippageBps: 3,
      quantityStep: 0,
      defaultSize: { risk: 0.01 },
      endOfData: "close-at-last-close",
      intervalMs: 3_600_000,
    });
  });
});
