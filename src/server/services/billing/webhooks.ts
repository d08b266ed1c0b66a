/**
 * Stripe webhooks: the only way subscription state, payout status and the ledger change. The signature is checked
 * on the raw body; each event id is processed once (its `stripe_events` row commits with its effects); state is
 * derived from the object in the event, and a snapshot older than the one already applied is ignored, so events
 * arriving twice or out of order end in the same state.
 */
import "server-only";
import { and, eq, inArray, isNull, lte, or, sql } from "drizzle-orm";
import Stripe from "stripe";
import type { Logger } from "pino";
import { fromStripeStatus, ledgerSplit } from "@/lib/billing";
import { db, type Executor } from "@/server/db";
import { checkoutSessions, payments, providers, strategyRuns, stripeEvents, subscriptions, users } from "@/server/db/schema";
import { isUniqueViolation } from "@/server/errors";
import type { InvoiceCharge, PaymentsGateway } from "@/server/integrations/stripe";
import { logger } from "@/server/logger";
import { getStripeWebhookSecret } from "@/server/secrets";
import { recordAudit } from "@/server/services/audit";
import { notifyPayment, notifySubscription } from "./notices";
import { stripeEventShapeProblem } from "./event-shapes";

export const HANDLED_EVENTS = [
  "checkout.session.completed",
  "customer.subscription.created",
  "customer.subscription.updated",
  "customer.subscription.deleted",
  "invoice.paid",
  "invoice.payment_failed",
  "account.updated",
  "charge.refunded",
] as const;
export type HandledEvent = (typeof HANDLED_EVENTS)[number];

export type WebhookOutcome = { status: 200; result: "processed" | "duplicate" | "ignored" } | { status: 400; error: string };

const idOf = (v: string | { id: string } | null | undefined): string | null => (v == null ? null : typeof v === "string" ? v : v.id);
const fromUnix = (sec: number | null | undefined): Date | null => (sec == null ? null : new Date(sec * 1000));

/** What our webhook endpoint answers a delivery: the HTTP status and its JSON body. */
export interface WebhookAnswer {
  status: number;
  body: Record<string, unknown>;
}

/**
 * The webhook endpoint's answer to one delivery of a raw body, as /api/webhooks/stripe sends it, and as the embedded
 * stand-in receives it in process (services/billing/gateway.ts). `gateway` is the adapter the event came from: its
 * follow-ups (reading an invoice's charge, cancelling a duplicate) go back to it. `log` is the delivery's request
 * logger when it came over HTTP, so a failure is logged with its request id.
 */
export async function answerStripeWebhook(gateway: PaymentsGateway, rawBody: string, signature: string | null, log: Logger = logger): Promise<WebhookAnswer> {
  try {
    const outcome = await receiveStripeWebhook(gateway, rawBody, signature, log);
    if (outcome.status === 400) return { status: 400, body: { error: outcome.error } };
    return { status: 200, body: { received: true, result: outcome.result } };
  } catch (err) {
    // A 500 makes Stripe retry later; the event row rolled back with the failed effects.
    log.error({ err }, "stripe webhook failed");
    return { status: 500, body: { error: "Webhook processing failed; Stripe will retry" } };
  }
}

/** Verifies and processes one delivery. A bad signature or body writes nothing and is a 400. */
export async function receiveStripeWebhook(gateway: PaymentsGateway, rawBody: string, signature: string | null, log: Logger = logger): Promise<WebhookOutcome> {
  if (!signature) return { status: 400, error: "Missing Stripe-Signature header" };
  let event: Stripe.Event;
  try {
    event = Stripe.webhooks.constructEvent(rawBody, signature, getStripeWebhookSecret());
  } catch (err) {
    return { status: 400, error: err instanceof Error ? `Webhook signature verification failed: ${err.message}` : "Webhook signature verification failed" };
  }
  // A verified event our handler cannot read is refused with a 400, before any read or write, rather than taken
  // with a 200 and recorded as unprocessable: Stripe keeps a refused event (its dashboard shows it failing, it
  // emails about the failing endpoint, and retries it for three days), so once the cause is fixed on either side
  // the event still arrives and is applied; a 200 would drop it for good. It is the same payload on every retry,
  // so the retries cost a log line each and never a partial write.
  const shapeProblem = stripeEventShapeProblem(event);
  if (shapeProblem) {
    log.warn({ event: (event as { id?: unknown } | null)?.id, type: (event as { type?: unknown } | null)?.type, problem: shapeProblem }, "stripe: verified event with an unexpected shape; refused");
    return { status: 400, error: `The event does not have the shape Tradsy handles: ${shapeProblem}` };
  }
  return { status: 200, result: await processStripeEvent(gateway, event) };
}

