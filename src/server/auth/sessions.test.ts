/**
 * Sessions end when the password changes (issue 9, defect 6), tested at the Auth.js level: sessions are made by
 * the real credentials sign-in route, resolved by the real `auth()`, and ended by the per-user session version the
 * `jwt` callback checks on every resolve.
 */
import { afterAll, beforeEach, describe, expect, it, vi } from "vitest";
import { eq } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { callerFor, createUser } from "@/test/factories";
import { useFakeMarket } from "@/test/fake-market";
import { actingAs, newProvider, subscribe, untilListening, within } from "@/test/signals";
import { createCaller } from "@/server/api/root";
import { createTRPCContext } from "@/server/api/trpc";
import { authTokens, providers, users } from "@/server/db/schema";
import { sha256Hex } from "@/server/crypto/secret-box";
import { resetRateLimits } from "@/server/rate-limit";
import { changePassword, resetPassword } from "@/server/services/auth";
import { setWebhookPassphrase } from "@/server/services/tradingview";
import { publishSignal } from "@/server/services/signals";
import { listenerCount, stopRealtime } from "@/server/services/realtime";
import { waitForInlineRuns } from "@/server/jobs/inline/runner";
import { SESSION_RECHECK_MS } from "@/server/services/auth/stream-session";
import { serviceContext } from "@/server/services/context";
import { openSubscription } from "@/test/streams";
import { postCredentials, SESSION_COOKIE } from "@/test/credentials";

// `auth()` and `unstable_update` read the request through next/headers; here the "request" is whatever browser
// the test is acting as, and the cookies Auth.js sets land in `jar`.
const request = { cookie: "" };
const jar = new Map<string, string>();
vi.mock("next/headers", () => ({
  headers: async () => new Headers({ cookie: request.cookie, host: "localhost:3000", "x-forwarded-proto": "http" }),
  cookies: async () => ({ set: (name: string, value: string) => void jar.set(name, value), get: (name: string) => jar.get(name) }),
}));

// The argon2 check of a sign-in is where a racing password change can land: a test may run `duringPasswordCheck`
// after the hash is read and checked, before the sign-in finishes.
let duringPasswordCheck: (() => Promise<void>) | null = null;
vi.mock("@/server/services/auth/passwords", async (importOriginal) => {
  const real = await importOriginal<typeof import("@/server/services/auth/passwords")>();
  return {
    ...real,
    verifyPassword: async (passwordHash: string, password: string) => {
      const ok = await real.verifyPassword(passwordHash, password);
      const hook = duringPasswordCheck;
      duringPasswordCheck = null; // once, and not for the change's own check
      if (hook) await hook();
      return ok;
    },
  };
});

const { auth, handlers } = await import("@/server/auth");
const { buildAuthConfig } = await import("@/server/auth/config");

const t = useTestDatabase();
beforeEach(() => {
  resetRateLimits();
  duringPasswordCheck = null;
});


/**
 * A browser signing in through the real credentials route: its session cookie ("name=value"). With `allowRefused`,
 * null instead of an error when Auth.js sets no session (or clears it).
 */
async function signInBrowser(email: string, password: string): Promise<string>;
async function signInBrowser(email: string, password: string, opts: { allowRefused: true }): Promise<string | null>;
async function signInBrowser(email: string, password: string, opts: { allowRefused?: boolean } = {}): Promise<string | null> {
  const { res, session } = await postCredentials(handlers, { email, password });
  if (opts.allowRefused && !session) return null;
  if (!session) throw new Error(`sign-in failed (${res.status} ${res.headers.get("location")})`);
  return session;
}

/** A tRPC caller acting as the browser holding this cookie: its session resolved by `auth()`, as the route does. */
async function callerAs(cookie: string, opts?: { signal: AbortSignal }) {
  request.cookie = cookie;
  return createCaller(await createTRPCContext({ headers: new Headers(), session: await auth() }), opts);
}

/** A `signals.live` stream opened by the browser holding this cookie, the way the SSE handler opens it. */
const openLiveStream = (cookie: string, providerSlug: string) =>
  openSubscription(async (signal) => (await callerAs(cookie, { signal })).signals.live({ providerSlug }));

/** A `copy.live` stream opened by the browser holding this cookie (the first tick, or null when it ended). */
const openCopyStream = (cookie: string) => openSubscription(async (signal) => (await callerAs(cookie, { signal })).copy.live());

