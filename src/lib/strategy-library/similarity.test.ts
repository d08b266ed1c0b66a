/** Daily returns, Pearson's r, feature similarity and the ranking of similar runs. */
import { describe, expect, it } from "vitest";
import { backtestCurated, CATALOGUE, getCurated } from "./index";
import { dailyReturnCorrelation, dailyReturns, featureSimilarity, pearson, similarityScore, similarStrategies, type StrategyRun } from "./similarity";
import { btcHourly } from "./test-data";

const DAY = 86_400_000;
const HOUR = 3_600_000;

describe("dailyReturns", () => {
  it("takes each UTC day's last equity and divides by the previous day's", () => {
    // Day 0: 100 → 104 → 100 (closes at 100); day 1: 90, 110 (closes 110); day 3 (day 2 missing): 99.
    const times = [0, 5 * HOUR, 23 * HOUR, DAY + HOUR, DAY + 20 * HOUR, 3 * DAY];
    const equity = [100, 104, 100, 90, 110, 99];
    const r = dailyReturns(times, equity);
    expect([...r.keys()]).toEqual([1, 3]);
    expect(r.get(1)).toBeCloseTo(0.1, 15);
    expect(r.get(3)).toBeCloseTo(-0.1, 15);
  });
  it("refuses unequal lengths and descending times", () => {
    expect(() => dailyReturns([0, 1], [1])).toThrow(RangeError);
    expect(() => dailyReturns([2 * DAY, DAY], [1, 1])).toThrow(/ascend/);
  });
});

describe("pearson and daily-return correlation", () => {
  it("a hand example: x = 1,2,3,4 and y = 2,4,5,9 give r = 11 / √130", () => {
    expect(pearson([1, 2, 3, 4], [2, 4, 5, 9])).toBeCloseTo(11 / Math.sqrt(130), 15);
    expect(pearson([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 15);
    expect(pearson([1, 2, 3], [5, 5, 5])).toBeNull(); // constant: undefined
    expect(pearson([1], [1])).toBeNull();
  });
  it("aligns on the days both runs have, and needs enough of them", () => {
    const a = new Map([
      [1, 0.01],
      [2, 0.02],
      [3, 0.03],
      [4, 0.04],
    ]);
    const b = new Map([
      [2, 0.5],
      [3, 0.4],
      [4, 0.1],
      [5, 9],
    ]);
    // Common days 2, 3, 4: x = .02, .03, .04 and y = .5, .4, .1. Centred: x −.01, 0, .01; y 1/6, 1/15, −7/30, so
    // Σxy = −.004, Σx² = .0002, Σy² = 13/150 and r = −.004 / √(.0002 · 13/150) = −0.9607689228305227 (Python's
    // statistics.correlation gives the same).
    expect(dailyReturnCorrelation(a, b, 3)).toBeCloseTo(-0.9607689228305227, 14);
    expect(dailyReturnCorrelation(a, b, 4)).toBeNull();
  });
});

describe("feature similarity and score", () => {
  it("is 1 for a strategy with itself and follows the documented weights", () => {
    const ema = getCurated("ema-cross");
    const rsi = getCurated("rsi7-reversion");
    const donchian = getCurated("donchian-breakout");
    expect(featureSimilarity(ema, ema)).toBeCloseTo(1, 15);
    // EMA vs RSI(7): tags disjoint (0), markets and timeframes equal, both medium → 0.2 + 0.2 + 0.2.
    expect(featureSimilarity(ema, rsi)).toBeCloseTo(0.6, 15);
    // EMA vs Donchian: tags {trend} vs {breakout, trend} → J = 1/2 → 0.2 + 0.6.
    expect(featureSimilarity(ema, donchian)).toBeCloseTo(0.8, 15);
    // medium vs high risk → 0.2 · 1/2.
    expect(featureSimilarity(ema, getCurated("macd-cross"))).toBeCloseTo(0.9, 15);
    expect(similarityScore(1, 1)).toBeCloseTo(1, 15);
    expect(similarityScore(-1, 1)).toBeCloseTo(0.4, 15);
    expect(similarityScore(null, 1)).toBeCloseTo(0.4, 15);
  });
});

const btc = btcHourly();
describe.skipIf(!btc)("similarStrategies on BTC/USDT 1h (first 10,000)", () => {
  it("an EMA crossover's nearest neighbour is its own slight variant, above RSI reversion", () => {
    const run = (key: string, id: string, params = {}): StrategyRun => {
      const b = backtestCurated(id, params, btc!);
      return { key, strategyId: id, times: btc!.time, equity: b.result.equity };
    };
    const runs = [
      run("ema", "ema-cross"),
      run("ema-variant", "ema-cross", { fast: 13, slow: 28 }),
      ...CATALOGUE.filter((e) => e.id !== "ema-cross").map((e) => run(e.id, e.id)),
    ];
    const ranked = similarStrategies("ema", runs);
    expect(ranked.map((r) => r.key)).not.toContain("ema");
    expect(ranked).toHaveLength(runs.length - 1);
    expect(ranked[0]!.key).toBe("ema-variant");
    const at = (k: string) => ranked.find((r) => r.key === k)!;
    expect(at("ema-variant").correlation!).toBeGreaterThan(0.8);
    for (const k of ["rsi7-reversion", "rsi3-reversion"]) {
      expect(at("ema-variant").score).toBeGreaterThan(at(k).score);
      expect(at("ema-variant").correlation!).toBeGreaterThan(at(k).correlation!);
    }
    // Sorted by score, deterministic.
    for (let i = 1; i < ranked.length; i++) expect(ranked[i - 1]!.score).toBeGreaterThanOrEqual(ranked[i]!.score);
    expect(similarStrategies("ema", runs)).toEqual(ranked);
    expect(() => similarStrategies("missing", runs)).toThrow(/No run "missing"/);
  });
});