export async function processStripeEvent(gateway: PaymentsGateway, event: Stripe.Event): Promise<"processed" | "duplicate" | "ignored"> {
  if (!(HANDLED_EVENTS as readonly string[]).includes(event.type)) return "ignored";
  const seen = await db.select({ id: stripeEvents.id }).from(stripeEvents).where(eq(stripeEvents.id, event.id));
  if (seen.length) return "duplicate";

  const at = new Date(event.created * 1000);
  // Reads from Stripe happen before the transaction, so no lock is held across the network.
  let charge: InvoiceCharge | null = null;
  if (event.type === "invoice.paid" && event.data.object.amount_paid > 0) charge = await gateway.invoiceCharge(event.data.object.id as string);

  const after: Array<() => Promise<void>> = [];
  const outcome = await db.transaction(async (tx) => {
    const inserted = await tx.insert(stripeEvents).values({ id: event.id, type: event.type, stripeCreatedAt: at }).onConflictDoNothing().returning({ id: stripeEvents.id });
    if (!inserted.length) return "duplicate" as const;
    switch (event.type) {
      case "checkout.session.completed": {
        const duplicate = await applyCheckoutCompleted(tx, event.data.object);
        if (duplicate) after.push(() => cancelDuplicate(gateway, duplicate));
        break;
      }
      case "customer.subscription.created":
      case "customer.subscription.updated":
      case "customer.subscription.deleted": {
        const duplicate = await applySubscription(tx, event.data.object, at);
        if (duplicate) after.push(() => cancelDuplicate(gateway, duplicate));
        break;
      }
      case "invoice.paid":
        await applyInvoicePaid(tx, event.data.object, at, charge);
        break;
      case "invoice.payment_failed":
        await applyInvoiceFailed(tx, event.data.object, at);
        break;
      case "account.updated":
        await applyAccount(tx, event.data.object);
        break;
      case "charge.refunded":
        await applyRefund(tx, event.data.object);
        break;
    }
    return "processed" as const;
  });
  try {
    for (const task of after) await task();
  } catch (err) {
    // Forget the event so Stripe's retry runs it again (its effects are idempotent; the follow-up is retried).
    await db.delete(stripeEvents).where(eq(stripeEvents.id, event.id));
    throw err;
  }
  return outcome;
}

