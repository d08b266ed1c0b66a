/**
 * Entitlement follows the billing state (issue 4, acceptance 4). A trader subscribes through Checkout (the embedded
 * stand-in) and sees the provider's open signal in full; pausing, cancelling (at period end, then the period ends),
 * a deletion, and being past due beyond the grace period each take the levels away, and resuming or paying gives
 * them back. Changes come the way they do in production: `billing.manage`, the stand-in's test clock, or signed
 * Stripe events. Visibility is read where traders read it: `signals.forProvider` and `signals.byId`.
 * The free tier: four signals copied on paper, the same signal counted once, then a refusal that says to subscribe.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { useTestDatabase } from "@/test/db";
import { useFakeMarket } from "@/test/fake-market";
import { callerFor, createUser, signedIn } from "@/test/factories";
import { actingAs, newProvider } from "@/test/signals";
import { deliverOk, payableProvider, stripeEvent, subscriptionObject, subscriptionOf, unix, useEmbeddedStripe } from "@/test/stripe";
import type { SessionUser } from "@/server/api/trpc";
import { LimitExceededError } from "@/server/errors";
import { waitForInlineRuns } from "@/server/jobs/inline/runner";
import { resetRateLimits } from "@/server/rate-limit";
import { publishSignal } from "@/server/services/signals";
import { serviceContext } from "@/server/services/context";
import { claimPaperCopy, freeCopyUsage } from "./index";

useTestDatabase();
const market = useFakeMarket();
const embedded = useEmbeddedStripe();
beforeEach(() => resetRateLimits());
afterEach(() => waitForInlineRuns());

const DAY_MS = 86_400_000;

/** A provider taking $5.00 a month with one open ETH signal whose levels are the secret. */
async function providerWithOpenSignal() {
  const p = await payableProvider({ priceCents: 500 });
  market.setPrice("ETH/USDT", "2222.22");
  const { signal } = await publishSignal(actingAs(p.user), p.provider.id, { symbol: "ETH/USDT", side: "short", stopLoss: "2333.33", note: "note-open-levels" }, "ui");
  return { ...p, signal };
}

/** What this viewer gets of the open signal, from the provider's page and by id (they must agree). */
async function view(user: SessionUser, p: { provider: { slug: string }; signal: { id: string } }): Promise<"full" | "hidden"> {
  const caller = await callerFor(user);
  const live = await caller.signals.forProvider({ slug: p.provider.slug, status: "live" });
  const item = live.items.find((i) => i.id === p.signal.id)!;
  const byId = await caller.signals.byId({ id: p.signal.id });
  expect(byId.visibility).toBe(item.visibility);
  expect(live.access).toBe(item.visibility === "full" ? "subscriber" : "public");
  if (item.visibility === "full") expect(item).toMatchObject({ stopLoss: "2333.33", note: "note-open-levels" });
  else expect(JSON.stringify([item, byId])).not.toMatch(/2333\.33|note-open-levels|2222\.22/);
  return item.visibility;
}

/** A trader who subscribed through Checkout and paid with the card that succeeds. */
async function subscriber(p: { provider: { id: string } }) {
  const s = await signedIn("subscriber");
  const { url } = await s.caller.billing.checkout({ providerId: p.provider.id });
  expect(await embedded.gateway.completeCheckout(url.split("/").at(-1)!, "succeeds")).toMatchObject({ ok: true });
  const [row] = await subscriptionOf(s.user.id);
  expect(row).toMatchObject({ status: "active" });
  return { ...s, row: row! };
}

