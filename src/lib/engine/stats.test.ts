import { describe, expect, it } from "vitest";
import { computeBacktestingPyStats, pairwiseSum } from "./stats";

const DAY = 86_400_000;
const HOUR = 3_600_000;

describe("numpy's summation", () => {
  it("is pairwise, not left to right: ten 0.1s sum to exactly 1 (a loop gives 0.9999999999999999)", () => {
    const tenths = Array.from({ length: 10 }, () => 0.1);
    expect(pairwiseSum(tenths)).toBe(1);
    expect(tenths.reduce((a, b) => a + b, 0)).toBe(0.9999999999999999);
  });
});

describe("drawdown periods (backtesting.py's test_compute_drawdown)", () => {
  it("run from a bar at the peak to the next one; durations round up to the data's resolution", () => {
    // Drawdown 0, .1, .2, 0, .05, 0, 0: periods (0 → 3) deepest .2 over 3 days and (3 → 5) deepest .05 over 2 days.
    const equity = [100, 90, 80, 100, 95, 100, 100];
    const time = equity.map((_, i) => Date.UTC(2024, 0, 1) + i * DAY);
    const s = computeBacktestingPyStats({ trades: [], equity, time, close: equity });
    expect(s.maxDrawdownPct).toBeCloseTo(-20, 12);
    expect(s.avgDrawdownPct).toBeCloseTo(-12.5, 12);
    expect(s.maxDrawdownDurationMs).toBe(3 * DAY);
    expect(s.avgDrawdownDurationMs).toBe(3 * DAY); // 2.5 days rounded up to the day
  });

  it("without trades the trade figures are null, not zero", () => {
    const equity = [100, 100, 100];
    const time = equity.map((_, i) => Date.UTC(2024, 0, 1) + i * DAY);
    const s = computeBacktestingPyStats({ trades: [], equity, time, close: [10, 11, 12] });
    expect(s).toMatchObject({
      trades: 0,
      returnPct: 0,
      exposureTimePct: 0,
      maxDrawdownPct: -0,
      winRatePct: null,
      profitFactor: null,
      sqn: null,
      avgTradeDurationMs: null,
      sharpe: null,
      maxDrawdownDurationMs: null,
    });
    expect(s.buyHoldReturnPct).toBeCloseTo(20, 12);
  });
});

/**
 * Annualisation by the data's period, against backtesting.py's compute_stats on the same synthetic equity (weekly
 * returns ((37k mod 11) − 5)%, closes the reverse). Run with pandas 1.5.3, which names month- and year-end bins
 * "M" and "Y" where the current code asks pandas ≥ 2.2 for "ME" and "YE" (same bins).
 */
describe("periods per year and resampling, as backtesting.py computes them", () => {
  function synthetic(time: number[]) {
    const n = time.length;
    const r = Array.from({ length: n }, (_, k) => (((k * 37) % 11) - 5) / 100);
    let p = 1;
    const equity = r.map((x) => 10_000 * (p *= 1 + x));
    let q = 1;
    const close = [...r].reverse().map((x) => 50 * (q *= 1 + x));
    return computeBacktestingPyStats({ trades: [], equity, time, close });
  }
  const near = (got: number | null, want: number) => expect(Math.abs(got! - want) / Math.abs(want)).toBeLessThan(1e-9);

  it("weekly bars: 52 a year, weeks ending on Sunday", () => {
    const s = synthetic(Array.from({ length: 120 }, (_, i) => Date.UTC(2020, 0, 3) + i * 7 * DAY));
    near(s.returnAnnPct, -1.2619605451154925);
    near(s.volatilityAnnPct, 22.820665063233598);
    near(s.sharpe, -0.055299025756643645);
    near(s.sortino, -0.0792690382611979);
    near(s.cagrPct, -1.2662666466643047);
    near(s.beta, 0.40464533389177504);
    expect(s.maxDrawdownDurationMs).toBe(67_132_800_000);
  });

  it("monthly bars: 12 a year, month-end bins", () => {
    const time = Array.from({ length: 60 }, (_, i) => Date.UTC(2015, i + 1, 0)); // last day of each month from Jan 2015
    const s = synthetic(time);
    near(s.returnAnnPct, -0.9883989252353342);
    near(s.volatilityAnnPct, 10.846671090621255);
    near(s.sharpe, -0.09112463326097986);
    near(s.sortino, -0.1282555659924392);
    near(s.calmar, -0.10903322003523115);
    expect(s.avgDrawdownDurationMs).toBe(51_753_600_000);
  });

  it("hourly bars around the clock: daily resampling, 365 days a year", () => {
    const s = synthetic(Array.from({ length: 24 * 40 }, (_, i) => Date.UTC(2021, 2, 1) + i * HOUR));
    near(s.returnAnnPct, -98.3470025751636);
    near(s.volatilityAnnPct, 1.1977372087265503);
    near(s.sharpe, -82.1106682322472);
    near(s.sortino, -1.7089153808645785);
    near(s.avgDrawdownPct, -15.592990067399704);
    expect(s.maxDrawdownDurationMs).toBe(3_423_600_000);
    expect(s.avgDrawdownDurationMs).toBe(1_152_000_000);
  });
});
