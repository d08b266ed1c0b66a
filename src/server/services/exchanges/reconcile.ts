/**
 * Reconciliation of an exchange connection: our ledger (copy_orders and positions whose venue is the connection)
 * against the exchange account (its orders under our client order id prefix, its balances). Every disagreement
 * becomes a `venue_discrepancies` row the follower sees (their live feed is notified) and the admin lists; the same
 * finding is recorded once while it stays open (dedupe key, unique while open) and resolved "gone" once a run no
 * longer sees it.
 *
 * What counts as what (spot accounts; a connection is spot only for now):
 * - missed_fill: a copy order we hold `planned` whose placing was started (attempts > 0) and which the exchange holds
 *   filled under its client order id (the process died between the exchange's answer and our write, and no retry
 *   came). Recorded in the ledger through the engine's own recording (recordVenueResult), exactly as the placement
 *   would have; its row is resolved "recorded" at once.
 * - unrecorded_order: an exchange order under our prefix ("7c", integrations/exchanges/venue-id.ts) that is open or
 *   filled something, and that maps to none of this connection's copy orders (by venue client id, or by exchange
 *   order id for orders adopted since), or to one we hold as skipped, rejected or cancelled, or to one we recorded
 *   under another exchange order id (a client id the exchange let us reuse). Orders are read per symbol (exchanges
 *   list orders per market): the symbols this connection's copy orders and open copies trade, most recent 500 each.
 * - orphan_ledger: an open copy the exchange account no longer holds. Per base asset the account's total balance is
 *   allotted to our open copies oldest first; a copy short of its quantity by more than the market's minimum amount
 *   is an orphan (someone sold it on the exchange, or it was never there).
 * - orphan_exchange: base asset held on the exchange because of our orders that no open copy accounts for: the net
 *   filled quantity of the unrecorded orders above (bought less sold), capped at what the account holds beyond our
 *   open copies of that asset, when at least one minimum order. The follower's own holdings are never flagged:
 *   only what unrecorded orders under our prefix bought counts, and never more than the account holds beyond our
 *   copies (a sale by hand since then shrinks it).
 * - dust: an open copy whose quantity is below the market's minimum amount, or its value at the copy's mark below the
 *   minimum order value: it cannot be sold, so it is recorded rather than retried.
 *
 * One-click close (`closeOrphan`): an orphan_ledger or dust copy is closed in the ledger without an order (there is
 * nothing to sell, or too little to), its reason on a cancelled closing order; an orphan_exchange (or the unrecorded
 * filled order behind one) is adopted as a copy (its exchange orders recorded as filled copy orders, one open
 * position) and closed through the engine (`closePositionsNow`: a planned sell the connection's run places and
 * records in the same ledger); the finding is resolved "closed" by the reconciliation that follows the sale.
 *
 * INVARIANT: reconciliation of a connection runs inside the connection's job (copy-connection, concurrency one per
 * connection), after its planned orders were placed: no order of the connection is being placed while it reads, so
 * a placed order is never taken for a missed or unrecorded one. `reconcileNow` therefore asks for that job. (So a
 * connection whose placements keep failing is reconciled once they pass; the failing order is what its run reports.)
 *
 * Limits, on purpose: exchange orders are matched to this connection's copy orders only (two connections on one
 * exchange account would see each other's orders as unrecorded); an adopted orphan's fees are unknown (recorded 0,
 * the exchange's trades hold them); a copy the account holds in part is an orphan_ledger closed whole in the ledger,
 * the part still held then being the follower's to sell.
 */
import "server-only";
import Decimal from "decimal.js";
import { and, desc, eq, inArray, sql } from "drizzle-orm";
import { db } from "@/server/db";
import { copyOrders, copySettings, exchangeConnections, positions, users, venueDiscrepancies, type VenueDiscrepancyKind } from "@/server/db/schema";
import { ConflictError, NotFoundError } from "@/server/errors";
import type { LiveOrderResult, VenueBalance, VenueMarketRules, VenueOrderView } from "@/server/integrations/exchanges/ccxt-venue";
import { VenueRetryError } from "@/server/integrations/exchanges/ccxt-venue";
import { isVenueClientOrderId, venueClientOrderId } from "@/server/integrations/exchanges/venue-id";
import { sendEvent } from "@/server/jobs/events";
import { logger } from "@/server/logger";
import { newId } from "@/lib/ids";
import { closePositionsNow, recordVenueResult } from "@/server/services/copy/engine";
import { clientOrderId, notifyFollowers } from "@/server/services/copy/paper";
import { serialVenue } from "@/server/services/copy/venues";
import type { ActingContext } from "@/server/services/context";

