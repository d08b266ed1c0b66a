/**
 * The optimise form's values, its check and the request it sends (issue 20). Flat values suit react-hook-form's
 * inputs; the check reuses the shared schema's pieces (startOptimizationSchema's trials and minimum trades, the
 * walk-forward windows, the backtest settings) so the form and the router say the same things, and adds what only
 * the form can check before sending: each range inside the strategy's declared bounds, on its kind of number.
 */
import { z } from "zod";
import { curatedSpace, feasibleGridSize, OBJECTIVES, type Constraint, type Objective } from "@/lib/optimize";
import type { ParamDef } from "@/lib/strategy-library";
import {
  backtestSettingsSchema,
  DEFAULT_BACKTEST_SETTINGS,
  LAB_TIMEFRAMES,
  startOptimizationSchema,
  walkForwardWindowsSchema,
  type StartOptimizationInput,
} from "@/lib/validation/lab";

/** A curated strategy as the form needs it (plain data from the page: the catalogue's `create` stays on the server). */
export interface OptimizeStrategy {
  id: string;
  name: string;
  description: string;
  params: ParamDef[];
  constraints: Constraint[];
}

const maybe = z.number().or(z.nan());
const range = z.object({ min: maybe, max: maybe, step: maybe });

export const WALK_FORWARD_DEFAULTS = { mode: "rolling", trainBars: 6_000, testBars: 2_000 } as const;

export function optimizeFormSchema(strategies: readonly OptimizeStrategy[]) {
  return z
    .object({
      curatedId: z.string().min(1, "Choose a strategy"),
      ranges: z.record(z.string(), range),
      method: z.enum(["grid", "bayes"], { error: "Choose grid or Bayesian search" }),
      trials: maybe,
      objective: z.enum(OBJECTIVES, { error: "Choose what to maximise" }),
      minTrades: maybe,
      /** Empty until the user picks one: the form then sends the market it shows (BTC/USDT, or the first). */
      symbol: z.string(),
      timeframe: z.enum(LAB_TIMEFRAMES, { error: "Choose 1h or 1d" }),
      from: z.string(),
      to: z.string(),
      cash: maybe,
      commissionPct: maybe,
      slippageBps: maybe,
      sizingMode: z.enum(["fraction", "quantity", "risk"]),
      sizingValue: maybe,
      walkForward: z.boolean(),
      wfMode: z.enum(["rolling", "anchored"]),
      trainBars: maybe,
      testBars: maybe,
    })
    .superRefine((v, ctx) => {
      const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: "custom", message, path });
      const entry = strategies.find((s) => s.id === v.curatedId);
      if (!entry) return issue(["curatedId"], "Choose a strategy from the library");
      for (const p of entry.params) {
        const r = v.ranges[p.name];
        const whole = Number.isInteger(p.step);
        for (const key of ["min", "max", "step"] as const) {
          const x = r?.[key];
          if (x === undefined || !Number.isFinite(x)) issue(["ranges", p.name, key], `Enter the ${key === "min" ? "lowest value" : key === "max" ? "highest value" : "step"}`);
          else if (whole && !Number.isInteger(x)) issue(["ranges", p.name, key], "A whole number of bars");
          else if (key === "step" && !(x > 0)) issue(["ranges", p.name, key], "The step must be above 0");
          else if (key !== "step" && (x < p.min || x > p.max)) issue(["ranges", p.name, key], `Between ${p.min} and ${p.max}`);
        }
        if (r && r.min > r.max) issue(["ranges", p.name, "max"], "At least the lowest value");
      }
      if (v.method === "bayes") copy(startOptimizationSchema.shape.trials.safeParse(v.trials), () => ["trials"], issue);
      copy(startOptimizationSchema.shape.minTrades.safeParse(v.minTrades), () => ["minTrades"], issue);
      copy(
        backtestSettingsSchema.safeParse({ cash: v.cash, commissionPct: v.commissionPct, slippageBps: v.slippageBps, sizing: { mode: v.sizingMode, value: v.sizingValue } }),
        (path) => [path[0] === "sizing" ? "sizingValue" : String(path[0])],
        issue,
      );
      if (v.walkForward) {
        copy(walkForwardWindowsSchema.safeParse({ mode: v.wfMode, trainBars: v.trainBars, testBars: v.testBars }), (path) => [path[0] === "mode" ? "wfMode" : String(path[0])], issue);
      }
      if (v.from && v.to && v.from >= v.to) issue(["from"], "The start must be before the end");
    });
}

