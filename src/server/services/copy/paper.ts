/**
 * The paper venue: fills at the price the caller gives (the market-data adapter's current price for entries and
 * manual closes, the signal's recorded exit price for its exits) with the symbol's modelled slippage and the track
 * record's fee, and writes a whole batch in one statement: the copy orders (ON CONFLICT on the client order id: a
 * retried batch inserts nothing twice), and only for orders newly inserted, the positions they open or change and
 * the paper balances. Deterministic: same input, same rows.
 */
import "server-only";
import { createHash } from "node:crypto";
import { sql } from "drizzle-orm";
import type { Executor } from "@/server/db";
import { executeRows } from "@/server/db/raw";
import type { CopyLeg, OrderSide } from "@/lib/copy/types";

export const PAPER_VENUE = "paper";
export const COPY_CHANNEL = "tradsy_copy";

/**
 * The deterministic client order id of one copy order: one per (signal event, follower, leg), the same on every
 * retry, re-drive or restart (the unique index refuses a second). 32 characters: within Binance's 36 and Alpaca's 48.
 */
export function clientOrderId(parts: { eventId: string; userId: string; leg: CopyLeg | "manual-close" }): string {
  const digest = createHash("sha256").update(`${parts.eventId}|${parts.userId}|${parts.leg}`).digest("base64url");
  return `tc${digest.slice(0, 30)}`;
}

/** One copy order and what it does to the follower's position and balance (all decided before the write). */
export interface OrderRecord {
  id: string;
  clientOrderId: string;
  userId: string;
  copySettingId: string | null;
  providerId: string;
  signalId: string | null;
  signalEventId: string | null;
  seq: number | null;
  venue: string;
  symbol: string;
  side: OrderSide;
  leg: CopyLeg;
  orderType: "market" | "limit";
  status: "planned" | "skipped" | "submitted" | "filled" | "rejected" | "cancelled";
  reason: string | null;
  requestedPrice: string | null;
  limitPrice: string | null;
  fillPrice: string | null;
  quantity: string;
  fee: string;
  slippageBps: string | null;
  latencyMs: number | null;
  venueOrderId: string | null;
  filledAt: string | null;
  positionId: string | null;
  /** "open": insert the position below; "update": set its state to what is below. */
  position: PositionEffect | null;
  /** Added to the paper balance (realised P&L − fee). */
  balanceDelta: string;
  /** The follower's start-of-day equity as the page's load saw it (recorded by the day's first change), if known. */
  dayStartEquity?: string | null;
}

export type PositionEffect =
  | {
      op: "open";
      side: "long" | "short";
      quantity: string;
      avgEntry: string;
      stopLoss: string | null;
      fees: string;
      openedAt: string;
    }
  | {
      op: "update";
      quantity: string;
      avgExit: string | null;
      realizedPnl: string;
      fees: string;
      status: "open" | "closed";
      closedAt: string | null;
    };

/**
 * Writes a batch of copy orders in one statement; returns the client order ids newly inserted (a retried batch gets
 * back only what it had not written). NOTIFYs the followers touched, on commit.
 */
