import "server-only";
import { and, eq, sql } from "drizzle-orm";
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
    /**
     * A strategy running live (strategy_runs) rather than a person: a user has one personal provider and any number
     * of automated ones, so "the user's provider" always means `automated = false` (personalProviderOf).
     */
    automated: boolean().notNull().default(false),
    /** Hidden from the marketplace and closed to new subscribers before this instant (a strategy's incubation). */
    listedFrom: tstz(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("providers_user_id_idx").on(t.userId).where(sql`${t.automated} = false`),
    index("providers_owner_idx").on(t.userId),
    uniqueIndex("providers_slug_idx").on(t.slug),
    uniqueIndex("providers_webhook_token_hash_idx").on(t.webhookTokenHash),
    uniqueIndex("providers_stripe_account_id_idx").on(t.stripeAccountId),
    index("providers_created_at_idx").on(t.createdAt),
  ],
);

/** "The user's provider": their personal one, never a strategy they run live (those are `automated`). */
export function personalProviderOf(userId: string) {
  return and(eq(providers.userId, userId), eq(providers.automated, false));
}

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