/** A shared schema's issues, moved onto the form's fields. */
function copy(result: z.ZodSafeParseResult<unknown>, at: (path: PropertyKey[]) => (string | number)[], issue: (path: (string | number)[], message: string) => void): void {
  if (!result.success) for (const i of result.error.issues) issue(at(i.path), i.message);
}

export type OptimizeFormValues = z.infer<ReturnType<typeof optimizeFormSchema>>;

/** The declared bounds of each parameter: where the form starts, and what it resets to when the strategy changes. */
export function declaredRanges(entry: OptimizeStrategy | undefined): OptimizeFormValues["ranges"] {
  return Object.fromEntries((entry?.params ?? []).map((p) => [p.name, { min: p.min, max: p.max, step: p.step }]));
}

export function defaultValues(entry: OptimizeStrategy | undefined, symbol: string): OptimizeFormValues {
  return {
    curatedId: entry?.id ?? "",
    ranges: declaredRanges(entry),
    method: "grid",
    trials: 100,
    objective: "sharpe" satisfies Objective,
    minTrades: 10,
    symbol,
    timeframe: "1h",
    from: "",
    to: "",
    cash: DEFAULT_BACKTEST_SETTINGS.cash,
    commissionPct: DEFAULT_BACKTEST_SETTINGS.commissionPct,
    slippageBps: DEFAULT_BACKTEST_SETTINGS.slippageBps,
    sizingMode: DEFAULT_BACKTEST_SETTINGS.sizing.mode,
    sizingValue: DEFAULT_BACKTEST_SETTINGS.sizing.value,
    walkForward: false,
    wfMode: WALK_FORWARD_DEFAULTS.mode,
    trainBars: WALK_FORWARD_DEFAULTS.trainBars,
    testBars: WALK_FORWARD_DEFAULTS.testBars,
  };
}

const day = (d: string) => (d ? Date.parse(`${d}T00:00:00Z`) : undefined);

/** The request for checked values: ranges only for the chosen strategy's parameters, trials only for a Bayesian run. */
export function toStartInput(v: OptimizeFormValues, entry: OptimizeStrategy): StartOptimizationInput {
  return {
    curatedId: entry.id,
    ranges: Object.fromEntries(entry.params.map((p) => [p.name, v.ranges[p.name]!])),
    method: v.method,
    ...(v.method === "bayes" ? { trials: v.trials } : {}),
    objective: v.objective,
    minTrades: v.minTrades,
    symbol: v.symbol,
    timeframe: v.timeframe,
    from: day(v.from),
    to: day(v.to),
    settings: { cash: v.cash, commissionPct: v.commissionPct, slippageBps: v.slippageBps, sizing: { mode: v.sizingMode, value: v.sizingValue } },
    ...(v.walkForward ? { walkForward: { mode: v.wfMode, trainBars: v.trainBars, testBars: v.testBars } } : {}),
  };
}

/** Above this many grid points before the constraints, the feasible ones are not counted while the user types. */
export const COUNT_LIMIT = 250_000;

/**
 * The grid the ranges make: its points before the constraints and those that satisfy them (null when there are too
 * many to count at typing speed); null when a range is not valid yet.
 */
export function gridCount(entry: OptimizeStrategy, ranges: OptimizeFormValues["ranges"]): { raw: number; feasible: number | null } | null {
  // An empty input is NaN (or null once the ranges went through JSON): not a range yet.
  const finite = (x: unknown) => typeof x === "number" && Number.isFinite(x);
  if (!entry.params.every((p) => [ranges[p.name]?.min, ranges[p.name]?.max, ranges[p.name]?.step].every(finite))) return null;
  try {
    const space = curatedSpace(entry, Object.fromEntries(entry.params.map((p) => [p.name, ranges[p.name]])));
    // Counted from the bounds, not by listing each axis: a tiny step must not hang the page while the user types.
    const raw = space.dimensions.reduce((n, d) => (d.kind === "choice" ? n * d.values.length : n * (Math.floor((d.max - d.min) / d.step + 1e-9) + 1)), 1);
    // Without constraints every point is feasible: nothing to enumerate.
    if (!space.constraints?.length) return { raw, feasible: raw };
    return { raw, feasible: raw > COUNT_LIMIT ? null : feasibleGridSize(space) };
  } catch {
    return null;
  }
}
