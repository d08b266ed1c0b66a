/**
 * Kill switches, each audited. A follower's: everything (pause every following and close every copy now) or one
 * following (pause it, or pause it and close its copies). An admin's: a provider's copy stop and the platform-wide
 * switch, rows in copy_kill_switches that the fan-out reads: no new entries while one is on, exits still run.
 *
 * Followings are paused before their copies are closed, so no entry can slip in between.
 */
import "server-only";
import { and, asc, eq, inArray } from "drizzle-orm";
import { db } from "@/server/db";
import { copyKillSwitches, copySettings, providers } from "@/server/db/schema";
import { NotFoundError } from "@/server/errors";
import type { ActingContext } from "@/server/services/context";
import { recordAudit } from "@/server/services/audit";
import { sendEvent, type JobEvents } from "@/server/jobs/events";
import { logger } from "@/server/logger";
import { closePositionsNow } from "./engine";

/** The notification event for a kill switch used (after its commit); a lost send is logged, the switch holds. */
async function announceKillSwitch(data: JobEvents["copy/kill-switch.used"]): Promise<void> {
  try {
    await sendEvent("copy/kill-switch.used", data);
  } catch (err) {
    logger.error({ err, scope: data.scope }, "could not send the kill-switch event");
  }
}

/** Pauses every following of the actor (reason "kill_switch") and closes all their open copies at market. */
export async function killAllCopies(ctx: ActingContext): Promise<{ paused: number; closed: number }> {
  const userId = ctx.actor.id;
  const paused = await db.transaction(async (tx) => {
    const rows = await tx
      .update(copySettings)
      .set({ enabled: false, pausedReason: "kill_switch", pausedAt: ctx.now, updatedAt: ctx.now })
      .where(eq(copySettings.userId, userId))
      .returning({ id: copySettings.id, providerId: copySettings.providerId });
    await recordAudit(tx, { actorId: userId, action: "copy.kill_switch.follower", targetType: "user", targetId: userId, data: { followings: rows.map((r) => r.providerId) }, ip: ctx.ip, userAgent: ctx.userAgent });
    return rows.length;
  });
  const { closed } = await closePositionsNow({ userId, reason: "kill_switch", now: ctx.now });
  await recordAudit(db, { actorId: userId, action: "copy.kill_switch.follower.closed", targetType: "user", targetId: userId, data: { closed }, ip: ctx.ip, userAgent: ctx.userAgent });
  await announceKillSwitch({ scope: "follower", actorId: userId, targetId: null, on: true });
  return { paused, closed };
}

async function pauseOne(ctx: ActingContext, providerId: string, action: string, reason: "paused" | "kill_switch"): Promise<string> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(copySettings)
      .set({ enabled: false, pausedReason: reason, pausedAt: ctx.now, updatedAt: ctx.now })
      // INVARIANT: only the actor's own following.
      .where(and(eq(copySettings.userId, ctx.actor.id), eq(copySettings.providerId, providerId)))
      .returning({ id: copySettings.id });
    if (!row) throw new NotFoundError("You are not following this provider");
    await recordAudit(tx, { actorId: ctx.actor.id, action, targetType: "copy_settings", targetId: row.id, data: { providerId }, ip: ctx.ip, userAgent: ctx.userAgent });
    return row.id;
  });
}

/** No new entries from this provider until the follower turns copying back on; open copies keep their exits. */
export async function pauseFollowing(ctx: ActingContext, providerId: string): Promise<{ paused: true }> {
  await pauseOne(ctx, providerId, "copy.following.pause", "paused");
  return { paused: true };
}

/** Pauses the following and closes its open copies at market now. */
export async function closeFollowing(ctx: ActingContext, providerId: string): Promise<{ closed: number }> {
  const settingId = await pauseOne(ctx, providerId, "copy.kill_switch.following", "kill_switch");
  const { closed } = await closePositionsNow({ userId: ctx.actor.id, providerId, reason: "kill_switch", now: ctx.now });
  await recordAudit(db, { actorId: ctx.actor.id, action: "copy.kill_switch.following.closed", targetType: "copy_settings", targetId: settingId, data: { providerId, closed }, ip: ctx.ip, userAgent: ctx.userAgent });
  await announceKillSwitch({ scope: "following", actorId: ctx.actor.id, targetId: providerId, on: true });
  return { closed };
}

