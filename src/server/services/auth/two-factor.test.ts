/**
 * Two-factor sign-in through the tRPC procedures and the service: enrolment confirmed with a code computed from the
 * shown secret, no replay (the same code, or an older step's, after a newer one), recovery codes once each, the
 * wrong-code limit (the 6th attempt refused whatever the code), step-up for 10 minutes per session, the admin gate
 * in production, and the admin and operator reset. Codes are computed here from the secret, as an app would.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { useEnvOverrides } from "@/test/env";
import { callerFor, createUser, trpcCode } from "@/test/factories";
import { createCaller } from "@/server/api/root";
import { createTRPCContext, type SessionUser } from "@/server/api/trpc";
import { auditLog, emailOutbox, recoveryCodes, userSessions, users } from "@/server/db/schema";
import { openFor, randomToken } from "@/server/crypto/secret-box";
import { serviceContext } from "@/server/services/context";
import { StepUpRequiredError } from "@/server/errors";
import { requireStepUp, stepUp, STEP_UP_TTL_MS } from "./two-factor";
import { loadSessionUser } from "./index";
import { runAdminCommand } from "@/server/cli/admin";
import { TRPCError } from "@trpc/server";
import { codeNow } from "@/test/totp";

const t = useTestDatabase();
const setEnv = useEnvOverrides();
// The test browsers' X-Forwarded-For is believed (one proxy), so audit rows carry their address.
beforeEach(() => setEnv("TRUSTED_PROXY_HOPS", 1));

/** A signed-in browser of `user`: a caller with a session id that has its user_sessions row (as sign-in makes). */
async function browser(user: SessionUser, ip = "203.0.113.7") {
  const sessionId = randomToken(16);
  await t.db.insert(userSessions).values({ id: sessionId, userId: user.id, userAgent: "Vitest browser", ip });
  const caller = createCaller(await createTRPCContext({ headers: new Headers({ "x-forwarded-for": ip, "user-agent": "Vitest browser" }), session: { user, sessionId } }));
  return { caller, sessionId };
}

/** A user (of `role`) with two-factor sign-in on, its secret and recovery codes, signed in on one browser. */
async function enrolled(role: "subscriber" | "provider" | "admin" = "subscriber") {
  const user = await createUser(role);
  const b = await browser(user);
  const { secret } = await b.caller.twoFactor.start();
  const { recoveryCodes: codes } = await b.caller.twoFactor.confirm({ code: codeNow(secret) });
  // The confirmation stepped this browser up; tests of step-up start without one.
  await t.db.update(userSessions).set({ stepUpAt: null }).where(eq(userSessions.id, b.sessionId));
  return { user, secret, codes, ...b };
}

const auditActions = async (userId: string) =>
  (await t.db.select({ action: auditLog.action }).from(auditLog).where(eq(auditLog.targetId, userId))).map((r) => r.action);
const alertKinds = async (userId: string) =>
  (await t.db.select({ kind: emailOutbox.kind }).from(emailOutbox).where(eq(emailOutbox.userId, userId))).map((r) => r.kind).filter((k) => k.startsWith("security_"));

async function refusal(p: Promise<unknown>): Promise<{ code: string; message: string; reason?: unknown }> {
  try {
    await p;
  } catch (err) {
    if (err instanceof TRPCError) return { code: err.code, message: err.message };
    throw err;
  }
  return { code: "OK", message: "" };
}

