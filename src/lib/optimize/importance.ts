/**
 * Parameter importance (issue 20): how much of the spread of the objective across an optimisation's trials each
 * parameter explains on its own — its correlation ratio η² (Pearson): group the feasible trials by the parameter's
 * value (number parameters with more than BINS distinct values by equal-count bins of their sorted values), and
 * divide the variance of the group means (weighted by group size) by the total variance. Shares are η² divided by
 * their sum, so they add up to 1. A main-effects measure like Optuna's fANOVA evaluator's first-order terms, without
 * the random forest: interactions (fast and slow together) are not split out, and on the trials of a Bayesian search,
 * which crowd around the optimum, it describes the region searched rather than the whole space.
 */
import type { Trial } from "./search";
import type { ParamSpace } from "./space";

export const BINS = 10;

export interface Importance {
  name: string;
  /** η², 0 to 1. */
  eta2: number;
  /** η² as a share of the sum over the parameters (0 when no parameter explains anything). */
  share: number;
}

export function parameterImportance(space: ParamSpace, trials: readonly Trial[]): Importance[] {
  const feasible = trials.filter((t) => t.value !== null);
  const n = feasible.length;
  const mean = n ? feasible.reduce((s, t) => s + t.value!, 0) / n : 0;
  const total = feasible.reduce((s, t) => s + (t.value! - mean) ** 2, 0);
  const rows = space.dimensions.map((d) => {
    if (n < 2 || total === 0) return { name: d.name, eta2: 0 };
    const groups = new Map<string, number[]>();
    const distinct = [...new Set(feasible.map((t) => t.params[d.name]))];
    let key: (v: number | string) => string = String;
    if (d.kind !== "choice" && distinct.length > BINS) {
      const sorted = feasible.map((t) => t.params[d.name] as number).sort((a, b) => a - b);
      const edges = Array.from({ length: BINS - 1 }, (_, k) => sorted[Math.floor(((k + 1) * n) / BINS)]!);
      key = (v) => String(edges.filter((e) => (v as number) >= e).length);
    }
    for (const t of feasible) {
      const k = key(t.params[d.name]!);
      const g = groups.get(k);
      if (g) g.push(t.value!);
      else groups.set(k, [t.value!]);
    }
    let between = 0;
    for (const g of groups.values()) {
      const m = g.reduce((s, v) => s + v, 0) / g.length;
      between += g.length * (m - mean) ** 2;
    }
    return { name: d.name, eta2: between / total };
  });
  const sum = rows.reduce((s, r) => s + r.eta2, 0);
  return rows.map((r) => ({ ...r, share: sum > 0 ? r.eta2 / sum : 0 }));
}