/** The reads reconciliation needs from a venue (CcxtVenue has them; a venue without them is not reconciled). */
export interface ReconcilableVenue {
  findOrder(clientOrderId: string, symbol?: string): Promise<LiveOrderResult | null>;
  marketRules(symbol: string): Promise<VenueMarketRules>;
  balances(): Promise<Record<string, VenueBalance>>;
  openOrders(symbol: string): Promise<VenueOrderView[]>;
  recentOrders(symbol: string, limit?: number): Promise<VenueOrderView[]>;
}

const isReconcilable = (v: unknown): v is ReconcilableVenue =>
  typeof v === "object" && v !== null && ["findOrder", "marketRules", "balances", "openOrders", "recentOrders"].every((m) => typeof (v as Record<string, unknown>)[m] === "function");

type DiscrepancyData = Record<string, string | number | boolean | null>;

interface Finding {
  kind: VenueDiscrepancyKind;
  symbol: string | null;
  detail: string;
  data: DiscrepancyData;
  dedupeKey: string;
}

export interface ReconcileResult {
  connectionId: string;
  /** Why nothing was compared (the connection is not usable, or its venue cannot be read). */
  skipped?: string;
  /** Findings of this run by kind (open ones seen again included; missed fills recorded). */
  found: Partial<Record<VenueDiscrepancyKind, number>>;
  /** Discrepancy rows written by this run. */
  recorded: number;
  /** Open discrepancies this run resolved (no longer seen, or their close done). */
  resolved: number;
}

const ZERO = new Decimal(0);
const dec = (v: Decimal.Value | null | undefined) => (v === null || v === undefined || v === "" ? ZERO : new Decimal(v));
const RECENT_ORDERS = 500;

/**
 * Compares one connection's ledger with its exchange account and records what disagrees (see the module comment).
 * Run it from the connection's job (copy-connection with `reconcile: true`); a read the exchange fails throws
 * VenueRetryError before anything but a missed fill is written, so the step retries with nothing half-decided.
 */
