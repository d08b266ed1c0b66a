/**
 * Work a restore brought back unfinished, held for an admin to review: a restored copy is older than the lost
 * database, which may already have sent those emails, run those jobs or placed those orders. Re-driving them blindly
 * could send an email twice or place an order twice, so a restore (./index.ts) marks them `held` in the same
 * transaction that finishes it, and nothing claims a held row: the runner and the drains claim `queued`, the copy
 * sweeper re-drives `pending` fan-outs and `planned` orders.
 *
 * An admin then releases each kind (back to queued / pending / planned, re-driven normally: copy orders keep their
 * deterministic client order ids, and a released one counts an attempt, so its venue run looks it up before placing
 * it) or cancels it, per item or in
 * bulk; every decision is audited.
 *
 * Submitted copy orders are not held: they are on the exchange already, and reconciliation only reads them.
 */
import "server-only";
import { and, count, desc, eq, inArray, sql, type SQL } from "drizzle-orm";
import { db, type Executor } from "@/server/db";
import { channelDeliveries, copyFanouts, copyOrders, emailOutbox, jobRuns } from "@/server/db/schema";
import { recordAudit } from "@/server/services/audit";
import type { ActingContext } from "@/server/services/context";
import { ConflictError } from "@/server/errors";
import { logger } from "@/server/logger";
import { jobsMode } from "@/server/jobs/client";
import { wakeInlineRunner } from "@/server/jobs/inline/runner";
import { emailsQueued } from "@/server/services/email/delivery";
import { channelsQueued } from "@/server/services/channels/queue";
import { requestConnectionRuns } from "@/server/services/copy/engine";
import { HELD_KINDS, type HeldKind } from "@/lib/restore";

export { HELD_KINDS, type HeldKind };

/**
 * The statements that hold a restored copy's unfinished work. Plain SQL because one copy of them runs inside psql's
 * single transaction with the restored data (PostgreSQL) and the other through drizzle on the restored PGlite; both
 * come from here.
 */
export const HOLD_STATEMENTS: Readonly<Record<HeldKind, string>> = {
  jobs: `UPDATE job_runs SET status = 'held', lease_owner = NULL, lease_until = NULL, updated_at = now()
    WHERE status IN ('queued', 'running', 'sleeping', 'retrying')`,
  emails: `UPDATE email_outbox SET status = 'held' WHERE status = 'queued'`,
  channels: `UPDATE channel_deliveries SET status = 'held' WHERE status = 'queued'`,
  fanouts: `UPDATE copy_fanouts SET status = 'held' WHERE status = 'pending'`,
  orders: `UPDATE copy_orders SET status = 'held' WHERE status = 'planned'`,
};

export type HeldCounts = Record<HeldKind, number>;

const zero = (): HeldCounts => ({ jobs: 0, emails: 0, channels: 0, fanouts: 0, orders: 0 });

/** Holds everything unfinished in the restored copy; run in the transaction (or step) that finishes the restore. */
export async function holdAfterRestore(tx: Executor): Promise<HeldCounts> {
  for (const kind of HELD_KINDS) await tx.execute(sql.raw(HOLD_STATEMENTS[kind]));
  return heldCounts(tx);
}

export async function heldCounts(executor: Executor = db): Promise<HeldCounts> {
  const out = zero();
  const [[j], [e], [c], [f], [o]] = await Promise.all([
    executor.select({ n: count() }).from(jobRuns).where(eq(jobRuns.status, "held")),
    executor.select({ n: count() }).from(emailOutbox).where(eq(emailOutbox.status, "held")),
    executor.select({ n: count() }).from(channelDeliveries).where(eq(channelDeliveries.status, "held")),
    executor.select({ n: count() }).from(copyFanouts).where(eq(copyFanouts.status, "held")),
    executor.select({ n: count() }).from(copyOrders).where(eq(copyOrders.status, "held")),
  ]);
  out.jobs = Number(j?.n ?? 0);
  out.emails = Number(e?.n ?? 0);
  out.channels = Number(c?.n ?? 0);
  out.fanouts = Number(f?.n ?? 0);
  out.orders = Number(o?.n ?? 0);
  return out;
}

/** One held row as the review lists it: what it is, in a line, and when it was made. */
export interface HeldItem {
  id: string;
  title: string;
  detail: string;
  createdAt: Date;
}

export const HELD_PAGE = 50;

