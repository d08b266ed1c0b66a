/**
 * Walk-forward validation (issue 20, acceptance 3) on the recorded BTC/USDT 1h candles (the first 10,000, from
 * MARKET_DATA_DIR or ../shared/data; skipped with a message without them): the windows, the parameters each window
 * chose, and the stitched out-of-sample figures are pinned; the same inputs give the same outputs; and each figure
 * is checked against an independent computation (a plain backtest of the window, the product of window returns).
 */
import { describe, expect, it } from "vitest";
import { btcHourly } from "@/lib/strategy-library/test-data";
import { getCurated } from "@/lib/strategy-library";
import { runTrial } from "./strategy";
import { runWalkForward, sliceSeries, walkForwardWindows, type WalkForwardInput } from "./walk-forward";

const series = btcHourly();

const input = (over: Partial<WalkForwardInput> = {}): WalkForwardInput => ({
  setup: {
    curatedId: "sma-cross",
    objective: "sharpe",
    minTrades: 3,
    config: { cash: 10_000, commission: { relative: 0.001, fixed: 0 }, defaultSize: { fraction: 0.9999 }, endOfData: "close-at-last-close" },
  },
  space: {
    dimensions: [
      { name: "fast", kind: "int", min: 5, max: 25, step: 5 },
      { name: "slow", kind: "int", min: 30, max: 90, step: 20 },
    ],
    constraints: [{ a: "fast", op: "<", b: "slow" }],
  },
  search: { method: "grid" },
  series: series!,
  windows: { mode: "rolling", trainBars: 3000, testBars: 1000 },
  ...over,
});

describe("walk-forward windows", () => {
  it("rolls a fixed training window forward by the test length, or anchors it at the first bar", () => {
    expect(walkForwardWindows(10_000, { mode: "rolling", trainBars: 3000, testBars: 1000 }).map((w) => [w.trainStart, w.trainEnd, w.testStart, w.testEnd])).toEqual([
      [0, 3000, 3000, 4000],
      [1000, 4000, 4000, 5000],
      [2000, 5000, 5000, 6000],
      [3000, 6000, 6000, 7000],
      [4000, 7000, 7000, 8000],
      [5000, 8000, 8000, 9000],
      [6000, 9000, 9000, 10_000],
    ]);
    expect(walkForwardWindows(2_500, { mode: "anchored", trainBars: 1000, testBars: 700 }).map((w) => [w.trainStart, w.trainEnd, w.testEnd])).toEqual([
      [0, 1000, 1700],
      [0, 1700, 2400],
    ]);
  });

  it("refuses windows that do not fit, with a message saying what to change", () => {
    expect(() => walkForwardWindows(1000, { mode: "rolling", trainBars: 900, testBars: 200 })).toThrow(/no window of 900 training and 200 test bars/);
    expect(() => walkForwardWindows(1000, { mode: "rolling", trainBars: 10, testBars: 200 })).toThrow(/at least 50 bars/);
  });
});

describe.skipIf(!series)("walk-forward on BTC/USDT 1h", () => {
  it("pins the windows, the parameters per window and the stitched out-of-sample statistics", () => {
    const r = runWalkForward(input());
    expect(r.windows.map((w) => [w.span.testStart, w.params])).toEqual([
      [3000, { fast: 10, slow: 30 }],
      [4000, { fast: 15, slow: 30 }],
      [5000, { fast: 15, slow: 30 }],
      [6000, { fast: 15, slow: 30 }],
      [7000, { fast: 15, slow: 90 }],
      [8000, { fast: 15, slow: 70 }],
      [9000, { fast: 5, slow: 70 }],
    ]);
    const pinned = [
      [0.7602074212300294, -32.398837004192764],
      [0.6559785506718828, 56.709361412886935],
      [0.6213418191571525, 25.795567524635317],
      [0.7712596399570231, -18.203506841784375],
      [0.8689011952295602, 12.243981495097959],
      [0.9354480696070248, -8.039358264768563],
      [0.565171013255563, -9.354452541961908],
    ];
    r.windows.forEach((w, k) => {
      expect(w.inSample!.value).toBeCloseTo(pinned[k]![0]!, 9);
      expect(w.outOfSample!.returnPct).toBeCloseTo(pinned[k]![1]!, 8);
      expect(w.trials).toBe(20);
    });
    expect(r.stitched.returnPct).toBeCloseTo(1.990721684877808, 8);
    expect(r.stitched.maxDrawdownPct).toBeCloseTo(-54.55339991459074, 8);
    expect(r.stitched.sharpe!).toBeCloseTo(0.003722240852842205, 9);
    expect(r.stitched.trades).toBe(220);
    expect(r.stitched.winRatePct!).toBeCloseTo(33.63636363636363, 9);
    expect(r.stitched.profitFactor!).toBeCloseTo(1.0828338412235927, 9);
    expect(r.inSampleMean!).toBeCloseTo(0.7397582441583195, 9);
    expect(r.outOfSampleMean!).toBeCloseTo(-2.7314082396972674, 9);
    expect(r.profitableWindows).toBe(3);
    expect(r.warning).toMatch(/^Likely overfitted: .*below 50%.*only 3 of 7 test windows made money/);
  });

  it("agrees with independent computations: each window is a plain backtest, the stitched return their product", () => {
    const inp = input();
    const r = runWalkForward(inp);
    let growth = 1;
    for (const w of r.windows) {
      const warmup = getCurated("sma-cross").create(w.params as Record<string, number>).warmupBars ?? 0;
      // The same parameters backtested alone over the warm-up and the window: flat until the window opens.
      const alone = runTrial(inp.setup, w.params!, sliceSeries(series!, w.span.testStart - warmup, w.span.testEnd));
      expect(w.outOfSample!.returnPct).toBeCloseTo(alone.returnPct, 9);
      expect(w.outOfSample!.trades).toBe(alone.trades);
      // In-sample: the best grid point of the training window, by a direct loop.
      let best = -Infinity;
      for (let fast = 5; fast <= 25; fast += 5) {
        for (let slow = 30; slow <= 90; slow += 20) {
          const v = runTrial(inp.setup, { fast, slow }, sliceSeries(series!, w.span.trainStart, w.span.trainEnd)).value;
          if (v !== null && v > best) best = v;
        }
      }
      expect(w.inSample!.value).toBe(best);
      growth *= 1 + w.outOfSample!.returnPct / 100;
    }
    expect(r.stitched.returnPct).toBeCloseTo((growth - 1) * 100, 9);
    expect(r.stitched.trades).toBe(r.windows.reduce((n, w) => n + w.outOfSample!.trades, 0));
    expect(r.equity.at(-1)!.equity).toBeCloseTo(10_000 * growth, 6);
  });

  it("gives the same outputs for the same inputs (Bayesian windows, anchored)", () => {
    const over = { search: { method: "bayes", trials: 12, seed: 7 } as const, windows: { mode: "anchored", trainBars: 3000, testBars: 1000 } as const };
    const a = runWalkForward(input(over));
    const b = runWalkForward(input(over));
    expect(b).toEqual(a);
    expect(a.windows.map((w) => w.params)).toEqual([
      { fast: 10, slow: 30 },
      { fast: 15, slow: 50 },
      { fast: 15, slow: 30 },
      { fast: 15, slow: 30 },
      { fast: 15, slow: 30 },
      { fast: 15, slow: 30 },
      { fast: 10, slow: 70 },
    ]);
    expect(a.stitched.returnPct).toBeCloseTo(-27.33550656385467, 8);
    expect(a.warning).toMatch(/stitched out-of-sample return is -27.34%/);
  });
});
