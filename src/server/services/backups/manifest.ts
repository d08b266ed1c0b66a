/**
 * The per-table fingerprint a backup's manifest records and a verification recomputes on the restored copy: for each
 * public table but `ops_maintenance`, its row count and the md5 of its rows' md5s in sorted order.
 *
 * The same query runs on PostgreSQL, on PGlite and on the scratch copy a verification restores, so equal data gives
 * equal checksums across engines. Sorting by the rows' own md5 (in the "C" collation) rather than by the primary key
 * makes the checksum independent of row order and needs no key, and the session settings that change how a row prints
 * (time zone, date style, float digits) are pinned for the query's transaction.
 */
import "server-only";
import { sql } from "drizzle-orm";
import type { Executor } from "@/server/db";
import type { TableFingerprints } from "@/lib/backups";

/** Never in a backup: a restore keeps the maintenance window it holds (see the schema's opsMaintenance). */
export const EXCLUDED_TABLES = ["ops_maintenance"] as const;

function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * Fingerprints every table in the `public` schema but the excluded ones. Runs in a (nested) transaction of its own to
 * pin the output settings; called inside a REPEATABLE READ transaction it sees that transaction's snapshot.
 */
export async function computeManifest(executor: Executor): Promise<TableFingerprints> {
  return executor.transaction(async (tx) => {
    // INVARIANT: identical settings on every engine, or the same rows print (and hash) differently.
    await tx.execute(sql.raw("set local timezone = 'UTC'"));
    await tx.execute(sql.raw("set local datestyle = 'ISO, MDY'"));
    await tx.execute(sql.raw("set local intervalstyle = 'postgres'"));
    await tx.execute(sql.raw("set local extra_float_digits = 1"));
    await tx.execute(sql.raw("set local bytea_output = 'hex'"));
    const tables = rowsOf<{ name: string }>(
      await tx.execute(sql`select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition order by c.relname`),
    )
      .map((r) => r.name)
      .filter((name) => !(EXCLUDED_TABLES as readonly string[]).includes(name));
    const out: TableFingerprints = {};
    for (const name of tables) {
      const t = `public.${quoteIdent(name)}`;
      const [row] = rowsOf<{ rows: string | number; checksum: string }>(
        await tx.execute(
          sql.raw(`select count(*)::bigint as rows, md5(coalesce(string_agg(h, '' order by h collate "C"), '')) as checksum
            from (select md5(t::text) as h from ${t} t) s`),
        ),
      );
      out[name] = { rows: Number(row!.rows), checksum: row!.checksum };
    }
    return out;
  });
}
