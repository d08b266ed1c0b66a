/**
 * The services' calling convention (src/server/services/context.ts) for route handlers, server actions and server
 * components: the ServiceContext of one request, acting as the actor its caller authenticated (a session, an API
 * key) or as nobody, with the client address `clientIp` believes and the request's id.
 *
 * `handleRequest` wraps a route handler: it makes the request id (sent back as `x-request-id`) and its child logger,
 * runs the handler in the request's log scope (so lines logged by code without a request logger, such as Auth.js's,
 * carry the id too), turns an unexpected throw into the generic 500 (logged with the id), and logs one line at the end
 * with the route, status and duration, and observes it in `tradsy_http_request_duration_seconds` by the route's pattern.
 * Nothing of the request's body, query or headers is logged.
 */
import "server-only";
import { headers as nextHeaders } from "next/headers";
import { unstable_rethrow } from "next/navigation";
import type { Logger } from "pino";
import { inRequestScope, logger as rootLogger } from "@/server/logger";
import { requestIdFrom, serviceContext, userAgentFrom, type ActingContext, type Actor, type ServiceContext } from "@/server/services/context";
import { appBaseUrl } from "./base-url";
import { clientIp } from "./client-ip";
import { fromError } from "./respond";
import { observeHttpRequest } from "@/server/metrics/registry";

type HeaderSource = Request | Headers;

const headersOf = (source: HeaderSource): Headers => (source instanceof Request ? source.headers : source);

/** The ServiceContext of a request (or of its headers), acting as `actor`. */
export function requestServiceContext(source: HeaderSource, actor: Actor, requestId?: string): ActingContext;
export function requestServiceContext(source: HeaderSource, actor?: Actor | null, requestId?: string): ServiceContext;
export function requestServiceContext(source: HeaderSource, actor: Actor | null = null, requestId?: string): ServiceContext {
  const headers = headersOf(source);
  return serviceContext({ actor, ip: clientIp(headers), userAgent: userAgentFrom(headers), requestId: requestId ?? requestIdFrom(headers), baseUrl: appBaseUrl(headers) });
}

/** The same for a server action or server component, from the request Next.js is answering. */
export async function actionServiceContext(actor: Actor): Promise<ActingContext>;
export async function actionServiceContext(actor?: Actor | null): Promise<ServiceContext>;
export async function actionServiceContext(actor: Actor | null = null): Promise<ServiceContext> {
  return requestServiceContext(new Headers(await nextHeaders()), actor);
}

/** What a route handler wrapped by `handleRequest` is given: its request's id, logger and ServiceContext maker. */
export interface RequestScope {
  requestId: string;
  log: Logger;
  /** The ServiceContext for this request acting as `actor` (once the handler knows who it is). */
  service(actor: Actor): ActingContext;
  service(actor?: Actor | null): ServiceContext;
}

/**
 * Runs a route handler in its request's scope. The answer carries `x-request-id`; the end of the request is logged
 * with the route, method, status and duration (debug when it succeeded, a warning when refused or failed: a 5xx's
 * detail is logged as an error where it happened, with the same id).
 */
export async function handleRequest(req: Request, route: string, handle: (scope: RequestScope) => Promise<Response>): Promise<Response> {
  const started = performance.now();
  const requestId = requestIdFrom(req.headers);
  const log = rootLogger.child({ requestId });
  const service = (actor: Actor | null = null): ServiceContext => ({ ...requestServiceContext(req, actor, requestId), log });
  const scope = { requestId, log, service } as RequestScope;
  let res: Response;
  try {
    res = await inRequestScope(requestId, () => handle(scope));
  } catch (err) {
    unstable_rethrow(err); // Next.js's own control flow (redirect, notFound) is not a failure
    res = fromError(err, `${req.method} ${route}`, log);
  }
  res = withHeader(res, "x-request-id", requestId);
  const seconds = (performance.now() - started) / 1000;
  observeHttpRequest(req.method, route, res.status, seconds);
  const durationMs = Math.round(seconds * 10_000) / 10;
  const line = { route, method: req.method, status: res.status, durationMs };
  if (res.status < 400) log.debug(line, "request done");
  else log.warn(line, "request refused or failed");
  return res;
}

/** Sets a header on an answer, copying it first when its headers are immutable (e.g. `Response.redirect`). */
function withHeader(res: Response, name: string, value: string): Response {
  try {
    res.headers.set(name, value);
    return res;
  } catch {
    const copy = new Response(res.body, res);
    copy.headers.set(name, value);
    return copy;
  }
}
