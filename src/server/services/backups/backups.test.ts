import fs from "node:fs";
import fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { eq, isNull } from "drizzle-orm";
import { auditLog, backups, opsAlerts, opsMaintenance } from "@/server/db/schema";
import { useTestDatabase } from "@/test/db";
import { createUser } from "@/test/factories";
import { InngestTestEngine } from "@inngest/test";
import type { Sql } from "postgres";
import { useEnvOverrides } from "@/test/env";
import { backupDaily, backupVerify } from "@/server/jobs/functions/backups";
import { BACKUP_SCHEDULES } from "@/lib/backups";
import { applyRetention, computeManifest, createBackup, localStorage, runTool, SHA256_MISMATCH, sha256File, verifyBackup, type BackupStorage } from ".";
import type { BackupManifest } from "./types";

const t = useTestDatabase();
// A PGlite backup loads its data directory into a scratch instance twice (manifest, verification) and runs the wasm
// pg_dump: tens of seconds on a busy 2-core machine.
const SLOW = 120_000;
const setEnv = useEnvOverrides();
let dir: string;
let storage: BackupStorage;

beforeEach(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), "backups-test-"));
  storage = localStorage(dir);
});
afterEach(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

async function seed(): Promise<void> {
  const admin = await createUser("admin");
  await createUser("subscriber");
  await t.db.insert(auditLog).values([{ actorId: admin.id, action: "seed.one" }, { actorId: null, action: "seed.two" }]);
  await t.db.insert(opsMaintenance).values({ reason: "an old window" });
}

describe(`backups (${process.env.DATABASE_URL ? "PostgreSQL" : "PGlite"})`, () => {
  it("creates a backup whose restored copy equals its manifest, without ops_maintenance", async () => {
    await seed();
    const backup = await createBackup(t.handle, { kind: "manual", actorId: null }, storage);
    expect(backup.status).toBe("completed");
    expect(backup.engine).toBe(t.handle.kind);
    expect(backup.slot).toBe(backup.id);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, `${backup.id}.manifest.json`), "utf8")) as BackupManifest;
    expect(manifest.sha256).toBe(backup.sha256);
    expect(manifest.tables.users!.rows).toBe(2);
    expect(manifest.tables.audit_log!.rows).toBeGreaterThanOrEqual(2);
    // The row being written is in the snapshot, as 'running'.
    expect(manifest.tables.backups!.rows).toBe(1);
    expect(manifest.tables).not.toHaveProperty("ops_maintenance");
    expect(fs.statSync(path.join(dir, backup.location!)).size).toBe(backup.sizeBytes);
    // Every account's data: readable by its owner only.
    expect(fs.statSync(path.join(dir, backup.location!)).mode & 0o777).toBe(0o600);
    if (t.handle.kind === "pglite") expect(backup.sqlLocation).toBe(`${backup.id}.sql`);

    // Writes after the backup are not in it, and do not disturb its verification.
    await createUser("subscriber");
    const result = await verifyBackup(t.handle, backup.id, { storage });
    expect(result.error).toBeUndefined();
    expect(result.ok).toBe(true);
    expect(result.tables).toEqual(manifest.tables);
    const [row] = await t.db.select().from(backups).where(eq(backups.id, backup.id));
    expect(row!.verification).toBe("passed");
    expect(await t.db.select().from(opsAlerts)).toEqual([]);
  }, SLOW);

  it("fails verification of a corrupted file with a clear message and alerts", async () => {
    await seed();
    const backup = await createBackup(t.handle, { kind: "manual" }, storage);
    const file = path.join(dir, backup.location!);
    const bytes = fs.readFileSync(file);
    bytes[Math.floor(bytes.length / 2)]! ^= 0xff;
    fs.writeFileSync(file, bytes);
    const result = await verifyBackup(t.handle, backup.id, { storage });
    expect(result.ok).toBe(false);
    expect(result.error).toBe(SHA256_MISMATCH);
    const [row] = await t.db.select().from(backups).where(eq(backups.id, backup.id));
    expect(row!.verification).toBe("failed");
    expect(row!.verificationError).toBe(SHA256_MISMATCH);
    const alerts = await t.db.select().from(opsAlerts);
    expect(alerts.map((a) => [a.metric, a.level])).toEqual([["backup_verification", "critical"]]);
  }, SLOW);

  it("fails with the restore's own error when the file is damaged before it was hashed", async () => {
    await seed();
    const backup = await createBackup(t.handle, { kind: "manual" }, storage);
    const file = path.join(dir, backup.location!);
    const bytes = fs.readFileSync(file);
    // Cut the archive short and record the damaged file's hash, as if it had been written that way.
    fs.writeFileSync(file, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    const sha256 = await sha256File(file);
    await t.db.update(backups).set({ sha256 }).where(eq(backups.id, backup.id));
    const manifestFile = path.join(dir, `${backup.id}.manifest.json`);
    fs.writeFileSync(manifestFile, JSON.stringify({ ...(JSON.parse(fs.readFileSync(manifestFile, "utf8")) as BackupManifest), sha256 }));
    const result = await verifyBackup(t.handle, backup.id, { storage });
    expect(result.ok).toBe(false);
    expect(result.error).not.toBe(SHA256_MISMATCH);
    if (t.handle.kind === "postgres") expect(result.error).toMatch(/^pg_restore failed: /);
    else expect(result.error).toMatch(/unexpected end of file/);
    const [row] = await t.db.select().from(backups).where(eq(backups.id, backup.id));
    expect(row!.verification).toBe("failed");
  }, SLOW);

  it("runs the daily job once per slot however often the tick is retried, then verifies the newest", async () => {
    setEnv("BACKUP_DIR", dir);
    setEnv("BACKUP_S3_BUCKET", undefined);
    await seed();
    const timer = { name: "inngest/scheduled.timer", data: { cron: BACKUP_SCHEDULES.daily.cron } } as const;
    const first = await new InngestTestEngine({ function: backupDaily.fn, events: [timer] }).execute();
    expect(first.error).toBeUndefined();
    const again = await new InngestTestEngine({ function: backupDaily.fn, events: [timer] }).execute();
    expect(again.error).toBeUndefined();
    const rows = await t.db.select().from(backups);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ kind: "daily", status: "completed", slot: (first.result as { slot: string }).slot });
    expect((again.result as { backup: { id: string } }).backup.id).toBe(rows[0]!.id);
    const verify = await new InngestTestEngine({ function: backupVerify.fn, events: [{ name: "inngest/scheduled.timer", data: { cron: "30 5 * * *" } }] }).execute();
    expect(verify.result).toEqual({ verified: rows[0]!.id, ok: true, error: null });
  }, SLOW);

  it("retention keeps exactly 7 daily, 4 weekly and 12 monthly backups and every manual one", async () => {
    const now = new Date("2026-12-07T02:00:00Z");
    const DAY = 24 * 60 * 60 * 1000;
    const made: { id: string; kind: "daily" | "weekly" | "monthly" | "manual" }[] = [];
    const plan = [
      ["daily", 10, DAY],
      ["weekly", 6, 7 * DAY],
      ["monthly", 15, 30 * DAY],
      ["manual", 3, 90 * DAY],
    ] as const;
    for (const [kind, count, step] of plan) {
      for (let i = 0; i < count; i++) {
        const id = `bkp_${kind}${String(i).padStart(2, "0")}`;
        // Backups made at faked times, each with its files in storage.
        fs.writeFileSync(path.join(dir, `${id}.dump`), `dump ${id}`);
        fs.writeFileSync(path.join(dir, `${id}.manifest.json`), "{}");
        await t.db.insert(backups).values({
          id, kind, slot: `${kind}:${i}`, engine: "postgres", format: "pg_dump-custom", status: "completed", storage: "local",
          location: `${id}.dump`, startedAt: new Date(now.getTime() - i * step), finishedAt: new Date(now.getTime() - i * step + 1000),
        });
        made.push({ id, kind });
      }
    }
    const pruned = await applyRetention(t.db, now, storage);
    const live = await t.db.select().from(backups).where(isNull(backups.prunedAt));
    const count = (kind: string) => live.filter((b) => b.kind === kind).length;
    expect([count("daily"), count("weekly"), count("monthly"), count("manual")]).toEqual([7, 4, 12, 3]);
    expect(pruned.sort()).toEqual(["bkp_daily07", "bkp_daily08", "bkp_daily09", "bkp_monthly12", "bkp_monthly13", "bkp_monthly14", "bkp_weekly04", "bkp_weekly05"]);
    // The newest of each kind stay; the pruned ones' files are gone, the kept ones' are not.
    for (const { id } of made) expect(fs.existsSync(path.join(dir, `${id}.dump`)), id).toBe(!pruned.includes(id));
    expect(fs.existsSync(path.join(dir, "bkp_daily09.manifest.json"))).toBe(false);
    // Applying it again prunes nothing more.
    expect(await applyRetention(t.db, now, storage)).toEqual([]);
  }, SLOW);

  it.runIf(!process.env.DATABASE_URL)("PGlite's portable SQL dump loads into PostgreSQL with equal tables", async () => {
    const adminUrl = process.env.BACKUP_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
    const { default: postgres } = await import("postgres");
    const admin = postgres(adminUrl, { max: 1, onnotice: () => {}, connect_timeout: 3 });
    try {
      await admin`select 1`;
    } catch {
      await admin.end();
      console.warn(`Skipping the portable SQL restore: no PostgreSQL at ${adminUrl} (set BACKUP_TEST_POSTGRES_URL)`);
      return;
    }
    await seed();
    const backup = await createBackup(t.handle, { kind: "manual" }, storage);
    const manifest = backup.manifest as unknown as BackupManifest;
    const name = `tradsy_sqltest_${Math.random().toString(36).slice(2, 10)}`;
    await admin.unsafe(`create database "${name}"`);
    const copy: Sql = postgres(adminUrl.replace(/\/[^/?]+(\?|$)/, `/${name}$1`), { max: 1, onnotice: () => {} });
    try {
      const { libpqEnv } = await import(".");
      await runTool("psql", ["-q", "-X", "-v", "ON_ERROR_STOP=1", "-f", path.join(dir, backup.sqlLocation!)], libpqEnv(copy, name));
      const { drizzle } = await import("drizzle-orm/postgres-js");
      const restored = await computeManifest(drizzle(copy, { casing: "snake_case" }) as never);
      // Same rows on another engine: equal counts and equal checksums, table by table.
      expect(restored).toEqual(manifest.tables);
      expect(restored.users!.rows).toBe(2);
    } finally {
      await copy.end();
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end();
    }
  }, SLOW);
});