export async function reconcileConnection(connectionId: string, options: { now?: Date } = {}): Promise<ReconcileResult> {
  const now = options.now ?? new Date();
  const result: ReconcileResult = { connectionId, found: {}, recorded: 0, resolved: 0 };
  const [conn] = await db
    .select({ id: exchangeConnections.id, userId: exchangeConnections.userId, status: exchangeConnections.status })
    .from(exchangeConnections)
    .where(eq(exchangeConnections.id, connectionId));
  if (!conn || (conn.status !== "active" && conn.status !== "removing")) return { ...result, skipped: `connection is ${conn?.status ?? "missing"}` };
  const venue = await serialVenue(connectionId);
  if (!isReconcilable(venue)) return { ...result, skipped: venue ? "reconciliation is not supported yet for this kind of connection (Alpaca stock accounts)" : "its venue cannot be read" };
  const count = (kind: VenueDiscrepancyKind) => (result.found[kind] = (result.found[kind] ?? 0) + 1);
  let changed = false;

  // 1. Missed fills first: recording them changes positions, which the balance checks below compare.
  const started = await db
    .select()
    .from(copyOrders)
    .where(and(eq(copyOrders.venue, connectionId), eq(copyOrders.status, "planned"), sql`${copyOrders.attempts} > 0`));
  const rulesBySymbol = new Map<string, VenueMarketRules | null>();
  const rulesOf = async (symbol: string) => {
    if (!rulesBySymbol.has(symbol)) {
      try {
        rulesBySymbol.set(symbol, await venue.marketRules(symbol));
      } catch (err) {
        // A market the exchange does not list (a refused symbol) has nothing to compare; anything else retries.
        if (err instanceof VenueRetryError && err.venueError.kind === "rejected") rulesBySymbol.set(symbol, null);
        else throw err;
      }
    }
    return rulesBySymbol.get(symbol) ?? null;
  };
  const ordersBySymbol = new Map<string, VenueOrderView[]>();
  const ordersOf = async (symbol: string) => {
    let list = ordersBySymbol.get(symbol);
    if (!list) {
      const byId = new Map<string, VenueOrderView>();
      for (const o of [...(await venue.recentOrders(symbol, RECENT_ORDERS)), ...(await venue.openOrders(symbol))]) byId.set(o.venueOrderId, o);
      list = [...byId.values()];
      ordersBySymbol.set(symbol, list);
    }
    return list;
  };
  for (const order of started) {
    if (!(await rulesOf(order.symbol))) continue;
    const found = await venue.findOrder(order.clientOrderId, order.symbol);
    if (found?.status !== "filled") continue; // not there, or refused: the connection's next placement settles it
    const venueId = venueClientOrderId(order.clientOrderId);
    const view = (await ordersOf(order.symbol)).find((o) => o.venueOrderId === found.venueOrderId || o.clientOrderId === venueId);
    // What was asked of the exchange: its own record of the order, else the planned quantity (an entry's).
    const requested = view?.amount ?? (dec(order.quantity).gt(0) ? order.quantity : (found.quantity ?? null));
    if (!requested) continue;
    const dedupeKey = `missed_fill:${order.clientOrderId}`;
    const filled = found.quantity ?? requested;
    await db
      .insert(venueDiscrepancies)
      .values({
        connectionId,
        userId: conn.userId,
        kind: "missed_fill",
        symbol: order.symbol,
        detail: `The exchange filled our ${order.side} of ${filled} ${order.symbol} (order ${found.venueOrderId}) but the fill was never recorded: recorded now at ${found.fillPrice}.`,
        data: { copyOrderId: order.id, clientOrderId: venueId, venueOrderId: found.venueOrderId, side: order.side, quantity: filled, fillPrice: found.fillPrice, fee: found.fee },
        dedupeKey,
      })
      .onConflictDoNothing();
    await recordVenueResult(order, requested, found);
    const resolved = await db
      .update(venueDiscrepancies)
      .set({ status: "resolved", resolution: "recorded", resolvedAt: now })
      .where(and(eq(venueDiscrepancies.connectionId, connectionId), eq(venueDiscrepancies.dedupeKey, dedupeKey), eq(venueDiscrepancies.status, "open")))
      .returning({ id: venueDiscrepancies.id });
    if (resolved.length) {
      result.recorded++;
      changed = true;
      logger.info({ connectionId, copyOrderId: order.id, venueOrderId: found.venueOrderId }, "reconcile: recorded a fill the ledger missed");
    }
    count("missed_fill");
  }

  // 2. The ledger as it stands now, and the exchange account: everything read before anything is decided.
  const ours = await db
    .select({ id: copyOrders.id, clientOrderId: copyOrders.clientOrderId, status: copyOrders.status, venueOrderId: copyOrders.venueOrderId, symbol: copyOrders.symbol })
    .from(copyOrders)
    .where(eq(copyOrders.venue, connectionId));
  const open = await db
    .select()
    .from(positions)
    .where(and(eq(positions.venue, connectionId), eq(positions.status, "open")))
    .orderBy(positions.openedAt, positions.id);
  const symbols = [...new Set([...ours.map((o) => o.symbol), ...open.map((p) => p.symbol)])].sort();
  const markets = new Map<string, VenueMarketRules>();
  for (const s of symbols) {
    const rules = await rulesOf(s);
    if (rules) markets.set(s, rules);
  }
  const balances = await venue.balances();
  const exchangeOrders: VenueOrderView[] = [];
  for (const s of markets.keys()) exchangeOrders.push(...(await ordersOf(s)));

  const findings: Finding[] = [];
  const byVenueId = new Map(ours.map((o) => [venueClientOrderId(o.clientOrderId), o]));
  const byExchangeId = new Map(ours.filter((o) => o.venueOrderId).map((o) => [o.venueOrderId!, o]));

  // 3. Orders under our prefix the ledger does not hold (or holds as never placed).
  const unrecordedByAsset = new Map<string, { symbol: string; net: Decimal; orders: string[] }>();
  for (const x of exchangeOrders) {
    if (!x.clientOrderId || !isVenueClientOrderId(x.clientOrderId)) continue;
    const filled = dec(x.filled);
    if (x.status !== "open" && !filled.gt(0)) continue; // nothing happened on the account
    const mine = byExchangeId.get(x.venueOrderId) ?? byVenueId.get(x.clientOrderId);
    let why: string | null = null;
    if (!mine) why = "no copy order of this connection has its client order id";
    else if (mine.status === "skipped" || mine.status === "rejected" || mine.status === "cancelled") why = `our copy order ${mine.id} is ${mine.status}`;
    else if (mine.status === "filled" && mine.venueOrderId && mine.venueOrderId !== x.venueOrderId) why = `our copy order ${mine.id} recorded exchange order ${mine.venueOrderId} under the same client order id`;
    if (!why) continue;
    findings.push({
      kind: "unrecorded_order",
      symbol: x.symbol,
      detail: `Exchange order ${x.venueOrderId} (${x.side} ${x.filled}${x.amount ? ` of ${x.amount}` : ""} ${x.symbol}, ${x.status}) carries our client order id but is not in the ledger: ${why}.`,
      data: { venueOrderId: x.venueOrderId, clientOrderId: x.clientOrderId, side: x.side, amount: x.amount, filled: x.filled, average: x.average, exchangeStatus: x.status, copyOrderId: mine?.id ?? null, copyOrderStatus: mine?.status ?? null },
      dedupeKey: `unrecorded_order:${x.venueOrderId}`,
    });
    const base = markets.get(x.symbol)?.base;
    if (base && filled.gt(0)) {
      const u = unrecordedByAsset.get(base) ?? { symbol: x.symbol, net: ZERO, orders: [] };
      u.net = x.side === "buy" ? u.net.plus(filled) : u.net.minus(filled);
      u.orders.push(x.venueOrderId);
      unrecordedByAsset.set(base, u);
    }
  }

  // 4. Open copies: dust, and copies the account does not hold (its balance allotted oldest first).
  const ledgerByAsset = new Map<string, Decimal>();
  const heldLeft = new Map<string, Decimal>();
  for (const p of open) {
    const m = markets.get(p.symbol);
    if (!m || p.side !== "long") continue; // a spot account holds longs only
    const qty = dec(p.quantity);
    ledgerByAsset.set(m.base, (ledgerByAsset.get(m.base) ?? ZERO).plus(qty));
    const left = heldLeft.get(m.base) ?? dec(balances[m.base]?.total);
    const covered = Decimal.min(qty, left);
    heldLeft.set(m.base, left.minus(covered));
    const value = qty.times(dec(p.markPrice));
    const minAmount = m.minAmount ? dec(m.minAmount) : null;
    const minCost = m.minCost ? dec(m.minCost) : null;
    if ((minAmount && qty.lt(minAmount)) || (minCost && value.lt(minCost))) {
      findings.push({
        kind: "dust",
        symbol: p.symbol,
        detail: `${qty.toString()} ${m.base} left of this copy is below ${p.symbol}'s minimum order (${minAmount ? `amount ${minAmount.toString()}` : ""}${minAmount && minCost ? ", " : ""}${minCost ? `value ${minCost.toString()} ${m.quote}` : ""}): it cannot be sold and is not retried.`,
        data: { positionId: p.id, asset: m.base, quantity: qty.toString(), value: value.toString(), minAmount: m.minAmount, minCost: m.minCost },
        dedupeKey: `dust:${p.id}`,
      });
      continue;
    }
    const short = qty.minus(covered);
    if (short.gt(minAmount ?? ZERO)) {
      findings.push({
        kind: "orphan_ledger",
        symbol: p.symbol,
        detail: `This copy holds ${qty.toString()} ${m.base} but the exchange account holds only ${covered.toString()} of it: it was sold or moved outside the copy engine.`,
        data: { positionId: p.id, asset: m.base, quantity: qty.toString(), held: covered.toString() },
        dedupeKey: `orphan_ledger:${p.id}`,
      });
    }
  }

  // 5. What unrecorded orders left on the account beyond our copies.
  for (const [asset, u] of unrecordedByAsset) {
    const m = markets.get(u.symbol)!;
    const beyond = dec(balances[asset]?.total).minus(ledgerByAsset.get(asset) ?? ZERO);
    const qty = Decimal.min(u.net, beyond);
    if (!qty.gt(0) || (m.minAmount && qty.lt(m.minAmount))) continue;
    const avg = averageBuy(exchangeOrders.filter((o) => u.orders.includes(o.venueOrderId)));
    if (m.minCost && avg && qty.times(avg).lt(m.minCost)) continue; // too little to sell: nothing a close could do
    findings.push({
      kind: "orphan_exchange",
      symbol: u.symbol,
      detail: `The exchange account holds ${qty.toString()} ${asset} bought by orders under our client order id that no open copy accounts for.`,
      data: { asset, quantity: qty.toString(), averagePrice: avg?.toString() ?? null, orders: u.orders.join(",") },
      dedupeKey: `orphan_exchange:${asset}`,
    });
  }

  // 6. Record new findings, refresh the figures of open ones, resolve what is no longer seen.
  for (const f of findings) count(f.kind);
  const written = await db.transaction(async (tx) => {
    const existing = await tx
      .select()
      .from(venueDiscrepancies)
      .where(and(eq(venueDiscrepancies.connectionId, connectionId), eq(venueDiscrepancies.status, "open")))
      .for("update");
    const openByKey = new Map(existing.map((d) => [d.dedupeKey, d]));
    let recorded = 0;
    let resolved = 0;
    for (const f of findings) {
      const prior = openByKey.get(f.dedupeKey);
      if (prior) {
        const data = { ...f.data, ...(prior.data.closingPositionId ? { closingPositionId: prior.data.closingPositionId } : {}) };
        if (prior.detail !== f.detail || JSON.stringify(prior.data) !== JSON.stringify(data)) {
          await tx.update(venueDiscrepancies).set({ detail: f.detail, data }).where(eq(venueDiscrepancies.id, prior.id));
        }
        continue;
      }
      const inserted = await tx
        .insert(venueDiscrepancies)
        .values({ connectionId, userId: conn.userId, kind: f.kind, symbol: f.symbol, detail: f.detail, data: f.data, dedupeKey: f.dedupeKey, foundAt: now })
        .onConflictDoNothing()
        .returning({ id: venueDiscrepancies.id });
      recorded += inserted.length;
      if (inserted.length) logger.info({ connectionId, kind: f.kind, discrepancyId: inserted[0]!.id }, "reconcile: discrepancy found");
    }
    const seen = new Set(findings.map((f) => f.dedupeKey));
    const gone = existing.filter((d) => !seen.has(d.dedupeKey));
    const closing = gone.map((d) => d.data.closingPositionId).filter((id): id is string => typeof id === "string");
    const stillOpen = new Set(
      closing.length ? (await tx.select({ id: positions.id }).from(positions).where(and(inArray(positions.id, closing), eq(positions.status, "open")))).map((p) => p.id) : [],
    );
    for (const d of gone) {
      const closingId = typeof d.data.closingPositionId === "string" ? d.data.closingPositionId : null;
      // A close under way: its sale settles it (resolved "closed" by the run after it fills).
      if (closingId && stillOpen.has(closingId)) continue;
      await tx
        .update(venueDiscrepancies)
        .set({ status: "resolved", resolution: closingId ? "closed" : "gone", resolvedAt: now })
        .where(eq(venueDiscrepancies.id, d.id));
      resolved++;
    }
    await tx.update(exchangeConnections).set({ lastReconciledAt: now }).where(eq(exchangeConnections.id, connectionId));
    if (recorded || resolved || changed) await notifyFollowers(tx, [conn.userId]);
    return { recorded, resolved };
  });
  result.recorded += written.recorded;
  result.resolved += written.resolved;
  logger.info({ connectionId, found: result.found, recorded: result.recorded, resolved: result.resolved }, "reconcile: connection compared with the exchange");
  return result;
}

