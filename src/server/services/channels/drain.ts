/**
 * The channel drain: sends queued deliveries (Discord, Telegram, outbound webhooks) through the sender of their
 * destination's kind, oldest first, one request at a time, and records every attempt (channel_delivery_attempts) and
 * the last answer on the row. Run by the `channel-drain` job (every minute, and on "channel/queued"). Mirrors the
 * email drain (services/email/drain.ts).
 *
 * INVARIANT: a delivery is claimed by one drain at a time: its `next_attempt_at` is moved a lease ahead under
 * FOR UPDATE SKIP LOCKED, and it is finished only while still queued. A drain that dies after the destination
 * accepted a delivery but before we recorded it leaves the row claimed; once the lease has passed it is sent again.
 * Delivery is therefore at least once: outbound webhooks carry the event's id (Tradsy-Webhook-Id) for receivers to
 * dedupe by; Discord and Telegram have no such key, and the window is one request wide.
 *
 * Failures: every failed attempt counts and waits an exponential back-off (30 s doubling, at most 1 h) until the
 * delivery's `expires_at` (24 h after it was queued; the last attempt is made at that moment), then the delivery is
 * failed. A delivery is never sent more than LATE_SEND_GRACE_MS past its `expires_at` (a drain down for hours, a
 * throttled backlog): it is failed unsent ("Not sent within 24 hours of the event"), not counted as an attempt. A refusal that would repeat (a refused address, Discord refusing the message) fails it at once; a
 * destination that is gone for good (`disable`) is turned off. The destination's own rate limit (429, `retryAfterMs`)
 * waits at least its delay (and at least MIN_RATE_LIMIT_WAIT_MS) and is not counted, up to MAX_UNCOUNTED_RATE_LIMITS
 * per delivery; further 429s are counted failures. Our limits per destination (below) make an over-limit delivery wait,
 * not counted either.
 *
 * A destination's health: a success clears `failing_since` and sets `last_success_at`; a counted failure sets
 * `failing_since` when it is null, or restarts it when nothing was sent to the destination for FAILING_STALE_AFTER_MS
 * before it (a mark left by one failure days ago says nothing about now); once it is 24 h old the destination is disabled (disable.ts: its queued
 * deliveries cancelled, its owner emailed once).
 */
import "server-only";
import { and, asc, desc, eq, gt, gte, isNull, lte, max, min, or, sql } from "drizzle-orm";
import { db } from "@/server/db";
import { channelDeliveries, channelDeliveryAttempts, notificationChannels, type ChannelKind } from "@/server/db/schema";
import { openFor } from "@/server/crypto/secret-box";
import { sendDiscord } from "@/server/integrations/discord/sender";
import { sendTelegram } from "@/server/integrations/telegram/sender";
import { logger } from "@/server/logger";
import { noMaintenance } from "@/server/services/maintenance";
import { emailsQueued } from "@/server/services/email/delivery";
import { disableChannel, FAILING_DISABLE_AFTER_MS } from "./disable";
import { DELIVERY_TTL_MS } from "./queue";
import type { ChannelSender, ChannelTarget, SendOutcome } from "@/server/integrations/channels/types";
import { sendWebhook } from "./webhook-sender";

/** Longer than a send can take (10 s, redirects included), so a live drain's claim never lapses mid-send. */
export const CLAIM_LEASE_MS = 2 * 60_000;
const BACKOFF_BASE_MS = 30_000;
const BACKOFF_MAX_MS = 60 * 60_000;
/**
 * How late past its `expires_at` a delivery may still be sent: a retry due on the 24 h mark is picked up by the next
 * cron tick (every minute) or a drain that was busy. Anything later is failed unsent (see `deliverClaimed`).
 */
export const LATE_SEND_GRACE_MS = 5 * 60_000;
/**
 * A failing mark older than this with no attempt to the destination in between is stale: retries run at least hourly
 * (BACKOFF_MAX_MS), so a destination failing all along has been tried within it. An endpoint that failed once and then
 * had nothing to send for days starts its 24 h again at its next failure instead of being disabled by it.
 */
export const FAILING_STALE_AFTER_MS = 2 * 60 * 60_000;
/**
 * The shortest wait after a destination's 429, whatever it asked for (Retry-After: 0 would otherwise be retried at
 * once, all day): outbound webhooks 5 s (a customer's server shedding load), Discord and Telegram 1 s (their
 * retry_after is usually right, but never below a second).
 */