/** The counts and the newest held rows of each kind (at most 50 each: the rest are acted on in bulk). */
export async function listHeld(): Promise<{ counts: HeldCounts; items: Record<HeldKind, HeldItem[]> }> {
  const [counts, jobs, emails, channels, fanouts, orders] = await Promise.all([
    heldCounts(),
    db.select({ id: jobRuns.id, jobId: jobRuns.jobId, event: jobRuns.event, createdAt: jobRuns.createdAt }).from(jobRuns).where(eq(jobRuns.status, "held")).orderBy(desc(jobRuns.createdAt)).limit(HELD_PAGE),
    db.select({ id: emailOutbox.id, to: emailOutbox.to, subject: emailOutbox.subject, kind: emailOutbox.kind, createdAt: emailOutbox.createdAt }).from(emailOutbox).where(eq(emailOutbox.status, "held")).orderBy(desc(emailOutbox.createdAt)).limit(HELD_PAGE),
    db.select({ id: channelDeliveries.id, event: channelDeliveries.event, channelId: channelDeliveries.channelId, createdAt: channelDeliveries.createdAt }).from(channelDeliveries).where(eq(channelDeliveries.status, "held")).orderBy(desc(channelDeliveries.createdAt)).limit(HELD_PAGE),
    db.select({ id: copyFanouts.id, kind: copyFanouts.kind, signalId: copyFanouts.signalId, createdAt: copyFanouts.createdAt }).from(copyFanouts).where(eq(copyFanouts.status, "held")).orderBy(desc(copyFanouts.createdAt)).limit(HELD_PAGE),
    db
      .select({ id: copyOrders.id, clientOrderId: copyOrders.clientOrderId, venue: copyOrders.venue, symbol: copyOrders.symbol, side: copyOrders.side, leg: copyOrders.leg, quantity: copyOrders.quantity, createdAt: copyOrders.createdAt })
      .from(copyOrders)
      .where(eq(copyOrders.status, "held"))
      .orderBy(desc(copyOrders.createdAt))
      .limit(HELD_PAGE),
  ]);
  return {
    counts,
    items: {
      jobs: jobs.map((r) => ({ id: r.id, title: r.jobId, detail: `event ${(r.event as { name?: string } | null)?.name ?? "?"}`, createdAt: r.createdAt })),
      emails: emails.map((r) => ({ id: r.id, title: r.subject, detail: `${r.kind} to ${r.to}`, createdAt: r.createdAt })),
      channels: channels.map((r) => ({ id: r.id, title: r.event, detail: `destination ${r.channelId}`, createdAt: r.createdAt })),
      fanouts: fanouts.map((r) => ({ id: r.id, title: `${r.kind} copy fan-out`, detail: `signal ${r.signalId}`, createdAt: r.createdAt })),
      orders: orders.map((r) => ({ id: r.id, title: `${r.side} ${r.quantity} ${r.symbol} (${r.leg})`, detail: `${r.venue} · ${r.clientOrderId}`, createdAt: r.createdAt })),
    },
  };
}

/** Which held rows an action takes: some by id, or every one of the kind. */
export type HeldSelection = { kind: HeldKind; ids: readonly string[] } | { kind: HeldKind; all: true };

const CANCEL_NOTE = "Cancelled by an admin after a restore";

interface Moved {
  ids: string[];
  /** Connections whose planned orders came back (each gets its run). */
  venues: string[];
}

const only = (sel: HeldSelection, column: Parameters<typeof inArray>[0]): SQL | undefined =>
  "ids" in sel ? inArray(column, [...sel.ids]) : undefined;