/** The size-weighted average price of the buys among these orders (null: none). */
function averageBuy(orders: readonly VenueOrderView[]): Decimal | null {
  let qty = ZERO;
  let cost = ZERO;
  for (const o of orders) {
    if (o.side !== "buy" || !o.average) continue;
    qty = qty.plus(dec(o.filled));
    cost = cost.plus(dec(o.filled).times(o.average));
  }
  return qty.gt(0) ? cost.div(qty).toDecimalPlaces(8) : null;
}

/** Connections the cron reconciles: those that may hold copies (active, or removing while their copies close). */
export async function connectionsToReconcile(): Promise<string[]> {
  const rows = await db
    .select({ id: exchangeConnections.id })
    .from(exchangeConnections)
    .where(and(inArray(exchangeConnections.status, ["active", "removing"]), sql`${exchangeConnections.credentialsSealed} <> ''`))
    .orderBy(exchangeConnections.id);
  return rows.map((r) => r.id);
}

/** Asks for the connection's run with a reconciliation after its placements (see the INVARIANT above). */
export async function requestReconciliation(connectionId: string, eventId?: string): Promise<void> {
  await sendEvent("copy/connection.requested", { connectionId, redrive: 0, reconcile: true }, eventId ? { id: eventId } : {});
}

// ---------------------------------------------------------------------------------------------------------------
// The follower's and the admin's side

