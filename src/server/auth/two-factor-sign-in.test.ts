/**
 * Signing in to an account with two-factor sign-in (issue 17), through the real Credentials route as the route
 * handler runs it (answerSignInRequest: 429 + Retry-After) and through the sign-in form's server action: the password
 * alone asks for the code, a wrong or replayed code is refused, a recovery code works once, and after 5 wrong codes
 * every attempt is refused with 429 whatever the code. Audited: user.signed_in and user.sign_in_failed with a reason.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import { and, eq } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { useEnvOverrides } from "@/test/env";
import { createUser } from "@/test/factories";
import { auditLog, userSessions, users } from "@/server/db/schema";
import { resetRateLimits } from "@/server/rate-limit";
import { serviceContext } from "@/server/services/context";
import { confirmEnrolment, startEnrolment } from "@/server/services/auth/two-factor";
import { postCredentials } from "@/test/credentials";
import { codeNow } from "@/test/totp";

const request = vi.hoisted(() => ({ cookie: "", headers: new Headers() }));
vi.mock("next/headers", () => ({
  headers: async () => request.headers,
  cookies: async () => ({ set: () => undefined, get: () => undefined, getAll: () => [], has: () => false, delete: () => undefined }),
}));

const { auth, handlers } = await import("@/server/auth");
const { answerSignInRequest } = await import("@/server/auth/sign-in-limits");
const { signInAction } = await import("@/server/auth/actions");

const t = useTestDatabase();
const setEnv = useEnvOverrides();
beforeEach(() => {
  resetRateLimits();
  setEnv("TRUSTED_PROXY_HOPS", 1);
});

const UA = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
const IP = "198.51.100.23";
const PASSWORD = "correct horse battery";

/** A trader with two-factor sign-in on; the last accepted step set back so the current code is fresh. */
async function enrolledUser() {
  const user = await createUser("subscriber");
  const ctx = serviceContext({ actor: { id: user.id, role: user.role } });
  const { secret } = await startEnrolment(ctx);
  const { recoveryCodes } = await confirmEnrolment(ctx, codeNow(secret));
  const [row] = await t.db.select({ step: users.totpLastStep }).from(users).where(eq(users.id, user.id));
  await t.db.update(users).set({ totpLastStep: row!.step! - 2 }).where(eq(users.id, user.id));
  return { user, secret, recoveryCodes };
}

/** POST /api/auth/callback/credentials as the route answers it: the response and the session cookie if one was set. */
async function post(fields: Record<string, string>) {
  request.headers = new Headers({ host: "localhost:3000", "x-forwarded-proto": "http", "user-agent": UA, "x-forwarded-for": IP });
  const { res, session } = await postCredentials(handlers, fields, { headers: { "user-agent": UA, "x-forwarded-for": IP }, around: answerSignInRequest });
  return { res, session, error: new URL(res.headers.get("location") ?? "http://x/", "http://localhost").searchParams.get("code") };
}

const audits = async (userId: string) =>
  (await t.db.select().from(auditLog).where(eq(auditLog.targetId, userId))).filter((a) => a.action.startsWith("user.sign"));

