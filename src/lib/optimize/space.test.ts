import { describe, expect, it } from "vitest";
import { drive } from "./driver";
import { createRng } from "./rng";
import { BayesianSearch, GridSearch, RandomSearch, bestTrial, type Trial } from "./search";
import { checkSpace, decode, encode, feasibleGridSize, gridPoints, gridSize, gridValues, pointKey, satisfies, type ParamSpace, type Params } from "./space";
import { BRANIN } from "./test-functions";

const SMA: ParamSpace = {
  dimensions: [
    { name: "fast", kind: "int", min: 2, max: 20, step: 2 },
    { name: "slow", kind: "int", min: 10, max: 40, step: 5 },
    { name: "mode", kind: "choice", values: ["long", "both"] },
  ],
  constraints: [{ a: "fast", op: "<", b: "slow" }],
};

describe("parameter spaces", () => {
  it("lists grid values of ints, floats on their step (no 0.30000000000000004) and choices", () => {
    expect(gridValues({ name: "x", kind: "int", min: 2, max: 9, step: 3 })).toEqual([2, 5, 8]);
    expect(gridValues({ name: "x", kind: "float", min: 0.1, max: 0.5, step: 0.1 })).toEqual([0.1, 0.2, 0.3, 0.4, 0.5]);
    expect(gridValues({ name: "m", kind: "choice", values: ["a", "b"] })).toEqual(["a", "b"]);
  });

  it("enumerates the grid without the points that break a constraint", () => {
    const pts = [...gridPoints(SMA)];
    expect(gridSize(SMA)).toBe(10 * 7 * 2);
    // Independent count: pairs with fast < slow, times two modes.
    let expected = 0;
    for (let f = 2; f <= 20; f += 2) for (let s = 10; s <= 40; s += 5) if (f < s) expected += 2;
    expect(pts).toHaveLength(expected);
    expect(feasibleGridSize(SMA)).toBe(expected);
    expect(pts.every((p) => (p.fast as number) < (p.slow as number))).toBe(true);
    expect(new Set(pts.map((p) => pointKey(SMA, p))).size).toBe(expected);
  });

  it("decodes what it encodes, for every grid point", () => {
    for (const p of gridPoints(SMA)) expect(decode(SMA, encode(SMA, p))).toEqual(p);
  });

  it("refuses malformed spaces with a message naming the problem", () => {
    expect(() => checkSpace({ dimensions: [] })).toThrow(/no parameters/);
    expect(() => checkSpace({ dimensions: [{ name: "a", kind: "int", min: 5, max: 1, step: 1 }] })).toThrow(/min must be ≤ max/);
    expect(() => checkSpace({ dimensions: [{ name: "a", kind: "int", min: 1, max: 5, step: 0.5 }] })).toThrow(/whole-number/);
    expect(() => checkSpace({ dimensions: [{ name: "a", kind: "float", min: 0, max: 1, step: 0 }] })).toThrow(/step must be above 0/);
    expect(() => checkSpace({ dimensions: [{ name: "a", kind: "choice", values: [] }] })).toThrow(/at least one value/);
    expect(() => checkSpace({ dimensions: [{ name: "a", kind: "int", min: 1, max: 2, step: 1 }], constraints: [{ a: "a", op: "<", b: "b" }] })).toThrow(/"b", which is not a parameter/);
  });
});

describe("grid search", () => {
  it("returns the true maximum of its grid (an independent loop over the same grid)", async () => {
    const trials: Trial[] = [];
    const summary = await drive({
      search: new GridSearch(BRANIN.space),
      evaluate: (p) => Promise.resolve({ value: -BRANIN.f(p) }),
      budget: Infinity,
      concurrency: 3,
      onTrial: (params, r) => void trials.push({ params, value: r.value }),
    });
    let bestValue = -Infinity;
    let bestAt: Params = {};
    for (let i = 0; i <= 60; i++) {
      for (let j = 0; j <= 60; j++) {
        const p = { x1: -5 + i * 0.25, x2: j * 0.25 };
        const v = -BRANIN.f(p);
        if (v > bestValue) [bestValue, bestAt] = [v, p];
      }
    }
    expect(summary).toEqual({ done: 61 * 61, stopped: "exhausted" });
    expect(bestTrial(trials)).toEqual({ params: bestAt, value: bestValue });
  });

  it("honours constraints and skips points already told (a resumed run)", () => {
    const g = new GridSearch(SMA);
    const first = g.ask()!;
    const resumed = new GridSearch(SMA);
    resumed.tell(first);
    expect(pointKey(SMA, resumed.ask()!)).not.toBe(pointKey(SMA, first));
    const all: Params[] = [];
    for (let p = g.ask(); p; p = g.ask()) all.push(p);
    expect(all.every((p) => satisfies(SMA, p))).toBe(true);
  });
});

describe("random and Bayesian search", () => {
  it("never asks for the same point twice and stops when a small space is exhausted", () => {
    for (const s of [new RandomSearch(SMA, 7), new BayesianSearch(SMA, { seed: 7 })]) {
      const seen = new Set<string>();
      for (;;) {
        const p = s.ask();
        if (!p) break;
        const key = pointKey(SMA, p);
        expect(seen.has(key)).toBe(false);
        expect(satisfies(SMA, p)).toBe(true);
        seen.add(key);
        s.tell(p, (p.slow as number) - (p.fast as number) + (p.mode === "both" ? 1 : 0));
      }
      expect(seen.size).toBe(feasibleGridSize(SMA));
    }
  });

  it("gives the same trials for the same seed (a search is reproducible)", () => {
    const run = (seed: number) => {
      const s = new BayesianSearch(BRANIN.space, { seed });
      const out: string[] = [];
      for (let k = 0; k < 20; k++) {
        const p = s.ask()!;
        s.tell(p, -BRANIN.f(p));
        out.push(pointKey(BRANIN.space, p));
      }
      return out;
    };
    expect(run(3)).toEqual(run(3));
    expect(run(3)).not.toEqual(run(4));
  });

  it("moves away from infeasible trials and still finds the feasible optimum", () => {
    // Values below x1 = 0 are infeasible (null): the best feasible point of Branin there is (π, 2.275), f = 0.3979.
    const s = new BayesianSearch(BRANIN.space, { seed: 5 });
    const trials: Trial[] = [];
    for (let k = 0; k < 60; k++) {
      const p = s.ask()!;
      const value = (p.x1 as number) < 0 ? null : -BRANIN.f(p);
      s.tell(p, value);
      trials.push({ params: p, value });
    }
    expect(-bestTrial(trials)!.value!).toBeLessThan(0.45);
  });

  it("spreads a batch: points asked before any is told are all different", () => {
    const s = new BayesianSearch(BRANIN.space, { seed: 2, startupTrials: 4 });
    for (let k = 0; k < 6; k++) {
      const p = s.ask()!;
      s.tell(p, -BRANIN.f(p));
    }
    const batch = [s.ask()!, s.ask()!, s.ask()!].map((p) => pointKey(BRANIN.space, p));
    expect(new Set(batch).size).toBe(3);
  });
});

describe("the seeded generator", () => {
  it("is uniform enough on [0, 1) and repeatable", () => {
    const a = createRng(42);
    const b = createRng(42);
    let sum = 0;
    for (let k = 0; k < 10_000; k++) {
      const x = a();
      expect(x).toBe(b());
      expect(x >= 0 && x < 1).toBe(true);
      sum += x;
    }
    expect(sum / 10_000).toBeCloseTo(0.5, 1);
  });
});
