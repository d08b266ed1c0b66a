/**
 * The database-backed gauges of `/api/metrics`, read at scrape time so every process reports the same figures:
 * job runs by job and status, copy orders by venue and status, emails by status, and the connection pool.
 *
 * One read serves all the gauges of a scrape (each gauge's `collect()` awaits the same promise). It is bounded twice:
 * the statements run with a 2 s `statement_timeout`, and the scrape stops waiting after `DB_SCRAPE_TIMEOUT_MS` (a
 * database that does not answer at all), reporting `tradsy_db_scrape_up 0` and no database series rather than hanging.
 *
 * Cost: job_runs is pruned to days of history (services/jobs) and email_outbox is small; copy_orders is read in full
 * (an aggregate by venue and status, a sequential scan: milliseconds per 100k rows). A connection's venue is its
 * exchange (`binance`), never its id, so the label set stays bounded.
 */
import "server-only";
import { sql } from "drizzle-orm";
import { getDatabase, type DatabaseHandle } from "@/server/db";
import { executeRows } from "@/server/db/raw";
import { emailStatus } from "@/server/db/schema/notifications";
import { copyOrderStatus } from "@/server/db/schema/copy";
import { jobRunStatus } from "@/server/db/schema/jobs";
import { logger } from "@/server/logger";
import { readDbPool, type DbPool } from "./db-pool";

export const DB_SCRAPE_TIMEOUT_MS = 3000;

export interface DatabaseFigures {
  jobRuns: { job: string; status: string; n: number }[];
  copyOrders: { venue: string; status: string; n: number }[];
  emails: { status: string; n: number }[];
  pool: DbPool;
}

async function read(handle: DatabaseHandle): Promise<DatabaseFigures> {
  const counts = await handle.db.transaction(async (tx) => {
    await tx.execute(sql`set local statement_timeout = '2s'`);
    const jobRuns = await executeRows<{ job: string; status: string; n: number }>(tx, sql`select job_id as job, status::text as status, count(*)::int as n from job_runs group by 1, 2`);
    const copyOrders = await executeRows<{ venue: string; status: string; n: number }>(
      tx,
      sql`select coalesce(c.exchange_id, case when o.venue = 'paper' then 'paper' else 'other' end) as venue, o.status::text as status, sum(o.n)::int as n
            from (select venue, status, count(*) as n from copy_orders group by venue, status) o
            left join exchange_connections c on c.id = o.venue
           group by 1, 2`,
    );
    const emails = await executeRows<{ status: string; n: number }>(tx, sql`select status::text as status, count(*)::int as n from email_outbox group by 1`);
    return { jobRuns, copyOrders, emails };
  });
  return { ...counts, pool: await readDbPool(handle) };
}

/** The figures, or null when the database failed or did not answer within `timeoutMs`. */
export async function readDatabaseFigures(timeoutMs = DB_SCRAPE_TIMEOUT_MS): Promise<DatabaseFigures | null> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), timeoutMs);
  });
  try {
    return await Promise.race([getDatabase().then(read), timedOut]);
  } catch (err) {
    logger.warn({ err }, "metrics: database figures unavailable");
    return null;
  } finally {
    clearTimeout(timer);
  }
}

/** Every status of a key seen, zero unless counted: a status that empties reads 0 rather than vanishing. */
function withZeros<K extends string>(rows: { key: K; status: string; n: number }[], statuses: readonly string[]) {
  const out = new Map<string, { key: K; status: string; n: number }>();
  for (const key of new Set(rows.map((r) => r.key))) for (const status of statuses) out.set(`${key}\u0000${status}`, { key, status, n: 0 });
  for (const r of rows) out.set(`${r.key}\u0000${r.status}`, r);
  return [...out.values()];
}

export const jobRunSeries = (f: DatabaseFigures) => withZeros(f.jobRuns.map((r) => ({ key: r.job, status: r.status, n: r.n })), jobRunStatus.enumValues);
export const copyOrderSeries = (f: DatabaseFigures) => withZeros(f.copyOrders.map((r) => ({ key: r.venue, status: r.status, n: r.n })), copyOrderStatus.enumValues);
export const emailSeries = (f: DatabaseFigures) => {
  const counted = new Map(f.emails.map((r) => [r.status, r.n]));
  return emailStatus.enumValues.map((status) => ({ status, n: counted.get(status) ?? 0 }));
};
