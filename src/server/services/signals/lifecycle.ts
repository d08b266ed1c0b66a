/**
 * A signal's life after publication: lifecycle events (from the price monitor, the demo generator, a manual change
 * or a TradingView exit) each become a hash-chained entry (services/chain) in the transaction that moves the row to
 * its new state. A signal row is never edited otherwise.
 */
import "server-only";
import Decimal from "decimal.js";
import { and, asc, eq, inArray } from "drizzle-orm";
import { db, type Executor } from "@/server/db";
import { signalEvents, signals, type SignalEventKind } from "@/server/db/schema";
import { ConflictError, NotFoundError } from "@/server/errors";
import { recordAudit } from "@/server/services/audit";
import { appendChainEntry } from "@/server/services/chain";
import type { ServiceContext } from "@/server/services/context";
import { averageExit, legsOf, runCandles, type Candle, type LifecycleEvent, type LifecycleState } from "@/lib/lifecycle";
import { rMultiple, signalReturn } from "@/lib/stats";
import { afterChange, notify } from "./announce";
import { recordFanout } from "./fanout-row";
import { forgetHead } from "./known-heads";
import { lockProvider } from "./provider-lock";
import type { SignalRow } from "./types";

export type ManualEvent =
  | { kind: "stop_moved"; at: Date; stopLoss: string }
  | { kind: "partial_close"; at: Date; price: string; share: string; reason: "manual" }
  | { kind: "closed"; at: Date; price: string; share: string; reason: "manual" }
  | { kind: "cancelled"; at: Date; reason: string };

/** Appends one chain entry for a signal (under the provider's lock the caller holds) and NOTIFYs it. */
async function appendEvent(tx: Executor, signal: { id: string; providerId: string }, kind: SignalEventKind, at: Date, data: Record<string, unknown>) {
  forgetHead(signal.providerId);
  const entry = await appendChainEntry(tx, { providerId: signal.providerId, signalId: signal.id, kind, at, data });
  await recordFanout(tx, entry.row);
  await notify(tx, { providerId: signal.providerId, signalId: signal.id, kind });
  return entry;
}

function stateOf(s: SignalRow): LifecycleState {
  return {
    side: s.side,
    status: s.status,
    entryPrice: s.entryPrice,
    fillPrice: s.fillPrice,
    stopLoss: s.stopLoss,
    takeProfits: s.takeProfits,
    targetsHit: s.targetsHit,
    remaining: s.remaining,
    publishedAt: s.publishedAt,
    filledAt: s.filledAt,
    expiresAt: s.expiresAt,
    checkedUntil: s.checkedUntil,
  };
}

/** Loads a signal's closing legs from its events (the record), for results and stats. */
async function legsFromEvents(tx: Executor, signalId: string) {
  const rows = await tx
    .select({ kind: signalEvents.kind, at: signalEvents.at, data: signalEvents.data })
    .from(signalEvents)
    .where(and(eq(signalEvents.signalId, signalId), inArray(signalEvents.kind, ["partial_close", "closed"])))
    .orderBy(asc(signalEvents.seq));
  return legsOf(rows.map((r) => ({ kind: r.kind, at: new Date(r.at), price: r.data.price as string, share: r.data.share as string })));
}

function results(signal: SignalRow, legs: { price: string; share: string; at: Date }[], closedAt: Date) {
  const input = {
    id: signal.id,
    side: signal.side,
    entryPrice: signal.fillPrice ?? signal.entryPrice,
    initialStop: signal.initialStop,
    openedAt: signal.filledAt ?? signal.publishedAt,
    closedAt,
    legs,
  };
  return { resultPct: signalReturn(input), resultR: rMultiple(input), exitPrice: averageExit(legs) };
}

/**
 * Applies lifecycle events (from the price monitor, the demo generator or a manual close) to a signal in one
 * transaction: each becomes a chain entry, and the row moves to the resulting state.
 */
