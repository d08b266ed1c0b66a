/**
 * Issue 18, acceptance 1 (restore): a backup made with users, emails queued and sent, a queued job run, a pending copy
 * fan-out and a planned copy order; then rows deleted, emails sent and rows added; the restore brings the deleted rows
 * back, drops the added ones, and holds everything that was unfinished in the copy: the email drain sends nothing, the
 * inline runner claims no held run (it still runs a new one), the copy sweeper re-drives nothing. Releasing one email
 * sends exactly that one, once. PostgreSQL restores into this file's database (pg_restore + psql in one transaction);
 * PGlite into a file-backed PGlite in a temp directory (the app's instance is never touched).
 */
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { createElement } from "react";
import fs from "node:fs";
import fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { eq, inArray, isNull } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { testJob } from "@/test/jobs";
import { getDatabase, migrateDatabase, openPglite, setDatabase, type DatabaseHandle, type Db } from "@/server/db";
import { auditLog, backups, copyFanouts, copyOrders, emailOutbox, jobRuns, opsMaintenance, providers, signals, users } from "@/server/db/schema";
import { createBackup, localStorage } from "@/server/services/backups";
import { drainEmailOutbox } from "@/server/services/email/drain";
import { queueEmail } from "@/server/services/email/outbox";
import type { EmailMessage, EmailSender } from "@/server/services/email/delivery";
import { claimStaleFanouts, staleConnections } from "@/server/services/copy/engine";
import { InlineRunner } from "@/server/jobs/inline/runner";
import { serviceContext } from "@/server/services/context";
import { cancelHeld, heldCounts, holdAfterRestore, listHeld, releaseHeld } from "./holds";
import { pgliteInUse, restoreBackup, RestoreRefusedError } from ".";

const t = useTestDatabase();
const temps: string[] = [];
const runners: InlineRunner[] = [];
afterEach(() => {
  for (const r of runners.splice(0)) r.stop();
});
afterAll(async () => {
  for (const d of temps) await fsp.rm(d, { recursive: true, force: true });
});

async function tempDir(tag: string) {
  const d = await fsp.mkdtemp(path.join(os.tmpdir(), `tradsy-${tag}-`));
  temps.push(d);
  return d;
}

function recordingSender() {
  const sent: EmailMessage[] = [];
  const sender: EmailSender = {
    name: "recording",
    async send(email) {
      sent.push(email);
      return { providerMessageId: `msg_${sent.length}` };
    },
  };
  return { sent, sender };
}

const email = (db: Db, to: string) => queueEmail(db, { to, kind: "test", subject: `For ${to}`, template: createElement("p", null, "Hi"), stream: "transactional" });

/** The state the backup catches. */
async function seed(db: Db) {
  const [admin, keep, gone] = await db
    .insert(users)
    .values([
      { email: "admin@restore.test", name: "Admin", role: "admin" },
      { email: "keep@restore.test", name: "Keep" },
      { email: "gone@restore.test", name: "Deleted later" },
    ])
    .returning();
  const [provider] = await db.insert(providers).values({ userId: admin!.id, slug: "restore-prov", displayName: "Restore Prov" }).returning();
  const [signal] = await db
    .insert(signals)
    .values({ providerId: provider!.id, number: 1, seq: 1, symbol: "BTC/USDT", side: "long", entryType: "market", entryPrice: "100", source: "ui", status: "open", publishedAt: new Date(), prevHash: "0", hash: "h1" } as never)
    .returning();
  const queuedA = await email(db, "a@restore.test");
  const queuedB = await email(db, "b@restore.test");
  const sent = await email(db, "sent@restore.test");
  await db.update(emailOutbox).set({ status: "sent", sentAt: new Date() }).where(eq(emailOutbox.id, sent));
  const [run] = await db
    .insert(jobRuns)
    .values({ jobId: "restore-probe", event: { name: "test/go", data: { n: 1 }, id: "evt_restore_probe", ts: Date.now() }, eventId: "evt_restore_probe", createdAt: new Date(Date.now() - 60_000) })
    .returning();
  const old = new Date(Date.now() - 10 * 60_000);
  const [fanout] = await db
    .insert(copyFanouts)
    .values({ signalEventId: "sev_restore", signalId: signal!.id, providerId: provider!.id, seq: 1, kind: "published", at: new Date().toISOString(), data: {}, createdAt: old })
    .returning();
  const [order] = await db
    .insert(copyOrders)
    .values({ clientOrderId: "tradsy-restore-1", userId: keep!.id, providerId: provider!.id, signalId: signal!.id, venue: "exc_restore", symbol: "BTC/USDT", side: "buy", leg: "entry", status: "planned", quantity: "0.5", createdAt: old })
    .returning();
  return { admin: admin!, keep: keep!, gone: gone!, queuedA, queuedB, sent, run: run!, fanout: fanout!, order: order! };
}
type Seeded = Awaited<ReturnType<typeof seed>>;

