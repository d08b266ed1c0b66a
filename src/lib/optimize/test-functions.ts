/**
 * Standard test functions of global optimisation with known optima (issue 20, acceptance 1), as parameter spaces and
 * objectives to maximise (the negated function, since both are minimisation problems). Definitions and optima from
 * Surjanovic & Bingham's Virtual Library of Simulation Experiments (sfu.ca/~ssurjano): Branin on x1 ∈ [−5, 10],
 * x2 ∈ [0, 15], minimum 0.397887 at three points; Hartmann-6 on [0, 1]⁶, minimum −3.32237.
 */
import type { ParamSpace, Params } from "./space";

export interface TestFunction {
  name: string;
  space: ParamSpace;
  /** The function itself (to minimise). */
  f(p: Params): number;
  minimum: number;
  /** The largest value on the domain (for regret as a share of the value range), found by dense search. */
  maximum: number;
}

const num = (p: Params, k: string) => p[k] as number;

export const BRANIN: TestFunction = {
  name: "Branin",
  space: {
    dimensions: [
      { name: "x1", kind: "float", min: -5, max: 10, step: 0.25 },
      { name: "x2", kind: "float", min: 0, max: 15, step: 0.25 },
    ],
  },
  f(p) {
    const x1 = num(p, "x1");
    const x2 = num(p, "x2");
    const b = 5.1 / (4 * Math.PI ** 2);
    const c = 5 / Math.PI;
    const t = 1 / (8 * Math.PI);
    return (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - t) * Math.cos(x1) + 10;
  },
  minimum: 0.397887,
  // At (−5, 0): (0 − 5.1·25/(4π²) − 25/π − 6)² + 10(1 − 1/8π)cos(−5) + 10.
  maximum: 308.129096,
};

const H_ALPHA = [1.0, 1.2, 3.0, 3.2];
const H_A = [
  [10, 3, 17, 3.5, 1.7, 8],
  [0.05, 10, 17, 0.1, 8, 14],
  [3, 3.5, 1.7, 10, 17, 8],
  [17, 8, 0.05, 10, 0.1, 14],
];
const H_P = [
  [1312, 1696, 5569, 124, 8283, 5886],
  [2329, 4135, 8307, 3736, 1004, 9991],
  [2348, 1451, 3522, 2883, 3047, 6650],
  [4047, 8828, 8732, 5743, 1091, 381],
].map((r) => r.map((v) => v * 1e-4));

export const HARTMANN6: TestFunction = {
  name: "Hartmann-6",
  space: { dimensions: Array.from({ length: 6 }, (_, i) => ({ name: `x${i + 1}`, kind: "float" as const, min: 0, max: 1, step: 0.1 })) },
  f(p) {
    let s = 0;
    for (let i = 0; i < 4; i++) {
      let inner = 0;
      for (let j = 0; j < 6; j++) inner += H_A[i]![j]! * (num(p, `x${j + 1}`) - H_P[i]![j]!) ** 2;
      s += H_ALPHA[i]! * Math.exp(-inner);
    }
    return -s;
  },
  minimum: -3.32237,
  // The function is negative everywhere and approaches 0 far from the four bumps (e.g. −0.0000 at corners).
  maximum: 0,
};