export async function applyLifecycle(tx: Executor, signal: SignalRow, events: (LifecycleEvent | ManualEvent)[]): Promise<SignalRow> {
  let current = signal;
  for (const e of events) {
    const patch: Partial<typeof signals.$inferInsert> = {};
    let data: Record<string, unknown>;
    switch (e.kind) {
      case "filled":
        data = { price: e.price };
        Object.assign(patch, { status: "open", fillPrice: e.price, filledAt: e.at });
        break;
      case "partial_close": {
        data = { price: e.price, share: e.share, reason: e.reason, ...("level" in e ? { level: e.level } : {}) };
        const remaining = new Decimal(current.remaining).minus(e.share).toString();
        Object.assign(patch, { remaining, targetsHit: "level" in e && e.level ? [...current.targetsHit, e.level - 1] : current.targetsHit });
        if (e.reason === "manual") patch.checkedUntil = e.at;
        break;
      }
      case "closed": {
        // The results go into the entry too, so a stored result that was changed later no longer matches the chain.
        const legs = [...(await legsFromEvents(tx, current.id)), { price: e.price, share: e.share, at: e.at }];
        const outcome = results({ ...current, ...patch } as SignalRow, legs, e.at);
        data = { price: e.price, share: e.share, reason: e.reason, ...outcome };
        Object.assign(patch, { status: "closed", remaining: "0", closedAt: e.at, exitReason: e.reason, ...outcome });
        break;
      }
      case "expired":
        data = {};
        Object.assign(patch, { status: "expired", closedAt: e.at, exitReason: "expired" });
        break;
      case "stop_moved":
        data = { stopLoss: e.stopLoss };
        // Candles that opened before the move must not be judged against the new stop.
        Object.assign(patch, { stopLoss: e.stopLoss, checkedUntil: e.at });
        break;
      case "cancelled":
        data = { reason: e.reason };
        Object.assign(patch, { status: "cancelled", closedAt: e.at, exitReason: "cancelled" });
        break;
    }
    await appendEvent(tx, current, e.kind, e.at, data);
    const [next] = await tx.update(signals).set(patch).where(eq(signals.id, current.id)).returning();
    current = next!;
  }
  return current;
}

/**
 * The price monitor's step for one signal: runs the candles through the lifecycle rules and persists the events
 * and how far the candles were checked. Returns the updated row (or the same one when nothing happened).
 */
export async function monitorSignal(signalId: string, candles: Candle[], timeframeMs: number): Promise<{ signal: SignalRow; events: LifecycleEvent[] } | null> {
  const result = await db.transaction(async (tx) => {
    const owner = await tx.query.signals.findFirst({ where: eq(signals.id, signalId), columns: { providerId: true } });
    if (!owner) return null;
    if (!(await lockProvider(tx, owner.providerId))) throw new NotFoundError("Provider not found");
    // INVARIANT: the state is read under the provider's lock. Read before it, a manual close or stop move committed
    // while this waited would be overwritten by events decided from stale state (a partial close after the close).
    const fresh = await tx.query.signals.findFirst({ where: eq(signals.id, signalId) });
    if (!fresh || (fresh.status !== "open" && fresh.status !== "pending")) return null;
    const run = runCandles(stateOf(fresh), candles, timeframeMs);
    let next = run.events.length ? await applyLifecycle(tx, fresh, run.events) : fresh;
    const checked = run.state.checkedUntil ?? null;
    if (checked && (!next.checkedUntil || checked > next.checkedUntil) && (next.status === "open" || next.status === "pending")) {
      [next] = await tx.update(signals).set({ checkedUntil: checked }).where(eq(signals.id, signalId)).returning() as [SignalRow];
    }
    return { signal: next, events: run.events };
  });
  if (result?.events.length) {
    const last = result.events[result.events.length - 1]!;
    await afterChange(result.signal, last.kind);
  }
  return result;
}

/**
 * The time a change to `s` is recorded at: the request's time, but never before the state it acts on (its
 * publication, fill or last recorded change). A request that waited for the provider's lock can carry an earlier
 * time than a change committed while it waited, and a close dated before the opening it closes is not a trade.
 */
export function changeTime(s: SignalRow, requested: Date): Date {
  let t = requested.getTime();
  for (const d of [s.publishedAt, s.filledAt, s.checkedUntil]) if (d && d.getTime() > t) t = d.getTime();
  return new Date(t);
}

/**
 * Ends a live signal for `ctx.actor` inside the caller's transaction, which holds the provider's lock and read `s`
 * under it: a pending limit entry is cancelled, an open signal closed in full at `price` (the market price the
 * caller fetched before taking the lock), at `ctx.now` or later (`changeTime`). The caller announces the change
 * after the commit (`announceChange`).
 */
export async function exitLocked(ctx: ServiceContext, tx: Executor, s: SignalRow, price: string): Promise<SignalRow> {
  const at = changeTime(s, ctx.now);
  if (s.status === "pending") {
    const next = await applyLifecycle(tx, s, [{ kind: "cancelled", at, reason: "provider" }]);
    if (ctx.actor) await recordAudit(tx, { actorId: ctx.actor.id, action: "signal.cancelled", targetType: "signal", targetId: s.id, ip: ctx.ip, userAgent: ctx.userAgent });
    return next;
  }
  if (s.status !== "open") throw new ConflictError(`This signal is already ${s.status}.`);
  const next = await applyLifecycle(tx, s, [{ kind: "closed", at, price, share: s.remaining, reason: "manual" }]);
  if (ctx.actor) await recordAudit(tx, { actorId: ctx.actor.id, action: "signal.closed", targetType: "signal", targetId: s.id, ip: ctx.ip, userAgent: ctx.userAgent });
  return next;
}
