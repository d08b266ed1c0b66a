/**
 * The sign-in and sign-up forms' server actions: the same limits as the API, whatever the caller puts in
 * X-Forwarded-For, with messages written for the person at the form.
 */
import { randomInt } from "node:crypto";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { useTestDatabase } from "@/test/db";
import { useEnvOverrides } from "@/test/env";
import { createUser, uniqueEmail } from "@/test/factories";
import { resetRateLimits } from "@/server/rate-limit";

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

useTestDatabase();
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
