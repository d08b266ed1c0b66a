import "server-only";
import { index, integer, jsonb, pgEnum, pgTable, primaryKey, text, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt, prefixedId, tstz } from "./_shared";
import { providers } from "./providers";
import { signals } from "./signals";
import { subscriptions } from "./subscriptions";
import { users } from "./users";

/** Every Stripe event we accepted, by its id: the row commits with the event's effects, so a redelivery is a no-op. */
export const stripeEvents = pgTable(
  "stripe_events",
  {
    id: text().primaryKey(),
    type: text().notNull(),
    /** The event's own `created` (Stripe's clock), used to ignore snapshots older than the one applied. */
    stripeCreatedAt: tstz().notNull(),
    receivedAt: createdAt(),
  },
  (t) => [index("stripe_events_received_at_idx").on(t.receivedAt)],
);

export const paymentStatus = pgEnum("payment_status", ["paid", "partially_refunded", "refunded"]);
export type PaymentStatus = (typeof paymentStatus.enumValues)[number];

/** The ledger: one row per paid invoice. Amounts in cents as Stripe reports them; provider share = amount - fee. */
export const payments = pgTable(
  "payments",
  {
    id: prefixedId("pay"),
    stripeInvoiceId: text().notNull(),
    stripeSubscriptionId: text(),
    stripeChargeId: text(),
    subscriptionId: text().references(() => subscriptions.id, { onDelete: "set null" }),
    providerId: text().references(() => providers.id, { onDelete: "set null" }),
    subscriberId: text().references(() => users.id, { onDelete: "set null" }),
    currency: text().notNull().default("usd"),
    amountCents: integer().notNull(),
    /** The application fee Stripe took for the platform on this invoice's charge. */
    platformFeeCents: integer().notNull(),
    providerShareCents: integer().notNull(),
    refundedCents: integer().notNull().default(0),
    status: paymentStatus().notNull().default("paid"),
    periodStart: tstz(),
    periodEnd: tstz(),
    paidAt: tstz().notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("payments_stripe_invoice_id_idx").on(t.stripeInvoiceId),
    index("payments_stripe_charge_id_idx").on(t.stripeChargeId),
    index("payments_provider_id_paid_at_idx").on(t.providerId, t.paidAt),
    index("payments_paid_at_idx").on(t.paidAt),
  ],
);

export const checkoutStatus = pgEnum("checkout_status", ["open", "complete", "expired"]);

/** Checkout Sessions we opened, so a second click reuses the open one instead of starting a second subscription. */
export const checkoutSessions = pgTable(
  "checkout_sessions",
  {
    id: text().primaryKey(),
    subscriberId: text()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    providerId: text()
      .notNull()
      .references(() => providers.id, { onDelete: "cascade" }),
    stripePriceId: text().notNull(),
    url: text().notNull(),
    status: checkoutStatus().notNull().default("open"),
    expiresAt: tstz().notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("checkout_sessions_pair_idx").on(t.subscriberId, t.providerId, t.status)],
);

/** Every Stripe Price a provider has had; subscriptions keep theirs when the provider changes price. */
export const providerPrices = pgTable(
  "provider_prices",
  {
    id: text().primaryKey(),
    providerId: text()
      .notNull()
      .references(() => providers.id, { onDelete: "cascade" }),
    amountCents: integer().notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("provider_prices_provider_id_idx").on(t.providerId)],
);

/** Free tier: signals a user without a subscription copied on paper (at most FREE_PAPER_COPIES). */
export const freePaperCopies = pgTable(
  "free_paper_copies",
  {
    userId: text()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    signalId: text()
      .notNull()
      .references(() => signals.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.signalId] })],
);

/**
 * Embedded mode only: the local stand-in for Stripe keeps its objects (accounts, products, prices, customers,
 * checkout sessions, subscriptions, invoices, charges) here as Stripe-shaped JSON. App tables never read it;
 * they change only through the signed webhook events the stand-in posts, exactly as with Stripe.
 */
export const embeddedStripeObjects = pgTable(
  "embedded_stripe_objects",
  {
    id: text().primaryKey(),
    type: text().notNull(),
    data: jsonb().$type<Record<string, unknown>>().notNull(),
    createdAt: createdAt(),
    updatedAt: tstz().notNull().defaultNow(),
  },
  (t) => [index("embedded_stripe_objects_type_idx").on(t.type)],
);
