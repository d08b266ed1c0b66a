/**
 * The shared store as replicas meet it (issue 17, acceptance 3): counts survive a restart of the app (a new module
 * instance, a new Redis client), and one budget holds across two app processes hammering the same limit at once —
 * on one PostgreSQL (PGlite is one process's database: skipped there, with a message) and on one Redis (when one
 * answers on REDIS_URL or 127.0.0.1:6379; skipped otherwise).
 */
import { spawn } from "node:child_process";
import path from "node:path";
import readline from "node:readline";
import { randomUUID } from "node:crypto";
import { afterAll, beforeEach, describe, expect, it, vi } from "vitest";
import { sql } from "drizzle-orm";
import { Redis } from "ioredis";
import { useTestDatabase } from "@/test/db";
import { TEST_REDIS_URL as REDIS_URL, redisOrNull } from "@/test/redis";
import { rawRows } from "@/test/signals";
import { createRedisStore, resetRateLimits, take } from "@/server/rate-limit";

const ROOT = path.resolve(import.meta.dirname, "../..");

const t = useTestDatabase();
beforeEach(() => resetRateLimits());

const redis = await redisOrNull();
afterAll(() => redis?.disconnect());

async function databaseUrl(): Promise<string> {
  const [row] = await rawRows<{ name: string }>(sql`select current_database() as name`);
  return process.env.DATABASE_URL!.replace(/\/[^/?]+(\?|$)/, `/${row!.name}$1`);
}

interface Hammer {
  ready: Promise<void>;
  result: Promise<{ allowed: number; refused: number }>;
  go(): void;
}

/** Starts src/test/limit-hammer.ts: an app process taking `attempts` points of one limit once told to go. */
function hammer(env: Record<string, string>, args: (string | number)[]): Hammer {
  const child = spawn(process.execPath, ["--import", "tsx", "--conditions=react-server", "src/test/limit-hammer.ts", ...args.map(String)], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: "silent", ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const lines: ((line: Record<string, unknown>) => void)[] = [];
  readline.createInterface({ input: child.stdout }).on("line", (text) => {
    try {
      lines.shift()?.(JSON.parse(text) as Record<string, unknown>);
    } catch {
      // not one of ours
    }
  });
  const exited = new Promise<never>((_, reject) => child.once("exit", (code) => reject(new Error(`hammer exited (${code}) early: ${stderr}`))));
  const ready = Promise.race([new Promise<void>((resolve) => lines.push(() => resolve())), exited]);
  const result = Promise.race([new Promise<{ allowed: number; refused: number }>((resolve) => lines.push((l) => resolve(l as { allowed: number; refused: number }))), exited]);
  result.catch(() => {});
  return { ready, result, go: () => child.stdin.write("go\n") };
}

async function twoProcesses(env: Record<string, string>, budget: number, attemptsEach: number) {
  const key = `two-processes-${randomUUID()}`;
  // 10 at a time with a 5 ms pause after each take: ~100 ms per process however fast the store, so the two overlap.
  const args = (k: string) => ["sign-up", k, budget, 600, attemptsEach, 10, 5];
  const hammers = [hammer(env, args(key)), hammer(env, args(key))];
  await Promise.all(hammers.map((h) => h.ready));
  for (const h of hammers) h.go();
  return Promise.all(hammers.map((h) => h.result));
}

/**
 * Runs the two processes until both were given some of the budget (on a loaded machine one process's "go" can
 * arrive after the other has used it all: they did not race, which proves nothing either way), at most 4 times.
 * Every try must hand out exactly the budget, raced or not.
 */
async function racedProcesses(env: Record<string, string>, budget: number, attemptsEach: number) {
  for (let attempt = 1; ; attempt++) {
    const [a, b] = await twoProcesses(env, budget, attemptsEach);
    expect(a!.allowed + b!.allowed).toBe(budget);
    expect(a!.refused + b!.refused).toBe(2 * attemptsEach - budget);
    if ((a!.allowed > 0 && b!.allowed > 0) || attempt === 4) return [a!, b!] as const;
  }
}

describe("one budget across two app processes", () => {
  it("on one PostgreSQL: the two together are given exactly the budget", { timeout: 90_000 }, async (ctx) => {
    if (t.handle.kind !== "postgres") {
      console.log("skipped: two processes cannot share a PGlite database; run with DATABASE_URL (PostgreSQL) for this test");
      return ctx.skip();
    }
    const [a, b] = await racedProcesses({ DATABASE_URL: await databaseUrl(), REDIS_URL: "" }, 100, 150);
    // Both really took part (neither finished before the other began).
    expect(a.allowed).toBeGreaterThan(0);
    expect(b.allowed).toBeGreaterThan(0);
  });

  it("on one Redis: the two together are given exactly the budget", { timeout: 90_000 }, async (ctx) => {
    if (!redis) {
      console.log(`skipped: no Redis answers at ${REDIS_URL}`);
      return ctx.skip();
    }
    // A Redis-kept limit never opens the database (the processes would fail on PGlite's directory if one did).
    const [a, b] = await racedProcesses({ REDIS_URL, DATABASE_URL: "", DATA_DIR: "/nonexistent/tradsy-hammer" }, 100, 150);
    expect(a.allowed).toBeGreaterThan(0);
    expect(b.allowed).toBeGreaterThan(0);
  });
});

describe("counts survive a restart", () => {
  it("in the database: a new instance of the module refuses what the first one used up", async () => {
    const key = `restart-${randomUUID()}`;
    for (let i = 0; i < 3; i++) expect(await take("sign-up", key, 3, 600)).toBeNull();
    expect(await take("sign-up", key, 3, 600)).not.toBeNull();
    vi.resetModules();
    const fresh = await import("@/server/rate-limit");
    const refused = await fresh.take("sign-up", key, 3, 600);
    expect(refused?.retryAfterMs).toBeGreaterThan(590_000);
  });

  it("in Redis: a new client refuses what the first one used up", async (ctx) => {
    if (!redis) {
      console.log(`skipped: no Redis answers at ${REDIS_URL}`);
      return ctx.skip();
    }
    const prefix = `tradsy-test:${randomUUID()}:`;
    const first = createRedisStore(redis, prefix);
    const key = "restart";
    for (let i = 0; i < 3; i++) expect(await first.take("sign-up", key, 3, 600)).toBeNull();
    const second = new Redis(REDIS_URL);
    try {
      const refused = await createRedisStore(second, prefix).take("sign-up", key, 3, 600);
      expect(refused?.retryAfterMs).toBeGreaterThan(590_000);
    } finally {
      await first.reset();
      second.disconnect();
    }
  });
});
