/**
 * The embedded stand-in for Stripe (no STRIPE_SECRET_KEY). It keeps Stripe-shaped objects in
 * `embedded_stripe_objects`, plays Connect onboarding and Checkout from the /dev/stripe pages, and tells the app
 * what happened the way Stripe does: events signed with the webhook secret, for our webhook endpoint (delivered by
 * the `EventDelivery` it is constructed with).
 * No money moves. A test clock (like Stripe's) moves billing time forward so renewals, failed payments and
 * period-end cancellations can be played through.
 */
import "server-only";
import { randomBytes } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import Stripe from "stripe";
import { applicationFee, PLATFORM_FEE_PERCENT } from "@/lib/billing";
import { db } from "@/server/db";
import { appSettings, embeddedStripeObjects } from "@/server/db/schema";
import { getStripeWebhookSecret } from "@/server/secrets";
import { logger } from "@/server/logger";
import { shaped } from "./templates";
import type { CheckoutRequest, InvoiceCharge, PaymentsGateway } from "./types";

export class EmbeddedStripeError extends Error {
  // Checked by name (isEmbeddedStripeError): each Next.js bundle has its own copy of this class.
  override readonly name = "EmbeddedStripeError";
}

const CLOCK_KEY = "embedded_stripe_clock_offset_ms";
const DAY = 86_400;

type Obj = Record<string, unknown>;
type Kind = "account" | "product" | "price" | "customer" | "checkout.session" | "subscription" | "invoice" | "charge";

const rid = (prefix: string) => `${prefix}_emb${randomBytes(12).toString("hex")}`;

/** One calendar month later, in seconds (Stripe's monthly billing anchor, clamped to the month's last day). */
export function addMonth(sec: number): number {
  const d = new Date(sec * 1000);
  const day = d.getUTCDate();
  const next = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()));
  const last = new Date(Date.UTC(next.getUTCFullYear(), next.getUTCMonth() + 1, 0)).getUTCDate();
  next.setUTCDate(Math.min(day, last));
  return Math.floor(next.getTime() / 1000);
}

/**
 * Delivers a signed event to our webhook endpoint and reports its answer. Supplied by whoever composes the stand-in
 * (services/billing/gateway.ts answers it in process with the endpoint's own code; tests tap it): the integration
 * imports neither the app's route nor the services behind it.
 */
export type EventDelivery = (body: string, signature: string) => Promise<{ status: number; text: string }>;

export class EmbeddedStripeGateway implements PaymentsGateway {
  readonly mode = "embedded" as const;
  constructor(private readonly deliver: EventDelivery) {}

  // ---- store and clock -------------------------------------------------------------------------------------------

  private async put(kind: Kind, obj: Obj): Promise<void> {
    const id = obj.id as string;
    await db
      .insert(embeddedStripeObjects)
      .values({ id, type: kind, data: obj })
      .onConflictDoUpdate({ target: embeddedStripeObjects.id, set: { data: obj, updatedAt: new Date() } });
  }

  private async get<T = Obj>(kind: Kind, id: string): Promise<T> {
    const [row] = await db
      .select({ data: embeddedStripeObjects.data })
      .from(embeddedStripeObjects)
      .where(and(eq(embeddedStripeObjects.id, id), eq(embeddedStripeObjects.type, kind)));
    if (!row) throw new EmbeddedStripeError(`No such ${kind}: '${id}'`);
    return row.data as T;
  }

  private async list<T = Obj>(kind: Kind): Promise<T[]> {
    const rows = await db.select({ data: embeddedStripeObjects.data }).from(embeddedStripeObjects).where(eq(embeddedStripeObjects.type, kind)).orderBy(embeddedStripeObjects.createdAt);
    return rows.map((r) => r.data as T);
  }

  /** Billing time in ms: the wall clock plus however far the test clock has been advanced. */
  async now(): Promise<number> {
    const [row] = await db.select({ value: appSettings.value }).from(appSettings).where(eq(appSettings.key, CLOCK_KEY));
    return Date.now() + (typeof row?.value === "number" ? row.value : 0);
  }

  private async nowSec(): Promise<number> {
    return Math.floor((await this.now()) / 1000);
  }

