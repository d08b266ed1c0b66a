/**
 * A provider's own changes to a signal: moving the stop, closing all or part of an open signal, cancelling a pending
 * limit entry. Each is checked against the market before the provider's lock and against the row under it, and is
 * recorded for `ctx.actor` (audit) at `ctx.now` or later (`changeTime`).
 */
import "server-only";
import Decimal from "decimal.js";
import { and, eq } from "drizzle-orm";
import { db, type Executor } from "@/server/db";
import { signals } from "@/server/db/schema";
import { ConflictError, NotFoundError, ValidationError } from "@/server/errors";
import { recordAudit } from "@/server/services/audit";
import type { ServiceContext } from "@/server/services/context";
import { getMarketData } from "@/server/integrations/market-data";
import { levelProblems, publishSignalSchema } from "@/lib/validation/signals";
import { afterChange } from "./announce";
import { applyLifecycle, changeTime, type ManualEvent } from "./lifecycle";
import { lockProvider } from "./provider-lock";
import type { OwnedSignal, SignalRow } from "./types";

async function loadOwned(tx: Executor, { providerId, signalId }: OwnedSignal): Promise<SignalRow> {
  if (!(await lockProvider(tx, providerId))) throw new NotFoundError("Provider not found");
  // INVARIANT: scoped by the caller's provider; another provider's signal is indistinguishable from a missing one.
  const signal = await tx.query.signals.findFirst({ where: and(eq(signals.id, signalId), eq(signals.providerId, providerId)) });
  if (!signal) throw new NotFoundError("No signal with that id");
  return signal;
}

async function audit(ctx: ServiceContext, tx: Executor, action: string, signalId: string) {
  if (ctx.actor) await recordAudit(tx, { actorId: ctx.actor.id, action, targetType: "signal", targetId: signalId, ip: ctx.ip, userAgent: ctx.userAgent });
}

/** Moves the stop of an open or pending signal; it must stay on the losing side of the current price. */
export async function moveStop(ctx: ServiceContext, owned: OwnedSignal, stopRaw: unknown): Promise<SignalRow> {
  const parsed = publishSignalSchema.shape.stopLoss.safeParse(stopRaw);
  if (!parsed.success || !parsed.data) throw new ValidationError("Enter the new stop-loss price", { stopLoss: ["Enter the new stop-loss price"] });
  const stop = parsed.data;
  const before = await db.query.signals.findFirst({ where: and(eq(signals.id, owned.signalId), eq(signals.providerId, owned.providerId)) });
  if (!before) throw new NotFoundError("No signal with that id");
  const reference = before.status === "pending" ? before.entryPrice : (await getMarketData().lastPrice(before.symbol)).price;
  const problems = levelProblems({ side: before.side, stopLoss: stop, takeProfits: [] }, reference);
  if (problems.stopLoss) {
    const msg = `The stop must stay ${before.side === "long" ? "below" : "above"} the ${before.status === "pending" ? "entry" : "current price"} (${reference}).`;
    throw new ValidationError(msg, { stopLoss: [msg] });
  }
  const signal = await db.transaction(async (tx) => {
    const s = await loadOwned(tx, owned);
    if (s.status !== "open" && s.status !== "pending") throw new ConflictError(`This signal is ${s.status}; its stop can no longer move.`);
    if (s.stopLoss === stop) throw new ConflictError("The stop is already at that price.");
    const next = await applyLifecycle(tx, s, [{ kind: "stop_moved", at: changeTime(s, ctx.now), stopLoss: stop }]);
    await audit(ctx, tx, "signal.stop_moved", s.id);
    return next;
  });
  await afterChange(signal, "stop_moved");
  return signal;
}

/** Closes all (or a share of the original size) of an open signal at the current market price. */
export async function closeSignal(ctx: ServiceContext, owned: OwnedSignal, input: { share?: string }): Promise<SignalRow> {
  const before = await db.query.signals.findFirst({ where: and(eq(signals.id, owned.signalId), eq(signals.providerId, owned.providerId)) });
  if (!before) throw new NotFoundError("No signal with that id");
  if (before.status === "pending") throw new ConflictError("This limit entry has not filled yet: cancel it instead.");
  if (before.status !== "open") throw new ConflictError(`This signal is already ${before.status}.`);
  const { price } = await getMarketData().lastPrice(before.symbol);
  const signal = await db.transaction(async (tx) => {
    const s = await loadOwned(tx, owned);
    if (s.status !== "open") throw new ConflictError(`This signal is already ${s.status}.`);
    const remaining = new Decimal(s.remaining);
    const share = input.share ? new Decimal(input.share) : remaining;
    if (share.lte(0) || share.gt(remaining)) {
      const msg = `You can close between 0 and ${remaining.toString()} of the original size.`;
      throw new ValidationError(msg, { share: [msg] });
    }
    const at = changeTime(s, ctx.now);
    const event: ManualEvent = share.eq(remaining)
      ? { kind: "closed", at, price, share: share.toString(), reason: "manual" }
      : { kind: "partial_close", at, price, share: share.toString(), reason: "manual" };
    const next = await applyLifecycle(tx, s, [event]);
    await audit(ctx, tx, `signal.${event.kind}`, s.id);
    return next;
  });
  await afterChange(signal, signal.status === "closed" ? "closed" : "partial_close");
  return signal;
}

/** Cancels a pending limit entry. */
export async function cancelSignal(ctx: ServiceContext, owned: OwnedSignal): Promise<SignalRow> {
  const signal = await db.transaction(async (tx) => {
    const s = await loadOwned(tx, owned);
    if (s.status !== "pending") {
      throw new ConflictError(s.status === "open" ? "This signal is already filled: close it instead." : `This signal is already ${s.status}.`);
    }
    const next = await applyLifecycle(tx, s, [{ kind: "cancelled", at: changeTime(s, ctx.now), reason: "provider" }]);
    await audit(ctx, tx, "signal.cancelled", s.id);
    return next;
  });
  await afterChange(signal, "cancelled");
  return signal;
}
