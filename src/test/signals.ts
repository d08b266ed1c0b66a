/** Builders and probes shared by the signal integration tests (publishing, webhook, chain, entitlements, monitor). */
import { count, sql } from "drizzle-orm";
import { db } from "@/server/db";
import { auditLog, providers, signalEvents, signals, subscriptions, webhookDeliveries, personalProviderOf, type SubscriptionStatus, type UserRole } from "@/server/db/schema";
import { createApiKey } from "@/server/services/api-keys";
import { listenerCount } from "@/server/services/realtime";
import { serviceContext, type ActingContext } from "@/server/services/context";
import { callerFor, createUser } from "./factories";

export type Provider = typeof providers.$inferSelect;

/** A provider user, its provider row and a tRPC caller acting as it. */
export async function newProvider() {
  const user = await createUser("provider");
  const provider = (await db.query.providers.findFirst({ where: personalProviderOf(user.id) }))!;
  return { user, provider, caller: await callerFor(user) };
}

/**
 * The services' context of `user` acting, from `ip` when given. At `now` when given; otherwise each call made with
 * it reads the clock, as each request of a live user would, so a test can reuse one context for a sequence of calls.
 */
export function actingAs(user: { id: string; role: UserRole }, init: { now?: Date; ip?: string | null } = {}): ActingContext {
  const ctx = serviceContext({ actor: { id: user.id, role: user.role }, ...init });
  if (init.now) return ctx;
  return Object.defineProperty(ctx, "now", { get: () => new Date(), enumerable: true });
}

/** A provider with a TradingView webhook URL made through the settings procedure, and the URL's secret token. */
export async function newProviderWithWebhook() {
  const p = await newProvider();
  const { url } = await p.caller.providers.rotateWebhook();
  return { ...p, url, token: url.split("/").at(-1)! };
}

export async function newApiKey(p: { user: { id: string }; provider: { id: string } }): Promise<string> {
  return (await createApiKey(serviceContext({ actor: { id: p.user.id, role: "provider" } }), p.provider.id, "tests")).key;
}

export async function subscribe(subscriberId: string, providerId: string, status: SubscriptionStatus) {
  await db.insert(subscriptions).values({ subscriberId, providerId, status });
}

/** Rows in the tables a refused request must not touch. */
export async function rowCounts() {
  const n = async (t: typeof signals | typeof signalEvents | typeof auditLog | typeof webhookDeliveries) =>
    (await db.select({ n: count() }).from(t))[0]!.n;
  return {
    signals: await n(signals),
    signalEvents: await n(signalEvents),
    auditLog: await n(auditLog),
    webhookDeliveries: await n(webhookDeliveries),
  };
}

/** Rows of a raw `db.execute`, whichever driver (postgres.js returns an array, PGlite `{ rows }`). */
export async function rawRows<T extends Record<string, unknown>>(query: ReturnType<typeof sql>): Promise<T[]> {
  const res = (await db.execute(query)) as unknown;
  return (Array.isArray(res) ? res : (res as { rows: T[] }).rows) as T[];
}

/** A JSON request to a route handler. */
export function jsonRequest(url: string, method: string, body?: unknown, headers: Record<string, string> = {}): Request {
  return new Request(url, {
    method,
    headers: { "content-type": "application/json", ...headers },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
}

/** Resolves with the promise's value, or rejects after `ms` (so a missing live event fails instead of hanging). */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms);
    }),
  ]);
}

/** Waits until `n` live streams listen to the realtime hub (a stream subscribes a moment after it is opened). */
export async function untilListening(n: number): Promise<void> {
  const deadline = Date.now() + 5000;
  while (listenerCount() < n) {
    if (Date.now() > deadline) throw new Error(`only ${listenerCount()} of ${n} streams listening`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
