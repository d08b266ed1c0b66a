/**
 * Next.js proxy (the file convention formerly called middleware), for page requests: the page's Content Security
 * Policy with a fresh nonce, and a first answer to refused server actions.
 *
 * CSP (issue 17): every page request gets a nonce, put in the request's CSP header (Next reads it there while it
 * renders and stamps it on its own scripts) and in the response's. Nonces need the page rendered per request, so
 * every page is dynamic (the root layout awaits `connection()`); what the proxy does not run for (API routes,
 * Next's static files, public files) gets the static CSP from next.config.ts. The policy itself is built in
 * src/lib/security/headers.ts. Prefetches skip the proxy (their RSC answer carries no script to stamp).
 *
 * Next refuses an oversized server-action body and a cross-site server action itself, but by throwing inside its
 * action handler, so the caller got a 500 (and the log a stack trace) for what is the caller's mistake or an
 * attack. This answers first with the status the refusal is: 413 for a body over the limit, 403 for an Origin that
 * is missing, `null` or not this app's host. Next's own checks stay in place behind it.
 *
 * Scope of these checks: POSTs to page paths that carry the `Next-Action` header (actions called from JavaScript) or
 * a multipart body (forms posted before JavaScript loads); never /api/* or Next's own files, so route handlers (the
 * TradingView webhook has a throughput budget) never pay for them.
 */
import { NextResponse, type NextRequest } from "next/server";
import { buildCsp, securityHeaders } from "@/lib/security/headers";
import { oauthProvidersFrom } from "@/lib/oauth-providers";

/** Must equal `experimental.serverActions.bodySizeLimit` in next.config.ts (src/proxy.test.ts checks it). */
export const SERVER_ACTION_BODY_LIMIT_BYTES = 1024 * 1024;

// `next dev` (React's dev tooling needs eval) and production (HSTS) as Next inlines NODE_ENV at build; the env module
// is not loaded here, as it would put every server setting's validation in front of each page view.
const DEV = process.env.NODE_ENV === "development";
const PRODUCTION = process.env.NODE_ENV === "production";

export async function proxy(req: NextRequest): Promise<NextResponse> {
  if (req.method === "POST" && isServerActionRequest(req)) {
    // Origin first: it costs a header read, and a cross-site request's body is not worth reading.
    if (!fromThisSite(req)) {
      return refuse(403, "This form was sent from another site. Open the page on Tradsy and submit it from there.");
    }
    if (await bodyOverLimit(req)) {
      return refuse(413, `The request is larger than ${SERVER_ACTION_BODY_LIMIT_BYTES / (1024 * 1024)} MB. Shorten what you entered and try again.`);
    }
  }
  return withNonce(req);
}

/** 16 random bytes, base64: unguessable, and new for every request. */
export function newNonce(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
}

/**
 * The request goes on with its CSP (and `x-nonce`, for a server component that renders a script of its own) set
 * by us, whatever the client sent under those names; the response carries the same policy.
 */
function withNonce(req: NextRequest): NextResponse {
  const nonce = newNonce();
  // The OAuth sign-ins configured (read at run time: not inlined at build), for the sign-in form's redirect to them.
  const csp = buildCsp({ nonce, dev: DEV, oauth: oauthProvidersFrom(process.env) });
  const headers = new Headers(req.headers);
  headers.set("content-security-policy", csp);
  headers.set("x-nonce", nonce);
  const res = NextResponse.next({ request: { headers } });
  res.headers.set("Content-Security-Policy", csp);
  return res;
}

/** What Next itself treats as a possible server action: a fetch action (header) or a multipart form post. */
function isServerActionRequest(req: NextRequest): boolean {
  return req.headers.has("next-action") || (req.headers.get("content-type") ?? "").startsWith("multipart/form-data");
}

/**
 * The same comparison as Next's action handler, without an allow-list (none is configured): the host of the
 * Origin header against `X-Forwarded-Host` (its first value) when present, else `Host`. Unlike Next, a missing or
 * `null` Origin is refused too: every browser sends Origin on a POST, so only a script or a sandboxed/privacy-mode
 * context omits it, and a server action has no business with either.
 */
function fromThisSite(req: NextRequest): boolean {
  const origin = req.headers.get("origin");
  if (!origin || origin === "null") return false;
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    return false;
  }
  const forwarded = req.headers.get("x-forwarded-host")?.split(",")[0]?.trim();
  const host = forwarded || req.headers.get("host");
  return Boolean(host) && originHost === host;
}

/**
 * Content-Length when sent (browsers always send it for actions); otherwise the body is counted as it streams, and
 * reading stops at the first byte over the limit. Next buffers the body for the proxy, so the action still reads it.
 */
async function bodyOverLimit(req: NextRequest): Promise<boolean> {
  const declared = req.headers.get("content-length");
  if (declared !== null && /^\d+$/.test(declared.trim())) return Number(declared) > SERVER_ACTION_BODY_LIMIT_BYTES;
  if (!req.body) return false;
  const reader = req.body.getReader();
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return false;
      total += value.byteLength;
      if (total > SERVER_ACTION_BODY_LIMIT_BYTES) return true;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}

/** A refusal answered here, before Next: it carries the headers Next would have added (the static CSP: it is JSON). */
function refuse(status: 403 | 413, message: string): NextResponse {
  const res = NextResponse.json({ error: { message } }, { status, headers: { "cache-control": "no-store" } });
  res.headers.set("Content-Security-Policy", buildCsp({ dev: DEV }));
  for (const { key, value } of securityHeaders({ production: PRODUCTION })) res.headers.set(key, value);
  return res;
}

/**
 * Every page path: not /api (route handlers answer JSON, CSV or files and get the static CSP; the TradingView
 * webhook has a throughput budget), not Next's own files, not the app's icon; not prefetches. (Written out three
 * times: Next reads the matcher at build time and takes only literals.)
 */
export const config = {
  matcher: [
    {
      source: "/((?!api(?:/|$)|_next/|favicon\\.ico$|icon\\.svg$).*)",
      missing: [
        { type: "header", key: "next-router-prefetch" },
        { type: "header", key: "purpose", value: "prefetch" },
      ],
    },
    // A server action is checked even when it carries a prefetch-looking header.
    { source: "/((?!api(?:/|$)|_next/|favicon\\.ico$|icon\\.svg$).*)", has: [{ type: "header", key: "next-action" }] },
    { source: "/((?!api(?:/|$)|_next/|favicon\\.ico$|icon\\.svg$).*)", has: [{ type: "header", key: "content-type", value: "multipart/form-data.*" }] },
  ],
};
