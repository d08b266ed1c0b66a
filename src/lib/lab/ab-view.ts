/**
 * What the A/B test page says (issue 20), as pure functions the browser and the tests share: the plan's trades per
 * variant before a test starts (the server's rule: alpha split evenly across the challengers, Bonferroni), a
 * challenger's parameters checked against its curated strategy's definitions, the banner a test's state warrants
 * (FIXED HORIZON: nothing is a decision before every variant has its planned trades), and the statistics' formats.
 */
import { satisfies, type Constraint } from "@/lib/optimize/space";
import { startAbTestSchema } from "@/lib/validation/strategy-runs";
import { tradesNeeded } from "./abtest";

/** One parameter of a curated strategy, as the catalogue defines it (plain data, so a page can pass it down). */
export interface ParamBounds {
  name: string;
  default: number;
  min: number;
  max: number;
  step: number;
  description: string;
}

export interface PlanInput {
  challengers: number;
  effectSize: number;
  alpha: number;
  power: number;
}

export interface PlanPreview {
  /** The significance level of each comparison with A: alpha / challengers. */
  alphaPerComparison: number;
  /** Closed trades every variant needs before the test is judged. */
  tradesNeeded: number;
}

const shape = startAbTestSchema.shape;

/**
 * The trades each variant will need, as the server computes them when the test starts; null while the plan is
 * outside the bounds the server accepts (the form says why at the field).
 */
export function planPreview({ challengers, effectSize, alpha, power }: PlanInput): PlanPreview | null {
  if (!Number.isInteger(challengers) || challengers < 1 || challengers > 3) return null;
  if (!shape.effectSize.safeParse(effectSize).success || !shape.alpha.safeParse(alpha).success || !shape.power.safeParse(power).success) return null;
  const alphaPerComparison = alpha / challengers;
  return { alphaPerComparison, tradesNeeded: tradesNeeded({ effectSize, alpha: alphaPerComparison, power }).n1 };
}

/** "trendPeriod" → "Trend period". */
export function paramLabel(name: string): string {
  const words = name.replace(/([A-Z])/g, " $1").toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** "Fast 3 · Slow 8": a parameter set in the catalogue's order. */
export function describeParams(params: Record<string, number>, defs?: readonly Pick<ParamBounds, "name">[]): string {
  const names = defs ? defs.map((d) => d.name).filter((n) => n in params) : Object.keys(params);
  return names.map((n) => `${paramLabel(n)} ${params[n]}`).join(" · ");
}

const OP_WORDS: Record<Constraint["op"], string> = { "<": "less than", "<=": "at most", ">": "greater than", ">=": "at least" };

export interface ChallengerIssues {
  /** By parameter name. */
  fields: Record<string, string>;
  /** A relation between parameters, or a duplicate of another variant. */
  set: string | null;
}

const keyOf = (p: Record<string, number>) => JSON.stringify(Object.entries(p).sort(([a], [b]) => a.localeCompare(b)));

/**
 * A challenger's parameters checked as the server checks them (resolveParams: bounds, whole numbers where the step is
 * whole, the strategy's constraints) and against the parameter sets already in the test (A first).
 */
export function challengerIssues(defs: readonly ParamBounds[], constraints: readonly Constraint[], values: Record<string, number>, others: readonly Record<string, number>[]): ChallengerIssues {
  const fields: Record<string, string> = {};
  for (const d of defs) {
    const v = values[d.name];
    if (v === undefined || !Number.isFinite(v)) fields[d.name] = `Enter ${paramLabel(d.name).toLowerCase()}`;
    else if (v < d.min || v > d.max) fields[d.name] = `Between ${d.min} and ${d.max}`;
    else if (Number.isInteger(d.step) && !Number.isInteger(v)) fields[d.name] = "A whole number";
  }
  if (Object.keys(fields).length) return { fields, set: null };
  for (const c of constraints) {
    if (!satisfies({ dimensions: [], constraints: [c] }, values)) return { fields, set: `${paramLabel(c.a)} must be ${OP_WORDS[c.op]} ${paramLabel(c.b).toLowerCase()}` };
  }
  const key = keyOf(values);
  if (others.some((o) => keyOf(o) === key)) return { fields, set: "These parameters are already in the test" };
  return { fields, set: null };
}

/** A two-sided p-value for people: three decimals, "< 0.001" below that. */
export function formatP(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return "—";
  return p < 0.001 ? "< 0.001" : p.toFixed(3);
}

/** "p = 0.012", or "p < 0.001". */
export function pEquals(p: number | null | undefined): string {
  const text = formatP(p);
  return text.startsWith("<") ? `p ${text}` : `p = ${text}`;
}

/** Share of the planned trades reached, 0–100, whole. */
export function progressPct(trades: number, needed: number): number {
  if (!(needed > 0)) return 0;
  return Math.min(100, Math.floor((100 * trades) / needed));
}

export interface BannerInput {
  status: "running" | "decided" | "stopped" | "promoted";
  winner: string | null;
  tradesNeeded: number;
  promotedVersion: number | null;
  /** From the stored result; null before the first evaluation. */
  result: { horizonReached: boolean; variants: { trades: number }[]; comparisons: { label: string; test: { pValue: number } | null }[] } | null;
}

export interface Banner {
  tone: "warning" | "success" | "info";
  title: string;
  detail: string;
  /** Whether the figures are final (the horizon reached and judged) rather than interim. */
  decided: boolean;
}

/**
 * The one sentence that says where a test stands. Before the horizon the figures are interim: a p-value that dips
 * under alpha on the way is not a result (looking repeatedly would inflate false winners), so it is never worded
 * as one.
 */
export function bannerOf(t: BannerInput): Banner {
  const decided = t.winner !== null && (t.result?.horizonReached ?? true);
  if (!decided) {
    const fewest = t.result?.variants.length ? Math.min(...t.result.variants.map((v) => v.trades)) : 0;
    const progress = `Each variant needs ${t.tradesNeeded} closed trades; the fewest so far is ${fewest}.`;
    if (t.status === "stopped") return { tone: "info", title: "Stopped before a decision", detail: `${progress} The figures below are interim and decide nothing.`, decided: false };
    return {
      tone: "warning",
      title: "Interim — not a decision",
      detail: `${progress} Until every variant has them, a difference or a small p-value can be chance: the test is judged once, at that point.`,
      decided: false,
    };
  }
  const stoppedNote = t.status === "stopped" ? " The test was stopped without promoting it." : "";
  if (t.winner === "A") {
    return { tone: "info", title: "No challenger beat the running version", detail: `At ${t.tradesNeeded} trades each, no challenger's mean return per trade was significantly higher than A's. A keeps trading.${stoppedNote}`, decided: true };
  }
  const p = t.result?.comparisons.find((c) => c.label === t.winner)?.test?.pValue;
  const promoted = t.status === "promoted" ? ` It was promoted: the strategy trades ${t.winner}'s parameters as version ${t.promotedVersion}.` : "";
  return {
    tone: "success",
    title: `Decided: ${t.winner} beats A (${pEquals(p)})`,
    detail: `At ${t.tradesNeeded} trades each, ${t.winner}'s mean return per trade was significantly higher than A's.${promoted}${stoppedNote}`,
    decided: true,
  };
}
