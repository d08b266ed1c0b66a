import "server-only";
import { boolean, index, integer, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { MARKET_OPTIONS } from "@/lib/validation/providers";
import { createdAt, prefixedId, tstz, updatedAt } from "./_shared";
import { users } from "./users";

/** The markets a provider can list; the one list is the validation's, so a form and the column never disagree. */
export const MARKETS = MARKET_OPTIONS;
export type Market = (typeof MARKETS)[number];

export const providers = pgTable(
  "providers",
  {
    id: prefixedId("prv"),
    userId: text()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    slug: text().notNull(),
    displayName: text().notNull(),
    tagline: text().notNull().default(""),
    bio: text().notNull().default(""),
    markets: text().array().$type<Market[]>().notNull().default([]),
    /** Monthly price in US cents. */
    priceCents: integer().notNull().default(300),
    trialDays: integer().notNull().default(0),
    stripeAccountId: text(),
    /** Connect onboarding finished on Stripe's side (details submitted), whether or not charges are enabled yet. */
    detailsSubmitted: boolean().notNull().default(false),
    stripeProductId: text(),
    /** The Price new subscribers get; older subscriptions keep theirs (see provider_prices). */
    stripePriceId: text(),
    chargesEnabled: boolean().notNull().default(false),
    payoutsEnabled: boolean().notNull().default(false),
    /** sha256 of the secret in the provider's TradingView webhook URL (shown once, like an API key). */
    webhookTokenHash: text(),
    /** Optional passphrase TradingView alert bodies must carry (sealed with AES-256-GCM). */
    webhookPassphraseEnc: text(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("providers_user_id_idx").on(t.userId),
    uniqueIndex("providers_slug_idx").on(t.slug),
    uniqueIndex("providers_webhook_token_hash_idx").on(t.webhookTokenHash),
    uniqueIndex("providers_stripe_account_id_idx").on(t.stripeAccountId),
    index("providers_created_at_idx").on(t.createdAt),
  ],
);

/** Provider API keys for the REST API. The key is shown once; only its sha256 and a display prefix are kept. */
export const apiKeys = pgTable(
  "api_keys",
  {
    id: prefixedId("key"),
    providerId: text()
      .notNull()
      .references(() => providers.id, { onDelete: "cascade" }),
    name: text().notNull(),
    prefix: text().notNull(),
    keyHash: text().notNull(),
    lastUsedAt: tstz(),
    revokedAt: tstz(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("api_keys_key_hash_idx").on(t.keyHash), index("api_keys_provider_id_idx").on(t.providerId)],
);
