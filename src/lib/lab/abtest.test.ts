/**
 * A/B test statistics against SciPy. Every expected figure below was computed with SciPy 1.17.1 (Python 3.11), not
 * with this module; the commands are beside each table.
 */
import { describe, expect, it } from "vitest";
import { decide, logGamma, normalQuantile, studentTCdf, studentTQuantile, studentTTwoSidedP, tradesNeeded, welchTTest, type WelchResult } from "./abtest";

const REL = 1e-9;

function expectClose(actual: number, expected: number, rel = REL): void {
  if (expected === 0) {
    expect(Math.abs(actual)).toBeLessThan(1e-15);
    return;
  }
  const err = Math.abs(actual - expected) / Math.abs(expected);
  if (!(err <= rel)) throw new Error(`expected ${actual} to be within ${rel} (relative) of ${expected}; relative error ${err}`);
}

interface Expected {
  t: number;
  pValue: number;
  df: number;
  ci95: [number, number];
  mean1: number;
  mean2: number;
  var1: number;
  var2: number;
  cohensD: number;
  hedgesG: number;
}

/**
 * Per-trade returns in percent. t, pValue and df come from SciPy 1.17.1
 *   res = scipy.stats.ttest_ind(a, b, equal_var=False); res.statistic, res.pvalue, res.df
 * ci95 from res.confidence_interval(0.95) (diff ± scipy.stats.t.ppf(0.975, res.df) · se), means and variances from
 * numpy.mean and numpy.var(ddof=1), cohensD = diff / sqrt(((n1-1)v1 + (n2-1)v2) / (n1+n2-2)) and
 * hedgesG = cohensD · exp(scipy.special.gammaln(m/2) - gammaln((m-1)/2)) / sqrt(m/2), m = n1 + n2 - 2.
 */