/** Waits until `n` fake timers are set (a stream sets its session check when its generator starts). */
async function untilTimers(n: number): Promise<void> {
  const deadline = Date.now() + 5000;
  while (vi.getTimerCount() < n) {
    if (Date.now() > deadline) throw new Error(`only ${vi.getTimerCount()} of ${n} timers set`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Whether a stream's first item is still awaited after a moment (it has neither sent nor ended). */
const stillOpen = (first: Promise<unknown>) => Promise.race([first.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), 300))]);

/** Who `auth()` says is signed in for a browser holding this cookie. */
async function whoIs(cookie: string): Promise<string | null> {
  request.cookie = cookie;
  return (await auth())?.user.id ?? null;
}

describe("sessions and password changes (Auth.js level)", () => {
  it("account.changePassword ends the account's other sessions; the browser that changed it stays signed in", async () => {
    const u = await createUser("subscriber", { password: "first password" });
    const phone = await signInBrowser(u.email, "first password");
    const laptop = await signInBrowser(u.email, "first password");
    expect(await whoIs(phone)).toBe(u.id);
    expect(await whoIs(laptop)).toBe(u.id);

    const me = await callerFor(u);
    const out = await me.account.changePassword({ currentPassword: "first password", newPassword: "second password" });

    expect(await whoIs(phone)).toBeNull();
    expect(await whoIs(laptop)).toBeNull(); // until the laptop renews its cookie, as the settings page does at once

    // The settings page hands the renewal to a server action, which re-issues its own cookie through Auth.js.
    const { renewSession } = await import("@/server/auth/renew-session");
    request.cookie = laptop;
    jar.clear();
    await expect(renewSession((out as { sessionRenewal: string }).sessionRenewal)).resolves.toEqual({ signedIn: true });
    const renewed = jar.get(SESSION_COOKIE);
    expect(renewed).toBeTruthy();
    expect(await whoIs(`${SESSION_COOKIE}=${renewed}`)).toBe(u.id);

    // The phone cannot renew itself without a renewal, and the old cookie stays dead.
    request.cookie = phone;
    jar.clear();
    await expect(renewSession("not a renewal")).resolves.toEqual({ signedIn: false });
    expect(await whoIs(phone)).toBeNull();
    // A fresh sign-in with the new password works.
    expect(await whoIs(await signInBrowser(u.email, "second password"))).toBe(u.id);
  });

  it("a password reset ends every session of the account", async () => {
    const u = await createUser("subscriber", { password: "first password" });
    const other = await createUser("subscriber", { password: "first password" });
    const phone = await signInBrowser(u.email, "first password");
    const laptop = await signInBrowser(u.email, "first password");
    const bystander = await signInBrowser(other.email, "first password");

    const token = "reset-token-for-the-test-0123456789abcdefghij";
    await t.db.insert(authTokens).values({ userId: u.id, kind: "reset_password", tokenHash: sha256Hex(token), expiresAt: new Date(Date.now() + 60_000) });
    await resetPassword(serviceContext(), token, "second password");

    expect(await whoIs(phone)).toBeNull();
    expect(await whoIs(laptop)).toBeNull();
    expect(await whoIs(bystander)).toBe(other.id); // another account's sessions are untouched
    expect(await whoIs(await signInBrowser(u.email, "second password"))).toBe(u.id);
  });

  it("a sign-in with the old password that races a password change or reset gets no session that outlives it", async () => {
    const u = await createUser("subscriber", { password: "first password" });
    // The change commits while the sign-in's password check runs: after the old hash was read, before the token is made.
    duringPasswordCheck = async () => {
      await changePassword(serviceContext({ actor: u }), { currentPassword: "first password", newPassword: "second password" });
    };
    const racing = await signInBrowser(u.email, "first password", { allowRefused: true });
    expect(duringPasswordCheck).toBeNull(); // the change did run inside the sign-in
    expect(racing === null ? null : await whoIs(racing)).toBeNull();

    const token = "reset-token-for-the-race-0123456789abcdefghij";
    await t.db.insert(authTokens).values({ userId: u.id, kind: "reset_password", tokenHash: sha256Hex(token), expiresAt: new Date(Date.now() + 60_000) });
    duringPasswordCheck = () => resetPassword(serviceContext(), token, "third password");
    const racingReset = await signInBrowser(u.email, "second password", { allowRefused: true });
    expect(duringPasswordCheck).toBeNull();
    expect(racingReset === null ? null : await whoIs(racingReset)).toBeNull();

    // Without a race, the new password signs in as usual.
    expect(await whoIs(await signInBrowser(u.email, "third password"))).toBe(u.id);
  });

  it("the jwt callback ends a token carrying an old session version and keeps the current one", async () => {
    const u = await createUser("subscriber", { password: "first password" });
    const config = await buildAuthConfig();
    const jwt = config.callbacks!.jwt!;
    const resolve = (token: Record<string, unknown>, extra: Record<string, unknown> = {}) => jwt({ token, ...extra } as never);

    // Sign-in stamps the version `authorize` read with the password hash (a new account's: 0) into the token.
    const signedIn = (await resolve({}, { user: { id: u.id, email: u.email, sessionVersion: 0 }, trigger: "signIn" })) as Record<string, unknown> | null;
    expect(signedIn?.sub).toBe(u.id);
    const v0 = signedIn!.sessionVersion;
    expect(typeof v0).toBe("number");
    expect(await resolve({ ...signedIn })).not.toBeNull();
    // A sign-in that brings no version (nothing read it with the credentials) gets no session.
    expect(await resolve({}, { user: { id: u.id, email: u.email }, trigger: "signIn" })).toBeNull();

    await (await callerFor(u)).account.changePassword({ currentPassword: "first password", newPassword: "second password" });
    const [row] = await t.db.select({ v: users.sessionVersion }).from(users).where(eq(users.id, u.id));
    expect(row!.v).not.toBe(v0);

    expect(await resolve({ ...signedIn })).toBeNull(); // old version: ended
    expect(await resolve({ sub: u.id })).toBeNull(); // a token from before versions existed counts as version 0
    expect(await resolve({ ...signedIn, sessionVersion: row!.v })).not.toBeNull(); // current version: kept

    // The session callback of an ended token never yields a user either.
    const session = await config.callbacks!.session!({ session: { user: {}, expires: "" }, token: { sub: "usr_gone" } } as never);
    expect((session as { user?: unknown }).user).toBeUndefined();
  });

  it("an update with a renewal for another account, a forged or an expired one does not revive a session", async () => {
    const u = await createUser("subscriber", { password: "first password" });
    const other = await createUser("subscriber", { password: "first password" });
    const config = await buildAuthConfig();
    const jwt = config.callbacks!.jwt!;
    const stale = (await jwt({ token: {}, user: { id: u.id, sessionVersion: 0 }, trigger: "signIn" } as never)) as Record<string, unknown>;

    const { changePassword, issueSessionRenewal } = await import("@/server/services/auth");
    await changePassword(serviceContext({ actor: other }), { currentPassword: "first password", newPassword: "second password" });
    const mine = await changePassword(serviceContext({ actor: u }), { currentPassword: "first password", newPassword: "second password" });
    const [row] = await t.db.select({ v: users.sessionVersion }).from(users).where(eq(users.id, u.id));
    const [otherRow] = await t.db.select({ v: users.sessionVersion }).from(users).where(eq(users.id, other.id));

    const update = (sessionRenewal: unknown) => jwt({ token: { ...stale }, trigger: "update", session: { sessionRenewal } } as never);
    expect(await update(issueSessionRenewal(other.id, otherRow!.v))).toBeNull(); // someone else's
    expect(await update({ sub: u.id, sessionVersion: row!.v })).toBeNull(); // not sealed by us
    expect(await update(issueSessionRenewal(u.id, row!.v, new Date(Date.now() - 10 * 60_000)))).toBeNull(); // expired
    expect(await update(mine.sessionRenewal)).toMatchObject({ sub: u.id, sessionVersion: row!.v });
  });

  it("a renewal revives only the session that changed the password, not another stale session of the account", async () => {
    const u = await createUser("subscriber", { password: "first password" });
    const phone = await signInBrowser(u.email, "first password");
    const laptop = await signInBrowser(u.email, "first password");
    const { sessionRenewal } = await (await callerAs(laptop)).account.changePassword({ currentPassword: "first password", newPassword: "second password" });
    const { renewSession } = await import("@/server/auth/renew-session");

    // The phone (a stolen cookie, say) presents the laptop's renewal: it stays ended.
    request.cookie = phone;
    jar.clear();
    await expect(renewSession(sessionRenewal)).resolves.toEqual({ signedIn: false });
    expect(await whoIs(phone)).toBeNull();

    request.cookie = laptop;
    jar.clear();
    await expect(renewSession(sessionRenewal)).resolves.toEqual({ signedIn: true });
    expect(await whoIs(`${SESSION_COOKIE}=${jar.get(SESSION_COOKIE)}`)).toBe(u.id);
  });

  it("a value sealed as a webhook passphrase is not a session renewal, whatever it says", async () => {
    const victim = await createUser("subscriber", { password: "first password" });
    const stolen = await signInBrowser(victim.email, "first password");
    await changePassword(serviceContext({ actor: victim }), { currentPassword: "first password", newPassword: "second password" });
    expect(await whoIs(stolen)).toBeNull();
    const [row] = await t.db.select({ v: users.sessionVersion }).from(users).where(eq(users.id, victim.id));

    // A provider sets its TradingView passphrase to the claims of a renewal for the victim's account, and the
    // server seals it with its key. (Until defect 8 was fixed, providers.mine returned the sealed value.) Through the
    // service: that the form's 100-character limit is one character too short for these claims is luck, not a defence.
    const p = await newProvider();
    const claims = JSON.stringify({ purpose: "session-renewal", sub: victim.id, sessionVersion: row!.v, exp: Date.now() + 86_400_000 });
    await setWebhookPassphrase(actingAs(p.user), p.provider.id, claims);
    const [sealed] = await t.db.select({ enc: providers.webhookPassphraseEnc }).from(providers).where(eq(providers.id, p.provider.id));
    expect(sealed!.enc).toBeTruthy();

    const { redeemSessionRenewal } = await import("@/server/services/auth");
    expect(redeemSessionRenewal(sealed!.enc, victim.id)).toBeNull();
    const { renewSession } = await import("@/server/auth/renew-session");
    request.cookie = stolen;
    jar.clear();
    await expect(renewSession(sealed!.enc!)).resolves.toEqual({ signedIn: false });
    expect(await whoIs(stolen)).toBeNull();
  });
});