  private async emit(type: string, object: Obj, previous?: Obj): Promise<void> {
    // The stand-in's own bookkeeping stays in its store: Stripe's objects have no `tradsy_embedded`, so neither do its events.
    const wire: Obj = { ...object };
    delete wire.tradsy_embedded;
    const event = shaped<Obj>("event", {
      id: rid("evt"),
      object: "event",
      api_version: Stripe.API_VERSION,
      created: await this.nowSec(),
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type,
      data: previous ? { object: wire, previous_attributes: previous } : { object: wire },
    });
    const body = JSON.stringify(event);
    const signature = Stripe.webhooks.generateTestHeaderString({ payload: body, secret: getStripeWebhookSecret() });
    const res = await this.deliver(body, signature);
    if (res.status >= 300) {
      logger.error({ type, status: res.status, body: res.text.slice(0, 300) }, "embedded stripe: webhook delivery refused");
      throw new EmbeddedStripeError(`Our webhook route refused ${type} (${res.status})`);
    }
  }

  // ---- Connect ---------------------------------------------------------------------------------------------------

  async createConnectAccount({ providerId, email }: { providerId: string; email: string }) {
    const account = shaped<Obj>("account", {
      id: rid("acct"),
      object: "account",
      type: "express",
      email,
      country: "US",
      default_currency: "usd",
      created: await this.nowSec(),
      charges_enabled: false,
      payouts_enabled: false,
      details_submitted: false,
      capabilities: { card_payments: "inactive", transfers: "inactive" },
      requirements: { ...emptyRequirements(), currently_due: ["business_profile.url", "external_account", "tos_acceptance.date"], disabled_reason: "requirements.past_due" },
      metadata: { providerId },
    });
    await this.put("account", account);
    return { id: account.id as string };
  }

  async createAccountLink({ accountId, refreshUrl, returnUrl }: { accountId: string; refreshUrl: string; returnUrl: string }) {
    await this.get("account", accountId);
    const q = new URLSearchParams({ return_url: returnUrl, refresh_url: refreshUrl });
    return { url: `/dev/stripe/onboarding/${accountId}?${q}` };
  }

  retrieveAccount(accountId: string) {
    return this.get<Stripe.Account>("account", accountId);
  }

  /** The dev onboarding form was submitted: the account can take charges and receive payouts. */
  async completeOnboarding(accountId: string, input: { businessName: string }): Promise<Stripe.Account> {
    const account = await this.get<Obj>("account", accountId);
    const previous = { charges_enabled: account.charges_enabled, payouts_enabled: account.payouts_enabled, details_submitted: account.details_submitted };
    Object.assign(account, {
      charges_enabled: true,
      payouts_enabled: true,
      details_submitted: true,
      capabilities: { card_payments: "active", transfers: "active" },
      requirements: emptyRequirements(),
      business_profile: { ...((account.business_profile as Obj | undefined) ?? {}), name: input.businessName },
      tos_acceptance: { date: await this.nowSec(), ip: null, user_agent: null },
    });
    await this.put("account", account);
    await this.emit("account.updated", account, previous);
    return account as unknown as Stripe.Account;
  }

  // ---- catalogue and customers -----------------------------------------------------------------------------------

  async createProduct({ providerId, name }: { providerId: string; name: string }) {
    const product = { id: rid("prod"), object: "product", active: true, name, created: await this.nowSec(), livemode: false, metadata: { providerId }, type: "service" };
    await this.put("product", product);
    return { id: product.id };
  }

  async createPrice({ providerId, productId, amountCents }: { providerId: string; productId: string; amountCents: number }) {
    const price = shaped<Obj>("price", {
      id: rid("price"),
      object: "price",
      active: true,
      billing_scheme: "per_unit",
      created: await this.nowSec(),
      currency: "usd",
      livemode: false,
      metadata: { providerId },
      product: productId,
      recurring: { interval: "month", interval_count: 1, meter: null, trial_period_days: null, usage_type: "licensed" },
      type: "recurring",
      unit_amount: amountCents,
      unit_amount_decimal: String(amountCents),
    });
    await this.put("price", price);
    return { id: price.id as string };
  }

  async createCustomer({ userId, email, name }: { userId: string; email: string; name: string | null }) {
    const customer = shaped<Obj>("customer", { id: rid("cus"), object: "customer", email, name, created: await this.nowSec(), livemode: false, metadata: { userId } });
    await this.put("customer", customer);
    return { id: customer.id as string };
  }

  /** As Stripe: the customer is marked deleted and loses its personal fields; its invoices and charges stay. */
  async eraseCustomer(customerId: string): Promise<void> {
    const customer = await this.get<Obj>("customer", customerId);
    Object.assign(customer, { deleted: true, email: null, name: null, phone: null, address: null, shipping: null, description: null });
    await this.put("customer", customer);
  }

