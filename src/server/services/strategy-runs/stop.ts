/**
 * Stopping a running strategy: the owner's kill switch, an admin's stop, the daily loss limit and account deletion.
 * One way for all: under the provider's lock (the lock every publication and chain entry of the provider takes, and
 * the live loop re-reads the run's status under) the run becomes `stopped`, and the provider's live signals end as
 * its own Close/Cancel would end them (chained events at the market price, fanned out to followers). Whatever tick is
 * in flight either committed before the stop or sees `stopped` and publishes nothing. Audited with who stopped it.
 */
import "server-only";
import { and, eq, inArray } from "drizzle-orm";
import { db } from "@/server/db";
import { checkoutSessions, signals, strategyRuns } from "@/server/db/schema";
import { ConflictError } from "@/server/errors";
import { recordAudit } from "@/server/services/audit";
import type { ActingContext, ServiceContext } from "@/server/services/context";
import { announceChange, exitLocked, lockProvider, type SignalRow } from "@/server/services/signals";
import { getMarketData } from "@/server/integrations/market-data";
import { logger } from "@/server/logger";
import { endSubscriptionsOfStoppedRuns } from "./pricing";
import { ownedRun, type RunRow } from "./runs";

export interface StopOutcome {
  run: RunRow;
  /** False when the run had already stopped (nothing changed). */
  stopped: boolean;
  signalsClosed: number;
}

/**
 * Stops a run for `ctx` (actor null: the platform, e.g. the daily loss limit) with a reason, and ends its provider's
 * live signals at the market. A run already stopped is left as it is.
 */
export async function stopRunAs(ctx: ServiceContext, runId: string, reason: string, action = "strategy_run.stopped"): Promise<StopOutcome> {
  const before = await db.query.strategyRuns.findFirst({ where: eq(strategyRuns.id, runId) });
  if (!before) throw new Error(`No run ${runId}`);
  // The market price is fetched before the lock (as the Close button does); without one the run still stops and its
  // open signals keep their stops and targets until closed by hand.
  let price: string | null = null;
  try {
    price = (await getMarketData().lastPrice(before.symbol)).price;
  } catch (err) {
    logger.warn({ err, runId }, "no market price to close a stopped run's signals at");
  }
  const ended: SignalRow[] = [];
  const outcome = await db.transaction(async (tx) => {
    await lockProvider(tx, before.providerId);
    const run = (await tx.query.strategyRuns.findFirst({ where: eq(strategyRuns.id, runId) }))!;
    if (run.status === "stopped") return { run, stopped: false };
    const [row] = await tx
      .update(strategyRuns)
      .set({ status: "stopped", stoppedAt: ctx.now, stoppedBy: ctx.actor?.id ?? null, stopReason: reason, updatedAt: ctx.now })
      .where(eq(strategyRuns.id, runId))
      .returning();
    const live = await tx.query.signals.findMany({ where: and(eq(signals.providerId, run.providerId), inArray(signals.status, ["open", "pending"])) });
    for (const s of live) {
      if (s.status === "open" && price === null) continue;
      ended.push(await exitLocked(ctx, tx, s, price ?? s.entryPrice));
    }
    await recordAudit(tx, {
      actorId: ctx.actor?.id ?? null,
      action,
      targetType: "strategy_run",
      targetId: runId,
      data: { reason, providerId: run.providerId, signalsEnded: ended.length, signalsLeftOpen: live.length - ended.length },
      ip: ctx.ip,
      userAgent: ctx.userAgent,
    });
    return { run: row!, stopped: true };
  });
  for (const s of ended) await announceChange(s, s.status === "cancelled" ? "cancelled" : "closed");
  if (outcome.stopped) {
    // A stopped strategy publishes nothing more: its subscribers stop paying at the end of the period they paid for.
    try {
      // Its open checkouts are not handed out again (a trader who pays one anyway is refused by the webhook).
      await db.update(checkoutSessions).set({ status: "expired" }).where(and(eq(checkoutSessions.providerId, outcome.run.providerId), eq(checkoutSessions.status, "open")));
      await endSubscriptionsOfStoppedRuns(ctx, outcome.run.providerId);
    } catch (err) {
      logger.error({ err, runId }, "could not end a stopped strategy's subscriptions; the strategy-runs job retries");
    }
  }
  return { ...outcome, signalsClosed: ended.length };
}

/** The kill switch: the owner stops their run, or an admin anyone's (others: NOT_FOUND). */
export async function stopRun(ctx: ActingContext, runId: string, reason?: string): Promise<StopOutcome> {
  const run = await ownedRun(ctx, runId, { admin: true });
  if (run.status === "stopped") throw new ConflictError("This strategy is already stopped");
  const why = reason?.trim() || (run.userId === ctx.actor.id ? "Stopped by its owner" : "Stopped by an admin");
  return stopRunAs(ctx, run.id, why);
}

/** Account deletion: every running strategy of the user stops and its automated provider's live signals end. */
export async function stopRunsOfUser(ctx: ServiceContext, userId: string, reason: string): Promise<number> {
  const running = await db.select({ id: strategyRuns.id }).from(strategyRuns).where(and(eq(strategyRuns.userId, userId), eq(strategyRuns.status, "running")));
  let n = 0;
  for (const r of running) if ((await stopRunAs(ctx, r.id, reason)).stopped) n++;
  return n;
}