export interface DiscrepancyView {
  id: string;
  connectionId: string;
  kind: VenueDiscrepancyKind;
  symbol: string | null;
  detail: string;
  data: DiscrepancyData;
  status: "open" | "resolved";
  resolution: string | null;
  foundAt: Date;
  resolvedAt: Date | null;
  /** Whether the one-click close applies (orphans, dust, an unrecorded filled order), and it is still open. */
  closable: boolean;
}

const CLOSABLE = new Set<VenueDiscrepancyKind>(["orphan_ledger", "orphan_exchange", "dust", "unrecorded_order"]);

const discrepancyView = (d: typeof venueDiscrepancies.$inferSelect): DiscrepancyView => ({
  id: d.id,
  connectionId: d.connectionId,
  kind: d.kind,
  symbol: d.symbol,
  detail: d.detail,
  data: d.data,
  status: d.status,
  resolution: d.resolution,
  foundAt: d.foundAt,
  resolvedAt: d.resolvedAt,
  closable: d.status === "open" && CLOSABLE.has(d.kind) && !d.data.closingPositionId && (d.kind !== "unrecorded_order" || (d.data.side === "buy" && d.data.exchangeStatus !== "open" && dec(d.data.filled as string).gt(0))),
});

/** The acting user's discrepancies, newest first (200 at most), of one connection and/or status if given. */
export async function listDiscrepancies(ctx: ActingContext, filter: { connectionId?: string; status?: "open" | "resolved" } = {}): Promise<DiscrepancyView[]> {
  const where = [eq(venueDiscrepancies.userId, ctx.actor.id)];
  if (filter.connectionId) where.push(eq(venueDiscrepancies.connectionId, filter.connectionId));
  if (filter.status) where.push(eq(venueDiscrepancies.status, filter.status));
  const rows = await db
    .select()
    .from(venueDiscrepancies)
    .where(and(...where))
    .orderBy(desc(venueDiscrepancies.foundAt), desc(venueDiscrepancies.id))
    .limit(200);
  return rows.map(discrepancyView);
}

