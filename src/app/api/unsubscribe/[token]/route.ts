/**
 * The unsubscribe link of every non-transactional email (List-Unsubscribe). Mail clients POST
 * `List-Unsubscribe=One-Click` to it (RFC 8058): no cookie, no session, no CSRF token and from another origin by
 * design, so the signed token in the path is the only credential, and all it can do is turn email off. GET (a person
 * clicking the link, or a link scanner) changes nothing: it is sent on to the preferences page.
 *
 * Why no origin check: src/proxy.ts refuses cross-site server actions only and never matches /api/*; this route
 * must accept a POST from anywhere. That is safe because a POST without a valid token changes nothing, and with one
 * it only does what the token's holder may do anyway.
 *
 * Answers: 200 when the topic is now off (also again, and when the recipient no longer exists: nothing is sent to
 * them); 400 with a message for a forged, altered, malformed or revoked token, or a body that is not the one-click
 * form; nothing is written on a refusal. A browser posting the page's form without JavaScript is sent back to the
 * page (303) instead of seeing JSON.
 */
import { getDatabase } from "@/server/db";
import { handleRequest } from "@/server/http/service-context";
import { errorResponse, fromError, json, readBody } from "@/server/http/respond";
import { appBaseUrl } from "@/server/http/base-url";
import { unsubscribeWithToken } from "@/server/services/email/unsubscribe";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const MAX_BODY = 4 * 1024;
const NO_STORE = { "cache-control": "no-store" };
const ONE_CLICK = "Send the one-click form: List-Unsubscribe=One-Click (application/x-www-form-urlencoded or multipart/form-data).";

const pageUrl = (req: Request, token: string, query = "") => `${appBaseUrl(req.headers)}/unsubscribe/${encodeURIComponent(token)}${query}`;

/** A browser navigating (a form posted before JavaScript), not a mail client's background POST. */
const isNavigation = (req: Request) => req.headers.get("sec-fetch-mode") === "navigate" || (req.headers.get("accept") ?? "").includes("text/html");

/** Whether the body is the RFC 8058 one-click form, in either encoding a mail client may use. */
async function isOneClickBody(contentType: string, text: string): Promise<boolean> {
  const type = contentType.toLowerCase();
  let form: URLSearchParams | FormData;
  try {
    if (type.startsWith("application/x-www-form-urlencoded")) form = new URLSearchParams(text);
    else if (type.startsWith("multipart/form-data")) form = await new Response(text, { headers: { "content-type": contentType } }).formData();
    else return false;
  } catch {
    return false;
  }
  return form.get("List-Unsubscribe") === "One-Click";
}

export async function POST(req: Request, { params }: { params: Promise<{ token: string }> }) {
  return handleRequest(req, "/api/unsubscribe/[token]", async (scope) => {
    const { token } = await params;
    const navigation = isNavigation(req);
    try {
      const body = await readBody(req, MAX_BODY);
      if (!body.ok) return body.response;
      if (!(await isOneClickBody(req.headers.get("content-type") ?? "", body.text))) return withNoStore(errorResponse(400, ONE_CLICK));
      await getDatabase();
      const outcome = await unsubscribeWithToken(scope.service(), token);
      if (navigation) return redirect(pageUrl(req, token, "?done=1"));
      return json(
        outcome.done === "gone"
          ? { ok: true, message: "Nothing is sent to this address any more." }
          : { ok: true, message: "Unsubscribed. You will not get these emails any more." },
        200,
        NO_STORE,
      );
    } catch (err) {
      const refused = withNoStore(fromError(err, "POST /api/unsubscribe", scope.log));
      // A refusal is a 4xx whoever asks; a browser gets it as a short page leading to the one that explains it.
      if (navigation && refused.status < 500) return refusalPage(refused.status, pageUrl(req, token));
      return refused;
    }
  });
}

/** A click on the link: the preferences page, which works without signing in. */
export async function GET(req: Request, { params }: { params: Promise<{ token: string }> }) {
  return handleRequest(req, "/api/unsubscribe/[token]", async () => redirect(pageUrl(req, (await params).token)));
}

function redirect(location: string): Response {
  return new Response(null, { status: 303, headers: { location, ...NO_STORE, "referrer-policy": "no-referrer" } });
}

function refusalPage(status: number, page: string): Response {
  const href = page.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
  const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex"><title>Unsubscribe link refused</title></head><body><p>This unsubscribe link could not be used. <a href="${href}">See why</a>.</p></body></html>`;
  return new Response(body, { status, headers: { "content-type": "text/html; charset=utf-8", ...NO_STORE, "referrer-policy": "no-referrer" } });
}

function withNoStore(res: Response): Response {
  res.headers.set("cache-control", "no-store");
  return res;
}
