/**
 * Queueing channel deliveries: one `channel_deliveries` row per event and destination, written inside the caller's
 * transaction (so a delivery exists exactly when the change that caused it committed), then sent by the channel
 * drain (./drain.ts, the `channel-drain` job).
 *
 * INVARIANT: a delivery is queued at most once per dedupe key (`<source>:<channelId>`): the unique index on
 * `dedupe_key` refuses the second insert (ON CONFLICT DO NOTHING), so a retried job queues nothing twice.
 * INVARIANT: `payload` is exactly what is sent (every attempt and redelivery sends the same bytes of it), and
 * `expires_at` is 24 h after queueing: retries stop there.
 */
import "server-only";
import type { Executor } from "@/server/db";
import { channelDeliveries } from "@/server/db/schema";
import { sendEvent } from "@/server/jobs/events";
import { logger } from "@/server/logger";
import type { ChannelEvent } from "./events";

/** How long a delivery is retried before it is failed. */
export const DELIVERY_TTL_MS = 24 * 60 * 60_000;

export interface QueuedDelivery {
  channelId: string;
  /** The destination's owner. */
  userId: string;
  event: ChannelEvent;
  /** What is sent (payload.ts `payloadFor(kind, event)`). */
  payload: Record<string, unknown>;
  dedupeKey: string;
}

/** Inserts the deliveries (a key already queued is skipped); returns how many were queued. */
export async function queueDeliveries(tx: Executor, rows: QueuedDelivery[], now: Date = new Date()): Promise<number> {
  if (rows.length === 0) return 0;
  const expiresAt = new Date(now.getTime() + DELIVERY_TTL_MS);
  const inserted = await tx
    .insert(channelDeliveries)
    .values(
      rows.map((r) => ({
        channelId: r.channelId,
        userId: r.userId,
        event: r.event.type,
        eventId: r.event.id,
        payload: r.payload,
        dedupeKey: r.dedupeKey,
        expiresAt,
        createdAt: now,
      })),
    )
    .onConflictDoNothing({ target: channelDeliveries.dedupeKey })
    .returning({ id: channelDeliveries.id });
  return inserted.length;
}

/**
 * Wakes the drain job after a commit that queued deliveries, so they leave now rather than at its next minute. Call
 * it AFTER the transaction that called `queueDeliveries` committed (an event sent inside it could run before the rows
 * are visible). Never throws and never waits: a lost wake-up only delays the deliveries until the cron tick.
 */
export function channelsQueued(count: number): void {
  if (count <= 0) return;
  sendEvent("channel/queued", { count }).catch((err: unknown) => {
    logger.warn({ err, count }, "channel/queued not sent; the drain's cron picks the deliveries up");
  });
}