describe("enrolment", () => {
  it("stores the secret sealed and pending, then turns on with the first code and answers 10 recovery codes once", async () => {
    const user = await createUser("subscriber");
    const { caller } = await browser(user);
    const started = await caller.twoFactor.start();
    expect(started.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(started.otpauthUrl).toMatch(/^otpauth:\/\/totp\/Tradsy:.+\?.*secret=/);
    expect(started.otpauthUrl).toContain("algorithm=SHA1&digits=6&period=30");
    expect(started.qrSvg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    const [pending] = await t.db.select().from(users).where(eq(users.id, user.id));
    expect(pending!.totpSecretEnc).not.toContain(started.secret);
    expect(openFor("totp-secret", pending!.totpSecretEnc!)).toBe(started.secret);
    expect(pending!.totpEnabledAt).toBeNull();
    expect(await caller.twoFactor.status()).toMatchObject({ enabled: false, pending: true, recoveryCodesLeft: 0 });

    // A wrong code leaves it pending.
    const wrong = codeNow(started.secret) === "000000" ? "111111" : "000000";
    expect(await refusal(caller.twoFactor.confirm({ code: wrong }))).toMatchObject({ code: "BAD_REQUEST" });
    const { recoveryCodes: codes } = await caller.twoFactor.confirm({ code: codeNow(started.secret) });
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const c of codes) expect(c).toMatch(/^[23456789bcdfghjkmnpqrstvwxyz]{5}-[23456789bcdfghjkmnpqrstvwxyz]{5}$/);
    const stored = await t.db.select().from(recoveryCodes).where(eq(recoveryCodes.userId, user.id));
    expect(stored).toHaveLength(10);
    expect(stored.map((r) => r.codeHash).join()).not.toMatch(new RegExp(codes.map((c) => c.replace("-", "")).join("|")));
    const status = await caller.twoFactor.status();
    expect(status).toMatchObject({ enabled: true, pending: false, recoveryCodesLeft: 10, requiredForAdmin: false });
    expect(status.enabledAt).toBeInstanceOf(Date);
    expect(status.stepUpValidUntil).toBeInstanceOf(Date); // confirming proved the device: this session is stepped up

    expect(await auditActions(user.id)).toContain("two_factor.enabled");
    const [audit] = await t.db.select().from(auditLog).where(and(eq(auditLog.targetId, user.id), eq(auditLog.action, "two_factor.enabled")));
    expect(audit).toMatchObject({ actorId: user.id, ip: "203.0.113.7", userAgent: "Vitest browser" });
    expect(await alertKinds(user.id)).toEqual(["security_two_factor_enabled"]);
  });

  it("is refused while on, and confirming twice is refused", async () => {
    const e = await enrolled();
    expect(await refusal(e.caller.twoFactor.start())).toMatchObject({ code: "CONFLICT" });
    expect(await refusal(e.caller.twoFactor.confirm({ code: codeNow(e.secret) }))).toMatchObject({ code: "CONFLICT" });
  });

  it("refuses to confirm before a start, and bad code shapes at the door", async () => {
    const { caller } = await signedInBrowser();
    expect(await refusal(caller.twoFactor.confirm({ code: "123456" }))).toMatchObject({ code: "CONFLICT" });
    expect(await refusal(caller.twoFactor.confirm({ code: "12345" }))).toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("Enter the 6-digit code from your authenticator app") });
    expect(await refusal(caller.twoFactor.stepUp({ code: "not a code" }))).toMatchObject({ code: "BAD_REQUEST" });
  });

  it("can be started 10 times an hour; the 11th is refused with TOO_MANY_REQUESTS and a wait", async () => {
    const { caller } = await signedInBrowser();
    for (let i = 0; i < 10; i++) expect(await trpcCode(caller.twoFactor.start())).toBe("OK");
    expect(await refusal(caller.twoFactor.start())).toEqual({ code: "TOO_MANY_REQUESTS", message: expect.stringMatching(/^Too many attempts\. Try again in /) });
  });
});

async function signedInBrowser() {
  const user = await createUser("subscriber");
  return { user, ...(await browser(user)) };
}