export interface AdminDiscrepancyView extends DiscrepancyView {
  userId: string;
  /** The follower's email: what an admin recognises and searches by. */
  userEmail: string;
  exchangeId: string;
  connectionLabel: string;
}

/** Every open discrepancy, newest first: the admin monitoring view (the caller checks the admin role). */
export async function listOpenDiscrepanciesForAdmin(options: { limit?: number } = {}): Promise<AdminDiscrepancyView[]> {
  const rows = await db
    .select({ d: venueDiscrepancies, exchangeId: exchangeConnections.exchangeId, label: exchangeConnections.label, email: users.email })
    .from(venueDiscrepancies)
    .innerJoin(exchangeConnections, eq(exchangeConnections.id, venueDiscrepancies.connectionId))
    .innerJoin(users, eq(users.id, venueDiscrepancies.userId))
    .where(eq(venueDiscrepancies.status, "open"))
    .orderBy(desc(venueDiscrepancies.foundAt), desc(venueDiscrepancies.id))
    .limit(Math.min(Math.max(options.limit ?? 100, 1), 1_000));
  return rows.map((r) => ({ ...discrepancyView(r.d), userId: r.d.userId, userEmail: r.email, exchangeId: r.exchangeId, connectionLabel: r.label }));
}

/**
 * Reconciles one of the acting user's connections now. Through the connection's job (not here): reconciling while
 * that job places an order could take the order in flight for a missed or unrecorded one. The result lands in the
 * follower's discrepancies (their feed is notified).
 */
export async function reconcileNow(ctx: ActingContext, connectionId: string): Promise<{ requested: true }> {
  const [row] = await db
    .select({ id: exchangeConnections.id })
    .from(exchangeConnections)
    .where(and(eq(exchangeConnections.id, connectionId), eq(exchangeConnections.userId, ctx.actor.id), inArray(exchangeConnections.status, ["active", "removing"])));
  if (!row) throw new NotFoundError("Connection not found");
  await requestReconciliation(connectionId);
  ctx.log.info({ connectionId }, "reconcile: requested by the follower");
  return { requested: true };
}

export type CloseOrphanResult = { status: "closed" } | { status: "closing"; positionId: string };

/**
 * The one-click close of a discrepancy of the acting user's (see the module comment): "closed" when done now (a
 * ledger-only close), "closing" when a sale was planned on the exchange (resolved by the reconciliation after it).
 */