/** Admin: stop (or resume) new copies of one provider's signals for every follower. */
export async function setProviderCopyStop(ctx: ActingContext, providerId: string, on: boolean, reason: string): Promise<{ on: boolean }> {
  const p = await db.query.providers.findFirst({ where: eq(providers.id, providerId), columns: { id: true } });
  if (!p) throw new NotFoundError("No such provider");
  return setSwitch(ctx, "provider", providerId, on, reason);
}

/** Admin: no new copy entries anywhere while on; exits still run. */
export function setPlatformKillSwitch(ctx: ActingContext, on: boolean, reason: string): Promise<{ on: boolean }> {
  return setSwitch(ctx, "platform", "", on, reason);
}

async function setSwitch(ctx: ActingContext, scope: "platform" | "provider", targetId: string, on: boolean, reason: string): Promise<{ on: boolean }> {
  const result = await writeSwitch(ctx, scope, targetId, on, reason);
  await announceKillSwitch({ scope, actorId: ctx.actor.id, targetId: targetId || null, on });
  return result;
}

async function writeSwitch(ctx: ActingContext, scope: "platform" | "provider", targetId: string, on: boolean, reason: string): Promise<{ on: boolean }> {
  return db.transaction(async (tx) => {
    let changed: boolean;
    if (on) {
      const [inserted] = await tx
        .insert(copyKillSwitches)
        .values({ scope, targetId, reason, actorId: ctx.actor.id, createdAt: ctx.now })
        .onConflictDoNothing()
        .returning({ scope: copyKillSwitches.scope });
      changed = Boolean(inserted);
      // Already on: the reason is updated, the time it went on is kept.
      if (!changed) await tx.update(copyKillSwitches).set({ reason, actorId: ctx.actor.id }).where(and(eq(copyKillSwitches.scope, scope), eq(copyKillSwitches.targetId, targetId)));
    } else {
      const gone = await tx
        .delete(copyKillSwitches)
        .where(and(eq(copyKillSwitches.scope, scope), eq(copyKillSwitches.targetId, targetId)))
        .returning({ scope: copyKillSwitches.scope });
      changed = gone.length > 0;
    }
    await recordAudit(tx, {
      actorId: ctx.actor.id,
      action: `copy.kill_switch.${scope}.${on ? "on" : "off"}`,
      targetType: scope === "provider" ? "provider" : "platform",
      targetId: targetId || undefined,
      data: { reason, changed },
      ip: ctx.ip,
      userAgent: ctx.userAgent,
    });
    return { on };
  });
}

export interface KillSwitchState {
  platform: { on: true; reason: string; since: Date; actorId: string | null } | { on: false };
  providers: { providerId: string; slug: string; displayName: string; reason: string; since: Date; actorId: string | null }[];
}

export async function killSwitchState(): Promise<KillSwitchState> {
  const rows = await db.select().from(copyKillSwitches).orderBy(asc(copyKillSwitches.createdAt));
  const platform = rows.find((r) => r.scope === "platform");
  const providerRows = rows.filter((r) => r.scope === "provider");
  const names = providerRows.length
    ? await db.select({ id: providers.id, slug: providers.slug, displayName: providers.displayName }).from(providers).where(inArray(providers.id, providerRows.map((r) => r.targetId)))
    : [];
  const byId = new Map(names.map((n) => [n.id, n]));
  return {
    platform: platform ? { on: true, reason: platform.reason, since: platform.createdAt, actorId: platform.actorId } : { on: false },
    providers: providerRows.flatMap((r) => {
      const n = byId.get(r.targetId);
      return n ? [{ providerId: r.targetId, slug: n.slug, displayName: n.displayName, reason: r.reason, since: r.createdAt, actorId: r.actorId }] : [];
    }),
  };
}