/** Serialises the events of one Stripe subscription (checkout completion and subscription events race on PostgreSQL). */
async function lockSubscription(tx: Executor, stripeSubscriptionId: string | null): Promise<void> {
  if (stripeSubscriptionId) await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`stripe-sub:${stripeSubscriptionId}`}))`);
}

/**
 * Applies a subscription object Stripe returned from an API call (cancel, resume, pause), so the caller's page is
 * current at once. The same rule as for events: an older snapshot than the one applied changes nothing. `at` is in
 * whole seconds, like Stripe's event times, so the event for this very change (same second) still applies.
 */
export async function syncSubscription(gateway: PaymentsGateway, sub: Stripe.Subscription, at: Date = new Date(Math.floor(Date.now() / 1000) * 1000)): Promise<void> {
  const duplicate = await db.transaction((tx) => applySubscription(tx, sub, at));
  if (duplicate) await cancelDuplicate(gateway, duplicate);
}

/** Returns the Stripe id of the session's subscription when it is a second live one to the same provider. */
async function applyCheckoutCompleted(tx: Executor, session: Stripe.Checkout.Session): Promise<string | null> {
  await tx.update(checkoutSessions).set({ status: "complete" }).where(eq(checkoutSessions.id, session.id));
  if (session.mode !== "subscription") return null;
  const subscriberId = session.metadata?.subscriberId;
  const providerId = session.metadata?.providerId;
  const stripeSubscriptionId = idOf(session.subscription);
  const customerId = idOf(session.customer);
  if (!subscriberId || !providerId || !stripeSubscriptionId) {
    logger.warn({ session: session.id }, "stripe: checkout.session.completed without our metadata or a subscription; ignored");
    return null;
  }
  await lockSubscription(tx, stripeSubscriptionId);
  if (customerId) await tx.update(users).set({ stripeCustomerId: customerId }).where(and(eq(users.id, subscriberId), isNull(users.stripeCustomerId)));
  const [existing] = await tx
    .select({ id: subscriptions.id, duplicateState: subscriptions.duplicateState })
    .from(subscriptions)
    .where(eq(subscriptions.stripeSubscriptionId, stripeSubscriptionId));
  // A subscription event already told us its state, which is newer than what the session says. A duplicate whose
  // cancellation at Stripe has not gone through yet (an earlier attempt failed; Stripe retried) is cancelled now.
  if (existing) return existing.duplicateState === "pending" ? stripeSubscriptionId : null;
  const status = session.payment_status === "paid" ? "active" : session.payment_status === "no_payment_required" ? "trialing" : "incomplete";
  // A second live subscription is stored canceled here, and its later subscription events are then ignored, so this
  // is the only moment to cancel it at Stripe (otherwise the trader is billed for one we show as ended).
  const inserted = await insertSubscription(tx, { subscriberId, providerId, status, stripeSubscriptionId, stripeCustomerId: customerId });
  return inserted === "duplicate" ? stripeSubscriptionId : null;
}

/** Returns the Stripe id of a second live subscription to the same provider, which must be cancelled. */
async function applySubscription(tx: Executor, sub: Stripe.Subscription, at: Date): Promise<string | null> {
  const status = fromStripeStatus(sub.status, sub.pause_collection);
  const items = sub.items?.data ?? [];
  const item = items[0];
  const periodStart = items.length ? Math.min(...items.map((i) => i.current_period_start)) : null;
  const periodEnd = items.length ? Math.max(...items.map((i) => i.current_period_end)) : null;
  const fields = {
    status,
    stripeCustomerId: idOf(sub.customer),
    stripePriceId: item?.price?.id ?? null,
    priceCents: item?.price?.unit_amount ?? null,
    currentPeriodStart: fromUnix(periodStart),
    currentPeriodEnd: fromUnix(periodEnd),
    cancelAtPeriodEnd: Boolean(sub.cancel_at_period_end || (sub.cancel_at != null && periodEnd != null && sub.cancel_at <= periodEnd)),
    canceledAt: status === "canceled" ? fromUnix(sub.ended_at ?? sub.canceled_at) ?? at : null,
    stripeSyncedAt: at,
  };

  await lockSubscription(tx, sub.id);
  const [row] = await tx
    .select({ id: subscriptions.id, status: subscriptions.status, pastDueSince: subscriptions.pastDueSince, syncedAt: subscriptions.stripeSyncedAt, duplicateState: subscriptions.duplicateState, cancelAtPeriodEnd: subscriptions.cancelAtPeriodEnd })
    .from(subscriptions)
    .where(eq(subscriptions.stripeSubscriptionId, sub.id))
    .for("update");
  if (row) {
    // INVARIANT: a canceled Stripe subscription never comes back; an older snapshot never overwrites a newer one.
    // A duplicate whose cancellation at Stripe has not gone through yet (an earlier attempt failed) is cancelled now.
    if (row.status === "canceled") return row.duplicateState === "pending" && status !== "canceled" ? sub.id : null;
    if (row.syncedAt && row.syncedAt > at) return null;
    await tx
      .update(subscriptions)
      .set({ ...fields, pastDueSince: status === "past_due" ? (row.pastDueSince ?? at) : null })
      .where(eq(subscriptions.id, row.id));
    if (row.status === "incomplete" && (status === "active" || status === "trialing")) await notifySubscription(tx, row.id, "started");
    if (row.status !== "past_due" && status === "past_due") await notifySubscription(tx, row.id, "payment_failed");
    if (status === "canceled") await notifySubscription(tx, row.id, "ended");
    else if (!row.cancelAtPeriodEnd && fields.cancelAtPeriodEnd) await notifySubscription(tx, row.id, "cancel_scheduled");
    return null;
  }

  const subscriberId = sub.metadata?.subscriberId;
  const providerId = sub.metadata?.providerId;
  if (!subscriberId || !providerId) {
    logger.warn({ subscription: sub.id }, "stripe: subscription without our metadata; ignored");
    return null;
  }
  const inserted = await insertSubscription(tx, { subscriberId, providerId, stripeSubscriptionId: sub.id, ...fields, pastDueSince: status === "past_due" ? at : null });
  return inserted === "duplicate" && status !== "canceled" ? sub.id : null;
}

type NewSubscription = typeof subscriptions.$inferInsert;

async function insertSubscription(tx: Executor, values: NewSubscription): Promise<"inserted" | "duplicate" | "unknown"> {
  const [subscriber, provider] = await Promise.all([
    tx.select({ id: users.id }).from(users).where(eq(users.id, values.subscriberId)),
    tx
      .select({ id: providers.id, ownerDeletedAt: users.deletedAt, automated: providers.automated, runStatus: strategyRuns.status })
      .from(providers)
      .innerJoin(users, eq(users.id, providers.userId))
      .leftJoin(strategyRuns, eq(strategyRuns.providerId, providers.id))
      .where(eq(providers.id, values.providerId)),
  ]);
  if (!subscriber.length || !provider.length) {
    logger.warn({ subscription: values.stripeSubscriptionId }, "stripe: subscription for an unknown user or provider; ignored");
    return "unknown";
  }
  const gone = provider[0]!.ownerDeletedAt ? "deleted_provider" : provider[0]!.automated && provider[0]!.runStatus !== "running" ? "stopped_strategy" : null;
  if (gone && values.status !== "canceled") {
    // A checkout opened before the provider deleted their account (or before the strategy it is stopped) and paid
    // after: stored ended, and cancelled at Stripe at once like a duplicate (the same pending/cancelled bookkeeping),
    // so nobody pays for a provider who is gone or a strategy that publishes no more.
    await tx.insert(subscriptions).values({ ...values, status: "canceled", canceledAt: new Date(), duplicateState: "pending" });
    await recordAudit(tx, { actorId: null, action: `billing.subscription_to_${gone}`, targetType: "subscription", targetId: values.stripeSubscriptionId ?? undefined, data: { providerId: values.providerId, subscriberId: values.subscriberId } });
    return "duplicate";
  }
  try {
    // A savepoint, so a second live subscription to the same provider fails alone, not the whole event.
    const id = await tx.transaction(async (sp) => {
      const [row] = await sp.insert(subscriptions).values(values).returning({ id: subscriptions.id });
      return row!.id;
    });
    if (values.status === "active" || values.status === "trialing") await notifySubscription(tx, id, "started");
    return "inserted";
  } catch (err) {
    if (!isUniqueViolation(err, "subscriptions_live_pair_idx")) throw err;
    await tx.insert(subscriptions).values({ ...values, status: "canceled", canceledAt: new Date(), duplicateState: "pending" });
    await recordAudit(tx, { actorId: null, action: "billing.duplicate_subscription", targetType: "subscription", targetId: values.stripeSubscriptionId ?? undefined, data: { providerId: values.providerId, subscriberId: values.subscriberId } });
    return "duplicate";
  }
}

async function cancelDuplicate(gateway: PaymentsGateway, stripeSubscriptionId: string): Promise<void> {
  logger.warn({ subscription: stripeSubscriptionId }, "stripe: second live subscription to one provider; cancelling it");
  await gateway.cancelSubscription(stripeSubscriptionId);
  await db.update(subscriptions).set({ duplicateState: "cancelled" }).where(eq(subscriptions.stripeSubscriptionId, stripeSubscriptionId));
}

function subscriptionOfInvoice(invoice: Stripe.Invoice): { id: string | null; metadata: Record<string, string> } {
  const details = invoice.parent?.subscription_details;
  return { id: idOf(details?.subscription ?? null), metadata: (details?.metadata ?? {}) as Record<string, string> };
}

async function applyInvoicePaid(tx: Executor, invoice: Stripe.Invoice, at: Date, charge: InvoiceCharge | null): Promise<void> {
  const { id: stripeSubscriptionId, metadata } = subscriptionOfInvoice(invoice);
  await lockSubscription(tx, stripeSubscriptionId);
  const [row] = stripeSubscriptionId
    ? await tx
        .select({ id: subscriptions.id, status: subscriptions.status, providerId: subscriptions.providerId, subscriberId: subscriptions.subscriberId, syncedAt: subscriptions.stripeSyncedAt })
        .from(subscriptions)
        .where(eq(subscriptions.stripeSubscriptionId, stripeSubscriptionId))
        .for("update")
    : [];

  if (invoice.amount_paid > 0) {
    const split = ledgerSplit(invoice.amount_paid, charge?.applicationFeeCents ?? 0);
    // Metadata ids are only kept when they still name a row (a deleted account must not fail the event forever).
    const providerId = row?.providerId ?? (await existingProvider(tx, metadata.providerId));
    const subscriberId = row?.subscriberId ?? (await existingUser(tx, metadata.subscriberId));
    const [recorded] = await tx
      .insert(payments)
      .values({
        stripeInvoiceId: invoice.id as string,
        stripeSubscriptionId,
        stripeChargeId: charge?.chargeId ?? null,
        subscriptionId: row?.id ?? null,
        providerId,
        subscriberId,
        currency: invoice.currency,
        amountCents: invoice.amount_paid,
        ...split,
        periodStart: fromUnix(invoice.lines?.data[0]?.period?.start ?? invoice.period_start),
        periodEnd: fromUnix(invoice.lines?.data[0]?.period?.end ?? invoice.period_end),
        paidAt: fromUnix(invoice.status_transitions?.paid_at) ?? at,
      })
      .onConflictDoNothing({ target: payments.stripeInvoiceId })
      .returning({ id: payments.id });
    // The receipt, with the ledger row that records the payment (an invoice already recorded sends nothing).
    if (recorded) await notifyPayment(tx, recorded.id);
  }

  // A paid invoice settles the subscription, unless a newer snapshot already said otherwise.
  if (row && (row.status === "past_due" || row.status === "incomplete") && (!row.syncedAt || row.syncedAt <= at)) {
    await tx.update(subscriptions).set({ status: "active", pastDueSince: null, stripeSyncedAt: at }).where(eq(subscriptions.id, row.id));
  }
}

async function existingProvider(tx: Executor, id: string | undefined): Promise<string | null> {
  if (!id) return null;
  const [p] = await tx.select({ id: providers.id }).from(providers).where(eq(providers.id, id));
  return p?.id ?? null;
}

async function existingUser(tx: Executor, id: string | undefined): Promise<string | null> {
  if (!id) return null;
  const [u] = await tx.select({ id: users.id }).from(users).where(eq(users.id, id));
  return u?.id ?? null;
}

async function applyInvoiceFailed(tx: Executor, invoice: Stripe.Invoice, at: Date): Promise<void> {
  // The invoice was paid after this attempt failed (events out of order): the failure is old news.
  const paid = await tx.select({ id: payments.id }).from(payments).where(eq(payments.stripeInvoiceId, invoice.id as string));
  if (paid.length || invoice.status === "paid") return;
  const { id: stripeSubscriptionId } = subscriptionOfInvoice(invoice);
  if (!stripeSubscriptionId) return;
  await lockSubscription(tx, stripeSubscriptionId);
  const changed = await tx
    .update(subscriptions)
    .set({ status: "past_due", pastDueSince: sql`coalesce(${subscriptions.pastDueSince}, ${at.toISOString()}::timestamptz)`, stripeSyncedAt: at })
    .where(
      and(
        eq(subscriptions.stripeSubscriptionId, stripeSubscriptionId),
        inArray(subscriptions.status, ["active", "trialing"]),
        or(isNull(subscriptions.stripeSyncedAt), lte(subscriptions.stripeSyncedAt, at)),
      ),
    )
    .returning({ id: subscriptions.id });
  for (const c of changed) await notifySubscription(tx, c.id, "payment_failed");
}

/** The provider columns a Connect account object decides. */
export function accountFlags(account: Stripe.Account) {
  return { chargesEnabled: Boolean(account.charges_enabled), payoutsEnabled: Boolean(account.payouts_enabled), detailsSubmitted: Boolean(account.details_submitted) };
}

async function applyAccount(tx: Executor, account: Stripe.Account): Promise<void> {
  await tx.update(providers).set(accountFlags(account)).where(eq(providers.stripeAccountId, account.id));
}

/** Thrown when an event arrived before the one it depends on: the route answers 500 and Stripe delivers it again later. */
export class RetryLaterError extends Error {}

async function applyRefund(tx: Executor, charge: Stripe.Charge): Promise<void> {
  const refunded = charge.amount_refunded;
  const updated = await tx
    .update(payments)
    .set({ refundedCents: refunded, status: refunded >= charge.amount ? "refunded" : refunded > 0 ? "partially_refunded" : "paid" })
    .where(eq(payments.stripeChargeId, charge.id))
    .returning({ id: payments.id });
  // The refund overtook its invoice.paid: wait for the ledger row (Stripe retries for three days), unless the charge
  // is older than that, in which case it was never one of our subscription payments.
  if (!updated.length && Date.now() / 1000 - charge.created < 3 * 86_400) {
    throw new RetryLaterError(`charge.refunded for ${charge.id} arrived before its invoice was recorded`);
  }
}
