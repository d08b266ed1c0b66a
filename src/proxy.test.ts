/**
 * The proxy in front of pages. Issue 17: every page request gets a Content Security Policy with a fresh nonce, on
 * the request (where Next reads it while rendering) and on the response; everything else gets next.config.ts's
 * static policy and the other security headers.
 *
 * Server actions (issue 9, defect 3). Next refuses an oversized or cross-site server-action
 * request itself, but by throwing, so the caller saw a 500; the proxy answers first with what the refusal is: 413
 * for a body over `serverActions.bodySizeLimit`, 403 for an Origin that is missing, `null` or another host. Its
 * matcher keeps it off every /api route (the TradingView webhook has a throughput budget).
 */
import { createRequire } from "node:module";
import { describe, expect, it, vi } from "vitest";
import { NextRequest } from "next/server";
import { unstable_doesMiddlewareMatch } from "next/experimental/testing/server";
import nextConfig from "../next.config";
import { config, newNonce, proxy, SERVER_ACTION_BODY_LIMIT_BYTES } from "./proxy";
import { isNonce, nonceFromCsp } from "@/lib/security/headers";

const bytes = createRequire(import.meta.url)("next/dist/compiled/bytes") as { parse(v: string | number): number };

const ACTION_ID = "7f0123456789abcdef0123456789abcdef01234567";
const PAGE = "http://localhost:3000/signin";

function action(opts: { origin?: string | null; host?: string; forwardedHost?: string; length?: number; body?: BodyInit; multipart?: boolean; chunked?: boolean } = {}) {
  const headers = new Headers({ host: opts.host ?? "localhost:3000" });
  if (opts.origin !== null) headers.set("origin", opts.origin ?? "http://localhost:3000");
  if (opts.forwardedHost) headers.set("x-forwarded-host", opts.forwardedHost);
  if (opts.multipart) headers.set("content-type", "multipart/form-data; boundary=----x");
  else {
    headers.set("next-action", ACTION_ID);
    headers.set("content-type", "text/plain;charset=UTF-8");
  }
  const body = opts.body ?? "[]";
  if (!opts.chunked) headers.set("content-length", String(opts.length ?? (typeof body === "string" ? Buffer.byteLength(body) : 0)));
  return new NextRequest(PAGE, { method: "POST", headers, body, ...(opts.chunked ? { duplex: "half" } : {}) } as ConstructorParameters<typeof NextRequest>[1]);
}

const passes = (res: Response) => res.headers.get("x-middleware-next") === "1";
async function refusal(res: Response) {
  return { status: res.status, message: ((await res.json()) as { error: { message: string } }).error.message };
}
function stream(total: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(c) {
      if (sent >= total) return c.close();
      const n = Math.min(64 * 1024, total - sent);
      sent += n;
      c.enqueue(new Uint8Array(n));
    },
  });
}

describe("server-action body size", () => {
  it("matches experimental.serverActions.bodySizeLimit in next.config.ts (1 MB)", () => {
    const limit = nextConfig.experimental?.serverActions?.bodySizeLimit;
    expect(limit).toBeDefined();
    expect(bytes.parse(limit!)).toBe(SERVER_ACTION_BODY_LIMIT_BYTES);
    expect(SERVER_ACTION_BODY_LIMIT_BYTES).toBe(1024 * 1024);
    // The proxy checks the origin the way Next does without an allow-list; one in next.config would need it here too.
    expect(nextConfig.experimental?.serverActions?.allowedOrigins).toBeUndefined();
  });

  it("answers 413 for a declared length over the limit, and lets the limit itself through", async () => {
    expect(await refusal(await proxy(action({ length: SERVER_ACTION_BODY_LIMIT_BYTES + 1 })))).toEqual({ status: 413, message: expect.stringMatching(/larger than 1 MB/) });
    expect(passes(await proxy(action({ body: "x".repeat(SERVER_ACTION_BODY_LIMIT_BYTES) })))).toBe(true);
  });

  it("answers 413 for a streamed body without Content-Length once it passes the limit", async () => {
    expect((await proxy(action({ chunked: true, body: stream(SERVER_ACTION_BODY_LIMIT_BYTES + 1) }))).status).toBe(413);
    expect(passes(await proxy(action({ chunked: true, body: stream(1000) })))).toBe(true);
  });

  it("applies to form posts made before JavaScript loads (multipart, no Next-Action header)", async () => {
    expect((await proxy(action({ multipart: true, length: 2 * SERVER_ACTION_BODY_LIMIT_BYTES }))).status).toBe(413);
  });
});