  // ---- Checkout --------------------------------------------------------------------------------------------------

  async createCheckoutSession(req: CheckoutRequest) {
    const price = await this.get<Obj>("price", req.priceId);
    await this.get("customer", req.customerId);
    const account = await this.get<Obj>("account", req.destinationAccountId);
    if (!account.charges_enabled) throw new EmbeddedStripeError(`The destination account ${req.destinationAccountId} cannot take charges yet`);
    const created = await this.nowSec();
    const id = rid("cs_test");
    const session = shaped<Obj>("checkout_session", {
      id,
      object: "checkout.session",
      mode: "subscription",
      status: "open",
      payment_status: "unpaid",
      customer: req.customerId,
      client_reference_id: req.metadata.subscriberId,
      subscription: null,
      invoice: null,
      payment_intent: null,
      currency: "usd",
      amount_subtotal: price.unit_amount,
      amount_total: req.trialDays > 0 ? 0 : price.unit_amount,
      created,
      expires_at: created + DAY,
      livemode: false,
      metadata: req.metadata,
      success_url: req.successUrl,
      cancel_url: req.cancelUrl,
      url: `/dev/stripe/checkout/${id}`,
      // What the session was created with (Stripe keeps these on the session's line items and subscription_data).
      tradsy_embedded: { priceId: req.priceId, trialDays: req.trialDays, destination: req.destinationAccountId, applicationFeePercent: PLATFORM_FEE_PERCENT },
    });
    await this.put("checkout.session", session);
    return { id, url: session.url as string, expiresAt: new Date((created + DAY) * 1000) };
  }

  async checkoutDetails(sessionId: string) {
    const session = await this.get<Obj>("checkout.session", sessionId);
    const meta = session.tradsy_embedded as { priceId: string; trialDays: number; destination: string };
    const price = await this.get<Obj>("price", meta.priceId);
    const product = await this.get<Obj>("product", price.product as string);
    const customer = await this.get<Obj>("customer", session.customer as string);
    return {
      id: sessionId,
      status: session.status as "open" | "complete" | "expired",
      expired: (session.expires_at as number) * 1000 < (await this.now()),
      productName: product.name as string,
      amountCents: price.unit_amount as number,
      trialDays: meta.trialDays,
      email: customer.email as string,
      subscriberId: (session.metadata as { subscriberId: string }).subscriberId,
      successUrl: session.success_url as string,
      cancelUrl: session.cancel_url as string,
    };
  }

  /**
   * The customer pressed Pay on the dev checkout page. A declined card leaves the session open (as Stripe Checkout
   * does); a good one creates the subscription, its first invoice and charge, and posts the events Stripe would.
   */
  async completeCheckout(sessionId: string, card: "succeeds" | "declines"): Promise<{ ok: true; successUrl: string } | { ok: false; message: string }> {
    const session = await this.get<Obj>("checkout.session", sessionId);
    if (session.status !== "open") throw new EmbeddedStripeError("This checkout session is no longer open");
    const now = await this.nowSec();
    if ((session.expires_at as number) < now) throw new EmbeddedStripeError("This checkout session has expired");
    if (card === "declines") return { ok: false, message: "Your card was declined. Try the test card that succeeds." };

    const meta = session.tradsy_embedded as { priceId: string; trialDays: number; destination: string; applicationFeePercent: number };
    const price = await this.get<Obj>("price", meta.priceId);
    const trialEnd = meta.trialDays > 0 ? now + meta.trialDays * DAY : null;
    const periodEnd = trialEnd ?? addMonth(now);
    const subId = rid("sub");
    const subscription = shaped<Obj>("subscription", {
      id: subId,
      object: "subscription",
      application: null,
      application_fee_percent: meta.applicationFeePercent,
      billing_cycle_anchor: periodEnd,
      cancel_at: null,
      cancel_at_period_end: false,
      canceled_at: null,
      collection_method: "charge_automatically",
      created: now,
      currency: "usd",
      customer: session.customer,
      ended_at: null,
      items: {
        object: "list",
        data: [{ id: rid("si"), object: "subscription_item", created: now, current_period_start: now, current_period_end: periodEnd, metadata: {}, price, quantity: 1, subscription: subId }],
        has_more: false,
        url: `/v1/subscription_items?subscription=${subId}`,
      },
      latest_invoice: null,
      livemode: false,
      metadata: session.metadata,
      pause_collection: null,
      start_date: now,
      status: trialEnd ? "trialing" : "active",
      test_clock: null,
      transfer_data: { amount_percent: null, destination: meta.destination },
      trial_end: trialEnd,
      trial_start: trialEnd ? now : null,
    });
    const invoice = await this.invoiceFor(subscription, trialEnd ? 0 : (price.unit_amount as number), now, periodEnd, "subscription_create", true);
    subscription.latest_invoice = invoice.id;
    await this.put("subscription", subscription);
    Object.assign(session, { status: "complete", payment_status: trialEnd ? "no_payment_required" : "paid", subscription: subId, invoice: invoice.id, amount_total: invoice.amount_paid });
    await this.put("checkout.session", session);

    await this.emit("checkout.session.completed", session);
    await this.emit("customer.subscription.created", subscription);
    await this.emit("invoice.paid", invoice);
    return { ok: true, successUrl: (session.success_url as string).replace("{CHECKOUT_SESSION_ID}", sessionId) };
  }