const FIXTURES: { name: string; a: number[]; b: number[]; expected: Expected }[] = [
  {
    name: "realistic: 30 vs 45 trades, fat-tailed, one +13% outlier",
    a: [0.16, 0.78, -1.19, 1.59, -0.81, -0.37, -0.16, 3.06, 13.37, -0.38, 0.16, -1.83, 1.17, -2.23, 1.27, 3.51, 0.96, 1.5, 2.37, 0.75, 1.57, 1.22, -0.71, 0.58, -4.17, 0.09, -0.04, -1.61, -1.39, 0.05],
    b: [
      2.29, 0.41, 0.19, -0.66, -2.31, -0.86, 0.52, -0.19, -1.07, -1.14, -0.1, 0.66, 0.08, -1.99, 0.36, 0.39, 0.9, -0.57, -0.93, -1.49, 2.02, -0.71, -0.21, -0.2, -0.88, -1.25, -3.06, 0.3, -0.47, 0.08, 0.53, 1.02, -0.78,
      0.99, -1.53, -2.04, 0.88, 0.68, -0.37, 0.34, -4.35, -1.11, -0.09, -1.15, -1.97,
    ],
    expected: {
      t: 1.9003853756540618,
      pValue: 0.0653378372193552,
      df: 36.34283981753445,
      ci95: [-0.07092995061628704, 2.192929950616287],
      mean1: 0.6423333333333334,
      mean2: -0.4186666666666666,
      var1: 8.31045988505747,
      var2: 1.5611527272727272,
      cohensD: 0.51512233240066,
      hedgesG: 0.5098087418574053,
    },
  },
  {
    name: "very different variances and unequal n (8 volatile vs 40 calm trades)",
    a: [-6.32, -3.3, 0.14, 7.12, 0.72, 8.5, 2.74, 1.54],
    b: [
      0.34, 0.03, 0.51, 0.2, 0.19, 0.86, -0.19, -0.24, 0.12, 0.26, 0.02, 0.5, 0.28, 0.29, -0.36, 0.82, 0.19, -0.19, 0.7, 0.15, -0.13, -0.27, 0.16, -0.09, -0.22, 0.13, 0.07, -0.05, 0.54, 0.75, 0.74, 0.02, -0.04, -0.45, 0.06,
      -0.21, 0.24, 0.06, 0.42, 0.15,
    ],
    expected: {
      t: 0.710398933987842,
      pValue: 0.5003924911880168,
      df: 7.012716377737201,
      ci95: [-2.870802568305796, 5.337802568305795],
      mean1: 1.3924999999999998,
      mean2: 0.159,
      var1: 24.09736428571429,
      var2: 0.10939897435897436,
      cohensD: 0.6361509198547697,
      hedgesG: 0.6257126740677402,
    },
  },
  {
    name: "a clear winner: p about 1e-8",
    a: [1.38, 1.46, -0.33, 0.5, 1.25, 1.11, 1.22, 0.81, 1.53, 0.83, 0.95, 0.73, 1.51, 1.59, 1.08, 1.32, -0.12, 1.68, -0.07, 0.75, -0.34, 0.75, 0.72, 2.3, 0.41],
    b: [-1.57, -0.18, -0.41, 0.33, 0.15, -1.1, -0.42, -0.41, -0.2, -0.41, -0.31, -0.11, -1.15, -0.73, 0.45, 0.39, -0.12, 0.07, 0.3, 0.52, -0.24, -0.52, 0.4, -0.34, -0.63],
    expected: {
      t: 6.937217812841404,
      pValue: 1.1475962682129302e-8,
      df: 45.87258703274481,
      ci95: [0.830772548817293, 1.5100274511827068],
      mean1: 0.9208,
      mean2: -0.24959999999999996,
      var1: 0.4324243333333333,
      var2: 0.279179,
      cohensD: 1.9621415032113068,
      hedgesG: 1.9312955130922493,
    },
  },
  {
    name: "one variant with identical returns (its variance is 0, df falls to n2 - 1)",
    a: [0.5, 0.5, 0.5],
    b: [0.59, -0.17, -0.08, -0.09, 0.78, 0.14],
    expected: {
      t: 1.8779160050826824,
      pValue: 0.11919528769906573,
      df: 5.0,
      ci95: [-0.11249868351250147, 0.7224986835125016],
      mean1: 0.5,
      mean2: 0.19499999999999998,
      var1: 0,
      var2: 0.15827000000000002,
      cohensD: 0.9071196109117384,
      hedgesG: 0.805706276018781,
    },
  },
];

describe("welchTTest", () => {
  for (const { name, a, b, expected } of FIXTURES) {
    it(`matches scipy ttest_ind(equal_var=False): ${name}`, () => {
      const r = welchTTest(a, b);
      expect([r.n1, r.n2]).toEqual([a.length, b.length]);
      expectClose(r.t, expected.t);
      expectClose(r.pValue, expected.pValue);
      expectClose(r.confidence, 1 - expected.pValue);
      expectClose(r.df, expected.df);
      expectClose(r.ci95[0], expected.ci95[0]);
      expectClose(r.ci95[1], expected.ci95[1]);
      expectClose(r.mean1, expected.mean1);
      expectClose(r.mean2, expected.mean2);
      expectClose(r.diff, expected.mean1 - expected.mean2);
      expectClose(r.var1, expected.var1);
      expectClose(r.var2, expected.var2);
      expectClose(r.se, (expected.mean1 - expected.mean2) / expected.t);
      expectClose(r.cohensD, expected.cohensD);
      expectClose(r.hedgesG, expected.hedgesG);
    });
  }

  it("is antisymmetric: swapping the variants flips the sign, not the p-value", () => {
    const { a, b } = FIXTURES[0]!;
    const ab = welchTTest(a, b);
    const ba = welchTTest(b, a);
    expectClose(ba.t, -ab.t, 1e-14);
    expectClose(ba.pValue, ab.pValue, 1e-14);
    expectClose(ba.ci95[0], -ab.ci95[1], 1e-14);
    expectClose(ba.hedgesG, -ab.hedgesG, 1e-14);
  });

  it("uses two-pass moments: a large common offset does not change the variance", () => {
    const a = [1, 2, 3, 4].map((x) => 1e9 + x);
    const b = [2, 4, 6, 8].map((x) => 1e9 + x);
    const r = welchTTest(a, b);
    expect(r.var1).toBe(5 / 3);
    expect(r.var2).toBe(20 / 3);
  });

  it("refuses a variant with fewer than 2 trades, both variances zero, or a non-finite return", () => {
    expect(() => welchTTest([1], [1, 2, 3])).toThrow(new RangeError("Variant A needs at least 2 trades for a t-test, got 1"));
    expect(() => welchTTest([1, 2], [])).toThrow(new RangeError("Variant B needs at least 2 trades for a t-test, got 0"));
    expect(() => welchTTest([0.3, 0.3, 0.3], [-1, -1])).toThrow(/identical returns on every trade \(zero variance\)/);
    expect(() => welchTTest([1, 2, NaN], [1, 2])).toThrow(RangeError);
    expect(() => welchTTest([1, 2], [1, Infinity])).toThrow(/Variant B has a return that is not a finite number/);
  });
});

