/**
 * `npm run bench`: measures the budgets DESIGN.md sets for what exists so far and writes bench/results.json as
 * [{ name, value, unit, budget }]. Runs against a scratch database: PostgreSQL `tradsy_bench` when DATABASE_URL is
 * set (created from scratch each run), else an in-memory PGlite.
 *
 * Foundation scope: the marketplace directory read with 1,000 providers. The signal, fan-out, webhook and live
 * budgets are added by the issues that build those paths.
 */
import fs from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { sql } from "drizzle-orm";
import { migrateDatabase, openPglite, setDatabase, type DatabaseHandle, type Db } from "@/server/db";
import * as schema from "@/server/db/schema";
import { listPublicProviders } from "@/server/services/providers";
import { MARKET_OPTIONS } from "@/lib/validation/providers";

interface Result {
  name: string;
  value: number;
  unit: string;
  budget: string;
}

async function scratchDatabase(): Promise<DatabaseHandle> {
  const url = process.env.DATABASE_URL;
  if (!url) return openPglite(undefined);
  const { default: postgres } = await import("postgres");
  const { drizzle } = await import("drizzle-orm/postgres-js");
  const admin = postgres(url.replace(/\/[^/?]+(\?|$)/, "/postgres$1"), { max: 1, onnotice: () => {} });
  await admin.unsafe(`DROP DATABASE IF EXISTS tradsy_bench WITH (FORCE)`);
  await admin.unsafe(`CREATE DATABASE tradsy_bench`);
  await admin.end();
  const client = postgres(url.replace(/\/[^/?]+(\?|$)/, "/tradsy_bench$1"), { max: 10, onnotice: () => {} });
  const db = drizzle(client, { schema, casing: "snake_case" }) as unknown as Db;
  return { db, kind: "postgres", driver: client, close: () => client.end({ timeout: 5 }) };
}

function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, i)]!;
}

async function seedProviders(db: Db, n: number) {
  // Set-based insert: the bench measures reads, not the seeding.
  await db.execute(sql`
    insert into users (id, email, name, role, disclaimer_accepted_at, terms_accepted_at)
    select 'usr_bench_' || g, 'bench-' || g || '@example.com', 'Bench Provider ' || g, 'provider', now(), now()
    from generate_series(1, ${n}) g`);
  await db.execute(sql`
    insert into providers (id, user_id, slug, display_name, tagline, markets, price_cents, created_at)
    select 'prv_bench_' || g, 'usr_bench_' || g, 'bench-provider-' || g, 'Bench Provider ' || g,
           'Strategy number ' || g, (array[${sql.raw(MARKET_OPTIONS.map((m) => `'${m}'`).join(","))}])[1 + g % 5:1 + g % 5],
           100 + (g % 20) * 100, now() - (g || ' days')::interval
    from generate_series(1, ${n}) g`);
}

async function main() {
  const handle = await scratchDatabase();
  setDatabase(handle);
  const results: Result[] = [];
  try {
    await migrateDatabase(handle);
    await seedProviders(handle.db, 1000);
    const queries = [
      { page: 1, pageSize: 12 },
      { page: 40, pageSize: 12 },
      { page: 1, pageSize: 12, market: "forex" as const },
      { page: 1, pageSize: 12, q: "provider 99" },
    ];
    for (let i = 0; i < 20; i++) await listPublicProviders(queries[i % queries.length]!); // warm-up
    const samples: number[] = [];
    for (let i = 0; i < 400; i++) {
      const t0 = performance.now();
      await listPublicProviders(queries[i % queries.length]!);
      samples.push(performance.now() - t0);
    }
    samples.sort((a, b) => a - b);
    results.push(
      { name: `marketplace directory read, 1,000 providers (${handle.kind}) p50`, value: +percentile(samples, 50).toFixed(2), unit: "ms", budget: "-" },
      { name: `marketplace directory read, 1,000 providers (${handle.kind}) p95`, value: +percentile(samples, 95).toFixed(2), unit: "ms", budget: "<= 100 ms" },
    );
  } finally {
    setDatabase(undefined);
    await handle.close();
  }
  for (const r of results) console.log(`${r.name.padEnd(64)} ${String(r.value).padStart(9)} ${r.unit.padEnd(4)} budget ${r.budget}`);
  const out = path.join(process.cwd(), "bench", "results.json");
  fs.writeFileSync(out, JSON.stringify(results, null, 2) + "\n");
  console.log(`wrote ${path.relative(process.cwd(), out)}`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
