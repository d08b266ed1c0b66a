/**
 * GET /api/admin/backups/[id]: only an admin with two-factor sign-in on downloads a backup, in development as in
 * production; the file streamed is the stored one, byte for byte; every refusal writes nothing.
 */
import fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { eq } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { useEnvOverrides } from "@/test/env";
import { createUser } from "@/test/factories";
import type { SessionUser } from "@/server/api/trpc";
import { auditLog, users } from "@/server/db/schema";
import { createBackup, localStorage } from "@/server/services/backups";

const session = vi.hoisted(() => ({ user: null as SessionUser | null }));
vi.mock("@/server/auth", () => ({
  auth: async () => (session.user ? { user: session.user, expires: new Date(Date.now() + 3_600_000).toISOString() } : null),
}));
const { GET } = await import("./route");

const t = useTestDatabase();
const setEnv = useEnvOverrides();
beforeEach(() => {
  session.user = null;
});

const get = (id: string) => GET(new Request(`http://localhost/api/admin/backups/${id}`), { params: Promise.resolve({ id }) });

describe("backup download", () => {
  it("refuses visitors, non-admins and admins without two-factor sign-in (in development too); streams the file to an admin with it", async () => {
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), "tradsy-download-test-"));
    setEnv("BACKUP_DIR", dir);
    setEnv("BACKUP_S3_BUCKET", undefined);
    setEnv("NODE_ENV", "development");
    const admin = await createUser("admin");
    const member = await createUser("subscriber");
    const backup = await createBackup(t.handle, { kind: "manual" }, localStorage(dir));

    expect((await get(backup.id)).status).toBe(401);
    session.user = member;
    expect((await get(backup.id)).status).toBe(403);
    session.user = admin;
    const no2fa = await get(backup.id);
    expect(no2fa.status).toBe(403);
    expect(await no2fa.text()).toMatch(/two-factor/);
    expect(await t.db.select().from(auditLog).where(eq(auditLog.action, "backup.downloaded"))).toHaveLength(0);

    await t.db.update(users).set({ totpEnabledAt: new Date() }).where(eq(users.id, admin.id));
    expect((await get("bkp_../x")).status).toBe(400);
    expect((await get("bkp_missing")).status).toBe(404);
    const ok = await get(backup.id);
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-disposition")).toBe(`attachment; filename="tradsy-${backup.location}"`);
    expect(ok.headers.get("cache-control")).toBe("private, no-store");
    const body = Buffer.from(await ok.arrayBuffer());
    expect(body.equals(await fsp.readFile(path.join(dir, backup.location!)))).toBe(true);
    const [audit] = await t.db.select().from(auditLog).where(eq(auditLog.action, "backup.downloaded"));
    expect(audit).toMatchObject({ actorId: admin.id, targetId: backup.id });
  });
});
