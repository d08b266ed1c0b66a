/**
 * A follower's journal: their positions (open ones with P&L marked at the last seen price) and their copy orders,
 * keyset-paged newest first, and the orders as CSV. Every query is scoped to the user id it is given, which callers
 * take from the session.
 */
import "server-only";
import Decimal from "decimal.js";
import { and, desc, eq, gte, lt, lte, or, type AnyColumn, type SQL } from "drizzle-orm";
import { db } from "@/server/db";
import { copyOrders, positions, providers, signals } from "@/server/db/schema";
import { ConflictError, NotFoundError, ValidationError } from "@/server/errors";
import type { ActingContext } from "@/server/services/context";
import { recordAudit } from "@/server/services/audit";
import { closePositionsNow, markPositionsOf } from "./engine";
import type { OrderFilters } from "@/lib/validation/copy";
import { unrealisedPnlSql } from "./account";

const fmt = (v: string | null) => (v === null ? null : new Decimal(v).isZero() ? "0" : new Decimal(v).toFixed());

/** "<ISO time>~<id>" of a page's last row: the next page starts strictly after it in (time desc, id desc) order. */
export function encodeCursor(at: Date, id: string): string {
  return `${at.toISOString()}~${id}`;
}

function decodeCursor(cursor: string): { at: Date; id: string } {
  const i = cursor.indexOf("~");
  const at = new Date(cursor.slice(0, i));
  if (i < 0 || Number.isNaN(at.getTime())) throw new ValidationError("That page cursor is not valid; reload the list");
  return { at, id: cursor.slice(i + 1) };
}

/** Rows after the cursor in (column desc, id desc) order. */
function after(column: AnyColumn, idColumn: AnyColumn, cursor?: string): SQL | undefined {
  if (!cursor) return undefined;
  const c = decodeCursor(cursor);
  return or(lt(column, c.at), and(eq(column, c.at), lt(idColumn, c.id)));
}

export interface PositionView {
  id: string;
  provider: { id: string; slug: string; displayName: string };
  signalId: string | null;
  symbol: string;
  side: "long" | "short";
  status: "open" | "closed";
  quantity: string;
  initialQuantity: string;
  avgEntry: string;
  avgExit: string | null;
  markPrice: string;
  stopLoss: string | null;
  realizedPnl: string;
  fees: string;
  /** Open positions: P&L of what is still open, at `markPrice`; closed: null. */
  unrealizedPnl: string | null;
  /** Closed positions: (realised − fees) / (entry × first-filled quantity); the signal's published result beside it. */
  returnPct: string | null;
  signalResultPct: string | null;
  openedAt: Date;
  closedAt: Date | null;
}