export const MIN_RATE_LIMIT_WAIT_MS: Record<ChannelKind, number> = { webhook: 5_000, discord: 1_000, telegram: 1_000 };
/**
 * A delivery's 429s are not counted as attempts up to this many; further ones are counted failed attempts (back-off,
 * the destination marked failing, expiry and disabling apply): a destination answering nothing but 429 is failing.
 */
export const MAX_UNCOUNTED_RATE_LIMITS = 10;
/** What a row keeps of the destination's answer. */
const RESPONSE_BODY_CHARS = 500;

/** The wait after the `attempts`-th failed attempt: 30 s, 1 min, 2 min, … at most 1 h. */
export function backoffMs(attempts: number): number {
  return Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1));
}

export interface RateLimit {
  windowMs: number;
  max: number;
}

/**
 * Requests per destination, under each service's published limits: Discord allows about 30 messages a minute per
 * webhook; Telegram one message a second in a chat and 20 a minute in a group (applied to every chat, counted per
 * chat across the accounts that linked it); outbound webhooks 60 a minute per endpoint, so a burst of signals does
 * not flood a customer's server. Telegram's bot-wide 30 messages a second is left to its 429s (retry_after).
 */
export const RATE_LIMITS: Record<ChannelKind, readonly RateLimit[]> = {
  discord: [{ windowMs: 60_000, max: 30 }],
  telegram: [
    { windowMs: 1_000, max: 1 },
    { windowMs: 60_000, max: 20 },
  ],
  webhook: [{ windowMs: 60_000, max: 60 }],
};
const LONGEST_WINDOW_MS = Math.max(...Object.values(RATE_LIMITS).flatMap((limits) => limits.map((l) => l.windowMs)));

/**
 * When the next request may go out, given the times of the requests already sent (epoch ms, any order); null when
 * one may go now. Pure: a sliding window per limit.
 */
export function nextAllowedAt(sentAt: readonly number[], limits: readonly RateLimit[], now: number): number | null {
  let until: number | null = null;
  for (const { windowMs, max: limit } of limits) {
    const inWindow = sentAt.filter((at) => at > now - windowMs).sort((a, b) => a - b);
    if (inWindow.length < limit) continue;
    // The request that must leave the window before one more fits.
    const free = inWindow[inWindow.length - limit]! + windowMs;
    until = until === null ? free : Math.max(until, free);
  }
  return until;
}

export const DEFAULT_SENDERS: Record<ChannelKind, ChannelSender> = { discord: sendDiscord, telegram: sendTelegram, webhook: sendWebhook };

export interface ChannelDrainOptions {
  senders?: Record<ChannelKind, ChannelSender>;
  clock?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  /** Stop claiming new rows after this long (the cron starts the next run a minute later). */
  maxRunMs?: number;
  /** The longest wait for a rate limit or a soon-due retry inside one run; longer ones are left to a later run. */
  maxInlineWaitMs?: number;
}

export interface ChannelDrainResult {
  sent: number;
  /** Failed attempts that will be retried. */
  retrying: number;
  /** The destination's own rate limit (429): retried after its delay, not counted. */
  rateLimited: number;
  /** Held back by our per-destination limit (RATE_LIMITS): not sent yet, not counted. */
  throttled: number;
  failed: number;
  /** Not sent: the destination was disabled or unlinked, or its owner turned the event off. */
  cancelled: number;
  /** Destinations turned off in this run. */
  disabled: number;
  /** Deliveries whose processing threw (logged with their id): left claimed, retried once the lease has passed. */
  errors: number;
}

type Delivery = typeof channelDeliveries.$inferSelect;
type Channel = typeof notificationChannels.$inferSelect;
type Outcome = Exclude<keyof ChannelDrainResult, "disabled" | "errors">;

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
/** What the delivery log says of an error that is not a send's outcome (the real one is logged server-side). */
export const INTERNAL_ERROR_MESSAGE = "Tradsy could not send it (internal error); it will be retried";

/**
 * Claims the oldest due queued delivery, or null (also while a maintenance window is open: services/maintenance). Two statements in one transaction, as the email drain does (a
 * `LIMIT 1 FOR UPDATE SKIP LOCKED` subquery inside an UPDATE may run more than once and claim two rows).
 */
async function claimNext(now: Date): Promise<Delivery | null> {
  return db.transaction(async (tx) => {
    const [due] = await tx
      .select({ id: channelDeliveries.id })
      .from(channelDeliveries)
      .where(and(eq(channelDeliveries.status, "queued"), or(isNull(channelDeliveries.nextAttemptAt), lte(channelDeliveries.nextAttemptAt, now)), noMaintenance()))
      .orderBy(asc(channelDeliveries.createdAt), asc(channelDeliveries.id))
      .limit(1)
      .for("update", { skipLocked: true });
    if (!due) return null;
    const [row] = await tx
      .update(channelDeliveries)
      .set({ nextAttemptAt: new Date(now.getTime() + CLAIM_LEASE_MS) })
      .where(eq(channelDeliveries.id, due.id))
      .returning();
    return row ?? null;
  });
}

