/**
 * Runs once before the suite. With DATABASE_URL: recreates that database's schema from the migrations, so every
 * run starts from a freshly migrated database; each test file then works in its own copy (see ./db.ts).
 */
import path from "node:path";
import postgres from "postgres";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";

export default async function setup(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) return;
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe("DROP SCHEMA IF EXISTS public CASCADE; DROP SCHEMA IF EXISTS drizzle CASCADE; CREATE SCHEMA public;");
    await migrate(drizzle(sql), { migrationsFolder: path.resolve(import.meta.dirname, "../../drizzle") });
    // Old per-file copies left by an interrupted run: only those whose worker process is gone, so a second suite
    // running at the same time (on another template database) keeps its copies.
    const stale = await sql<{ datname: string }[]>`select datname from pg_database where datname like 'tradsy_t_%'`;
    for (const { datname } of stale) {
      const pid = Number(/^tradsy_t_(\d+)_/.exec(datname)?.[1]);
      if (pid && processAlive(pid)) continue;
      await sql.unsafe(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
  } finally {
    await sql.end();
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
