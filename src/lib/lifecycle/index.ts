/**
 * Signal lifecycle: how a published signal's outcome is decided from market candles, without trusting the provider.
 * Pure and deterministic; the price monitor job, the demo-data generator and the tests all run this same code.
 *
 * Rules
 * - Only candles that open at or after publication count, so no price from before the signal can fill or close it;
 *   likewise nothing before `checkedUntil` (candles already applied, or older than a manual change) counts again.
 * - A pending limit entry fills when the candle trades through it (long: low <= limit; short: high >= limit) at the
 *   limit, or at the open when the candle gaps through it. It expires at `expiresAt` if still unfilled.
 * - The stop counts before any target in the same candle (the conservative reading of a candle's high/low), and in
 *   the candle that fills an entry only the stop can trigger. A stop exits at the stop, or at the open on a gap.
 * - Take-profit levels are worked nearest first; each closes its share of the original size at its price. When the
 *   remaining size reaches zero the signal is closed; shares that sum to less than 1 leave a runner open.
 * Prices are decimal strings; all arithmetic is decimal.
 */
import Decimal from "decimal.js";
import type { Candle } from "@/lib/market-data/types";

/** The market-data candle the lifecycle reads, re-exported for callers that only run lifecycles. */
export type { Candle };

export type Side = "long" | "short";

export interface TakeProfit {
  price: string;
  share: string;
}

export interface LifecycleState {
  side: Side;
  status: "pending" | "open" | "closed" | "cancelled" | "expired";
  entryPrice: string;
  fillPrice: string | null;
  stopLoss: string | null;
  takeProfits: TakeProfit[];
  targetsHit: number[];
  remaining: string;
  publishedAt: Date;
  filledAt: Date | null;
  expiresAt: Date | null;
  /** Candles opening before this were already applied (or predate a manual change); null = since publication. */
  checkedUntil?: Date | null;
}

export type LifecycleEvent =
  | { kind: "filled"; at: Date; price: string }
  | { kind: "partial_close"; at: Date; price: string; share: string; reason: "target"; level: number }
  | { kind: "closed"; at: Date; price: string; share: string; reason: "stop" | "target" }
  | { kind: "expired"; at: Date };

const D = (v: string | number) => new Decimal(v);

/** Take-profit indexes ordered nearest to entry first. */
function targetOrder(state: LifecycleState): number[] {
  const idx = state.takeProfits.map((_, i) => i).filter((i) => !state.targetsHit.includes(i));
  return idx.sort((a, b) => {
    const pa = D(state.takeProfits[a]!.price);
    const pb = D(state.takeProfits[b]!.price);
    return state.side === "long" ? pa.cmp(pb) : pb.cmp(pa);
  });
}

function stopHit(state: LifecycleState, c: Candle): string | null {
  if (!state.stopLoss) return null;
  const stop = D(state.stopLoss);
  if (state.side === "long") {
    if (D(c.low).lte(stop)) return D(c.open).lt(stop) ? c.open : state.stopLoss;
  } else if (D(c.high).gte(stop)) {
    return D(c.open).gt(stop) ? c.open : state.stopLoss;
  }
  return null;
}

/**
 * Applies one candle (closed, at `closeTime`) to the state and returns the new state with the events it caused.
 * Events are stamped with the candle's close time: the moment the candle proves the level traded.
 */
export function applyCandle(state: LifecycleState, c: Candle, closeTime: Date): { state: LifecycleState; events: LifecycleEvent[] } {
  if (state.status !== "pending" && state.status !== "open") return { state, events: [] };
  const from = Math.max(state.publishedAt.getTime(), state.checkedUntil?.getTime() ?? 0);
  if (c.openTime < from) return { state, events: [] };
  const events: LifecycleEvent[] = [];
  let s = { ...state, targetsHit: [...state.targetsHit] };
  let fillCandle = false;

  if (s.status === "pending") {
    if (s.expiresAt && c.openTime >= s.expiresAt.getTime()) {
      s = { ...s, status: "expired" };
      return { state: s, events: [{ kind: "expired", at: s.expiresAt! }] };
    }
    const limit = D(s.entryPrice);
    const touched = s.side === "long" ? D(c.low).lte(limit) : D(c.high).gte(limit);
    if (!touched) return { state: s, events };
    const gapped = s.side === "long" ? D(c.open).lt(limit) : D(c.open).gt(limit);
    const price = gapped ? c.open : s.entryPrice;
    s = { ...s, status: "open", fillPrice: price, filledAt: closeTime };
    events.push({ kind: "filled", at: closeTime, price });
    fillCandle = true;
  }

  const stopPrice = stopHit(s, c);
  if (stopPrice !== null) {
    events.push({ kind: "closed", at: closeTime, price: stopPrice, share: s.remaining, reason: "stop" });
    return { state: { ...s, status: "closed", remaining: "0" }, events };
  }
  if (fillCandle) return { state: s, events };

  for (const i of targetOrder(s)) {
    const tp = s.takeProfits[i]!;
    const reached = s.side === "long" ? D(c.high).gte(tp.price) : D(c.low).lte(tp.price);
    if (!reached) break; // nearer levels first: if this one is not reached, farther ones are not either
    const share = Decimal.min(D(tp.share), D(s.remaining));
    const remaining = D(s.remaining).minus(share);
    s.targetsHit.push(i);
    if (remaining.lte(0)) {
      events.push({ kind: "closed", at: closeTime, price: tp.price, share: share.toString(), reason: "target" });
      return { state: { ...s, status: "closed", remaining: "0" }, events };
    }
    events.push({ kind: "partial_close", at: closeTime, price: tp.price, share: share.toString(), reason: "target", level: i + 1 });
    s = { ...s, remaining: remaining.toString() };
  }
  return { state: s, events };
}

/** Runs a series of candles (ascending) of the given length through the state. */
export function runCandles(state: LifecycleState, candles: Candle[], timeframeMs: number): { state: LifecycleState; events: LifecycleEvent[] } {
  let s = state;
  const events: LifecycleEvent[] = [];
  for (const c of candles) {
    if (s.status !== "pending" && s.status !== "open") break;
    const close = new Date(c.openTime + timeframeMs);
    const r = applyCandle(s, c, close);
    s = r.state.status === "pending" || r.state.status === "open" ? { ...r.state, checkedUntil: close > (r.state.checkedUntil ?? new Date(0)) ? close : r.state.checkedUntil } : r.state;
    events.push(...r.events);
  }
  return { state: s, events };
}

/** Closing legs of a signal (for stats): every partial close and the final close, with their shares of size. */
export function legsOf(events: { kind: string; at: Date; price?: string; share?: string }[]) {
  return events
    .filter((e) => e.kind === "partial_close" || e.kind === "closed")
    .map((e) => ({ price: e.price!, share: e.share!, at: e.at }));
}

/** Size-weighted average exit price of the legs. */
export function averageExit(legs: { price: string; share: string }[]): string {
  const total = legs.reduce((acc, l) => acc.plus(l.share), D(0));
  if (total.isZero()) throw new Error("no closed size");
  return legs.reduce((acc, l) => acc.plus(D(l.price).times(l.share)), D(0)).div(total).toString();
}
