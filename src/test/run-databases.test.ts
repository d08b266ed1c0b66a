/**
 * A test run drops only its own PostgreSQL databases, and another run's only once that run is gone (see
 * ./run-databases.ts). The other runs here are simulated: a "run" is a prefix whose lock some session holds, named
 * with a pid that cannot be a live process (above Linux's pid_max), as a run on another machine would look.
 */
import { afterAll, describe, expect, inject, it } from "vitest";
import postgres from "postgres";
import { sql } from "drizzle-orm";
import { useTestDatabase } from "./db";
import { rawRows } from "./signals";
import { dropDatabase, dropRunDatabases, dropStaleDatabases, likePrefix, lockRun, newRunPrefix, ownerOf, unlockRun } from "./run-databases";

/** Above pid_max (at most 2^22 on Linux): never a live process here, as a pid from another machine. */
const ELSEWHERE = 4_999_999;

describe("run database names", () => {
  it("name the run and the pid that made them; databases from before runs had a prefix name only the pid", () => {
    const prefix = newRunPrefix(123);
    expect(prefix).toMatch(/^tradsy_t_123_r[0-9a-z]{8}$/);
    expect(ownerOf(`${prefix}_template`)).toEqual({ prefix, pid: 123 });
    expect(ownerOf(`${prefix}_k3j2h1ab`)).toEqual({ prefix, pid: 123 });
    expect(ownerOf("tradsy_t_4567_k3j2h1ab")).toEqual({ prefix: null, pid: 4567 });
    expect(ownerOf("tradsy_e2e_crash_1")).toBeNull();
    expect(ownerOf("test")).toBeNull();
  });

  it("match a prefix literally: underscores are not wildcards and a longer pid is another run", () => {
    expect(likePrefix("tradsy_t_12_rabcdefgh")).toBe("tradsy\\_t\\_12\\_rabcdefgh\\_%");
  });
});

const pgUrl = process.env.DATABASE_URL;

describe.skipIf(!pgUrl)("on PostgreSQL", () => {
  useTestDatabase();
  const server = pgUrl ? postgres(pgUrl.replace(/\/[^/?]+(\?|$)/, "/postgres$1"), { max: 4, onnotice: () => {} }) : null!;
  const made: string[] = [];
  afterAll(async () => {
    if (!server) return;
    for (const name of made) await dropDatabase(server, name);
    await server.end();
  });

  const exists = async (name: string) => (await server`select 1 from pg_database where datname = ${name}`).length === 1;
  const create = async (name: string) => {
    made.push(name);
    await server.unsafe(`CREATE DATABASE "${name}"`);
  };

  it("this file's database and the run's template carry the run's prefix", async () => {
    const run = inject("testDatabases")!;
    expect(run.template).toBe(`${run.prefix}_template`);
    expect(ownerOf(run.prefix)).toEqual({ prefix: run.prefix, pid: expect.any(Number) });
    const [row] = await rawRows<{ name: string }>(sql`select current_database() as name`);
    expect(row!.name.startsWith(`${run.prefix}_`)).toBe(true);
    expect(await exists(run.template)).toBe(true);
  });

  it("the stale clean-up keeps a live run's databases (its lock is held) and drops them once it is gone", async () => {
    const other = newRunPrefix(ELSEWHERE);
    const otherSession = await server.reserve();
    await lockRun(otherSession, other);
    await create(`${other}_template`);
    await create(`${other}_aaaa1111`);

    const probe = await server.reserve();
    try {
      const dropped = await dropStaleDatabases(probe);
      expect(dropped.filter((d) => d.startsWith(other))).toEqual([]);
      expect(await exists(`${other}_template`)).toBe(true);
      expect(await exists(`${other}_aaaa1111`)).toBe(true);
      // Nor this run's own.
      const run = inject("testDatabases")!;
      expect(dropped.filter((d) => d.startsWith(run.prefix))).toEqual([]);
      expect(await exists(run.template)).toBe(true);

      // The other run ends without its teardown (killed): its session, and so its lock, is gone.
      await unlockRun(otherSession, other);
      otherSession.release();
      const later = await dropStaleDatabases(probe);
      expect(later.filter((d) => d.startsWith(other)).sort()).toEqual([`${other}_aaaa1111`, `${other}_template`]);
      expect(await exists(`${other}_template`)).toBe(false);
      expect(await exists(`${other}_aaaa1111`)).toBe(false);
    } finally {
      probe.release();
    }
  });

  it("a database named before runs had a prefix is dropped only when its process is gone", async () => {
    const live = `tradsy_t_${process.pid}_zz${Date.now().toString(36).slice(-6)}`;
    const gone = `tradsy_t_${ELSEWHERE}_zz${Date.now().toString(36).slice(-6)}`;
    await create(live);
    await create(gone);
    const probe = await server.reserve();
    try {
      const dropped = await dropStaleDatabases(probe);
      expect(dropped).toContain(gone);
      expect(dropped).not.toContain(live);
      expect(await exists(live)).toBe(true);
    } finally {
      probe.release();
    }
  });

  it("a run's teardown drops its prefix only, not a run whose pid or token merely starts the same", async () => {
    const mine = newRunPrefix(ELSEWHERE);
    const longerPid = mine.replace(`_${ELSEWHERE}_`, `_${ELSEWHERE}1_`);
    const longerToken = `${mine}x`;
    for (const name of [`${mine}_template`, `${mine}_bbbb2222`, `${longerPid}_template`, `${longerToken}_template`]) await create(name);
    expect((await dropRunDatabases(server, mine)).sort()).toEqual([`${mine}_bbbb2222`, `${mine}_template`]);
    expect(await exists(`${longerPid}_template`)).toBe(true);
    expect(await exists(`${longerToken}_template`)).toBe(true);
  });
});
