/**
 * Billing emails, queued in the webhook's transaction so each goes out exactly once with the change that caused it
 * (the event is processed once; each email also carries a dedupe key naming its cause). Plain transactional mail:
 * no marketing, no unsubscribe needed. Amounts are integer cents formatted here (src/lib/money), never floats.
 */
import "server-only";
import { createElement } from "react";
import { and, count, eq, inArray } from "drizzle-orm";
import PaymentFailed from "@emails/payment-failed";
import PaymentSucceeded from "@emails/payment-succeeded";
import ProviderNewSubscriber from "@emails/provider-new-subscriber";
import SubscriptionCancelled from "@emails/subscription-cancelled";
import SubscriptionConfirmed from "@emails/subscription-confirmed";
import { env } from "@/env";
import { appBaseUrl } from "@/server/http/base-url";
import { formatDateGB } from "@/lib/format/dates";
import { formatCount } from "@/lib/format/numbers";
import { formatCents, splitRevenue } from "@/lib/money";
import type { Executor } from "@/server/db";
import { payments, providers, strategyRuns, subscriptions, users } from "@/server/db/schema";
import { queueEmail } from "@/server/services/email/outbox";

/**
 * started: checkout completed (trial or paid): the trader's confirmation and the provider's new-subscriber email.
 * payment_failed: a renewal failed (past due). cancel_scheduled: set to end with its paid period. ended: it is over.
 */
export type SubscriptionNotice = "started" | "payment_failed" | "cancel_scheduled" | "ended";

/** Subscriptions that count as a provider's subscribers (paying, trialing, or being retried). */
const LIVE = ["trialing", "active", "past_due"] as const;

export async function notifySubscription(tx: Executor, subscriptionId: string, notice: SubscriptionNotice): Promise<void> {
  const [row] = await tx
    .select({
      status: subscriptions.status,
      priceCents: subscriptions.priceCents,
      currentPeriodEnd: subscriptions.currentPeriodEnd,
      pastDueSince: subscriptions.pastDueSince,
      subscriber: { id: users.id, email: users.email, name: users.name },
      provider: { id: providers.id, name: providers.displayName, slug: providers.slug, userId: providers.userId, priceCents: providers.priceCents, automated: providers.automated },
      runStatus: strategyRuns.status,
    })
    .from(subscriptions)
    .innerJoin(users, eq(users.id, subscriptions.subscriberId))
    .innerJoin(providers, eq(providers.id, subscriptions.providerId))
    .leftJoin(strategyRuns, eq(strategyRuns.providerId, providers.id))
    .where(eq(subscriptions.id, subscriptionId));
  if (!row) return;
  const who = row.subscriber.name ?? "there";
  // Checkout completion can come before the subscription object (and its price): the provider's price is the one sold.
  const priceCents = row.priceCents ?? row.provider.priceCents;
  const price = `${formatCents(priceCents)}/month`;
  // Sent from a webhook, not a person's request: APP_URL, or in development the dev server's own address.
  const base = appBaseUrl();
  const subscriptionsUrl = `${base}/subscriptions`;
  const providerUrl = `${base}/providers/${row.provider.slug}`;
  const trader = { to: row.subscriber.email, userId: row.subscriber.id };
  /** A strategy run live that has stopped: its subscriptions end because of that, not because the trader cancelled. */
  const strategyStopped = row.provider.automated && row.runStatus === "stopped";

  if (notice === "started") {
    const trial = row.status === "trialing";
    const periodEnd = row.currentPeriodEnd ? formatDateGB(row.currentPeriodEnd) : undefined;
    await queueEmail(tx, {
      ...trader,
      kind: "billing_subscription_started",
      subject: `You're subscribed to ${row.provider.name}`,
      dedupeKey: `billing:${subscriptionId}:started`,
      template: createElement(SubscriptionConfirmed, {
        name: who,
        providerName: row.provider.name,
        price,
        trialEndsOn: trial ? periodEnd : undefined,
        renewsOn: trial ? undefined : periodEnd,
        providerUrl,
        subscriptionsUrl,
      }),
    });
    const [owner] = await tx.select({ email: users.email, name: users.name }).from(users).where(eq(users.id, row.provider.userId));
    if (owner) {
      const [live] = await tx
        .select({ n: count() })
        .from(subscriptions)
        .where(and(eq(subscriptions.providerId, row.provider.id), inArray(subscriptions.status, [...LIVE])));
      await queueEmail(tx, {
        to: owner.email,
        userId: row.provider.userId,
        kind: "billing_new_subscriber",
        subject: row.provider.automated ? `You have a new subscriber to ${row.provider.name}` : "You have a new subscriber",
        dedupeKey: `billing:${subscriptionId}:new_subscriber`,
        template: createElement(ProviderNewSubscriber, {
          name: owner.name ?? "there",
          subscriberName: row.subscriber.name ?? "A trader",
          price,
          yourShare: formatCents(splitRevenue(priceCents).providerCents),
          trial,
          subscriberCount: formatCount(live?.n ?? 1),
          revenueUrl: `${base}/revenue`,
          ...(row.provider.automated ? { strategyName: row.provider.name } : {}),
        }),
      });
    }
    return;
  }

  if (notice === "payment_failed") {
    const graceEnd = row.pastDueSince ? new Date(row.pastDueSince.getTime() + env.BILLING_GRACE_DAYS * 86_400_000) : null;
    await queueEmail(tx, {
      ...trader,
      kind: "billing_payment_failed",
      subject: `Your payment for ${row.provider.name} failed`,
      // One per past-due spell: a subscription that recovers and fails again later gets a new email.
      dedupeKey: row.pastDueSince ? `billing:${subscriptionId}:payment_failed:${row.pastDueSince.toISOString()}` : undefined,
      template: createElement(PaymentFailed, {
        name: who,
        providerName: row.provider.name,
        amount: price,
        accessUntil: graceEnd ? formatDateGB(graceEnd) : undefined,
        updateCardUrl: subscriptionsUrl,
      }),
    });
    return;
  }

  if (notice === "cancel_scheduled") {
    await queueEmail(tx, {
      ...trader,
      kind: "billing_subscription_cancelled",
      subject: strategyStopped ? `${row.provider.name} stopped running: your subscription ends` : `Your subscription to ${row.provider.name} is cancelled`,
      template: createElement(SubscriptionCancelled, {
        name: who,
        providerName: row.provider.name,
        accessUntil: row.currentPeriodEnd ? formatDateGB(row.currentPeriodEnd) : undefined,
        providerUrl,
        ...(strategyStopped ? { reason: "strategy-stopped" as const } : {}),
      }),
    });
    return;
  }

  await queueEmail(tx, {
    ...trader,
    kind: "billing_subscription_ended",
    subject: `Your subscription to ${row.provider.name} has ended`,
    dedupeKey: `billing:${subscriptionId}:ended`,
    template: createElement(SubscriptionCancelled, { name: who, providerName: row.provider.name, providerUrl, ...(strategyStopped ? { reason: "strategy-stopped" as const } : {}) }),
  });
}