export async function closeOrphan(ctx: ActingContext, discrepancyId: string): Promise<CloseOrphanResult> {
  const [d] = await db
    .select()
    .from(venueDiscrepancies)
    .where(and(eq(venueDiscrepancies.id, discrepancyId), eq(venueDiscrepancies.userId, ctx.actor.id)));
  if (!d) throw new NotFoundError("Discrepancy not found");
  if (d.status !== "open") throw new ConflictError("This discrepancy is already resolved");
  if (d.kind === "orphan_ledger" || d.kind === "dust") return closeInLedger(ctx, d);
  if (d.kind === "orphan_exchange") return closeOnExchange(ctx, d);
  if (d.kind === "unrecorded_order") {
    if (d.data.exchangeStatus === "open") throw new ConflictError("This order is still open on the exchange: cancel it there, then reconcile again");
    // The unrecorded fill is part of what its asset's orphan holds: closing that orphan sells it.
    const orphans = await db
      .select()
      .from(venueDiscrepancies)
      .where(and(eq(venueDiscrepancies.connectionId, d.connectionId), eq(venueDiscrepancies.kind, "orphan_exchange"), eq(venueDiscrepancies.status, "open")));
    const orphan = orphans.find((o) => String(o.data.orders ?? "").split(",").includes(String(d.data.venueOrderId)));
    if (!orphan) throw new ConflictError("Nothing this order bought is held on the exchange beyond your open copies: there is nothing to close");
    return closeOnExchange(ctx, orphan);
  }
  throw new ConflictError("This discrepancy has nothing to close");
}

/** An orphan_ledger or dust copy: closed in our books without an order, the reason on a cancelled closing order. */
async function closeInLedger(ctx: ActingContext, d: typeof venueDiscrepancies.$inferSelect): Promise<CloseOrphanResult> {
  const positionId = String(d.data.positionId ?? "");
  await db.transaction(async (tx) => {
    const [p] = await tx
      .select()
      .from(positions)
      .where(and(eq(positions.id, positionId), eq(positions.userId, ctx.actor.id), eq(positions.venue, d.connectionId)))
      .for("update");
    if (p?.status === "open") {
      const reason =
        d.kind === "dust"
          ? `dust: ${p.quantity} ${p.symbol} is below the exchange's minimum order; closed in the ledger without an order (it stays on the exchange account)`
          : `orphan_ledger: the exchange account no longer holds this copy (it holds ${String(d.data.held ?? "0")}); closed in the ledger without an order, there was nothing to sell`;
      await tx
        .insert(copyOrders)
        .values({
          id: newId("cpo"),
          clientOrderId: clientOrderId({ eventId: d.id, userId: p.userId, leg: "manual-close" }),
          userId: p.userId,
          copySettingId: p.copySettingId,
          providerId: p.providerId,
          signalId: p.signalId,
          positionId: p.id,
          venue: p.venue,
          symbol: p.symbol,
          side: p.side === "long" ? "sell" : "buy",
          leg: "manual",
          orderType: "market",
          status: "cancelled",
          reason,
          quantity: p.quantity,
        })
        .onConflictDoNothing();
      await tx.update(positions).set({ status: "closed", quantity: "0", closedAt: ctx.now }).where(eq(positions.id, p.id));
    }
    await tx
      .update(venueDiscrepancies)
      .set({ status: "resolved", resolution: "closed", resolvedAt: ctx.now })
      .where(and(eq(venueDiscrepancies.id, d.id), eq(venueDiscrepancies.status, "open")));
    await notifyFollowers(tx, [ctx.actor.id]);
  });
  ctx.log.info({ connectionId: d.connectionId, discrepancyId: d.id, kind: d.kind }, "reconcile: copy closed in the ledger");
  return { status: "closed" };
}

/**
 * An orphan on the exchange: its unrecorded orders adopted into the ledger (filled copy orders, one open copy of the
 * orphaned quantity at their average price), then that copy closed through the engine like any other (a planned
 * sell placed by the connection's run), and a reconciliation asked for after it to resolve the finding.
 */
