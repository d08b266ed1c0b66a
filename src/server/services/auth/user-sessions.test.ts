/**
 * Signed-in devices (issue 17), at the Auth.js level as sessions.test.ts does it: sessions are made by the real
 * credentials sign-in route (through the route's own wrapper, so the known-browser cookie is set), resolved by the
 * real `auth()`, and listed and signed out through the tRPC router as the browser holding each cookie.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import { and, eq } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { createUser, trpcCode } from "@/test/factories";
import { createCaller } from "@/server/api/root";
import { createTRPCContext } from "@/server/api/trpc";
import { auditLog, emailOutbox, rateLimits, userSessions } from "@/server/db/schema";
import { resetRateLimits } from "@/server/rate-limit";
import { LAST_SEEN_EVERY_MS, sessionAlive } from "./user-sessions";
import { AUTH, firstCookies, postCredentials, SESSION_COOKIE } from "@/test/credentials";

// `auth()` reads the request through next/headers; here the "request" is whichever browser the test acts as.
const request = { cookie: "", ua: "", ip: "" };
vi.mock("next/headers", () => ({
  headers: async () =>
    new Headers({ cookie: request.cookie, host: "localhost:3000", "x-forwarded-proto": "http", "user-agent": request.ua, ...(request.ip ? { "x-forwarded-for": request.ip } : {}) }),
  cookies: async () => ({ set: () => undefined, get: () => undefined }),
}));

const { auth, handlers } = await import("@/server/auth");
const { buildAuthConfig } = await import("@/server/auth/config");
const { answerSignInRequest } = await import("@/server/auth/sign-in-limits");

const t = useTestDatabase();
beforeEach(() => resetRateLimits());

const DEVICE_COOKIE = "tradsy.device";
const CHROME_MAC = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const FIREFOX_WIN = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";

interface Browser {
  /** "authjs.session-token=…" */
  session: string;
  /** "tradsy.device=…", the known-browser cookie this sign-in set. */
  device: string;
}

/** A browser signing in through the credentials route as the route handler runs it; `device`: a cookie it holds. */
async function signInBrowser(email: string, password: string, opts: { ua?: string; device?: string } = {}): Promise<Browser> {
  request.ua = opts.ua ?? CHROME_MAC;
  const { res, cookies, session } = await postCredentials(
    handlers,
    { email, password },
    { headers: { "user-agent": request.ua }, cookies: opts.device ? [opts.device] : [], around: answerSignInRequest },
  );
  const device = cookies.find((c) => c.startsWith(`${DEVICE_COOKIE}=`));
  if (!session || !device) throw new Error(`sign-in failed (${res.status} ${res.headers.get("location")})`);
  return { session, device };
}

/** A tRPC caller acting as the browser holding this session cookie, its session resolved by `auth()`. */
async function callerAs(b: Browser, ip = "203.0.113.9") {
  request.cookie = b.session;
  return createCaller(await createTRPCContext({ headers: new Headers({ "x-forwarded-for": ip, "user-agent": request.ua }), session: await auth() }));
}

async function whoIs(b: Browser): Promise<string | null> {
  request.cookie = b.session;
  return (await auth())?.user.id ?? null;
}

const sessionRows = (userId: string) => t.db.select().from(userSessions).where(eq(userSessions.userId, userId));
const audits = (action: string) => t.db.select().from(auditLog).where(eq(auditLog.action, action));
const newDeviceEmails = (userId: string) =>
  t.db.select().from(emailOutbox).where(and(eq(emailOutbox.userId, userId), eq(emailOutbox.kind, "security_new_device_sign_in")));

