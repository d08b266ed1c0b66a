/**
 * Next.js proxy (the file convention formerly called middleware), scoped to server-action requests only.
 *
 * Next refuses an oversized server-action body and a cross-site server action itself, but by throwing inside its
 * action handler, so the caller got a 500 (and the log a stack trace) for what is the caller's mistake or an
 * attack. This answers first with the status the refusal is: 413 for a body over the limit, 403 for an Origin that
 * is missing, `null` or not this app's host. Next's own checks stay in place behind it.
 *
 * Scope: the matcher selects POST-able page paths that carry the `Next-Action` header (actions called from
 * JavaScript) or a multipart body (forms posted before JavaScript loads), and never /api/* or Next's own files, so
 * route handlers (the TradingView webhook has a throughput budget) and ordinary page views never pay for it.
 */
import { NextResponse, type NextRequest } from "next/server";

/** Must equal `experimental.serverActions.bodySizeLimit` in next.config.ts (src/proxy.test.ts checks it). */
export const SERVER_ACTION_BODY_LIMIT_BYTES = 1024 * 1024;

export async function proxy(req: NextRequest): Promise<NextResponse> {
  if (req.method !== "POST" || !isServerActionRequest(req)) return NextResponse.next();
  // Origin first: it costs a header read, and a cross-site request's body is not worth reading.
  if (!fromThisSite(req)) {
    return refuse(403, "This form was sent from another site. Open the page on Tradsy and submit it from there.");
  }
  if (await bodyOverLimit(req)) {
    return refuse(413, `The request is larger than ${SERVER_ACTION_BODY_LIMIT_BYTES / (1024 * 1024)} MB. Shorten what you entered and try again.`);
  }
  return NextResponse.next();
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

function refuse(status: 403 | 413, message: string): NextResponse {
  return NextResponse.json({ error: { message } }, { status, headers: { "cache-control": "no-store" } });
}

export const config = {
  matcher: [
    { source: "/((?!api(?:/|$)|_next/).*)", has: [{ type: "header", key: "next-action" }] },
    { source: "/((?!api(?:/|$)|_next/).*)", has: [{ type: "header", key: "content-type", value: "multipart/form-data.*" }] },
  ],
};
