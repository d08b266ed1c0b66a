/**
 * Who may see what. Every read path for signals asks this module, never the subscription table directly.
 * An open signal's levels (symbol, side, prices) are for its provider and the provider's entitled subscribers only;
 * everyone else sees that it exists. Closed, cancelled and expired signals are public: they are the track record.
 */
import "server-only";
import { and, eq, inArray } from "drizzle-orm";
import { db, type Executor } from "@/server/db";
import { providers, subscriptions, type SubscriptionStatus } from "@/server/db/schema";

/** Subscription states that grant access to open signals. The billing issue adds the past-due grace period. */
export const ENTITLED_STATUSES: SubscriptionStatus[] = ["trialing", "active", "past_due"];

export interface Viewer {
  id: string;
  role: "subscriber" | "provider" | "admin";
}

export type Access = "owner" | "subscriber" | "public";

/** Providers whose open signals this viewer may see in full (its own profile plus entitled subscriptions). */
export async function entitledProviderIds(viewer: Viewer | null, tx: Executor = db): Promise<Set<string>> {
  if (!viewer) return new Set();
  const [own, subs] = await Promise.all([
    tx.select({ id: providers.id }).from(providers).where(eq(providers.userId, viewer.id)),
    tx
      .select({ id: subscriptions.providerId })
      .from(subscriptions)
      .where(and(eq(subscriptions.subscriberId, viewer.id), inArray(subscriptions.status, ENTITLED_STATUSES))),
  ]);
  return new Set([...own, ...subs].map((r) => r.id));
}

export async function accessTo(viewer: Viewer | null, providerId: string, tx: Executor = db): Promise<Access> {
  if (!viewer) return "public";
  const provider = await tx.query.providers.findFirst({ where: eq(providers.id, providerId), columns: { userId: true } });
  if (provider?.userId === viewer.id) return "owner";
  const ids = await entitledProviderIds(viewer, tx);
  return ids.has(providerId) ? "subscriber" : "public";
}

export const isLive = (status: string) => status === "pending" || status === "open";
