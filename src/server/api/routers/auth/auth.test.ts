import { beforeEach, describe, expect, it } from "vitest";
import { TRPCError } from "@trpc/server";
import { count, eq } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { callerFor, createUser, uniqueEmail } from "@/test/factories";
import { authTokens, emailOutbox, users } from "@/server/db/schema";
import { resetRateLimits } from "@/server/rate-limit";
import { verifyCredentials } from "@/server/services/auth";
import { renderForDelivery } from "@/server/services/email/outbox";

const t = useTestDatabase();
beforeEach(() => resetRateLimits());

// Sign-up is the form's server action; its tests are in src/server/auth/actions.test.ts.

async function failure(p: Promise<unknown>) {
  try {
    await p;
  } catch (err) {
    if (!(err instanceof TRPCError)) throw err;
    const shape = (err as TRPCError & { cause?: unknown }).cause;
    return { code: err.code, message: err.message, cause: shape };
  }
  throw new Error("expected the call to fail");
}

describe("sign-in credentials", () => {
  it("accepts the right password and refuses a wrong one or an unknown email", async () => {
    const u = await createUser("subscriber", { password: "right password here" });
    expect(await verifyCredentials(u.email, "right password here")).toMatchObject({ id: u.id, role: "subscriber" });
    expect(await verifyCredentials(u.email.toUpperCase(), "right password here")).toMatchObject({ id: u.id });
    expect(await verifyCredentials(u.email, "wrong password here")).toBeNull();
    expect(await verifyCredentials("nobody@example.com", "right password here")).toBeNull();
    expect(await verifyCredentials("not an email", "x")).toBeNull();
  });
});

function tokenFrom(html: string, path: string): string {
  const m = new RegExp(`${path}\\?token=([A-Za-z0-9_%-]+)`).exec(html);
  if (!m?.[1]) throw new Error("no token link in email");
  return decodeURIComponent(m[1]);
}

describe("email verification", () => {
  it("confirms once with the emailed token; a second use or a made-up token is refused", async () => {
    const u = await createUser("subscriber");
    const [mail] = await t.db.select().from(emailOutbox).where(eq(emailOutbox.userId, u.id));
    const token = tokenFrom(renderForDelivery(mail!).html, "/verify");
    const stored = await t.db.select().from(authTokens).where(eq(authTokens.userId, u.id));
    expect(stored[0]!.tokenHash).not.toContain(token); // only the hash is stored
    const anon = await callerFor(null);
    await expect(anon.auth.verifyEmail({ token })).resolves.toEqual({ ok: true });
    const user = await t.db.query.users.findFirst({ where: eq(users.id, u.id) });
    expect(user?.emailVerified).toBeInstanceOf(Date);
    expect((await failure(anon.auth.verifyEmail({ token }))).message).toMatch(/expired or was already used/);
    expect((await failure(anon.auth.verifyEmail({ token: "x".repeat(43) }))).code).toBe("BAD_REQUEST");
  });
});

describe("password reset", () => {
  it("answers the same for unknown emails and sends nothing", async () => {
    const anon = await callerFor(null);
    await expect(anon.auth.requestPasswordReset({ email: "ghost@example.com" })).resolves.toEqual({ ok: true });
    const [n] = await t.db.select({ n: count() }).from(emailOutbox);
    expect(n!.n).toBe(0);
  });

  it("resets with the emailed link once, then the new password works and the old one does not", async () => {
    const u = await createUser("subscriber", { password: "old password 123" });
    const anon = await callerFor(null);
    await anon.auth.requestPasswordReset({ email: u.email });
    const mails = await t.db.select().from(emailOutbox).where(eq(emailOutbox.kind, "reset_password"));
    expect(mails).toHaveLength(1);
    const token = tokenFrom(renderForDelivery(mails[0]!).html, "/reset");
    const short = await failure(anon.auth.resetPassword({ token, password: "short" }));
    expect(short.code).toBe("BAD_REQUEST");
    await anon.auth.resetPassword({ token, password: "new password 456" });
    expect(await verifyCredentials(u.email, "new password 456")).not.toBeNull();
    expect(await verifyCredentials(u.email, "old password 123")).toBeNull();
    expect((await failure(anon.auth.resetPassword({ token, password: "another password" }))).message).toMatch(/expired or was already used/);
  });
});

