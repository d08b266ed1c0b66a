/**
 * Paid subscriptions to a strategy running live. Its automated provider is priced like anyone's (a Stripe Price for
 * new subscribers, billing.setProviderPrice) by the run's owner, and takes subscribers once its incubation has ended,
 * the owner's payout account can take charges (payments go there: billing.payoutAccountOf) and a price is saved. A
 * stopped run takes none; its subscribers' subscriptions end at the close of the period they paid for.
 */
import "server-only";
import { and, count, eq, inArray, isNotNull } from "drizzle-orm";
import { priceSchema, type PriceInput } from "@/lib/validation/billing";
import { db } from "@/server/db";
import { providers, strategyRuns, subscriptions, LIVE_SUBSCRIPTION_STATUSES } from "@/server/db/schema";
import { ConflictError, NotFoundError, ValidationError } from "@/server/errors";
import { recordAudit } from "@/server/services/audit";
import { getPaymentsGateway, setProviderPrice, syncSubscription } from "@/server/services/billing";
import type { ActingContext, ServiceContext } from "@/server/services/context";
import { fieldErrorsFromZod, firstFieldError } from "@/lib/validation/field-errors";
import { logger } from "@/server/logger";

export interface RunPricing {
  priceCents: number;
  trialDays: number;
  /** A Stripe Price is saved (the price new subscribers get). */
  priceReady: boolean;
  /** The owner's payout account (their personal provider's) can take charges. */
  payoutsReady: boolean;
  /** Subscriptions that still bill. */
  subscribers: number;
}

/** Pricing figures of the runs' automated providers, by provider id (one query each, whatever the number of runs). */
export async function pricingOf(rows: readonly { providerId: string; userId: string }[]): Promise<Map<string, RunPricing>> {
  const out = new Map<string, RunPricing>();
  if (!rows.length) return out;
  const providerIds = [...new Set(rows.map((r) => r.providerId))];
  const owners = [...new Set(rows.map((r) => r.userId))];
  const [prices, payouts, subs] = await Promise.all([
    db
      .select({ id: providers.id, priceCents: providers.priceCents, trialDays: providers.trialDays, stripePriceId: providers.stripePriceId })
      .from(providers)
      .where(inArray(providers.id, providerIds)),
    db
      .select({ userId: providers.userId, chargesEnabled: providers.chargesEnabled })
      .from(providers)
      .where(and(inArray(providers.userId, owners), eq(providers.automated, false), isNotNull(providers.stripeAccountId))),
    db
      .select({ providerId: subscriptions.providerId, n: count() })
      .from(subscriptions)
      .where(and(inArray(subscriptions.providerId, providerIds), inArray(subscriptions.status, LIVE_SUBSCRIPTION_STATUSES)))
      .groupBy(subscriptions.providerId),
  ]);
  for (const r of rows) {
    const p = prices.find((x) => x.id === r.providerId);
    if (!p) continue;
    out.set(r.providerId, {
      priceCents: p.priceCents,
      trialDays: p.trialDays,
      priceReady: p.stripePriceId !== null,
      payoutsReady: payouts.some((x) => x.userId === r.userId && x.chargesEnabled),
      subscribers: subs.find((x) => x.providerId === r.providerId)?.n ?? 0,
    });
  }
  return out;
}

/**
 * The owner sets their running strategy's monthly price and trial (others' runs: NOT_FOUND; admins price nothing of
 * anyone's). It applies to new subscribers; existing ones keep theirs. Audited by billing ("billing.price_set").
 */
export async function setRunPrice(ctx: ActingContext, runId: string, raw: unknown): Promise<{ priceCents: number; trialDays: number; stripePriceId: string }> {
  const parsed = priceSchema.safeParse(raw);
  if (!parsed.success) {
    const fields = fieldErrorsFromZod(parsed.error);
    throw new ValidationError(firstFieldError(fields) ?? "Check the price", fields);
  }
  const input: PriceInput = parsed.data;
  // INVARIANT: only the caller's own run; another's is indistinguishable from a missing one.
  const [row] = await db
    .select({ status: strategyRuns.status, provider: providers })
    .from(strategyRuns)
    .innerJoin(providers, eq(providers.id, strategyRuns.providerId))
    .where(and(eq(strategyRuns.id, runId), eq(strategyRuns.userId, ctx.actor.id)));
  if (!row) throw new NotFoundError("No running strategy with that id");
  if (row.status !== "running") throw new ConflictError("This strategy has stopped: a stopped strategy takes no subscribers, so it has no price to set");
  return setProviderPrice(ctx, row.provider, input);
}

/**
 * Subscriptions to stopped strategies end at the close of the period they have paid for (Stripe's cancel at period
 * end; no refund of a period already paid, as when a trader cancels). Run when a run stops (for its provider) and by
 * the every-minute strategy-runs job for all of them, which also catches what the stop could not: a Stripe failure
 * (logged, retried next minute), a subscription whose checkout completed while the stop committed, one resumed in
 * Stripe's billing portal. One not billed through Stripe (complimentary) ends now. Never undoes a stop.
 */
export async function endSubscriptionsOfStoppedRuns(ctx: ServiceContext, providerId?: string): Promise<{ ended: number; failed: number }> {
  const live = await db
    .select({ id: subscriptions.id, providerId: subscriptions.providerId, stripeSubscriptionId: subscriptions.stripeSubscriptionId })
    .from(subscriptions)
    .innerJoin(strategyRuns, eq(strategyRuns.providerId, subscriptions.providerId))
    .where(
      and(
        eq(strategyRuns.status, "stopped"),
        providerId ? eq(subscriptions.providerId, providerId) : undefined,
        inArray(subscriptions.status, LIVE_SUBSCRIPTION_STATUSES),
        eq(subscriptions.cancelAtPeriodEnd, false),
      ),
    );
  let ended = 0;
  let failed = 0;
  const gateway = getPaymentsGateway();
  for (const s of live) {
    try {
      if (s.stripeSubscriptionId) await syncSubscription(gateway, await gateway.updateSubscription(s.stripeSubscriptionId, { cancelAtPeriodEnd: true }));
      else await db.update(subscriptions).set({ status: "canceled", canceledAt: ctx.now, updatedAt: ctx.now }).where(and(eq(subscriptions.id, s.id), inArray(subscriptions.status, LIVE_SUBSCRIPTION_STATUSES)));
      ended++;
      await db.transaction((tx) =>
        recordAudit(tx, { actorId: ctx.actor?.id ?? null, action: "strategy_run.subscription_ended", targetType: "subscription", targetId: s.id, data: { providerId: s.providerId } }),
      );
    } catch (err) {
      failed++;
      logger.error({ err, subscriptionId: s.id, providerId: s.providerId }, "could not end a stopped strategy's subscription at period end; retried next minute");
    }
  }
  return { ended, failed };
}
