/** A trader's subscriptions as they see them. The billing issue adds checkout, cancellation and Stripe state. */
import "server-only";
import { desc, eq, sql } from "drizzle-orm";
import { db } from "@/server/db";
import { providers, subscriptions, users } from "@/server/db/schema";
import { entitledRow } from "@/server/services/entitlements";

export async function listMySubscriptions(subscriberId: string) {
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
    })
    .from(subscriptions)
    .innerJoin(providers, eq(providers.id, subscriptions.providerId))
    // INVARIANT: the subscriber is the caller, from the session.
    .where(eq(subscriptions.subscriberId, subscriberId))
    .orderBy(desc(subscriptions.createdAt));
  const now = new Date();
  return rows.map((r) => ({ ...r, entitled: entitledRow(r, now) }));
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