  /** The succeeded charge paying `invoiceId`, with the platform's application fee as Stripe computes it. */
  private async chargeFor(subscription: Obj, amount: number, invoiceId: string): Promise<string> {
    const transfer = subscription.transfer_data as { destination: string };
    const charge = {
      id: rid("ch"),
      object: "charge",
      amount,
      amount_captured: amount,
      amount_refunded: 0,
      application_fee: rid("fee"),
      application_fee_amount: applicationFee(amount, subscription.application_fee_percent as number),
      captured: true,
      created: await this.nowSec(),
      currency: "usd",
      customer: subscription.customer,
      livemode: false,
      metadata: {},
      paid: true,
      payment_intent: rid("pi"),
      refunded: false,
      status: "succeeded",
      transfer_data: { amount: null, destination: transfer.destination },
      tradsy_embedded: { invoice: invoiceId },
    };
    await this.put("charge", charge);
    return charge.id;
  }

  /** A subscription invoice, paid (with its charge and the platform's application fee) or open after a failed attempt. */
  private async invoiceFor(subscription: Obj, amount: number, start: number, end: number, reason: string, paid: boolean): Promise<Obj> {
    const id = rid("in");
    const now = await this.nowSec();
    const chargeId = paid && amount > 0 ? await this.chargeFor(subscription, amount, id) : null;
    const items = subscription.items as { data: Obj[] };
    const item = items.data[0] as Obj;
    const invoice = shaped<Obj>("invoice", {
      id,
      object: "invoice",
      amount_due: amount,
      amount_paid: paid ? amount : 0,
      amount_remaining: paid ? 0 : amount,
      attempt_count: 1,
      attempted: true,
      billing_reason: reason,
      collection_method: "charge_automatically",
      created: now,
      currency: "usd",
      customer: subscription.customer,
      lines: {
        object: "list",
        data: [
          {
            id: rid("il"),
            object: "line_item",
            amount,
            currency: "usd",
            description: `1 × subscription (at ${(item.price as Obj).unit_amount} / month)`,
            invoice: id,
            livemode: false,
            metadata: {},
            period: { start, end },
            quantity: 1,
            parent: { type: "subscription_item_details", subscription_item_details: { subscription: subscription.id, subscription_item: item.id, proration: false, invoice_item: null }, invoice_item_details: null },
            pricing: { type: "price_details", price_details: { price: (item.price as Obj).id, product: (item.price as Obj).product }, unit_amount_decimal: String(amount) },
          },
        ],
        has_more: false,
        url: `/v1/invoices/${id}/lines`,
      },
      livemode: false,
      metadata: {},
      next_payment_attempt: paid ? null : now + 3 * DAY,
      number: `EMB-${id.slice(-8).toUpperCase()}`,
      parent: { type: "subscription_details", quote_details: null, subscription_details: { metadata: subscription.metadata, subscription: subscription.id } },
      period_start: start,
      period_end: end,
      status: paid ? "paid" : "open",
      status_transitions: { finalized_at: now, marked_uncollectible_at: null, paid_at: paid ? now : null, voided_at: null },
      subtotal: amount,
      total: amount,
      tradsy_embedded: { chargeId },
    });
    await this.put("invoice", invoice);
    return invoice;
  }

  // ---- subscriptions ---------------------------------------------------------------------------------------------

