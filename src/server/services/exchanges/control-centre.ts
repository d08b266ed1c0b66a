/**
 * The control centre's reads: for the acting user's exchange connections, what uses each one (followings whose copies
 * go there, copies open on it) and, per connection, its followings, its open positions and its activity log (the copy
 * orders placed on it: planned, filled at the exchange's price and fee, skipped or rejected with the reason), newest
 * first. Read-only; adding, checking and removing connections stay in ./connections.ts.
 *
 * INVARIANT: every query is scoped to `ctx.actor.id`; a connection that is missing, removed or someone else's is one
 * answer (NotFoundError). Nothing here reads the sealed credentials.
 */
import "server-only";
import Decimal from "decimal.js";
import { and, count, desc, eq, inArray, lt, ne, or, type SQL } from "drizzle-orm";
import { db } from "@/server/db";
import { copyOrders, copySettings, exchangeConnections, positions, providers } from "@/server/db/schema";
import { NotFoundError, ValidationError } from "@/server/errors";
import type { ActingContext } from "@/server/services/context";
import { unrealisedPnlSql } from "@/server/services/copy/account";
import { listConnections, viewColumns, type ConnectionView } from "./connections";

const fmt = (v: string | null) => (v === null ? null : new Decimal(v).isZero() ? "0" : new Decimal(v).toFixed());

export interface ConnectionSummary extends ConnectionView {
  /** Followings whose new copies go to this connection. */
  followings: number;
  /** Copies open on it: what removing it offers to close first. */
  openCopies: number;
}

/** The acting user's connections (as `listConnections`), each with what uses it. */
export async function listConnectionSummaries(ctx: ActingContext): Promise<ConnectionSummary[]> {
  const list = await listConnections(ctx);
  if (!list.length) return [];
  const ids = list.map((c) => c.id);
  const [follows, open] = await Promise.all([
    db
      .select({ venue: copySettings.venue, n: count() })
      .from(copySettings)
      .where(and(eq(copySettings.userId, ctx.actor.id), inArray(copySettings.venue, ids)))
      .groupBy(copySettings.venue),
    db
      .select({ venue: positions.venue, n: count() })
      .from(positions)
      .where(and(eq(positions.userId, ctx.actor.id), eq(positions.status, "open"), inArray(positions.venue, ids)))
      .groupBy(positions.venue),
  ]);
  const followsBy = new Map(follows.map((r) => [r.venue, r.n]));
  const openBy = new Map(open.map((r) => [r.venue, r.n]));
  return list.map((c) => ({ ...c, followings: followsBy.get(c.id) ?? 0, openCopies: openBy.get(c.id) ?? 0 }));
}

/** A connection as its control centre shows it: the list's view and when reconciliation last compared it. */
export interface ConnectionDetail extends ConnectionView {
  /** The last reconciliation run that compared the ledger with the exchange; null until one has. */
  lastReconciledAt: Date | null;
}

/** One connection of the acting user (not removed), or NotFoundError: the check every per-connection read starts with. */
export async function ownConnection(ctx: ActingContext, id: string): Promise<ConnectionDetail> {
  const [row] = await db
    .select({ ...viewColumns, lastReconciledAt: exchangeConnections.lastReconciledAt })
    .from(exchangeConnections)
    .where(and(eq(exchangeConnections.id, id), eq(exchangeConnections.userId, ctx.actor.id), ne(exchangeConnections.status, "removed")));
  if (!row) throw new NotFoundError("Connection not found");
  return row;
}

export interface ConnectionFollowing {
  provider: { id: string; slug: string; displayName: string };
  enabled: boolean;
  pausedReason: string | null;
  venue: string;
  /** This provider's copies open on this connection. */
  openPositions: number;
}

export interface ConnectionPosition {
  id: string;
  provider: { id: string; slug: string; displayName: string };
  symbol: string;
  side: "long" | "short";
  quantity: string;
  avgEntry: string;
  markPrice: string;
  unrealizedPnl: string;
  fees: string;
  openedAt: Date;
}

export interface ConnectionOverview {
  connection: ConnectionDetail;
  followings: ConnectionFollowing[];
  positions: ConnectionPosition[];
}

