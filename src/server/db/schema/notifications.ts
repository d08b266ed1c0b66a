import "server-only";
import { sql } from "drizzle-orm";
import {
  boolean,
  check,
  index,
  integer,
  pgEnum,
  pgTable,
  primaryKey,
  smallint,
  text,
  unique,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { createdAt, prefixedId, tstz, updatedAt } from "./_shared";
import { providers } from "./providers";
import { signals } from "./signals";
import { users } from "./users";

export const notificationPrefs = pgTable(
  "notification_prefs",
  {
    userId: text()
      .primaryKey()
      .references(() => users.id, { onDelete: "cascade" }),
    signalEmails: boolean().notNull().default(true),
    digestEmails: boolean().notNull().default(true),
    /** Onboarding sequence, tips and product news. */
    productEmails: boolean().notNull().default(true),
    /** Copy events (filled, skipped, rejected) for the follower. Risk pauses and exits that keep failing are always sent. */
    copyEmails: boolean().notNull().default(true),
    /** The daily digest goes out at this local hour (0–23) in `timeZone` (an IANA name), daylight saving included. */
    digestHour: smallint().notNull().default(8),
    timeZone: text().notNull().default("UTC"),
    /** Part of every unsubscribe token this user was sent: bumping it revokes them all (tokens never expire otherwise). */
    unsubscribeVersion: integer().notNull().default(0),
    updatedAt: updatedAt(),
  },
  (t) => [
    check(
      "notification_prefs_digest_hour_check",
      sql`${t.digestHour} between 0 and 23`,
    ),
  ],
);

/** Per-provider alert choices of a follower; no row means both on (the account-wide `signalEmails` still applies). */
export const providerAlertPrefs = pgTable(
  "provider_alert_prefs",
  {
    userId: text()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    providerId: text()
      .notNull()
      .references(() => providers.id, { onDelete: "cascade" }),
    newSignal: boolean().notNull().default(true),
    signalClosed: boolean().notNull().default(true),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.providerId] }),
    index("provider_alert_prefs_provider_id_idx").on(t.providerId),
  ],
);

/**
 * queued: waiting for the drain job (also after a failed attempt, with `nextAttemptAt`); sent: the provider accepted it;
 * failed: gave up (attempts exhausted or refused for good); suppressed: never sent (the address bounced or complained,
 * or the recipient opted out of this kind of email before it went out); held: queued when a backup was restored, kept
 * for an admin to release or cancel (the lost copy may have sent it already).
 */
export const emailStatus = pgEnum("email_status", [
  "queued",
  "sent",
  "failed",
  "suppressed",
  "held",
]);

/** transactional: verification, reset, receipts, security (no opt-out); notification and marketing carry List-Unsubscribe. */
export const emailStream = pgEnum("email_stream", [
  "transactional",
  "notification",
  "marketing",
]);

/** Every email we send is written here first; the email issue adds the Resend sender that drains it. */
export const emailOutbox = pgTable(
  "email_outbox",
  {
    id: prefixedId("eml"),
    userId: text().references(() => users.id, { onDelete: "set null" }),
    to: text().notNull(),
    kind: text().notNull(),
    subject: text().notNull(),
    /** With each one-time link (verification, reset) as a placeholder: this copy never holds a working token. */
    html: text().notNull(),
    text: text().notNull(),
    /**
     * The live one-time links, AES-256-GCM sealed (src/server/crypto), put back in at send time
     * (services/email `renderForDelivery`); cleared once sent. Null when the email has none.
     */
    oneTimeLinksEnc: text(),
    /**
     * The random value every placeholder of this email carries, chosen when it was rendered: only text carrying it
     * is a placeholder (text written by anyone else, a display name say, is left as written). Kept once the links
     * are cleared, so the admin copy of a sent email still marks where they were. Null when the email has none.
     */
    oneTimeLinkNonce: text(),
    status: emailStatus().notNull().default("queued"),
    stream: emailStream().notNull().default("transactional"),
    /**
     * What makes this email unique where a retried cause could queue it twice (a digest for a user and a day, a
     * sequence step, an alert batch): queueing again with the same key is a no-op.
     */
    dedupeKey: text(),
    /** The https one-click unsubscribe link (signed token) for non-transactional email: List-Unsubscribe points at it. */
    unsubscribeUrl: text(),
    /** Send attempts made; a failed attempt leaves the row queued until `nextAttemptAt` (back-off), or failed at the cap. */
    attempts: integer().notNull().default(0),
    nextAttemptAt: tstz(),
    lastError: text(),
    /** The provider's id for the sent message (Resend's `id`), which its webhooks refer to. */
    providerMessageId: text(),
    /** The provider's latest delivery event: delivered, delivery_delayed, bounced, complained, suppressed, failed. */
    deliveryStatus: text(),
    deliveryUpdatedAt: tstz(),
    createdAt: createdAt(),
    sentAt: tstz(),
  },
  (t) => [
    index("email_outbox_created_at_idx").on(t.createdAt),
    index("email_outbox_user_id_idx").on(t.userId),
    uniqueIndex("email_outbox_dedupe_key_idx").on(t.dedupeKey),
    index("email_outbox_provider_message_id_idx").on(t.providerMessageId),
    index("email_outbox_queued_idx")
      .on(t.nextAttemptAt)
      .where(sql`${t.status} = 'queued'`),
  ],
);

