/**
 * What the optimisation pages compute in the browser from `lab.optimizations.get` (issue 20), kept pure so it is
 * tested apart from React:
 *
 * - the ETA, from the rate of progress between polls (timed by the server's `now`, never the browser's clock);
 * - the best-so-far curve of the objective against the trial number;
 * - the heatmap of a two-parameter space: one cell per pair of grid values (binned to at most HEATMAP_MAX_BINS a
 *   side), each holding the best trial that landed in it, or why it has none (every pair in it breaks a constraint,
 *   its trials had no objective value, or none was tried yet);
 * - the diverging colour scale the heatmap and its legend share, centred on the objective's neutral value, each side
 *   reaching full colour at its own extreme.
 */
import type { Objective } from "@/lib/optimize/objective";
import { gridValues, satisfies, type Constraint, type Dimension, type ParamSpace, type ParamValue } from "@/lib/optimize/space";

// ---- progress and ETA -------------------------------------------------------------------------------------------

/** One poll's progress: the server's time of the answer (ms) and the units done (trials or windows). */
export interface ProgressSample {
  at: number;
  done: number;
}

/** How far back the rate looks: long enough to smooth the polls, short enough to follow a change of pace. */
export const ETA_WINDOW_MS = 30_000;

/**
 * The samples with `next` added: one per server time (a repeated answer adds nothing), the oldest dropped once they
 * fall out of ETA_WINDOW_MS, and all of them dropped when progress went backwards (a resumed walk-forward restarts).
 */
export function addSample(samples: readonly ProgressSample[], next: ProgressSample): ProgressSample[] {
  const last = samples[samples.length - 1];
  if (last && last.at === next.at) return samples as ProgressSample[];
  if (last && next.done < last.done) return [next];
  return [...samples.filter((s) => s.at >= next.at - ETA_WINDOW_MS), next];
}

/** Milliseconds left at the rate seen across `samples`; null until two of them differ in progress (and in time). */
export function remainingMs(samples: readonly ProgressSample[], total: number): number | null {
  if (samples.length < 2) return null;
  const first = samples[0]!;
  const last = samples[samples.length - 1]!;
  const done = last.done - first.done;
  const elapsed = last.at - first.at;
  if (done <= 0 || elapsed <= 0) return null;
  return (Math.max(0, total - last.done) * elapsed) / done;
}

/** "about 3 min left" for an ETA; "estimating…" while there is none. */
export function etaText(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return "estimating…";
  const s = Math.round(ms / 1000);
  if (s < 10) return "a few seconds left";
  if (s < 60) return `about ${Math.round(s / 5) * 5} s left`;
  const min = Math.round(s / 60);
  if (min < 60) return `about ${min} min left`;
  return `about ${Math.floor(min / 60)} h ${min % 60} min left`;
}

// ---- best so far ------------------------------------------------------------------------------------------------

export interface TrialPoint {
  seq: number;
  params: Record<string, ParamValue>;
  value: number | null;
}

/** The running maximum of the objective by trial number, from the first trial with a value on. */
export function bestSoFar(points: readonly TrialPoint[]): { seq: number; value: number }[] {
  const out: { seq: number; value: number }[] = [];
  let best = -Infinity;
  for (const p of [...points].sort((a, b) => a.seq - b.seq)) {
    if (p.value !== null && p.value > best) best = p.value;
    if (best > -Infinity) out.push({ seq: p.seq, value: best });
  }
  return out;
}

// ---- heatmap ----------------------------------------------------------------------------------------------------

/** A dimension as `lab.optimizations.get` describes it (choices come without their values). */
export interface ViewDimension {
  name: string;
  kind: "int" | "float" | "choice";
  min?: number;
  max?: number;
  step?: number;
}

export interface ViewSpace {
  dimensions: readonly ViewDimension[];
  constraints: readonly { a: string; op: string; b: string }[];
}

/** Cells a side at most: beyond it, neighbouring grid values share a cell (its best trial shows). */
export const HEATMAP_MAX_BINS = 40;

export interface HeatmapAxis {
  name: string;
  /** One label per cell along the axis, lowest value first ("12", or "12–14" for a bin of several values). */
  labels: string[];
  /** Grid values in each cell (1 unless binned). */
  binSize: number;
}

export type HeatmapCell =
  | { state: "value"; value: number; trials: number; params: Record<string, ParamValue>; seq: number }
  /** Tried, but no trial in it had an objective value (too few trades, undefined figure). */
  | { state: "no-value"; trials: number }
  /** Every pair of values in it breaks a constraint: the search never proposes it. */
  | { state: "excluded" }
  | { state: "untried" };

export interface Heatmap {
  x: HeatmapAxis;
  y: HeatmapAxis;
  /** cells[yi][xi], yi and xi from the lowest value. */
  cells: HeatmapCell[][];
  /** The best cell, or null when no trial has a value. */
  best: { xi: number; yi: number; value: number; params: Record<string, ParamValue> } | null;
  /** Range of the values shown (null when none). */
  min: number | null;
  max: number | null;
}

type NumberDimension = Extract<Dimension, { kind: "int" | "float" }>;

function numberDimension(d: ViewDimension): NumberDimension | null {
  if (d.kind === "choice" || d.min === undefined || d.max === undefined || d.step === undefined || !(d.step > 0)) return null;
  return { name: d.name, kind: d.kind, min: d.min, max: d.max, step: d.step };
}