describe("codes", () => {
  it("refuse a replayed code, and an older step's code after a newer one", async () => {
    const e = await enrolled();
    // The confirmation used the current step: the same code again is refused.
    expect(await refusal(e.caller.twoFactor.stepUp({ code: codeNow(e.secret) }))).toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/^That code is not right/) });
    // Set the last accepted step back one, so the current code is fresh: it passes once, then the previous step's
    // code (still within the ±1 window) is refused because a newer one was accepted.
    const [row] = await t.db.select({ step: users.totpLastStep }).from(users).where(eq(users.id, e.user.id));
    await t.db.update(users).set({ totpLastStep: row!.step! - 2 }).where(eq(users.id, e.user.id));
    expect((await e.caller.twoFactor.stepUp({ code: codeNow(e.secret) })).validUntil).toBeInstanceOf(Date);
    expect(await refusal(e.caller.twoFactor.stepUp({ code: codeNow(e.secret, 1) }))).toMatchObject({ code: "BAD_REQUEST" });
    expect(await refusal(e.caller.twoFactor.stepUp({ code: codeNow(e.secret) }))).toMatchObject({ code: "BAD_REQUEST" });
  });

  it("let two racing requests with the same code pass once", async () => {
    const e = await enrolled();
    const [row] = await t.db.select({ step: users.totpLastStep }).from(users).where(eq(users.id, e.user.id));
    await t.db.update(users).set({ totpLastStep: row!.step! - 2 }).where(eq(users.id, e.user.id));
    const code = codeNow(e.secret);
    const outcomes = await Promise.all([0, 1, 2].map(() => trpcCode(e.caller.twoFactor.stepUp({ code }))));
    expect(outcomes.sort()).toEqual(["BAD_REQUEST", "BAD_REQUEST", "OK"]);
  });

  it("accept a recovery code once (any case, with or without its dash), with an audit row and an alert", async () => {
    const e = await enrolled();
    const code = e.codes[3]!;
    await e.caller.twoFactor.stepUp({ code: code.toUpperCase().replace("-", "") });
    expect(await refusal(e.caller.twoFactor.stepUp({ code }))).toMatchObject({ code: "BAD_REQUEST" });
    expect((await e.caller.twoFactor.status()).recoveryCodesLeft).toBe(9);
    expect(await auditActions(e.user.id)).toContain("two_factor.recovery_code_used");
    expect(await alertKinds(e.user.id)).toContain("security_recovery_code_used");
    // Another account's code does not work here.
    const other = await enrolled();
    expect(await refusal(e.caller.twoFactor.stepUp({ code: other.codes[0]! }))).toMatchObject({ code: "BAD_REQUEST" });
  });

  it("refuse the 6th attempt after 5 wrong codes, even the right one, with TOO_MANY_REQUESTS", async () => {
    const e = await enrolled();
    const [row] = await t.db.select({ step: users.totpLastStep }).from(users).where(eq(users.id, e.user.id));
    await t.db.update(users).set({ totpLastStep: row!.step! - 2 }).where(eq(users.id, e.user.id));
    const right = codeNow(e.secret);
    const wrong = right === "000000" ? "111111" : "000000";
    for (let i = 0; i < 5; i++) expect(await trpcCode(e.caller.twoFactor.stepUp({ code: wrong }))).toBe("BAD_REQUEST");
    expect(await refusal(e.caller.twoFactor.stepUp({ code: right }))).toMatchObject({ code: "TOO_MANY_REQUESTS", message: expect.stringMatching(/^Too many wrong codes\. Try again in \d+ minutes\.$/) });
    // The right code was not spent by the refusal: the step did not move.
    const [after] = await t.db.select({ step: users.totpLastStep }).from(users).where(eq(users.id, e.user.id));
    expect(after!.step).toBe(row!.step! - 2);
  });

  it("give their point back when right: right codes never add up to a refusal", async () => {
    const e = await enrolled();
    for (let i = 0; i < 6; i++) await e.caller.twoFactor.stepUp({ code: e.codes[i]! });
    expect((await e.caller.twoFactor.status()).recoveryCodesLeft).toBe(4);
  });
});

describe("disabling and new recovery codes", () => {
  it("need a right code; disabling clears the secret and the codes, audited and emailed", async () => {
    const e = await enrolled();
    expect(await refusal(e.caller.twoFactor.disable({ code: "abcde-fghjk" }))).toMatchObject({ code: "BAD_REQUEST" });
    expect((await e.caller.twoFactor.status()).enabled).toBe(true);

    const { recoveryCodes: fresh } = await e.caller.twoFactor.regenerateRecoveryCodes({ code: e.codes[0]! });
    expect(fresh).toHaveLength(10);
    // The earlier codes stopped working.
    expect(await refusal(e.caller.twoFactor.disable({ code: e.codes[1]! }))).toMatchObject({ code: "BAD_REQUEST" });
    await e.caller.twoFactor.disable({ code: fresh[0]! });
    const [row] = await t.db.select().from(users).where(eq(users.id, e.user.id));
    expect(row).toMatchObject({ totpSecretEnc: null, totpEnabledAt: null, totpLastStep: null });
    expect(await t.db.select().from(recoveryCodes).where(eq(recoveryCodes.userId, e.user.id))).toEqual([]);
    expect(await auditActions(e.user.id)).toEqual(expect.arrayContaining(["two_factor.enabled", "two_factor.recovery_codes_regenerated", "two_factor.disabled"]));
    expect(await alertKinds(e.user.id)).toEqual(expect.arrayContaining(["security_two_factor_disabled", "security_recovery_codes_regenerated"]));
    // Off: nothing to disable.
    expect(await refusal(e.caller.twoFactor.disable({ code: "123456" }))).toMatchObject({ code: "CONFLICT" });
  });
});

