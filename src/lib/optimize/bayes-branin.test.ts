/**
 * Issue 20, acceptance 1 on Branin (2-D): over 10 seeds of 100 trials, the Bayesian search's median best is within
 * 1% of the function's value range of the known minimum and better than random search's with the same budget.
 * Hartmann-6 is in bayes-hartmann.test.ts (a file of its own, so the two run in parallel).
 */
import { describe, expect, it } from "vitest";
import { acceptanceRun } from "./test-support";
import { BRANIN } from "./test-functions";

describe("Bayesian search on Branin", () => {
  it("reaches within 1% of the value range of the minimum in 100 trials (median of 10 seeds) and beats random search", () => {
    const r = acceptanceRun(BRANIN);
    expect(r.bayesRegretShare).toBeLessThanOrEqual(0.01);
    expect(r.bayesMedian).toBeLessThan(r.randomMedian);
  }, 120_000);
});