/** What happens after the backup: the lost database moved on. */
async function moveOn(db: Db, s: Seeded) {
  await db.delete(users).where(eq(users.id, s.gone.id));
  await db.update(emailOutbox).set({ status: "sent", sentAt: new Date() }).where(inArray(emailOutbox.id, [s.queuedA, s.queuedB]));
  await db.insert(users).values({ email: "added@restore.test", name: "Added after" });
  await db.update(copyOrders).set({ status: "submitted" }).where(eq(copyOrders.id, s.order.id));
}

/** Everything after the restore, on the restored database (also the process-wide one while this runs). */
async function checkRestored(handle: DatabaseHandle, s: Seeded, backupId: string) {
  const db = handle.db;
  const emails = Object.fromEntries((await db.select().from(emailOutbox)).map((e) => [e.id, e.status]));
  expect(emails).toEqual({ [s.queuedA]: "held", [s.queuedB]: "held", [s.sent]: "sent" });
  const names = (await db.select({ email: users.email }).from(users)).map((u) => u.email).sort();
  expect(names).toEqual(["admin@restore.test", "gone@restore.test", "keep@restore.test"]);
  expect((await db.select().from(jobRuns).where(eq(jobRuns.id, s.run.id)))[0]?.status).toBe("held");
  expect((await db.select().from(copyFanouts))[0]?.status).toBe("held");
  expect((await db.select().from(copyOrders))[0]?.status).toBe("held");
  expect(await heldCounts(db)).toEqual({ jobs: 1, emails: 2, channels: 0, fanouts: 1, orders: 1 });
  // The backups index was re-read from storage: the restored backup is complete there, not 'running' as the copy had it.
  const [row] = await db.select().from(backups).where(eq(backups.id, backupId));
  expect(row).toMatchObject({ status: "completed", prunedAt: null });
  expect(await db.select().from(opsMaintenance).where(isNull(opsMaintenance.endedAt))).toHaveLength(0);
  const [audit] = await db.select().from(auditLog).where(eq(auditLog.action, "backup.restored"));
  expect(audit).toMatchObject({ targetId: backupId, data: { held: { jobs: 1, emails: 2, channels: 0, fanouts: 1, orders: 1 } } });

  // Nothing held is sent, claimed or re-driven.
  const { sent, sender } = recordingSender();
  expect(await drainEmailOutbox({ sender, maxRunMs: 3_000 })).toMatchObject({ sent: 0 });
  expect(await claimStaleFanouts(0)).toEqual([]);
  expect(await staleConnections(0)).toEqual([]);
  let executed = 0;
  const job = testJob("restore-probe", async ({ event }) => {
    executed += 1;
    return (event.data as { n: number }).n;
  });
  const runner = new InlineRunner({ database: async () => handle, leaseMs: 1000, pollMs: 25, backoffMs: () => 50 });
  runners.push(runner);
  runner.start();
  // A new run of the same job is claimed and runs (the runner works); the held one is left alone.
  expect(await runner.run(job, { name: "test/go", data: { n: 2 } })).toMatchObject({ status: "completed", output: 2 });
  await new Promise((r) => setTimeout(r, 300));
  expect(executed).toBe(1);
  expect((await db.select().from(jobRuns).where(eq(jobRuns.id, s.run.id)))[0]?.status).toBe("held");

  // The review: listed by kind; one email released is sent exactly once; the rest cancelled in bulk, never sent.
  const listed = await listHeld();
  expect(listed.items.emails.map((i) => i.id).sort()).toEqual([s.queuedA, s.queuedB].sort());
  expect(listed.items.orders[0]).toMatchObject({ id: s.order.id });
  const ctx = serviceContext({ actor: { id: s.admin.id, role: "admin" } });
  expect(await releaseHeld(ctx, { kind: "emails", ids: [s.queuedA] })).toEqual({ kind: "emails", count: 1 });
  expect(await drainEmailOutbox({ sender, maxRunMs: 3_000 })).toMatchObject({ sent: 1 });
  expect(await drainEmailOutbox({ sender, maxRunMs: 3_000 })).toMatchObject({ sent: 0 });
  expect(sent.map((m) => m.to)).toEqual(["a@restore.test"]);
  expect(await cancelHeld(ctx, { kind: "emails", all: true })).toEqual({ kind: "emails", count: 1 });
  expect((await db.select().from(emailOutbox).where(eq(emailOutbox.id, s.queuedB)))[0]).toMatchObject({ status: "failed" });
  expect(await drainEmailOutbox({ sender, maxRunMs: 3_000 })).toMatchObject({ sent: 0 });
  // The released order is planned again under its client order id: the venue's run looks it up before placing it.
  await releaseHeld(ctx, { kind: "orders", all: true });
  // Seeded with no attempt: released with one counted, so placePlanned's next attempt (the second) looks it up.
  expect((await db.select().from(copyOrders))[0]).toMatchObject({ status: "planned", clientOrderId: "tradsy-restore-1", attempts: 1 });
  const audits = await db.select().from(auditLog).where(inArray(auditLog.action, ["restore.held.released", "restore.held.cancelled"]));
  expect(audits.map((a) => [a.action, (a.data as { kind: string }).kind, (a.data as { count: number }).count]).sort()).toEqual([
    ["restore.held.cancelled", "emails", 1],
    ["restore.held.released", "emails", 1],
    ["restore.held.released", "orders", 1],
  ]);
  expect(await heldCounts(db)).toEqual({ jobs: 1, emails: 0, channels: 0, fanouts: 1, orders: 0 });
}