describe("Student t distribution", () => {
  // scipy.stats.t.cdf(x, df), SciPy 1.17.1
  const CDF: [number, number, number][] = [
    [-2.1, 3.7, 0.05463235254111237],
    [0.3, 1.0, 0.5927735790777423],
    [1.5, 10.25, 0.9181145376661024],
    [-0.001, 50.0, 0.49960304738775085],
    [2.5, 0.6, 0.8218897322731055],
    [-4.0, 120.5, 5.485604040482104e-5],
    [1.96, 1e6, 0.9750019662073651],
    [0.7, 2.0, 0.7218034876835673],
  ];
  it.each(CDF)("cdf(%d, df=%d) matches scipy.stats.t.cdf", (x, df, expected) => {
    expectClose(studentTCdf(x, df), expected, 1e-10);
  });

  // 2 * scipy.stats.t.sf(x, df), SciPy 1.17.1: the two-sided tail keeps its relative precision down to 1e-12.
  const TAIL: [number, number, number][] = [
    [12.0, 30.0, 5.580185415199261e-13],
    [9.5, 45.87, 2.0854913766224294e-12],
    [30.0, 7.5, 4.3747334101036444e-9],
    [1e3, 3.2, 6.670748880613851e-10],
    // Large df (a million trades): ln B(df/2, 1/2) must not be a difference of two ~6e6 log-gammas.
    [1.96, 1e6, 0.04999606758526985],
    [5.0, 1e5, 5.742701678641679e-7],
    [0.02, 2e5, 0.9840433925172858],
  ];
  it.each(TAIL)("two-sided p at t=%d, df=%d matches 2 * scipy.stats.t.sf", (x, df, expected) => {
    expectClose(studentTTwoSidedP(x, df), expected, 1e-10);
    expectClose(studentTTwoSidedP(-x, df), expected, 1e-10);
  });

  // scipy.stats.t.ppf(p, df), SciPy 1.17.1
  const PPF: [number, number, number][] = [
    [0.975, 36.34283981753445, 2.027429900486349],
    [0.975, 1.0, 12.706204736174694],
    [0.8, 124.0, 0.8445295620905399],
    [0.025, 2.5, -3.5746548420036834],
    [1e-10, 5.5, -110.87696465656079],
    [0.6, 0.8, 0.3430545736878907],
  ];
  it.each(PPF)("quantile(%d, df=%d) matches scipy.stats.t.ppf", (p, df, expected) => {
    expectClose(studentTQuantile(p, df), expected, 1e-10);
  });

  it("has the right limits and refuses bad arguments", () => {
    expect(studentTCdf(0, 3)).toBe(0.5);
    expect(studentTCdf(Infinity, 3)).toBe(1);
    expect(studentTCdf(-Infinity, 3)).toBe(0);
    expect(studentTQuantile(0.5, 7)).toBe(0);
    expect(studentTQuantile(0, 7)).toBe(-Infinity);
    expect(studentTQuantile(1, 7)).toBe(Infinity);
    expect(() => studentTCdf(1, 0)).toThrow(RangeError);
    expect(() => studentTQuantile(1.2, 5)).toThrow(RangeError);
  });
});

