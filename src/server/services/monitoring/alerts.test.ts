/**
 * raiseAlert: every admin is emailed at most once per alert (metric + level) per 5 minutes, whatever the retries and
 * concurrent callers; resolveAlert closes open alerts without resetting that clock.
 */
import { describe, expect, it } from "vitest";
import { and, eq, like } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { createUser } from "@/test/factories";
import { emailOutbox, opsAlerts, users } from "@/server/db/schema";
import { raiseAlert, resolveAlert, type AdminAlert } from "./alerts";

const t = useTestDatabase();
const T0 = new Date("2026-12-07T04:00:00.000Z");
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
const cpuCritical: AdminAlert = { metric: "cpu", level: "critical", value: 93, threshold: 90, summary: "CPU at 93% (critical at 90%)" };
const opts = { baseUrl: "https://tradsy.example" };

const alertEmails = () => t.db.select().from(emailOutbox).where(like(emailOutbox.kind, "ops_alert_%"));
const alertRow = (metric: string, level: string) =>
  t.db.select().from(opsAlerts).where(and(eq(opsAlerts.metric, metric), eq(opsAlerts.level, level as "warning"))).then((r) => r[0]);

describe("raiseAlert", () => {
  it("emails every admin (not other users, not deleted admins) once, then not again within 5 minutes", async () => {
    const a1 = await createUser("admin", { name: "Ada" });
    const a2 = await createUser("admin");
    const gone = await createUser("admin");
    await t.db.update(users).set({ deletedAt: at(-60) }).where(eq(users.id, gone.id));
    await createUser("subscriber");

    expect(await raiseAlert(t.db, cpuCritical, at(0), opts)).toBe(true);
    let emails = await alertEmails();
    expect(emails.map((e) => e.to).sort()).toEqual([a1.email, a2.email].sort());
    const mine = emails.find((e) => e.to === a1.email)!;
    expect(mine).toMatchObject({ kind: "ops_alert_critical", stream: "transactional", subject: "[Tradsy critical] CPU at 93% (critical at 90%)" });
    expect(mine.text).toContain("Hi Ada,");
    expect(mine.text).toMatch(/Reading\s+93%/);
    expect(mine.text).toContain("https://tradsy.example/admin/system");

    expect(await raiseAlert(t.db, { ...cpuCritical, value: 97 }, at(1), opts)).toBe(false);
    expect(await raiseAlert(t.db, cpuCritical, at(4.99), opts)).toBe(false);
    expect(await alertEmails()).toHaveLength(2);
    expect(await alertRow("cpu", "critical")).toMatchObject({ value: 93, lastSentAt: at(0), lastSeenAt: at(4.99) });

    // Five minutes after the last email: again.
    expect(await raiseAlert(t.db, cpuCritical, at(5), opts)).toBe(true);
    emails = await alertEmails();
    expect(emails).toHaveLength(4);
    expect(new Set(emails.map((e) => e.dedupeKey)).size).toBe(4);
  });

  it("counts each level of a metric apart, and each metric apart", async () => {
    await createUser("admin");
    expect(await raiseAlert(t.db, { ...cpuCritical, level: "warning", threshold: 70 }, at(0), opts)).toBe(true);
    expect(await raiseAlert(t.db, cpuCritical, at(1), opts)).toBe(true);
    expect(await raiseAlert(t.db, { ...cpuCritical, metric: "memory" }, at(1), opts)).toBe(true);
    expect(await alertEmails()).toHaveLength(3);
  });

  it("two concurrent calls send one email, and a retry of the same call sends none", async () => {
    await createUser("admin");
    const results = await Promise.all([raiseAlert(t.db, cpuCritical, at(0), opts), raiseAlert(t.db, cpuCritical, at(0), opts)]);
    expect(results.filter(Boolean)).toHaveLength(1);
    const later = await Promise.all([raiseAlert(t.db, cpuCritical, at(6), opts), raiseAlert(t.db, cpuCritical, at(6.01), opts)]);
    expect(later.filter(Boolean)).toHaveLength(1);
    expect(await raiseAlert(t.db, cpuCritical, at(6), opts)).toBe(false);
    expect(await alertEmails()).toHaveLength(2);
  });

  it("resolveAlert closes the open alert; crossing again within 5 minutes reopens it without an email", async () => {
    await createUser("admin");
    await raiseAlert(t.db, cpuCritical, at(0), opts);
    expect(await resolveAlert(t.db, "cpu", at(2))).toBe(1);
    expect(await resolveAlert(t.db, "cpu", at(3))).toBe(0);
    expect(await alertRow("cpu", "critical")).toMatchObject({ resolvedAt: at(2) });

    expect(await raiseAlert(t.db, cpuCritical, at(4), opts)).toBe(false);
    expect(await alertRow("cpu", "critical")).toMatchObject({ resolvedAt: null, firstSeenAt: at(4), lastSentAt: at(0) });
    expect(await alertEmails()).toHaveLength(1);
  });
});
