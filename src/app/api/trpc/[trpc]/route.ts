import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import type { TRPCError } from "@trpc/server";
import type { NextRequest } from "next/server";
import { appRouter } from "@/server/api/root";
import { createTRPCContext } from "@/server/api/trpc";
import { auth } from "@/server/auth";
import { readBody } from "@/server/http/respond";
import { LimitExceededError } from "@/server/errors";
import { retryAfterSeconds } from "@/server/rate-limit";
import { inRequestScope } from "@/server/logger";
import { requestIdFrom } from "@/server/services/context";
import { MAX_BATCH } from "@/trpc/batch";
import { observeHttpRequest } from "@/server/metrics/registry";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * Every answer, public procedures included, is kept out of shared and disk caches: most carry the caller's own data,
 * and even public reads differ by session (a live signal's levels for an entitled viewer, the subscribe state), while
 * the URL does not. Nothing here is worth caching by HTTP: the client caches in TanStack Query. Appended, not set, so
 * the SSE stream keeps tRPC's `no-cache, no-transform` (proxies must not buffer or compress it).
 * `x-request-id` is the id every log line of the request carries (a batch is one request), so a report can be tied to
 * the log.
 */
const answerHeaders = (requestId: string) => new Headers({ "cache-control": "private, no-store", "x-request-id": requestId });

/** The longest wait a rate limit asked for among the answer's errors (a batch may carry several), or null. */
function longestWait(errors: readonly TRPCError[]): number | null {
  const waits = errors.map((e) => (e.cause instanceof LimitExceededError ? e.cause.retryAfterMs : undefined)).filter((ms): ms is number => ms !== undefined);
  return waits.length ? Math.max(...waits) : null;
}

const handler = (req: NextRequest | Request, requestId = requestIdFrom(req.headers)) =>
  inRequestScope(requestId, () =>
    fetchRequestHandler({
      endpoint: "/api/trpc",
      req,
      router: appRouter,
      maxBatchSize: MAX_BATCH,
      createContext: async () => createTRPCContext({ headers: req.headers, session: await auth(), requestId }),
      responseMeta: ({ errors }) => {
        const headers = answerHeaders(requestId);
        const wait = longestWait(errors);
        if (wait !== null) headers.set("retry-after", String(retryAfterSeconds(wait)));
        return { headers };
      },
    }),
  );

/** Procedure paths the router has (`signals.list`): only these become route labels, so made-up paths add no series. */
const procedures = new Set(Object.keys(appRouter._def.procedures));

function proceduresOf(req: Request): string[] {
  const raw = new URL(req.url).pathname.replace(/^\/api\/trpc\/?/, "");
  try {
    return decodeURIComponent(raw).split(",").slice(0, MAX_BATCH);
  } catch {
    return ["[unknown]"]; // a malformed escape
  }
}

/**
 * Observes the answer in `tradsy_http_request_duration_seconds` once per procedure of the request, as
 * `/api/trpc/<procedure>` (a batch's procedures each get the batch's duration and status; an unknown path is
 * `/api/trpc/[unknown]`). Streams (batches, SSE) are timed to their first byte: what the caller waited for.
 */
async function timed(req: Request, answer: () => Promise<Response>): Promise<Response> {
  const started = performance.now();
  const res = await answer();
  const seconds = (performance.now() - started) / 1000;
  for (const path of proceduresOf(req)) observeHttpRequest(req.method, `/api/trpc/${procedures.has(path) ? path : "[unknown]"}`, res.status, seconds);
  return res;
}

/** The largest tRPC request body (a batch of mutations): far above any form's, far below what would hurt memory. */
const MAX_BODY_BYTES = 1024 * 1024;

/** Mutations arrive as POST bodies, read here with a cap (the fetch adapter would read any size) and handed on. */
const POST = (req: NextRequest) => timed(req, () => post(req));

async function post(req: NextRequest) {
  const requestId = requestIdFrom(req.headers);
  const body = await readBody(req, MAX_BODY_BYTES);
  if (!body.ok) {
    body.response.headers.set("cache-control", "private, no-store");
    body.response.headers.set("x-request-id", requestId);
    return body.response;
  }
  return handler(new Request(req.url, { method: "POST", headers: req.headers, body: body.text, signal: req.signal }), requestId);
}

const GET = (req: NextRequest) => timed(req, () => handler(req));

export { GET, POST };
