/**
 * A user's notification destinations (Discord webhooks, linked Telegram chats, outbound webhooks): adding, changing,
 * removing, a test message, and the delivery log. The channels router is a thin layer over these.
 *
 * INVARIANT: every function takes the owner from `ctx.actor` and finds rows by (owner, id): another user's
 * destination or delivery is NOT_FOUND, the same answer as one that does not exist, and nothing is written.
 * INVARIANT: what leaves here never holds a credential: Discord and webhook URLs are sealed ("channel-url") and shown
 * as a hint with the token cut; a webhook's signing secret is sealed ("webhook-secret") and answered once, by
 * `addWebhook` and `rollSecret`, never again.
 * Outbound URLs are checked when saved (checkOutboundUrl: https, a public address) and again by safe-fetch at every
 * send (the name may resolve elsewhere by then).
 */
import "server-only";
import { randomBytes } from "node:crypto";
import { and, count, desc, eq, gt, gte, inArray, ne, or } from "drizzle-orm";
import { env } from "@/env";
import { db } from "@/server/db";
import { channelDeliveries, channelDeliveryAttempts, notificationChannels, personalProviderOf, type ChannelKind, type ChannelPurpose } from "@/server/db/schema";
import { sealFor } from "@/server/crypto/secret-box";
import { ConflictError, LimitExceededError, NotFoundError, ValidationError } from "@/server/errors";
import { checkOutboundUrl, UnsafeUrlError } from "@/server/http/safe-fetch";
import { discordUrlHint, parseDiscordWebhookUrl } from "@/server/integrations/discord/webhook-url";
import { recordAudit } from "@/server/services/audit";
import type { ActingContext } from "@/server/services/context";
import { startTelegramLink as startLink, unlinkTelegram } from "./telegram-link";
import { CHANNEL_EVENT_TYPES, COMMUNITY_EVENT_TYPES, DEFAULT_CHANNEL_EVENTS, type ChannelEvent, type ChannelEventType } from "./events";
import { followedProviders, prefsOf, saveProviderPrefs } from "./preferences";
import { payloadFor } from "./payload";
import { channelsQueued, queueDeliveries } from "./queue";
import { eventIdOf } from "./fanout";
import type { AddDiscordInput, AddWebhookInput, UpdateChannelInput } from "@/lib/validation/channels";
import { newWebhookSecret } from "@/lib/webhook-signature";

/** Destinations per account (a generous ceiling: each one is sent every alert). */
export const MAX_DESTINATIONS = 20;
/** "Send a test message" at most this often per destination and minute. */
export const MAX_TESTS_PER_MINUTE = 5;

/** A community channel posts the provider's own signals: copies are each follower's private business. */
const COMMUNITY_DEFAULT: readonly ChannelEventType[] = ["signal.published", "signal.closed"];

/**
 * What a page shows of an outbound URL: scheme, host and port only, then "/…" when there is more (any path segment or
 * query may be a token: Slack-style and Zapier-style hooks put one in the first segment).
 */
export function webhookHint(url: URL): string {
  const more = (url.pathname !== "/" && url.pathname !== "") || url.search !== "";
  return `${url.protocol}//${url.host}${more ? "/…" : "/"}`;
}

/**
 * The hint a page gets for a stored row, cut again to today's rule (rows saved before it may hold a Discord token's
 * first characters or a webhook URL's first path segment).
 */