describe("live streams and password changes", () => {
  useFakeMarket();
  afterAll(() => stopRealtime());

  it("an open signals.live stream ends within 30 s of its session ending, with nothing sent on it; another viewer's goes on", async () => {
    const p = await newProvider();
    const changer = await createUser("subscriber", { password: "first password" });
    const bystander = await createUser("subscriber", { password: "first password" });
    for (const s of [changer, bystander]) await subscribe(s.id, p.provider.id, "active");
    const base = listenerCount();
    // Only the streams' session checks run on the fake clock; the database and the realtime hub keep real time.
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    const changing = await openLiveStream(await signInBrowser(changer.email, "first password"), p.provider.slug);
    const watching = await openLiveStream(await signInBrowser(bystander.email, "first password"), p.provider.slug);
    try {
      await untilListening(base + 2);
      await untilTimers(2);
      await changePassword(serviceContext({ actor: changer }), { currentPassword: "first password", newPassword: "second password" });
      vi.advanceTimersByTime(SESSION_RECHECK_MS);
      expect(await within(changing.first, 5000, "the changed account's stream")).toBeNull(); // ended, nothing sent

      await publishSignal(actingAs(p.user), p.provider.id, { symbol: "BTC/USDT", side: "long", stopLoss: "31000", note: "note-after-change" }, "ui");
      expect(await within(watching.first, 5000, "the bystander's stream")).toMatchObject({ kind: "published", signal: { visibility: "full", note: "note-after-change" } });
    } finally {
      vi.useRealTimers();
      await changing.close();
      await watching.close();
      await waitForInlineRuns();
    }
  });

  it("an open copy.live stream ends within 30 s of its browser signing out (no ticks needed); another browser's goes on", async () => {
    const u = await createUser("subscriber", { password: "first password" });
    const laptop = await signInBrowser(u.email, "first password");
    const phone = await signInBrowser(u.email, "first password");
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    const leaving = await openCopyStream(laptop);
    const staying = await openCopyStream(phone);
    try {
      await untilTimers(2);
      const laptopId = (await (await callerAs(laptop)).sessions.list()).find((s) => s.current)!.id;
      await (await callerAs(laptop)).sessions.revoke({ id: laptopId });
      expect(await stillOpen(leaving.first)).toBe(true); // not before its next check
      vi.advanceTimersByTime(SESSION_RECHECK_MS);
      expect(await within(leaving.first, 5000, "the signed-out browser's copy stream")).toBeNull();
      expect(await stillOpen(staying.first)).toBe(true);
    } finally {
      vi.useRealTimers();
      await leaving.close();
      await staying.close();
    }
  });
});
