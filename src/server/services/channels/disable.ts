/**
 * Turning a destination off because it stopped working: every send failed for 24 h (the drain), or the destination
 * itself said it is gone for good (Discord's Unknown Webhook, the Telegram bot blocked or removed). Its queued
 * deliveries are cancelled and its owner gets the channel-disabled email.
 *
 * INVARIANT: a destination is disabled, and its owner emailed, once per disabling: the update only takes a destination
 * that is not already disabled (two drains, or a retry, find nothing left to do), and the email's dedupe key names
 * that disabling.
 */
import "server-only";
import { createElement } from "react";
import { and, eq, ne } from "drizzle-orm";
import ChannelDisabled, { channelDisabledSubject } from "@emails/channel-disabled";
import { formatUtcDateTime } from "@/lib/format/dates";
import type { Executor } from "@/server/db";
import { channelDeliveries, notificationChannels, users, type ChannelKind } from "@/server/db/schema";
import { appBaseUrl } from "@/server/http/base-url";
import { queueEmail } from "@/server/services/email/outbox";

/** A destination's own page: its delivery log, which shows every attempt and why it was turned off. */
export function channelLogPath(channelId: string): string {
  return `/settings/channels/${encodeURIComponent(channelId)}`;
}

/** After this long of nothing but failures, a destination is disabled. */
export const FAILING_DISABLE_AFTER_MS = 24 * 60 * 60_000;

export const KIND_NAME: Record<ChannelKind, string> = { discord: "Discord webhook", telegram: "Telegram chat", webhook: "Webhook endpoint" };

export interface DisableOptions {
  /** Email the owner (default true). */
  notify?: boolean;
  /** The last error, for the email. */
  lastError?: string | null;
}

/**
 * Disables the destination with `reason` (for people: it is shown on its page and in the email), cancels its queued
 * deliveries and queues the owner's email, in `tx`. Returns whether it did (false: already disabled, or gone). The
 * caller wakes the email drain (`emailsQueued`) after its commit.
 */
export async function disableChannel(tx: Executor, channelId: string, reason: string, now: Date, options: DisableOptions = {}): Promise<boolean> {
  const [channel] = await tx
    .update(notificationChannels)
    .set({ status: "disabled", disabledAt: now, disabledReason: reason })
    .where(and(eq(notificationChannels.id, channelId), ne(notificationChannels.status, "disabled")))
    .returning();
  if (!channel) return false;
  await tx
    .update(channelDeliveries)
    .set({ status: "cancelled", nextAttemptAt: null, lastError: `Not sent: the destination was turned off (${reason})` })
    .where(and(eq(channelDeliveries.channelId, channelId), eq(channelDeliveries.status, "queued")));
  if (options.notify === false) return true;
  const [owner] = await tx.select({ email: users.email, name: users.name }).from(users).where(eq(users.id, channel.userId));
  if (!owner) return true;
  const kind = KIND_NAME[channel.kind];
  await queueEmail(tx, {
    to: owner.email,
    userId: channel.userId,
    kind: "channel-disabled",
    subject: channelDisabledSubject({ kind, label: channel.label }),
    template: createElement(ChannelDisabled, {
      name: owner.name ?? "there",
      kind,
      label: channel.label,
      where: channel.kind === "telegram" ? (channel.telegramChatName ?? "a Telegram chat") : (channel.urlHint ?? "its URL"),
      reason,
      ...(options.lastError ? { lastError: options.lastError } : {}),
      when: formatUtcDateTime(now),
      logUrl: `${appBaseUrl()}${channelLogPath(channelId)}`,
    }),
    stream: "transactional",
    dedupeKey: `channel-disabled:${channelId}:${now.getTime()}`,
  });
  return true;
}
