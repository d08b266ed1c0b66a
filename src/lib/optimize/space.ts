/**
 * A strategy's parameter space for optimisation (issue 20): integer, float and choice dimensions, and constraints
 * between parameters (fast < slow). Spaces are plain data, so a run stores the space it searched beside its trials.
 *
 * - `int`: whole numbers min, min + step, … ≤ max (step ≥ 1).
 * - `float`: any value in [min, max] for the Bayesian search; the grid takes min, min + step, … ≤ max.
 * - `choice`: one of the listed values (numbers or strings).
 * Constraints compare two parameters (`a op b`, op one of < ≤ > ≥); a point that breaks one is never proposed.
 *
 * The Bayesian search works on the unit cube: each number dimension maps to one coordinate in [0, 1] (ints on the
 * centre of their step's cell, so every value gets the same share of the cube), a choice with k values to k
 * one-hot coordinates.
 */
import type { Rng } from "./rng";

export type ParamValue = number | string;
export type Params = Record<string, ParamValue>;

export type Dimension =
  | { name: string; kind: "int"; min: number; max: number; step: number }
  | { name: string; kind: "float"; min: number; max: number; step: number }
  | { name: string; kind: "choice"; values: readonly ParamValue[] };

export interface Constraint {
  a: string;
  op: "<" | "<=" | ">" | ">=";
  b: string;
}

export interface ParamSpace {
  dimensions: readonly Dimension[];
  constraints?: readonly Constraint[];
}

/** Floats on a step grid: rounded to this many decimals so 0.1 + 0.2 lands on 0.3. */
const DECIMALS = 10;
const roundTo = (x: number) => Number(x.toFixed(DECIMALS));

/** The values a dimension takes on a grid. */
export function gridValues(d: Dimension): ParamValue[] {
  if (d.kind === "choice") return [...d.values];
  const out: number[] = [];
  const n = Math.floor((d.max - d.min) / d.step + 1e-9);
  for (let k = 0; k <= n; k++) out.push(d.kind === "int" ? d.min + k * d.step : roundTo(d.min + k * d.step));
  return out;
}

/** Checks the space is well formed; throws a RangeError naming the problem. */
export function checkSpace(space: ParamSpace): void {
  if (space.dimensions.length === 0) throw new RangeError("The parameter space has no parameters");
  const names = new Set<string>();
  for (const d of space.dimensions) {
    if (names.has(d.name)) throw new RangeError(`Parameter "${d.name}" appears twice`);
    names.add(d.name);
    if (d.kind === "choice") {
      if (d.values.length === 0) throw new RangeError(`${d.name}: a choice needs at least one value`);
      continue;
    }
    if (!Number.isFinite(d.min) || !Number.isFinite(d.max) || d.min > d.max) throw new RangeError(`${d.name}: min must be ≤ max`);
    if (!(d.step > 0)) throw new RangeError(`${d.name}: step must be above 0`);
    if (d.kind === "int" && (!Number.isInteger(d.min) || !Number.isInteger(d.max) || !Number.isInteger(d.step))) {
      throw new RangeError(`${d.name}: a whole-number parameter needs whole-number min, max and step`);
    }
  }
  for (const c of space.constraints ?? []) {
    for (const n of [c.a, c.b]) if (!names.has(n)) throw new RangeError(`A constraint names "${n}", which is not a parameter`);
  }
}

export function satisfies(space: ParamSpace, p: Params): boolean {
  for (const c of space.constraints ?? []) {
    const a = p[c.a]!;
    const b = p[c.b]!;
    const ok = c.op === "<" ? a < b : c.op === "<=" ? a <= b : c.op === ">" ? a > b : a >= b;
    if (!ok) return false;
  }
  return true;
}

