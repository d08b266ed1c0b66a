/**
 * Delivery of outbox emails through a real sender (issue 9, defect 7): the recipient's copy is rendered at send time
 * from the sealed links, which are cleared once sent; admins never see a one-time link while a sender is configured.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { eq } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { adminCaller, outboxRow } from "@/test/email";
import { createUser } from "@/test/factories";
import { newProvider, subscribe } from "@/test/signals";
import { db } from "@/server/db";
import { emailOutbox, providers, subscriptions } from "@/server/db/schema";
import { notifySubscription } from "@/server/services/billing/notices";
import { resetRateLimits } from "@/server/rate-limit";
import { requestPasswordReset, resetPassword, verifyCredentials, verifyEmail } from "@/server/services/auth";
import { deliverEmail, setEmailSender, type EmailSender, type OutgoingEmail } from "@/server/services/email/delivery";
import { renderForDelivery } from "@/server/services/email/outbox";
import { serviceContext } from "@/server/services/context";

const t = useTestDatabase();
beforeEach(() => resetRateLimits());
afterEach(() => setEmailSender(undefined));

/** Every token of a `<path>?token=` link in a piece of text. */
function tokensIn(text: string, path: "/reset" | "/verify"): string[] {
  return [...text.matchAll(new RegExp(`${path}\\?token=([A-Za-z0-9_%-]+)`, "g"))].map((m) => decodeURIComponent(m[1]!));
}

function fakeSender(fail = 0) {
  const sent: OutgoingEmail[] = [];
  const sender: EmailSender = {
    name: "fake",
    send: vi.fn(async (mail: OutgoingEmail) => {
      if (fail-- > 0) throw new Error("provider unavailable");
      sent.push(mail);
      return { providerMessageId: `fake-${sent.length}` };
    }),
  };
  return { sender, sent };
}

