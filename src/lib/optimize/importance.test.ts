import { describe, expect, it } from "vitest";
import { parameterImportance } from "./importance";
import { gridPoints, type ParamSpace } from "./space";
import type { Trial } from "./search";

const SPACE: ParamSpace = {
  dimensions: [
    { name: "a", kind: "int", min: 1, max: 5, step: 1 },
    { name: "b", kind: "int", min: 1, max: 5, step: 1 },
    { name: "c", kind: "choice", values: ["x", "y"] },
  ],
};

describe("parameter importance", () => {
  it("gives all the importance to the only parameter the objective depends on", () => {
    const trials: Trial[] = [...gridPoints(SPACE)].map((params) => ({ params, value: (params.a as number) * 2 }));
    const imp = parameterImportance(SPACE, trials);
    expect(imp.find((r) => r.name === "a")).toMatchObject({ eta2: 1, share: 1 });
    expect(imp.find((r) => r.name === "b")!.eta2).toBeCloseTo(0, 12);
    expect(imp.find((r) => r.name === "c")!.eta2).toBeCloseTo(0, 12);
  });

  it("splits an additive objective by each parameter's share of the variance", () => {
    // value = a + 3·[c = y]: on the full grid var(a) = 2 and var(3·[c=y]) = 2.25, independent, so η² = 2/4.25 and 2.25/4.25.
    const trials: Trial[] = [...gridPoints(SPACE)].map((params) => ({ params, value: (params.a as number) + (params.c === "y" ? 3 : 0) }));
    const imp = Object.fromEntries(parameterImportance(SPACE, trials).map((r) => [r.name, r.eta2]));
    expect(imp.a).toBeCloseTo(2 / 4.25, 12);
    expect(imp.c).toBeCloseTo(2.25 / 4.25, 12);
    expect(imp.b).toBeCloseTo(0, 12);
  });

  it("ignores infeasible trials and bins parameters with many values", () => {
    const space: ParamSpace = { dimensions: [{ name: "x", kind: "float", min: 0, max: 1, step: 0.001 }] };
    const trials: Trial[] = Array.from({ length: 200 }, (_, k) => ({ params: { x: k / 200 }, value: k % 7 === 0 ? null : k / 200 }));
    const [x] = parameterImportance(space, trials);
    expect(x!.eta2).toBeGreaterThan(0.95);
    expect(x!.share).toBe(1);
    expect(parameterImportance(space, [])).toEqual([{ name: "x", eta2: 0, share: 0 }]);
  });
});