/** Grid points (constraints applied), in row-major order of the dimensions: the last one varies fastest. */
export function* gridPoints(space: ParamSpace): Generator<Params> {
  const values = space.dimensions.map(gridValues);
  const idx = new Array<number>(values.length).fill(0);
  if (values.some((v) => v.length === 0)) return;
  for (;;) {
    const p: Params = {};
    space.dimensions.forEach((d, k) => (p[d.name] = values[k]![idx[k]!]!));
    if (satisfies(space, p)) yield p;
    let k = values.length - 1;
    while (k >= 0 && ++idx[k]! === values[k]!.length) idx[k--] = 0;
    if (k < 0) return;
  }
}

/** Points on the grid before constraints (what a UI shows as "up to N"). */
export function gridSize(space: ParamSpace): number {
  return space.dimensions.reduce((n, d) => n * gridValues(d).length, 1);
}

/** Points on the grid that satisfy the constraints. */
export function feasibleGridSize(space: ParamSpace): number {
  let n = 0;
  for (const _ of gridPoints(space)) n++;
  return n;
}

/** A stable key for a point (duplicates are never evaluated twice). */
export function pointKey(space: ParamSpace, p: Params): string {
  return space.dimensions.map((d) => String(p[d.name])).join("|");
}

/** Coordinates of the unit-cube encoding. */
export function encodedWidth(space: ParamSpace): number {
  return space.dimensions.reduce((w, d) => w + (d.kind === "choice" ? d.values.length : 1), 0);
}

function steps(d: Extract<Dimension, { kind: "int" }>): number {
  return Math.floor((d.max - d.min) / d.step) + 1;
}

/** A point on the unit cube (ints at the centre of their cell, choices one-hot). */
export function encode(space: ParamSpace, p: Params, out = new Float64Array(encodedWidth(space))): Float64Array {
  let j = 0;
  for (const d of space.dimensions) {
    const v = p[d.name]!;
    if (d.kind === "choice") {
      for (let k = 0; k < d.values.length; k++) out[j++] = d.values[k] === v ? 1 : 0;
    } else if (d.kind === "int") {
      out[j++] = (((v as number) - d.min) / d.step + 0.5) / steps(d);
    } else {
      out[j++] = d.max === d.min ? 0.5 : ((v as number) - d.min) / (d.max - d.min);
    }
  }
  return out;
}

/** The point a unit-cube vector stands for: ints to their cell, choices to the largest coordinate. */
export function decode(space: ParamSpace, x: ArrayLike<number>): Params {
  const p: Params = {};
  let j = 0;
  for (const d of space.dimensions) {
    if (d.kind === "choice") {
      let best = 0;
      for (let k = 1; k < d.values.length; k++) if (x[j + k]! > x[j + best]!) best = k;
      p[d.name] = d.values[best]!;
      j += d.values.length;
    } else if (d.kind === "int") {
      const n = steps(d);
      const cell = Math.min(n - 1, Math.max(0, Math.floor(x[j++]! * n)));
      p[d.name] = d.min + cell * d.step;
    } else {
      const u = Math.min(1, Math.max(0, x[j++]!));
      p[d.name] = roundTo(d.min + u * (d.max - d.min));
    }
  }
  return p;
}

/** A uniformly random point of the space (ignoring constraints). */
export function samplePoint(space: ParamSpace, rng: Rng): Params {
  const p: Params = {};
  for (const d of space.dimensions) {
    if (d.kind === "choice") p[d.name] = d.values[Math.floor(rng() * d.values.length)]!;
    else if (d.kind === "int") p[d.name] = d.min + Math.floor(rng() * steps(d)) * d.step;
    else p[d.name] = roundTo(d.min + rng() * (d.max - d.min));
  }
  return p;
}

/** A random point that satisfies the constraints, or null after `tries` misses (a space almost all infeasible). */
export function sampleFeasible(space: ParamSpace, rng: Rng, tries = 1_000): Params | null {
  for (let t = 0; t < tries; t++) {
    const p = samplePoint(space, rng);
    if (satisfies(space, p)) return p;
  }
  return null;
}