describe("server-action origin", () => {
  it("answers 403 for a missing, null or foreign Origin", async () => {
    for (const origin of [null, "null", "https://evil.example", "http://localhost:3001", "http://localhost.evil.example:3000", "not a url"]) {
      expect(await refusal(await proxy(action({ origin }))), String(origin)).toEqual({ status: 403, message: expect.stringMatching(/another site/) });
      expect((await proxy(action({ origin, multipart: true }))).status, `${origin} (form post)`).toBe(403);
    }
  });

  it("compares with X-Forwarded-Host when a proxy sets it, else Host, as Next does", async () => {
    expect(passes(await proxy(action({ origin: "https://tradsy.example", host: "127.0.0.1:3000", forwardedHost: "tradsy.example" })))).toBe(true);
    expect((await proxy(action({ origin: "http://localhost:3000", forwardedHost: "tradsy.example" }))).status).toBe(403);
  });

  it("checks the origin before the size (a cross-site oversized post is a 403)", async () => {
    expect((await proxy(action({ origin: "https://evil.example", length: 5 * SERVER_ACTION_BODY_LIMIT_BYTES }))).status).toBe(403);
  });
});

describe("scope", () => {
  it("lets same-origin server actions and anything that is not a server-action POST through untouched", async () => {
    expect(passes(await proxy(action()))).toBe(true);
    expect(passes(await proxy(new NextRequest(PAGE)))).toBe(true);
    expect(passes(await proxy(new NextRequest(PAGE, { method: "POST", headers: { "content-type": "application/json", origin: "https://evil.example" }, body: "{}" })))).toBe(true);
  });

  it("runs for pages and server actions, never on /api, Next's own files or prefetches", () => {
    const matches = (url: string, headers: Record<string, string> = {}) => unstable_doesMiddlewareMatch({ config, url, headers });
    const actionHeaders = { "next-action": ACTION_ID };
    const formHeaders = { "content-type": "multipart/form-data; boundary=----x" };
    expect(matches("/signin", actionHeaders)).toBe(true);
    expect(matches("/", actionHeaders)).toBe(true);
    expect(matches("/dev/stripe/checkout/cs_test_1", formHeaders)).toBe(true);
    // Pages (a page's CSP nonce), unknown paths included (the 404 page is a page).
    for (const url of ["/", "/signin", "/providers", "/providers/alpha", "/settings/security", "/no-such-page", "/apiary"]) {
      expect(matches(url), url).toBe(true);
    }
    // A prefetch's RSC answer has no script to stamp; a server action is checked whatever it carries.
    expect(matches("/providers", { "next-router-prefetch": "1" })).toBe(false);
    expect(matches("/providers", { purpose: "prefetch" })).toBe(false);
    expect(matches("/signin", { "next-router-prefetch": "1", ...actionHeaders })).toBe(true);
    for (const url of ["/_next/static/chunks/app.js", "/_next/image?url=x", "/favicon.ico", "/icon.svg"]) expect(matches(url), url).toBe(false);
    for (const url of ["/api/webhooks/tradingview/tv_abc", "/api/trpc/signals.publish", "/api/v1/signals", "/api/auth/callback/credentials", "/api"]) {
      expect(matches(url, actionHeaders), url).toBe(false);
      expect(matches(url, formHeaders), url).toBe(false);
      expect(matches(url), url).toBe(false);
    }
    expect(matches("/_next/static/chunks/app.js", actionHeaders)).toBe(false);
  });
});