  async updateSubscription(id: string, change: { cancelAtPeriodEnd?: boolean; pause?: boolean }): Promise<Stripe.Subscription> {
    const sub = await this.get<Obj>("subscription", id);
    if (sub.status === "canceled") throw new EmbeddedStripeError("A canceled subscription can't be updated");
    const previous: Obj = {};
    if (change.cancelAtPeriodEnd !== undefined) {
      previous.cancel_at_period_end = sub.cancel_at_period_end;
      previous.cancel_at = sub.cancel_at;
      sub.cancel_at_period_end = change.cancelAtPeriodEnd;
      sub.cancel_at = change.cancelAtPeriodEnd ? periodEndOf(sub) : null;
      sub.canceled_at = change.cancelAtPeriodEnd ? await this.nowSec() : null;
    }
    if (change.pause !== undefined) {
      previous.pause_collection = sub.pause_collection;
      sub.pause_collection = change.pause ? { behavior: "void", resumes_at: null } : null;
    }
    await this.put("subscription", sub);
    await this.emit("customer.subscription.updated", sub, previous);
    return sub as unknown as Stripe.Subscription;
  }

  async cancelSubscription(id: string): Promise<Stripe.Subscription> {
    const sub = await this.get<Obj>("subscription", id);
    if (sub.status === "canceled") return sub as unknown as Stripe.Subscription;
    const now = await this.nowSec();
    Object.assign(sub, { status: "canceled", canceled_at: now, ended_at: now, cancel_at_period_end: false });
    await this.put("subscription", sub);
    await this.emit("customer.subscription.deleted", sub);
    return sub as unknown as Stripe.Subscription;
  }

  async createPortalSession({ customerId, returnUrl }: { customerId: string; returnUrl: string }) {
    await this.get("customer", customerId);
    return { url: `/dev/stripe/portal/${customerId}?${new URLSearchParams({ return_url: returnUrl })}` };
  }

  async invoiceCharge(invoiceId: string): Promise<InvoiceCharge> {
    const invoice = await this.get<Obj>("invoice", invoiceId);
    const chargeId = (invoice.tradsy_embedded as { chargeId: string | null }).chargeId;
    if (!chargeId) return { chargeId: null, applicationFeeCents: 0 };
    const charge = await this.get<Obj>("charge", chargeId);
    return { chargeId, applicationFeeCents: charge.application_fee_amount as number };
  }

  /** What the dev portal page shows: the customer's subscriptions and invoices, newest first. */
  async portalView(customerId: string) {
    const customer = await this.get<Obj>("customer", customerId);
    const subs = (await this.list<Obj>("subscription")).filter((s) => s.customer === customerId);
    const invoices = (await this.list<Obj>("invoice")).filter((i) => i.customer === customerId);
    return {
      customer: { id: customerId, email: customer.email as string, userId: (customer.metadata as { userId?: string }).userId ?? null },
      nextPaymentFails: Boolean((customer.tradsy_embedded as { nextPaymentFails?: boolean } | undefined)?.nextPaymentFails),
      subscriptions: subs.reverse().map((s) => ({
        id: s.id as string,
        status: s.status as string,
        cancelAtPeriodEnd: Boolean(s.cancel_at_period_end),
        paused: Boolean(s.pause_collection),
        currentPeriodEnd: new Date(periodEndOf(s) * 1000),
        amountCents: ((s.items as { data: Obj[] }).data[0]?.price as Obj | undefined)?.unit_amount as number,
        providerId: (s.metadata as { providerId?: string }).providerId ?? null,
      })),
      invoices: invoices.reverse().map((i) => ({ id: i.id as string, number: i.number as string, status: i.status as string, amountCents: i.amount_due as number, created: new Date((i.created as number) * 1000) })),
    };
  }

  /** Refunds a charge in full or in part, as the Stripe dashboard would, and posts `charge.refunded`. */
  async refundCharge(chargeId: string, amountCents?: number): Promise<void> {
    const charge = await this.get<Obj>("charge", chargeId);
    const refundable = (charge.amount as number) - (charge.amount_refunded as number);
    const amount = amountCents ?? refundable;
    if (amount <= 0 || amount > refundable) throw new EmbeddedStripeError("Nothing left to refund on this charge");
    charge.amount_refunded = (charge.amount_refunded as number) + amount;
    charge.refunded = charge.amount_refunded === charge.amount;
    await this.put("charge", charge);
    await this.emit("charge.refunded", charge, { amount_refunded: (charge.amount_refunded as number) - amount, refunded: false });
  }

  /** Marks the customer's next renewal to fail (the dev portal's "card will decline" switch). */
  async setNextPaymentFails(customerId: string, fails: boolean): Promise<void> {
    const customer = await this.get<Obj>("customer", customerId);
    customer.tradsy_embedded = { nextPaymentFails: fails };
    await this.put("customer", customer);
  }

