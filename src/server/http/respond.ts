/**
 * JSON answers for REST and webhook routes, with the same error vocabulary as tRPC: domain errors become 4xx with
 * their message (and field errors), anything else a generic 500 whose detail only goes to the log.
 */
import "server-only";
import { DomainError, ValidationError } from "@/server/errors";
import { logger } from "@/server/logger";

const STATUS: Record<DomainError["kind"], number> = {
  not_found: 404,
  conflict: 409,
  forbidden: 403,
  unauthorized: 401,
  invalid: 400,
  limit: 429,
  risk: 422,
};

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json; charset=utf-8", ...headers } });
}

export function errorResponse(status: number, message: string, fieldErrors?: Record<string, string[]>): Response {
  return json({ error: { message, ...(fieldErrors && Object.keys(fieldErrors).length ? { fieldErrors } : {}) } }, status);
}

export function fromError(err: unknown, context: string): Response {
  if (err instanceof DomainError) {
    return errorResponse(STATUS[err.kind], err.message, err instanceof ValidationError ? err.fieldErrors : undefined);
  }
  logger.error({ err, context }, "request failed");
  return errorResponse(500, "Something went wrong on our side. Please try again.");
}

/** Reads a JSON body with a size cap; a malformed body is a 400 with a reason. */
export async function readJson(req: Request, maxBytes = 64 * 1024): Promise<{ ok: true; value: unknown } | { ok: false; response: Response }> {
  const text = await req.text();
  if (text.length > maxBytes) return { ok: false, response: errorResponse(413, `The request body is larger than ${maxBytes / 1024} KB.`) };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, response: errorResponse(400, "The request body is not valid JSON.") };
  }
}
