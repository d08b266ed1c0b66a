import "server-only";
import { sql } from "drizzle-orm";
import { boolean, index, integer, pgEnum, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt, prefixedId, tstz, updatedAt } from "./_shared";
import { providers } from "./providers";
import { users } from "./users";

export const subscriptionStatus = pgEnum("subscription_status", ["incomplete", "trialing", "active", "past_due", "paused", "canceled"]);
export type SubscriptionStatus = (typeof subscriptionStatus.enumValues)[number];
/** Statuses that still bill (or may again): the `subscriptions_live_pair_idx` set, one per subscriber and provider. */
export const LIVE_SUBSCRIPTION_STATUSES: SubscriptionStatus[] = ["incomplete", "trialing", "active", "past_due", "paused"];

/** A trader's subscription to a provider. The billing issue drives it from Stripe; entitlements read it. */
export const subscriptions = pgTable(
  "subscriptions",
  {
    id: prefixedId("sub"),
    subscriberId: text()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    providerId: text()
      .notNull()
      .references(() => providers.id, { onDelete: "cascade" }),
    status: subscriptionStatus().notNull(),
    stripeSubscriptionId: text(),
    stripeCustomerId: text(),
    stripePriceId: text(),
    /** The monthly price this subscription pays (its Stripe Price's amount), for MRR. */
    priceCents: integer(),
    currentPeriodStart: tstz(),
    currentPeriodEnd: tstz(),
    cancelAtPeriodEnd: boolean().notNull().default(false),
    pastDueSince: tstz(),
    canceledAt: tstz(),
    /**
     * A second live Stripe subscription to the same provider (two checkouts in two tabs) is ended here at once and
     * cancelled at Stripe: `pending` until Stripe confirmed the cancellation, then `cancelled`.
     */
    duplicateState: text().$type<"pending" | "cancelled">(),
    /** `created` of the newest Stripe event applied; older snapshots arriving late are ignored. */
    stripeSyncedAt: tstz(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("subscriptions_subscriber_id_idx").on(t.subscriberId),
    index("subscriptions_provider_id_status_idx").on(t.providerId, t.status),
    uniqueIndex("subscriptions_stripe_subscription_id_idx").on(t.stripeSubscriptionId),
    // INVARIANT: at most one live subscription per (subscriber, provider).
    uniqueIndex("subscriptions_live_pair_idx")
      .on(t.subscriberId, t.providerId)
      .where(sql`status in ('incomplete', 'trialing', 'active', 'past_due', 'paused')`),
  ],
);