describe("signed-in devices", () => {
  it("lists both sessions of a user, the caller's own flagged current, with browser, OS and address", async () => {
    const u = await createUser("subscriber", { password: "first password" });
    const laptop = await signInBrowser(u.email, "first password", { ua: CHROME_MAC });
    const phone = await signInBrowser(u.email, "first password", { ua: FIREFOX_WIN });

    const list = await (await callerAs(laptop)).sessions.list();
    expect(list).toHaveLength(2);
    const current = list.filter((s) => s.current);
    expect(current).toHaveLength(1);
    expect(current[0]).toMatchObject({ browser: "Chrome 131", os: "macOS", userAgent: CHROME_MAC, twoFactor: false });
    expect(list.find((s) => !s.current)).toMatchObject({ browser: "Firefox 133", os: "Windows" });
    // From the phone, the phone is the current one.
    request.ua = FIREFOX_WIN;
    const fromPhone = await (await callerAs(phone)).sessions.list();
    expect(fromPhone.find((s) => s.current)?.browser).toBe("Firefox 133");
    // Another account sees none of them.
    const other = await createUser("subscriber", { password: "first password" });
    expect(await (await callerAs(await signInBrowser(other.email, "first password"))).sessions.list()).toHaveLength(1);
  });

  it("signing out one device ends only that one, at its next request", async () => {
    const u = await createUser("subscriber", { password: "first password" });
    const laptop = await signInBrowser(u.email, "first password");
    const phone = await signInBrowser(u.email, "first password");
    const me = await callerAs(laptop);
    const phoneId = (await me.sessions.list()).find((s) => !s.current)!.id;

    await expect(me.sessions.revoke({ id: phoneId })).resolves.toEqual({ signedOutCurrent: false });
    expect(await whoIs(phone)).toBeNull();
    expect(await whoIs(laptop)).toBe(u.id);
    expect((await (await callerAs(laptop)).sessions.list()).map((s) => s.current)).toEqual([true]);
    const [row] = await audits("session.revoked");
    // The address is the request's as clientIp reads it (none here: the tests trust no proxy); the agent is the caller's.
    expect(row).toMatchObject({ actorId: u.id, targetId: phoneId, userAgent: CHROME_MAC });

    // Signing out again (or any id the caller does not have) is NOT_FOUND.
    expect(await trpcCode((await callerAs(laptop)).sessions.revoke({ id: phoneId }))).toBe("NOT_FOUND");
    // Signing out this very device says so (the page then goes to /signin), and ends it.
    const laptopId = (await (await callerAs(laptop)).sessions.list())[0]!.id;
    await expect((await callerAs(laptop)).sessions.revoke({ id: laptopId })).resolves.toEqual({ signedOutCurrent: true });
    expect(await whoIs(laptop)).toBeNull();
  });

  it("sign out of all devices ends every session of the account, the current one included, and no one else's", async () => {
    const u = await createUser("subscriber", { password: "first password" });
    const other = await createUser("subscriber", { password: "first password" });
    const laptop = await signInBrowser(u.email, "first password");
    const phone = await signInBrowser(u.email, "first password");
    const bystander = await signInBrowser(other.email, "first password");

    await expect((await callerAs(laptop)).sessions.revokeAll()).resolves.toEqual({ ok: true });
    expect(await whoIs(laptop)).toBeNull();
    expect(await whoIs(phone)).toBeNull();
    expect(await whoIs(bystander)).toBe(other.id);
    const [row] = await audits("session.revoked_all");
    expect(row).toMatchObject({ actorId: u.id, data: { count: 2 }, userAgent: CHROME_MAC });
    // Signing in again works, as a fresh session.
    expect(await whoIs(await signInBrowser(u.email, "first password"))).toBe(u.id);
  });

  it("signing out through Auth.js ends the session's row: a copy of the cookie taken before no longer resolves", async () => {
    const u = await createUser("subscriber", { password: "first password" });
    const laptop = await signInBrowser(u.email, "first password");
    const other = await signInBrowser(u.email, "first password");
    const copied = { ...laptop }; // e.g. lifted from the machine before its owner clicked "Sign out"
    expect(await whoIs(copied)).toBe(u.id);

    request.cookie = laptop.session;
    const csrf = await handlers.GET(new Request(`${AUTH}/csrf`, { headers: { cookie: laptop.session } }) as never);
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const res = await handlers.POST(
      new Request(`${AUTH}/signout`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", cookie: [laptop.session, ...firstCookies(csrf)].join("; ") },
        body: new URLSearchParams({ csrfToken, callbackUrl: "/" }),
      }) as never,
    );
    // The browser's own cookie is cleared, as before.
    expect(res.headers.getSetCookie().some((c) => c.startsWith(`${SESSION_COOKIE}=;`))).toBe(true);

    expect(await whoIs(copied)).toBeNull();
    expect(await whoIs(other)).toBe(u.id); // the account's other session goes on
    const list = await (await callerAs(other)).sessions.list();
    expect(list.map((s) => s.current)).toEqual([true]); // the devices list no longer shows it
  });

  it("another user's session cannot be signed out: NOT_FOUND, nothing changes", async () => {
    const victim = await createUser("subscriber", { password: "first password" });
    const attacker = await createUser("subscriber", { password: "first password" });
    const victimBrowser = await signInBrowser(victim.email, "first password");
    const attackerBrowser = await signInBrowser(attacker.email, "first password");
    const [victimRow] = await sessionRows(victim.id);

    const as = await callerAs(attackerBrowser);
    expect(await trpcCode(as.sessions.revoke({ id: victimRow!.id }))).toBe("NOT_FOUND");
    expect(await whoIs(victimBrowser)).toBe(victim.id);
    const [after] = await sessionRows(victim.id);
    expect(after!.revokedAt).toBeNull();
    expect(await audits("session.revoked")).toHaveLength(0);
  });

  it("refuses a malformed id before anything is written (no rate-limit point, no audit)", async () => {
    const u = await createUser("subscriber", { password: "first password" });
    const me = await callerAs(await signInBrowser(u.email, "first password"));
    const revokePoints = async () => (await t.db.select().from(rateLimits).where(eq(rateLimits.name, "sessions-revoke"))).length;
    for (const id of ["", "a b", "x".repeat(65), "../../etc", "' or 1=1 --"]) {
      expect(await trpcCode(me.sessions.revoke({ id }))).toBe("BAD_REQUEST");
    }
    expect(await revokePoints()).toBe(0);
    expect(await audits("session.revoked")).toHaveLength(0);
  });

  it("sign-outs are rate-limited per account", async () => {
    const u = await createUser("subscriber", { password: "first password" });
    const me = await callerAs(await signInBrowser(u.email, "first password"));
    for (let i = 0; i < 30; i++) expect(await trpcCode(me.sessions.revoke({ id: `unknownsession${i}` }))).toBe("NOT_FOUND");
    expect(await trpcCode(me.sessions.revoke({ id: "unknownsession-last" }))).toBe("TOO_MANY_REQUESTS");
  });
});