export async function persistOrders(tx: Executor, orders: readonly OrderRecord[], now: Date): Promise<Set<string>> {
  const day = now.toISOString().slice(0, 10);
  if (!orders.length) return new Set();
  // The wire: what differs per follower as one array per column, and the rest as the page's few distinct shapes
  // (followers given one decision share one), so 2,000 orders travel as a few hundred kilobytes, not megabytes.
  const shapes = new Map<string, number>();
  const shapeRows: unknown[][] = [];
  const cols = { id: [] as Cell[], coid: [] as Cell[], user: [] as Cell[], setting: [] as Cell[], position: [] as Cell[], venue: [] as Cell[], hint: [] as Cell[], shape: [] as Cell[] };
  for (const o of orders) {
    const values = shapeOf(o);
    // A key cheaper than JSON: the values with a separator no id, price or reason contains (null marked apart from "").
    let key = "";
    for (const v of values) key += v === null ? "\u0002\u0001" : `${v}\u0001`;
    let shape = shapes.get(key);
    if (shape === undefined) {
      shape = shapeRows.length;
      shapes.set(key, shape);
      shapeRows.push([shape, ...values]);
    }
    cols.id.push(o.id);
    cols.coid.push(o.clientOrderId);
    cols.user.push(o.userId);
    cols.setting.push(o.copySettingId);
    cols.position.push(o.positionId);
    cols.venue.push(o.venue);
    cols.hint.push(o.dayStartEquity ?? null);
    cols.shape.push(String(shape));
  }
  const result = await executeRows<{ client_order_id: string }>(
    tx,
    sql`with r as (
  select * from unnest(${arrayLiteral(cols.id)}::text[], ${arrayLiteral(cols.coid)}::text[], ${arrayLiteral(cols.user)}::text[],
    ${arrayLiteral(cols.setting)}::text[], ${arrayLiteral(cols.position)}::text[], ${arrayLiteral(cols.venue)}::text[],
    ${arrayLiteral(cols.hint)}::numeric[], ${arrayLiteral(cols.shape)}::int[])
    as r(id, client_order_id, user_id, copy_setting_id, position_id, venue, day_start_hint, shape)
), s as (
  select (v->>0)::int as shape, v->>1 as provider_id, v->>2 as signal_id, v->>3 as signal_event_id, (v->>4)::int as seq,
    v->>5 as symbol, v->>6 as side, v->>7 as leg, v->>8 as order_type, v->>9 as status, v->>10 as reason,
    (v->>11)::numeric as requested_price, (v->>12)::numeric as limit_price, (v->>13)::numeric as fill_price,
    (v->>14)::numeric as quantity, (v->>15)::numeric as fee, (v->>16)::numeric as slippage_bps, (v->>17)::bigint as latency_ms,
    v->>18 as venue_order_id, (v->>19)::timestamptz as filled_at, v->>20 as pos_op, v->>21 as pos_side,
    (v->>22)::numeric as pos_quantity, (v->>23)::numeric as pos_avg_entry, (v->>24)::numeric as pos_stop,
    (v->>25)::timestamptz as pos_opened_at, (v->>26)::numeric as pos_avg_exit, (v->>27)::numeric as pos_realized,
    (v->>28)::numeric as pos_fees, v->>29 as pos_status, (v->>30)::timestamptz as pos_closed_at, (v->>31)::numeric as balance_delta
  from jsonb_array_elements(${JSON.stringify(shapeRows)}::jsonb) as v
), x as (
  select * from r join s using (shape)
), o as (
  insert into copy_orders (id, client_order_id, user_id, copy_setting_id, provider_id, signal_id, signal_event_id, seq, position_id,
    venue, symbol, side, leg, order_type, status, reason, requested_price, limit_price, fill_price, quantity, fee, slippage_bps,
    latency_ms, venue_order_id, filled_at, created_at)
  select id, client_order_id, user_id, copy_setting_id, provider_id, signal_id, signal_event_id, seq, position_id,
    venue, symbol, side::order_side, leg::copy_leg, order_type, status::copy_order_status, reason, requested_price, limit_price,
    fill_price, quantity, fee, slippage_bps, latency_ms, venue_order_id, filled_at, ${now.toISOString()}::timestamptz
  from x
  on conflict (client_order_id) do nothing
  returning client_order_id
), n as (
  select x.* from x join o using (client_order_id)
), po as (
  insert into positions (id, user_id, copy_setting_id, provider_id, signal_id, venue, symbol, side, quantity, initial_quantity,
    avg_entry, fees, mark_price, stop_loss, status, last_seq, opened_at)
  select position_id, user_id, copy_setting_id, provider_id, signal_id, venue, symbol, pos_side, pos_quantity, pos_quantity,
    pos_avg_entry, pos_fees, fill_price, pos_stop, 'open', seq, pos_opened_at
  from n where pos_op = 'open'
  on conflict (user_id, signal_id) do nothing
  returning 1
), pu as (
  -- The average exit from the exact Σ quantity × fill of the position's exits (this one included), rounded once.
  update positions as p set quantity = n.pos_quantity, avg_exit = round(
      (coalesce((select sum(e.quantity * e.fill_price) from copy_orders as e where e.position_id = p.id and e.leg <> 'entry' and e.status = 'filled'), 0) + n.quantity * n.fill_price)
      / (coalesce((select sum(e.quantity) from copy_orders as e where e.position_id = p.id and e.leg <> 'entry' and e.status = 'filled'), 0) + n.quantity), 8),
    realized_pnl = n.pos_realized, fees = n.pos_fees,
    status = n.pos_status::position_status, closed_at = n.pos_closed_at, mark_price = n.fill_price, last_seq = coalesce(n.seq, p.last_seq),
    updated_at = now()
  from n where n.pos_op = 'update' and p.id = n.position_id
  returning 1
), b as (
  -- The balances: created on first use (10,000), moved by the orders newly written. The first change of a UTC day
  -- also records the day's starting equity (the daily loss limit's base): the equity before this change, which the
  -- page's load computed (the hint) or, without one, the balance plus open P&L at the marks.
  insert into paper_accounts as a (id, user_id, balance, day, day_start_equity)
  select 'ppa_' || replace(gen_random_uuid()::text, '-', ''), d.user_id, 10000 + d.delta, ${day}, d.hint
  from (select user_id, sum(balance_delta) as delta, max(day_start_hint) as hint from n where venue = 'paper' group by user_id) as d
  on conflict (user_id) do update set
    balance = a.balance + excluded.balance - 10000,
    day = excluded.day,
    day_start_equity = case when a.day = excluded.day then a.day_start_equity else coalesce(excluded.day_start_equity, a.balance + coalesce((
        select sum(case when p.side = 'long' then (p.mark_price - p.avg_entry) * p.quantity else (p.avg_entry - p.mark_price) * p.quantity end)
        from positions as p where p.user_id = a.user_id and p.status = 'open' and p.venue = 'paper'), 0)) end,
    updated_at = now()
  returning 1
)
select client_order_id from o`,
  );
  const inserted = new Set(result.map((r) => r.client_order_id));
  await notifyFollowers(tx, orders.filter((o) => inserted.has(o.clientOrderId)).map((o) => o.userId));
  return inserted;
}

