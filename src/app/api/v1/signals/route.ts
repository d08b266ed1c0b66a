/**
 * Provider REST API. `Authorization: Bearer <api key>`.
 * POST publishes a signal (same rules as the web form; `Idempotency-Key` header or `idempotencyKey` field makes
 * retries safe); GET lists the caller's own signals (`?status=live|done&page=1&pageSize=20`).
 */
import { z } from "zod";
import { getDatabase } from "@/server/db";
import { authenticateApiKey } from "@/server/services/api-keys";
import { listOwnSignals, publishSignal } from "@/server/services/signals";
import { toView } from "@/server/services/signals/views";
import { errorResponse, fromError, json, privateAnswer, readJson, refuseUnsafeText } from "@/server/http/respond";
import { statusOf } from "@/server/errors";
import { fieldErrorsFromZod, firstFieldError } from "@/lib/validation/field-errors";
import { handleRequest, type RequestScope } from "@/server/http/service-context";
import { addressKey } from "@/server/http/client-ip";
import { consume } from "@/server/rate-limit";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

async function authenticate(req: Request) {
  const header = req.headers.get("authorization") ?? "";
  const key = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
  if (!key) return null;
  return authenticateApiKey(key);
}

/**
 * REST writes per address and per API key, in the shared store: far above any provider's publishing (which has
 * its own quota, SIGNAL_PUBLISH_LIMIT_PER_MINUTE), a floor under floods. Refusals are 429 with Retry-After.
 */
export const REST_WRITE_LIMITS = { perKey: { points: 120, seconds: 60 }, perAddress: { points: 300, seconds: 60 } } as const;

const UNAUTHORIZED = () => errorResponse(statusOf("unauthorized"), "Send your API key as `Authorization: Bearer tsk_…`. Create one under Settings → API keys.");

/** The caller's own signals and answers: never kept by a cache. */
export async function POST(req: Request) {
  return handleRequest(req, "/api/v1/signals", async (scope) => privateAnswer(await publish(req, scope)));
}

export async function GET(req: Request) {
  return handleRequest(req, "/api/v1/signals", async (scope) => privateAnswer(await list(req, scope)));
}

async function publish(req: Request, scope: RequestScope) {
  try {
    await getDatabase();
    // Per address before the key is looked up (a flood of made-up keys costs the same as real ones), then per key.
    await consume("rest-write-ip", addressKey(scope.service().ip), REST_WRITE_LIMITS.perAddress.points, REST_WRITE_LIMITS.perAddress.seconds);
    const auth = await authenticate(req);
    if (!auth) return UNAUTHORIZED();
    await consume("rest-write-key", auth.keyId, REST_WRITE_LIMITS.perKey.points, REST_WRITE_LIMITS.perKey.seconds);
    const body = await readJson(req);
    if (!body.ok) return body.response;
    if (typeof body.value !== "object" || body.value === null || Array.isArray(body.value)) {
      return errorResponse(statusOf("invalid"), "The request body must be a JSON object describing the signal.");
    }
    const headerKey = req.headers.get("idempotency-key") ?? undefined;
    const input = { ...(body.value as Record<string, unknown>), ...(headerKey && !("idempotencyKey" in (body.value as object)) ? { idempotencyKey: headerKey } : {}) };
    // The API key's provider acts (keys belong to providers).
    const { signal, created } = await publishSignal(scope.service({ id: auth.provider.userId, role: "provider" }), auth.provider.id, input, "api");
    return json({ signal: toView(signal, "owner"), created }, created ? 201 : 200);
  } catch (err) {
    return fromError(err, "POST /api/v1/signals", scope.log);
  }
}

const listQuery = z.object({
  status: z.enum(["live", "done"], { error: "status is live or done" }).optional(),
  page: z.coerce.number({ error: "page is a number" }).int().min(1, "page starts at 1").max(10_000).default(1),
  pageSize: z.coerce.number({ error: "pageSize is a number" }).int().min(1).max(100, "pageSize is at most 100").default(20),
});

async function list(req: Request, scope: RequestScope) {
  try {
    await getDatabase();
    const auth = await authenticate(req);
    if (!auth) return UNAUTHORIZED();
    const params = Object.fromEntries(new URL(req.url).searchParams);
    const refused = refuseUnsafeText(params);
    if (refused) return refused;
    const q = listQuery.safeParse(params);
    if (!q.success) {
      const fields = fieldErrorsFromZod(q.error);
      return errorResponse(statusOf("invalid"), firstFieldError(fields) ?? "Bad query", fields);
    }
    const res = await listOwnSignals(auth.provider.id, q.data);
    return json({ ...res, items: res.items.map((s) => toView(s, "owner")) });
  } catch (err) {
    return fromError(err, "GET /api/v1/signals", scope.log);
  }
}
