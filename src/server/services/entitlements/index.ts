/**
 * Who may see what. Every read path for signals asks this module, never the subscription table directly.
 * An open signal's levels (symbol, side, prices) are for its provider and the provider's entitled subscribers only;
 * everyone else sees that it exists. Closed, cancelled and expired signals are public: they are the track record.
 */
import "server-only";
import { and, count, eq, gt, inArray, isNotNull, lte, not, or, sql, type SQL } from "drizzle-orm";
import { env } from "@/env";
import { FREE_PAPER_COPIES, isEntitled, type EntitlementState } from "@/lib/billing";
import { db, type Executor } from "@/server/db";
import { freePaperCopies, providers, signals, subscriptions, type SubscriptionStatus } from "@/server/db/schema";
import { LimitExceededError, NotFoundError } from "@/server/errors";
import type { ActingContext } from "@/server/services/context";

/** Subscription states that can grant access (past_due only within the grace period; see `entitledNow`). */
export const ENTITLED_STATUSES: SubscriptionStatus[] = ["trialing", "active", "past_due"];

/**
 * The SQL twin of `isEntitled` (src/lib/billing): trialing/active unless a period set to cancel has ended;
 * past_due while the grace period (BILLING_GRACE_DAYS) runs; paused, incomplete and canceled never.
 */
export function entitledNow(now: Date = new Date()): SQL {
  const graceStart = new Date(now.getTime() - env.BILLING_GRACE_DAYS * 86_400_000);
  return or(
    and(
      inArray(subscriptions.status, ["trialing", "active"]),
      not(and(eq(subscriptions.cancelAtPeriodEnd, true), isNotNull(subscriptions.currentPeriodEnd), lte(subscriptions.currentPeriodEnd, now))!),
    ),
    and(eq(subscriptions.status, "past_due"), isNotNull(subscriptions.pastDueSince), gt(subscriptions.pastDueSince, graceStart)),
  )!;
}

/** One subscription row, judged by the same rule. */
export const entitledRow = (s: EntitlementState, now: Date = new Date()) => isEntitled(s, now, env.BILLING_GRACE_DAYS);

export interface Viewer {
  id: string;
  role: "subscriber" | "provider" | "admin";
}

export type Access = "owner" | "subscriber" | "public";

/** Providers whose open signals this viewer may see in full (its own profile plus entitled subscriptions). */
export async function entitledProviderIds(viewer: Viewer | null, tx: Executor = db): Promise<Set<string>> {
  if (!viewer) return new Set();
  const [own, subs] = await Promise.all([
    tx.select({ id: providers.id }).from(providers).where(eq(providers.userId, viewer.id)),
    tx
      .select({ id: subscriptions.providerId })
      .from(subscriptions)
      .where(and(eq(subscriptions.subscriberId, viewer.id), entitledNow())),
  ]);
  return new Set([...own, ...subs].map((r) => r.id));
}

export async function accessTo(viewer: Viewer | null, providerId: string, tx: Executor = db): Promise<Access> {
  if (!viewer) return "public";
  const provider = await tx.query.providers.findFirst({ where: eq(providers.id, providerId), columns: { userId: true } });
  if (provider?.userId === viewer.id) return "owner";
  const ids = await entitledProviderIds(viewer, tx);
  return ids.has(providerId) ? "subscriber" : "public";
}

export const isLive = (status: string) => status === "pending" || status === "open";

export interface PaperCopyGrant {
  via: "subscription" | "owner" | "free";
  /** Free copies used (after this one, when it was free) and the allowance. */
  used: number;
  limit: number;
}

/** How many free paper copies a user has used, of the allowance. */
export async function freeCopyUsage(userId: string, tx: Executor = db): Promise<{ used: number; limit: number }> {
  const [row] = await tx.select({ n: count() }).from(freePaperCopies).where(eq(freePaperCopies.userId, userId));
  return { used: row?.n ?? 0, limit: FREE_PAPER_COPIES };
}

/**
 * May this user copy this signal on paper? Entitled subscribers of the signal's provider (and the provider) always
 * may; anyone else uses the free tier: FREE_PAPER_COPIES signals, each counted once however often it is asked
 * (the copy engine retries), then a clear refusal that says how to get more. The user is the actor.
 */
export async function claimPaperCopy(ctx: ActingContext, signalId: string): Promise<PaperCopyGrant> {
  const viewer: Viewer = ctx.actor;
  const [signal] = await db.select({ providerId: signals.providerId }).from(signals).where(eq(signals.id, signalId));
  if (!signal) throw new NotFoundError("No such signal");
  const access = await accessTo(viewer, signal.providerId);
  if (access !== "public") return { via: access === "owner" ? "owner" : "subscription", ...(await freeCopyUsage(viewer.id)) };
  const granted = await db.transaction(async (tx) => {
    // INVARIANT: one claimer per user at a time, so concurrent copies cannot both take the last free slot.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`free-copies:${viewer.id}`}))`);
    const [already] = await tx
      .select({ n: count() })
      .from(freePaperCopies)
      .where(and(eq(freePaperCopies.userId, viewer.id), eq(freePaperCopies.signalId, signalId)));
    if (already?.n) return true;
    const { used } = await freeCopyUsage(viewer.id, tx);
    if (used >= FREE_PAPER_COPIES) return false;
    await tx.insert(freePaperCopies).values({ userId: viewer.id, signalId });
    return true;
  });
  if (!granted) {
    const [p] = await db.select({ name: providers.displayName }).from(providers).where(eq(providers.id, signal.providerId));
    throw new LimitExceededError(
      `Free accounts can copy ${FREE_PAPER_COPIES} signals on paper and you have used all ${FREE_PAPER_COPIES}. Subscribe to ${p?.name ?? "this provider"} to keep copying their signals.`,
    );
  }
  return { via: "free", ...(await freeCopyUsage(viewer.id)) };
}
