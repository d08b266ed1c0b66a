/**
 * Security alerts reach the account owner from the services that make the change: a password changed in the
 * settings, a password reset through the emailed link, an API key created. Transactional (no unsubscribe link, sent
 * whatever the email choices); a refused change sends none; the key itself never appears in the email.
 */
import { createElement } from "react";
import { beforeEach, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { callerFor, createUser } from "@/test/factories";
import { outboxRow } from "@/test/email";
import { newProvider } from "@/test/signals";
import { db } from "@/server/db";
import { emailOutbox, notificationPrefs } from "@/server/db/schema";
import { resetRateLimits } from "@/server/rate-limit";
import { requestPasswordReset, resetPassword } from "@/server/services/auth";
import { renderForDelivery } from "@/server/services/email/outbox";
import { serviceContext } from "@/server/services/context";
import SecurityAlert from "@emails/security-alert";
import { renderEmail } from "./outbox-batch";

useTestDatabase();
beforeEach(() => resetRateLimits());

const alertsTo = (userId: string) =>
  db
    .select()
    .from(emailOutbox)
    .where(and(eq(emailOutbox.userId, userId)))
    .then((rows) => rows.filter((r) => r.kind.startsWith("security_")));

describe("security alerts", () => {
  it("a password change alerts the owner, whatever their email choices; a refused change alerts no one", async () => {
    const u = await createUser("subscriber", { password: "old password 123" });
    await db.update(notificationPrefs).set({ signalEmails: false, digestEmails: false, productEmails: false, copyEmails: false }).where(eq(notificationPrefs.userId, u.id));
    const me = await callerFor(u);
    await expect(me.account.changePassword({ currentPassword: "wrong password 000", newPassword: "changed password 789" })).rejects.toThrow();
    expect(await alertsTo(u.id)).toEqual([]);

    await me.account.changePassword({ currentPassword: "old password 123", newPassword: "changed password 789" });
    const [alert, ...more] = await alertsTo(u.id);
    expect(more).toEqual([]);
    expect(alert).toMatchObject({ to: u.email, kind: "security_password_changed", stream: "transactional", unsubscribeUrl: null, subject: "Security alert: your password was changed" });
    expect(alert!.text).toContain("The password of your Tradsy account was changed from the settings page.");
    expect(alert!.text).toMatch(/When\s+\w{3} \d{1,2}, \d{4}, \d\d:\d\d UTC/);
    expect(alert!.text).toMatch(/Reset your password https?:\/\/[^\s]+\/reset/);
    expect(alert!.text).not.toMatch(/unsubscribe/i);
    expect(alert!.text).not.toContain("changed password 789");
  });

  it("a password reset through the emailed link alerts the owner; a used link alerts no one", async () => {
    const u = await createUser("subscriber", { password: "old password 123" });
    await requestPasswordReset(serviceContext(), u.email);
    const link = /https?:\/\/\S+\/reset\?token=([A-Za-z0-9_%-]+)/.exec(renderForDelivery(await outboxRow("reset_password")).text)!;
    const token = decodeURIComponent(link[1]!);
    await resetPassword(serviceContext({ ip: "198.51.100.9" }), token, "brand new password 456");
    const [alert] = await alertsTo(u.id);
    expect(alert).toMatchObject({ kind: "security_password_reset", stream: "transactional", subject: "Security alert: your password was reset" });
    expect(alert!.text).toMatch(/From address\s+198\.51\.100\.9/);

    await expect(resetPassword(serviceContext(), token, "another password 789")).rejects.toThrow(/expired or was already used/);
    expect(await alertsTo(u.id)).toHaveLength(1);
  });

  it("creating an API key alerts the provider's owner with the key's name and prefix, never the key", async () => {
    const p = await newProvider();
    const created = await p.caller.apiKeys.create({ name: "Trading bot" });
    const [alert, ...more] = await alertsTo(p.user.id);
    expect(more).toEqual([]);
    expect(alert).toMatchObject({ to: p.user.email, kind: "security_api_key_created", stream: "transactional", subject: "Security alert: a new API key was created" });
    expect(alert!.text).toContain(`Trading bot (${created.prefix}…)`);
    expect(`${alert!.html}\n${alert!.text}`).not.toContain(created.key);
  });

  it("the template words the new-device sign-in and the email change the security issue will send", async () => {
    for (const [reason, words] of [
      ["new_device_sign_in", "signed in to from a device or browser it had not seen before"],
      ["email_changed", "The email address of your Tradsy account was changed."],
    ] as const) {
      const { text } = await renderEmail(createElement(SecurityAlert, { name: "Ada", reason, when: "Dec 6, 2026, 16:40 UTC", detail: "Firefox on Linux", actionUrl: "https://tradsy.example/reset" }));
      expect(text).toContain(words);
      expect(text).toContain("Firefox on Linux");
    }
  });
});