export function shownHint(kind: ChannelKind, hint: string | null): string | null {
  if (hint === null || kind === "telegram") return hint;
  if (kind === "discord") {
    const id = /^discord\.com\/api\/webhooks\/(\d+)\//.exec(hint)?.[1];
    return id ? `discord.com/api/webhooks/${id}/…` : "discord.com/api/webhooks/…";
  }
  const m = /^(https?:\/\/[^/?#]+)(.*)$/.exec(hint);
  if (!m) return null;
  return `${m[1]}${m[2] && m[2] !== "/" ? "/…" : "/"}`;
}

function urlRefused(message: string): never {
  throw new ValidationError(message, { url: [message] });
}

async function ownProvider(userId: string) {
  return db.query.providers.findFirst({ columns: { id: true }, where: personalProviderOf(userId) });
}

/** The events a new destination gets: the chosen ones, else the defaults for its purpose; a community channel only signals. */
async function eventsFor(ctx: ActingContext, purpose: ChannelPurpose, events: readonly ChannelEventType[] | undefined): Promise<ChannelEventType[]> {
  if (purpose === "community") {
    // Only a provider has a community to post to (its own signals).
    if (ctx.actor.role !== "provider" || !(await ownProvider(ctx.actor.id))) {
      throw new ValidationError("Only signal providers can post to a community channel", { purpose: ["Only signal providers can post to a community channel"] });
    }
    const chosen = events ?? COMMUNITY_DEFAULT;
    if (chosen.some((e) => !COMMUNITY_EVENT_TYPES.includes(e))) {
      throw new ValidationError("A community channel posts your signals only (copy events are private)", { events: ["A community channel posts your signals only (copy events are private)"] });
    }
    return [...chosen];
  }
  return [...(events ?? DEFAULT_CHANNEL_EVENTS)];
}

/**
 * A user's destinations that count: all but Telegram links whose code ran out before it was used (the telegram-poll
 * job's prune deletes those; until then they are neither listed nor counted).
 */
const liveDestinations = (userId: string, now: Date) =>
  and(eq(notificationChannels.userId, userId), or(ne(notificationChannels.status, "pending"), gt(notificationChannels.linkCodeExpiresAt, now)));

async function checkRoom(userId: string, now: Date): Promise<void> {
  const [n] = await db.select({ n: count() }).from(notificationChannels).where(liveDestinations(userId, now));
  if ((n?.n ?? 0) >= MAX_DESTINATIONS) throw new LimitExceededError(`You can have at most ${MAX_DESTINATIONS} destinations: remove one first`);
}

/** The caller's destination `id`, or NOT_FOUND (also when it is someone else's). */
async function ownChannel(userId: string, id: string) {
  const row = await db.query.notificationChannels.findFirst({ where: and(eq(notificationChannels.userId, userId), eq(notificationChannels.id, id)) });
  if (!row) throw new NotFoundError("No destination with that id");
  return row;
}

export async function addDiscord(ctx: ActingContext, input: AddDiscordInput & { purpose: ChannelPurpose }): Promise<{ id: string }> {
  const parsed = parseDiscordWebhookUrl(input.url);
  if (typeof parsed === "string") urlRefused(parsed);
  const events = await eventsFor(ctx, input.purpose, input.events);
  await checkRoom(ctx.actor.id, ctx.now);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(notificationChannels)
      .values({
        userId: ctx.actor.id,
        kind: "discord",
        purpose: input.purpose,
        label: input.label.trim(),
        status: "active",
        urlEnc: sealFor("channel-url", parsed.url),
        urlHint: discordUrlHint(parsed.url),
        events,
        createdAt: ctx.now,
        updatedAt: ctx.now,
      })
      .returning({ id: notificationChannels.id });
    await recordAudit(tx, { actorId: ctx.actor.id, action: "channel.created", targetType: "notification_channel", targetId: row!.id, data: { kind: "discord", purpose: input.purpose }, ip: ctx.ip, userAgent: ctx.userAgent });
    return { id: row!.id };
  });
}