describe("password changes and the devices list", () => {
  it("a password change marks the other sessions signed out and keeps the one that made it; a reset marks all", async () => {
    const u = await createUser("subscriber", { password: "first password" });
    const laptop = await signInBrowser(u.email, "first password");
    await signInBrowser(u.email, "first password");
    const laptopId = (await (await callerAs(laptop)).sessions.list()).find((s) => s.current)!.id;

    await (await callerAs(laptop)).account.changePassword({ currentPassword: "first password", newPassword: "second password" });
    const rows = await sessionRows(u.id);
    expect(rows.filter((r) => r.revokedAt === null).map((r) => r.id)).toEqual([laptopId]);

    const { resetPassword } = await import("@/server/services/auth");
    const { authTokens } = await import("@/server/db/schema");
    const { sha256Hex } = await import("@/server/crypto/secret-box");
    const { serviceContext } = await import("@/server/services/context");
    const token = "reset-token-for-the-devices-list-0123456789abcdef";
    await t.db.insert(authTokens).values({ userId: u.id, kind: "reset_password", tokenHash: sha256Hex(token), expiresAt: new Date(Date.now() + 60_000) });
    await resetPassword(serviceContext(), token, "third password");
    expect((await sessionRows(u.id)).filter((r) => r.revokedAt === null)).toEqual([]);
  });
});