describe("open-signal access by subscription state", () => {
  it("a paused subscriber loses the levels and gets them back on resuming", async () => {
    const p = await providerWithOpenSignal();
    const s = await subscriber(p);
    expect(await view(s.user, p)).toBe("full");

    await s.caller.billing.manage({ subscriptionId: s.row.id, action: "pause" });
    expect((await subscriptionOf(s.user.id))[0]).toMatchObject({ status: "paused" });
    expect(await view(s.user, p)).toBe("hidden");

    await s.caller.billing.manage({ subscriptionId: s.row.id, action: "resume" });
    expect((await subscriptionOf(s.user.id))[0]).toMatchObject({ status: "active" });
    expect(await view(s.user, p)).toBe("full");
  });

  it("a subscriber who cancels keeps access to the end of the paid period, then loses it", async () => {
    const p = await providerWithOpenSignal();
    const s = await subscriber(p);
    await s.caller.billing.manage({ subscriptionId: s.row.id, action: "cancel" });
    expect((await subscriptionOf(s.user.id))[0]).toMatchObject({ status: "active", cancelAtPeriodEnd: true });
    expect(await view(s.user, p)).toBe("full");

    await embedded.gateway.advanceClock(31);
    expect((await subscriptionOf(s.user.id))[0]).toMatchObject({ status: "canceled" });
    expect(await view(s.user, p)).toBe("hidden");
    await expect(s.caller.billing.manage({ subscriptionId: s.row.id, action: "resume" })).rejects.toMatchObject({ code: "CONFLICT" });
  });

  it("undoing a cancellation before the period ends keeps access through the renewal", async () => {
    const p = await providerWithOpenSignal();
    const s = await subscriber(p);
    await s.caller.billing.manage({ subscriptionId: s.row.id, action: "cancel" });
    await s.caller.billing.manage({ subscriptionId: s.row.id, action: "resume" });
    await embedded.gateway.advanceClock(31);
    expect((await subscriptionOf(s.user.id))[0]).toMatchObject({ status: "active", cancelAtPeriodEnd: false });
    expect(await view(s.user, p)).toBe("full");
  });

  it("a subscription deleted at Stripe (cancelled now) ends access at once", async () => {
    const p = await providerWithOpenSignal();
    const s = await subscriber(p);
    await embedded.gateway.cancelSubscription(s.row.stripeSubscriptionId!);
    expect((await subscriptionOf(s.user.id))[0]).toMatchObject({ status: "canceled" });
    expect(await view(s.user, p)).toBe("hidden");
  });

  it("a renewal that fails keeps access during the grace period; paying the invoice keeps it for good", async () => {
    const p = await providerWithOpenSignal();
    const s = await subscriber(p);
    await embedded.gateway.setNextPaymentFails(s.row.stripeCustomerId!, true);
    await embedded.gateway.advanceClock(31);
    expect((await subscriptionOf(s.user.id))[0]).toMatchObject({ status: "past_due" });
    expect(await view(s.user, p)).toBe("full");

    const [open] = await embedded.gateway.openInvoices(s.row.stripeCustomerId!);
    await embedded.gateway.payOpenInvoice(open!);
    expect((await subscriptionOf(s.user.id))[0]).toMatchObject({ status: "active", pastDueSince: null });
    expect(await view(s.user, p)).toBe("full");
  });

  it("past due: access within the grace period, none after it, back once Stripe says it is active again", async () => {
    const p = await providerWithOpenSignal();
    const now = Date.now();
    /** A subscription Stripe has known for ten days that went past due `daysAgo` days ago (signed events). */
    const pastDueFor = async (daysAgo: number, status: "past_due" | "unpaid" = "past_due") => {
      const user = await createUser("subscriber");
      const spec = {
        id: `sub_grace_${daysAgo}_${status}`,
        customer: `cus_grace_${daysAgo}_${status}`,
        status: "active" as const,
        subscriberId: user.id,
        providerId: p.provider.id,
        priceId: p.provider.stripePriceId!,
        unitAmount: 500,
        periodStart: unix(now - 10 * DAY_MS),
        periodEnd: unix(now + 20 * DAY_MS),
      };
      await deliverOk(stripeEvent("customer.subscription.created", subscriptionObject(spec), { created: unix(now - 10 * DAY_MS) }));
      await deliverOk(stripeEvent("customer.subscription.updated", subscriptionObject({ ...spec, status }), { created: unix(now - daysAgo * DAY_MS) }));
      return { user, spec };
    };
    const sixDays = await pastDueFor(6);
    const eightDays = await pastDueFor(8);
    const unpaid = await pastDueFor(9, "unpaid");
    const justNow = await pastDueFor(0);

    expect((await subscriptionOf(sixDays.user.id))[0]).toMatchObject({ status: "past_due", pastDueSince: new Date(unix(now - 6 * DAY_MS) * 1000) });
    expect(await view(sixDays.user, p)).toBe("full");
    expect(await view(justNow.user, p)).toBe("full");
    expect(await view(eightDays.user, p)).toBe("hidden");
    expect((await subscriptionOf(unpaid.user.id))[0]).toMatchObject({ status: "past_due" });
    expect(await view(unpaid.user, p)).toBe("hidden");
    expect(await (await callerFor(eightDays.user)).subscriptions.mine()).toEqual([expect.objectContaining({ status: "past_due", entitled: false })]);
    expect(await (await callerFor(sixDays.user)).subscriptions.mine()).toEqual([expect.objectContaining({ status: "past_due", entitled: true })]);

    // The card is fixed: Stripe reports the subscription active again.
    await deliverOk(stripeEvent("customer.subscription.updated", subscriptionObject({ ...eightDays.spec, status: "active" }), { created: unix(now) }));
    expect((await subscriptionOf(eightDays.user.id))[0]).toMatchObject({ status: "active", pastDueSince: null });
    expect(await view(eightDays.user, p)).toBe("full");
  });

  it("a subscription set to cancel grants nothing once its period has ended, even before Stripe's deletion arrives", async () => {
    const p = await providerWithOpenSignal();
    const user = await createUser("subscriber");
    const now = Date.now();
    const spec = { id: "sub_ending", customer: "cus_ending", status: "active" as const, subscriberId: user.id, providerId: p.provider.id, priceId: p.provider.stripePriceId!, unitAmount: 500, cancelAtPeriodEnd: true };
    await deliverOk(stripeEvent("customer.subscription.updated", subscriptionObject({ ...spec, periodStart: unix(now - 30 * DAY_MS), periodEnd: unix(now + 60_000) }), { created: unix(now - DAY_MS) }));
    expect(await view(user, p)).toBe("full");
    await deliverOk(stripeEvent("customer.subscription.updated", subscriptionObject({ ...spec, periodStart: unix(now - 30 * DAY_MS), periodEnd: unix(now - 1000) }), { created: unix(now) }));
    expect((await subscriptionOf(user.id))[0]).toMatchObject({ status: "active", cancelAtPeriodEnd: true });
    expect(await view(user, p)).toBe("hidden");
  });

  it("a checkout that is not paid (incomplete) or declined grants nothing", async () => {
    const p = await providerWithOpenSignal();
    const declined = await signedIn("subscriber");
    const { url } = await declined.caller.billing.checkout({ providerId: p.provider.id });
    expect(await embedded.gateway.completeCheckout(url.split("/").at(-1)!, "declines")).toMatchObject({ ok: false });
    expect(await subscriptionOf(declined.user.id)).toEqual([]);
    expect(await view(declined.user, p)).toBe("hidden");

    const incomplete = await createUser("subscriber");
    const now = unix(Date.now());
    await deliverOk(
      stripeEvent("customer.subscription.created", subscriptionObject({ id: "sub_incomplete", customer: "cus_incomplete", status: "incomplete", subscriberId: incomplete.id, providerId: p.provider.id, priceId: p.provider.stripePriceId!, unitAmount: 500, periodStart: now, periodEnd: now + 30 * 86_400 })),
    );
    expect((await subscriptionOf(incomplete.id))[0]).toMatchObject({ status: "incomplete" });
    expect(await view(incomplete, p)).toBe("hidden");
  });
});

