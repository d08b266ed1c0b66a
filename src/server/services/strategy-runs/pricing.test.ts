/**
 * Paid subscriptions to a strategy running live (issue 19: "then it may be listed"): after its incubation an
 * automated provider takes subscribers at the price its owner sets, and the payments go to the owner's one payout
 * account (their personal provider's Connect account; the automated row holds none). Only the owner prices it; a
 * stopped strategy takes no one, its subscribers stop paying at the end of their period, and it leaves the lists.
 * On the embedded Stripe stand-in, whose checkout refuses a destination that cannot take charges.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { and, eq } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { useFakeMarket, candle } from "@/test/fake-market";
import { signedIn, trpcCode } from "@/test/factories";
import { actingAs } from "@/test/signals";
import { billingState, payableProvider, useEmbeddedStripe } from "@/test/stripe";
import { waitForInlineRuns } from "@/server/jobs/inline/runner";
import { resetRateLimits } from "@/server/rate-limit";
import { auditLog, checkoutSessions, emailOutbox, providers, subscriptions, users } from "@/server/db/schema";
import { startCheckout, STRATEGY_STOPPED, syncSubscription } from "@/server/services/billing";
import { deleteAccount } from "@/server/services/privacy/delete";
import type { Candle } from "@/server/integrations/market-data";
import { startRun, tickStrategyRuns } from ".";

const t = useTestDatabase();
const market = useFakeMarket();
const embedded = useEmbeddedStripe();
beforeEach(() => resetRateLimits());
afterEach(() => waitForInlineRuns());

const H = 3_600_000;
const T0 = Date.UTC(2026, 0, 5, 0);
const fixture = (): Candle[] => Array.from({ length: 300 }, (_, i) => candle(T0 - (300 - i) * H, "100", "100.5", "99.5", "100"));

/** An owner who takes payments for their own profile, running a strategy started at T0 (so long past incubation now). */
async function ownerWithRun() {
  const owner = await payableProvider({ priceCents: 500 });
  market.setCandles("BTC/USDT", "1h", fixture());
  market.now = () => new Date(T0);
  const run = await startRun(actingAs(owner.user, { now: new Date(T0) }), {
    source: { kind: "curated", curatedId: "ema-cross", params: { fast: 2, slow: 5 } },
    symbol: "BTC/USDT",
    timeframe: "1h",
    confirm: true,
    maxTradesPerDay: 10,
    maxDailyLoss: "0.5",
  });
  return { owner, run };
}

async function checkoutAndPay(s: Awaited<ReturnType<typeof signedIn>>, providerId: string) {
  await s.caller.billing.checkout({ providerId });
  const [session] = await t.db.select().from(checkoutSessions).where(and(eq(checkoutSessions.subscriberId, s.user.id), eq(checkoutSessions.providerId, providerId)));
  await embedded.gateway.completeCheckout(session!.id, "succeeds");
  return session!;
}

