/**
 * The embedded stand-in for Stripe (issue 4, acceptance 5): the whole journey offline, through the tRPC procedures
 * and the stand-in's dev-page operations, with every state change reaching our tables only as signed events posted
 * to the webhook route. Onboarding, price, Checkout (paid, declined, with a trial), renewal (paid, failed and
 * retried), cancellation at period end, refunds. And its events look like Stripe's: where Stripe's fixtures are at
 * hand, each event and object has exactly the fixture's top-level keys.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import type Stripe from "stripe";
import { useTestDatabase } from "@/test/db";
import { signedIn } from "@/test/factories";
import { newProvider } from "@/test/signals";
import { composedEvents, fixtureObject, payableProvider, providerRow, subscriptionOf, useEmbeddedStripe } from "@/test/stripe";
import { db } from "@/server/db";
import { checkoutSessions, payments } from "@/server/db/schema";
import { resetRateLimits } from "@/server/rate-limit";
import { accessTo } from "@/server/services/entitlements";
import { addMonth } from "./embedded";
import { stripeFixturesDir } from "./templates";

useTestDatabase();
const embedded = useEmbeddedStripe();
beforeEach(() => resetRateLimits());

const sessionIdOf = (url: string) => url.split("?")[0]!.split("/").at(-1)!;

async function ledger(subscriberId: string) {
  return db
    .select({ amount: payments.amountCents, fee: payments.platformFeeCents, share: payments.providerShareCents, status: payments.status, refunded: payments.refundedCents })
    .from(payments)
    .where(eq(payments.subscriberId, subscriberId))
    .orderBy(payments.paidAt);
}

describe("the embedded stand-in, end to end", () => {
  it("onboarding, price, checkout and payment: an active subscription and its ledger line", async () => {
    const p = await newProvider();
    const trader = await signedIn("subscriber");

    const { url: onboarding } = await p.caller.billing.startOnboarding();
    const accountId = (await providerRow(p.provider.id)).stripeAccountId!;
    expect(onboarding).toBe(`/dev/stripe/onboarding/${accountId}?${new URLSearchParams({ return_url: "/revenue?onboarding=return", refresh_url: "/revenue?onboarding=refresh" })}`);
    expect(await p.caller.billing.payouts()).toMatchObject({ mode: "embedded", connected: true, chargesEnabled: false, acceptingSubscribers: false });
    await expect(trader.caller.billing.checkout({ providerId: p.provider.id })).rejects.toMatchObject({ code: "CONFLICT", message: expect.stringContaining("isn't taking subscribers yet") });

    await embedded.gateway.completeOnboarding(accountId, { businessName: "Signals Inc" });
    expect(embedded.tap.events.map((e) => e.type)).toEqual(["account.updated"]);
    expect(await p.caller.billing.payouts()).toMatchObject({ chargesEnabled: true, payoutsEnabled: true, detailsSubmitted: true, priceReady: false, acceptingSubscribers: false });

    await p.caller.billing.setPrice({ priceCents: 999, trialDays: 0 });
    expect(await p.caller.billing.payouts()).toMatchObject({ priceCents: 999, priceReady: true, acceptingSubscribers: true });
    expect(await trader.caller.billing.subscribeState({ providerId: p.provider.id })).toMatchObject({ acceptingSubscribers: true, priceCents: 999, own: false, subscription: null });

    const { url } = await trader.caller.billing.checkout({ providerId: p.provider.id });
    const sessionId = sessionIdOf(url);
    expect(url).toBe(`/dev/stripe/checkout/${sessionId}`);
    expect(await embedded.gateway.checkoutDetails(sessionId)).toMatchObject({ status: "open", amountCents: 999, trialDays: 0, subscriberId: trader.user.id, email: trader.user.email });

    const done = await embedded.gateway.completeCheckout(sessionId, "succeeds");
    expect(done).toEqual({ ok: true, successUrl: `/subscriptions/welcome?session_id=${sessionId}` });
    expect(embedded.tap.events.map((e) => e.type)).toEqual(["account.updated", "checkout.session.completed", "customer.subscription.created", "invoice.paid"]);

    const [sub] = await subscriptionOf(trader.user.id);
    expect(sub).toMatchObject({ providerId: p.provider.id, status: "active", priceCents: 999, stripePriceId: (await providerRow(p.provider.id)).stripePriceId, cancelAtPeriodEnd: false });
    expect(sub!.currentPeriodEnd!.getTime() / 1000).toBe(addMonth(sub!.currentPeriodStart!.getTime() / 1000));
    // The stand-in charges 30% rounded to the cent: $9.99 -> $3.00 to the platform, $6.99 to the provider.
    expect(await ledger(trader.user.id)).toEqual([{ amount: 999, fee: 300, share: 699, status: "paid", refunded: 0 }]);
    expect(await trader.caller.billing.checkoutResult({ sessionId })).toMatchObject({ status: "complete", subscription: { status: "active" } });
    expect(await accessTo({ id: trader.user.id, role: "subscriber" }, p.provider.id)).toBe("subscriber");
    expect(await p.caller.billing.revenue({ page: 1 })).toMatchObject({ mrrCents: 999, activeSubscribers: 1, lifetime: { grossCents: 999, platformFeeCents: 300, providerShareCents: 699 } });
    await expect(trader.caller.billing.checkout({ providerId: p.provider.id })).rejects.toMatchObject({ code: "CONFLICT" });
  });

  it("a declined card leaves no subscription and the session open to pay again", async () => {
    const p = await payableProvider({ priceCents: 500 });
    const trader = await signedIn("subscriber");
    const { url } = await trader.caller.billing.checkout({ providerId: p.provider.id });
    embedded.tap.clear();

    expect(await embedded.gateway.completeCheckout(sessionIdOf(url), "declines")).toEqual({ ok: false, message: expect.stringMatching(/declined/) });
    expect(embedded.tap.events).toEqual([]);
    expect(await subscriptionOf(trader.user.id)).toEqual([]);
    expect(await ledger(trader.user.id)).toEqual([]);
    expect(await db.select({ status: checkoutSessions.status }).from(checkoutSessions)).toEqual([{ status: "open" }]);
    expect(await accessTo({ id: trader.user.id, role: "subscriber" }, p.provider.id)).toBe("public");

    // Back to the provider's page: the same session, and this time the card works.
    expect((await trader.caller.billing.checkout({ providerId: p.provider.id })).url).toBe(url);
    expect(await embedded.gateway.completeCheckout(sessionIdOf(url), "succeeds")).toMatchObject({ ok: true });
    expect((await subscriptionOf(trader.user.id))[0]).toMatchObject({ status: "active" });
    await expect(embedded.gateway.completeCheckout(sessionIdOf(url), "succeeds")).rejects.toThrow("no longer open");
  });

  it("cancel at period end, then the clock passes the period: canceled and access lost", async () => {
    const p = await payableProvider({ priceCents: 500 });
    const trader = await signedIn("subscriber");
    const { url } = await trader.caller.billing.checkout({ providerId: p.provider.id });
    await embedded.gateway.completeCheckout(sessionIdOf(url), "succeeds");
    const [sub] = await subscriptionOf(trader.user.id);

    await trader.caller.billing.manage({ subscriptionId: sub!.id, action: "cancel" });
    expect((await subscriptionOf(trader.user.id))[0]).toMatchObject({ status: "active", cancelAtPeriodEnd: true });
    expect(await p.caller.billing.revenue({ page: 1 })).toMatchObject({ endingAtPeriodEnd: 1 });

    const advanced = await embedded.gateway.advanceClock(31);
    expect(advanced.events).toBe(1);
    expect((await subscriptionOf(trader.user.id))[0]).toMatchObject({ status: "canceled", canceledAt: sub!.currentPeriodEnd });
    expect(await accessTo({ id: trader.user.id, role: "subscriber" }, p.provider.id)).toBe("public");
    // No renewal was charged.
    expect(await ledger(trader.user.id)).toHaveLength(1);
    // And the trader can subscribe again.
    await expect(trader.caller.billing.checkout({ providerId: p.provider.id })).resolves.toHaveProperty("url");
  });

  it("renewals: paid each month; a declined renewal is past due until the open invoice is paid", async () => {
    const p = await payableProvider({ priceCents: 300 });
    const trader = await signedIn("subscriber");
    const { url } = await trader.caller.billing.checkout({ providerId: p.provider.id });
    await embedded.gateway.completeCheckout(sessionIdOf(url), "succeeds");
    const [sub] = await subscriptionOf(trader.user.id);

    await embedded.gateway.advanceClock(31);
    expect((await subscriptionOf(trader.user.id))[0]).toMatchObject({ status: "active" });
    expect(await ledger(trader.user.id)).toHaveLength(2);

    await embedded.gateway.setNextPaymentFails(sub!.stripeCustomerId!, true);
    embedded.tap.clear();
    await embedded.gateway.advanceClock(31);
    expect(embedded.tap.events.map((e) => e.type)).toEqual(["invoice.payment_failed", "customer.subscription.updated"]);
    expect((await subscriptionOf(trader.user.id))[0]).toMatchObject({ status: "past_due" });
    expect((await subscriptionOf(trader.user.id))[0]!.pastDueSince).not.toBeNull();
    expect(await ledger(trader.user.id)).toHaveLength(2);
    expect(await p.caller.billing.revenue({ page: 1 })).toMatchObject({ pastDue: 1, mrrCents: 300 });

    const open = await embedded.gateway.openInvoices(sub!.stripeCustomerId!);
    expect(open).toHaveLength(1);
    await embedded.gateway.payOpenInvoice(open[0]!);
    expect((await subscriptionOf(trader.user.id))[0]).toMatchObject({ status: "active", pastDueSince: null });
    expect(await embedded.gateway.openInvoices(sub!.stripeCustomerId!)).toEqual([]);
    // $3.00 a month, three invoices: $0.90 / $2.10 each.
    expect(await ledger(trader.user.id)).toEqual(Array.from({ length: 3 }, () => ({ amount: 300, fee: 90, share: 210, status: "paid", refunded: 0 })));
  });

  it("a trial: trialing with nothing charged, then active with a paid invoice once the clock passes the trial", async () => {
    const p = await payableProvider({ priceCents: 500, trialDays: 7 });
    const trader = await signedIn("subscriber");
    const { url } = await trader.caller.billing.checkout({ providerId: p.provider.id });
    expect(await embedded.gateway.checkoutDetails(sessionIdOf(url))).toMatchObject({ trialDays: 7, amountCents: 500 });
    await embedded.gateway.completeCheckout(sessionIdOf(url), "succeeds");

    const [trialing] = await subscriptionOf(trader.user.id);
    expect(trialing).toMatchObject({ status: "trialing" });
    expect(trialing!.currentPeriodEnd!.getTime() - trialing!.currentPeriodStart!.getTime()).toBe(7 * 86_400_000);
    expect(await ledger(trader.user.id)).toEqual([]);
    expect(await accessTo({ id: trader.user.id, role: "subscriber" }, p.provider.id)).toBe("subscriber");
    expect(await p.caller.billing.revenue({ page: 1 })).toMatchObject({ trialing: 1, mrrCents: 0 });

    await embedded.gateway.advanceClock(8);
    expect((await subscriptionOf(trader.user.id))[0]).toMatchObject({ status: "active" });
    expect(await ledger(trader.user.id)).toEqual([{ amount: 500, fee: 150, share: 350, status: "paid", refunded: 0 }]);
    expect(await accessTo({ id: trader.user.id, role: "subscriber" }, p.provider.id)).toBe("subscriber");
  });

  it("refunds from the dashboard reach the ledger", async () => {
    const p = await payableProvider({ priceCents: 1500 });
    const trader = await signedIn("subscriber");
    const { url } = await trader.caller.billing.checkout({ providerId: p.provider.id });
    await embedded.gateway.completeCheckout(sessionIdOf(url), "succeeds");
    const [pay] = await db.select().from(payments);
    await embedded.gateway.refundCharge(pay!.stripeChargeId!, 500);
    expect(await ledger(trader.user.id)).toEqual([{ amount: 1500, fee: 450, share: 1050, status: "partially_refunded", refunded: 500 }]);
    await embedded.gateway.refundCharge(pay!.stripeChargeId!);
    expect(await ledger(trader.user.id)).toEqual([{ amount: 1500, fee: 450, share: 1050, status: "refunded", refunded: 1500 }]);
    await expect(embedded.gateway.refundCharge(pay!.stripeChargeId!)).rejects.toThrow("Nothing left to refund");
  });

  it("two sessions paid in two tabs: the second subscription is cancelled at the stand-in and stored as canceled", async () => {
    const p = await payableProvider({ priceCents: 500 });
    const trader = await signedIn("subscriber");
    const first = await trader.caller.billing.checkout({ providerId: p.provider.id });
    // A price change in between means the second click opens a second session.
    await p.caller.billing.setPrice({ priceCents: 600, trialDays: 0 });
    const second = await trader.caller.billing.checkout({ providerId: p.provider.id });
    expect(second.url).not.toBe(first.url);

    await embedded.gateway.completeCheckout(sessionIdOf(first.url), "succeeds");
    await embedded.gateway.completeCheckout(sessionIdOf(second.url), "succeeds");

    const rows = await subscriptionOf(trader.user.id);
    expect(rows.map((r) => r.status).sort()).toEqual(["active", "canceled"]);
    const duplicate = rows.find((r) => r.status === "canceled")!;
    const { subscriptions: atStripe } = await embedded.gateway.portalView(rows[0]!.stripeCustomerId!);
    expect(atStripe.find((s) => s.id === duplicate.stripeSubscriptionId)).toMatchObject({ status: "canceled" });
    expect(atStripe.filter((s) => s.status !== "canceled")).toHaveLength(1);
  });
});

const fixtures = stripeFixturesDir();
if (!fixtures) console.warn("Embedded stand-in shape fidelity skipped: no Stripe fixtures (shared/data/stripe; see shared/data/README.md)");

describe.skipIf(!fixtures)("the stand-in's events look like Stripe's (shared/data/stripe)", () => {
  it("every event, and the object in it, has exactly the top-level keys of Stripe's fixture", async () => {
    // Drive every kind of event the stand-in sends.
    const p = await payableProvider({ priceCents: 500 });
    const trader = await signedIn("subscriber");
    const { url } = await trader.caller.billing.checkout({ providerId: p.provider.id });
    await embedded.gateway.completeCheckout(sessionIdOf(url), "succeeds");
    const [sub] = await subscriptionOf(trader.user.id);
    await embedded.gateway.setNextPaymentFails(sub!.stripeCustomerId!, true);
    await embedded.gateway.advanceClock(31);
    await embedded.gateway.payOpenInvoice((await embedded.gateway.openInvoices(sub!.stripeCustomerId!))[0]!);
    await trader.caller.billing.manage({ subscriptionId: sub!.id, action: "cancel" });
    await embedded.gateway.advanceClock(31);

    const sent = new Map<string, Stripe.Event>();
    for (const e of embedded.tap.events) if (!sent.has(e.type)) sent.set(e.type, e.event);
    expect([...sent.keys()].sort()).toEqual(
      ["account.updated", "checkout.session.completed", "customer.subscription.created", "customer.subscription.deleted", "customer.subscription.updated", "invoice.paid", "invoice.payment_failed"].sort(),
    );

    const keys = (o: unknown) => Object.keys(o as object).sort();
    const envelope = fixtureObject("event_envelope_plan_created")!;
    // Which fixture object each event's object is compared with (the subscription fixture for every subscription event).
    const fixtureFor: Record<string, string> = {
      "account.updated": "account.updated",
      "checkout.session.completed": "checkout.session.completed",
      "customer.subscription.created": "customer.subscription.updated",
      "customer.subscription.updated": "customer.subscription.updated",
      "customer.subscription.deleted": "customer.subscription.deleted",
      "invoice.paid": "invoice.paid",
      "invoice.payment_failed": "invoice.payment_failed",
    };
    for (const [type, event] of sent) {
      expect(keys(event), `${type}: event envelope`).toEqual(keys(envelope));
      const fixture = composedEvents().get(fixtureFor[type]!)!.data.object;
      expect(keys(event.data.object), `${type}: data.object`).toEqual(keys(fixture));
      expect(event.api_version).toMatch(/^\d{4}-\d{2}-\d{2}\./);
    }
  });
});
