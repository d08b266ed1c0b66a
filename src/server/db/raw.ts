/**
 * Plain SQL on the process-wide database, without the query builder: for the few hot paths (the TradingView webhook
 * and signal publication) where building and mapping queries cost more CPU than the database spends on them.
 * Everything else uses drizzle (`db`).
 *
 * Statements use positional parameters ($1, $2…) and return rows as the driver parses them (numeric as string,
 * json/jsonb parsed, timestamptz as Date). Pass parameters as strings, numbers or null and cast in SQL
 * (`$1::text::jsonb`), so both drivers send them the same way. On PostgreSQL, statements are prepared once per
 * connection (keyed by their text), so keep the text fixed and the values in parameters.
 */
import "server-only";
import type { PGlite } from "@electric-sql/pglite";
import type { Sql } from "postgres";
import { sql, type SQL } from "drizzle-orm";
import { getDatabase, type DatabaseHandle, type Executor } from "./index";

export type RawRow = Record<string, unknown>;
export type RawStatement = readonly [text: string, params: readonly unknown[]];

/** Adds a statement parameter and returns its placeholder ($1, $2…). */
export type Param = (value: unknown) => string;

/**
 * A statement whose parameters are numbered in the order `build` adds them through `$` (each call returns the next
 * placeholder). The text depends only on the shape `build` gives it, so a statement of one shape is prepared once.
 */
export function statement(build: ($: Param) => string): RawStatement {
  const params: unknown[] = [];
  const text = build((value) => {
    params.push(value);
    return `$${params.length}`;
  });
  return [text, params];
}

/**
 * A raw statement as a drizzle query, to run inside a drizzle transaction (`executeRows(tx, asQuery(s))`): the one
 * text serves both the raw paths and the query builder's. Each `$n` becomes a bound parameter.
 */
export function asQuery([text, params]: RawStatement): SQL {
  const chunks: SQL[] = [];
  let last = 0;
  for (const m of text.matchAll(/\$(\d+)/g)) {
    chunks.push(sql.raw(text.slice(last, m.index)), sql`${params[Number(m[1]) - 1]}`);
    last = m.index + m[0].length;
  }
  chunks.push(sql.raw(text.slice(last)));
  return sql.join(chunks);
}

function unsafe(sql: Pick<Sql, "unsafe">, [text, params]: RawStatement): Promise<RawRow[]> {
  return sql.unsafe(text, params as never[], { prepare: true }) as unknown as Promise<RawRow[]>;
}

/** Runs one statement outside any transaction, on the given database (the job runner's runners each hold one). */
export async function rawQueryOn<T extends RawRow = RawRow>(handle: DatabaseHandle, text: string, params: readonly unknown[] = []): Promise<T[]> {
  if (handle.kind === "postgres") return (await unsafe(handle.driver as Sql, [text, params])) as T[];
  return (await (handle.driver as PGlite).query<T>(text, params as unknown[])).rows;
}

/** Runs one statement outside any transaction. */
export async function rawQuery<T extends RawRow = RawRow>(text: string, params: readonly unknown[] = []): Promise<T[]> {
  return rawQueryOn<T>(await getDatabase(), text, params);
}

/**
 * Runs one short statement outside any transaction on the handle's pipeline connection (PostgreSQL): statements
 * issued while others are in flight are sent together in one write and answered in order, which saves the
 * per-statement socket writes and reads of the webhook's hot path. Only for statements that cannot wait on locks
 * or run long (they would hold up the ones queued behind them). Elsewhere, `rawQuery`.
 */
export async function rawPipelined<T extends RawRow = RawRow>(text: string, params: readonly unknown[] = []): Promise<T[]> {
  const handle = await getDatabase();
  if (handle.kind === "postgres" && handle.pipeline) return (await unsafe(handle.pipeline as Sql, [text, params])) as T[];
  return rawQuery<T>(text, params);
}

/** What a transaction's second step returns: the statements to run before COMMIT (none: end without writing). */
export interface RawTransactionEnd<T> {
  last: readonly RawStatement[];
  result: T;
}

/**
 * A transaction in two round trips: BEGIN with the `first` statements, then — from their rows — `decide` returns the
 * `last` statements, sent with COMMIT. When `decide` throws or a statement fails, the transaction rolls back and
 * the error propagates. (A failed statement aborts the transaction, so the COMMIT sent with it only rolls back.)
 *
 * Statements of a batch run one after another, each with its own snapshot: a statement that waited for a row lock
 * taken by an earlier one in the batch sees what was committed meanwhile.
 */
export async function rawTransaction<T>(first: readonly RawStatement[], decide: (rows: RawRow[][]) => Promise<RawTransactionEnd<T>> | RawTransactionEnd<T>): Promise<T> {
  const handle = await getDatabase();
  if (handle.kind === "pglite") {
    return (handle.driver as PGlite).transaction(async (tx) => {
      const rows: RawRow[][] = [];
      for (const [text, params] of first) rows.push((await tx.query<RawRow>(text, params as unknown[])).rows);
      const { last, result } = await decide(rows);
      for (const [text, params] of last) await tx.query(text, params as unknown[]);
      return result;
    });
  }

  // postgres.js pipelines the statements sent on one reserved connection: each batch is one write and one round trip.
  const conn = await (handle.driver as Sql).reserve();
  let open = false;
  try {
    const begun = Promise.all([conn.unsafe("begin"), ...first.map((s) => unsafe(conn, s))]);
    open = true;
    const [, ...rows] = await begun;
    const { last, result } = await decide(rows);
    await Promise.all([...last.map((s) => unsafe(conn, s)), conn.unsafe("commit")]);
    open = false;
    return result;
  } catch (err) {
    // After a failed COMMIT (or a statement sent with it) there is no transaction left; the ROLLBACK is harmless.
    if (open) await conn.unsafe("rollback").catch(() => undefined);
    throw err;
  } finally {
    conn.release();
  }
}

/** Rows of `executor.execute(query)`, whichever driver ran it (postgres.js answers an array, PGlite `{ rows }`). */
export async function executeRows<T extends RawRow = RawRow>(executor: Executor, query: SQL): Promise<T[]> {
  const res = (await executor.execute(query)) as unknown;
  return (Array.isArray(res) ? res : (res as { rows: T[] }).rows) as T[];
}