/** When the next queued delivery falls due, or null. */
async function nextDueAt(): Promise<Date | null> {
  const [row] = await db.select({ at: min(channelDeliveries.nextAttemptAt) }).from(channelDeliveries).where(eq(channelDeliveries.status, "queued"));
  return row?.at ?? null;
}

const stillQueued = (id: string) => and(eq(channelDeliveries.id, id), eq(channelDeliveries.status, "queued"));

/**
 * When our limit lets the next request to this destination go, or null for now. Counts the requests recorded in the
 * longest window: this destination's (a Telegram chat's, across the accounts that linked it).
 */
async function throttledUntil(channel: Channel, now: Date): Promise<number | null> {
  const since = new Date(now.getTime() - LONGEST_WINDOW_MS);
  // A delivery is attempted only within its 24 h (and a lease) of being queued: older ones cannot have sent lately,
  // and leaving them out lets the (channel, created_at) index bound the search.
  const queuedSince = new Date(now.getTime() - DELIVERY_TTL_MS - CLAIM_LEASE_MS - LONGEST_WINDOW_MS);
  const destination =
    channel.kind === "telegram" && channel.telegramChatId
      ? and(eq(notificationChannels.kind, "telegram"), eq(notificationChannels.telegramChatId, channel.telegramChatId))
      : eq(notificationChannels.id, channel.id);
  const rows = await db
    .select({ at: channelDeliveryAttempts.at })
    .from(channelDeliveryAttempts)
    .innerJoin(channelDeliveries, eq(channelDeliveries.id, channelDeliveryAttempts.deliveryId))
    .innerJoin(notificationChannels, eq(notificationChannels.id, channelDeliveries.channelId))
    .where(and(destination, gte(channelDeliveries.createdAt, queuedSince), gt(channelDeliveryAttempts.at, since)))
    .orderBy(desc(channelDeliveryAttempts.at))
    .limit(Math.max(...RATE_LIMITS[channel.kind].map((l) => l.max)));
  return nextAllowedAt(
    rows.map((r) => r.at.getTime()),
    RATE_LIMITS[channel.kind],
    now.getTime(),
  );
}

/** The destination with its sealed values opened, for this one send. */
function targetOf(channel: Channel): ChannelTarget {
  return {
    id: channel.id,
    kind: channel.kind,
    url: channel.urlEnc ? openFor("channel-url", channel.urlEnc) : null,
    secret: channel.secretEnc ? openFor("webhook-secret", channel.secretEnc) : null,
    telegramChatId: channel.telegramChatId,
  };
}

/** Why a claimed delivery is not sent at all, or null when it should be. */
function cancelReason(row: Delivery, channel: Channel): string | null {
  if (channel.status === "disabled") return `Not sent: the destination is turned off${channel.disabledReason ? ` (${channel.disabledReason})` : ""}`;
  if (channel.status !== "active") return "Not sent: the destination is not linked yet";
  // A test message and a redelivery were asked for by the owner; anything else follows their current choice.
  if (row.event !== "test" && !row.redeliveryOf && !channel.events.includes(row.event)) return `Not sent: ${row.event} was turned off for this destination`;
  return null;
}

/**
 * Sends one claimed delivery and records what happened. Throws only what is not a send's outcome (the database, a
 * bug); the caller logs it and goes on, the row keeping its lease.
 */
