import { describe, expect, it } from "vitest";
import { TRPCError } from "@trpc/server";
import { eq } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { callerFor, createUser, signedIn, trpcCode } from "@/test/factories";
import { auditLog, providers, users } from "@/server/db/schema";

const t = useTestDatabase();

const code = (e: unknown) => (e instanceof TRPCError ? e.code : "not a TRPCError");

describe("admin users", () => {
  it("lists users with search and role filter", async () => {
    const admin = await signedIn("admin");
    await createUser("provider", { email: "pat.provider@example.com" });
    await createUser("subscriber", { email: "sam.sub@example.com" });
    const all = await admin.caller.admin.users({ page: 1, pageSize: 25 });
    expect(all.total).toBe(3);
    const pat = await admin.caller.admin.users({ q: "pat.provider", page: 1, pageSize: 25 });
    expect(pat.items.map((u) => u.email)).toEqual(["pat.provider@example.com"]);
    expect(pat.items[0]!.providerSlug).toBeTruthy();
    const subs = await admin.caller.admin.users({ role: "subscriber", page: 1, pageSize: 25 });
    expect(subs.items.map((u) => u.email)).toEqual(["sam.sub@example.com"]);
  });

  it("changes a role with an audit row; promoting to provider creates a profile", async () => {
    const admin = await signedIn("admin");
    const sub = await createUser("subscriber", { name: "Promoted Person" });
    await admin.caller.admin.setRole({ userId: sub.id, role: "provider" });
    const after = await t.db.query.users.findFirst({ where: eq(users.id, sub.id) });
    expect(after?.role).toBe("provider");
    const profile = await t.db.query.providers.findFirst({ where: eq(providers.userId, sub.id) });
    expect(profile?.slug).toBe("promoted-person");
    const audit = await t.db.select().from(auditLog).where(eq(auditLog.action, "admin.role_changed"));
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorId: admin.user.id, targetId: sub.id, data: { from: "subscriber", to: "provider" } });
    // the new role applies on the user's next request (sessions re-read the role)
    const asProvider = await callerFor({ id: sub.id, role: after!.role });
    await expect(asProvider.apiKeys.list()).resolves.toEqual([]);
  });

  it("refuses changing one's own role, unknown users and unknown roles, writing nothing", async () => {
    const admin = await signedIn("admin");
    expect(code(await admin.caller.admin.setRole({ userId: admin.user.id, role: "subscriber" }).catch((e: unknown) => e))).toBe("BAD_REQUEST");
    expect(code(await admin.caller.admin.setRole({ userId: "usr_missing", role: "provider" }).catch((e: unknown) => e))).toBe("NOT_FOUND");
    expect(code(await admin.caller.admin.setRole({ userId: admin.user.id, role: "root" as never }).catch((e: unknown) => e))).toBe("BAD_REQUEST");
    const audit = await t.db.select().from(auditLog).where(eq(auditLog.action, "admin.role_changed"));
    expect(audit).toHaveLength(0);
    const me = await t.db.query.users.findFirst({ where: eq(users.id, admin.user.id) });
    expect(me?.role).toBe("admin");
  });

  it("shows the email outbox and the audit log", async () => {
    const admin = await signedIn("admin");
    await createUser("subscriber");
    const emails = await admin.caller.admin.emails({ page: 1, pageSize: 25 });
    expect(emails.total).toBe(2);
    const one = await admin.caller.admin.email({ id: emails.items[0]!.id });
    expect(one.html).toContain("Confirm");
    const audit = await admin.caller.admin.audit({ page: 1, pageSize: 25 });
    expect(audit.items.map((a) => a.action)).toContain("user.signed_up");
  });

  it("narrows the audit log by action, actor and time", async () => {
    const admin = await signedIn("admin");
    const sam = await createUser("subscriber", { email: "sam.audit@example.com" });
    await admin.caller.admin.setRole({ userId: sam.id, role: "provider" });
    const changed = await admin.caller.admin.audit({ page: 1, pageSize: 25, action: "admin.role_changed" });
    expect(changed.total).toBe(1);
    expect(changed.items.map((a) => [a.action, a.targetId])).toEqual([["admin.role_changed", sam.id]]);
    const byAdmin = await admin.caller.admin.audit({ page: 1, pageSize: 25, actor: admin.user.email });
    expect(byAdmin.items.length).toBeGreaterThan(0);
    expect(byAdmin.items.every((a) => a.actorEmail === admin.user.email)).toBe(true);
    // The same filter typed in another case finds the same rows (emails are stored lower-case).
    expect((await admin.caller.admin.audit({ page: 1, pageSize: 25, actor: admin.user.email.toUpperCase() })).total).toBe(byAdmin.total);
    expect((await admin.caller.admin.audit({ page: 1, pageSize: 25, to: new Date(Date.now() - 86_400_000) })).total).toBe(0);
    // Dates no audit row can have are refused with a 400, not passed on to the database.
    for (const bad of [new Date(Date.UTC(10_000, 0, 1)), new Date(-1)]) {
      expect(await trpcCode(admin.caller.admin.audit({ page: 1, pageSize: 25, from: bad })), bad.toISOString()).toBe("BAD_REQUEST");
      expect(await trpcCode(admin.caller.admin.audit({ page: 1, pageSize: 25, to: bad })), bad.toISOString()).toBe("BAD_REQUEST");
    }
    expect((await admin.caller.admin.audit({ page: 1, pageSize: 25, from: new Date(Date.now() - 86_400_000) })).total).toBeGreaterThan(1);
  });
});