/** Adds an outbound webhook endpoint. Answers its signing secret: the only time it is shown. */
export async function addWebhook(ctx: ActingContext, input: AddWebhookInput & { purpose: ChannelPurpose }): Promise<{ id: string; secret: string }> {
  let url: URL;
  try {
    url = checkOutboundUrl(input.url.trim());
  } catch (err) {
    if (err instanceof UnsafeUrlError) urlRefused(err.message);
    throw err;
  }
  const events = await eventsFor(ctx, input.purpose, input.events);
  await checkRoom(ctx.actor.id, ctx.now);
  const secret = newWebhookSecret();
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(notificationChannels)
      .values({
        userId: ctx.actor.id,
        kind: "webhook",
        purpose: input.purpose,
        label: input.label.trim(),
        status: "active",
        urlEnc: sealFor("channel-url", url.toString()),
        urlHint: webhookHint(url),
        secretEnc: sealFor("webhook-secret", secret),
        events,
        createdAt: ctx.now,
        updatedAt: ctx.now,
      })
      .returning({ id: notificationChannels.id });
    await recordAudit(tx, { actorId: ctx.actor.id, action: "channel.created", targetType: "notification_channel", targetId: row!.id, data: { kind: "webhook", purpose: input.purpose }, ip: ctx.ip, userAgent: ctx.userAgent });
    return { id: row!.id, secret };
  });
}

/** A new signing secret for a webhook endpoint (the old one stops verifying at once). Answered once. */
export async function rollSecret(ctx: ActingContext, id: string): Promise<{ secret: string }> {
  const row = await ownChannel(ctx.actor.id, id);
  if (row.kind !== "webhook") throw new ValidationError("Only webhook endpoints have a signing secret");
  const secret = newWebhookSecret();
  await db.transaction(async (tx) => {
    await tx.update(notificationChannels).set({ secretEnc: sealFor("webhook-secret", secret), updatedAt: ctx.now }).where(eq(notificationChannels.id, row.id));
    await recordAudit(tx, { actorId: ctx.actor.id, action: "channel.secret_rolled", targetType: "notification_channel", targetId: row.id, ip: ctx.ip, userAgent: ctx.userAgent });
  });
  return { secret };
}

/** Whether the Telegram bot is configured (TELEGRAM_BOT_TOKEN): without it there is nothing to link to. */
export const telegramEnabled = (): boolean => Boolean(env.TELEGRAM_BOT_TOKEN);

/** Starts linking a Telegram chat: a pending destination and a one-time code to send the bot (`/start <code>`). */
export async function startTelegram(ctx: ActingContext, label: string | undefined) {
  if (!telegramEnabled()) throw new ConflictError("Telegram is not set up on this server (TELEGRAM_BOT_TOKEN is not set)");
  await checkRoom(ctx.actor.id, ctx.now);
  return startLink(ctx.actor.id, { now: ctx.now, ...(label ? { label } : {}) });
}

export async function updateDestination(ctx: ActingContext, input: UpdateChannelInput): Promise<{ ok: true }> {
  const row = await ownChannel(ctx.actor.id, input.id);
  if (input.events && row.purpose === "community" && input.events.some((e) => !COMMUNITY_EVENT_TYPES.includes(e))) {
    throw new ValidationError("A community channel posts your signals only (copy events are private)", { events: ["A community channel posts your signals only (copy events are private)"] });
  }
  if (input.includeLevels !== undefined && row.purpose !== "community") {
    throw new ValidationError("Levels are chosen per provider subscription; only a community channel has this choice", { includeLevels: ["Only a community channel has this choice"] });
  }
  if (input.providerPrefs?.length && row.purpose !== "alerts") {
    throw new ValidationError("A community channel posts your own signals: it has no per-provider choices", { providerPrefs: ["A community channel has no per-provider choices"] });
  }
  await db.transaction(async (tx) => {
    const set: Partial<typeof notificationChannels.$inferInsert> = { updatedAt: ctx.now };
    if (input.label !== undefined) set.label = input.label;
    if (input.events !== undefined) set.events = [...input.events];
    if (input.includeLevels !== undefined) set.includeLevels = input.includeLevels;
    await tx.update(notificationChannels).set(set).where(and(eq(notificationChannels.id, row.id), eq(notificationChannels.userId, ctx.actor.id)));
    if (input.providerPrefs) await saveProviderPrefs(tx, row, input.providerPrefs, ctx.now);
    if (input.includeLevels !== undefined && input.includeLevels !== row.includeLevels) {
      await recordAudit(tx, { actorId: ctx.actor.id, action: "channel.levels_changed", targetType: "notification_channel", targetId: row.id, data: { includeLevels: input.includeLevels }, ip: ctx.ip, userAgent: ctx.userAgent });
    }
  });
  return { ok: true };
}