/** One connection of the acting user with the followings copying to it and the copies open on it. */
export async function connectionOverview(ctx: ActingContext, id: string): Promise<ConnectionOverview> {
  const connection = await ownConnection(ctx, id);
  const [follows, open] = await Promise.all([
    db
      .select({
        provider: { id: providers.id, slug: providers.slug, displayName: providers.displayName },
        enabled: copySettings.enabled,
        pausedReason: copySettings.pausedReason,
        venue: copySettings.venue,
      })
      .from(copySettings)
      .innerJoin(providers, eq(providers.id, copySettings.providerId))
      .where(and(eq(copySettings.userId, ctx.actor.id), eq(copySettings.venue, id)))
      .orderBy(desc(copySettings.enabled), providers.displayName),
    db
      .select({ p: positions, unrealized: unrealisedPnlSql, provider: { id: providers.id, slug: providers.slug, displayName: providers.displayName } })
      .from(positions)
      .innerJoin(providers, eq(providers.id, positions.providerId))
      .where(and(eq(positions.userId, ctx.actor.id), eq(positions.venue, id), eq(positions.status, "open")))
      .orderBy(desc(positions.openedAt), desc(positions.id))
      // A connection's open copies are bounded by its followings' max open positions; 200 is far above that.
      .limit(200),
  ]);
  const openBy = new Map<string, number>();
  for (const { p } of open) openBy.set(p.providerId, (openBy.get(p.providerId) ?? 0) + 1);
  return {
    connection,
    followings: follows.map((f) => ({ ...f, openPositions: openBy.get(f.provider.id) ?? 0 })),
    positions: open.map(({ p, unrealized, provider }) => ({
      id: p.id,
      provider,
      symbol: p.symbol,
      side: p.side,
      quantity: fmt(p.quantity)!,
      avgEntry: fmt(p.avgEntry)!,
      markPrice: fmt(p.markPrice)!,
      unrealizedPnl: fmt(unrealized) ?? "0",
      fees: fmt(p.fees)!,
      openedAt: p.openedAt,
    })),
  };
}

export interface ActivityItem {
  id: string;
  provider: { id: string; slug: string; displayName: string };
  symbol: string;
  side: "buy" | "sell";
  leg: "entry" | "tp" | "stop" | "close" | "manual";
  status: "planned" | "skipped" | "submitted" | "filled" | "rejected" | "cancelled" | "held";
  /** Why it was skipped or rejected (the exchange's code and message), or a partial fill's note. */
  reason: string | null;
  quantity: string;
  /** The provider's price for this leg. */
  requestedPrice: string | null;
  /** The exchange's average fill price and fee (quote currency). */
  fillPrice: string | null;
  fee: string;
  venueOrderId: string | null;
  createdAt: Date;
  filledAt: Date | null;
}

/** "<ISO time>~<id>" of a page's last row, as the copy journal's cursors. */
const encodeCursor = (at: Date, id: string) => `${at.toISOString()}~${id}`;

function afterCursor(cursor: string | undefined): SQL | undefined {
  if (!cursor) return undefined;
  const i = cursor.indexOf("~");
  const at = new Date(cursor.slice(0, i));
  if (i < 0 || Number.isNaN(at.getTime())) throw new ValidationError("That page cursor is not valid; reload the list");
  const id = cursor.slice(i + 1);
  return or(lt(copyOrders.createdAt, at), and(eq(copyOrders.createdAt, at), lt(copyOrders.id, id)));
}

/** What the engine did on one connection of the acting user, newest first, keyset-paged. */
export async function connectionActivity(
  ctx: ActingContext,
  id: string,
  opts: { cursor?: string; limit?: number } = {},
): Promise<{ items: ActivityItem[]; nextCursor: string | null }> {
  await ownConnection(ctx, id);
  const limit = opts.limit ?? 50;
  const rows = await db
    .select({ o: copyOrders, provider: { id: providers.id, slug: providers.slug, displayName: providers.displayName } })
    .from(copyOrders)
    .innerJoin(providers, eq(providers.id, copyOrders.providerId))
    // INVARIANT: the owner is the actor, and the venue one of their connections (checked above).
    .where(and(eq(copyOrders.userId, ctx.actor.id), eq(copyOrders.venue, id), afterCursor(opts.cursor)))
    .orderBy(desc(copyOrders.createdAt), desc(copyOrders.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map(({ o, provider }) => ({
      id: o.id,
      provider,
      symbol: o.symbol,
      side: o.side,
      leg: o.leg,
      status: o.status,
      reason: o.reason,
      quantity: fmt(o.quantity)!,
      requestedPrice: fmt(o.requestedPrice),
      fillPrice: fmt(o.fillPrice),
      fee: fmt(o.fee)!,
      venueOrderId: o.venueOrderId,
      createdAt: o.createdAt,
      filledAt: o.filledAt,
    })),
    nextCursor: rows.length > limit && last ? encodeCursor(last.o.createdAt, last.o.id) : null,
  };
}
