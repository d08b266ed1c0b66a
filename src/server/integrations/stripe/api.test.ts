/**
 * stripe-node against a local fake Stripe (issue 4, acceptance 1): the tRPC procedures, called as real users, make
 * exactly the requests Stripe Connect needs: an Express account and its onboarding link, a Product and a monthly
 * Price, a Customer, and a subscription Checkout Session with application_fee_percent 30 and the provider's account
 * as transfer destination. Also: a new price leaves existing subscriptions on theirs; manage and portal; and the
 * invoice's charge is read with the expansion that reaches the application fee, which then goes to the ledger.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import Stripe from "stripe";
import { appBaseUrl } from "@/server/http/base-url";
import { useTestDatabase } from "@/test/db";
import { signedIn } from "@/test/factories";
import { newProvider } from "@/test/signals";
import {
  accountObject,
  billingState,
  checkoutSessionObject,
  deliverOk,
  invoiceObject,
  payableProvider,
  providerRow,
  stripeEvent,
  subscriptionObject,
  subscriptionOf,
  unix,
  useFakeStripe,
} from "@/test/stripe";
import { db } from "@/server/db";
import { checkoutSessions, payments, providerPrices, users } from "@/server/db/schema";
import { resetRateLimits } from "@/server/rate-limit";
import { chargeOfInvoice } from "./api";

useTestDatabase();
const fake = useFakeStripe();
beforeEach(() => resetRateLimits());

// The callers here send no Host: the base URL of a request without one.
const url = (p: string) => new URL(p, appBaseUrl()).toString();
const DAY = 86_400;

/** A live subscription told to us by Stripe (signed webhook), mirrored in the fake so manage calls can update it. */
async function liveSubscription(subscriber: { id: string }, provider: { id: string; stripePriceId: string | null }, opts: { id?: string; unitAmount?: number; created?: number } = {}) {
  const start = unix(Date.now()) - DAY;
  const sub = subscriptionObject({
    id: opts.id ?? "sub_fake_live",
    customer: "cus_fake_live",
    status: "active",
    subscriberId: subscriber.id,
    providerId: provider.id,
    priceId: provider.stripePriceId!,
    unitAmount: opts.unitAmount ?? 500,
    periodStart: start,
    periodEnd: start + 30 * DAY,
  });
  fake.track(sub);
  await deliverOk(stripeEvent("customer.subscription.created", sub, { created: opts.created ?? start }));
  return sub;
}

