/**
 * Sign-in through Auth.js's credentials callback (POST /api/auth/callback/credentials), the way an API client or
 * a script would: the limits must hold whatever the caller puts in X-Forwarded-For.
 */
import { randomInt } from "node:crypto";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { NextRequest } from "next/server";
import { useTestDatabase } from "@/test/db";
import { useEnvOverrides } from "@/test/env";
import { createUser } from "@/test/factories";
import { resetRateLimits } from "@/server/rate-limit";
import { db } from "@/server/db";
import { rateLimits, users } from "@/server/db/schema";
import { count, eq, sql } from "drizzle-orm";
import { GET, POST } from "./route";

useTestDatabase();
const setEnv = useEnvOverrides();
beforeEach(() => resetRateLimits());

const ORIGIN = "http://localhost:3000";
const PASSWORD = "right password here";
const spoofed = () => `${randomInt(1, 224)}.${randomInt(0, 256)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;

let csrf: { token: string; cookie: string };
beforeAll(async () => {
  csrf = await csrfFor(ORIGIN);
});

interface Outcome {
  result: "signed in" | "wrong" | "throttled";
  status: number;
  retryAfter: number | null;
  message?: string;
  url?: string;
}

/** A browser: the cookies it keeps between requests (and sends back), at one origin. */
class Browser {
  readonly cookies = new Map<string, string>();
  constructor(readonly origin = ORIGIN) {}
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }
  keep(setCookies: string[]): void {
    for (const c of setCookies) {
      const [pair] = c.split(";");
      const at = pair!.indexOf("=");
      this.cookies.set(pair!.slice(0, at), pair!.slice(at + 1));
    }
  }
}

async function csrfFor(origin: string): Promise<{ token: string; cookie: string }> {
  const res = await GET(new NextRequest(`${origin}/api/auth/csrf`));
  return { token: ((await res.json()) as { csrfToken: string }).csrfToken, cookie: res.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ") };
}

/** One sign-in attempt; with a browser, it sends that browser's cookies and keeps the ones it is sent. */
async function attempt(email: string, password: string, forwardedFor?: string, browser?: Browser): Promise<Outcome> {
  const origin = browser?.origin ?? ORIGIN;
  const token = origin === ORIGIN ? csrf : await csrfFor(origin);
  const cookie = [token.cookie, browser?.header()].filter(Boolean).join("; ");
  const headers = new Headers({ "content-type": "application/x-www-form-urlencoded", cookie });
  if (forwardedFor) headers.set("x-forwarded-for", forwardedFor);
  const res = await POST(
    new NextRequest(`${origin}/api/auth/callback/credentials`, {
      method: "POST",
      headers,
      body: new URLSearchParams({ email, password, csrfToken: token.token, callbackUrl: "/dashboard" }),
    }),
  );
  browser?.keep(res.headers.getSetCookie());
  lastSetCookies = res.headers.getSetCookie();
  const retryAfter = res.headers.get("retry-after");
  const base = { status: res.status, retryAfter: retryAfter === null ? null : Number(retryAfter) };
  if (res.status === 429) return { ...base, result: "throttled", ...((await res.json()) as { message: string; url?: string }) };
  const location = res.headers.get("location") ?? "";
  expect(res.status, location).toBe(302);
  return { ...base, result: location.includes("error=") ? "wrong" : "signed in" };
}

/** The Set-Cookie headers of the last attempt's response. */
let lastSetCookies: string[] = [];

async function accounts(n: number) {
  const out = [];
  for (let i = 0; i < n; i++) out.push(await createUser("subscriber", { password: PASSWORD }));
  return out;
}

describe("password spraying from rotating X-Forwarded-For values", () => {
  it("is blocked behind one trusted proxy (TRUSTED_PROXY_HOPS=1): the proxy's address counts, not the caller's header", async () => {
    setEnv("TRUSTED_PROXY_HOPS", 1);
    const victims = await accounts(30);
    const results = [];
    for (const v of victims) results.push(await attempt(v.email, "password123!", `${spoofed()}, 198.51.100.7`));
    expect(results.slice(0, 20).map((r) => r.result)).toEqual(Array(20).fill("wrong"));
    for (const r of results.slice(20)) {
      expect(r).toMatchObject({ result: "throttled", status: 429 });
      expect(r.retryAfter).toBeGreaterThan(0);
      expect(r.retryAfter).toBeLessThanOrEqual(15 * 60);
    }
    // The blocked address cannot sign in even with a right password; another address behind the proxy can.
    expect((await attempt(victims[0]!.email, PASSWORD, `${spoofed()}, 198.51.100.7`)).result).toBe("throttled");
    expect((await attempt(victims[0]!.email, PASSWORD, "198.51.100.8")).result).toBe("signed in");
  });

  it("is blocked with no proxy configured (TRUSTED_PROXY_HOPS=0): every unidentified caller shares one budget", async () => {
    setEnv("TRUSTED_PROXY_HOPS", 0);
    const victims = await accounts(30);
    const results = [];
    for (const guess of ["password123!", "Summer2024!!"]) for (const v of victims) results.push(await attempt(v.email, guess, spoofed()));
    expect(results.slice(0, 50).every((r) => r.result === "wrong")).toBe(true);
    expect(results.slice(50).every((r) => r.result === "throttled" && r.status === 429 && r.retryAfter! > 0)).toBe(true);
  });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ACCOUNT_WAIT = /^Too many attempts on this account\. Try again in \d+ (seconds?|minutes)\.$/;

describe("one account under attack from many addresses", () => {
  // Every stranger's attempt comes from a new address behind the proxy, as from a botnet: only the account's own
  // limit applies to them.
  beforeEach(() => setEnv("TRUSTED_PROXY_HOPS", 1));
  afterEach(() => vi.useRealTimers());

  it("does not lock the owner out: 429 with Retry-After while the delay runs, then the right password works", async () => {
    const [owner] = await accounts(1);
    const strangers = [];
    for (let i = 0; i < 12; i++) strangers.push(await attempt(owner!.email, `guess number ${i}`, spoofed()));
    // Five failures are free; the sixth starts a delay, during which nothing is tried.
    expect(strangers.slice(0, 6).map((r) => r.result)).toEqual(Array(6).fill("wrong"));
    for (const r of strangers.slice(6)) expect(r).toMatchObject({ result: "throttled", status: 429, retryAfter: 1, message: expect.stringMatching(ACCOUNT_WAIT) });

    const during = await attempt(owner!.email, PASSWORD, "198.51.100.40");
    expect(during).toMatchObject({ result: "throttled", status: 429, retryAfter: 1, message: "Too many attempts on this account. Try again in 1 second." });
    expect(during.url).toBe(`${ORIGIN}/signin?error=CredentialsSignin&code=throttled`);
    await sleep(during.retryAfter! * 1000 + 50);
    expect((await attempt(owner!.email, PASSWORD, "198.51.100.40")).result).toBe("signed in");
  });

  it("doubles the delay with each further failure, and a successful sign-in clears the count", async () => {
    const [owner] = await accounts(1);
    for (let i = 0; i < 6; i++) expect((await attempt(owner!.email, `guess number ${i}`, spoofed())).result).toBe("wrong");
    expect((await attempt(owner!.email, PASSWORD, spoofed())).retryAfter).toBe(1);
    await sleep(1050);
    expect((await attempt(owner!.email, "guess number 7", spoofed())).result).toBe("wrong");
    expect((await attempt(owner!.email, PASSWORD, spoofed())).retryAfter).toBe(2);
    await sleep(2050);
    expect((await attempt(owner!.email, PASSWORD, "198.51.100.41")).result).toBe("signed in");
    // Counting starts again from nothing: five more failures are free.
    for (let i = 0; i < 5; i++) expect((await attempt(owner!.email, `guess number ${i}`, spoofed())).result).toBe("wrong");
    expect((await attempt(owner!.email, PASSWORD, "198.51.100.41")).result).toBe("signed in");
  });

  it("caps the delay at 15 minutes and forgets failures after a quiet day", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const [owner] = await accounts(1);
    for (let i = 0; i < 5; i++) expect((await attempt(owner!.email, `guess number ${i}`, spoofed())).result).toBe("wrong");
    const delays: number[] = [];
    for (let i = 0; i < 13; i++) {
      expect((await attempt(owner!.email, `more guesses ${i}`, spoofed())).result).toBe("wrong");
      const refused = await attempt(owner!.email, PASSWORD, spoofed());
      expect(refused.result).toBe("throttled");
      delays.push(refused.retryAfter!);
      vi.setSystemTime(Date.now() + refused.retryAfter! * 1000);
    }
    expect(delays).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900]);
    vi.setSystemTime(Date.now() + 25 * 3600 * 1000);
    for (let i = 0; i < 5; i++) expect((await attempt(owner!.email, `a new day ${i}`, spoofed())).result).toBe("wrong");
    expect((await attempt(owner!.email, PASSWORD, spoofed())).result).toBe("signed in");
  });

  it("lets no more than six guesses of a burst reach the password check", async () => {
    const [owner] = await accounts(1);
    const burst = await Promise.all(Array.from({ length: 20 }, (_, i) => attempt(owner!.email, `burst guess ${i}`, spoofed())));
    expect(burst.filter((r) => r.result === "wrong")).toHaveLength(6);
    expect(burst.filter((r) => r.result === "throttled")).toHaveLength(14);
  });

  it("charges a refused attempt to its address: probing an account's delay uses up the address's failures", async () => {
    vi.useFakeTimers({ toFake: ["Date"] }); // the delay keeps running while the probes arrive
    const [owner, other] = await accounts(2);
    const from = "198.51.100.43";
    for (let i = 0; i < 6; i++) expect((await attempt(owner!.email, `guess number ${i}`, from)).result).toBe("wrong");
    // 6 failures taken from the address's 20; each probe during the delay takes one more.
    for (let i = 0; i < 14; i++) expect((await attempt(owner!.email, `probe ${i}`, from)).message).toMatch(ACCOUNT_WAIT);
    const next = await attempt(other!.email, "password123!", from);
    expect(next).toMatchObject({ result: "throttled", status: 429, message: expect.stringMatching(/^Too many sign-in attempts from your network\. /) });
    // Another address is not affected.
    expect((await attempt(other!.email, PASSWORD, "198.51.100.44")).result).toBe("signed in");
  });

  it("counts only failures: the owner signs in as often as they like, with the odd typo", async () => {
    const [owner] = await accounts(1);
    const results = [];
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 4; i++) results.push(await attempt(owner!.email, `typo ${i}`, "198.51.100.42"));
      for (let i = 0; i < 4; i++) results.push(await attempt(owner!.email, PASSWORD, "198.51.100.42"));
    }
    expect(results.filter((r) => r.result === "throttled")).toEqual([]);
    expect(results.filter((r) => r.result === "signed in")).toHaveLength(16);
  });
});

describe("a browser that has signed in to the account before (device cookie)", () => {
  beforeEach(() => setEnv("TRUSTED_PROXY_HOPS", 1));
  afterEach(() => vi.useRealTimers());

  const BROWSER_WAIT = /^Too many failed sign-ins from this browser\. Try again in \d+ (seconds?|minutes)\.$/;

  async function strangersFail(email: string, n = 12) {
    for (let i = 0; i < n; i++) await attempt(email, `stranger guess ${i}`, spoofed());
  }

  it("keeps signing the owner in with the right password while strangers' failures make a new browser wait", async () => {
    vi.useFakeTimers({ toFake: ["Date"] }); // the delay does not run out during the test
    const [owner] = await accounts(1);
    const known = new Browser();
    expect((await attempt(owner!.email, PASSWORD, "198.51.100.50", known)).result).toBe("signed in");

    await strangersFail(owner!.email);
    expect((await attempt(owner!.email, PASSWORD, spoofed())).message).toMatch(ACCOUNT_WAIT);
    for (let i = 0; i < 3; i++) {
      const again = await attempt(owner!.email, PASSWORD, "198.51.100.50", known);
      expect(again).toMatchObject({ result: "signed in", status: 302, retryAfter: null });
    }
    // The owner on a new browser still waits: the strangers' count stands (a known browser's success does not clear it).
    const fresh = new Browser();
    expect(await attempt(owner!.email, PASSWORD, "198.51.100.50", fresh)).toMatchObject({ result: "throttled", status: 429, message: expect.stringMatching(ACCOUNT_WAIT) });
    expect(fresh.cookies.has("tradsy.device")).toBe(false);
  });

  it("gives the known browser's own failures a budget of their own, not the account's", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const [owner] = await accounts(1);
    const known = new Browser();
    await attempt(owner!.email, PASSWORD, "198.51.100.51", known);
    for (let i = 0; i < 6; i++) expect((await attempt(owner!.email, `typo ${i}`, "198.51.100.51", known)).result).toBe("wrong");
    expect(await attempt(owner!.email, PASSWORD, "198.51.100.51", known)).toMatchObject({ result: "throttled", retryAfter: 1, message: expect.stringMatching(BROWSER_WAIT) });
    // The account's own count was not touched: another browser signs in at once.
    expect((await attempt(owner!.email, PASSWORD, "198.51.100.52", new Browser())).result).toBe("signed in");
    vi.setSystemTime(Date.now() + 1000);
    expect((await attempt(owner!.email, PASSWORD, "198.51.100.51", known)).result).toBe("signed in");
  });

  it("is known for each account it signed in to, and only with that account's current cookie", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const [owner, partner, attacker] = await accounts(3);
    const shared = new Browser();
    expect((await attempt(owner!.email, PASSWORD, "198.51.100.53", shared)).result).toBe("signed in");
    expect((await attempt(partner!.email, PASSWORD, "198.51.100.53", shared)).result).toBe("signed in");
    await strangersFail(owner!.email);
    await strangersFail(partner!.email);
    expect((await attempt(owner!.email, PASSWORD, "198.51.100.53", shared)).result).toBe("signed in");
    expect((await attempt(partner!.email, PASSWORD, "198.51.100.53", shared)).result).toBe("signed in");

    // A cookie the attacker earned on their own account, or made up, does not exempt them on the owner's.
    const theirs = new Browser();
    await attempt(attacker!.email, PASSWORD, spoofed(), theirs);
    expect((await attempt(owner!.email, PASSWORD, spoofed(), theirs)).result).toBe("throttled");
    const forged = new Browser();
    forged.cookies.set("tradsy.device", `${"A".repeat(22)}.${"B".repeat(43)}`);
    expect((await attempt(owner!.email, PASSWORD, spoofed(), forged)).result).toBe("throttled");

    // A password change or reset (which bumps the session version) ends every cookie issued before it.
    await db.update(users).set({ sessionVersion: sql`${users.sessionVersion} + 1` }).where(eq(users.id, owner!.id));
    expect((await attempt(owner!.email, PASSWORD, "198.51.100.53", shared)).result).toBe("throttled");
    expect((await attempt(partner!.email, PASSWORD, "198.51.100.53", shared)).result).toBe("signed in");
  });

  it("is still held by its address's limit", async () => {
    const [owner] = await accounts(1);
    const victims = await accounts(20);
    const known = new Browser();
    await attempt(owner!.email, PASSWORD, "198.51.100.54", known);
    for (const v of victims) expect((await attempt(v.email, "password123!", "198.51.100.54")).result).toBe("wrong");
    expect(await attempt(owner!.email, PASSWORD, "198.51.100.54", known)).toMatchObject({ result: "throttled", message: expect.stringMatching(/^Too many sign-in attempts from your network/) });
  });

  it("is an HttpOnly, SameSite=Lax cookie holding no account data; __Host- and Secure over https", async () => {
    const [owner] = await accounts(1);
    await attempt(owner!.email, PASSWORD, "198.51.100.55", new Browser());
    /** A Set-Cookie header as its value and its attributes (lower case, sorted). */
    const parts = (c: string | undefined) => {
      const [pair, ...attrs] = (c ?? "").split("; ");
      return { value: pair!.slice(pair!.indexOf("=") + 1), attrs: attrs.map((a) => a.toLowerCase()).sort() };
    };
    const plain = parts(lastSetCookies.find((c) => c.startsWith("tradsy.device=")));
    expect(plain.value).toMatch(/^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/); // a random id and a MAC: no id, no email
    expect(plain.attrs).toEqual(["httponly", "max-age=15552000", "path=/", "samesite=lax"]);

    const secure = new Browser("https://localhost:3000");
    expect((await attempt(owner!.email, PASSWORD, "198.51.100.55", secure)).result).toBe("signed in");
    expect(lastSetCookies.some((c) => c.startsWith("tradsy.device="))).toBe(false);
    const https = parts(lastSetCookies.find((c) => c.startsWith("__Host-tradsy.device=")));
    expect(https.attrs).toEqual(["httponly", "max-age=15552000", "path=/", "samesite=lax", "secure"]);
    await strangersFail(owner!.email);
    expect((await attempt(owner!.email, PASSWORD, "198.51.100.55", secure)).result).toBe("signed in");
  });
});

describe("the shared budget of callers without a trusted address (TRUSTED_PROXY_HOPS=0), used up by an attacker", () => {
  beforeEach(() => setEnv("TRUSTED_PROXY_HOPS", 0));
  afterEach(() => vi.useRealTimers());

  it("still lets a browser that has signed in to the account before sign in, under its own delay; a new browser waits", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const [owner] = await accounts(1);
    const victims = await accounts(10);
    const known = new Browser();
    expect((await attempt(owner!.email, PASSWORD, spoofed(), known)).result).toBe("signed in");
    for (let i = 0; i < 60; i++) await attempt(victims[i % victims.length]!.email, `spray ${i}`, spoofed());
    expect(await attempt(owner!.email, PASSWORD, spoofed(), new Browser())).toMatchObject({ result: "throttled", status: 429, message: expect.stringMatching(/^Too many sign-in attempts\. /) });

    expect(await attempt(owner!.email, PASSWORD, spoofed(), known)).toMatchObject({ result: "signed in", status: 302 });
    // Its own failures are still limited: five free, then its own delay.
    for (let i = 0; i < 6; i++) expect((await attempt(owner!.email, `typo ${i}`, spoofed(), known)).result).toBe("wrong");
    expect(await attempt(owner!.email, PASSWORD, spoofed(), known)).toMatchObject({ result: "throttled", retryAfter: 1, message: expect.stringMatching(/^Too many failed sign-ins from this browser\. /) });
    // Its cookie works only on its own account: on another, the shared budget refuses it as anyone else.
    expect((await attempt(victims[0]!.email, PASSWORD, spoofed(), known)).result).toBe("throttled");
  });
});

describe("the rate_limits table under junk emails", () => {
  it("gains rows only as fast as the address's failed sign-ins allow: one per account tried, none once refused", async () => {
    setEnv("TRUSTED_PROXY_HOPS", 1);
    const junk = (i: number) => (i % 2 ? `nobody-${i}-${randomInt(1e9)}@example.com` : `not an email ${i} ${randomInt(1e9)}`);
    for (let i = 0; i < 60; i++) await attempt(junk(i), "password123!", "198.51.100.60");
    const byName = await db.select({ name: rateLimits.name, n: count() }).from(rateLimits).groupBy(rateLimits.name);
    // 20 attempts reached the accounts' delays (one row each, kept a day); the other 40 were refused first and wrote nothing.
    expect(Object.fromEntries(byName.map((r) => [r.name, r.n]))).toEqual({ "sign-in-ip": 1, "sign-in-account": 20 });
  });
});