describe("content security policy with a nonce", () => {
  /** The request headers Next renders the page with (the proxy's overrides), as NextResponse.next passes them on. */
  const forwarded = (res: Response, name: string) => res.headers.get(`x-middleware-request-${name}`);

  it("gives each page request a fresh nonce, on the request Next renders and on the response", async () => {
    const a = await proxy(new NextRequest(PAGE));
    const b = await proxy(new NextRequest("http://localhost:3000/providers"));
    for (const res of [a, b]) {
      expect(passes(res)).toBe(true);
      const csp = res.headers.get("content-security-policy");
      const nonce = nonceFromCsp(csp);
      expect(nonce && isNonce(nonce)).toBe(true);
      expect(forwarded(res, "content-security-policy")).toBe(csp);
      expect(forwarded(res, "x-nonce")).toBe(nonce);
      expect(csp).toMatch(/frame-ancestors 'none'/);
      expect(csp).not.toMatch(/unsafe-eval/); // vitest is not `next dev`
    }
    expect(nonceFromCsp(a.headers.get("content-security-policy"))).not.toBe(nonceFromCsp(b.headers.get("content-security-policy")));
  });

  it("lets the sign-in form go on to GitHub or Google only when that sign-in is configured (read at run time)", async () => {
    const formAction = async () => (await proxy(new NextRequest(PAGE))).headers.get("content-security-policy")!.split(";").find((d) => d.trim().startsWith("form-action"))!;
    vi.stubEnv("AUTH_GITHUB_ID", "");
    vi.stubEnv("AUTH_GOOGLE_ID", "");
    try {
      expect(await formAction()).not.toMatch(/github\.com|accounts\.google\.com/);
      vi.stubEnv("AUTH_GITHUB_ID", "gh-id");
      vi.stubEnv("AUTH_GITHUB_SECRET", "gh-secret");
      expect(await formAction()).toContain("https://github.com");
      expect(await formAction()).not.toContain("https://accounts.google.com");
      vi.stubEnv("AUTH_GOOGLE_ID", "g-id");
      vi.stubEnv("AUTH_GOOGLE_SECRET", "g-secret");
      expect(await formAction()).toContain("https://accounts.google.com");
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it("replaces a policy or nonce the client sent", async () => {
    const res = await proxy(new NextRequest(PAGE, { headers: { "content-security-policy": "script-src 'nonce-AAAAAAAAAAAAAAAAAAAAAA=='", "x-nonce": "AAAAAAAAAAAAAAAAAAAAAA==" } }));
    expect(forwarded(res, "x-nonce")).not.toBe("AAAAAAAAAAAAAAAAAAAAAA==");
    expect(nonceFromCsp(forwarded(res, "content-security-policy"))).toBe(forwarded(res, "x-nonce"));
  });

  it("nonces are 16 random bytes and do not repeat", () => {
    const seen = new Set(Array.from({ length: 1000 }, newNonce));
    expect(seen.size).toBe(1000);
    for (const n of seen) expect(Buffer.from(n, "base64")).toHaveLength(16);
  });

  it("refusals answered by the proxy carry the static policy and the security headers", async () => {
    const res = await proxy(action({ origin: "https://evil.example" }));
    expect(res.status).toBe(403);
    expect(res.headers.get("content-security-policy")).toMatch(/frame-ancestors 'none'/);
    expect(res.headers.get("content-security-policy")).not.toMatch(/nonce/);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
  });
});

describe("next.config.ts headers()", () => {
  it("puts the static policy and the security headers on every path (API routes, files, errors)", async () => {
    const rules = await nextConfig.headers!();
    const all = rules.filter((r) => r.source === "/(.*)" && !r.has && !r.missing);
    expect(all).toHaveLength(1);
    const h = new Map(all[0]!.headers.map((x) => [x.key.toLowerCase(), x.value]));
    expect(h.get("content-security-policy")).toMatch(/frame-ancestors 'none'/);
    expect(h.get("content-security-policy")).not.toMatch(/nonce|unsafe-eval/);
    expect(h.get("x-content-type-options")).toBe("nosniff");
    expect(h.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
    expect(h.get("permissions-policy")).toMatch(/camera=\(\)/);
    // vitest runs as NODE_ENV=test: no HSTS outside production (e2e/api/headers.spec.ts sees it on the build).
    expect(h.has("strict-transport-security")).toBe(false);
  });
});