describe("logGamma (Lanczos)", () => {
  // scipy.special.gammaln(x), SciPy 1.17.1
  const LGAMMA: [number, number][] = [
    [0.1, 2.252712651734206],
    [0.5, 0.5723649429247],
    [2.5, 0.2846828704729192],
    [10, 12.801827480081469],
    [171.3, 708.1149470389971],
    [1e6, 12815504.569147611],
  ];
  it.each(LGAMMA)("logGamma(%d) matches scipy.special.gammaln", (x, expected) => {
    expectClose(logGamma(x), expected, 1e-13);
  });
  it("is 0 at 1 and 2", () => {
    expect(Math.abs(logGamma(1))).toBeLessThan(1e-15);
    expect(Math.abs(logGamma(2))).toBeLessThan(1e-15);
  });
});

describe("normalQuantile (AS241)", () => {
  // scipy.stats.norm.ppf(p), SciPy 1.17.1
  const PPF: [number, number][] = [
    [0.975, 1.959963984540054],
    [0.8, 0.8416212335729143],
    [0.3, -0.5244005127080409],
    [0.02, -2.053748910631823],
    [1e-10, -6.361340902404056],
    [1 - 1e-12, 7.0344869100478356],
    [1e-300, -37.0470962993612],
  ];
  it.each(PPF)("quantile(%d) matches scipy.stats.norm.ppf", (p, expected) => {
    expectClose(normalQuantile(p), expected, 1e-14);
  });
  it("is 0 at one half", () => expect(normalQuantile(0.5)).toBe(0));
});

