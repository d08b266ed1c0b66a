/**
 * "Redeliver" from the delivery log: queues the delivery again, as a new row with the same event id and payload
 * (receivers dedupe by the event id, Tradsy-Webhook-Id) and `redelivery_of` naming the row it repeats. The new row has
 * its own 24 h of retries and is sent even when its owner has since turned that event off (they asked for it).
 *
 * INVARIANT: only the destination's owner may redeliver (another user's delivery is NOT_FOUND, and nothing is
 * written); a disabled or unlinked destination refuses (the drain would only cancel it).
 * INVARIANT: a signal.* delivery is redelivered only within 24 h of its event reaching this destination (the first
 * delivery of that event id to it): its payload is frozen with the levels the destination was entitled to then, which
 * it may no longer be. Test messages and copy events (the owner's own) may be redelivered at any age.
 * INVARIANT: at most MAX_REDELIVERIES_PER_MINUTE redeliveries per destination a minute (LimitExceededError), counted
 * like its test messages (destinations.ts MAX_TESTS_PER_MINUTE): by the rows queued in the last minute.
 */
import "server-only";
import { and, count, eq, gte, isNotNull, min } from "drizzle-orm";
import { db } from "@/server/db";
import { channelDeliveries, notificationChannels } from "@/server/db/schema";
import { ConflictError, LimitExceededError, NotFoundError, ValidationError } from "@/server/errors";
import { channelsQueued, DELIVERY_TTL_MS } from "./queue";

/** How long after its event a signal delivery may be redelivered (its payload's entitlement was decided then). */
export const SIGNAL_REDELIVERY_WINDOW_MS = DELIVERY_TTL_MS;

/** Redeliveries a destination may be asked for in a minute (like its test messages: destinations.ts MAX_TESTS_PER_MINUTE). */
export const MAX_REDELIVERIES_PER_MINUTE = 5;

export async function redeliver(userId: string, deliveryId: string, now: Date = new Date()): Promise<{ id: string }> {
  const [found] = await db
    .select({ delivery: channelDeliveries, channelStatus: notificationChannels.status })
    .from(channelDeliveries)
    .innerJoin(notificationChannels, eq(notificationChannels.id, channelDeliveries.channelId))
    .where(and(eq(channelDeliveries.id, deliveryId), eq(channelDeliveries.userId, userId), eq(notificationChannels.userId, userId)));
  if (!found) throw new NotFoundError("No delivery with that id");
  if (found.channelStatus !== "active") throw new ConflictError("This destination is not active: it cannot receive a redelivery");
  const original = found.delivery;
  if (original.event.startsWith("signal.")) {
    // A redelivery of a redelivery counts from the event's first delivery to this destination.
    const [first] = await db
      .select({ at: min(channelDeliveries.createdAt) })
      .from(channelDeliveries)
      .where(and(eq(channelDeliveries.channelId, original.channelId), eq(channelDeliveries.eventId, original.eventId)));
    const since = first?.at ?? original.createdAt;
    if (now.getTime() - since.getTime() > SIGNAL_REDELIVERY_WINDOW_MS) {
      throw new ValidationError("Signal deliveries can be redelivered within 24 hours of the signal's event only: they carry what this destination could see then");
    }
  }
  const [recent] = await db
    .select({ n: count() })
    .from(channelDeliveries)
    .where(and(eq(channelDeliveries.channelId, original.channelId), isNotNull(channelDeliveries.redeliveryOf), gte(channelDeliveries.createdAt, new Date(now.getTime() - 60_000))));
  if ((recent?.n ?? 0) >= MAX_REDELIVERIES_PER_MINUTE) {
    throw new LimitExceededError(`At most ${MAX_REDELIVERIES_PER_MINUTE} redeliveries a minute to one destination: try again shortly`);
  }
  const [row] = await db
    .insert(channelDeliveries)
    .values({
      channelId: original.channelId,
      userId: original.userId,
      event: original.event,
      eventId: original.eventId,
      payload: original.payload,
      redeliveryOf: original.id,
      expiresAt: new Date(now.getTime() + DELIVERY_TTL_MS),
      createdAt: now,
    })
    .returning({ id: channelDeliveries.id });
  channelsQueued(1);
  return { id: row!.id };
}
