/**
 * One-time links (verification, password reset) in the email outbox (issue 9, defect 7): the stored copy never
 * holds a working token, and admins see the working link only where the outbox is the mailbox (no email sender
 * configured), labelled development-only. Delivery through a real sender: delivery.test.ts.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { adminCaller, outboxRow } from "@/test/email";
import { useEnvOverrides } from "@/test/env";
import { createUser } from "@/test/factories";
import { emailOutbox } from "@/server/db/schema";
import { resetRateLimits } from "@/server/rate-limit";
import { requestPasswordReset, resetPassword, verifyCredentials, verifyEmail } from "@/server/services/auth";
import { seal } from "@/server/crypto/secret-box";
import { renderForDelivery } from "@/server/services/email/outbox";
import { serviceContext } from "@/server/services/context";

const t = useTestDatabase();
beforeEach(() => resetRateLimits());

/** Every token of a `<path>?token=` link in a piece of text. */
function tokensIn(text: string, path: "/reset" | "/verify"): string[] {
  return [...text.matchAll(new RegExp(`${path}\\?token=([A-Za-z0-9_%-]+)`, "g"))].map((m) => decodeURIComponent(m[1]!));
}

describe("one-time links in the email outbox", () => {
  it("the stored copy of a reset email holds no working token", async () => {
    const u = await createUser("subscriber", { password: "old password 123" });
    await requestPasswordReset(serviceContext(), u.email);
    const row = await outboxRow("reset_password");
    const taken = tokensIn(`${row.html}\n${row.text}`, "/reset");
    for (const token of taken) await expect(resetPassword(serviceContext(), token, "taken over 456")).rejects.toThrow(/expired or was already used/);
    expect(await verifyCredentials(u.email, "taken over 456")).toBeNull();
    expect(taken).toEqual([]);
  });

  it("the stored copy of a verification email holds no working token", async () => {
    const u = await createUser("subscriber");
    const [row] = await t.db.select().from(emailOutbox).where(eq(emailOutbox.userId, u.id));
    const taken = tokensIn(`${row!.html}\n${row!.text}`, "/verify");
    for (const token of taken) await expect(verifyEmail(token)).rejects.toThrow(/expired or was already used/);
    expect(taken).toEqual([]);
  });

  it("without a sender the outbox is the mailbox: the admin view's link works and says it is development-only", async () => {
    const admin = await adminCaller();
    const u = await createUser("subscriber");
    const [row] = await t.db.select().from(emailOutbox).where(eq(emailOutbox.userId, u.id));

    const view = await admin.admin.email({ id: row!.id });
    expect(view).toMatchObject({ developmentMailbox: true, oneTimeLinks: "shown" });
    const [token] = tokensIn(view.text, "/verify");
    expect(tokensIn(view.html, "/verify")).toEqual([token]);
    await expect(verifyEmail(token!)).resolves.toBeUndefined();
    // The stored copy still holds only the placeholder.
    expect(tokensIn(`${row!.html}\n${row!.text}`, "/verify")).toEqual([]);
  });

  it("an email's sealed links open only as that email's links: not another email's, not a value sealed for anything else", async () => {
    const a = await createUser("subscriber");
    const b = await createUser("subscriber");
    const [mailA] = await t.db.select().from(emailOutbox).where(eq(emailOutbox.userId, a.id));
    const [mailB] = await t.db.select().from(emailOutbox).where(eq(emailOutbox.userId, b.id));
    expect(mailA!.oneTimeLinkNonce).not.toBe(mailB!.oneTimeLinkNonce);
    expect(tokensIn(renderForDelivery(mailA!).text, "/verify")).toHaveLength(1);

    expect(() => renderForDelivery({ ...mailA!, oneTimeLinksEnc: mailB!.oneTimeLinksEnc })).toThrow(/another email/);
    // Sealed by the same key but not for this purpose (a webhook passphrase is sealed so).
    const forged = seal(JSON.stringify({ nonce: mailA!.oneTimeLinkNonce, links: ["https://evil.example/"] }));
    expect(() => renderForDelivery({ ...mailA!, oneTimeLinksEnc: forged })).toThrow();
  });
});

describe("a production server on PostgreSQL with no email sender yet", () => {
  const setEnv = useEnvOverrides();
  // Production refuses to start without APP_URL (src/server/http/base-url.ts): every production server has one.
  beforeEach(() => setEnv("APP_URL", "https://signals.example.com"));

  it("shows admins no working one-time link: the outbox is a development mailbox only on the embedded database or outside production", async () => {
    setEnv("NODE_ENV", "production");
    setEnv("DATABASE_URL", "postgres://app@db.internal:5432/tradsy");
    const u = await createUser("subscriber");
    await requestPasswordReset(serviceContext(), u.email);
    const row = await outboxRow("reset_password");
    const view = await (await adminCaller()).admin.email({ id: row.id });
    expect(view).toMatchObject({ developmentMailbox: false, senderConfigured: false, oneTimeLinks: "removed" });
    expect(`${view.html}${view.text}`).not.toMatch(/reset\?token=/);
    // The recipient's copy still has its link, for when a sender delivers it.
    expect(renderForDelivery(row).html).toMatch(/reset\?token=/);
  });

  it("keeps the development mailbox on the embedded database in production (the e2e run) and in development", async () => {
    setEnv("NODE_ENV", "production");
    setEnv("DATABASE_URL", undefined);
    const u = await createUser("subscriber");
    await requestPasswordReset(serviceContext(), u.email);
    const admin = await adminCaller();
    expect(await admin.admin.email({ id: (await outboxRow("reset_password")).id })).toMatchObject({ developmentMailbox: true, oneTimeLinks: "shown" });
    setEnv("NODE_ENV", "development");
    setEnv("DATABASE_URL", "postgres://app@localhost:5432/tradsy");
    expect(await admin.admin.email({ id: (await outboxRow("reset_password")).id })).toMatchObject({ developmentMailbox: true, oneTimeLinks: "shown" });
  });
});

describe("unsubscribe links in the admin's copy", () => {
  it("are shown only while the outbox is the mailbox: elsewhere they are a credential for the recipient's choices", async () => {
    const { createElement } = await import("react");
    const { copyForAdmin, queueEmail, UNSUBSCRIBE_LINK_REMOVED } = await import("@/server/services/email/outbox");
    const url = "https://tradsy.example/api/unsubscribe/eyJyIjoidSJ9.c2lnbmF0dXJl";
    const id = await queueEmail(t.db, {
      to: "ann@example.com",
      kind: "test_alert",
      subject: "A signal moved",
      stream: "notification",
      unsubscribeUrl: url,
      template: createElement("p", null, createElement("a", { href: url }, "Unsubscribe"), ` or paste ${url}`),
    });
    const [row] = await t.db.select().from(emailOutbox).where(eq(emailOutbox.id, id));
    expect(row!.html + row!.text).toContain(url);
    const hidden = copyForAdmin(row!, false);
    expect(hidden.html + hidden.text).not.toContain(url);
    expect(hidden.text).toContain(UNSUBSCRIBE_LINK_REMOVED);
    const shown = copyForAdmin(row!, true);
    expect(shown.html).toContain(url);
  });
});