type Cell = string | null;

/** An order's values that followers of one decision share, in the order the statement reads them (`v->>1` on). */
function shapeOf(o: OrderRecord): (string | number | null)[] {
  const p = o.position;
  const open = p?.op === "open" ? p : null;
  const update = p?.op === "update" ? p : null;
  return [
    o.providerId, o.signalId, o.signalEventId, o.seq, o.symbol, o.side, o.leg, o.orderType, o.status, o.reason, o.requestedPrice,
    o.limitPrice, o.fillPrice, o.quantity, o.fee, o.slippageBps, o.latencyMs, o.venueOrderId, o.filledAt,
    p?.op ?? null, open?.side ?? null, p?.quantity ?? null, open?.avgEntry ?? null, open?.stopLoss ?? null, open?.openedAt ?? null,
    update?.avgExit ?? null, update?.realizedPnl ?? null, p?.fees ?? null, update?.status ?? null, update?.closedAt ?? null,
    o.balanceDelta,
  ];
}

/** A PostgreSQL array literal of text cells (every element quoted, so any text travels as it is; null is NULL). */
function arrayLiteral(cells: readonly Cell[]): string {
  let out = "{";
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i];
    if (i) out += ",";
    out += c == null ? "NULL" : `"${/["\\]/.test(c) ? c.replace(/["\\]/g, "\\$&") : c}"`;
  }
  return `${out}}`;
}

/** Tells the realtime hub (on commit) which followers' positions and orders changed, in payloads under NOTIFY's limit. */
export async function notifyFollowers(tx: Executor, userIds: readonly string[]): Promise<void> {
  const unique = [...new Set(userIds)];
  if (!unique.length) return;
  const payloads: string[] = [];
  for (let i = 0; i < unique.length; i += 200) payloads.push(JSON.stringify({ userIds: unique.slice(i, i + 200) }));
  // One statement for every payload (a page of 2,000 followers is ten of them).
  await tx.execute(sql`select pg_notify(${COPY_CHANNEL}, p) from unnest(${arrayLiteral(payloads)}::text[]) with ordinality as t(p, i) order by i`);
}
