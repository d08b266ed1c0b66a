import { describe, expect, it } from "vitest";
import { gridPoints, type ParamSpace } from "@/lib/optimize/space";
import {
  addSample,
  bestSoFar,
  buildHeatmap,
  divergingColour,
  divergingScale,
  ETA_WINDOW_MS,
  etaText,
  HEATMAP_MAX_BINS,
  heatmapDimensions,
  objectiveMidpoint,
  remainingMs,
  type TrialPoint,
  type ViewSpace,
} from "./optimize-view";

const SMA: ViewSpace = {
  dimensions: [
    { name: "fast", kind: "int", min: 2, max: 10, step: 2 },
    { name: "slow", kind: "int", min: 4, max: 12, step: 4 },
  ],
  constraints: [{ a: "fast", op: "<", b: "slow" }],
};

describe("ETA", () => {
  it("says nothing until two polls differ in progress, then extrapolates the rate between the first and the last", () => {
    let s = addSample([], { at: 1_000, done: 10 });
    expect(remainingMs(s, 100)).toBeNull();
    s = addSample(s, { at: 2_000, done: 10 });
    expect(remainingMs(s, 100)).toBeNull();
    s = addSample(s, { at: 3_000, done: 30 });
    // 20 trials in 2 s: 70 left take 7 s.
    expect(remainingMs(s, 100)).toBeCloseTo(7_000, 6);
    s = addSample(s, { at: 4_000, done: 50 });
    // 40 in 3 s: 50 left take 3.75 s.
    expect(remainingMs(s, 100)).toBeCloseTo(3_750, 6);
  });

  it("ignores a repeated answer, forgets samples older than the window, and starts over when progress goes back", () => {
    const s = addSample([{ at: 1_000, done: 1 }], { at: 1_000, done: 1 });
    expect(s).toHaveLength(1);
    const later = addSample(addSample(s, { at: 2_000, done: 5 }), { at: 2_000 + ETA_WINDOW_MS, done: 9 });
    expect(later.map((x) => x.at)).toEqual([2_000, 2_000 + ETA_WINDOW_MS]);
    expect(addSample(later, { at: 40_000, done: 0 })).toEqual([{ at: 40_000, done: 0 }]);
  });

  it("reads as a person would say it", () => {
    expect(etaText(null)).toBe("estimating…");
    expect(etaText(4_000)).toBe("a few seconds left");
    expect(etaText(42_000)).toBe("about 40 s left");
    expect(etaText(3 * 60_000 + 20_000)).toBe("about 3 min left");
    expect(etaText(65 * 60_000)).toBe("about 1 h 5 min left");
  });
});

describe("best so far", () => {
  it("is the running maximum by trial number, starting at the first trial with a value", () => {
    const pts: TrialPoint[] = [
      { seq: 3, params: {}, value: 0.5 },
      { seq: 1, params: {}, value: null },
      { seq: 2, params: {}, value: -1 },
      { seq: 4, params: {}, value: 0.2 },
      { seq: 5, params: {}, value: 0.9 },
    ];
    expect(bestSoFar(pts)).toEqual([
      { seq: 2, value: -1 },
      { seq: 3, value: 0.5 },
      { seq: 4, value: 0.5 },
      { seq: 5, value: 0.9 },
    ]);
  });
});