describe("tradesNeeded (fixed horizon)", () => {
  it.each([
    [0.5, 64],
    [0.2, 394],
    [0.8, 26],
  ])("d=%d, alpha .05, power .8: %d trades per variant (G*Power / Cohen)", (effectSize, expected) => {
    const plan = tradesNeeded({ effectSize });
    expect(plan).toMatchObject({ alpha: 0.05, power: 0.8, ratio: 1, n1: expected, n2: expected });
  });

  /**
   * unrounded: the root of n = (1 + 1/r)((t.ppf(1-α/2, ν) + t.ppf(power, ν)) / d)², ν = n(1+r) - 2, found with
   * scipy.optimize.brentq(xtol=1e-14) on scipy.stats.t.ppf (SciPy 1.17.1) — the same equation solved independently.
   * exact: the noncentral-t answer statsmodels' TTestIndPower().solve_power gives (statsmodels is not installed here;
   * computed with brentq on scipy.stats.nct.sf(c, ν, d·√(n·r/(1+r))) + nct.cdf(-c, …), c = t.ppf(1-α/2, ν)).
   */
  const CASES: { input: Parameters<typeof tradesNeeded>[0]; unrounded: number; exact: number; n1: number; n2: number }[] = [
    { input: { effectSize: 0.5 }, unrounded: 63.77864684792331, exact: 63.76561019095224, n1: 64, n2: 64 },
    { input: { effectSize: 0.2 }, unrounded: 393.42106291086924, exact: 393.40569501974164, n1: 394, n2: 394 },
    { input: { effectSize: 0.8 }, unrounded: 25.534646832238003, exact: 25.52457183577174, n1: 26, n2: 26 },
    { input: { effectSize: 0.5, alpha: 0.01, power: 0.9 }, unrounded: 120.5377928432746, exact: 120.70548585532809, n1: 121, n2: 121 },
    { input: { effectSize: 0.3, ratio: 2 }, unrounded: 131.46738868867737, exact: 131.45765640179064, n1: 132, n2: 263 },
    { input: { effectSize: 1.2 }, unrounded: 11.94636570806508, exact: 11.942257456584825, n1: 12, n2: 12 },
    // The approximation's one-trade overshoot at high power: exact 104.93 rounds to 105, this rounds to 106.
    { input: { effectSize: 0.5, power: 0.95 }, unrounded: 105.0460568650004, exact: 104.92794298447501, n1: 106, n2: 106 },
  ];
  it.each(CASES)("$input: $n1 / $n2 trades", ({ input, unrounded, exact, n1, n2 }) => {
    const plan = tradesNeeded(input);
    expectClose(plan.n1Unrounded, unrounded, 1e-9);
    expect(Math.abs(plan.n1Unrounded - exact)).toBeLessThan(0.2);
    expect([plan.n1, plan.n2]).toEqual([n1, n2]);
  });

  it("never plans fewer than 2 trades per variant, however large the effect", () => {
    expect(tradesNeeded({ effectSize: 50 })).toMatchObject({ n1: 2, n2: 2 });
    expect(tradesNeeded({ effectSize: 50, ratio: 0.25 })).toMatchObject({ n1: 8, n2: 2 });
  });

  it("refuses an effect, alpha, power or ratio outside its range", () => {
    expect(() => tradesNeeded({ effectSize: 0 })).toThrow(/Effect size must be a positive number/);
    expect(() => tradesNeeded({ effectSize: 0.5, alpha: 1 })).toThrow(/Alpha must be between 0 and 1/);
    expect(() => tradesNeeded({ effectSize: 0.5, power: 0.3 })).toThrow(/Power must be at least 0.5 and below 1/);
    expect(() => tradesNeeded({ effectSize: 0.5, power: 1 })).toThrow(RangeError);
    expect(() => tradesNeeded({ effectSize: 0.5, ratio: -1 })).toThrow(/Ratio must be a positive number/);
  });
});

describe("decide", () => {
  const plan = tradesNeeded({ effectSize: 0.5 }); // 64 trades each
  const result = (n1: number, n2: number, diff: number, pValue: number): Pick<WelchResult, "n1" | "n2" | "diff" | "pValue"> => ({ n1, n2, diff, pValue });

  it("says nothing before both variants reach the planned trades, however small p is", () => {
    expect(decide(result(63, 200, 1, 1e-9), plan)).toBe("not enough trades yet");
    expect(decide(result(200, 63, -1, 1e-9), plan)).toBe("not enough trades yet");
  });

  it("at the horizon, picks the variant with the higher mean when p < alpha", () => {
    expect(decide(result(64, 64, 0.4, 0.049), plan)).toBe("A better");
    expect(decide(result(64, 70, -0.4, 0.001), plan)).toBe("B better");
  });

  it("at the horizon, p at or above alpha is no significant difference", () => {
    expect(decide(result(64, 64, 0.4, 0.05), plan)).toBe("no significant difference");
    expect(decide(result(90, 64, -2, 0.3), plan)).toBe("no significant difference");
  });

  it("decides the fixtures once their plan is met: the 1e-8 one for A, the realistic one not significant", () => {
    const small = tradesNeeded({ effectSize: 1.2 }); // 12 each
    expect(decide(welchTTest(FIXTURES[2]!.a, FIXTURES[2]!.b), small)).toBe("A better");
    expect(decide(welchTTest(FIXTURES[2]!.b, FIXTURES[2]!.a), small)).toBe("B better");
    expect(decide(welchTTest(FIXTURES[0]!.a, FIXTURES[0]!.b), small)).toBe("no significant difference");
    expect(decide(welchTTest(FIXTURES[0]!.a, FIXTURES[0]!.b), plan)).toBe("not enough trades yet");
  });
});
