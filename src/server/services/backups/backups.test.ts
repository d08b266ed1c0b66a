import fs from "node:fs";
import fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import { auditLog, backups, opsAlerts, opsMaintenance, users } from "@/server/db/schema";
import { useTestDatabase } from "@/test/db";
import { createUser } from "@/test/factories";
import { createBackup, localStorage, SHA256_MISMATCH, verifyBackup, type BackupStorage } from ".";
import type { BackupManifest } from "./types";

const t = useTestDatabase();
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
  });

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
  });

  it("makes one backup per slot however often the tick is retried", async () => {
    const first = await createBackup(t.handle, { kind: "daily", slot: "daily:2026-12-07" }, storage);
    const again = await createBackup(t.handle, { kind: "daily", slot: "daily:2026-12-07" }, storage);
    expect(again.id).toBe(first.id);
    const rows = await t.db.select().from(backups);
    expect(rows).toHaveLength(1);
  });

  it("counts users in the manifest computed from the dumped snapshot", async () => {
    await seed();
    const [{ n }] = (await t.db.select({ n: sql<number>`count(*)::int` }).from(users)) as [{ n: number }];
    const backup = await createBackup(t.handle, { kind: "manual" }, storage);
    expect((backup.manifest as unknown as BackupManifest).tables.users!.rows).toBe(n);
  });
});