describe("releaseHeld", () => {
  it("releases a held debounced run beside one queued under the same key since the restore", async () => {
    const [admin] = await t.db.insert(users).values({ email: "admin@release.test", role: "admin" }).returning();
    const ev = (id: string) => ({ name: "test/go", data: {}, id, ts: Date.now() });
    const [held] = await t.db.insert(jobRuns).values({ jobId: "restore-debounced", event: ev("evt_a"), eventId: "evt_a", debounceKey: "k" }).returning();
    await holdAfterRestore(t.db);
    const [fresh] = await t.db.insert(jobRuns).values({ jobId: "restore-debounced", event: ev("evt_b"), eventId: "evt_b", debounceKey: "k" }).returning();
    const ctx = serviceContext({ actor: { id: admin!.id, role: "admin" } });
    expect(await releaseHeld(ctx, { kind: "jobs", all: true })).toEqual({ kind: "jobs", count: 1 });
    const rows = await t.db.select().from(jobRuns).where(inArray(jobRuns.id, [held!.id, fresh!.id]));
    expect(rows.map((r) => [r.id, r.status, r.debounceKey]).sort()).toEqual(
      [
        [held!.id, "queued", null],
        [fresh!.id, "queued", "k"],
      ].sort(),
    );
  });
});

describe("restoreBackup", () => {
  it("refuses without confirmation, and an unknown or corrupted backup, touching nothing", async () => {
    const storage = localStorage(await tempDir("restore-store"));
    await expect(restoreBackup(t.handle, "bkp_x", { confirmed: false as true, storage })).rejects.toBeInstanceOf(RestoreRefusedError);
    const dataDir = await tempDir("restore-none");
    const target = t.handle.kind === "postgres" ? t.handle : { kind: "pglite" as const, dataDir };
    await expect(restoreBackup(target, "bkp_missing", { confirmed: true, storage })).rejects.toThrow(/not in .* \(no manifest\)/);
    if (t.handle.kind === "postgres") {
      await t.db.insert(users).values({ email: "x@restore.test" });
      const backup = await createBackup(t.handle, { kind: "manual" }, storage);
      await fsp.appendFile(path.join(storage.describe(), backup.location!), "corrupt");
      await t.db.delete(users);
      await expect(restoreBackup(t.handle, backup.id, { confirmed: true, storage })).rejects.toThrow(/sha256 mismatch/);
      expect(await t.db.select().from(users)).toHaveLength(0);
      // The window it opened is closed again.
      expect((await t.db.select().from(opsMaintenance)).every((w) => w.endedAt !== null)).toBe(true);
    }
  });

  it("brings deleted rows back and holds unfinished work: nothing is sent, claimed or re-driven until an admin releases it", async () => {
    const storage = localStorage(await tempDir("restore-store"));
    if (t.handle.kind === "postgres") {
      const s = await seed(t.db);
      const backup = await createBackup(t.handle, { kind: "manual" }, storage);
      await moveOn(t.db, s);
      const result = await restoreBackup(t.handle, backup.id, { confirmed: true, storage });
      expect(result).toMatchObject({ engine: "postgres", held: { jobs: 1, emails: 2, channels: 0, fanouts: 1, orders: 1 } });
      await checkRestored(t.handle, s, backup.id);
      return;
    }
    // PGlite: a file-backed instance of its own, stopped for the restore as the app would be.
    const root = await tempDir("restore-pglite");
    const dataDir = path.join(root, "pglite");
    let live: DatabaseHandle | undefined = await openPglite(dataDir);
    const app = await getDatabase();
    try {
      await migrateDatabase(live);
      setDatabase(live);
      const s = await seed(live.db);
      const backup = await createBackup(live, { kind: "manual" }, storage);
      await moveOn(live.db, s);
      await expect(restoreBackup({ kind: "pglite", dataDir }, backup.id, { confirmed: true, storage })).rejects.toThrow(/is in use: stop the app/);
      await live.close();
      live = undefined;
      expect(pgliteInUse(dataDir)).toBe(false);
      const result = await restoreBackup({ kind: "pglite", dataDir }, backup.id, { confirmed: true, storage, now: () => new Date("2026-12-07T05:00:00Z") });
      expect(result).toMatchObject({ engine: "pglite", held: { jobs: 1, emails: 2, channels: 0, fanouts: 1, orders: 1 } });
      expect(result.previousDataDir).toBe(path.join(root, "pglite.before-restore-2026-12-07T05-00-00-000Z"));
      expect(fs.existsSync(result.previousDataDir!)).toBe(true);
      live = await openPglite(dataDir);
      setDatabase(live);
      await checkRestored(live, s, backup.id);
    } finally {
      setDatabase(app);
      await live?.close();
    }
    // A file-backed PGlite: migrating it, dumping it (data directory and portable SQL) and loading it take a while.
  }, 240_000);
});