/** The two number dimensions a heatmap shows, or null unless the space has exactly two and both are numbers. */
export function heatmapDimensions(space: ViewSpace): [NumberDimension, NumberDimension] | null {
  if (space.dimensions.length !== 2) return null;
  const a = numberDimension(space.dimensions[0]!);
  const b = numberDimension(space.dimensions[1]!);
  return a && b ? [a, b] : null;
}

const fmt = (v: number) => String(Number(v.toPrecision(10)));

function axisOf(d: NumberDimension): { axis: HeatmapAxis; values: number[]; index: (v: number) => number } {
  const values = gridValues(d) as number[];
  const binSize = Math.max(1, Math.ceil(values.length / HEATMAP_MAX_BINS));
  const labels: string[] = [];
  for (let k = 0; k < values.length; k += binSize) {
    const lo = values[k]!;
    const hi = values[Math.min(values.length - 1, k + binSize - 1)]!;
    labels.push(lo === hi ? fmt(lo) : `${fmt(lo)}–${fmt(hi)}`);
  }
  // A float trial of a Bayesian search lies between grid values: it counts in the cell of the nearest one.
  const index = (v: number) => Math.floor(Math.min(values.length - 1, Math.max(0, Math.round((v - d.min) / d.step))) / binSize);
  return { axis: { name: d.name, labels, binSize }, values, index };
}

/** The heatmap of a two-parameter space's trials; null for any other space. */
export function buildHeatmap(space: ViewSpace, points: readonly TrialPoint[]): Heatmap | null {
  const dims = heatmapDimensions(space);
  if (!dims) return null;
  const [dx, dy] = dims;
  const X = axisOf(dx);
  const Y = axisOf(dy);
  const paramSpace: ParamSpace = { dimensions: dims, constraints: space.constraints as readonly Constraint[] };

  const cells: HeatmapCell[][] = Y.axis.labels.map((_, yi) =>
    X.axis.labels.map((_, xi) => {
      for (let i = xi * X.axis.binSize; i < Math.min(X.values.length, (xi + 1) * X.axis.binSize); i++) {
        for (let j = yi * Y.axis.binSize; j < Math.min(Y.values.length, (yi + 1) * Y.axis.binSize); j++) {
          if (satisfies(paramSpace, { [dx.name]: X.values[i]!, [dy.name]: Y.values[j]! })) return { state: "untried" } as HeatmapCell;
        }
      }
      return { state: "excluded" } as HeatmapCell;
    }),
  );

  let best: Heatmap["best"] = null;
  let min: number | null = null;
  let max: number | null = null;
  for (const p of points) {
    const vx = p.params[dx.name];
    const vy = p.params[dy.name];
    if (typeof vx !== "number" || typeof vy !== "number") continue;
    const xi = X.index(vx);
    const yi = Y.index(vy);
    const cell = cells[yi]![xi]!;
    const trials = (cell.state === "value" || cell.state === "no-value" ? cell.trials : 0) + 1;
    if (cell.state === "value") {
      cells[yi]![xi] = p.value !== null && p.value > cell.value ? { state: "value", value: p.value, trials, params: p.params, seq: p.seq } : { ...cell, trials };
    } else {
      cells[yi]![xi] = p.value === null ? { state: "no-value", trials } : { state: "value", value: p.value, trials, params: p.params, seq: p.seq };
    }
    if (p.value === null) continue;
    min = min === null ? p.value : Math.min(min, p.value);
    max = max === null ? p.value : Math.max(max, p.value);
    if (!best || p.value > best.value) best = { xi, yi, value: p.value, params: p.params };
  }
  return { x: X.axis, y: Y.axis, cells, best, min, max };
}

// ---- colour -------------------------------------------------------------------------------------------------------

/** The objective's neutral value: a profit factor of 1 breaks even; the ratios' is 0. */
export function objectiveMidpoint(objective: Objective | string): number {
  return objective === "profit-factor" ? 1 : 0;
}

/**
 * The scale: below the midpoint towards red, above it towards teal, each side stretched to its own extreme (a
 * two-slope scale), so the best cell is full teal even when one awful trial lies much further below the midpoint
 * than the best lies above it.
 */
export interface DivergingScale {
  mid: number;
  /** The lowest and highest values shown (the scale's ends). */
  min: number;
  max: number;
}

export function divergingScale(min: number | null, max: number | null, mid: number): DivergingScale {
  return { mid, min: min ?? mid, max: max ?? mid };
}

const NEG: [number, number, number] = [185, 28, 28]; // red-700
const NEUTRAL: [number, number, number] = [241, 245, 249]; // slate-100
const POS: [number, number, number] = [15, 118, 110]; // teal-700

/** The colour of a value on the scale, as `rgb(r g b)`. */
export function divergingColour(value: number, scale: DivergingScale): string {
  const side = value < scale.mid ? scale.mid - scale.min : scale.max - scale.mid;
  const t = side > 0 ? Math.max(-1, Math.min(1, (value - scale.mid) / side)) : 0;
  const end = t < 0 ? NEG : POS;
  const a = Math.abs(t);
  const c = NEUTRAL.map((n, k) => Math.round(n + (end[k]! - n) * a));
  return `rgb(${c[0]} ${c[1]} ${c[2]})`;
}