describe("the jwt callback and session rows", () => {
  it("creates the row at sign-in (address and agent of the request), ends tokens without a sid or a row", async () => {
    const u = await createUser("subscriber", { password: "first password" });
    request.ip = "198.51.100.4";
    try {
      await signInBrowser(u.email, "first password");
    } finally {
      request.ip = "";
    }
    const [row] = await sessionRows(u.id);
    expect(row).toMatchObject({ userAgent: CHROME_MAC, revokedAt: null, twoFactorAt: null });
    // TRUSTED_PROXY_HOPS decides whether X-Forwarded-For is believed; either way the row has what clientIp said.
    expect([null, "198.51.100.4"]).toContain(row!.ip);

    const jwt = (await buildAuthConfig()).callbacks!.jwt!;
    const resolve = (token: Record<string, unknown>) => jwt({ token } as never);
    expect(await resolve({ sub: u.id, sessionVersion: 0, sid: row!.id })).not.toBeNull();
    expect(await resolve({ sub: u.id, sessionVersion: 0 })).toBeNull(); // no sid: from before session rows
    expect(await resolve({ sub: u.id, sessionVersion: 0, sid: "no-such-session-row" })).toBeNull();
    const other = await createUser("subscriber");
    expect(await resolve({ sub: other.id, sessionVersion: 0, sid: row!.id })).toBeNull(); // someone else's row
    // A sign-in that passed a second factor records it.
    const signedIn = (await jwt({ token: {}, user: { id: u.id, sessionVersion: 0, twoFactor: true }, trigger: "signIn" } as never)) as { sid: string };
    const [twoFactorRow] = await t.db.select().from(userSessions).where(eq(userSessions.id, signedIn.sid));
    expect(twoFactorRow!.twoFactorAt).not.toBeNull();
  });

  it("sessionAlive writes lastSeenAt (and a new address) at most once a minute", async () => {
    const u = await createUser("subscriber", { password: "first password" });
    await signInBrowser(u.email, "first password");
    const [row] = await sessionRows(u.id);
    const t0 = row!.lastSeenAt.getTime();
    const at = (ms: number) => new Date(t0 + ms);

    expect(await sessionAlive(row!.id, u.id, at(LAST_SEEN_EVERY_MS - 1000), "192.0.2.1")).toBe(true);
    expect((await sessionRows(u.id))[0]).toMatchObject({ lastSeenAt: at(0), ip: row!.ip });
    expect(await sessionAlive(row!.id, u.id, at(LAST_SEEN_EVERY_MS), "192.0.2.1")).toBe(true);
    expect((await sessionRows(u.id))[0]).toMatchObject({ lastSeenAt: at(LAST_SEEN_EVERY_MS), ip: "192.0.2.1" });
    expect(await sessionAlive(row!.id, "usr_someone_else", at(2 * LAST_SEEN_EVERY_MS))).toBe(false);
  });
});

describe("sign-in from a new device", () => {
  it("alerts and audits a sign-in from a browser without the account's known-browser token, not the first one", async () => {
    const u = await createUser("subscriber", { password: "first password" });
    const first = await signInBrowser(u.email, "first password");
    expect(await newDeviceEmails(u.id)).toHaveLength(0); // the account's very first session
    expect(await audits("user.new_device_sign_in")).toHaveLength(0);

    // The same browser again (it presents the cookie its first sign-in set): known, no alert.
    await signInBrowser(u.email, "first password", { device: first.device });
    expect(await newDeviceEmails(u.id)).toHaveLength(0);

    // Another browser, holding no token for the account: alerted, with the device in the email and the audit row.
    await signInBrowser(u.email, "first password", { ua: FIREFOX_WIN });
    const emails = await newDeviceEmails(u.id);
    expect(emails).toHaveLength(1);
    expect(JSON.stringify(emails[0])).toContain("Firefox 133 on Windows");
    const [audit] = await audits("user.new_device_sign_in");
    expect(audit).toMatchObject({ actorId: u.id, targetType: "session", data: { device: "Firefox 133 on Windows" }, userAgent: FIREFOX_WIN });

    // A token for another account is no token for this one.
    const other = await createUser("subscriber", { password: "first password" });
    const otherFirst = await signInBrowser(other.email, "first password");
    await signInBrowser(other.email, "first password", { device: otherFirst.device });
    await signInBrowser(u.email, "first password", { device: otherFirst.device });
    expect(await newDeviceEmails(u.id)).toHaveLength(2);
    expect(await newDeviceEmails(other.id)).toHaveLength(0);
  });
});