describe("the free paper-copy tier", () => {
  /** Signals of a provider (two per symbol), open, for copying. */
  async function signalsOf(p: { provider: { id: string }; user: { id: string } }, n: number) {
    const out = [];
    const symbols = ["BTC/USDT", "ETH/USDT", "EUR/USD"];
    const stops: Record<string, string> = { "BTC/USDT": "31000", "ETH/USDT": "1900", "EUR/USD": "1.07" };
    for (let i = 0; i < n; i++) {
      const symbol = symbols[i % symbols.length]!;
      out.push((await publishSignal(actingAs({ id: p.user.id, role: "provider" }), p.provider.id, { symbol, side: "long", stopLoss: stops[symbol]! }, "ui")).signal);
    }
    return out;
  }

  it("allows four signals (a repeat counts once), then refuses with a reason that says to subscribe", async () => {
    const p = await newProvider();
    const sigs = await signalsOf(p, 6);
    const { user, caller } = await signedIn("subscriber");
    const viewer = { id: user.id, role: "subscriber" as const };

    expect(await claimPaperCopy(serviceContext({ actor: viewer }), sigs[0]!.id)).toEqual({ via: "free", used: 1, limit: 4 });
    expect(await claimPaperCopy(serviceContext({ actor: viewer }), sigs[1]!.id)).toEqual({ via: "free", used: 2, limit: 4 });
    // The copy engine retries: the same signal again is not a new copy.
    expect(await claimPaperCopy(serviceContext({ actor: viewer }), sigs[0]!.id)).toEqual({ via: "free", used: 2, limit: 4 });
    expect(await claimPaperCopy(serviceContext({ actor: viewer }), sigs[2]!.id)).toEqual({ via: "free", used: 3, limit: 4 });
    expect(await claimPaperCopy(serviceContext({ actor: viewer }), sigs[3]!.id)).toEqual({ via: "free", used: 4, limit: 4 });
    expect(await caller.billing.freeTier()).toEqual({ used: 4, limit: 4 });

    const fifth = claimPaperCopy(serviceContext({ actor: viewer }), sigs[4]!.id);
    await expect(fifth).rejects.toBeInstanceOf(LimitExceededError);
    await expect(fifth).rejects.toThrow(`Free accounts can copy 4 signals on paper and you have used all 4. Subscribe to ${p.provider.displayName} to keep copying their signals.`);
    await expect(claimPaperCopy(serviceContext({ actor: viewer }), sigs[5]!.id)).rejects.toThrow(/Subscribe to/);
    // Signals already copied stay copyable (a retry after the limit is not refused).
    expect(await claimPaperCopy(serviceContext({ actor: viewer }), sigs[3]!.id)).toEqual({ via: "free", used: 4, limit: 4 });
    expect(await freeCopyUsage(user.id)).toEqual({ used: 4, limit: 4 });
  });

  it("does not count an entitled subscriber's copies of that provider, nor the provider's own", async () => {
    const p = await payableProvider({ priceCents: 500 });
    const other = await newProvider();
    const mine = await signalsOf(p, 6);
    const theirs = await signalsOf(other, 2);
    const s = await subscriber(p);
    const viewer = { id: s.user.id, role: "subscriber" as const };

    for (const sig of mine) expect(await claimPaperCopy(serviceContext({ actor: viewer }), sig.id)).toEqual({ via: "subscription", used: 0, limit: 4 });
    expect(await claimPaperCopy(serviceContext({ actor: viewer }), theirs[0]!.id)).toEqual({ via: "free", used: 1, limit: 4 });
    expect(await claimPaperCopy(serviceContext({ actor: { id: p.user.id, role: "provider" } }), mine[0]!.id)).toEqual({ via: "owner", used: 0, limit: 4 });

    // Once the subscription has ended, that provider's signals use the free tier like anyone's.
    await embedded.gateway.cancelSubscription(s.row.stripeSubscriptionId!);
    expect(await claimPaperCopy(serviceContext({ actor: viewer }), mine[0]!.id)).toEqual({ via: "free", used: 2, limit: 4 });
  });

  it("concurrent claims cannot take more than the four free slots", async () => {
    const p = await newProvider();
    const sigs = await signalsOf(p, 8);
    const user = await createUser("subscriber");
    const results = await Promise.allSettled(sigs.map((s) => claimPaperCopy(serviceContext({ actor: { id: user.id, role: "subscriber" } }), s.id)));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(4);
    expect(results.filter((r) => r.status === "rejected").every((r) => (r as PromiseRejectedResult).reason instanceof LimitExceededError)).toBe(true);
    expect(await freeCopyUsage(user.id)).toEqual({ used: 4, limit: 4 });
  });

  it("refuses an unknown signal as not found", async () => {
    const user = await createUser("subscriber");
    await expect(claimPaperCopy(serviceContext({ actor: { id: user.id, role: "subscriber" } }), "sig_missing")).rejects.toThrow("No such signal");
  });
});