  /**
   * Moves the test clock forward and plays what Stripe would do meanwhile, period by period: renewals (paid, or
   * failed when the customer's card is set to decline), ends of subscriptions set to cancel, paused periods.
   */
  async advanceClock(days: number): Promise<{ events: number; now: Date }> {
    if (!Number.isInteger(days) || days < 1 || days > 400) throw new EmbeddedStripeError("Advance the clock by 1 to 400 days");
    await db
      .insert(appSettings)
      .values({ key: CLOCK_KEY, value: days * DAY * 1000 })
      .onConflictDoUpdate({ target: appSettings.key, set: { value: sql`to_jsonb((${appSettings.value})::bigint + ${days * DAY * 1000})`, updatedAt: new Date() } });
    const now = await this.nowSec();
    let events = 0;
    for (const sub of await this.list<Obj>("subscription")) {
      while (sub.status !== "canceled" && periodEndOf(sub) <= now) {
        const end = periodEndOf(sub);
        if (sub.cancel_at_period_end) {
          Object.assign(sub, { status: "canceled", ended_at: end });
          await this.put("subscription", sub);
          await this.emit("customer.subscription.deleted", sub);
          events++;
          break;
        }
        const item = (sub.items as { data: Obj[] }).data[0] as Obj;
        const next = addMonth(end);
        const previous = { status: sub.status, items: structuredClone(sub.items) };
        item.current_period_start = end;
        item.current_period_end = next;
        sub.billing_cycle_anchor = next;
        if (sub.status === "trialing") sub.status = "active";
        if (sub.pause_collection) {
          await this.put("subscription", sub);
          await this.emit("customer.subscription.updated", sub, previous);
          events++;
          continue;
        }
        const customer = await this.get<Obj>("customer", sub.customer as string);
        const fails = Boolean((customer.tradsy_embedded as { nextPaymentFails?: boolean } | undefined)?.nextPaymentFails);
        const invoice = await this.invoiceFor(sub, (item.price as Obj).unit_amount as number, end, next, "subscription_cycle", !fails);
        sub.latest_invoice = invoice.id;
        if (fails) sub.status = "past_due";
        await this.put("subscription", sub);
        await this.emit(fails ? "invoice.payment_failed" : "invoice.paid", invoice);
        await this.emit("customer.subscription.updated", sub, previous);
        events += 2;
      }
    }
    return { events, now: new Date(now * 1000) };
  }

  /** Retries a failed invoice (the customer fixed their card in the portal): pays it and reactivates the subscription. */
  async payOpenInvoice(invoiceId: string): Promise<void> {
    const invoice = await this.get<Obj>("invoice", invoiceId);
    if (invoice.status !== "open") throw new EmbeddedStripeError("Only an open invoice can be paid");
    const subId = (invoice.parent as { subscription_details: { subscription: string } }).subscription_details.subscription;
    const sub = await this.get<Obj>("subscription", subId);
    const amount = invoice.amount_due as number;
    const chargeId = amount > 0 ? await this.chargeFor(sub, amount, invoiceId) : null;
    Object.assign(invoice, { status: "paid", amount_paid: amount, amount_remaining: 0, attempt_count: (invoice.attempt_count as number) + 1, next_payment_attempt: null, tradsy_embedded: { chargeId } });
    (invoice.status_transitions as Obj).paid_at = await this.nowSec();
    await this.put("invoice", invoice);
    const previous = { status: sub.status };
    if (sub.status === "past_due") sub.status = "active";
    await this.put("subscription", sub);
    const customer = await this.get<Obj>("customer", sub.customer as string);
    customer.tradsy_embedded = { nextPaymentFails: false };
    await this.put("customer", customer);
    await this.emit("invoice.paid", invoice);
    await this.emit("customer.subscription.updated", sub, previous);
  }

  async openInvoices(customerId: string): Promise<string[]> {
    return (await this.list<Obj>("invoice")).filter((i) => i.customer === customerId && i.status === "open").map((i) => i.id as string);
  }
}

function periodEndOf(sub: Obj): number {
  const items = (sub.items as { data: Obj[] }).data;
  return Math.max(...items.map((i) => i.current_period_end as number));
}

function emptyRequirements() {
  return { alternatives: [], current_deadline: null, currently_due: [], disabled_reason: null, errors: [], eventually_due: [], past_due: [], pending_verification: [] };
}
