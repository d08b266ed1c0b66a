/**
 * The one calling convention for services: who acts, from where, when, and the request's logger. Built once per
 * request — in the tRPC procedure ladder (`ctx.service`) and in each route handler or server action
 * (`serviceContext(...)`) — and passed as the first argument to every service function that acts for someone.
 * Owners and roles come from here (the session or an authenticated key), never from input.
 */
import "server-only";
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { UserRole } from "@/server/db/schema";
import { logger as rootLogger } from "@/server/logger";
import { appBaseUrl } from "@/server/http/base-url";
import { trustedProxyHops } from "@/server/http/client-ip";

export interface Actor {
  id: string;
  role: UserRole;
}

export interface ServiceContext {
  /** The signed-in user, the API key's owner, or null for a visitor or a system job. */
  actor: Actor | null;
  /** The client address as far as the trusted proxies tell (`clientIp`), or null. */
  ip: string | null;
  /** The request's User-Agent (at most 512 characters), for the audit log; null for jobs and scripts. */
  userAgent?: string | null;
  /** The session's own id (the JWT's `sid`, a `user_sessions` row) when a signed-in browser acts; step-up is per session. */
  sessionId?: string | null;
  /** The request's clock: one instant for everything the request decides. */
  now: Date;
  /** Ties every log line of a request together (also sent back as `x-request-id`). */
  requestId: string;
  /** A child of the root logger carrying `requestId`. */
  log: Logger;
  /**
   * The base URL for links this work builds (emails, webhook URLs): `appBaseUrl` of the request, or of no request
   * for a job (src/server/http/base-url.ts).
   */
  baseUrl: string;
}

/** A context with someone acting: what a service that acts for a user takes (protectedProcedure's `ctx.service`). */
export type ActingContext = ServiceContext & { actor: Actor };

export interface ServiceContextInit {
  actor?: Actor | null;
  ip?: string | null;
  userAgent?: string | null;
  sessionId?: string | null;
  now?: Date;
  requestId?: string;
  /** The request's `appBaseUrl(headers)`; without one, the base URL of work done without a request. */
  baseUrl?: string;
}

/**
 * The request id: the `x-request-id` a trusted proxy in front of us set (short and plain), or a new one. With no
 * trusted proxy (`TRUSTED_PROXY_HOPS` 0) the header comes from the client itself, which must not choose the id its
 * lines are logged under, so a new one is made.
 */
export function requestIdFrom(headers: Headers | null | undefined): string {
  const given = trustedProxyHops() > 0 ? headers?.get("x-request-id") : null;
  return given && /^[A-Za-z0-9._:-]{1,64}$/.test(given) ? given : randomUUID();
}

export function serviceContext(init: ServiceContextInit & { actor: Actor }): ActingContext;
export function serviceContext(init?: ServiceContextInit): ServiceContext;
export function serviceContext(init: ServiceContextInit = {}): ServiceContext {
  const requestId = init.requestId ?? randomUUID();
  let baseUrl = init.baseUrl;
  return {
    // Only who acts: a session's user object carries more (email, name) that services must not come to rely on.
    actor: init.actor ? { id: init.actor.id, role: init.actor.role } : null,
    ip: init.ip ?? null,
    userAgent: init.userAgent ?? null,
    sessionId: init.sessionId ?? null,
    now: init.now ?? new Date(),
    requestId,
    log: rootLogger.child({ requestId }),
    // Worked out when a link is first built: work that builds none (a seed, a job) must not need APP_URL.
    get baseUrl() {
      return (baseUrl ??= appBaseUrl());
    },
  };
}

/** The User-Agent header as the audit log and the devices list keep it: trimmed, at most 512 characters, or null. */
export function userAgentFrom(headers: Headers | null | undefined): string | null {
  const ua = headers?.get("user-agent")?.trim();
  return ua ? ua.slice(0, 512) : null;
}

/** For jobs and scripts that act as the platform itself (price monitor, seed, CLI). */
export function systemContext(now: Date = new Date()): ServiceContext {
  return serviceContext({ now, requestId: `system-${randomUUID()}` });
}