describe("the credentials route, for an account with two-factor sign-in", () => {
  it("asks for the code after a right password, refuses a wrong one, and signs in with the right one", async () => {
    const { user, secret } = await enrolledUser();
    const noCode = await post({ email: user.email, password: PASSWORD });
    expect(noCode.session).toBeNull();
    expect(noCode.error).toBe("two_factor_required");

    const wrongPassword = await post({ email: user.email, password: "wrong password", code: codeNow(secret) });
    expect(wrongPassword.session).toBeNull();
    expect(wrongPassword.error).toBe("credentials");

    const right = codeNow(secret);
    const wrongCode = await post({ email: user.email, password: PASSWORD, code: right === "000000" ? "111111" : "000000" });
    expect(wrongCode.session).toBeNull();
    expect(wrongCode.error).toBe("two_factor_invalid");

    const ok = await post({ email: user.email, password: PASSWORD, code: right });
    expect(ok.session).not.toBeNull();
    request.headers = new Headers({ cookie: ok.session!, host: "localhost:3000", "x-forwarded-proto": "http", "user-agent": UA, "x-forwarded-for": IP });
    const session = await auth();
    expect(session?.user).toMatchObject({ id: user.id, twoFactorEnabled: true });
    const [row] = await t.db.select().from(userSessions).where(eq(userSessions.id, session!.sessionId!));
    expect(row!.twoFactorAt).toBeInstanceOf(Date);

    // The same code again (a replay) is refused.
    expect((await post({ email: user.email, password: PASSWORD, code: right })).error).toBe("two_factor_invalid");

    const rows = await audits(user.id);
    const failed = rows.filter((a) => a.action === "user.sign_in_failed").map((a) => (a.data as { reason: string }).reason);
    expect(failed.sort()).toEqual(["password", "two_factor", "two_factor"]);
    const signedIn = rows.filter((a) => a.action === "user.signed_in");
    expect(signedIn).toHaveLength(1);
    expect(signedIn[0]).toMatchObject({ actorId: user.id, ip: IP, userAgent: UA, data: { twoFactor: "totp" } });
  });

  it("takes a recovery code once", async () => {
    const { user, recoveryCodes } = await enrolledUser();
    expect((await post({ email: user.email, password: PASSWORD, code: recoveryCodes[0]! })).session).not.toBeNull();
    expect((await post({ email: user.email, password: PASSWORD, code: recoveryCodes[0]! })).error).toBe("two_factor_invalid");
    expect((await post({ email: user.email, password: PASSWORD, code: recoveryCodes[1]! })).session).not.toBeNull();
  });

  it("answers 429 with Retry-After after 5 wrong codes, whatever the code, and audits the refusal", async () => {
    const { user, secret } = await enrolledUser();
    const right = codeNow(secret);
    const wrong = right === "000000" ? "111111" : "000000";
    for (let i = 0; i < 5; i++) expect((await post({ email: user.email, password: PASSWORD, code: wrong })).error).toBe("two_factor_invalid");
    const refused = await post({ email: user.email, password: PASSWORD, code: right });
    expect(refused.res.status).toBe(429);
    // The wrong-code limit's window (15 minutes), not the password delay's first second.
    expect(Number(refused.res.headers.get("retry-after"))).toBeGreaterThan(14 * 60);
    expect(((await refused.res.json()) as { message: string }).message).toBe("Too many wrong codes. Try again in 15 minutes.");
    expect(refused.session).toBeNull();
    const [step] = await t.db.select({ step: users.totpLastStep }).from(users).where(eq(users.id, user.id));
    expect(step!.step).toBeLessThan(Math.floor(Date.now() / 30_000)); // the right code was never spent
    const throttled = (await audits(user.id)).filter((a) => a.action === "user.sign_in_failed" && (a.data as { reason: string }).reason === "throttled");
    expect(throttled.length).toBeGreaterThanOrEqual(1);
  });

  it("does not count a right password against the sign-in delay: the wrong-code limit is what stops code guessing", async () => {
    // As the form does it: the password step, then every code attempt sends the password again. Were each right
    // password a failure in advance on the account's delay, the delay would refuse before the 5 wrong codes.
    const { user, secret } = await enrolledUser();
    const right = codeNow(secret);
    const wrong = right === "000000" ? "111111" : "000000";
    for (let i = 0; i < 3; i++) expect((await post({ email: user.email, password: PASSWORD })).error).toBe("two_factor_required");
    for (let i = 0; i < 5; i++) expect((await post({ email: user.email, password: PASSWORD, code: wrong })).error, `wrong code ${i + 1}`).toBe("two_factor_invalid");
    const refused = await post({ email: user.email, password: PASSWORD, code: right });
    expect(refused.res.status).toBe(429);
    expect(((await refused.res.json()) as { message: string }).message).toBe("Too many wrong codes. Try again in 15 minutes.");
    // A wrong password still counts on the delay as before (its point is not forgiven).
    expect((await post({ email: user.email, password: "wrong password" })).error).toBe("credentials");
  });

  it("leaves accounts without two-factor sign-in signing in with the password alone", async () => {
    const user = await createUser("subscriber");
    const ok = await post({ email: user.email, password: PASSWORD });
    expect(ok.session).not.toBeNull();
    const [audit] = await t.db.select().from(auditLog).where(and(eq(auditLog.targetId, user.id), eq(auditLog.action, "user.signed_in")));
    expect(audit).toMatchObject({ ip: IP, userAgent: UA, data: {} });
  });
});