async function deliverClaimed(row: Delivery, senders: Record<ChannelKind, ChannelSender>, clock: () => Date): Promise<{ outcome: Outcome; disabled: boolean }> {
  const [channel] = await db.select().from(notificationChannels).where(eq(notificationChannels.id, row.channelId));
  const cancelled = channel ? cancelReason(row, channel) : "Not sent: the destination was removed";
  if (!channel || cancelled) {
    await db.update(channelDeliveries).set({ status: "cancelled", nextAttemptAt: null, lastError: cancelled }).where(stillQueued(row.id));
    return { outcome: "cancelled", disabled: false };
  }

  // Past its 24 h (the drain was down, or a backlog held it back): what it says is stale, so it is not sent at all.
  // Not an attempt: nothing is recorded against the destination's health.
  if (clock().getTime() > row.expiresAt.getTime() + LATE_SEND_GRACE_MS) {
    const lastError = row.attempts > 0 && row.lastError ? `${row.lastError} (gave up: not delivered within 24 h)` : "Not sent within 24 hours of the event";
    await db.update(channelDeliveries).set({ status: "failed", nextAttemptAt: null, lastError }).where(stillQueued(row.id));
    return { outcome: "failed", disabled: false };
  }

  const until = await throttledUntil(channel, clock());
  if (until !== null) {
    await db.update(channelDeliveries).set({ nextAttemptAt: new Date(until) }).where(stillQueued(row.id));
    return { outcome: "throttled", disabled: false };
  }

  let target: ChannelTarget;
  try {
    target = targetOf(channel);
  } catch (err) {
    logger.error({ err, channelId: channel.id }, "channel drain: a destination's sealed URL or secret does not open");
    await db.update(channelDeliveries).set({ status: "failed", nextAttemptAt: null, lastError: "Cannot be sent: the destination's stored URL or secret could not be read" }).where(stillQueued(row.id));
    return { outcome: "failed", disabled: false };
  }

  const [last] = await db.select({ n: max(channelDeliveryAttempts.attempt) }).from(channelDeliveryAttempts).where(eq(channelDeliveryAttempts.deliveryId, row.id));
  const attemptNo = (last?.n ?? 0) + 1;
  const startedAt = clock();
  const started = performance.now();
  let result: SendOutcome;
  try {
    result = await senders[channel.kind](target, row.payload, { id: row.id, eventId: row.eventId, event: row.event, attempt: attemptNo });
  } catch (err) {
    // A sender classifies every answer; a throw is a bug or a dying process: recorded and retried like no answer.
    // The owner sees the delivery log: the exception's text (internals) stays in our logs.
    logger.error({ err, deliveryId: row.id, kind: channel.kind }, "channel drain: the sender threw");
    result = { ok: false, status: null, error: INTERNAL_ERROR_MESSAGE, retryable: true };
  }
  const durationMs = Math.round(performance.now() - started);
  const now = clock();

  let disabled = false;
  const outcome = await db.transaction(async (tx): Promise<Outcome> => {
    // The row first, locked: a destination removed while the request was in flight took its deliveries with it
    // (cascade), and there is nothing left to record (an attempt would break the foreign key).
    const [locked] = await tx.select({ id: channelDeliveries.id }).from(channelDeliveries).where(eq(channelDeliveries.id, row.id)).for("update");
    if (!locked) return "cancelled";
    // Whether the destination was tried lately (before this attempt): a failing mark with no attempt since is stale.
    const recentSince = new Date(now.getTime() - FAILING_STALE_AFTER_MS);
    const [recent] = await tx
      .select({ at: channelDeliveryAttempts.at })
      .from(channelDeliveryAttempts)
      .innerJoin(channelDeliveries, eq(channelDeliveries.id, channelDeliveryAttempts.deliveryId))
      .where(
        and(
          eq(channelDeliveries.channelId, channel.id),
          // Attempts are made within a delivery's 24 h (and the grace): bounds the (channel, created_at) index.
          gte(channelDeliveries.createdAt, new Date(recentSince.getTime() - DELIVERY_TTL_MS - LATE_SEND_GRACE_MS - CLAIM_LEASE_MS)),
          gt(channelDeliveryAttempts.at, recentSince),
        ),
      )
      .limit(1);
    const triedLately = !!recent;
    await tx.insert(channelDeliveryAttempts).values({
      deliveryId: row.id,
      attempt: attemptNo,
      at: startedAt,
      responseStatus: result.status,
      error: result.ok ? null : result.error.slice(0, 500),
      durationMs,
    });
    const answer = { responseStatus: result.status, responseBody: result.body === undefined ? null : result.body.slice(0, RESPONSE_BODY_CHARS) };

    if (result.ok) {
      // Sent is the truth even if the destination was turned off while this request was in flight.
      await tx
        .update(channelDeliveries)
        .set({ status: "sent", sentAt: now, nextAttemptAt: null, attempts: sql`${channelDeliveries.attempts} + 1`, lastError: null, ...answer })
        .where(and(eq(channelDeliveries.id, row.id), or(eq(channelDeliveries.status, "queued"), eq(channelDeliveries.status, "cancelled"))));
      await tx.update(notificationChannels).set({ failingSince: null, lastSuccessAt: now }).where(eq(notificationChannels.id, channel.id));
      return "sent";
    }

    const error = result.error.slice(0, 500);
    const expired = (at: number) => at >= row.expiresAt.getTime();
    // The destination's own wait (429), never shorter than our minimum for its kind.
    const wait = result.retryAfterMs === undefined ? 0 : Math.max(result.retryAfterMs, MIN_RATE_LIMIT_WAIT_MS[channel.kind]);
    // This delivery's earlier 429s: its recorded attempts that were not counted (every other recorded attempt is).
    const uncounted = attemptNo - 1 - row.attempts;
    if (result.retryAfterMs !== undefined && !result.disable && uncounted < MAX_UNCOUNTED_RATE_LIMITS) {
      // The destination's rate limit: not the delivery's fault, not counted, and not a sign the destination is failing.
      const at = now.getTime() + wait;
      if (expired(at)) {
        await tx.update(channelDeliveries).set({ status: "failed", nextAttemptAt: null, lastError: `${error} (gave up: not delivered within 24 h)`, ...answer }).where(stillQueued(row.id));
        return "failed";
      }
      await tx.update(channelDeliveries).set({ nextAttemptAt: new Date(at), lastError: error, ...answer }).where(stillQueued(row.id));
      return "rateLimited";
    }

    const attempts = row.attempts + 1;
    const [health] = await tx
      .update(notificationChannels)
      .set({ failingSince: triedLately ? sql`coalesce(${notificationChannels.failingSince}, ${now.toISOString()}::timestamptz)` : now })
      .where(eq(notificationChannels.id, channel.id))
      .returning({ failingSince: notificationChannels.failingSince });
    const since = health?.failingSince;
    const disableReason = result.disable ?? (since && now.getTime() - since.getTime() >= FAILING_DISABLE_AFTER_MS ? "Every delivery to it failed for 24 hours." : null);
    const outOfTime = result.retryable && expired(now.getTime());
    const giveUp = !result.retryable || !!disableReason || outOfTime;
    await tx
      .update(channelDeliveries)
      .set(
        giveUp
          ? { status: "failed", attempts, nextAttemptAt: null, lastError: outOfTime ? `${error} (gave up: not delivered within 24 h)` : error, ...answer }
          : { attempts, nextAttemptAt: new Date(Math.min(now.getTime() + Math.max(backoffMs(attempts), wait), row.expiresAt.getTime())), lastError: error, ...answer },
      )
      .where(stillQueued(row.id));
    if (disableReason) disabled = await disableChannel(tx, channel.id, disableReason, now, { lastError: error });
    return giveUp ? "failed" : "retrying";
  });
  if (disabled) await emailsQueued(1);
  return { outcome, disabled };
}

