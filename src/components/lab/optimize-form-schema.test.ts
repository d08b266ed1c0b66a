import { describe, expect, it } from "vitest";
import { CATALOGUE } from "@/lib/strategy-library";
import { declaredRanges, defaultValues, gridCount, optimizeFormSchema, toStartInput, type OptimizeStrategy } from "./optimize-form-schema";

const STRATEGIES: OptimizeStrategy[] = CATALOGUE.map((e) => ({
  id: e.id,
  name: e.name,
  description: e.description,
  params: e.params.map((p) => ({ ...p })),
  constraints: (e.constraints ?? []).map((c) => ({ ...c })),
}));
const sma = STRATEGIES.find((s) => s.id === "sma-cross")!;
const bollinger = STRATEGIES.find((s) => s.id === "bollinger-breakout")!;
const rsi = STRATEGIES.find((s) => s.id === "rsi7-reversion")!;
const schema = optimizeFormSchema(STRATEGIES);

describe("the grid count", () => {
  it("counts the points the constraints allow (an independent loop over fast < slow)", () => {
    let expected = 0;
    for (let f = 2; f <= 40; f += 2) for (let s = 20; s <= 200; s += 10) if (f < s) expected++;
    expect(gridCount(sma, { fast: { min: 2, max: 40, step: 2 }, slow: { min: 20, max: 200, step: 10 } })).toEqual({ raw: 20 * 19, feasible: expected });
  });

  it("needs no enumeration without constraints, and skips it for grids too large to count while typing", () => {
    expect(gridCount(bollinger, { period: { min: 10, max: 20, step: 5 }, multiplier: { min: 1, max: 2, step: 0.5 } })).toEqual({ raw: 9, feasible: 9 });
    // RSI's declared ranges: 29 · 49 · 49 · 41 points, no constraints.
    expect(gridCount(rsi, declaredRanges(rsi))).toEqual({ raw: 29 * 49 * 49 * 41, feasible: 29 * 49 * 49 * 41 });
    const macd = STRATEGIES.find((s) => s.id === "macd-cross")!;
    expect(gridCount(macd, declaredRanges(macd))).toEqual({ raw: 49 * 196 * 49, feasible: null });
  });

  it("is null while a range is empty, outside the declared bounds or not whole for a count of bars", () => {
    expect(gridCount(sma, { fast: { min: Number.NaN, max: 40, step: 2 }, slow: { min: 20, max: 200, step: 10 } })).toBeNull();
    expect(gridCount(sma, JSON.parse(JSON.stringify({ fast: { min: Number.NaN, max: 40, step: 2 }, slow: { min: 20, max: 200, step: 10 } })))).toBeNull();
    expect(gridCount(sma, { fast: { min: 1, max: 40, step: 2 }, slow: { min: 20, max: 200, step: 10 } })).toBeNull();
    expect(gridCount(sma, { fast: { min: 2, max: 40, step: 2.5 }, slow: { min: 20, max: 200, step: 10 } })).toBeNull();
  });
});

describe("the form's check", () => {
  const valid = { ...defaultValues(sma, "BTC/USDT"), ranges: { fast: { min: 2, max: 40, step: 2 }, slow: { min: 20, max: 200, step: 10 } } };
  const issues = (v: unknown) => {
    const r = schema.safeParse(v);
    return r.success ? [] : r.error.issues.map((i) => [i.path.join("."), i.message]);
  };

  it("accepts the defaults narrowed, and ignores hidden fields (trials on a grid, windows when off)", () => {
    expect(issues(valid)).toEqual([]);
    expect(issues({ ...valid, trials: Number.NaN, trainBars: Number.NaN })).toEqual([]);
  });

  it("puts each range problem on its field, and the shared schema's messages on the others", () => {
    expect(issues({ ...valid, ranges: { fast: { min: 0, max: 40, step: 2 }, slow: { min: 20, max: 10, step: 0 } } })).toEqual([
      ["ranges.fast.min", "Between 2 and 100"],
      ["ranges.slow.step", "The step must be above 0"],
      ["ranges.slow.max", "At least the lowest value"],
    ]);
    expect(issues({ ...valid, method: "bayes", trials: 5 })).toEqual([["trials", "Run at least 10 trials"]]);
    expect(issues({ ...valid, walkForward: true, trainBars: 20 })).toEqual([["trainBars", "Training windows need at least 50 bars"]]);
    expect(issues({ ...valid, sizingMode: "risk", sizingValue: 0.5 })).toEqual([["sizingValue", "Risk at most 20% of equity per trade"]]);
    expect(issues({ ...valid, from: "2024-02-01", to: "2024-01-01" })).toEqual([["from", "The start must be before the end"]]);
  });
});

describe("the request", () => {
  it("sends the chosen strategy's ranges only, trials only for a Bayesian search, windows only when asked, dates as UTC ms", () => {
    const v = { ...defaultValues(sma, "BTC/USDT"), ranges: { fast: { min: 2, max: 40, step: 2 }, slow: { min: 20, max: 200, step: 10 }, period: { min: 1, max: 2, step: 1 } }, from: "2024-01-01" };
    const grid = toStartInput(v, sma);
    expect(grid).toMatchObject({ curatedId: "sma-cross", method: "grid", symbol: "BTC/USDT", timeframe: "1h", from: Date.UTC(2024, 0, 1), to: undefined });
    expect(Object.keys(grid.ranges ?? {})).toEqual(["fast", "slow"]);
    expect(grid).not.toHaveProperty("trials");
    expect(grid).not.toHaveProperty("walkForward");
    const bayesWf = toStartInput({ ...v, method: "bayes", trials: 150, walkForward: true, wfMode: "anchored", trainBars: 3000, testBars: 500 }, sma);
    expect(bayesWf).toMatchObject({ trials: 150, walkForward: { mode: "anchored", trainBars: 3000, testBars: 500 } });
  });
});