/** Addresses nothing more is sent to: they bounced (hard), complained, or the provider suppressed them. Lower-cased. */
export const emailSuppressions = pgTable("email_suppressions", {
  email: text().primaryKey(),
  reason: text().$type<"bounced" | "complained" | "suppressed">().notNull(),
  /** The provider message that caused it, when known. */
  providerMessageId: text(),
  createdAt: createdAt(),
});

/** Webhook deliveries from the email provider already applied, by their `svix-id`: a redelivery changes nothing. */
export const emailWebhookEvents = pgTable("email_webhook_events", {
  id: text().primaryKey(),
  type: text().notNull(),
  receivedAt: createdAt(),
});

export const digestSubscriberStatus = pgEnum("digest_subscriber_status", [
  "pending",
  "confirmed",
  "unsubscribed",
]);

/**
 * People without an account who asked for the weekly digest of one provider (or of the marketplace: no provider).
 * Double opt-in: nothing but the confirmation email is sent until `confirmedAt`; the confirmation token is single-use
 * (only its sha256 is stored, cleared once used).
 */
export const digestSubscribers = pgTable(
  "digest_subscribers",
  {
    id: prefixedId("dgs"),
    /** Trimmed and lower-cased. */
    email: text().notNull(),
    providerId: text().references(() => providers.id, { onDelete: "cascade" }),
    status: digestSubscriberStatus().notNull().default("pending"),
    confirmTokenHash: text(),
    confirmedAt: tstz(),
    /** Part of every unsubscribe token sent to this subscription: bumping it revokes them. */
    unsubscribeVersion: integer().notNull().default(0),
    lastSentAt: tstz(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    unique("digest_subscribers_email_provider_key")
      .on(t.email, t.providerId)
      .nullsNotDistinct(),
    uniqueIndex("digest_subscribers_confirm_token_idx").on(t.confirmTokenHash),
    index("digest_subscribers_provider_id_idx").on(t.providerId),
  ],
);

export const onboardingPath = pgEnum("onboarding_path", ["trader", "provider"]);

/**
 * A user's onboarding: which path (trader or provider), the in-app checklist's "skip", and facts the product does not
 * otherwise record (the marketplace browsed). The email sequence stops when `sequenceStoppedAt` is set.
 */
export const onboarding = pgTable("onboarding", {
  userId: text()
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  path: onboardingPath().notNull(),
  checklistSkippedAt: tstz(),
  marketplaceBrowsedAt: tstz(),
  sequenceStartedAt: tstz(),
  sequenceStoppedAt: tstz(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/**
 * Signal alerts already emailed to the provider's followers: one row per signal and kind, written in the transaction
 * that queues the alert emails, so a retried or repeated alert job never emails a signal twice, and a burst of
 * signals in one minute goes out as one email per follower.
 */
export const signalAlerts = pgTable(
  "signal_alerts",
  {
    signalId: text()
      .notNull()
      .references(() => signals.id, { onDelete: "cascade" }),
    kind: text().$type<"published" | "closed">().notNull(),
    providerId: text()
      .notNull()
      .references(() => providers.id, { onDelete: "cascade" }),
    alertedAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.signalId, t.kind] }), index("signal_alerts_provider_id_idx").on(t.providerId, t.alertedAt)],
);
