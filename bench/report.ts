/** Bench results: the `bench/results.json` row shape, percentiles, budget checks and the printed table. */
import fs from "node:fs";
import path from "node:path";

export interface Result {
  name: string;
  /** null only for a skipped measurement. */
  value: number | null;
  unit: string;
  budget: string;
  /** Why a measurement was skipped (unit "skipped"). */
  skipped?: string;
}

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, i)]!;
}

export const round = (v: number, digits = 2) => +v.toFixed(digits);

export function printTable(results: Result[], checks: Check[]) {
  const width = Math.max(40, ...results.map((r) => r.name.length));
  console.log("");
  console.log(`${"measurement".padEnd(width)} ${"value".padStart(10)} ${"unit".padEnd(7)} budget`);
  console.log("-".repeat(width + 40));
  for (const r of results) {
    const value = r.value === null ? "-" : String(r.value);
    console.log(`${r.name.padEnd(width)} ${value.padStart(10)} ${r.unit.padEnd(7)} ${r.budget}${r.skipped ? `  (${r.skipped})` : ""}`);
  }
  console.log("");
  for (const c of checks) console.log(`${c.ok ? "ok     " : "MISSED "} ${c.name}: ${c.detail}`);
}

export function writeResults(results: Result[]): string {
  const out = path.join(process.cwd(), "bench", "results.json");
  fs.writeFileSync(out, JSON.stringify(results, null, 2) + "\n");
  return path.relative(process.cwd(), out);
}