async function closeOnExchange(ctx: ActingContext, d: typeof venueDiscrepancies.$inferSelect): Promise<CloseOrphanResult> {
  // Selling needs a connection that can still place orders: adopting onto one that cannot would leave an open copy
  // in the ledger whose close is refused.
  const [conn] = await db.select({ status: exchangeConnections.status }).from(exchangeConnections).where(eq(exchangeConnections.id, d.connectionId));
  if (!conn || (conn.status !== "active" && conn.status !== "removing")) {
    throw new ConflictError("This connection cannot place orders any more (removed, or its key was refused): sell these coins on the exchange yourself");
  }
  const positionId = await db.transaction(async (tx) => {
    const [row] = await tx.select().from(venueDiscrepancies).where(eq(venueDiscrepancies.id, d.id)).for("update");
    if (!row || row.status !== "open") throw new ConflictError("This discrepancy is already resolved");
    if (typeof row.data.closingPositionId === "string") return row.data.closingPositionId; // closing already
    const orderIds = String(row.data.orders ?? "").split(",").filter(Boolean);
    const unrecorded = orderIds.length
      ? await tx
          .select()
          .from(venueDiscrepancies)
          .where(
            and(
              eq(venueDiscrepancies.connectionId, row.connectionId),
              eq(venueDiscrepancies.status, "open"),
              inArray(venueDiscrepancies.dedupeKey, orderIds.map((id) => `unrecorded_order:${id}`)),
            ),
          )
      : [];
    // Whose copy it becomes: the copy order the exchange order belongs to, if we hold one; else the latest following
    // copying to this connection.
    const mappedIds = unrecorded.map((u) => u.data.copyOrderId).filter((id): id is string => typeof id === "string");
    const [mapped] = mappedIds.length ? await tx.select().from(copyOrders).where(inArray(copyOrders.id, mappedIds)).limit(1) : [];
    const [following] = mapped
      ? []
      : await tx
          .select()
          .from(copySettings)
          .where(and(eq(copySettings.userId, ctx.actor.id), eq(copySettings.venue, row.connectionId)))
          .orderBy(desc(copySettings.createdAt))
          .limit(1);
    const providerId = mapped?.providerId ?? following?.providerId;
    if (!providerId) throw new ConflictError("No following copies to this connection, so the orphan cannot be closed from here: sell it on the exchange");
    let signalId = mapped?.signalId ?? null;
    if (signalId) {
      const [taken] = await tx.select({ id: positions.id }).from(positions).where(and(eq(positions.userId, ctx.actor.id), eq(positions.signalId, signalId)));
      if (taken) signalId = null;
    }
    const quantity = String(row.data.quantity);
    const price = String(row.data.averagePrice ?? "") || String(unrecorded.find((u) => u.data.average)?.data.average ?? "0");
    const id = newId("pos");
    await tx.insert(positions).values({
      id,
      userId: ctx.actor.id,
      copySettingId: mapped?.copySettingId ?? following?.id ?? null,
      providerId,
      // The exit path finds a copy by its signal: an adopted copy of no signal of ours stands under the finding's id.
      signalId: signalId ?? row.id,
      venue: row.connectionId,
      symbol: row.symbol ?? mapped?.symbol ?? "",
      side: "long",
      quantity,
      initialQuantity: quantity,
      avgEntry: price,
      markPrice: price,
      lastSeq: 0,
      openedAt: ctx.now,
    });
    for (const u of unrecorded) {
      const filled = String(u.data.filled ?? "0");
      await tx
        .insert(copyOrders)
        .values({
          id: newId("cpo"),
          clientOrderId: clientOrderId({ eventId: `adopt:${row.connectionId}:${String(u.data.venueOrderId)}`, userId: ctx.actor.id, leg: "entry" }),
          userId: ctx.actor.id,
          copySettingId: mapped?.copySettingId ?? following?.id ?? null,
          providerId,
          signalId: signalId ?? row.id,
          positionId: id,
          venue: row.connectionId,
          symbol: u.symbol ?? row.symbol ?? "",
          side: u.data.side === "sell" ? "sell" : "buy",
          leg: u.data.side === "sell" ? "manual" : "entry",
          orderType: "market",
          status: "filled",
          reason: `adopted: exchange order ${String(u.data.venueOrderId)} under our client order id ${String(u.data.clientOrderId)} was not in the ledger (discrepancy ${row.id})`,
          fillPrice: u.data.average ? String(u.data.average) : null,
          quantity: filled,
          venueOrderId: String(u.data.venueOrderId),
          filledAt: ctx.now,
        })
        .onConflictDoNothing();
    }
    for (const x of [row, ...unrecorded]) {
      await tx.update(venueDiscrepancies).set({ data: { ...x.data, closingPositionId: id } }).where(eq(venueDiscrepancies.id, x.id));
    }
    return id;
  });
  await closePositionsNow({ userId: ctx.actor.id, positionIds: [positionId], reason: "manual", now: ctx.now });
  // After the sale the connection's run places, a reconciliation resolves the finding "closed" (else the cron's will).
  try {
    await requestReconciliation(d.connectionId);
  } catch (err) {
    ctx.log.error({ err, connectionId: d.connectionId }, "reconcile: could not request the reconciliation after a close; the cron will");
  }
  ctx.log.info({ connectionId: d.connectionId, discrepancyId: d.id, positionId }, "reconcile: orphan adopted and closing on the exchange");
  return { status: "closing", positionId };
}
