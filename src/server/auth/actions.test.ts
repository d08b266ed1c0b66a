/**
 * The sign-in and sign-up forms' server actions: the same limits as the API, whatever the caller puts in
 * X-Forwarded-For, with messages written for the person at the form.
 */
import { randomInt } from "node:crypto";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { count, eq } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { useEnvOverrides } from "@/test/env";
import { createUser, uniqueEmail } from "@/test/factories";
import { auditLog, authTokens, emailOutbox, notificationPrefs, providers, users } from "@/server/db/schema";
import { resetRateLimits } from "@/server/rate-limit";
import { renderForDelivery } from "@/server/services/email/outbox";

/** The incoming request as next/headers would show it to the action, and the cookies the action sets. */
const request = vi.hoisted(() => ({ headers: new Headers(), set: [] as { name: string; value: string; options?: Record<string, unknown> }[] }));
vi.mock("next/headers", () => ({
  headers: async () => request.headers,
  cookies: async () => ({
    get: () => undefined,
    getAll: () => [],
    has: () => false,
    set: (name: string, value: string, options?: Record<string, unknown>) => void request.set.push({ name, value, options }),
    delete: () => undefined,
  }),
}));

const { signInAction, signUpAction } = await import("./actions");

const t = useTestDatabase();
const setEnv = useEnvOverrides();
beforeEach(() => resetRateLimits());

