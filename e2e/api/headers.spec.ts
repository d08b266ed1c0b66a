/**
 * Security headers on the production build (issue 17): pages carry a Content Security Policy with a nonce that is
 * new on every response and is on every script Next wrote into the page; API routes (their answers and their
 * errors: 401, 400, 404), the 404 page and Next's static files carry the static policy; everything carries
 * nosniff, the referrer policy, the frame ban, the permissions policy and (NODE_ENV production) HSTS.
 */
import type { APIRequestContext, APIResponse } from "@playwright/test";
import { expect, test } from "../fixtures";

// A page is server-rendered per request; on a loaded two-core machine one can take longer than the default 15 s.
const SLOW = { timeout: 60_000 };
test.describe.configure({ timeout: 240_000 });

/**
 * One request, sent again once if the connection was reset before any answer (Node closing a kept-alive socket as
 * the request goes out): that is the transport, not the headers under test.
 */
async function send(request: APIRequestContext, method: "get" | "post", path: string, opts: Parameters<APIRequestContext["post"]>[1] = {}) {
  try {
    return await request[method](path, { ...SLOW, ...opts });
  } catch (err) {
    if (!/ECONNRESET|socket hang up/.test(String(err))) throw err;
    return request[method](path, { ...SLOW, ...opts });
  }
}

const NONCE = /script-src [^;]*'nonce-([A-Za-z0-9+/=]+)'/;

function expectCommonHeaders(res: APIResponse, what: string) {
  const h = res.headers();
  expect(h["x-content-type-options"], what).toBe("nosniff");
  expect(h["referrer-policy"], what).toBe("strict-origin-when-cross-origin");
  expect(h["x-frame-options"], what).toBe("DENY");
  expect(h["permissions-policy"], what).toMatch(/camera=\(\)/);
  expect(h["permissions-policy"], what).toMatch(/microphone=\(\)/);
  expect(h["strict-transport-security"], what).toBe("max-age=63072000; includeSubDomains");
  const csp = h["content-security-policy"] ?? "";
  expect(csp, what).toMatch(/frame-ancestors 'none'/);
  expect(csp, what).toMatch(/object-src 'none'/);
  expect(csp, what).not.toMatch(/unsafe-eval/); // production build
  // One policy, not two stacked (the proxy's replaces the static one on pages).
  expect(csp.match(/default-src/g), what).toHaveLength(1);
  return csp;
}

/** A page's nonce, after checking every script tag in its HTML carries it. */
async function expectNoncedPage(res: APIResponse, what: string): Promise<string> {
  const csp = expectCommonHeaders(res, what);
  const nonce = NONCE.exec(csp)?.[1];
  expect(nonce, `${what}: a nonce in script-src`).toBeTruthy();
  expect(csp, what).toMatch(/'strict-dynamic'/);
  const html = await res.text();
  const scripts = html.match(/<script\b[^>]*>/g) ?? [];
  expect(scripts.length, `${what}: scripts in the page`).toBeGreaterThan(0);
  for (const tag of scripts) expect(tag, what).toContain(`nonce="${nonce}"`);
  return nonce!;
}

function expectStaticPolicy(res: APIResponse, what: string) {
  const csp = expectCommonHeaders(res, what);
  expect(csp, what).not.toMatch(/nonce-/);
  expect(csp, what).toMatch(/script-src 'self'/);
}

test.describe("security headers", () => {
  test("pages: a fresh nonce per response, on every script", async ({ request }) => {
    const seen = new Set<string>();
    for (const path of ["/", "/providers", "/providers", "/signin"]) {
      const res = await send(request, "get", path);
      expect(res.status(), path).toBe(200);
      seen.add(await expectNoncedPage(res, path));
    }
    expect(seen.size).toBe(4);
  });

  test("the 404 page", async ({ request }) => {
    const res = await send(request, "get", "/no-such-page-anywhere");
    expect(res.status()).toBe(404);
    await expectNoncedPage(res, "404 page");
  });

  test("API routes and their errors carry the static policy", async ({ request }) => {
    const noKey = await send(request, "get", "/api/v1/signals");
    expect(noKey.status()).toBe(401);
    expectStaticPolicy(noKey, "REST 401");

    const badJson = await send(request, "post", "/api/trpc/digests.subscribe", { headers: { "content-type": "application/json" }, data: "{not json" });
    expect(badJson.status()).toBe(400);
    expectStaticPolicy(badJson, "tRPC 400");

    // A mail client's one-click unsubscribe with a body that is not the RFC 8058 form: 400.
    const badOneClick = await send(request, "post", "/api/unsubscribe/not-a-token", { headers: { "content-type": "text/plain" }, data: "x" });
    expect(badOneClick.status()).toBe(400);
    expectStaticPolicy(badOneClick, "one-click unsubscribe 400");

    const unknownRoute = await send(request, "get", "/api/no-such-route");
    expect(unknownRoute.status()).toBe(404);
    expectStaticPolicy(unknownRoute, "API 404");

    const session = await send(request, "get", "/api/auth/session");
    expect(session.status()).toBe(200);
    expectStaticPolicy(session, "Auth.js session");
  });

  test("static files", async ({ request }) => {
    const icon = await send(request, "get", "/icon.svg");
    expect(icon.status()).toBe(200);
    expectStaticPolicy(icon, "icon.svg");
    const html = await (await send(request, "get", "/providers")).text();
    const chunk = /src="(\/_next\/static\/[^"]+\.js)"/.exec(html)?.[1];
    expect(chunk).toBeTruthy();
    const js = await send(request, "get", chunk!);
    expect(js.status()).toBe(200);
    expectStaticPolicy(js, "a Next chunk");
  });
});
