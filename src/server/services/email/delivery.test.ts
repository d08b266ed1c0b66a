/**
 * Delivery of outbox emails through a real sender (issue 9, defect 7): the recipient's copy is rendered at send time
 * from the sealed links, which are cleared once sent; admins never see a one-time link while a sender is configured.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { eq } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { adminCaller, outboxRow } from "@/test/email";
import { createUser } from "@/test/factories";
import { emailOutbox } from "@/server/db/schema";
import { resetRateLimits } from "@/server/rate-limit";
import { requestPasswordReset, resetPassword, verifyCredentials, verifyEmail } from "@/server/services/auth";
import { deliverEmail, setEmailSender, type EmailSender, type OutgoingEmail } from "@/server/services/email/delivery";
import { renderForDelivery } from "@/server/services/email/outbox";

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
    }),
  };
  return { sender, sent };
}

describe("delivering outbox emails through a real sender", () => {
  it("with a real sender: admins see the link removed, the recipient's copy works, and sending clears the sealed link", async () => {
    const { sender, sent } = fakeSender();
    setEmailSender(sender);
    const admin = await adminCaller();
    const u = await createUser("subscriber", { password: "old password 123" });
    await requestPasswordReset(u.email);
    const queued = await outboxRow("reset_password");

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
    await resetPassword(token!, "new password 456");
    expect(await verifyCredentials(u.email, "new password 456")).not.toBeNull();
  });

  it("a failed send keeps the sealed link for a retry, which delivers it", async () => {
    const { sender, sent } = fakeSender(1);
    setEmailSender(sender);
    const u = await createUser("subscriber");
    const [queued] = await t.db.select().from(emailOutbox).where(eq(emailOutbox.userId, u.id));

    await expect(deliverEmail(queued!.id)).rejects.toThrow(/provider unavailable/);
    const failed = await outboxRow("verify_email");
    expect(failed).toMatchObject({ status: "failed", sentAt: null });
    expect(failed.oneTimeLinksEnc).toBe(queued!.oneTimeLinksEnc);

    await expect(deliverEmail(queued!.id)).resolves.toBe("sent");
    expect(sent).toHaveLength(1);
    await verifyEmail(tokensIn(sent[0]!.text, "/verify")[0]!);
    expect((await outboxRow("verify_email")).oneTimeLinksEnc).toBeNull();
  });

  it("an email without one-time links is shown as written, in either mode", async () => {
    const admin = await adminCaller();
    const id = (await t.db.select().from(emailOutbox).where(eq(emailOutbox.kind, "verify_email")))[0]!.id;
    await t.db.update(emailOutbox).set({ kind: "notice", oneTimeLinksEnc: null, text: "Plain notice", html: "<p>Plain notice</p>" }).where(eq(emailOutbox.id, id));
    expect(await admin.admin.email({ id })).toMatchObject({ oneTimeLinks: "none", text: "Plain notice", html: "<p>Plain notice</p>" });
    setEmailSender(fakeSender().sender);
    expect(await admin.admin.email({ id })).toMatchObject({ oneTimeLinks: "none", developmentMailbox: false, text: "Plain notice" });
  });
});
