/**
 * Billing emails, queued in the webhook's transaction so each goes out exactly once with the change that caused it
 * (the event is processed once). Plain transactional mail: no marketing, no unsubscribe needed.
 */
import "server-only";
import { createElement } from "react";
import { eq } from "drizzle-orm";
import BillingNotice from "@emails/billing-notice";
import { env } from "@/env";
import { appBaseUrl } from "@/server/http/base-url";
import { formatDateGB } from "@/lib/format/dates";
import { formatCents } from "@/lib/money";
import type { Executor } from "@/server/db";
import { providers, subscriptions, users } from "@/server/db/schema";
import { queueEmail } from "@/server/services/email/outbox";

type Notice = "started" | "payment_failed" | "ended";

export async function notifySubscription(tx: Executor, subscriptionId: string, notice: Notice): Promise<void> {
  const [row] = await tx
    .select({
      status: subscriptions.status,
      priceCents: subscriptions.priceCents,
      currentPeriodEnd: subscriptions.currentPeriodEnd,
      pastDueSince: subscriptions.pastDueSince,
      subscriber: { id: users.id, email: users.email, name: users.name },
      provider: { name: providers.displayName, slug: providers.slug, userId: providers.userId, priceCents: providers.priceCents },
    })
    .from(subscriptions)
    .innerJoin(users, eq(users.id, subscriptions.subscriberId))
    .innerJoin(providers, eq(providers.id, subscriptions.providerId))
    .where(eq(subscriptions.id, subscriptionId));
  if (!row) return;
  const who = row.subscriber.name ?? "there";
  // Checkout completion can come before the subscription object (and its price): the provider's price is the one sold.
  const price = `${formatCents(row.priceCents ?? row.provider.priceCents)}/month`;
  // Sent from a webhook, not a person's request: APP_URL, or in development the dev server's own address.
  const base = appBaseUrl();
  const subsUrl = `${base}/subscriptions`;

  if (notice === "started") {
    await queueEmail(tx, {
      to: row.subscriber.email,
      userId: row.subscriber.id,
      kind: "billing_subscription_started",
      subject: `You're subscribed to ${row.provider.name}`,
      template: createElement(BillingNotice, {
        name: who,
        preview: `You're subscribed to ${row.provider.name}`,
        paragraphs: [
          row.status === "trialing"
            ? `Your free trial of ${row.provider.name} has started${row.currentPeriodEnd ? `; the first charge of ${price} is on ${formatDateGB(row.currentPeriodEnd)}` : ""}.`
            : `Your subscription to ${row.provider.name} (${price}) is active. Their open signals are now visible to you, live.`,
          "You can cancel, pause or change your card at any time from your Subscriptions page.",
        ],
        action: { label: `Open ${row.provider.name}`, url: `${base}/providers/${row.provider.slug}` },
      }),
    });
    const [owner] = await tx.select({ email: users.email, name: users.name }).from(users).where(eq(users.id, row.provider.userId));
    if (owner) {
      await queueEmail(tx, {
        to: owner.email,
        userId: row.provider.userId,
        kind: "billing_new_subscriber",
        subject: "You have a new subscriber",
        template: createElement(BillingNotice, {
          name: owner.name ?? "there",
          preview: "You have a new subscriber",
          paragraphs: [`${who === "there" ? "A trader" : who} subscribed to your signals (${price}). You receive 70% of each payment through Stripe.`],
          action: { label: "See your revenue", url: `${base}/revenue` },
        }),
      });
    }
    return;
  }

  if (notice === "payment_failed") {
    const graceEnd = row.pastDueSince ? new Date(row.pastDueSince.getTime() + env.BILLING_GRACE_DAYS * 86_400_000) : null;
    await queueEmail(tx, {
      to: row.subscriber.email,
      userId: row.subscriber.id,
      kind: "billing_payment_failed",
      subject: `Your payment for ${row.provider.name} failed`,
      template: createElement(BillingNotice, {
        name: who,
        preview: `Your payment for ${row.provider.name} failed`,
        paragraphs: [
          `We couldn't charge your card for ${row.provider.name} (${price}).`,
          graceEnd
            ? `You keep access until ${formatDateGB(graceEnd)} while the payment is retried. Update your card before then to keep receiving signals.`
            : "Update your card to keep receiving signals.",
        ],
        action: { label: "Update your card", url: subsUrl },
      }),
    });
    return;
  }

  await queueEmail(tx, {
    to: row.subscriber.email,
    userId: row.subscriber.id,
    kind: "billing_subscription_ended",
    subject: `Your subscription to ${row.provider.name} has ended`,
    template: createElement(BillingNotice, {
      name: who,
      preview: `Your subscription to ${row.provider.name} has ended`,
      paragraphs: [`Your subscription to ${row.provider.name} has ended and you will not be charged again. Their closed signals stay public on their profile.`],
      action: { label: "Subscribe again", url: `${base}/providers/${row.provider.slug}` },
    }),
  });
}
