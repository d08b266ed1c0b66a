/**
 * Exits that keep failing on an exchange connection. An exit is never given up: the connection's run retries it
 * (looking its client order id up first) for as long as it stays planned. After `EXIT_FAILING_ATTEMPTS` attempts
 * the follower is told, once, by email (emails/copy-exit-failing.tsx: a safety alert, sent whatever their email
 * choices), and the copy pages show a red banner for as long as one is still failing.
 */
import "server-only";
import { createElement } from "react";
import { and, eq, gte, ne, sql } from "drizzle-orm";
import CopyExitFailing, { copyExitFailingSubject } from "@emails/copy-exit-failing";
import { db, type Executor } from "@/server/db";
import { copyOrders, exchangeConnections, providers, users } from "@/server/db/schema";
import { appBaseUrl } from "@/server/http/base-url";
import { queueEmail } from "@/server/services/email/outbox";

/** Attempts after which a still-planned exit counts as failing (the first try and two retries went wrong). */
export const EXIT_FAILING_ATTEMPTS = 3;

export interface FailingExit {
  orderId: string;
  connectionId: string;
  connectionLabel: string | null;
  providerName: string | null;
  symbol: string;
  side: "buy" | "sell";
  attempts: number;
  since: Date;
  /** The last error ("retrying: " and the exchange's words; never a key or a URL: integrations/exchanges/errors.ts). */
  lastError: string | null;
}

/** The acting user's exits still planned after `EXIT_FAILING_ATTEMPTS` attempts, oldest first. */
export async function failingExits(userId: string): Promise<FailingExit[]> {
  const rows = await db
    .select({
      orderId: copyOrders.id,
      connectionId: copyOrders.venue,
      connectionLabel: exchangeConnections.label,
      providerName: providers.displayName,
      symbol: copyOrders.symbol,
      side: copyOrders.side,
      attempts: copyOrders.attempts,
      since: copyOrders.createdAt,
      lastError: copyOrders.reason,
    })
    .from(copyOrders)
    .leftJoin(exchangeConnections, eq(exchangeConnections.id, copyOrders.venue))
    .leftJoin(providers, eq(providers.id, copyOrders.providerId))
    .where(
      and(
        eq(copyOrders.userId, userId),
        eq(copyOrders.status, "planned"),
        ne(copyOrders.leg, "entry"),
        gte(copyOrders.attempts, EXIT_FAILING_ATTEMPTS),
        // Held back by its venue (a closed market), not failing.
        sql`coalesce(${copyOrders.reason}, '') not like 'waiting: %'`,
      ),
    )
    .orderBy(copyOrders.createdAt)
    .limit(50);
  return rows;
}

/** A planned order's reason while its attempts fail ("retrying: <the exchange's words>"); cleared when it settles. */
export const RETRYING_PREFIX = "retrying: ";

/**
 * Called by the engine when an attempt to place a planned order fails (it stays planned, and is retried): records
 * the exchange's words on the order and, for an exit, at the attempt that makes it failing, queues the follower's
 * alert. Once per order: attempts are counted atomically, so exactly one sees `attempts === EXIT_FAILING_ATTEMPTS`.
 */
export async function noteFailedAttempt(
  tx: Executor,
  order: { id: string; userId: string; venue: string; symbol: string; side: string; leg: string; attempts: number; providerId: string },
  error: string,
): Promise<void> {
  await tx
    .update(copyOrders)
    .set({ reason: `${RETRYING_PREFIX}${error}`.slice(0, 500) })
    .where(and(eq(copyOrders.id, order.id), eq(copyOrders.status, "planned")));
  if (order.leg === "entry" || order.attempts !== EXIT_FAILING_ATTEMPTS) return;
  const [who] = await tx
    .select({ email: users.email, name: users.name, label: exchangeConnections.label, provider: providers.displayName })
    .from(users)
    .leftJoin(exchangeConnections, eq(exchangeConnections.id, order.venue))
    .leftJoin(providers, eq(providers.id, order.providerId))
    .where(eq(users.id, order.userId));
  if (!who) return;
  const what = `${order.side === "sell" ? "Selling" : "Buying back"} ${order.symbol}${who.provider ? ` (your copy of ${who.provider})` : ""}`;
  const connection = who.label ?? "your exchange connection";
  await queueEmail(tx, {
    to: who.email,
    userId: order.userId,
    kind: "copy_exit_failing",
    subject: copyExitFailingSubject({ symbol: order.symbol, connection: who.label ?? "your exchange" }),
    template: createElement(CopyExitFailing, {
      name: who.name ?? "there",
      symbol: order.symbol,
      what,
      connection,
      attempts: order.attempts,
      exchangeSaid: error,
      copyUrl: `${appBaseUrl()}/copy`,
    }),
    // Once per order, whatever retries the engine makes (the attempt count already makes it once; this makes it certain).
    dedupeKey: `copy-exit-failing:${order.id}`,
  });
}