describe("GitHub and Google sign-in", () => {
  it("is refused for an account with two-factor sign-in on (they cannot ask for its code), allowed otherwise", async () => {
    const { buildAuthConfig } = await import("@/server/auth/config");
    const signIn = (await buildAuthConfig()).callbacks!.signIn!;
    const { user } = await enrolledUser();
    const plain = await createUser("subscriber");
    const github = (id: string) => signIn({ user: { id }, account: { provider: "github", type: "oauth", providerAccountId: "1" } } as never);
    expect(await github(user.id)).toBe(false);
    expect(await github(plain.id)).toBe(true);
    expect(await github("a-new-github-user")).toBe(true);
    expect(await signIn({ user: { id: user.id }, account: { provider: "credentials", type: "credentials", providerAccountId: user.id } } as never)).toBe(true);
  });
});

describe("the sign-in form", () => {
  const form = (fields: Record<string, string>) => {
    const f = new FormData();
    for (const [k, v] of Object.entries(fields)) f.set(k, v);
    return f;
  };
  async function run(fields: Record<string, string>) {
    request.headers = new Headers({ host: "localhost:3000", "x-forwarded-proto": "http", "user-agent": UA, "x-forwarded-for": IP });
    try {
      return { state: await signInAction({}, form(fields)) };
    } catch (err) {
      const digest = (err as { digest?: string }).digest;
      if (typeof digest === "string" && digest.startsWith("NEXT_REDIRECT")) return { redirect: digest.split(";")[2]! };
      throw err;
    }
  }

  it("moves to the code step, says when a code is wrong or of no known shape, then signs in", async () => {
    const { user, secret } = await enrolledUser();
    expect(await run({ email: user.email, password: PASSWORD })).toEqual({ state: { step: "code", values: { email: user.email } } });
    expect(await run({ email: user.email, password: PASSWORD, code: "12" })).toMatchObject({ state: { step: "code", fieldErrors: { code: [expect.stringMatching(/^Enter the 6-digit code/)] } } });
    const right = codeNow(secret);
    expect(await run({ email: user.email, password: PASSWORD, code: right === "000000" ? "111111" : "000000" })).toMatchObject({
      state: { step: "code", message: "That code is not right. Check your authenticator app (or the recovery code) and try again." },
    });
    expect(await run({ email: user.email, password: PASSWORD, code: right })).toEqual({ redirect: "/dashboard" });
  });

  it("keeps the wording for a wrong password, and tells the person to wait after 5 wrong codes", async () => {
    const { user, secret } = await enrolledUser();
    expect(await run({ email: user.email, password: "not the password" })).toMatchObject({ state: { message: "That email and password do not match an account." } });
    const right = codeNow(secret);
    const wrong = right === "000000" ? "111111" : "000000";
    for (let i = 0; i < 5; i++) await run({ email: user.email, password: PASSWORD, code: wrong });
    expect(await run({ email: user.email, password: PASSWORD, code: right })).toMatchObject({
      state: { step: "code", message: expect.stringMatching(/^Too many (wrong codes|attempts on this account)\. Try again in /) },
    });
  });
});