/** Removes a destination and its delivery log; a linked Telegram chat is told it was unlinked. */
export async function removeDestination(ctx: ActingContext, id: string): Promise<{ ok: true }> {
  const row = await ownChannel(ctx.actor.id, id);
  if (row.kind === "telegram") {
    // Deletes the row and writes the audit row in one transaction; a linked chat is told after the commit.
    await unlinkTelegram(ctx.actor.id, row.id, {
      log: ctx.log,
      onRemoved: (tx) => recordAudit(tx, { actorId: ctx.actor.id, action: "channel.removed", targetType: "notification_channel", targetId: row.id, data: { kind: row.kind }, ip: ctx.ip, userAgent: ctx.userAgent }),
    });
    return { ok: true };
  }
  await db.transaction(async (tx) => {
    await tx.delete(notificationChannels).where(and(eq(notificationChannels.id, row.id), eq(notificationChannels.userId, ctx.actor.id)));
    await recordAudit(tx, { actorId: ctx.actor.id, action: "channel.removed", targetType: "notification_channel", targetId: row.id, data: { kind: row.kind }, ip: ctx.ip, userAgent: ctx.userAgent });
  });
  return { ok: true };
}

/** "Send a test message": a `test` delivery queued now, sent by the drain like any other. */
export async function sendTest(ctx: ActingContext, id: string): Promise<{ deliveryId: string }> {
  const row = await ownChannel(ctx.actor.id, id);
  if (row.status !== "active") {
    throw new ConflictError(row.status === "pending" ? "Link the chat first: send the code to the bot" : `This destination is disabled${row.disabledReason ? ` (${row.disabledReason})` : ""}`);
  }
  const since = new Date(ctx.now.getTime() - 60_000);
  const [recent] = await db
    .select({ n: count() })
    .from(channelDeliveries)
    .where(and(eq(channelDeliveries.channelId, row.id), eq(channelDeliveries.event, "test"), gte(channelDeliveries.createdAt, since)));
  if ((recent?.n ?? 0) >= MAX_TESTS_PER_MINUTE) throw new LimitExceededError(`At most ${MAX_TESTS_PER_MINUTE} test messages a minute: try again shortly`);
  const nonce = randomBytes(9).toString("base64url");
  const event: ChannelEvent = {
    id: eventIdOf(`test:${row.id}:${nonce}`),
    type: "test",
    occurredAt: ctx.now.toISOString(),
    data: { message: `Test message for “${row.label}”: this destination receives your Tradsy alerts.`, url: `${ctx.baseUrl}/settings#channels` },
  };
  const queued = await db.transaction(async (tx) => {
    await queueDeliveries(tx, [{ channelId: row.id, userId: row.userId, event, payload: payloadFor(row.kind, event), dedupeKey: `test:${nonce}:${row.id}` }], ctx.now);
    const [d] = await tx.select({ id: channelDeliveries.id }).from(channelDeliveries).where(eq(channelDeliveries.dedupeKey, `test:${nonce}:${row.id}`));
    return d!.id;
  });
  channelsQueued(1);
  return { deliveryId: queued };
}

export interface DestinationView {
  id: string;
  kind: ChannelKind;
  purpose: ChannelPurpose;
  label: string;
  status: "pending" | "active" | "disabled";
  urlHint: string | null;
  telegramChatName: string | null;
  events: ChannelEventType[];
  includeLevels: boolean;
  hasSigningSecret: boolean;
  linkExpiresAt: Date | null;
  failingSince: Date | null;
  lastSuccessAt: Date | null;
  disabledAt: Date | null;
  disabledReason: string | null;
  createdAt: Date;
  /** Alerts destinations: every followed provider with this destination's choices (both on when never chosen). */
  providerPrefs: { providerId: string; name: string; newSignal: boolean; signalClosed: boolean }[];
}

