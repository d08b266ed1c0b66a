/**
 * JSON answers for REST and webhook routes, in the error vocabulary of src/server/errors.ts shared with tRPC: domain
 * errors become their kind's 4xx with their message (and field errors), anything else a generic 500 whose detail
 * only goes to the log.
 */
import "server-only";
import type { Logger } from "pino";
import { LimitExceededError, errorBody, refusalOf, statusOf } from "@/server/errors";
import { logger } from "@/server/logger";
import { unsafeTextRefusal } from "@/lib/validation/text";

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json; charset=utf-8", ...headers } });
}

export function errorResponse(status: number, message: string, fieldErrors?: Record<string, string[]>): Response {
  return json(errorBody(message, fieldErrors), status);
}

/** A domain error's answer, or the generic 500 with the detail logged (by the request's own logger when given). */
export function fromError(err: unknown, context: string, log: Logger = logger): Response {
  const refusal = refusalOf(err);
  if (refusal) {
    const res = errorResponse(refusal.status, refusal.message, refusal.fieldErrors);
    // A rate limit says when to come back: HTTP clients (and TradingView's retries) read it from the header.
    if (err instanceof LimitExceededError && err.retryAfterMs !== undefined) res.headers.set("retry-after", String(Math.max(1, Math.ceil(err.retryAfterMs / 1000))));
    return res;
  }
  log.error({ err, context }, "request failed");
  return errorResponse(500, "Something went wrong on our side. Please try again.");
}

/**
 * A 400 for the first string in `value` (keys included) holding a control character or broken UTF-16, or null when
 * all of its text is clean: the REST side of the one text rule (src/lib/validation/text.ts). `subject` names what
 * is refused when `value` is a single string, e.g. a route parameter.
 */
export function refuseUnsafeText(value: unknown, subject?: string): Response | null {
  const refusal = unsafeTextRefusal(value, subject);
  return refusal ? errorResponse(statusOf("invalid"), refusal.message, subject ? undefined : refusal.fieldErrors) : null;
}

const sizeOf = (bytes: number) => (bytes >= 1024 * 1024 ? `${bytes / (1024 * 1024)} MB` : `${bytes / 1024} KB`);

/**
 * Reads a request body as UTF-8 text, never more than `maxBytes` of it: a body declared larger is refused before a
 * byte is read, and one streamed without a length is read only up to the limit (413). Every route that reads a
 * body goes through this, so an oversized request costs the server no more memory than the route's limit.
 */
export async function readBody(req: Request, maxBytes: number): Promise<{ ok: true; text: string } | { ok: false; response: Response }> {
  const tooLarge = () => ({ ok: false as const, response: errorResponse(413, `The request body is larger than ${sizeOf(maxBytes)}.`) });
  const declared = req.headers.get("content-length")?.trim();
  if (declared && /^\d+$/.test(declared) && Number(declared) > maxBytes) {
    await req.body?.cancel().catch(() => undefined);
    return tooLarge();
  }
  if (!req.body) return { ok: true, text: "" };
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return tooLarge();
    }
    chunks.push(value);
  }
  return { ok: true, text: Buffer.concat(chunks).toString("utf8") };
}

/**
 * Reads a JSON body with a size cap; a malformed body, or one with a control character in any string, is a 400 with
 * a reason.
 */
export async function readJson(req: Request, maxBytes = 64 * 1024): Promise<{ ok: true; value: unknown } | { ok: false; response: Response }> {
  const body = await readBody(req, maxBytes);
  if (!body.ok) return body;
  const text = body.text;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, response: errorResponse(statusOf("invalid"), "The request body is not valid JSON.") };
  }
  const refused = refuseUnsafeText(value);
  return refused ? { ok: false, response: refused } : { ok: true, value };
}

/** Marks an answer that carries the caller's own data as one no cache may keep (browser, proxy or CDN). */
export function privateAnswer(res: Response): Response {
  res.headers.set("cache-control", "private, no-store");
  return res;
}
