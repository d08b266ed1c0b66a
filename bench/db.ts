/**
 * Scratch databases for the bench. PostgreSQL when one answers (BENCH_DATABASE_URL, else DATABASE_URL, else the
 * local default postgres://postgres@127.0.0.1:5432), each scratch database dropped and created from scratch per run
 * and dropped again at the end (BENCH_KEEP_DB=1 keeps them for inspection); otherwise an in-memory PGlite.
 */
import { migrateDatabase, openPglite, type DatabaseHandle, type Db } from "@/server/db";
import * as schema from "@/server/db/schema";

export const LOCAL_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres";

/** The same server, another database. */
export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function adminClient(url: string) {
  const { default: postgres } = await import("postgres");
  return postgres(withDatabase(url, "postgres"), { max: 1, onnotice: () => {}, connect_timeout: 3 });
}

/** The PostgreSQL server to use, or undefined when none answers (the bench then falls back to PGlite). */
export async function findPostgres(): Promise<string | undefined> {
  const url = process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL || LOCAL_POSTGRES;
  try {
    const admin = await adminClient(url);
    try {
      await admin`select 1`;
    } finally {
      await admin.end({ timeout: 1 });
    }
    return url;
  } catch (err) {
    console.log(`PostgreSQL at ${new URL(url).host} does not answer (${(err as Error).message}): using PGlite where possible`);
    return undefined;
  }
}

/** Drops and creates `name` on the server of `url`, migrates it, and returns its URL and an open handle. */
export async function createScratch(url: string, name: string): Promise<{ url: string; handle: DatabaseHandle }> {
  const admin = await adminClient(url);
  try {
    await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.unsafe(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  const scratchUrl = withDatabase(url, name);
  const handle = await openPostgresHandle(scratchUrl);
  await migrateDatabase(handle);
  return { url: scratchUrl, handle };
}

export async function dropScratch(url: string, name: string): Promise<void> {
  if (process.env.BENCH_KEEP_DB === "1") {
    console.log(`kept scratch database ${name} (BENCH_KEEP_DB=1)`);
    return;
  }
  const admin = await adminClient(url);
  try {
    await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await admin.end({ timeout: 5 });
  }
}

export async function openPostgresHandle(url: string, max = 10): Promise<DatabaseHandle> {
  const { default: postgres } = await import("postgres");
  const { drizzle } = await import("drizzle-orm/postgres-js");
  const client = postgres(url, { max, onnotice: () => {} });
  const db = drizzle(client, { schema, casing: "snake_case" }) as unknown as Db;
  return { db, kind: "postgres", driver: client, close: () => client.end({ timeout: 5 }) };
}

export async function createPgliteScratch(): Promise<DatabaseHandle> {
  const handle = await openPglite(undefined);
  await migrateDatabase(handle);
  return handle;
}
