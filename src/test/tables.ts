/** Row counts of every table in the database, for tests that assert a refused request wrote nothing anywhere. */
import { sql } from "drizzle-orm";
import { db } from "@/server/db";

async function rows<T>(query: ReturnType<typeof sql>): Promise<T[]> {
  const res = (await db.execute(query)) as unknown;
  return (Array.isArray(res) ? res : (res as { rows: T[] }).rows) as T[];
}

/** `{ table: rows }` for every table in the public schema (read from pg_tables, so a new table is counted too). */
export async function tableCounts(): Promise<Record<string, number>> {
  const tables = (await rows<{ tablename: string }>(sql`select tablename from pg_tables where schemaname = 'public' order by tablename`)).map((r) => r.tablename);
  if (!tables.length) return {};
  const union = tables.map((t) => `select '${t}' as t, count(*)::int as n from "public"."${t}"`).join(" union all ");
  const counts = await rows<{ t: string; n: number }>(sql.raw(union));
  return Object.fromEntries(counts.map((r) => [r.t, Number(r.n)]));
}

/** The tables whose row count differs between two `tableCounts()` snapshots, with both counts. */
export function changedTables(before: Record<string, number>, after: Record<string, number>): Record<string, [number, number]> {
  const out: Record<string, [number, number]> = {};
  for (const t of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (before[t] !== after[t]) out[t] = [before[t] ?? 0, after[t] ?? 0];
  }
  return out;
}
