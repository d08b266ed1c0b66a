/**
 * The database connections this application holds, for `/api/metrics` and the admin System page.
 *
 * PostgreSQL: read from `pg_stat_activity` for our database and our client's `application_name` (every process of
 * the app sharing the database counts: the server sees connections, not processes), against the most this process's
 * postgres.js clients may open (the pool plus the webhook's one pipelined connection). PGlite: one embedded
 * connection, always open.
 */
import "server-only";
import type { Sql } from "postgres";
import type { DatabaseHandle } from "@/server/db";
import { rawQueryOn } from "@/server/db/raw";

export interface DbPool {
  engine: "postgres" | "pglite";
  /** Connections this process's clients may open. */
  max: number;
  /** Connections open for this application (all states). */
  open: number;
  /** Running a statement (this probe's own included); open − active − idle are idle in a transaction or starting. */
  active: number;
  idle: number;
}

const maxOf = (client: unknown): number => (client as Partial<Pick<Sql, "options">> | undefined)?.options?.max ?? 0;

export async function readDbPool(handle: DatabaseHandle): Promise<DbPool> {
  if (handle.kind === "pglite") return { engine: "pglite", max: 1, open: 1, active: 0, idle: 1 };
  const [row] = await rawQueryOn<{ open: number; active: number; idle: number }>(
    handle,
    `select count(*)::int as open,
            (count(*) filter (where state = 'active'))::int as active,
            (count(*) filter (where state = 'idle'))::int as idle
       from pg_stat_activity
      where datname = current_database() and application_name = current_setting('application_name')`,
  );
  return { engine: "postgres", max: maxOf(handle.driver) + maxOf(handle.pipeline), open: row?.open ?? 0, active: row?.active ?? 0, idle: row?.idle ?? 0 };
}