describe("step-up", () => {
  it("is not asked of accounts without two-factor sign-in", async () => {
    const { caller } = await signedInBrowser();
    expect(await trpcCode(caller.account.updateNotificationPrefs({ productEmails: false }))).toBe("OK");
  });

  it("is required before sensitive changes, satisfied by a code for this session only, for 10 minutes", async () => {
    const e = await enrolled("provider");
    const refused = await e.caller.account.updateNotificationPrefs({ productEmails: false }).catch((err: TRPCError) => err);
    expect(refused).toBeInstanceOf(TRPCError);
    expect((refused as TRPCError).code).toBe("FORBIDDEN");
    expect((refused as TRPCError).cause).toBeInstanceOf(StepUpRequiredError);
    expect(await trpcCode(e.caller.apiKeys.create({ name: "bot" }))).toBe("FORBIDDEN");
    expect(await trpcCode(e.caller.billing.startOnboarding())).toBe("FORBIDDEN");
    expect(await trpcCode(e.caller.exchanges.create({ exchangeId: "binance", label: "Main", apiKey: "k".repeat(20), secret: "s".repeat(20) } as never))).toBe("FORBIDDEN");

    const { validUntil } = await e.caller.twoFactor.stepUp({ code: e.codes[0]! });
    expect(validUntil.getTime() - Date.now()).toBeGreaterThan(STEP_UP_TTL_MS - 5_000);
    expect(await trpcCode(e.caller.account.updateNotificationPrefs({ productEmails: false }))).toBe("OK");
    expect(await trpcCode(e.caller.apiKeys.create({ name: "bot" }))).toBe("OK");
    expect(await auditActions(e.user.id)).toContain("two_factor.step_up");

    // Another browser of the same account has not stepped up.
    const other = await browser(e.user);
    expect(await trpcCode(other.caller.account.updateNotificationPrefs({ productEmails: false }))).toBe("FORBIDDEN");
    // Nor has a caller without a session id.
    expect(await trpcCode((await callerFor(e.user)).account.updateNotificationPrefs({ productEmails: false }))).toBe("FORBIDDEN");
  });

  it("is required before the webhook secret and passphrase, role changes and two-factor resets", async () => {
    const provider = await enrolled("provider");
    const isStepUp = async (p: Promise<unknown>) => ((await p.catch((err: unknown) => err)) as TRPCError).cause instanceof StepUpRequiredError;
    expect(await isStepUp(provider.caller.providers.rotateWebhook())).toBe(true);
    expect(await isStepUp(provider.caller.providers.setWebhookPassphrase({ passphrase: "a long passphrase" }))).toBe(true);
    expect(await isStepUp(provider.caller.providers.setWebhookPassphrase({ passphrase: null }))).toBe(true);
    await provider.caller.twoFactor.stepUp({ code: provider.codes[0]! });
    expect((await provider.caller.providers.rotateWebhook()).url).toMatch(/\/api\/webhooks\/tradingview\//);
    expect(await provider.caller.providers.setWebhookPassphrase({ passphrase: "a long passphrase" })).toEqual({ ok: true });

    const admin = await enrolled("admin");
    const trader = await createUser("subscriber");
    const target = await enrolled();
    expect(await isStepUp(admin.caller.admin.setRole({ userId: trader.id, role: "admin" }))).toBe(true);
    expect(await isStepUp(admin.caller.admin.resetTwoFactor({ userId: target.user.id }))).toBe(true);
    const [still] = await t.db.select({ role: users.role }).from(users).where(eq(users.id, trader.id));
    expect(still!.role).toBe("subscriber");
    await admin.caller.twoFactor.stepUp({ code: admin.codes[0]! });
    expect(await trpcCode(admin.caller.admin.setRole({ userId: trader.id, role: "provider" }))).toBe("OK");
    expect(await trpcCode(admin.caller.admin.resetTwoFactor({ userId: target.user.id }))).toBe("OK");
  });

  it("is checked before the few-attempt limits: refusals take no point (API keys 20 an hour, deletion 5 an hour)", async () => {
    const e = await enrolled("provider");
    for (let i = 0; i < 22; i++) expect(await trpcCode(e.caller.apiKeys.create({ name: `bot ${i}` }))).toBe("FORBIDDEN");
    for (let i = 0; i < 6; i++) expect(await trpcCode(e.caller.privacy.deleteAccount({ confirmEmail: "someone-else@example.com" }))).toBe("FORBIDDEN");
    await e.caller.twoFactor.stepUp({ code: e.codes[0]! });
    expect(await trpcCode(e.caller.apiKeys.create({ name: "bot" }))).toBe("OK");
    // Past the step-up the limit counts: a wrong email is refused as such, not as too many attempts.
    expect(await trpcCode(e.caller.privacy.deleteAccount({ confirmEmail: "someone-else@example.com" }))).toBe("BAD_REQUEST");
  });

  it("expires 10 minutes after the code (the request's clock)", async () => {
    const e = await enrolled();
    const at = new Date();
    const actor = { id: e.user.id, role: e.user.role };
    await stepUp(serviceContext({ actor, sessionId: e.sessionId, now: at }), e.codes[0]!);
    const check = (ms: number, sessionId: string | null = e.sessionId) => requireStepUp(serviceContext({ actor, sessionId, now: new Date(at.getTime() + ms) }));
    await expect(check(0)).resolves.toBeUndefined();
    await expect(check(STEP_UP_TTL_MS - 1)).resolves.toBeUndefined();
    await expect(check(STEP_UP_TTL_MS)).rejects.toBeInstanceOf(StepUpRequiredError);
    await expect(check(0, "unknown-session")).rejects.toBeInstanceOf(StepUpRequiredError);
    await expect(check(0, null)).rejects.toBeInstanceOf(StepUpRequiredError);
    // A revoked session's step-up no longer counts.
    await t.db.update(userSessions).set({ revokedAt: at }).where(eq(userSessions.id, e.sessionId));
    await expect(check(0)).rejects.toBeInstanceOf(StepUpRequiredError);
  });

  it("starts at a sign-in that passed a code, for 10 minutes; a password-only session is not stepped up", async () => {
    const e = await enrolled();
    const at = new Date();
    const actor = { id: e.user.id, role: e.user.role };
    const { createUserSession } = await import("./user-sessions");
    await createUserSession({ id: "sid-with-code", userId: e.user.id, userAgent: "Vitest", ip: null, twoFactor: true, now: at });
    await createUserSession({ id: "sid-no-code", userId: e.user.id, userAgent: "Vitest", ip: null, twoFactor: false, now: at });
    const check = (ms: number, sessionId: string) => requireStepUp(serviceContext({ actor, sessionId, now: new Date(at.getTime() + ms) }));
    await expect(check(0, "sid-with-code")).resolves.toBeUndefined();
    await expect(check(STEP_UP_TTL_MS - 1, "sid-with-code")).resolves.toBeUndefined();
    await expect(check(STEP_UP_TTL_MS, "sid-with-code")).rejects.toBeInstanceOf(StepUpRequiredError);
    await expect(check(0, "sid-no-code")).rejects.toBeInstanceOf(StepUpRequiredError);
  });

  it("answers data.reason step_up_required through the error formatter", async () => {
    const e = await enrolled();
    const { appRouter } = await import("@/server/api/root");
    const { getErrorShape } = await import("@trpc/server/unstable-core-do-not-import");
    const err = await e.caller.account.updateNotificationPrefs({ productEmails: false }).catch((x: TRPCError) => x);
    const shape = getErrorShape({ config: appRouter._def._config, error: err as TRPCError, type: "mutation", path: "account.updateNotificationPrefs", input: undefined, ctx: undefined });
    expect(shape.data).toMatchObject({ code: "FORBIDDEN", httpStatus: 403, reason: "step_up_required" });
    expect(shape.message).toBe("Enter a code from your authenticator app to confirm it is you.");
  });
});

describe("admins", () => {
  it("must turn two-factor sign-in on to use admin procedures in production; not in development", async () => {
    const admin = await createUser("admin");
    const { caller } = await browser(admin);
    setEnv("NODE_ENV", "production");
    setEnv("APP_URL", "https://signals.example.com");
    expect(await refusal(caller.admin.overview())).toEqual({ code: "FORBIDDEN", message: "Turn on two-factor sign-in to use the admin area" });
    // Turning it on needs no admin procedure.
    const { secret } = await caller.twoFactor.start();
    expect((await caller.twoFactor.status()).requiredForAdmin).toBe(true);
    await caller.twoFactor.confirm({ code: codeNow(secret) });
    // The next request resolves its session afresh (the jwt callback's loadSessionUser): now with two-factor sign-in.
    const next = await browser({ ...admin, twoFactorEnabled: (await loadSessionUser(admin.id))!.twoFactorEnabled });
    expect(await trpcCode(next.caller.admin.overview())).toBe("OK");
    setEnv("NODE_ENV", "development");
    const other = await createUser("admin");
    expect(await trpcCode((await callerFor(other)).admin.overview())).toBe("OK");
  });

  it("reset another account's two-factor sign-in (audited, emailed), never their own", async () => {
    const admin = await enrolled("admin");
    const target = await enrolled("admin");
    await admin.caller.twoFactor.stepUp({ code: admin.codes[0]! }); // a fresh code first (step-up, above)
    expect(await refusal(admin.caller.admin.resetTwoFactor({ userId: admin.user.id }))).toMatchObject({ code: "FORBIDDEN", message: "You cannot reset your own two-factor sign-in. Ask another admin." });
    const trader = await enrolled();
    expect(await trpcCode(trader.caller.admin.resetTwoFactor({ userId: target.user.id }))).toBe("FORBIDDEN");
    expect(await refusal(admin.caller.admin.resetTwoFactor({ userId: "usr_nobody" }))).toMatchObject({ code: "NOT_FOUND" });

    await admin.caller.admin.resetTwoFactor({ userId: target.user.id });
    const [row] = await t.db.select().from(users).where(eq(users.id, target.user.id));
    expect(row).toMatchObject({ totpSecretEnc: null, totpEnabledAt: null });
    expect(await t.db.select().from(recoveryCodes).where(eq(recoveryCodes.userId, target.user.id))).toEqual([]);
    const [audit] = await t.db.select().from(auditLog).where(and(eq(auditLog.targetId, target.user.id), eq(auditLog.action, "two_factor.reset")));
    expect(audit).toMatchObject({ actorId: admin.user.id, data: { by: "admin", wasEnabled: true }, ip: "203.0.113.7", userAgent: "Vitest browser" });
    expect(await alertKinds(target.user.id)).toContain("security_two_factor_reset");
    expect(await refusal(admin.caller.admin.resetTwoFactor({ userId: target.user.id }))).toMatchObject({ code: "CONFLICT" });
  });

  it("are recovered by the operator command, audited with no actor and by operator", async () => {
    const target = await enrolled("admin");
    const lines: string[] = [];
    const out = { log: (l: string) => void lines.push(l), error: (l: string) => void lines.push(`error: ${l}`) };
    expect(await runAdminCommand(["reset-2fa"], out)).toBe(2);
    expect(await runAdminCommand(["reset-2fa", "nobody@example.com"], out)).toBe(1);
    expect(await runAdminCommand(["reset-2fa", ` ${target.user.email.toUpperCase()} `], out)).toBe(0);
    expect(lines.at(-1)).toMatch(/^Two-factor sign-in turned off for/);
    const [row] = await t.db.select().from(users).where(eq(users.id, target.user.id));
    expect(row!.totpEnabledAt).toBeNull();
    const [audit] = await t.db.select().from(auditLog).where(and(eq(auditLog.targetId, target.user.id), eq(auditLog.action, "two_factor.reset")));
    expect(audit).toMatchObject({ actorId: null, data: { by: "operator", wasEnabled: true } });
    expect(await alertKinds(target.user.id)).toContain("security_two_factor_reset");
    expect(await runAdminCommand(["reset-2fa", target.user.email], out)).toBe(1); // already off
  });
});