describe("heatmap", () => {
  it("is drawn only for exactly two number parameters", () => {
    expect(heatmapDimensions(SMA)?.map((d) => d.name)).toEqual(["fast", "slow"]);
    expect(heatmapDimensions({ dimensions: [...SMA.dimensions, { name: "signal", kind: "int", min: 1, max: 3, step: 1 }], constraints: [] })).toBeNull();
    expect(heatmapDimensions({ dimensions: [SMA.dimensions[0]!, { name: "mode", kind: "choice" }], constraints: [] })).toBeNull();
    expect(buildHeatmap({ dimensions: [SMA.dimensions[0]!], constraints: [] }, [])).toBeNull();
  });

  it("places each trial in its cell, keeps the cell's best, and marks cells excluded by a constraint, untried or without a value", () => {
    // fast 2,4,6,8,10 × slow 4,8,12.
    const pts: TrialPoint[] = [
      { seq: 1, params: { fast: 2, slow: 4 }, value: 0.3 },
      { seq: 2, params: { fast: 2, slow: 4 }, value: 0.8 },
      { seq: 3, params: { fast: 2, slow: 4 }, value: null },
      { seq: 4, params: { fast: 6, slow: 12 }, value: -0.4 },
      { seq: 5, params: { fast: 4, slow: 8 }, value: null },
    ];
    const h = buildHeatmap(SMA, pts)!;
    expect(h.x.labels).toEqual(["2", "4", "6", "8", "10"]);
    expect(h.y.labels).toEqual(["4", "8", "12"]);
    expect(h.cells[0]![0]).toEqual({ state: "value", value: 0.8, trials: 3, params: { fast: 2, slow: 4 }, seq: 2 });
    expect(h.cells[2]![2]).toMatchObject({ state: "value", value: -0.4, trials: 1 });
    expect(h.cells[1]![1]).toEqual({ state: "no-value", trials: 1 });
    // fast ≥ slow breaks fast < slow.
    expect(h.cells[0]![1]).toEqual({ state: "excluded" });
    expect(h.cells[1]![4]).toEqual({ state: "excluded" });
    expect(h.cells[2]![4]).toEqual({ state: "untried" });
    expect(h.best).toEqual({ xi: 0, yi: 0, value: 0.8, params: { fast: 2, slow: 4 } });
    expect([h.min, h.max]).toEqual([-0.4, 0.8]);
    // Every cell that is not excluded holds a grid point the search could propose (an independent enumeration).
    const space = { dimensions: heatmapDimensions(SMA)!, constraints: [{ a: "fast", op: "<", b: "slow" }] } as ParamSpace;
    const feasible = new Set([...gridPoints(space)].map((p) => `${p.fast}|${p.slow}`));
    const open = h.cells.flatMap((row, yi) => row.flatMap((c, xi) => (c.state === "excluded" ? [] : [`${2 + 2 * xi}|${4 + 4 * yi}`])));
    expect(new Set(open)).toEqual(feasible);
  });

  it("bins a long axis into at most HEATMAP_MAX_BINS cells, and puts a float trial in the cell of its nearest grid value", () => {
    const space: ViewSpace = {
      dimensions: [
        { name: "period", kind: "int", min: 5, max: 100, step: 1 },
        { name: "multiplier", kind: "float", min: 0.5, max: 4, step: 0.1 },
      ],
      constraints: [],
    };
    const h = buildHeatmap(space, [{ seq: 1, params: { period: 7, multiplier: 0.74 }, value: 1.5 }])!;
    // 96 periods in bins of 3: 32 cells; 36 multipliers fit unbinned.
    expect(h.x.binSize).toBe(3);
    expect(h.x.labels).toHaveLength(32);
    expect(h.x.labels[0]).toBe("5–7");
    expect(h.x.labels[31]).toBe("98–100");
    expect(h.y.labels).toHaveLength(36);
    expect(h.y.labels[2]).toBe("0.7");
    expect(h.x.labels.length).toBeLessThanOrEqual(HEATMAP_MAX_BINS);
    expect(h.best).toMatchObject({ xi: 0, yi: 2 });
  });
});

describe("diverging colour", () => {
  it("centres on the objective's neutral value and stretches each side to its own extreme", () => {
    expect(objectiveMidpoint("profit-factor")).toBe(1);
    expect(objectiveMidpoint("sharpe")).toBe(0);
    const scale = divergingScale(-4, 0.5, 0);
    expect(divergingColour(0, scale)).toBe("rgb(241 245 249)");
    // The best value is full teal although the worst lies eight times further from the midpoint.
    expect(divergingColour(0.5, scale)).toBe("rgb(15 118 110)");
    expect(divergingColour(-4, scale)).toBe("rgb(185 28 28)");
    expect(divergingColour(-9, scale)).toBe("rgb(185 28 28)");
    // Halfway to either end.
    expect(divergingColour(-2, scale)).toBe("rgb(213 137 139)");
    expect(divergingColour(0.25, scale)).toBe("rgb(128 182 180)");
    // All values on one side: the other side has no extent and the neutral value stays neutral.
    const pf = divergingScale(1.2, 2, objectiveMidpoint("profit-factor"));
    expect(divergingColour(1, pf)).toBe("rgb(241 245 249)");
    expect(divergingColour(2, pf)).toBe("rgb(15 118 110)");
    expect(divergingColour(0, divergingScale(null, null, 0))).toBe("rgb(241 245 249)");
  });
});