describe("delivering outbox emails through a real sender", () => {
  it("with a real sender: admins see the link removed, the recipient's copy works, and sending clears the sealed link", async () => {
    const { sender, sent } = fakeSender();
    const admin = await adminCaller();
    const u = await createUser("subscriber", { password: "old password 123" });
    await requestPasswordReset(serviceContext(), u.email);
    const queued = await outboxRow("reset_password");
    // Configured once the email is queued, so the drain job (woken when emails are queued) leaves it to this test.
    setEmailSender(sender);

    const before = await admin.admin.email({ id: queued.id });
    expect(before).toMatchObject({ developmentMailbox: false, oneTimeLinks: "removed" });
    expect(before.text).toContain("[link removed: one-time link, only in the recipient's copy]");
    expect(tokensIn(`${before.html}\n${before.text}`, "/reset")).toEqual([]);
    expect(JSON.stringify(before)).not.toContain(queued.oneTimeLinksEnc!); // not even the sealed value

    await expect(deliverEmail(queued.id)).resolves.toBe("sent");
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ idempotencyKey: queued.id, to: u.email, subject: queued.subject });
    const [token] = tokensIn(sent[0]!.text, "/reset");
    expect(token).toBeTruthy();
    expect(tokensIn(sent[0]!.html, "/reset")).toEqual([token]);

    // Once sent, nothing in the outbox holds the link: not the copy, not the sealed value, not the admin view.
    const after = await outboxRow("reset_password");
    expect(after).toMatchObject({ status: "sent", oneTimeLinksEnc: null, html: queued.html, text: queued.text });
    expect(after.sentAt).toBeInstanceOf(Date);
    expect(JSON.stringify(after)).not.toContain(token);
    const view = await admin.admin.email({ id: queued.id });
    expect(JSON.stringify(view)).not.toContain(token);
    expect(() => renderForDelivery(after)).toThrow(/one-time links/);

    // Delivering again sends nothing; the recipient's link works, once.
    await expect(deliverEmail(queued.id)).resolves.toBe("already_sent");
    expect(sender.send).toHaveBeenCalledTimes(1);
    await resetPassword(serviceContext(), token!, "new password 456");
    expect(await verifyCredentials(u.email, "new password 456")).not.toBeNull();
  });

  it("a failed send keeps the sealed link for a retry, which delivers it", async () => {
    const { sender, sent } = fakeSender(1);
    const u = await createUser("subscriber");
    const [queued] = await t.db.select().from(emailOutbox).where(eq(emailOutbox.userId, u.id));
    setEmailSender(sender);

    await expect(deliverEmail(queued!.id)).rejects.toThrow(/provider unavailable/);
    const failed = await outboxRow("onboarding_welcome");
    expect(failed).toMatchObject({ status: "failed", sentAt: null });
    expect(failed.oneTimeLinksEnc).toBe(queued!.oneTimeLinksEnc);

    await expect(deliverEmail(queued!.id)).resolves.toBe("sent");
    expect(sent).toHaveLength(1);
    await verifyEmail(tokensIn(sent[0]!.text, "/verify")[0]!);
    expect((await outboxRow("onboarding_welcome")).oneTimeLinksEnc).toBeNull();
  });

  it("an email without one-time links is shown as written, in either mode", async () => {
    const admin = await adminCaller();
    const id = (await t.db.select().from(emailOutbox).where(eq(emailOutbox.kind, "onboarding_welcome")))[0]!.id;
    await t.db.update(emailOutbox).set({ kind: "notice", oneTimeLinksEnc: null, text: "Plain notice", html: "<p>Plain notice</p>" }).where(eq(emailOutbox.id, id));
    expect(await admin.admin.email({ id })).toMatchObject({ oneTimeLinks: "none", text: "Plain notice", html: "<p>Plain notice</p>" });
    setEmailSender(fakeSender().sender);
    expect(await admin.admin.email({ id })).toMatchObject({ oneTimeLinks: "none", developmentMailbox: false, text: "Plain notice" });
  });

  it("text that looks like a one-time link placeholder is sent and shown as written (a provider's display name in a billing notice)", async () => {
    const { sender, sent } = fakeSender();
    const admin = await adminCaller();
    const lookalike = "https://one-time-link.invalid/0"; // 31 characters: a valid display name
    const p = await newProvider();
    await db.update(providers).set({ displayName: lookalike }).where(eq(providers.id, p.provider.id));
    const trader = await createUser("subscriber");
    await subscribe(trader.id, p.provider.id, "canceled");
    const [sub] = await db.select({ id: subscriptions.id }).from(subscriptions).where(eq(subscriptions.subscriberId, trader.id));
    await notifySubscription(db, sub!.id, "ended");
    const notice = await outboxRow("billing_subscription_ended");
    expect(notice.text).toContain(lookalike);

    // Sent as written: not refused as an email whose links are gone (a failed row, retried for ever).
    setEmailSender(sender);
    await expect(deliverEmail(notice.id)).resolves.toBe("sent");
    expect(sent[0]).toMatchObject({ text: notice.text, html: notice.html });
    expect(await outboxRow("billing_subscription_ended")).toMatchObject({ status: "sent" });

    // And shown as written, with a sender and where the outbox is the mailbox: no link to remove.
    expect(await admin.admin.email({ id: notice.id })).toMatchObject({ oneTimeLinks: "none", text: notice.text, html: notice.html });
    setEmailSender(undefined);
    expect(await admin.admin.email({ id: notice.id })).toMatchObject({ oneTimeLinks: "none", text: notice.text, html: notice.html });
  });

  it("text that looks like a placeholder beside real one-time links stays as written; only the links are put in", async () => {
    const { sender, sent } = fakeSender();
    const lookalike = "https://one-time-link.invalid/0";
    const u = await createUser("subscriber", { name: lookalike });
    const [queued] = await t.db.select().from(emailOutbox).where(eq(emailOutbox.userId, u.id));
    expect(queued!.text).toContain(`Hi ${lookalike},`);

    const admin = await adminCaller();
    const shown = await admin.admin.email({ id: queued!.id });
    expect(shown).toMatchObject({ oneTimeLinks: "shown" });
    expect(shown.text).toContain(`Hi ${lookalike},`);
    expect(tokensIn(shown.text, "/verify")).toHaveLength(1);

    setEmailSender(sender);
    const removed = await admin.admin.email({ id: queued!.id });
    expect(removed).toMatchObject({ oneTimeLinks: "removed" });
    expect(removed.text).toContain(`Hi ${lookalike},`);

    await expect(deliverEmail(queued!.id)).resolves.toBe("sent");
    expect(sent[0]!.text).toContain(`Hi ${lookalike},`);
    expect(sent[0]!.html).toContain(lookalike);
    const tokens = tokensIn(sent[0]!.text, "/verify");
    expect(tokens).toHaveLength(1);
    expect(tokensIn(sent[0]!.html, "/verify")).toEqual(tokens);
    await verifyEmail(tokens[0]!);

    // Once sent, the admin copy still marks the (gone) link as removed, and the name is still as written.
    const after = await admin.admin.email({ id: queued!.id });
    expect(after).toMatchObject({ oneTimeLinks: "removed" });
    expect(after.text).toContain(`Hi ${lookalike},`);
    expect(after.text).toContain("[link removed: one-time link, only in the recipient's copy]");
  });
});
