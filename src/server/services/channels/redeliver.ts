/**
 * "Redeliver" from the delivery log: queues the delivery again, as a new row with the same event id and payload
 * (receivers dedupe by the event id, Tradsy-Webhook-Id) and `redelivery_of` naming the row it repeats. The new row has
 * its own 24 h of retries and is sent even when its owner has since turned that event off (they asked for it).
 *
 * INVARIANT: only the destination's owner may redeliver (another user's delivery is NOT_FOUND, and nothing is
 * written); a disabled or unlinked destination refuses (the drain would only cancel it).
 */
import "server-only";
import { and, eq } from "drizzle-orm";
import { db } from "@/server/db";
import { channelDeliveries, notificationChannels } from "@/server/db/schema";
import { ConflictError, NotFoundError } from "@/server/errors";
import { channelsQueued, DELIVERY_TTL_MS } from "./queue";

export async function redeliver(userId: string, deliveryId: string, now: Date = new Date()): Promise<{ id: string }> {
  const [found] = await db
    .select({ delivery: channelDeliveries, channelStatus: notificationChannels.status })
    .from(channelDeliveries)
    .innerJoin(notificationChannels, eq(notificationChannels.id, channelDeliveries.channelId))
    .where(and(eq(channelDeliveries.id, deliveryId), eq(channelDeliveries.userId, userId), eq(notificationChannels.userId, userId)));
  if (!found) throw new NotFoundError("No delivery with that id");
  if (found.channelStatus !== "active") throw new ConflictError("This destination is not active: it cannot receive a redelivery");
  const original = found.delivery;
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
