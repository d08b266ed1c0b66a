/**
 * The one database client. PostgreSQL through postgres.js when `DATABASE_URL` is set, otherwise embedded PGlite
 * persisted in `<DATA_DIR>/pglite`. Both run the same generated migrations from `drizzle/`.
 *
 * The client is opened lazily on first use and kept on `globalThis`, so hot reloads, the Next.js bundles
 * (instrumentation, routes) and `next build` workers never open a second PGlite on the same directory.
 */
import "server-only";
import path from "node:path";
import fs from "node:fs";
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from "drizzle-orm/pg-core";
import type { ExtractTablesWithRelations } from "drizzle-orm";
import { env } from "@/env";
import * as schema from "./schema";

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** Anything that can run queries: the client or an open transaction. */
export type Executor = Db | Tx;

export interface DatabaseHandle {
  db: Db;
  kind: "postgres" | "pglite";
  /** Raw driver, for LISTEN/NOTIFY and tooling. */
  driver: unknown;
  /**
   * PostgreSQL only: a second postgres.js client with a single connection, on which concurrent short statements are
   * pipelined (sent in one write, answered in order) — see `rawPipelined` in ./raw.
   */
  pipeline?: unknown;
  close(): Promise<void>;
}

const MIGRATIONS_FOLDER = path.join(process.cwd(), "drizzle");

type GlobalDb = { handle?: DatabaseHandle; opening?: Promise<DatabaseHandle> };
const g = globalThis as unknown as { __tradsyDb?: GlobalDb };
const state: GlobalDb = (g.__tradsyDb ??= {});

export function pgliteDir(): string {
  return path.resolve(env.DATA_DIR, "pglite");
}

export async function openPostgres(url: string): Promise<DatabaseHandle> {
  const { default: postgres } = await import("postgres");
  const { drizzle } = await import("drizzle-orm/postgres-js");
  // JIT off: the app's queries are short OLTP reads whose planner costs still cross jit_above_cost, and compiling
  // them costs more (tens of ms) than running them.
  // Dead clients: a process that dies leaves its transactions (and their locks: a provider's row, a webhook
  // delivery's claim) open until PostgreSQL notices. A closed socket it notices at once; a host or network that
  // vanished only through TCP keepalives, by default after two hours. Probing after 10 s idle, every 5 s, 3 times
  // bounds that to about 25 s; the check interval makes a backend busy in a statement (waiting for a lock) look too.
  const options = {
    onnotice: () => {},
    connection: { jit: "off", tcp_keepalives_idle: 10, tcp_keepalives_interval: 5, tcp_keepalives_count: 3, client_connection_check_interval: 2000 },
  } as const;
  const client = postgres(url, { max: 10, ...options });
  // Connects on first use; only the webhook's one-statement publications go there.
  const pipeline = postgres(url, { max: 1, ...options });
  const db = drizzle(client, { schema, casing: "snake_case" }) as unknown as Db;
  return { db, kind: "postgres", driver: client, pipeline, close: async () => void (await Promise.all([client.end({ timeout: 5 }), pipeline.end({ timeout: 5 })])) };
}

export async function openPglite(dataDir: string | undefined): Promise<DatabaseHandle> {
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  if (dataDir) fs.mkdirSync(dataDir, { recursive: true });
  const client = await PGlite.create(dataDir);
  const db = drizzle(client, { schema, casing: "snake_case" }) as unknown as Db;
  return { db, kind: "pglite", driver: client, close: () => client.close() };
}

/** Opens (once) and returns the process-wide database. */
export async function getDatabase(): Promise<DatabaseHandle> {
  if (state.handle) return state.handle;
  state.opening ??= (env.DATABASE_URL ? openPostgres(env.DATABASE_URL) : openPglite(pgliteDir())).then((h) => {
    state.handle = h;
    return h;
  });
  return state.opening;
}

/** Tests point the process-wide client at their own isolated database. */
export function setDatabase(handle: DatabaseHandle | undefined): void {
  state.handle = handle;
  state.opening = handle ? Promise.resolve(handle) : undefined;
}

export async function migrateDatabase(handle: DatabaseHandle): Promise<void> {
  if (handle.kind === "pglite") {
    const { migrate } = await import("drizzle-orm/pglite/migrator");
    await migrate(handle.db as never, { migrationsFolder: MIGRATIONS_FOLDER });
  } else {
    const { migrate } = await import("drizzle-orm/postgres-js/migrator");
    await migrate(handle.db as never, { migrationsFolder: MIGRATIONS_FOLDER });
  }
}

/**
 * `db` behaves like the drizzle client but resolves the real one on each call, so importing this module never
 * opens a connection. Calls made before `getDatabase()` resolved throw: start-up (instrumentation) and test
 * setup open it first.
 */
export const db: Db = new Proxy({} as Db, {
  get(_target, prop) {
    const handle = state.handle;
    if (!handle) throw new Error("Database not opened yet: await getDatabase() during start-up");
    const value = Reflect.get(handle.db as object, prop) as unknown;
    return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(handle.db) : value;
  },
});

export { schema };