describe("outstanding reset links after the password changes", () => {
  const resetTokens = async (email: string) => {
    const mails = await t.db.select().from(emailOutbox).where(eq(emailOutbox.kind, "reset_password"));
    return mails.filter((m) => m.to === email).map((m) => tokenFrom(renderForDelivery(m).html, "/reset"));
  };

  it("a reset through one link voids every other link sent before it", async () => {
    const u = await createUser("subscriber", { password: "old password 123" });
    const anon = await callerFor(null);
    await anon.auth.requestPasswordReset({ email: u.email });
    await anon.auth.requestPasswordReset({ email: u.email });
    const [older, newer] = await resetTokens(u.email);
    await anon.auth.resetPassword({ token: newer!, password: "new password 456" });
    expect((await failure(anon.auth.resetPassword({ token: older!, password: "attacker password" }))).message).toMatch(/expired or was already used/);
    expect(await verifyCredentials(u.email, "new password 456")).not.toBeNull();
  });

  it("a password change voids the reset links sent before it", async () => {
    const u = await createUser("subscriber", { password: "old password 123" });
    const anon = await callerFor(null);
    await anon.auth.requestPasswordReset({ email: u.email });
    const [token] = await resetTokens(u.email);
    await (await callerFor(u)).account.changePassword({ currentPassword: "old password 123", newPassword: "changed password 789" });
    expect((await failure(anon.auth.resetPassword({ token: token!, password: "attacker password" }))).message).toMatch(/expired or was already used/);
    expect(await verifyCredentials(u.email, "changed password 789")).not.toBeNull();
  });
});

describe("account.changePassword", () => {
  it("needs the current password", async () => {
    const u = await createUser("subscriber", { password: "first password" });
    const me = await callerFor(u);
    const err = await failure(me.account.changePassword({ currentPassword: "wrong one", newPassword: "second password" }));
    expect(err.code).toBe("BAD_REQUEST");
    await me.account.changePassword({ currentPassword: "first password", newPassword: "second password" });
    expect(await verifyCredentials(u.email, "second password")).not.toBeNull();
  });
});

describe("auth.completeOnboarding (OAuth sign-ups)", () => {
  it("records the role and acceptance once", async () => {
    const [oauthUser] = await t.db.insert(users).values({ email: uniqueEmail("oauth"), name: "Octo Cat" }).returning();
    const me = await callerFor({ id: oauthUser!.id, role: "subscriber" });
    await me.auth.completeOnboarding({ role: "provider", acceptDisclaimer: true, acceptTerms: true });
    const after = await t.db.query.users.findFirst({ where: eq(users.id, oauthUser!.id), with: { provider: true } });
    expect(after?.role).toBe("provider");
    expect(after?.disclaimerAcceptedAt).toBeInstanceOf(Date);
    expect(after?.provider?.slug).toBe("octo-cat");
    expect((await failure(me.auth.completeOnboarding({ role: "subscriber", acceptDisclaimer: true, acceptTerms: true }))).code).toBe("CONFLICT");
  });

  it("refuses without the disclaimer", async () => {
    const [oauthUser] = await t.db.insert(users).values({ email: uniqueEmail("oauth") }).returning();
    const me = await callerFor({ id: oauthUser!.id, role: "subscriber" });
    const err = await failure(me.auth.completeOnboarding({ role: "subscriber", acceptDisclaimer: false, acceptTerms: true } as never));
    expect(err.code).toBe("BAD_REQUEST");
    const after = await t.db.query.users.findFirst({ where: eq(users.id, oauthUser!.id) });
    expect(after?.disclaimerAcceptedAt).toBeNull();
  });
});
