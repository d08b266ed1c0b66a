/**
 * Runs once before the suite, in vitest's main process. With DATABASE_URL: this run's own template database,
 * migrated from scratch, from which each test file copies its database (see ./db.ts). Every database the run
 * creates carries the run's prefix, and the run drops exactly those when it ends (see ./run-databases.ts), so two
 * runs on one PostgreSQL server (two checkouts, two CI jobs) neither share a template nor drop each other's
 * databases. The DATABASE_URL database itself is only where the run connects; its contents are not touched.
 */
import fs from "node:fs/promises";
import os from "node:os";
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
    /** PGlite only: the file holding this run's migrated template data directory (a tarball), or null on PostgreSQL. */
    pgliteTemplate: string | null;
  }
}

/**
 * PGlite: migrates one instance and dumps its data directory to a file that every test file loads. A test file runs
 * in its own process, where a new instance costs ~2.5 s, migrating it ~0.5 s and cloning ~0.9 s; loading the dumped
 * directory costs ~0.6 s. The file is this run's (its own temporary directory), removed when the run ends.
 */
async function pgliteTemplateFile(): Promise<{ file: string; remove: () => Promise<void> }> {
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle: pgliteDrizzle } = await import("drizzle-orm/pglite");
  const { migrate: pgliteMigrate } = await import("drizzle-orm/pglite/migrator");
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "tradsy-test-pglite-"));
  const client = await PGlite.create();
  try {
    await pgliteMigrate(pgliteDrizzle(client), { migrationsFolder: MIGRATIONS });
    const dump = await client.dumpDataDir("none");
    const file = path.join(dir, "template.tar");
    await fs.writeFile(file, Buffer.from(await dump.arrayBuffer()));
    return { file, remove: () => fs.rm(dir, { recursive: true, force: true }) };
  } catch (err) {
    await fs.rm(dir, { recursive: true, force: true });
    throw err;
  } finally {
    await client.close();
  }
}

const MIGRATIONS = path.resolve(import.meta.dirname, "../../drizzle");

const withDatabase = (url: string, name: string) => url.replace(/\/[^/?]+(\?|$)/, `/${name}$1`);

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | void> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    const template = await pgliteTemplateFile();
    project.provide("testDatabases", null);
    project.provide("pgliteTemplate", template.file);
    return template.remove;
  }
  project.provide("pgliteTemplate", null);
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
      await migrate(drizzle(migrator), { migrationsFolder: MIGRATIONS });
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
