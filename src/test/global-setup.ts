/**
 * Runs once before the suite, in vitest's main process. With DATABASE_URL: this run's own template database,
 * migrated from scratch, from which each test file copies its database (see ./db.ts). Every database the run
 * creates carries the run's prefix, and the run drops exactly those when it ends (see ./run-databases.ts), so two
 * runs on one PostgreSQL server (two checkouts, two CI jobs) neither share a template nor drop each other's
 * databases. The DATABASE_URL database itself is only where the run connects; its contents are not touched.
 */
import path from "node:path";
import postgres from "postgres";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import type { TestProject } from "vitest/node";
import { dropRunDatabases, dropStaleDatabases, lockRun, newRunPrefix, unlockRun } from "./run-databases";

declare module "vitest" {
  export interface ProvidedContext {
    /** This run's database prefix and template (PostgreSQL only; null on PGlite). */
    testDatabases: { prefix: string; template: string } | null;
  }
}

const withDatabase = (url: string, name: string) => url.replace(/\/[^/?]+(\?|$)/, `/${name}$1`);

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | void> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    project.provide("testDatabases", null);
    return;
  }
  const prefix = newRunPrefix();
  const template = `${prefix}_template`;
  // One session for the run's lock, held until teardown (see ./run-databases.ts).
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  const session = await admin.reserve();
  try {
    await lockRun(session, prefix);
    // Databases of runs that were killed before their teardown; never a live run's.
    await dropStaleDatabases(session);
    await session.unsafe(`CREATE DATABASE "${template}"`);
    const migrator = postgres(withDatabase(url, template), { max: 1, onnotice: () => {} });
    try {
      await migrate(drizzle(migrator), { migrationsFolder: path.resolve(import.meta.dirname, "../../drizzle") });
    } finally {
      // A template must have no open connection when a test file copies it.
      await migrator.end();
    }
  } catch (err) {
    await dropRunDatabases(session, prefix).catch(() => undefined);
    session.release();
    await admin.end();
    throw err;
  }
  project.provide("testDatabases", { prefix, template });

  return async () => {
    try {
      await dropRunDatabases(session, prefix);
      await unlockRun(session, prefix);
    } finally {
      session.release();
      await admin.end();
    }
  };
}
