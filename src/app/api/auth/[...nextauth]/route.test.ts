/**
 * Sign-in through Auth.js's credentials callback (POST /api/auth/callback/credentials), the way an API client or
 * a script would: the limits must hold whatever the caller puts in X-Forwarded-For.
 */
import { randomInt } from "node:crypto";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { NextRequest } from "next/server";
import { useTestDatabase } from "@/test/db";
import { useEnvOverrides } from "@/test/env";
import { createUser } from "@/test/factories";
import { resetRateLimits } from "@/server/rate-limit";
import { GET, POST } from "./route";

useTestDatabase();
const setEnv = useEnvOverrides();
beforeEach(() => resetRateLimits());

const ORIGIN = "http://localhost:3000";
const PASSWORD = "right password here";
const spoofed = () => `${randomInt(1, 224)}.${randomInt(0, 256)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;

let csrf: { token: string; cookie: string };
beforeAll(async () => {
  const res = await GET(new NextRequest(`${ORIGIN}/api/auth/csrf`));
  csrf = { token: ((await res.json()) as { csrfToken: string }).csrfToken, cookie: res.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ") };
});

interface Outcome {
  result: "signed in" | "wrong" | "throttled";
  status: number;
  retryAfter: number | null;
  message?: string;
}

async function attempt(email: string, password: string, forwardedFor?: string): Promise<Outcome> {
  const headers = new Headers({ "content-type": "application/x-www-form-urlencoded", cookie: csrf.cookie });
  if (forwardedFor) headers.set("x-forwarded-for", forwardedFor);
  const res = await POST(
    new NextRequest(`${ORIGIN}/api/auth/callback/credentials`, {
      method: "POST",
      headers,
      body: new URLSearchParams({ email, password, csrfToken: csrf.token, callbackUrl: "/dashboard" }),
    }),
  );
  const retryAfter = res.headers.get("retry-after");
  const base = { status: res.status, retryAfter: retryAfter === null ? null : Number(retryAfter) };
  if (res.status === 429) return { ...base, result: "throttled", message: ((await res.json()) as { message: string }).message };
  const location = res.headers.get("location") ?? "";
  expect(res.status, location).toBe(302);
  return { ...base, result: location.includes("error=") ? "wrong" : "signed in" };
}

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