async function move(tx: Executor, sel: HeldSelection, action: "release" | "cancel", reason: string): Promise<Moved> {
  const release = action === "release";
  switch (sel.kind) {
    case "jobs": {
      const rows = await tx
        .update(jobRuns)
        // The debounce key goes (as a claim drops it): a debounced run queued since the restore holds the one queued
        // slot of its key (job_runs_debounce_idx), and releasing beside it would break that unique index.
        .set(release ? { status: "queued", debounceKey: null, wakeAt: sql`now()`, updatedAt: sql`now()` } : { status: "cancelled", finishedAt: sql`now()`, lastError: reason, updatedAt: sql`now()` })
        .where(and(eq(jobRuns.status, "held"), only(sel, jobRuns.id)))
        .returning({ id: jobRuns.id });
      return { ids: rows.map((r) => r.id), venues: [] };
    }
    case "emails": {
      const rows = await tx
        .update(emailOutbox)
        // There is no "cancelled" email status: a cancelled one ends as failed, the reason saying it was never sent.
        .set(release ? { status: "queued", nextAttemptAt: null } : { status: "failed", nextAttemptAt: null, oneTimeLinksEnc: null, lastError: `Not sent: ${reason}` })
        .where(and(eq(emailOutbox.status, "held"), only(sel, emailOutbox.id)))
        .returning({ id: emailOutbox.id });
      return { ids: rows.map((r) => r.id), venues: [] };
    }
    case "channels": {
      const rows = await tx
        .update(channelDeliveries)
        .set(release ? { status: "queued", nextAttemptAt: null } : { status: "cancelled", nextAttemptAt: null, lastError: reason })
        .where(and(eq(channelDeliveries.status, "held"), only(sel, channelDeliveries.id)))
        .returning({ id: channelDeliveries.id });
      return { ids: rows.map((r) => r.id), venues: [] };
    }
    case "fanouts": {
      // Released: pending again, so the copy sweeper re-drives it within a minute (it is older than its 10 s), counted
      // as a re-drive: the lost copy may have run it after the backup was taken, so the live orders it writes look
      // their client order ids up on the venue before placing (see REDRIVEN_ATTEMPTS in the copy engine).
      const rows = await tx
        .update(copyFanouts)
        .set(release ? { status: "pending", redrives: sql`${copyFanouts.redrives} + 1` } : { status: "done", finishedAt: sql`now()` })
        .where(and(eq(copyFanouts.status, "held"), only(sel, copyFanouts.id)))
        .returning({ id: copyFanouts.id });
      return { ids: rows.map((r) => r.id), venues: [] };
    }
    case "orders": {
      const rows = await tx
        .update(copyOrders)
        // Released with at least one attempt counted: placePlanned skips the venue lookup on a first attempt, and the
        // lost copy may have placed this order after the backup was taken (the restored row would say attempts = 0).
        .set(release ? { status: "planned", attempts: sql`greatest(${copyOrders.attempts}, 1)` } : { status: "cancelled", reason: sql`${reason} || coalesce(': ' || ${copyOrders.reason}, '')` })
        .where(and(eq(copyOrders.status, "held"), only(sel, copyOrders.id)))
        .returning({ id: copyOrders.id, venue: copyOrders.venue });
      return { ids: rows.map((r) => r.id), venues: [...new Set(rows.map((r) => r.venue))] };
    }
  }
}

async function act(ctx: ActingContext, sel: HeldSelection, action: "release" | "cancel"): Promise<{ kind: HeldKind; count: number }> {
  const reason = `${CANCEL_NOTE} (${ctx.now.toISOString()})`;
  const moved = await db.transaction(async (tx) => {
    const m = await move(tx, sel, action, reason);
    if (m.ids.length === 0) throw new ConflictError("Nothing held to act on: it was released or cancelled already");
    await recordAudit(tx, {
      actorId: ctx.actor.id,
      action: action === "release" ? "restore.held.released" : "restore.held.cancelled",
      targetType: sel.kind,
      targetId: m.ids.length === 1 ? m.ids[0] : undefined,
      data: { kind: sel.kind, count: m.ids.length, all: "all" in sel, ids: m.ids.slice(0, 100) },
      ip: ctx.ip,
      userAgent: ctx.userAgent,
    });
    return m;
  });
  if (action === "release") await nudge(sel.kind, moved);
  return { kind: sel.kind, count: moved.ids.length };
}

/** After the commit: the runner, the drains and the venues' runs pick released work up now rather than at their next tick. */
async function nudge(kind: HeldKind, moved: Moved): Promise<void> {
  try {
    if (kind === "jobs") {
      if (jobsMode() === "inline") wakeInlineRunner();
    } else if (kind === "emails") {
      await emailsQueued(moved.ids.length);
    } else if (kind === "channels") {
      channelsQueued(moved.ids.length);
    } else if (kind === "orders") {
      await requestConnectionRuns(moved.venues);
    }
  } catch (err) {
    // Their crons pick them up within a minute.
    logger.warn({ err, kind }, "restore: released work not announced; the cron picks it up");
  }
}

/** Held → queued / pending / planned: re-driven normally. */
export const releaseHeld = (ctx: ActingContext, sel: HeldSelection) => act(ctx, sel, "release");
/** Held → cancelled (emails: failed, never sent; fan-outs: done), with the reason on the row. */
export const cancelHeld = (ctx: ActingContext, sel: HeldSelection) => act(ctx, sel, "cancel");