const PASSWORD = "right password here";
const spoofed = () => `${randomInt(1, 224)}.${randomInt(0, 256)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;

function from(forwardedFor: string, cookie?: string) {
  request.headers = new Headers({ host: "localhost:3000", "x-forwarded-proto": "http", "x-forwarded-for": forwardedFor });
  if (cookie) request.headers.set("cookie", cookie);
  request.set = [];
}
const form = (fields: Record<string, string>) => {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.set(k, v);
  return f;
};
/** The form state an action returned, or where it redirected (Next's redirect() throws). */
async function run<T>(p: Promise<T>): Promise<{ redirect: string } | { state: T }> {
  try {
    return { state: await p };
  } catch (err) {
    const digest = (err as { digest?: string }).digest;
    if (typeof digest === "string" && digest.startsWith("NEXT_REDIRECT")) return { redirect: digest.split(";")[2]! };
    throw err;
  }
}
const signUpForm = () =>
  form({ name: "Ada Lovelace", email: uniqueEmail("ada"), password: "analytical engine", role: "subscriber", acceptDisclaimer: "on", acceptTerms: "on" });

const setups = [
  { label: "no proxy configured (TRUSTED_PROXY_HOPS=0)", hops: 0, header: () => spoofed() },
  { label: "one trusted proxy (TRUSTED_PROXY_HOPS=1)", hops: 1, header: () => `${spoofed()}, 198.51.100.30` },
];

for (const setup of setups) {
  describe(`rotating X-Forwarded-For, ${setup.label}`, () => {
    beforeEach(() => setEnv("TRUSTED_PROXY_HOPS", setup.hops));

    it("does not escape the sign-up limit (10 an hour)", async () => {
      const outcomes = [];
      for (let i = 0; i < 11; i++) {
        from(setup.header());
        outcomes.push(await run(signUpAction({}, signUpForm())));
      }
      expect(outcomes.slice(0, 10).every((o) => "redirect" in o && o.redirect.endsWith("/dashboard"))).toBe(true);
      expect(outcomes[10]).toMatchObject({ state: { message: expect.stringMatching(/^Too many attempts\. Try again in \d+ (seconds|minutes)\.$/) } });
    });
  });
}

describe("sign-up form", () => {
  /** The form's fields; `undefined` leaves a field out, as an unticked checkbox is left out. */
  const fields = (patch: Record<string, string | undefined> = {}) =>
    Object.fromEntries(
      Object.entries({ name: "Ada Lovelace", email: uniqueEmail("ada"), password: "analytical engine", role: "subscriber", acceptDisclaimer: "on", acceptTerms: "on", ...patch }).filter(
        (e): e is [string, string] => e[1] !== undefined,
      ),
    );
  const signUp = (patch?: Record<string, string | undefined>) => {
    from("198.51.100.40");
    return run(signUpAction({}, form(fields(patch))));
  };
  async function rowCounts() {
    const tables = { users, providers, auditLog, emailOutbox, authTokens, notificationPrefs };
    const out: Record<string, number> = {};
    for (const [name, table] of Object.entries(tables)) {
      const [row] = await t.db.select({ n: count() }).from(table);
      out[name] = row!.n;
    }
    return out;
  }
  const userByEmail = (email: string) => t.db.query.users.findFirst({ where: eq(users.email, email) });

  it("creates a trader with disclaimer and terms timestamps, prefs, an audit row and a verification email", async () => {
    const email = uniqueEmail("ada");
    expect(await signUp({ email: `  ${email.toUpperCase()} ` })).toEqual({ redirect: expect.stringMatching(/\/dashboard$/) });
    const user = await userByEmail(email);
    expect(user).toMatchObject({ email, role: "subscriber" });
    expect(user?.disclaimerAcceptedAt).toBeInstanceOf(Date);
    expect(user?.termsAcceptedAt).toBeInstanceOf(Date);
    expect(user?.passwordHash).toMatch(/^\$argon2id\$/);
    expect(user?.emailVerified).toBeNull();
    const audit = await t.db.select().from(auditLog).where(eq(auditLog.actorId, user!.id));
    // The form signs the newcomer in straight after, so sign-in's own audit row follows.
    expect(audit.map((a) => a.action).sort()).toEqual(["user.signed_in", "user.signed_up"]);
    expect(audit.find((a) => a.action === "user.signed_up")!.data).toMatchObject({ role: "subscriber", disclaimerAcceptedAt: user!.disclaimerAcceptedAt!.toISOString() });
    const emails = await t.db.select().from(emailOutbox).where(eq(emailOutbox.userId, user!.id));
    expect(emails).toHaveLength(1);
    // The welcome email carries the verification link (no separate verification email at sign-up).
    expect(emails[0]).toMatchObject({ kind: "onboarding_welcome", to: email, status: "queued" });
    // The link is in the recipient's copy only; the stored copy holds a placeholder (issue 9, defect 7).
    expect(renderForDelivery(emails[0]!).html).toContain("/verify?token=");
    expect(emails[0]!.html).not.toContain("/verify?token=");
    expect(await rowCounts()).toMatchObject({ users: 1, providers: 0, notificationPrefs: 1, authTokens: 1 });
  });

  it("creates a provider profile with a unique slug for providers", async () => {
    const [a, b] = [uniqueEmail("alpha"), uniqueEmail("alpha")];
    for (const email of [a, b]) expect(await signUp({ email, name: "Alpha Signals", role: "provider" })).toEqual({ redirect: expect.stringMatching(/\/dashboard$/) });
    const rows = await t.db.select().from(providers);
    const [ua, ub] = [await userByEmail(a), await userByEmail(b)];
    expect(rows.find((p) => p.userId === ua!.id)?.slug).toBe("alpha-signals");
    expect(rows.find((p) => p.userId === ub!.id)?.slug).toBe("alpha-signals-2");
    expect(rows.every((p) => p.priceCents === 300)).toBe(true);
  });

  const bad: [string, Record<string, string | undefined>, string, RegExp][] = [
    ["a malformed email", { email: "not-an-email" }, "email", /valid email/],
    ["a short password", { password: "short" }, "password", /at least 10 characters/],
    ["no disclaimer", { acceptDisclaimer: undefined }, "acceptDisclaimer", /risk disclaimer/],
    ["no terms", { acceptTerms: undefined }, "acceptTerms", /terms of service/],
    ["no role", { role: "admin" }, "role", /trade or publish/],
    ["a one-letter name", { name: "A" }, "name", /at least 2/],
  ];
  for (const [label, patch, field, message] of bad) {
    it(`refuses ${label} with a per-field message and writes nothing`, async () => {
      const before = await rowCounts();
      const out = await signUp(patch);
      expect(out).toMatchObject({ state: { message: expect.any(String), fieldErrors: { [field]: [expect.stringMatching(message)] } } });
      expect(await rowCounts()).toEqual(before);
    });
  }

  it("refuses a taken email (in any case) with a message on the email field and writes nothing", async () => {
    const email = uniqueEmail("ada");
    await signUp({ email });
    const before = await rowCounts();
    const out = await signUp({ email: email.toUpperCase() });
    expect(out).toMatchObject({ state: { message: expect.stringMatching(/already exists/), fieldErrors: { email: [expect.stringMatching(/already exists/)] } } });
    expect(await rowCounts()).toEqual(before);
  });
});

describe("sign-in form, password spraying behind one trusted proxy", () => {
  it("is told to wait once the address has used its failures, right password or not", async () => {
    setEnv("TRUSTED_PROXY_HOPS", 1);
    const victims = [];
    for (let i = 0; i < 21; i++) victims.push(await createUser("subscriber", { password: PASSWORD }));
    const messages = [];
    for (const v of victims) {
      from(`${spoofed()}, 198.51.100.31`);
      const out = await run(signInAction({}, form({ email: v.email, password: "password123!" })));
      messages.push("state" in out ? out.state.message : `redirect ${out.redirect}`);
    }
    expect(messages.slice(0, 20)).toEqual(Array(20).fill("That email and password do not match an account."));
    expect(messages[20]).toMatch(/^Too many sign-in attempts from your network\. Try again in \d+ (seconds?|minutes)\.$/);
    from(`${spoofed()}, 198.51.100.31`);
    expect(await run(signInAction({}, form({ email: victims[0]!.email, password: PASSWORD })))).toMatchObject({ state: { message: expect.stringMatching(/^Too many sign-in attempts/) } });
    from("198.51.100.32");
    expect(await run(signInAction({}, form({ email: victims[0]!.email, password: PASSWORD, callbackUrl: "/feed" })))).toEqual({ redirect: expect.stringMatching(/\/feed$/) });
  });
});

describe("sign-in form, one account under attack", () => {
  it("tells the owner how long to wait while the delay runs, then signs them in", async () => {
    setEnv("TRUSTED_PROXY_HOPS", 1);
    const owner = await createUser("subscriber", { password: PASSWORD });
    for (let i = 0; i < 6; i++) {
      from(spoofed());
      expect(await run(signInAction({}, form({ email: owner.email, password: `guess number ${i}` })))).toMatchObject({ state: { message: "That email and password do not match an account." } });
    }
    from("198.51.100.33");
    expect(await run(signInAction({}, form({ email: owner.email, password: PASSWORD })))).toEqual({
      state: { message: "Too many attempts on this account. Try again in 1 second.", values: { email: owner.email } },
    });
    await new Promise((r) => setTimeout(r, 1050));
    expect(await run(signInAction({}, form({ email: owner.email, password: PASSWORD, callbackUrl: "/feed" })))).toEqual({ redirect: expect.stringMatching(/\/feed$/) });
  });
});

describe("sign-in form, a browser that has signed in before", () => {
  const ACCOUNT_WAIT = /^Too many attempts on this account\. Try again in \d+ (seconds?|minutes)\.$/;
  /** The device cookie the last action set, as the browser would send it back. */
  const deviceCookie = () => {
    const c = request.set.find((x) => x.name === "tradsy.device");
    return c && `${c.name}=${c.value}`;
  };

  it("is remembered on sign-in and sign-up, and keeps signing its owner in while strangers' failures make others wait", async () => {
    setEnv("TRUSTED_PROXY_HOPS", 1);
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      const owner = await createUser("subscriber", { password: PASSWORD });
      from("198.51.100.34");
      expect(await run(signInAction({}, form({ email: owner.email, password: PASSWORD })))).toEqual({ redirect: expect.stringMatching(/\/dashboard$/) });
      const known = deviceCookie();
      expect(request.set.find((x) => x.name === "tradsy.device")?.options).toEqual({ httpOnly: true, secure: false, sameSite: "lax", path: "/", maxAge: 15552000 });

      const signUp = signUpForm();
      from("198.51.100.35");
      expect(await run(signUpAction({}, signUp))).toEqual({ redirect: expect.stringMatching(/\/dashboard$/) });
      const newcomer = deviceCookie();
      expect(newcomer).toBeDefined();

      for (const email of [owner.email, String(signUp.get("email"))]) {
        for (let i = 0; i < 12; i++) {
          from(spoofed());
          await run(signInAction({}, form({ email, password: `stranger guess ${i}` })));
        }
      }
      from("198.51.100.34", known);
      expect(await run(signInAction({}, form({ email: owner.email, password: PASSWORD, callbackUrl: "/feed" })))).toEqual({ redirect: expect.stringMatching(/\/feed$/) });
      from("198.51.100.35", newcomer);
      expect(await run(signInAction({}, form({ email: String(signUp.get("email")), password: "analytical engine" })))).toEqual({ redirect: expect.stringMatching(/\/dashboard$/) });
      from("198.51.100.36");
      expect(await run(signInAction({}, form({ email: owner.email, password: PASSWORD })))).toMatchObject({ state: { message: expect.stringMatching(ACCOUNT_WAIT) } });
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("where the sign-in form goes", () => {
  it("takes an admin to the admin overview and anyone else to the dashboard, unless a page on this site asked", async () => {
    const admin = await createUser("admin", { password: PASSWORD });
    const trader = await createUser("subscriber", { password: PASSWORD });
    const provider = await createUser("provider", { password: PASSWORD });
    from("198.51.100.40");
    const signInAs = (email: string, callbackUrl?: string) => run(signInAction({}, form({ email, password: PASSWORD, ...(callbackUrl ? { callbackUrl } : {}) })));
    expect(await signInAs(admin.email)).toEqual({ redirect: "/admin" });
    expect(await signInAs(trader.email)).toEqual({ redirect: "/dashboard" });
    expect(await signInAs(provider.email)).toEqual({ redirect: "/dashboard" });
    expect(await signInAs(admin.email, "/providers/momentum-desk#subscribe")).toEqual({ redirect: "/providers/momentum-desk#subscribe" });
    for (const foreign of ["https://evil.example/", "//evil.example", "/\\evil.example"]) expect(await signInAs(admin.email, foreign)).toEqual({ redirect: "/admin" });
  });
});
