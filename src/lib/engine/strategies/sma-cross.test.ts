import { describe, expect, it } from "vitest";
import { PandasRollingMean } from "./sma-cross";

/** pandas' roll_mean (aggregations.pyx) transcribed over a whole array: the reference for the incremental class. */
function pandasRollMean(values: readonly number[], n: number): number[] {
  const out: number[] = [];
  let sum = 0;
  let compAdd = 0;
  let compRemove = 0;
  let nobs = 0;
  let negative = 0;
  let sameRun = 0;
  let prev = values[0]!;
  const signbit = (v: number) => v < 0 || Object.is(v, -0);
  for (let i = 0; i < values.length; i++) {
    if (i >= n) {
      const v = values[i - n]!;
      nobs--;
      const y = -v - compRemove;
      const t = sum + y;
      compRemove = t - sum - y;
      sum = t;
      if (signbit(v)) negative--;
    }
    const v = values[i]!;
    nobs++;
    const y = v - compAdd;
    const t = sum + y;
    compAdd = t - sum - y;
    sum = t;
    if (signbit(v)) negative++;
    sameRun = v === prev ? sameRun + 1 : 1;
    prev = v;
    if (nobs < n) out.push(NaN);
    else {
      let r = sum / nobs;
      if (sameRun >= nobs) r = prev;
      else if (negative === 0 && r < 0) r = 0;
      else if (negative === nobs && r > 0) r = 0;
      out.push(r);
    }
  }
  return out;
}

describe("PandasRollingMean: pandas' rolling mean, bit for bit, one value at a time", () => {
  // Runs of equal values, zeros of both signs, negatives, tiny and huge magnitudes: every branch of pandas' rules.
  const tricky = [5, 5, 5, 5, 0.1, 0.2, 0.3, -0, 0, 0, -1e-9, 3, 3, 1e15, 1e-15, -7, -7, -7, 2.5, 2.5, 100.01, 99.99, 0.3];
  let seed = 7;
  const random = Array.from({ length: 2000 }, () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    const r = seed / 2 ** 31;
    return r < 0.05 ? 100 : Math.round((90 + r * 20) * 100) / 100; // prices with repeats
  });

  for (const n of [1, 2, 3, 5, 10, 20]) {
    it(`window ${n}`, () => {
      for (const values of [tricky, random]) {
        const m = new PandasRollingMean(n);
        const got = values.map((v) => m.update(v));
        const want = pandasRollMean(values, n);
        got.forEach((g, i) => expect(Object.is(g, want[i]), `value ${i}: ${g} vs ${want[i]}`).toBe(true));
      }
    });
  }

  it("refuses a period that is not a whole number of at least 1", () => {
    expect(() => new PandasRollingMean(0)).toThrow(RangeError);
    expect(() => new PandasRollingMean(2.5)).toThrow(RangeError);
  });
});