const knownEvents = (events: string[]): ChannelEventType[] => events.filter((e): e is ChannelEventType => (CHANNEL_EVENT_TYPES as readonly string[]).includes(e));

/** The caller's destinations, newest first, with what the settings page needs (no credential); expired links left out. */
export async function listDestinations(ctx: ActingContext) {
  const rows = await db.select().from(notificationChannels).where(liveDestinations(ctx.actor.id, ctx.now)).orderBy(desc(notificationChannels.createdAt), desc(notificationChannels.id));
  const [followed, prefs, provider] = await Promise.all([followedProviders(db, ctx.actor.id, ctx.now), prefsOf(db, rows.map((r) => r.id)), ownProvider(ctx.actor.id)]);
  const destinations: DestinationView[] = rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    purpose: r.purpose,
    label: r.label,
    status: r.status,
    urlHint: shownHint(r.kind, r.urlHint),
    telegramChatName: r.telegramChatName,
    events: knownEvents(r.events),
    includeLevels: r.includeLevels,
    hasSigningSecret: r.secretEnc !== null,
    linkExpiresAt: r.status === "pending" ? r.linkCodeExpiresAt : null,
    failingSince: r.failingSince,
    lastSuccessAt: r.lastSuccessAt,
    disabledAt: r.disabledAt,
    disabledReason: r.disabledReason,
    createdAt: r.createdAt,
    providerPrefs:
      r.purpose === "alerts"
        ? followed.map((p) => {
            const chosen = prefs.get(r.id)?.get(p.providerId);
            return { providerId: p.providerId, name: p.name, newSignal: chosen?.newSignal ?? true, signalClosed: chosen?.signalClosed ?? true };
          })
        : [],
  }));
  return { destinations, telegramEnabled: telegramEnabled(), canPostToCommunity: ctx.actor.role === "provider" && Boolean(provider) };
}

/** One destination's delivery log, newest first, each delivery with its attempts. */
export async function listDeliveries(ctx: ActingContext, input: { channelId: string; page: number; pageSize: number }) {
  const channel = await ownChannel(ctx.actor.id, input.channelId);
  const where = and(eq(channelDeliveries.channelId, channel.id), eq(channelDeliveries.userId, ctx.actor.id));
  const [totalRow] = await db.select({ n: count() }).from(channelDeliveries).where(where);
  const rows = await db
    .select()
    .from(channelDeliveries)
    .where(where)
    .orderBy(desc(channelDeliveries.createdAt), desc(channelDeliveries.id))
    .limit(input.pageSize)
    .offset((input.page - 1) * input.pageSize);
  const attempts = rows.length
    ? await db
        .select()
        .from(channelDeliveryAttempts)
        .where(inArray(channelDeliveryAttempts.deliveryId, rows.map((r) => r.id)))
        .orderBy(channelDeliveryAttempts.deliveryId, channelDeliveryAttempts.attempt)
    : [];
  return {
    destination: { id: channel.id, label: channel.label, kind: channel.kind, status: channel.status, urlHint: shownHint(channel.kind, channel.urlHint), telegramChatName: channel.telegramChatName, disabledReason: channel.disabledReason },
    total: totalRow?.n ?? 0,
    page: input.page,
    pageSize: input.pageSize,
    items: rows.map((r) => ({
      id: r.id,
      event: r.event,
      eventId: r.eventId,
      status: r.status,
      attempts: r.attempts,
      nextAttemptAt: r.status === "queued" ? r.nextAttemptAt : null,
      lastError: r.lastError,
      responseStatus: r.responseStatus,
      responseBody: r.responseBody,
      redeliveryOf: r.redeliveryOf,
      payload: r.payload,
      createdAt: r.createdAt,
      sentAt: r.sentAt,
      expiresAt: r.expiresAt,
      attemptLog: attempts
        .filter((a) => a.deliveryId === r.id)
        .map((a) => ({ attempt: a.attempt, at: a.at, responseStatus: a.responseStatus, error: a.error, durationMs: a.durationMs })),
    })),
  };
}
