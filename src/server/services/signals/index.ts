/**
 * Signals: publishing (web form, REST API and TradingView all come here), the provider's manual changes, and the
 * lifecycle events decided from market prices. A signal row is never edited in place: every change appends a
 * hash-chained event (services/chain) in the same transaction that updates the row's current state, and each
 * commit NOTIFYs the realtime channel.
 */
import "server-only";
import Decimal from "decimal.js";
import { and, asc, count, desc, eq, inArray, max, sql } from "drizzle-orm";
import { z } from "zod";
import { env } from "@/env";
import { db, type Executor } from "@/server/db";
import { providers, signalEvents, signals, type SignalEventKind, type TakeProfitLevel } from "@/server/db/schema";
import { ConflictError, NotFoundError, ValidationError, isUniqueViolation } from "@/server/errors";
import { consume } from "@/server/rate-limit";
import { recordAudit } from "@/server/services/audit";
import { appendChainEntry } from "@/server/services/chain";
import { getMarketData } from "@/server/integrations/market-data";
import { logger } from "@/server/logger";
import { DEFAULT_LIMIT_EXPIRY_HOURS, levelProblems, publishSignalSchema, relativeDistance, type PublishSignalInput } from "@/lib/validation/signals";
import { publishedEventData } from "@/lib/chain";
import { averageExit, legsOf, runCandles, type Candle, type LifecycleEvent, type LifecycleState } from "@/lib/lifecycle";
import { rMultiple, signalReturn } from "@/lib/stats";

export type SignalRow = typeof signals.$inferSelect;
export type SignalSource = SignalRow["source"];

export const SIGNAL_CHANNEL = "tradsy_signals";
export const PUBLISH_RATE = { points: 30, seconds: 60 } as const;

export interface ActionMeta {
  actorId: string | null;
  ip?: string | null;
  now?: Date;
}

function fieldErrorsOf(error: z.ZodError): Record<string, string[]> {
  return z.flattenError(error).fieldErrors as Record<string, string[]>;
}

function firstMessage(fields: Record<string, string[]>, fallback: string): string {
  for (const v of Object.values(fields)) if (v[0]) return v[0];
  return fallback;
}

/** Row lock on the provider: serialises numbering and chain appends per provider. */
async function lockProvider(tx: Executor, providerId: string) {
  // NO KEY UPDATE: serialises appends per provider without blocking inserts that reference the provider row.
  const [row] = await tx.select({ id: providers.id }).from(providers).where(eq(providers.id, providerId)).for("no key update");
  if (!row) throw new NotFoundError("Provider not found");
}

async function notify(tx: Executor, payload: { providerId: string; signalId: string; kind: SignalEventKind }) {
  await tx.execute(sql`select pg_notify(${SIGNAL_CHANNEL}, ${JSON.stringify(payload)})`);
}

/** Appends one chain entry for a signal and keeps the row's stored hash of its `published` entry. */
async function appendEvent(tx: Executor, signal: { id: string; providerId: string }, kind: SignalEventKind, at: Date, data: Record<string, unknown>) {
  const entry = await appendChainEntry(tx, { providerId: signal.providerId, signalId: signal.id, kind, at, data });
  await notify(tx, { providerId: signal.providerId, signalId: signal.id, kind });
  return entry;
}

async function emit(name: "signal/published" | "signal/updated" | "signal/closed", data: Record<string, string>) {
  try {
    const { sendEvent } = await import("@/server/jobs/events");
    await sendEvent(name as never, data as never);
  } catch (err) {
    // The signal is committed; a lost job event is logged, and the price monitor and roll-up catch up on their own.
    logger.error({ err, name }, "could not emit job event");
  }
}

export interface PublishResult {
  signal: SignalRow;
  /** False when an idempotency key matched an earlier publication: nothing new was written. */
  created: boolean;
}

/**
 * Publishes a signal after checking it against the market: the symbol must exist, a market entry must be within
 * tolerance of the current price (so nobody can back-date a winner), a limit must be on the right side of the
 * market, the stop on the losing side and targets on the winning side. Refusals throw ValidationError and write
 * nothing.
 */