/** Sends every due queued delivery, one at a time, for at most `maxRunMs`. */
export async function drainChannelDeliveries(options: ChannelDrainOptions = {}): Promise<ChannelDrainResult> {
  const { senders = DEFAULT_SENDERS, clock = () => new Date(), sleep = realSleep, maxRunMs = 50_000, maxInlineWaitMs = 10_000 } = options;
  const result: ChannelDrainResult = { sent: 0, retrying: 0, rateLimited: 0, throttled: 0, failed: 0, cancelled: 0, disabled: 0, errors: 0 };
  const deadline = clock().getTime() + maxRunMs;
  /** Waits until `at` when that is soon and within the run; false when the run should stop instead. */
  const waitUntil = async (at: number): Promise<boolean> => {
    const ms = at - clock().getTime();
    if (ms <= 0) return true;
    if (ms > maxInlineWaitMs || at > deadline) return false;
    await sleep(ms);
    return true;
  };
  while (clock().getTime() < deadline) {
    const claimedAt = clock();
    const row = await claimNext(claimedAt);
    if (!row) {
      const next = await nextDueAt();
      // A row due at the claim's time that we could not claim is another drain's (locked): leave it to that one.
      if (next && next.getTime() > claimedAt.getTime() && (await waitUntil(next.getTime()))) continue;
      break;
    }
    let done: { outcome: Outcome; disabled: boolean };
    try {
      done = await deliverClaimed(row, senders, clock);
    } catch (err) {
      // Not a send's outcome (the database, a bug): this delivery keeps its lease and is tried again once it has
      // passed; the others are not held up.
      logger.error({ err, deliveryId: row.id, channelId: row.channelId }, "channel drain: a delivery could not be processed; retried after its lease");
      result.errors += 1;
      continue;
    }
    result[done.outcome] += 1;
    if (done.disabled) result.disabled += 1;
  }
  if (result.failed || result.retrying || result.rateLimited || result.disabled || result.errors) logger.warn({ ...result }, "channel drain: some deliveries were not sent");
  return result;
}