describe("paid subscriptions to a running strategy", () => {
  it("open after incubation once the owner saves a price, and pay into the owner's one payout account", async () => {
    const { owner, run } = await ownerWithRun();
    const trader = await signedIn("subscriber");

    // Payouts are set up (the personal profile's), but this strategy has no price yet.
    expect(await trader.caller.billing.subscribeState({ providerId: run.providerId })).toMatchObject({ acceptingSubscribers: false, automated: true, closed: false });
    const [before] = await owner.caller.strategyRuns.list();
    expect(before!.pricing).toEqual({ priceCents: 300, trialDays: 0, priceReady: false, payoutsReady: true, subscribers: 0 });
    await expect(trader.caller.billing.checkout({ providerId: run.providerId })).rejects.toThrow("no monthly price is set");

    await owner.caller.strategyRuns.setPrice({ id: run.id, priceCents: 700, trialDays: 3 });
    const audits = await t.db.select().from(auditLog).where(and(eq(auditLog.action, "billing.price_set"), eq(auditLog.targetId, run.providerId)));
    expect(audits).toHaveLength(1);
    expect(audits[0]!.actorId).toBe(owner.user.id);
    expect(await trader.caller.billing.subscribeState({ providerId: run.providerId })).toMatchObject({ acceptingSubscribers: true, priceCents: 700, trialDays: 3 });

    const create = vi.spyOn(embedded.gateway, "createCheckoutSession");
    await checkoutAndPay(trader, run.providerId);
    expect(create).toHaveBeenCalledTimes(1);
    expect(create.mock.calls[0]![0]).toMatchObject({ destinationAccountId: owner.accountId, trialDays: 3, metadata: { subscriberId: trader.user.id, providerId: run.providerId } });
    create.mockRestore();

    const [sub] = await t.db.select().from(subscriptions).where(eq(subscriptions.providerId, run.providerId));
    expect(sub).toMatchObject({ subscriberId: trader.user.id, status: "trialing" });
    // The automated row holds no Connect account of its own: the owner's is the only one, on their personal profile.
    const automated = await t.db.query.providers.findFirst({ where: eq(providers.id, run.providerId) });
    expect(automated).toMatchObject({ stripeAccountId: null, priceCents: 700, trialDays: 3 });
    expect(automated!.stripePriceId).toBeTruthy();
    expect((await owner.caller.strategyRuns.list())[0]!.pricing).toMatchObject({ priceReady: true, payoutsReady: true, subscribers: 1, priceCents: 700 });
    // The owner is told which of their strategies has the new subscriber.
    const [told] = await t.db.select().from(emailOutbox).where(and(eq(emailOutbox.userId, owner.user.id), eq(emailOutbox.kind, "billing_new_subscriber")));
    expect(told!.subject).toBe(`You have a new subscriber to ${automated!.displayName}`);
    expect(told!.text).toContain("a strategy you run live");
  });

  it("take no subscriber while incubating, nor while the owner's payout account cannot take charges", async () => {
    const { owner, run } = await ownerWithRun();
    await owner.caller.strategyRuns.setPrice({ id: run.id, priceCents: 700, trialDays: 0 });
    const trader = await signedIn("subscriber");
    await expect(startCheckout(actingAs(trader.user, { now: new Date(T0 + 86_400_000) }), run.providerId)).rejects.toThrow(/incubat/i);

    // Charges switched off on the owner's account (Stripe's account.updated writes the personal row only).
    await t.db.update(providers).set({ chargesEnabled: false }).where(eq(providers.id, owner.provider.id));
    await expect(trader.caller.billing.checkout({ providerId: run.providerId })).rejects.toThrow("payout account isn't set up");
    expect((await owner.caller.strategyRuns.list())[0]!.pricing.payoutsReady).toBe(false);
  });

  it("only the owner prices a run: another provider, an admin and a trader get NOT_FOUND, a bad price a field error, and nothing is written", async () => {
    const { owner, run } = await ownerWithRun();
    const others = await Promise.all((["provider", "admin", "subscriber"] as const).map((role) => signedIn(role)));
    const before = await billingState();
    for (const other of others) {
      const role = other.user.role;
      expect(await trpcCode(other.caller.strategyRuns.setPrice({ id: run.id, priceCents: 900, trialDays: 0 })), role).toBe("NOT_FOUND");
    }
    expect(await trpcCode(owner.caller.strategyRuns.setPrice({ id: run.id, priceCents: 50, trialDays: 0 }))).toBe("BAD_REQUEST");
    await expect(owner.caller.strategyRuns.setPrice({ id: run.id, priceCents: 500, trialDays: 400 })).rejects.toThrow(/Trials are at most/);
    const after = await billingState();
    expect(after).toEqual(before);
  });

  it("a stopped strategy: its subscribers stop paying at the period's end, it takes no one new and leaves the marketplace", async () => {
    const { owner, run } = await ownerWithRun();
    await owner.caller.strategyRuns.setPrice({ id: run.id, priceCents: 700, trialDays: 0 });
    const trader = await signedIn("subscriber");
    await checkoutAndPay(trader, run.providerId);
    const listed = async () => (await trader.caller.providers.list({ page: 1, pageSize: 50 })).items.some((p) => p.id === run.providerId);
    expect(await listed()).toBe(true);
    // A second trader opens checkout before the stop and pays after it.
    const late = await signedIn("subscriber");
    await late.caller.billing.checkout({ providerId: run.providerId });

    await owner.caller.strategyRuns.stop({ id: run.id });
    const [sub] = await t.db.select().from(subscriptions).where(and(eq(subscriptions.providerId, run.providerId), eq(subscriptions.subscriberId, trader.user.id)));
    expect(sub).toMatchObject({ status: "active", cancelAtPeriodEnd: true });
    expect(await t.db.select().from(auditLog).where(eq(auditLog.action, "strategy_run.subscription_ended"))).toHaveLength(1);
    // The trader did not cancel: the email says the strategy stopped, not "if you did not mean to cancel".
    const [mail] = await t.db.select().from(emailOutbox).where(and(eq(emailOutbox.userId, trader.user.id), eq(emailOutbox.kind, "billing_subscription_cancelled")));
    expect(mail!.subject).toMatch(/stopped running: your subscription ends$/);
    expect(mail!.text).toContain("has stopped running, so it publishes no more signals");
    expect(mail!.text).not.toContain("did not mean to cancel");

    const other = await signedIn("subscriber");
    await expect(other.caller.billing.checkout({ providerId: run.providerId })).rejects.toThrow(STRATEGY_STOPPED);
    expect(await other.caller.billing.subscribeState({ providerId: run.providerId })).toMatchObject({ acceptingSubscribers: false, closed: true, closedReason: STRATEGY_STOPPED });
    expect(await trpcCode(owner.caller.strategyRuns.setPrice({ id: run.id, priceCents: 800, trialDays: 0 }))).toBe("CONFLICT");
    expect(await listed()).toBe(false);

    // The trader cannot resume it (nor pause it): it runs out its paid period; their list says so.
    expect(await trpcCode(trader.caller.billing.manage({ subscriptionId: sub!.id, action: "resume" }))).toBe("CONFLICT");
    await expect(trader.caller.billing.manage({ subscriptionId: sub!.id, action: "pause" })).rejects.toThrow(/ends at the close of the period you paid for/);
    expect((await trader.caller.subscriptions.mine()).find((x) => x.id === sub!.id)).toMatchObject({ strategyStopped: true, cancelAtPeriodEnd: true });

    // The checkout opened before the stop completes now: stored ended and cancelled at Stripe at once.
    const [lateSession] = await t.db.select().from(checkoutSessions).where(eq(checkoutSessions.subscriberId, late.user.id));
    await embedded.gateway.completeCheckout(lateSession!.id, "succeeds");
    const lateSubs = await t.db.select().from(subscriptions).where(eq(subscriptions.subscriberId, late.user.id));
    expect(lateSubs.map((s) => s.status)).toEqual(["canceled"]);
    expect(await t.db.select().from(auditLog).where(eq(auditLog.action, "billing.subscription_to_stopped_strategy"))).toHaveLength(1);
  });

  it("deleting the owner's account cancels the subscriptions to their strategies too", async () => {
    const { owner, run } = await ownerWithRun();
    await owner.caller.strategyRuns.setPrice({ id: run.id, priceCents: 700, trialDays: 0 });
    const trader = await signedIn("subscriber");
    await checkoutAndPay(trader, run.providerId);
    const [u] = await t.db.select().from(users).where(eq(users.id, owner.user.id));
    await deleteAccount(actingAs(owner.user), { confirmEmail: u!.email, password: "correct horse battery" });
    const [sub] = await t.db.select().from(subscriptions).where(eq(subscriptions.providerId, run.providerId));
    expect(sub!.status).toBe("canceled");
  });

  it("the every-minute job ends what the stop could not: a subscription resumed at Stripe after the stop runs out its period", async () => {
    const { owner, run } = await ownerWithRun();
    await owner.caller.strategyRuns.setPrice({ id: run.id, priceCents: 700, trialDays: 0 });
    const trader = await signedIn("subscriber");
    await checkoutAndPay(trader, run.providerId);
    // The owner's Revenue page counts the strategy's income with their own, split by source.
    const revenue = await owner.caller.billing.revenue({ page: 1 });
    expect(revenue.lifetime).toMatchObject({ grossCents: 700, platformFeeCents: 210, providerShareCents: 490 });
    expect(revenue.mrrCents).toBe(700);
    expect(revenue.bySource).toEqual([
      { providerId: owner.provider.id, displayName: owner.provider.displayName, automated: false, mrrCents: 0, liveSubscribers: 0, lifetimeShareCents: 0 },
      { providerId: run.providerId, displayName: expect.stringContaining("BTC/USDT 1h"), automated: true, mrrCents: 700, liveSubscribers: 1, lifetimeShareCents: 490 },
    ]);
    expect(revenue.invoices.items.map((i) => i.source)).toEqual([{ displayName: expect.stringContaining("BTC/USDT 1h"), automated: true }]);
    await owner.caller.strategyRuns.stop({ id: run.id });
    const [sub] = await t.db.select().from(subscriptions).where(eq(subscriptions.providerId, run.providerId));
    // Resumed in the billing portal (Stripe's side; its webhook brings the row back to renewing).
    await syncSubscription(embedded.gateway, await embedded.gateway.updateSubscription(sub!.stripeSubscriptionId!, { cancelAtPeriodEnd: false }));
    expect((await t.db.select().from(subscriptions).where(eq(subscriptions.id, sub!.id)))[0]!.cancelAtPeriodEnd).toBe(false);
    const summary = await tickStrategyRuns(new Date());
    expect(summary.subscriptionsEnded).toBe(1);
    expect((await t.db.select().from(subscriptions).where(eq(subscriptions.id, sub!.id)))[0]).toMatchObject({ status: "active", cancelAtPeriodEnd: true });
    expect((await tickStrategyRuns(new Date())).subscriptionsEnded).toBe(0);
  });
});