describe("provider onboarding (billing.startOnboarding)", () => {
  it("creates an Express account with card payments and transfers, then an onboarding link", async () => {
    const p = await newProvider();
    const { url: link } = await p.caller.billing.startOnboarding();

    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual(["POST /v1/accounts", "POST /v1/account_links"]);
    const [account, accountLink] = fake.requests;
    expect(account!.form).toEqual({
      type: "express",
      email: p.user.email,
      "capabilities[card_payments][requested]": "true",
      "capabilities[transfers][requested]": "true",
      "metadata[providerId]": p.provider.id,
    });
    // Retried creates must not make a second account.
    expect(account!.idempotencyKey).toBe(`connect-account:${p.provider.id}`);
    expect(account!.authorization).toBe(`Bearer ${fake.secretKey}`);
    expect(account!.stripeVersion).toBe(Stripe.API_VERSION);

    const accountId = (await providerRow(p.provider.id)).stripeAccountId;
    expect(accountId).toBe("acct_fake1");
    expect(accountLink!.form).toEqual({
      account: "acct_fake1",
      refresh_url: url("/revenue?onboarding=refresh"),
      return_url: url("/revenue?onboarding=return"),
      type: "account_onboarding",
    });
    expect(link).toMatch(/^https:\/\/connect\.stripe\.com\/setup\/e\/acct_fake1\//);
    expect(await p.caller.billing.payouts()).toMatchObject({ mode: "stripe", connected: true, chargesEnabled: false, payoutsEnabled: false, acceptingSubscribers: false });
  });

  it("resumes with a new link for the same account instead of creating another", async () => {
    const p = await newProvider();
    await p.caller.billing.startOnboarding();
    fake.requests.length = 0;
    await p.caller.billing.startOnboarding();
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual(["POST /v1/account_links"]);
    expect(fake.requests[0]!.form.account).toBe("acct_fake1");
  });

  it("reads the account on return (billing.refreshAccount) and stores its three flags", async () => {
    const p = await newProvider();
    await p.caller.billing.startOnboarding();
    Object.assign(fake.accounts.get("acct_fake1")!, { charges_enabled: true, payouts_enabled: false, details_submitted: true });
    await p.caller.billing.refreshAccount();
    expect(fake.requests.at(-1)).toMatchObject({ method: "GET", path: "/v1/accounts/acct_fake1" });
    expect(await providerRow(p.provider.id)).toMatchObject({ chargesEnabled: true, payoutsEnabled: false, detailsSubmitted: true });
  });
});

describe("pricing (billing.setPrice)", () => {
  it("creates the Product once and a monthly USD Price in cents", async () => {
    const p = await newProvider();
    const res = await p.caller.billing.setPrice({ priceCents: 500, trialDays: 0 });

    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual(["POST /v1/products", "POST /v1/prices"]);
    const [product, price] = fake.requests;
    expect(product!.form).toEqual({ name: `${p.provider.displayName} — Tradsy signals`, "metadata[providerId]": p.provider.id });
    expect(product!.idempotencyKey).toBe(`product:${p.provider.id}`);
    expect(price!.form).toEqual({
      product: "prod_fake1",
      currency: "usd",
      unit_amount: "500",
      "recurring[interval]": "month",
      "metadata[providerId]": p.provider.id,
    });
    expect(res).toEqual({ priceCents: 500, trialDays: 0, stripePriceId: "price_fake2" });
    expect(await providerRow(p.provider.id)).toMatchObject({ stripeProductId: "prod_fake1", stripePriceId: "price_fake2", priceCents: 500, trialDays: 0 });
    expect(await db.select().from(providerPrices)).toEqual([expect.objectContaining({ id: "price_fake2", providerId: p.provider.id, amountCents: 500 })]);
  });

  it("a new amount is a new Price for new subscribers; existing subscriptions keep theirs; a trial change alone is no new Price", async () => {
    const p = await payableProvider({ priceCents: 500 });
    const firstPrice = p.provider.stripePriceId!;
    const { user: early } = await signedIn("subscriber");
    await liveSubscription(early, p.provider);
    expect((await subscriptionOf(early.id))[0]).toMatchObject({ stripePriceId: firstPrice, priceCents: 500 });

    fake.requests.length = 0;
    await p.caller.billing.setPrice({ priceCents: 700, trialDays: 0 });
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual(["POST /v1/prices"]);
    expect(fake.requests[0]!.form).toMatchObject({ product: p.provider.stripeProductId, unit_amount: "700", currency: "usd", "recurring[interval]": "month" });
    const secondPrice = (await providerRow(p.provider.id)).stripePriceId!;
    expect(secondPrice).not.toBe(firstPrice);

    // The existing subscription is untouched, here and at Stripe (no subscription update was sent).
    expect((await subscriptionOf(early.id))[0]).toMatchObject({ stripePriceId: firstPrice, priceCents: 500, status: "active" });
    expect(fake.calls("POST").filter((r) => r.path.startsWith("/v1/subscriptions"))).toEqual([]);
    expect((await db.select().from(providerPrices).where(eq(providerPrices.providerId, p.provider.id))).map((r) => [r.id, r.amountCents]).sort()).toEqual(
      [
        [firstPrice, 500],
        [secondPrice, 700],
      ].sort(),
    );

    // A new subscriber checks out at the new price.
    const late = await signedIn("subscriber");
    fake.requests.length = 0;
    await late.caller.billing.checkout({ providerId: p.provider.id });
    expect(fake.calls("POST", "/v1/checkout/sessions")[0]!.form["line_items[0][price]"]).toBe(secondPrice);

    // Same amount, new trial: no Stripe call, the trial applies to the next checkout.
    fake.requests.length = 0;
    await p.caller.billing.setPrice({ priceCents: 700, trialDays: 14 });
    expect(fake.requests).toEqual([]);
    expect(await providerRow(p.provider.id)).toMatchObject({ stripePriceId: secondPrice, priceCents: 700, trialDays: 14 });
  });
});

describe("checkout (billing.checkout)", () => {
  it("creates the Customer and a subscription Checkout Session: 30% application fee, the provider's account as destination, our ids as metadata", async () => {
    const p = await payableProvider({ priceCents: 500 });
    const { user, caller } = await signedIn("subscriber");
    fake.requests.length = 0;

    const { url: checkoutUrl } = await caller.billing.checkout({ providerId: p.provider.id });

    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual(["POST /v1/customers", "POST /v1/checkout/sessions"]);
    const [customer, session] = fake.requests;
    const [me] = await db.select({ name: users.name, stripeCustomerId: users.stripeCustomerId }).from(users).where(eq(users.id, user.id));
    expect(customer!.form).toEqual({ email: user.email, name: me!.name, "metadata[userId]": user.id });
    expect(customer!.idempotencyKey).toBe(`customer:${user.id}`);
    const customerId = me!.stripeCustomerId!;
    expect(customerId).toMatch(/^cus_fake\d+$/);

    expect(session!.form).toEqual({
      mode: "subscription",
      customer: customerId,
      client_reference_id: user.id,
      "line_items[0][price]": p.provider.stripePriceId,
      "line_items[0][quantity]": "1",
      "subscription_data[application_fee_percent]": "30",
      "subscription_data[transfer_data][destination]": p.accountId,
      "subscription_data[metadata][subscriberId]": user.id,
      "subscription_data[metadata][providerId]": p.provider.id,
      "metadata[subscriberId]": user.id,
      "metadata[providerId]": p.provider.id,
      success_url: url("/subscriptions/welcome?session_id={CHECKOUT_SESSION_ID}"),
      cancel_url: url(`/providers/${p.provider.slug}?checkout=canceled`),
    });
    expect(session!.idempotencyKey).toMatch(/^stripe-node-retry-/);
    const [stored] = await db.select().from(checkoutSessions);
    expect(checkoutUrl).toBe(`https://checkout.stripe.com/c/pay/${stored!.id}`);
    expect(await db.select().from(checkoutSessions)).toEqual([
      expect.objectContaining({ id: expect.stringMatching(/^cs_test_fake\d+$/), subscriberId: user.id, providerId: p.provider.id, stripePriceId: p.provider.stripePriceId, status: "open", url: checkoutUrl }),
    ]);
  });

  it("asks Stripe for the provider's trial, and reuses the open session and the customer on a second click", async () => {
    const p = await payableProvider({ priceCents: 300, trialDays: 7 });
    const { caller } = await signedIn("subscriber");
    fake.requests.length = 0;
    const first = await caller.billing.checkout({ providerId: p.provider.id });
    expect(fake.calls("POST", "/v1/checkout/sessions")[0]!.form["subscription_data[trial_period_days]"]).toBe("7");

    fake.requests.length = 0;
    expect(await caller.billing.checkout({ providerId: p.provider.id })).toEqual(first);
    expect(fake.requests).toEqual([]);

    // Another provider: a new session, the same customer.
    const q = await payableProvider({ priceCents: 900 });
    fake.requests.length = 0;
    await caller.billing.checkout({ providerId: q.provider.id });
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual(["POST /v1/checkout/sessions"]);
    expect(fake.requests[0]!.form).not.toHaveProperty("subscription_data[trial_period_days]");
    expect(fake.requests[0]!.form["subscription_data[transfer_data][destination]"]).toBe(q.accountId);
  });

  it("the completed session and its subscription make one active subscription on the price paid", async () => {
    const p = await payableProvider({ priceCents: 500 });
    const { user, caller } = await signedIn("subscriber");
    await caller.billing.checkout({ providerId: p.provider.id });
    const [row] = await db.select().from(checkoutSessions);
    const customer = (await db.select({ c: users.stripeCustomerId }).from(users).where(eq(users.id, user.id)))[0]!.c!;

    await deliverOk(stripeEvent("checkout.session.completed", checkoutSessionObject({ id: row!.id, customer, subscription: "sub_fake_paid", subscriberId: user.id, providerId: p.provider.id })));
    const start = unix(Date.now());
    await deliverOk(
      stripeEvent(
        "customer.subscription.created",
        subscriptionObject({ id: "sub_fake_paid", customer, status: "active", subscriberId: user.id, providerId: p.provider.id, priceId: p.provider.stripePriceId!, unitAmount: 500, periodStart: start, periodEnd: start + 30 * DAY, destination: p.accountId }),
      ),
    );
    expect(await subscriptionOf(user.id)).toEqual([
      expect.objectContaining({ providerId: p.provider.id, status: "active", stripeSubscriptionId: "sub_fake_paid", stripeCustomerId: customer, stripePriceId: p.provider.stripePriceId, priceCents: 500 }),
    ]);
    expect((await db.select().from(checkoutSessions))[0]!.status).toBe("complete");
    expect(await caller.billing.checkoutResult({ sessionId: row!.id })).toMatchObject({ status: "complete", subscription: { status: "active" } });
  });
});

describe("managing a subscription (billing.manage, billing.portal)", () => {
  it("cancel sets cancel_at_period_end, resume clears it and any pause, pause voids collection; each is applied at once", async () => {
    const p = await payableProvider();
    const { user, caller } = await signedIn("subscriber");
    await liveSubscription(user, p.provider, { id: "sub_fake_m" });
    const [row] = await subscriptionOf(user.id);
    fake.requests.length = 0;

    expect(await caller.billing.manage({ subscriptionId: row!.id, action: "cancel" })).toMatchObject({ status: "active", cancelAtPeriodEnd: true });
    expect(await caller.billing.manage({ subscriptionId: row!.id, action: "resume" })).toMatchObject({ status: "active", cancelAtPeriodEnd: false });
    expect(await caller.billing.manage({ subscriptionId: row!.id, action: "pause" })).toMatchObject({ status: "paused" });
    expect(await caller.billing.manage({ subscriptionId: row!.id, action: "resume" })).toMatchObject({ status: "active", cancelAtPeriodEnd: false });

    expect(fake.requests.map((r) => [r.method, r.path, r.form])).toEqual([
      ["POST", "/v1/subscriptions/sub_fake_m", { cancel_at_period_end: "true" }],
      ["POST", "/v1/subscriptions/sub_fake_m", { cancel_at_period_end: "false", pause_collection: "" }],
      ["POST", "/v1/subscriptions/sub_fake_m", { "pause_collection[behavior]": "void" }],
      ["POST", "/v1/subscriptions/sub_fake_m", { cancel_at_period_end: "false", pause_collection: "" }],
    ]);
  });

  it("refuses what makes no sense without calling Stripe", async () => {
    const p = await payableProvider();
    const { user, caller } = await signedIn("subscriber");
    await liveSubscription(user, p.provider, { id: "sub_fake_r" });
    const [row] = await subscriptionOf(user.id);
    fake.requests.length = 0;
    await expect(caller.billing.manage({ subscriptionId: row!.id, action: "resume" })).rejects.toMatchObject({ code: "CONFLICT", message: "This subscription is already running" });
    await caller.billing.manage({ subscriptionId: row!.id, action: "cancel" });
    await expect(caller.billing.manage({ subscriptionId: row!.id, action: "cancel" })).rejects.toMatchObject({ code: "CONFLICT" });
    expect(fake.requests).toHaveLength(1);
  });

  it("opens the billing portal for the caller's own customer", async () => {
    const p = await payableProvider();
    const { user, caller } = await signedIn("subscriber");
    await expect(caller.billing.portal()).rejects.toMatchObject({ code: "CONFLICT" });
    await caller.billing.checkout({ providerId: p.provider.id });
    const customer = (await db.select({ c: users.stripeCustomerId }).from(users).where(eq(users.id, user.id)))[0]!.c!;
    fake.requests.length = 0;
    const { url: portal } = await caller.billing.portal();
    expect(fake.requests.map((r) => [r.method, r.path, r.form])).toEqual([["POST", "/v1/billing_portal/sessions", { customer, return_url: url("/subscriptions") }]]);
    expect(portal).toMatch(/^https:\/\/billing\.stripe\.com\/p\/session\//);
  });
});

describe("the invoice's charge (invoiceCharge) and the ledger", () => {
  it("reads the invoice expanded down to the charge and records Stripe's application fee", async () => {
    const p = await payableProvider({ priceCents: 999 });
    const { user } = await signedIn("subscriber");
    const sub = await liveSubscription(user, p.provider, { id: "sub_fake_inv", unitAmount: 999 });
    const start = sub.items.data[0]!.current_period_start;
    // Stripe reports the fee it took; the ledger must not recompute it.
    fake.invoices.set("in_fake_1", { amountPaid: 999, charge: { id: "ch_fake_1", amount: 999, applicationFeeAmount: 299 } });
    fake.requests.length = 0;

    await deliverOk(stripeEvent("invoice.paid", invoiceObject({ id: "in_fake_1", subscriptionId: sub.id, customer: "cus_fake_live", amount: 999, paid: true, periodStart: start, periodEnd: start + 30 * DAY, metadata: { subscriberId: user.id, providerId: p.provider.id } })));

    expect(fake.requests.map((r) => [r.method, r.path, r.query])).toEqual([["GET", "/v1/invoices/in_fake_1", { "expand[0]": "payments.data.payment.payment_intent.latest_charge" }]]);
    const [row] = await subscriptionOf(user.id);
    expect(await db.select().from(payments)).toEqual([
      expect.objectContaining({
        stripeInvoiceId: "in_fake_1",
        stripeChargeId: "ch_fake_1",
        stripeSubscriptionId: sub.id,
        subscriptionId: row!.id,
        providerId: p.provider.id,
        subscriberId: user.id,
        currency: "usd",
        amountCents: 999,
        platformFeeCents: 299,
        providerShareCents: 700,
        refundedCents: 0,
        status: "paid",
        periodStart: new Date(start * 1000),
        periodEnd: new Date((start + 30 * DAY) * 1000),
      }),
    ]);
  });

  it("a $0 invoice (a trial) asks Stripe nothing and writes no ledger line", async () => {
    const p = await payableProvider({ priceCents: 500, trialDays: 7 });
    const { user } = await signedIn("subscriber");
    const sub = await liveSubscription(user, p.provider, { id: "sub_fake_trial" });
    fake.requests.length = 0;
    const before = await billingState();
    const now = unix(Date.now());
    const a = await deliverOk(stripeEvent("invoice.paid", invoiceObject({ id: "in_fake_zero", subscriptionId: sub.id, customer: "cus_fake_live", amount: 0, paid: true, periodStart: now, periodEnd: now + 7 * DAY })));
    expect(a.result).toBe("processed");
    expect(fake.requests).toEqual([]);
    expect((await billingState()).payments).toEqual(before.payments);
  });

  it("chargeOfInvoice finds the fee only where the invoice was expanded down to the charge", () => {
    const invoice = (payment: unknown, status = "paid") => ({ payments: { data: [{ status, payment }] } }) as unknown as Stripe.Invoice;
    expect(chargeOfInvoice(invoice({ type: "payment_intent", payment_intent: { id: "pi_1", latest_charge: { id: "ch_1", application_fee_amount: 90 } } }))).toEqual({ chargeId: "ch_1", applicationFeeCents: 90 });
    expect(chargeOfInvoice(invoice({ type: "charge", charge: { id: "ch_2", application_fee_amount: 150 } }))).toEqual({ chargeId: "ch_2", applicationFeeCents: 150 });
    expect(chargeOfInvoice(invoice({ type: "payment_intent", payment_intent: "pi_unexpanded" }))).toBeNull();
    expect(chargeOfInvoice(invoice({ type: "payment_intent", payment_intent: { id: "pi_3", latest_charge: "ch_unexpanded" } }))).toBeNull();
    expect(chargeOfInvoice(invoice({ type: "payment_intent", payment_intent: { id: "pi_4", latest_charge: { id: "ch_4", application_fee_amount: 1 } } }, "open"))).toBeNull();
    expect(chargeOfInvoice({} as Stripe.Invoice)).toBeNull();
  });

  it("an account.updated for a connected account flips its provider's flags both ways", async () => {
    const p = await newProvider();
    await p.caller.billing.startOnboarding();
    const acct = (await providerRow(p.provider.id)).stripeAccountId!;
    await deliverOk(stripeEvent("account.updated", accountObject({ id: acct, chargesEnabled: true, payoutsEnabled: true, detailsSubmitted: true })));
    expect(await p.caller.billing.payouts()).toMatchObject({ chargesEnabled: true, payoutsEnabled: true, detailsSubmitted: true });
    await deliverOk(stripeEvent("account.updated", accountObject({ id: acct, chargesEnabled: false, payoutsEnabled: false, detailsSubmitted: true })));
    expect(await providerRow(p.provider.id)).toMatchObject({ chargesEnabled: false, payoutsEnabled: false, detailsSubmitted: true });
  });
});