export async function publishSignal(providerId: string, raw: PublishSignalInput | unknown, source: SignalSource, meta: ActionMeta): Promise<PublishResult> {
  const parsed = publishSignalSchema.safeParse(raw);
  if (!parsed.success) {
    const fields = fieldErrorsOf(parsed.error);
    throw new ValidationError(firstMessage(fields, "Check the signal's fields"), fields);
  }
  const input = parsed.data;
  const now = meta.now ?? new Date();

  if (input.idempotencyKey) {
    const existing = await db.query.signals.findFirst({
      where: and(eq(signals.providerId, providerId), eq(signals.idempotencyKey, input.idempotencyKey)),
    });
    if (existing) return { signal: existing, created: false };
  }
  await consume("publish-signal", providerId, PUBLISH_RATE.points, PUBLISH_RATE.seconds);

  const market = await getMarketData();
  const info = await market.getSymbol(input.symbol);
  if (!info) {
    const msg = `Unknown symbol "${input.symbol}". Pick one from the symbol list (e.g. BTC/USDT).`;
    throw new ValidationError(msg, { symbol: [msg] });
  }
  const quote = await market.lastPrice(info.symbol);
  const tolerance = new Decimal(env.SIGNAL_ENTRY_TOLERANCE);
  let entry: string;
  if (input.entryType === "market") {
    if (input.entryPrice && relativeDistance(input.entryPrice, quote.price).gt(tolerance)) {
      const pct = relativeDistance(input.entryPrice, quote.price).times(100).toDecimalPlaces(2).toString();
      const msg = `Entry ${input.entryPrice} is ${pct}% from the market price ${quote.price}; a market entry must be within ${tolerance.times(100).toString()}% of it.`;
      throw new ValidationError(msg, { entryPrice: [msg] });
    }
    entry = quote.price;
  } else {
    entry = input.entryPrice!;
    const long = input.side === "long";
    const wrongSide = long ? new Decimal(entry).gte(quote.price) : new Decimal(entry).lte(quote.price);
    if (wrongSide) {
      const msg = `A ${input.side} limit entry must be ${long ? "below" : "above"} the current price ${quote.price}; use a market entry to enter now.`;
      throw new ValidationError(msg, { entryPrice: [msg] });
    }
  }
  const problems = levelProblems(input, entry);
  if (Object.keys(problems).length) throw new ValidationError(firstMessage(problems, "Check the levels"), problems);

  const takeProfits: TakeProfitLevel[] = input.takeProfits.map((tp) => ({ price: tp.price, share: tp.share }));
  const expiresAt = input.entryType === "limit" ? new Date(now.getTime() + (input.expiresInHours ?? DEFAULT_LIMIT_EXPIRY_HOURS) * 3_600_000) : null;

  try {
    const result = await db.transaction(async (tx) => {
      await lockProvider(tx, providerId);
      if (input.idempotencyKey) {
        const existing = await tx.query.signals.findFirst({
          where: and(eq(signals.providerId, providerId), eq(signals.idempotencyKey, input.idempotencyKey)),
        });
        if (existing) return { signal: existing, created: false };
      }
      const [last] = await tx.select({ n: max(signals.number) }).from(signals).where(eq(signals.providerId, providerId));
      const [row] = await tx
        .insert(signals)
        .values({
          providerId,
          number: (last?.n ?? 0) + 1,
          symbol: info.symbol,
          side: input.side,
          entryType: input.entryType,
          entryPrice: entry,
          initialStop: input.stopLoss ?? null,
          stopLoss: input.stopLoss ?? null,
          takeProfits,
          note: input.note,
          source,
          status: input.entryType === "market" ? "open" : "pending",
          idempotencyKey: input.idempotencyKey ?? null,
          publishedAt: now,
          expiresAt,
          filledAt: input.entryType === "market" ? now : null,
          fillPrice: input.entryType === "market" ? entry : null,
          prevHash: "",
          hash: "",
        })
        .returning();
      // Built from the stored row, so every field the row shows (its number included) is what the chain commits to.
      const chained = await appendEvent(tx, row!, "published", now, publishedEventData(row!));
      const [signal] = await tx.update(signals).set({ prevHash: chained.prevHash, hash: chained.hash }).where(eq(signals.id, row!.id)).returning();
      if (meta.actorId) {
        await recordAudit(tx, { actorId: meta.actorId, action: "signal.published", targetType: "signal", targetId: row!.id, data: { source }, ip: meta.ip });
      }
      return { signal: signal!, created: true };
    });
    if (result.created) await emit("signal/published", { signalId: result.signal.id, providerId });
    return result;
  } catch (err) {
    // Two deliveries of one idempotency key racing: the loser returns the winner's signal.
    if (input.idempotencyKey && isUniqueViolation(err, "signals_provider_id_idempotency_key_idx")) {
      const existing = await db.query.signals.findFirst({
        where: and(eq(signals.providerId, providerId), eq(signals.idempotencyKey, input.idempotencyKey)),
      });
      if (existing) return { signal: existing, created: false };
    }
    throw err;
  }
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

type OwnedSignal = { providerId: string; signalId: string };

async function loadOwned(tx: Executor, { providerId, signalId }: OwnedSignal) {
  await lockProvider(tx, providerId);
  // INVARIANT: scoped by the caller's provider; another provider's signal is indistinguishable from a missing one.
  const signal = await tx.query.signals.findFirst({ where: and(eq(signals.id, signalId), eq(signals.providerId, providerId)) });
  if (!signal) throw new NotFoundError("No signal with that id");
  return signal;
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
    await lockProvider(tx, owner.providerId);
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

export type ManualEvent =
  | { kind: "stop_moved"; at: Date; stopLoss: string }
  | { kind: "partial_close"; at: Date; price: string; share: string; reason: "manual" }
  | { kind: "closed"; at: Date; price: string; share: string; reason: "manual" }
  | { kind: "cancelled"; at: Date; reason: string };

async function afterChange(signal: SignalRow, kind: string) {
  if (signal.status === "closed" || signal.status === "cancelled" || signal.status === "expired") {
    await emit("signal/closed", { signalId: signal.id, providerId: signal.providerId, status: signal.status });
  } else {
    await emit("signal/updated", { signalId: signal.id, providerId: signal.providerId, kind });
  }
}

/** Moves the stop of an open or pending signal; it must stay on the losing side of the current price. */
export async function moveStop(owned: OwnedSignal, stopRaw: unknown, meta: ActionMeta) {
  const parsed = publishSignalSchema.shape.stopLoss.safeParse(stopRaw);
  if (!parsed.success || !parsed.data) throw new ValidationError("Enter the new stop-loss price", { stopLoss: ["Enter the new stop-loss price"] });
  const stop = parsed.data;
  const now = meta.now ?? new Date();
  const before = await db.query.signals.findFirst({ where: and(eq(signals.id, owned.signalId), eq(signals.providerId, owned.providerId)) });
  if (!before) throw new NotFoundError("No signal with that id");
  const reference = before.status === "pending" ? before.entryPrice : (await (await getMarketData()).lastPrice(before.symbol)).price;
  const problems = levelProblems({ side: before.side, stopLoss: stop, takeProfits: [] }, reference);
  if (problems.stopLoss) {
    const msg = `The stop must stay ${before.side === "long" ? "below" : "above"} the ${before.status === "pending" ? "entry" : "current price"} (${reference}).`;
    throw new ValidationError(msg, { stopLoss: [msg] });
  }
  const signal = await db.transaction(async (tx) => {
    const s = await loadOwned(tx, owned);
    if (s.status !== "open" && s.status !== "pending") throw new ConflictError(`This signal is ${s.status}; its stop can no longer move.`);
    if (s.stopLoss === stop) throw new ConflictError("The stop is already at that price.");
    const next = await applyLifecycle(tx, s, [{ kind: "stop_moved", at: now, stopLoss: stop }]);
    if (meta.actorId) await recordAudit(tx, { actorId: meta.actorId, action: "signal.stop_moved", targetType: "signal", targetId: s.id, ip: meta.ip });
    return next;
  });
  await afterChange(signal, "stop_moved");
  return signal;
}

/** Closes all (or a share of the original size) of an open signal at the current market price. */
export async function closeSignal(owned: OwnedSignal, input: { share?: string }, meta: ActionMeta) {
  const now = meta.now ?? new Date();
  const before = await db.query.signals.findFirst({ where: and(eq(signals.id, owned.signalId), eq(signals.providerId, owned.providerId)) });
  if (!before) throw new NotFoundError("No signal with that id");
  if (before.status === "pending") throw new ConflictError("This limit entry has not filled yet: cancel it instead.");
  if (before.status !== "open") throw new ConflictError(`This signal is already ${before.status}.`);
  const { price } = await (await getMarketData()).lastPrice(before.symbol);
  const signal = await db.transaction(async (tx) => {
    const s = await loadOwned(tx, owned);
    if (s.status !== "open") throw new ConflictError(`This signal is already ${s.status}.`);
    const remaining = new Decimal(s.remaining);
    const share = input.share ? new Decimal(input.share) : remaining;
    if (share.lte(0) || share.gt(remaining)) {
      const msg = `You can close between 0 and ${remaining.toString()} of the original size.`;
      throw new ValidationError(msg, { share: [msg] });
    }
    const event: ManualEvent = share.eq(remaining)
      ? { kind: "closed", at: now, price, share: share.toString(), reason: "manual" }
      : { kind: "partial_close", at: now, price, share: share.toString(), reason: "manual" };
    const next = await applyLifecycle(tx, s, [event]);
    if (meta.actorId) await recordAudit(tx, { actorId: meta.actorId, action: `signal.${event.kind}`, targetType: "signal", targetId: s.id, ip: meta.ip });
    return next;
  });
  await afterChange(signal, signal.status === "closed" ? "closed" : "partial_close");
  return signal;
}

/** Cancels a pending limit entry. */
export async function cancelSignal(owned: OwnedSignal, meta: ActionMeta) {
  const now = meta.now ?? new Date();
  const signal = await db.transaction(async (tx) => {
    const s = await loadOwned(tx, owned);
    if (s.status !== "pending") {
      throw new ConflictError(s.status === "open" ? "This signal is already filled: close it instead." : `This signal is already ${s.status}.`);
    }
    const next = await applyLifecycle(tx, s, [{ kind: "cancelled", at: now, reason: "provider" }]);
    if (meta.actorId) await recordAudit(tx, { actorId: meta.actorId, action: "signal.cancelled", targetType: "signal", targetId: s.id, ip: meta.ip });
    return next;
  });
  await afterChange(signal, "cancelled");
  return signal;
}

/** Live (pending/open) signals of a provider on one symbol, newest first (TradingView exits and reversals). */
export async function liveSignalsOn(providerId: string, symbol: string) {
  return db
    .select()
    .from(signals)
    .where(and(eq(signals.providerId, providerId), eq(signals.symbol, symbol), inArray(signals.status, ["pending", "open"])))
    .orderBy(desc(signals.publishedAt));
}

export async function listOwnSignals(providerId: string, input: { status?: "live" | "done"; page: number; pageSize: number }) {
  const statusCond =
    input.status === "live" ? inArray(signals.status, ["pending", "open"]) : input.status === "done" ? inArray(signals.status, ["closed", "cancelled", "expired"]) : undefined;
  const where = and(eq(signals.providerId, providerId), statusCond);
  const [items, [total]] = await Promise.all([
    db.select().from(signals).where(where).orderBy(desc(signals.publishedAt), desc(signals.number)).limit(input.pageSize).offset((input.page - 1) * input.pageSize),
    db.select({ n: count() }).from(signals).where(where),
  ]);
  return { items, total: total?.n ?? 0, page: input.page, pageSize: input.pageSize };
}

export { stateOf };
