import "server-only";
import { sql } from "drizzle-orm";
import { bigint, boolean, index, integer, jsonb, pgEnum, pgTable, primaryKey, text, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt, prefixedId, tstz, updatedAt } from "./_shared";
import { providers } from "./providers";
import { users } from "./users";

/**
 * Notification channels beyond email (services/channels): Discord webhooks, linked Telegram chats and outbound
 * webhooks to people's own tools. Every send is a row in `channel_deliveries`, recorded like an email (status,
 * attempts, last error, the answer) so support can see what happened.
 */

export const channelKind = pgEnum("channel_kind", ["discord", "telegram", "webhook"]);
export type ChannelKind = (typeof channelKind.enumValues)[number];

/**
 * pending: a Telegram link waiting for `/start <code>`; active: receives its events; disabled: stopped (failed for
 * 24 h, the bot was blocked or removed from the chat, or unlinked from Telegram), with `disabledReason`.
 */
export const channelStatus = pgEnum("channel_status", ["pending", "active", "disabled"]);
export type ChannelStatus = (typeof channelStatus.enumValues)[number];

/**
 * alerts: the owner's own alerts (the providers they follow, their copies); community: a provider's own signals
 * posted to its community's channel (Discord), with levels only when the provider chose `includeLevels`.
 */
export const channelPurpose = pgEnum("channel_purpose", ["alerts", "community"]);
export type ChannelPurpose = (typeof channelPurpose.enumValues)[number];

export const notificationChannels = pgTable(
  "notification_channels",
  {
    id: prefixedId("chn"),
    userId: text()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    kind: channelKind().notNull(),
    purpose: channelPurpose().notNull().default("alerts"),
    /** The owner's name for it ("Trading desk", "My bot"). */
    label: text().notNull(),
    status: channelStatus().notNull().default("active"),
    /** The Discord webhook URL (a credential: anyone holding it can post) or the outbound webhook URL, AES-256-GCM sealed. */
    urlEnc: text(),
    /** What pages show of the URL: scheme, host and path with any token cut. */
    urlHint: text(),
    /** Outbound webhooks: the signing secret (whsec_…), sealed; shown once, when the endpoint is created or rolled. */
    secretEnc: text(),
    /** Telegram: the linked chat's id (set by `/start <code>`), and its title or @username for pages. */
    telegramChatId: text(),
    telegramChatName: text(),
    /** Telegram: the pending one-time link code's sha256 and expiry; cleared once used. */
    linkCodeHash: text(),
    linkCodeExpiresAt: tstz(),
    /** The event types this destination receives (services/channels/events.ts `CHANNEL_EVENT_TYPES`). */
    events: text().array().notNull().default(sql`'{}'::text[]`),
    /** Community channels: the provider chose to post open signals' market, side and levels there (default: no). */
    includeLevels: boolean().notNull().default(false),
    /** Since when every send has failed (null after a success): 24 h of it disables the destination. */
    failingSince: tstz(),
    lastSuccessAt: tstz(),
    disabledAt: tstz(),
    disabledReason: text(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("notification_channels_user_id_idx").on(t.userId),
    uniqueIndex("notification_channels_link_code_idx").on(t.linkCodeHash),
    // One link per account and chat (a group chat may be linked by several accounts).
    uniqueIndex("notification_channels_user_chat_idx").on(t.userId, t.telegramChatId),
  ],
);

/**
 * Per-provider choices of one destination, as `provider_alert_prefs` for email: no row means both on (the
 * destination's `events` still apply).
 */
export const channelProviderPrefs = pgTable(
  "channel_provider_prefs",
  {
    channelId: text()
      .notNull()
      .references(() => notificationChannels.id, { onDelete: "cascade" }),
    providerId: text()
      .notNull()
      .references(() => providers.id, { onDelete: "cascade" }),
    newSignal: boolean().notNull().default(true),
    signalClosed: boolean().notNull().default(true),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.channelId, t.providerId] }), index("channel_provider_prefs_provider_id_idx").on(t.providerId)],
);

/**
 * queued: waiting for the channel drain (also after a failed attempt, until `nextAttemptAt`); sent: the destination
 * accepted it (2xx); failed: gave up (refused for good, or still failing `expiresAt`); cancelled: not sent (the
 * destination was removed or disabled, or its owner turned that event off before it went out).
 */
export const channelDeliveryStatus = pgEnum("channel_delivery_status", ["queued", "sent", "failed", "cancelled", "held"]);
export type ChannelDeliveryStatus = (typeof channelDeliveryStatus.enumValues)[number];

export const channelDeliveries = pgTable(
  "channel_deliveries",
  {
    id: prefixedId("dlv"),
    channelId: text()
      .notNull()
      .references(() => notificationChannels.id, { onDelete: "cascade" }),
    /** The destination's owner (access checks read it without a join). */
    userId: text()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** The event type (signal.published, copy.filled, test, …). */
    event: text().notNull(),
    /** The event's id (evt_…): the same for every destination and every redelivery of one event; receivers dedupe by it. */
    eventId: text().notNull(),
    /** Exactly what is sent: the Discord execute-webhook body, the Telegram sendMessage parameters, the webhook envelope. */
    payload: jsonb().$type<Record<string, unknown>>().notNull(),
    /** What makes the send unique where a retried cause could queue it twice (the event and the destination). */
    dedupeKey: text(),
    status: channelDeliveryStatus().notNull().default("queued"),
    attempts: integer().notNull().default(0),
    nextAttemptAt: tstz(),
    lastError: text(),
    /** The destination's last HTTP status, and the start of its body (at most 500 characters). */
    responseStatus: integer(),
    responseBody: text(),
    /** A redelivery names the delivery it repeats (same event id and payload). */
    redeliveryOf: text(),
    /** Retries stop here (24 h after it was queued): the delivery is then failed. */
    expiresAt: tstz().notNull(),
    createdAt: createdAt(),
    sentAt: tstz(),
  },
  (t) => [
    uniqueIndex("channel_deliveries_dedupe_key_idx").on(t.dedupeKey),
    index("channel_deliveries_channel_id_idx").on(t.channelId, t.createdAt),
    index("channel_deliveries_user_id_idx").on(t.userId, t.createdAt),
    index("channel_deliveries_queued_idx")
      .on(t.nextAttemptAt)
      .where(sql`${t.status} = 'queued'`),
  ],
);

/** Each attempt of a delivery, for the delivery log: when, the answer's status (null: no answer), the error, the time taken. */
export const channelDeliveryAttempts = pgTable(
  "channel_delivery_attempts",
  {
    deliveryId: text()
      .notNull()
      .references(() => channelDeliveries.id, { onDelete: "cascade" }),
    attempt: integer().notNull(),
    at: createdAt(),
    responseStatus: integer(),
    error: text(),
    durationMs: integer().notNull(),
  },
  (t) => [primaryKey({ columns: [t.deliveryId, t.attempt] })],
);

/** Telegram updates already handled (from the bot webhook or `getUpdates`): a redelivered update changes nothing. */
export const telegramUpdates = pgTable("telegram_updates", {
  updateId: bigint({ mode: "number" }).primaryKey(),
  receivedAt: createdAt(),
});
