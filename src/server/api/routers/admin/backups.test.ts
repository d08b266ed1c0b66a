/**
 * admin.backups: every procedure refuses visitors and non-admins and writes nothing; bad input is a 400 that writes
 * nothing; an admin creates and verifies a backup (audited) and releases and cancels held work.
 */
import fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createElement } from "react";
import { describe, expect, it } from "vitest";
import { eq, like } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { useEnvOverrides } from "@/test/env";
import { callerFor, signedIn, trpcCode } from "@/test/factories";
import { auditLog, backups, emailOutbox } from "@/server/db/schema";
import { queueEmail } from "@/server/services/email/outbox";

const t = useTestDatabase();
const setEnv = useEnvOverrides();

const backupAudits = () => t.db.select().from(auditLog).where(like(auditLog.action, "backup.%"));
const heldAudits = () => t.db.select().from(auditLog).where(like(auditLog.action, "restore.%"));

async function heldEmail() {
  const id = await queueEmail(t.db, { to: "held@example.com", kind: "test", subject: "Held", template: createElement("p", null, "x"), stream: "transactional" });
  await t.db.update(emailOutbox).set({ status: "held" }).where(eq(emailOutbox.id, id));
  return id;
}

describe("admin.backups access", () => {
  it("refuses visitors (UNAUTHORIZED) and non-admins (FORBIDDEN) on every procedure, writing nothing", async () => {
    const id = await heldEmail();
    const visitor = await callerFor(null);
    for (const role of ["subscriber", "provider"] as const) {
      const { caller } = await signedIn(role);
      expect(await trpcCode(caller.admin.backups.page())).toBe("FORBIDDEN");
      expect(await trpcCode(caller.admin.backups.create())).toBe("FORBIDDEN");
      expect(await trpcCode(caller.admin.backups.verify({ id: "bkp_abc" }))).toBe("FORBIDDEN");
      expect(await trpcCode(caller.admin.backups.release({ kind: "emails", ids: [id] }))).toBe("FORBIDDEN");
      expect(await trpcCode(caller.admin.backups.cancel({ kind: "emails", all: true }))).toBe("FORBIDDEN");
    }
    expect(await trpcCode(visitor.admin.backups.create())).toBe("UNAUTHORIZED");
    expect(await trpcCode(visitor.admin.backups.release({ kind: "emails", all: true }))).toBe("UNAUTHORIZED");
    expect(await t.db.select().from(backups)).toHaveLength(0);
    expect((await t.db.select().from(emailOutbox).where(eq(emailOutbox.id, id)))[0]?.status).toBe("held");
    expect([...(await backupAudits()), ...(await heldAudits())]).toHaveLength(0);
  });

  it("rejects bad input with BAD_REQUEST and writes nothing", async () => {
    const id = await heldEmail();
    const { caller } = await signedIn("admin");
    expect(await trpcCode(caller.admin.backups.verify({ id: "../etc/passwd" }))).toBe("BAD_REQUEST");
    expect(await trpcCode(caller.admin.backups.release({ kind: "everything" as "emails", all: true }))).toBe("BAD_REQUEST");
    expect(await trpcCode(caller.admin.backups.release({ kind: "emails", ids: [] }))).toBe("BAD_REQUEST");
    expect(await trpcCode(caller.admin.backups.cancel({ kind: "emails", all: false as true }))).toBe("BAD_REQUEST");
    expect(await trpcCode(caller.admin.backups.cancel({ kind: "emails", ids: [id], all: true } as never))).toBe("BAD_REQUEST");
    expect(await trpcCode(caller.admin.backups.verify({ id: "bkp_missing" }))).toBe("NOT_FOUND");
    expect((await t.db.select().from(emailOutbox).where(eq(emailOutbox.id, id)))[0]?.status).toBe("held");
    expect([...(await backupAudits()), ...(await heldAudits())]).toHaveLength(0);
  });
});

describe("admin.backups for an admin", () => {
  it("creates a backup now and verifies it, audited; the page lists it with its verification", async () => {
    setEnv("BACKUP_DIR", await fsp.mkdtemp(path.join(os.tmpdir(), "tradsy-admin-backups-")));
    setEnv("BACKUP_S3_BUCKET", undefined);
    const { caller, user } = await signedIn("admin");
    const created = await caller.admin.backups.create();
    expect(created.status).toBe("completed");
    const verified = await caller.admin.backups.verify({ id: created.id });
    expect(verified).toEqual({ id: created.id, ok: true, error: null });
    const page = await caller.admin.backups.page();
    expect(page.items[0]).toMatchObject({ id: created.id, kind: "manual", status: "completed", verification: "passed", downloadable: true, storage: "local" });
    expect(page.held.counts).toEqual({ jobs: 0, emails: 0, channels: 0, fanouts: 0, orders: 0 });
    expect((await backupAudits()).map((a) => [a.action, a.actorId, a.targetId]).sort()).toEqual([
      ["backup.created", user.id, created.id],
      ["backup.verified", user.id, created.id],
    ]);
  });

  it("releases one held email and cancels the rest in bulk; acting twice is a CONFLICT", async () => {
    const [a, b] = [await heldEmail(), await heldEmail()];
    const { caller } = await signedIn("admin");
    expect((await caller.admin.backups.page()).held.counts.emails).toBe(2);
    expect(await caller.admin.backups.release({ kind: "emails", ids: [a] })).toEqual({ kind: "emails", count: 1 });
    expect(await trpcCode(caller.admin.backups.release({ kind: "emails", ids: [a] }))).toBe("CONFLICT");
    expect(await caller.admin.backups.cancel({ kind: "emails", all: true })).toEqual({ kind: "emails", count: 1 });
    const rows = Object.fromEntries((await t.db.select().from(emailOutbox)).map((e) => [e.id, e.status]));
    expect(rows).toMatchObject({ [a]: "queued", [b]: "failed" });
    expect((await heldAudits()).map((r) => r.action).sort()).toEqual(["restore.held.cancelled", "restore.held.released"]);
  });
});