export async function listPositions(
  userId: string,
  opts: { status: "open" | "closed"; cursor?: string; limit?: number },
): Promise<{ items: PositionView[]; nextCursor: string | null }> {
  if (opts.status === "open") await markPositionsOf(userId);
  const limit = opts.limit ?? 50;
  const time = opts.status === "open" ? positions.openedAt : positions.closedAt;
  const rows = await db
    .select({
      p: positions,
      unrealized: unrealisedPnlSql,
      provider: { id: providers.id, slug: providers.slug, displayName: providers.displayName },
      signalResultPct: signals.resultPct,
    })
    .from(positions)
    .innerJoin(providers, eq(providers.id, positions.providerId))
    .leftJoin(signals, eq(signals.id, positions.signalId))
    // INVARIANT: the owner is the caller's user id.
    .where(and(eq(positions.userId, userId), eq(positions.status, opts.status), after(time, positions.id, opts.cursor)))
    .orderBy(desc(time), desc(positions.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const items = page.map(({ p, unrealized, provider, signalResultPct }): PositionView => {
    const cost = new Decimal(p.avgEntry).times(p.initialQuantity);
    const closed = p.status === "closed";
    return {
      id: p.id,
      provider,
      signalId: p.signalId,
      symbol: p.symbol,
      side: p.side,
      status: p.status,
      quantity: fmt(p.quantity)!,
      initialQuantity: fmt(p.initialQuantity)!,
      avgEntry: fmt(p.avgEntry)!,
      avgExit: fmt(p.avgExit),
      markPrice: fmt(p.markPrice)!,
      stopLoss: fmt(p.stopLoss),
      realizedPnl: fmt(p.realizedPnl)!,
      fees: fmt(p.fees)!,
      unrealizedPnl: closed ? null : fmt(unrealized),
      returnPct: closed && cost.gt(0) ? new Decimal(p.realizedPnl).minus(p.fees).div(cost).toDecimalPlaces(8, Decimal.ROUND_HALF_UP).toFixed() : null,
      signalResultPct: fmt(signalResultPct),
      openedAt: p.openedAt,
      closedAt: p.closedAt,
    };
  });
  const last = page.at(-1);
  const lastAt = last ? (opts.status === "open" ? last.p.openedAt : last.p.closedAt) : null;
  return { items, nextCursor: rows.length > limit && last && lastAt ? encodeCursor(lastAt, last.p.id) : null };
}

export interface OrderView {
  id: string;
  clientOrderId: string;
  provider: { id: string; slug: string; displayName: string };
  signalId: string | null;
  positionId: string | null;
  venue: string;
  symbol: string;
  side: "buy" | "sell";
  leg: "entry" | "tp" | "stop" | "close" | "manual";
  orderType: "market" | "limit";
  status: "planned" | "skipped" | "submitted" | "filled" | "rejected" | "cancelled" | "held";
  reason: string | null;
  requestedPrice: string | null;
  limitPrice: string | null;
  fillPrice: string | null;
  quantity: string;
  fee: string;
  slippageBps: string | null;
  latencyMs: number | null;
  createdAt: Date;
  filledAt: Date | null;
}

function orderWhere(userId: string, f: OrderFilters): SQL {
  return and(
    // INVARIANT: the owner is the caller's user id.
    eq(copyOrders.userId, userId),
    f.providerId ? eq(copyOrders.providerId, f.providerId) : undefined,
    f.status ? eq(copyOrders.status, f.status) : undefined,
    f.leg ? eq(copyOrders.leg, f.leg) : undefined,
    f.from ? gte(copyOrders.createdAt, f.from) : undefined,
    f.to ? lte(copyOrders.createdAt, f.to) : undefined,
  )!;
}

async function orderPage(userId: string, f: OrderFilters, cursor: string | undefined, limit: number) {
  const rows = await db
    .select({ o: copyOrders, provider: { id: providers.id, slug: providers.slug, displayName: providers.displayName } })
    .from(copyOrders)
    .innerJoin(providers, eq(providers.id, copyOrders.providerId))
    .where(and(orderWhere(userId, f), after(copyOrders.createdAt, copyOrders.id, cursor)))
    .orderBy(desc(copyOrders.createdAt), desc(copyOrders.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const items = page.map(({ o, provider }): OrderView => ({
    id: o.id,
    clientOrderId: o.clientOrderId,
    provider,
    signalId: o.signalId,
    positionId: o.positionId,
    venue: o.venue,
    symbol: o.symbol,
    side: o.side,
    leg: o.leg,
    orderType: o.orderType,
    status: o.status,
    reason: o.reason,
    requestedPrice: fmt(o.requestedPrice),
    limitPrice: fmt(o.limitPrice),
    fillPrice: fmt(o.fillPrice),
    quantity: fmt(o.quantity)!,
    fee: fmt(o.fee)!,
    slippageBps: fmt(o.slippageBps),
    latencyMs: o.latencyMs,
    createdAt: o.createdAt,
    filledAt: o.filledAt,
  }));
  const last = page.at(-1);
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.o.createdAt, last.o.id) : null };
}

export function listOrders(userId: string, opts: { filters?: OrderFilters; cursor?: string; limit?: number }): Promise<{ items: OrderView[]; nextCursor: string | null }> {
  return orderPage(userId, opts.filters ?? {}, opts.cursor, opts.limit ?? 50);
}

/** The most rows one CSV holds; a follower with more narrows the dates. */
export const CSV_MAX_ROWS = 100_000;

const CSV_COLUMNS: { header: string; text?: true; value: (o: OrderView) => string | number | null }[] = [
  { header: "created_at", value: (o) => o.createdAt.toISOString() },
  { header: "filled_at", value: (o) => o.filledAt?.toISOString() ?? null },
  { header: "provider", text: true, value: (o) => o.provider.displayName },
  { header: "provider_slug", text: true, value: (o) => o.provider.slug },
  { header: "signal_id", value: (o) => o.signalId },
  { header: "symbol", text: true, value: (o) => o.symbol },
  { header: "side", value: (o) => o.side },
  { header: "leg", value: (o) => o.leg },
  { header: "order_type", value: (o) => o.orderType },
  { header: "status", value: (o) => o.status },
  { header: "reason", text: true, value: (o) => o.reason },
  { header: "requested_price", value: (o) => o.requestedPrice },
  { header: "limit_price", value: (o) => o.limitPrice },
  { header: "fill_price", value: (o) => o.fillPrice },
  { header: "quantity", value: (o) => o.quantity },
  { header: "fee", value: (o) => o.fee },
  { header: "slippage_bps", value: (o) => o.slippageBps },
  { header: "latency_ms", value: (o) => o.latencyMs },
  { header: "venue", value: (o) => o.venue },
  { header: "client_order_id", value: (o) => o.clientOrderId },
  { header: "order_id", value: (o) => o.id },
];

/**
 * One RFC 4180 field. Text a person or a provider chose (names, symbols, reasons) that a spreadsheet would run as a
 * formula (= + - @, or a tab/CR that some treat alike) gets a leading apostrophe; numbers keep their sign and exact
 * digits, because they are ours and a prefixed "-12.5" would no longer be a number. Hand-written rather than a
 * library: quoting is five lines and the formula guard must know which columns are text.
 */
export function csvField(value: string | number | null, text = false): string {
  if (value === null) return "";
  let s = String(value);
  if (text && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The user's orders matching the filters as CSV (header row, CRLF line ends), newest first. */
export async function ordersCsv(userId: string, filters: OrderFilters = {}): Promise<string> {
  const lines = [CSV_COLUMNS.map((c) => c.header).join(",")];
  let cursor: string | undefined;
  let rows = 0;
  do {
    const page = await orderPage(userId, filters, cursor, 1000);
    for (const o of page.items) lines.push(CSV_COLUMNS.map((c) => csvField(c.value(o), c.text)).join(","));
    rows += page.items.length;
    cursor = page.nextCursor ?? undefined;
  } while (cursor && rows < CSV_MAX_ROWS);
  return `${lines.join("\r\n")}\r\n`;
}

/** Closes one of the actor's open positions at market now (the engine records it as a manual leg). */
export async function closeOwnPosition(ctx: ActingContext, positionId: string): Promise<{ closed: number }> {
  const p = await db.query.positions.findFirst({
    // INVARIANT: missing, closed or someone else's are one answer.
    where: and(eq(positions.id, positionId), eq(positions.userId, ctx.actor.id), eq(positions.status, "open")),
    columns: { id: true, providerId: true, symbol: true },
  });
  if (!p) throw new NotFoundError("No such open position");
  const { closed } = await closePositionsNow({ userId: ctx.actor.id, positionIds: [p.id], reason: "manual", now: ctx.now });
  if (!closed) throw new ConflictError("That position was closed a moment ago");
  await recordAudit(db, { actorId: ctx.actor.id, action: "copy.position.close", targetType: "position", targetId: p.id, data: { providerId: p.providerId, symbol: p.symbol }, ip: ctx.ip, userAgent: ctx.userAgent });
  return { closed };
}
