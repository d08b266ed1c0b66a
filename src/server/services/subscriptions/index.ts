/** A trader's subscriptions as they see them. The billing issue adds checkout, cancellation and Stripe state. */
import "server-only";
import { desc, eq, sql } from "drizzle-orm";
import { db } from "@/server/db";
import { providers, subscriptions, users } from "@/server/db/schema";
import { stoppedStrategy } from "@/server/services/privacy/listing";
import type { ActingContext } from "@/server/services/context";
import { entitledRow } from "@/server/services/entitlements";

export async function listMySubscriptions(ctx: ActingContext) {
  const rows = await db
    .select({
      id: subscriptions.id,
      status: subscriptions.status,
      currentPeriodEnd: subscriptions.currentPeriodEnd,
      cancelAtPeriodEnd: subscriptions.cancelAtPeriodEnd,
      pastDueSince: subscriptions.pastDueSince,
      priceCents: subscriptions.priceCents,
      billed: sql<boolean>`${subscriptions.stripeSubscriptionId} is not null`,
      createdAt: subscriptions.createdAt,
      provider: { slug: providers.slug, displayName: providers.displayName, tagline: providers.tagline, priceCents: providers.priceCents },
      /** A strategy that stopped running: its subscriptions run out their paid period and end (no resume, no renewal). */
      strategyStopped: sql<boolean>`${stoppedStrategy}`,
    })
    .from(subscriptions)
    .innerJoin(providers, eq(providers.id, subscriptions.providerId))
    // INVARIANT: the subscriber is the actor, from the session.
    .where(eq(subscriptions.subscriberId, ctx.actor.id))
    .orderBy(desc(subscriptions.createdAt));
  return rows.map((r) => ({ ...r, entitled: entitledRow(r, ctx.now) }));
}

/** A provider's subscribers: display names only (emails stay private), newest first. */
export async function listSubscribersOf(providerId: string) {
  return db
    .select({
      id: subscriptions.id,
      name: users.name,
      status: subscriptions.status,
      since: subscriptions.createdAt,
      currentPeriodEnd: subscriptions.currentPeriodEnd,
      cancelAtPeriodEnd: subscriptions.cancelAtPeriodEnd,
    })
    .from(subscriptions)
    .innerJoin(users, eq(users.id, subscriptions.subscriberId))
    // INVARIANT: the provider is the caller's own (providerProcedure), never from input.
    .where(eq(subscriptions.providerId, providerId))
    .orderBy(desc(subscriptions.createdAt));
}
