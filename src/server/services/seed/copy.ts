/**
 * The demo trader copies two demo providers on paper, from 30 days back: their signal events of that span go through
 * the real copy engine in the order they happened, each on its own time (the fill 400 ms after the event, at the
 * price the event recorded), so a newcomer finds a paper account with history, open and closed positions and an
 * execution ledger computed exactly as live copies are.
 */
import "server-only";
import { and, asc, eq, gte, inArray } from "drizzle-orm";
import type { Db } from "@/server/db";
import { copyFanouts, copySettings, paperAccounts, providers, signalEvents, signals, subscriptions, users } from "@/server/db/schema";
import { logger } from "@/server/logger";
import { ensurePaperAccount, runFanout } from "@/server/services/copy/engine";
import { newId } from "@/lib/ids";
import { DEMO_PAID_FOLLOWS } from "./billing";

const DAY = 86_400_000;
/** How far back the demo trader's copying starts. */
const COPY_DAYS = 30;
/** The modelled delay between a signal event and the demo copy's fill. */
const LATENCY_MS = 400;

export async function backfillDemoCopying(db: Db, now: Date = new Date()): Promise<{ fanouts: number; orders: number } | null> {
  const [trader] = await db.select({ id: users.id }).from(users).where(eq(users.email, "trader@tradsy.dev"));
  if (!trader) return null;
  const existing = await db.select({ id: copySettings.id }).from(copySettings).where(eq(copySettings.userId, trader.id)).limit(1);
  if (existing.length) return null;
  const followed = await db.select({ id: providers.id }).from(providers).where(inArray(providers.slug, DEMO_PAID_FOLLOWS));
  if (!followed.length) return null;

  const startedAt = new Date(now.getTime() - COPY_DAYS * DAY);
  const account = await ensurePaperAccount(trader.id);
  // The account opened when the copying began, so its history (curve, realised P&L, fees) counts the back-fill.
  await db.update(paperAccounts).set({ createdAt: startedAt }).where(eq(paperAccounts.id, account.id));
  for (const p of followed) {
    // The paid demo follows come from the dev checkout; without it (no embedded Stripe), a complimentary one.
    let [sub] = await db
      .select({ id: subscriptions.id })
      .from(subscriptions)
      .where(and(eq(subscriptions.subscriberId, trader.id), eq(subscriptions.providerId, p.id)));
    if (!sub) {
      [sub] = await db
        .insert(subscriptions)
        .values({ subscriberId: trader.id, providerId: p.id, status: "active", currentPeriodEnd: new Date(now.getTime() + 30 * DAY) })
        .returning({ id: subscriptions.id });
    }
    await db.insert(copySettings).values({
      userId: trader.id,
      providerId: p.id,
      subscriptionId: sub!.id,
      enabled: true,
      venue: "paper",
      startedAt,
      allocatedAmount: account.balance === "10000" ? "1000" : null,
    });
  }

  // Every event of the followed providers since copying started, in the order it happened.
  const events = await db
    .select({ event: signalEvents, entryPrice: signals.entryPrice })
    .from(signalEvents)
    .innerJoin(signals, eq(signals.id, signalEvents.signalId))
    .where(and(inArray(signalEvents.providerId, followed.map((p) => p.id)), gte(signalEvents.at, startedAt.toISOString())))
    .orderBy(asc(signalEvents.at), asc(signalEvents.seq));
  let orders = 0;
  let fanouts = 0;
  for (const { event, entryPrice } of events) {
    if (!["published", "filled", "stop_moved", "partial_close", "closed", "cancelled", "expired"].includes(event.kind)) continue;
    const id = newId("cfo");
    await db
      .insert(copyFanouts)
      .values({ id, signalEventId: event.id, signalId: event.signalId, providerId: event.providerId, seq: event.seq, kind: event.kind, at: event.at, data: event.data })
      .onConflictDoNothing();
    const fillAt = new Date(new Date(event.at).getTime() + LATENCY_MS);
    if (fillAt > now) continue;
    const result = await runFanout(id, {
      historical: true,
      now: () => fillAt,
      // The demo's market price at the event is the one the event recorded (the entry for a publication).
      price: async () => String((event.data as { price?: string }).price ?? entryPrice),
    });
    orders += result.orders;
    fanouts += 1;
  }
  logger.info({ fanouts, orders }, "demo copy trading back-filled");
  return { fanouts, orders };
}
