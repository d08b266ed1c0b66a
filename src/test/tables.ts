/**
 * Snapshots of every table in the database, for tests that assert a refused request wrote nothing anywhere: not
 * only no row added or removed, but no row changed (an update, or an insert and a delete, keeps the count).
 */
import { sql } from "drizzle-orm";
import { db } from "@/server/db";
import { waitForInlineRuns } from "@/server/jobs/inline/runner";

async function rows<T>(query: ReturnType<typeof sql>): Promise<T[]> {
  const res = (await db.execute(query)) as unknown;
  return (Array.isArray(res) ? res : (res as { rows: T[] }).rows) as T[];
}

/**
 * `{ table: "<rows>:<md5 of every row's text, in order>" }` for every table in the public schema (read from
 * pg_tables, so a new table is covered too); `ignoreColumns` leaves named columns out of a table's fingerprint.
 * Background job runs the setup started (a sign-up's onboarding sequence, a publication's alerts) settle first, so
 * what they write is not mistaken for what the request under test wrote.
 */
export async function tableCounts(options: { ignoreColumns?: Record<string, string[]> } = {}): Promise<Record<string, string>> {
  await waitForInlineRuns();
  const tables = (await rows<{ tablename: string }>(sql`select tablename from pg_tables where schemaname = 'public' order by tablename`)).map((r) => r.tablename);
  if (!tables.length) return {};
  const rowText = (t: string) => {
    const ignored = options.ignoreColumns?.[t];
    return ignored?.length ? `(to_jsonb(x) - array[${ignored.map((c) => `'${c.replace(/'/g, "''")}'`).join(", ")}]::text[])::text` : "x::text";
  };
  const union = tables
    .map((t) => `select '${t}' as t, count(*)::int as n, coalesce(md5(string_agg(${rowText(t)}, ',' order by ${rowText(t)})), '') as h from "public"."${t}" as x`)
    .join(" union all ");
  const snapshot = await rows<{ t: string; n: number; h: string }>(sql.raw(union));
  return Object.fromEntries(snapshot.map((r) => [r.t, `${Number(r.n)}:${r.h}`]));
}

/**
 * Counters, not data: every tRPC mutation takes a point of the per-account floor (`mutation-account`) before its
 * input is even read, refused or not, so a refusal "writes" there by design. `changedTables` leaves them out unless
 * asked (`{ counters: true }`); tests about the limits themselves read the store directly.
 */
export const COUNTER_TABLES: readonly string[] = ["rate_limits"];

/** The tables that differ between two `tableCounts()` snapshots (rows added, removed or changed), with both. */
export function changedTables(
  before: Record<string, string>,
  after: Record<string, string>,
  options: { counters?: boolean } = {},
): Record<string, [string, string]> {
  const out: Record<string, [string, string]> = {};
  for (const t of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (!options.counters && COUNTER_TABLES.includes(t)) continue;
    if (before[t] !== after[t]) out[t] = [before[t] ?? "", after[t] ?? ""];
  }
  return out;
}