/**
 * The receipt for a recorded payment (a paid invoice's ledger row), to the trader who paid. Queued once per payment
 * (dedupe key), in the transaction that recorded it.
 */
export async function notifyPayment(tx: Executor, paymentId: string): Promise<void> {
  const [row] = await tx
    .select({
      amountCents: payments.amountCents,
      currency: payments.currency,
      periodStart: payments.periodStart,
      periodEnd: payments.periodEnd,
      paidAt: payments.paidAt,
      subscriber: { id: users.id, email: users.email, name: users.name },
      providerName: providers.displayName,
    })
    .from(payments)
    .innerJoin(users, eq(users.id, payments.subscriberId))
    .innerJoin(providers, eq(providers.id, payments.providerId))
    .where(eq(payments.id, paymentId));
  // A payment whose subscriber or provider is gone (a deleted account) has nobody to send a receipt to.
  if (!row) return;
  const amount = formatCents(row.amountCents, row.currency.toUpperCase());
  await queueEmail(tx, {
    to: row.subscriber.email,
    userId: row.subscriber.id,
    kind: "billing_payment_succeeded",
    subject: `Receipt: ${amount} for ${row.providerName}`,
    dedupeKey: `billing:payment:${paymentId}`,
    template: createElement(PaymentSucceeded, {
      name: row.subscriber.name ?? "there",
      providerName: row.providerName,
      amount,
      paidOn: formatDateGB(row.paidAt),
      period: row.periodStart && row.periodEnd ? `${formatDateGB(row.periodStart)} – ${formatDateGB(row.periodEnd)}` : undefined,
      reference: paymentId,
      subscriptionsUrl: `${appBaseUrl()}/subscriptions`,
    }),
  });
}
