/** Words and number formats the optimisation pages share (issue 20). Hypothetical figures, floats by design. */
import { OBJECTIVE_LABELS, type Objective } from "@/lib/optimize/objective";
import { num } from "./format";

export const METHOD_LABEL: Record<string, string> = { grid: "Grid search", bayes: "Bayesian search" };
export const KIND_LABEL: Record<string, string> = { optimize: "Optimisation", "walk-forward": "Walk-forward" };
export const STATUS_LABEL = { queued: "Queued", running: "Running", done: "Done", failed: "Failed", cancelled: "Cancelled" } as const;

export function objectiveLabel(objective: string): string {
  return OBJECTIVE_LABELS[objective as Objective] ?? objective;
}

/** An objective value: three decimals (Sharpe 1.234), a dash when there is none. */
export function objectiveText(v: number | null | undefined): string {
  return num(v, 3);
}

/** `fast 10 · slow 50`, in the order of the space's dimensions when given. */
export function paramsText(params: Record<string, number | string> | null | undefined, order?: readonly string[]): string {
  if (!params) return "—";
  const keys = order?.filter((k) => k in params) ?? Object.keys(params);
  return keys.map((k) => `${k} ${typeof params[k] === "number" ? Number((params[k] as number).toPrecision(10)) : params[k]}`).join(" · ");
}

/** Progress of a run as a share (0–100): trials of the budget, or windows of a walk-forward. */
export function progressOf(r: { kind: string; trialsDone: number; budget: number; windowsDone: number; windowsTotal: number }): { done: number; total: number; pct: number; unit: string } {
  const wf = r.kind === "walk-forward";
  const done = wf ? r.windowsDone : r.trialsDone;
  const total = wf ? r.windowsTotal : r.budget;
  return { done, total, pct: total > 0 ? Math.min(100, (100 * done) / total) : 0, unit: wf ? "windows" : "trials" };
}
