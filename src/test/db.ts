/**
 * Isolated databases for integration tests.
 * - PGlite (default): the run's migrated template, dumped once by ./global-setup.ts, loaded per test file (~0.6 s
 *   instead of ~4 s for a fresh instance migrated and cloned; the clone is the fallback outside that setup).
 * - PostgreSQL (DATABASE_URL): a per-file database copied from this run's freshly migrated template (made by
 *   ./global-setup.ts), named under the run's prefix so that only this run ever drops it (./run-databases.ts).
 * Every test starts from empty tables: `useTestDatabase()` truncates them before each test.
 */
import fs from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, inject } from "vitest";
import { sql } from "drizzle-orm";
import type { PGlite } from "@electric-sql/pglite";
import { setDatabase, type DatabaseHandle, type Db } from "@/server/db";
import * as schema from "@/server/db/schema";

const MIGRATIONS = path.resolve(import.meta.dirname, "../../drizzle");

type G = { __tradsyPgliteTemplate?: Promise<PGlite>; __tradsyPgliteDump?: Blob };
const g = globalThis as unknown as G;

/** A fresh migrated PGlite: loaded from the run's dumped template (./global-setup.ts), else cloned from one made here. */
async function freshPglite(): Promise<PGlite> {
  const file = inject("pgliteTemplate");
  if (file) {
    const { PGlite } = await import("@electric-sql/pglite");
    g.__tradsyPgliteDump ??= new Blob([new Uint8Array(await fs.readFile(file))]);
    return PGlite.create({ loadDataDir: g.__tradsyPgliteDump });
  }
  g.__tradsyPgliteTemplate ??= (async () => {
    const { PGlite } = await import("@electric-sql/pglite");
    const { drizzle } = await import("drizzle-orm/pglite");
    const { migrate } = await import("drizzle-orm/pglite/migrator");
    const client = await PGlite.create();
    await migrate(drizzle(client), { migrationsFolder: MIGRATIONS });
    return client;
  })();
  return (await (await g.__tradsyPgliteTemplate).clone()) as PGlite;
}

export async function createTestDatabase(): Promise<DatabaseHandle> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    const { drizzle } = await import("drizzle-orm/pglite");
    const client = await freshPglite();
    const db = drizzle(client, { schema, casing: "snake_case" }) as unknown as Db;
    return { db, kind: "pglite", driver: client, close: () => client.close() };
  }
  const { default: postgres } = await import("postgres");
  const { drizzle } = await import("drizzle-orm/postgres-js");
  const run = inject("testDatabases");
  if (!run) throw new Error("DATABASE_URL is set but the run has no template database: run the tests with vitest.config.ts (its globalSetup)");
  const template = run.template;
  const name = `${run.prefix}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = postgres(url.replace(/\/[^/?]+(\?|$)/, "/postgres$1"), { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
  } finally {
    await admin.end();
  }
  const client = postgres(url.replace(/\/[^/?]+(\?|$)/, `/${name}$1`), { max: 5, onnotice: () => {} });
  const pipeline = postgres(url.replace(/\/[^/?]+(\?|$)/, `/${name}$1`), { max: 1, onnotice: () => {} });
  const db = drizzle(client, { schema, casing: "snake_case" }) as unknown as Db;
  return {
    db,
    kind: "postgres",
    driver: client,
    pipeline,
    close: async () => {
      await Promise.all([client.end({ timeout: 5 }), pipeline.end({ timeout: 5 })]);
      const drop = postgres(url.replace(/\/[^/?]+(\?|$)/, "/postgres$1"), { max: 1, onnotice: () => {} });
      await drop.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await drop.end();
    },
  };
}

export async function truncateAll(db: Db): Promise<void> {
  const rows = await db.execute<{ tablename: string }>(
    sql`select tablename from pg_tables where schemaname = 'public'`,
  );
  const list = (Array.isArray(rows) ? rows : (rows as unknown as { rows: { tablename: string }[] }).rows)
    .map((r) => `"public"."${r.tablename}"`)
    .join(", ");
  if (!list) return;
  // A job a previous test started in the background (every sign-up starts the onboarding sequence) may hold a lock
  // the TRUNCATE needs while it takes one the TRUNCATE holds: PostgreSQL then cancels one of the two (40P01). Again.
  for (let attempt = 1; ; attempt++) {
    try {
      await db.execute(sql.raw(`TRUNCATE ${list} RESTART IDENTITY CASCADE`));
      return;
    } catch (err) {
      const code = (err as { code?: string; cause?: { code?: string } }).cause?.code ?? (err as { code?: string }).code;
      if (code !== "40P01" || attempt >= 5) throw err;
    }
  }
}

/**
 * Registers hooks giving this test file its own database, emptied before each test, and the job runner the server
 * would have: events the services send run the app's jobs in process, as after start-up (src/server/startup.ts).
 */
export function useTestDatabase(): { readonly db: Db; readonly handle: DatabaseHandle } {
  let handle: DatabaseHandle | undefined;
  beforeAll(async () => {
    handle = await createTestDatabase();
    setDatabase(handle);
    // Loaded here, after the test file's own imports and mocks, as the runner loaded it on a first event before.
    (await import("@/server/jobs")).registerJobs();
  });
  beforeEach(async () => {
    await truncateAll(handle!.db);
  });
  afterAll(async () => {
    setDatabase(undefined);
    await handle?.close();
  });
  return {
    get db() {
      return handle!.db;
    },
    get handle() {
      return handle!;
    },
  };
}
