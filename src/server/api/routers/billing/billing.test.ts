/**
 * Who may do what with billing (issue 4, acceptance 6). Only a provider sees its own revenue and payouts and sets
 * its own price; only admins see the platform's revenue; a trader subscribes only as themselves (checkout takes no
 * subscriber id), manages only their own subscriptions, cannot subscribe to themselves or twice; bad input is a
 * BAD_REQUEST with a sentence a person can act on. Every refusal writes nothing and asks nothing of Stripe
 * (the fake Stripe server records every request).
 */
import { beforeEach, describe, expect, it } from "vitest";
import { TRPCError } from "@trpc/server";
import { ZodError } from "zod";
import { eq } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { callerFor, createUser, signedIn, trpcCode } from "@/test/factories";
import { actingAs, newProvider } from "@/test/signals";
import { useFakeMarket } from "@/test/fake-market";
import { billingState, deliverOk, invoiceObject, payableProvider, stripeEvent, subscriptionObject, subscriptionOf, unix, useFakeStripe } from "@/test/stripe";
import { db } from "@/server/db";
import { checkoutSessions, strategyRuns } from "@/server/db/schema";
import { startRun } from "@/server/services/strategy-runs";
import { resetRateLimits } from "@/server/rate-limit";

useTestDatabase();
const fake = useFakeStripe();
beforeEach(() => resetRateLimits());

type Caller = Awaited<ReturnType<typeof callerFor>>;
const DAY = 86_400;

/** The code a call fails with and the messages a person would read (zod's per field, else the error's). */
async function failure(p: Promise<unknown>): Promise<{ code: string; messages: string[] }> {
  try {
    await p;
    return { code: "OK", messages: [] };
  } catch (err) {
    if (!(err instanceof TRPCError)) throw err;
    return { code: err.code, messages: err.cause instanceof ZodError ? err.cause.issues.map((i) => i.message) : [err.message] };
  }
}

/** A provider with one paying subscriber (its subscription and a $5.00 invoice told by signed events). */
async function providerWithRevenue() {
  const p = await payableProvider({ priceCents: 500 });
  const sub = await signedIn("subscriber");
  const start = unix(Date.now()) - DAY;
  const obj = subscriptionObject({ id: `sub_rev_${p.provider.id.slice(-6)}`, customer: "cus_rev", status: "active", subscriberId: sub.user.id, providerId: p.provider.id, priceId: p.provider.stripePriceId!, unitAmount: 500, periodStart: start, periodEnd: start + 30 * DAY });
  fake.track(obj);
  await deliverOk(stripeEvent("customer.subscription.created", obj, { created: start }));
  const invoiceId = `in_rev_${p.provider.id.slice(-6)}`;
  fake.invoices.set(invoiceId, { amountPaid: 500, charge: { id: `ch_rev_${p.provider.id.slice(-6)}`, amount: 500, applicationFeeAmount: 150 } });
  await deliverOk(stripeEvent("invoice.paid", invoiceObject({ id: invoiceId, subscriptionId: obj.id, customer: "cus_rev", amount: 500, paid: true, periodStart: start, periodEnd: start + 30 * DAY }), { created: start + 1 }));
  const [row] = await subscriptionOf(sub.user.id);
  return { ...p, subscriber: { ...sub, row: row! } };
}

const providerOnly: Record<string, (c: Caller) => Promise<unknown>> = {
  "billing.revenue": (c) => c.billing.revenue({ page: 1 }),
  "billing.payouts": (c) => c.billing.payouts(),
  "billing.setPrice": (c) => c.billing.setPrice({ priceCents: 500, trialDays: 0 }),
  "billing.startOnboarding": (c) => c.billing.startOnboarding(),
  "billing.refreshAccount": (c) => c.billing.refreshAccount(),
};

describe("provider revenue and payouts", () => {
  it("are the provider's own: subscribers and admins are FORBIDDEN, anonymous callers UNAUTHORIZED, and nothing reaches Stripe", async () => {
    await providerWithRevenue();
    const anon = await callerFor(null);
    const { caller: subscriber } = await signedIn("subscriber");
    const admin = await callerFor(await createUser("admin"));
    const before = await billingState();
    const requests = fake.requests.length;
    for (const [name, call] of Object.entries(providerOnly)) {
      expect(await trpcCode(call(anon)), `anonymous ${name}`).toBe("UNAUTHORIZED");
      expect(await trpcCode(call(subscriber)), `subscriber ${name}`).toBe("FORBIDDEN");
      expect(await trpcCode(call(admin)), `admin ${name}`).toBe("FORBIDDEN");
    }
    expect(await billingState()).toEqual(before);
    expect(fake.requests.length).toBe(requests);
  });

  it("another provider sees only its own figures", async () => {
    const a = await providerWithRevenue();
    expect(await a.caller.billing.revenue({ page: 1 })).toMatchObject({ mrrCents: 500, activeSubscribers: 1, lifetime: { grossCents: 500, platformFeeCents: 150, providerShareCents: 350 }, invoices: { total: 1 } });
    const b = await newProvider();
    const theirs = await b.caller.billing.revenue({ page: 1 });
    expect(theirs).toMatchObject({ mrrCents: 0, activeSubscribers: 0, lifetime: { grossCents: 0, platformFeeCents: 0, providerShareCents: 0, refundedCents: 0 }, invoices: { total: 0, items: [] } });
    expect(await b.caller.billing.payouts()).toMatchObject({ connected: false, chargesEnabled: false, priceReady: false });
    // setPrice and onboarding act on the caller's provider row only.
    await b.caller.billing.setPrice({ priceCents: 1200, trialDays: 3 });
    expect(await a.caller.billing.payouts()).toMatchObject({ priceCents: 500, trialDays: 0 });
    expect(await b.caller.billing.payouts()).toMatchObject({ priceCents: 1200, trialDays: 3 });
  });
});

describe("platform revenue", () => {
  it("is for admins only", async () => {
    await providerWithRevenue();
    const anon = await callerFor(null);
    const { caller: subscriber } = await signedIn("subscriber");
    const { caller: provider } = await signedIn("provider");
    expect(await trpcCode(anon.billing.platformRevenue({}))).toBe("UNAUTHORIZED");
    expect(await trpcCode(subscriber.billing.platformRevenue({}))).toBe("FORBIDDEN");
    expect(await trpcCode(provider.billing.platformRevenue({}))).toBe("FORBIDDEN");
    const admin = await callerFor(await createUser("admin"));
    expect((await admin.billing.platformRevenue({})).totals).toEqual({ grossCents: 500, platformFeeCents: 150, providerShareCents: 350, refundedCents: 0, invoices: 1 });
  });
});

describe("subscribing and managing", () => {
  it("checkout takes no subscriber id: the session is the caller's whatever the input says", async () => {
    const p = await payableProvider();
    const victim = await signedIn("subscriber");
    const attacker = await signedIn("subscriber");
    fake.requests.length = 0;
    // An extra field is dropped by the input schema; the subscriber comes from the session.
    await attacker.caller.billing.checkout({ providerId: p.provider.id, subscriberId: victim.user.id } as { providerId: string });
    const session = fake.calls("POST", "/v1/checkout/sessions")[0]!;
    expect(session.form).toMatchObject({ "metadata[subscriberId]": attacker.user.id, "subscription_data[metadata][subscriberId]": attacker.user.id, client_reference_id: attacker.user.id });
    expect(JSON.stringify(fake.requests)).not.toContain(victim.user.id);
    expect(await db.select({ subscriberId: checkoutSessions.subscriberId }).from(checkoutSessions)).toEqual([{ subscriberId: attacker.user.id }]);
    expect(await victim.caller.billing.checkoutResult({ sessionId: (await db.select().from(checkoutSessions))[0]!.id })).toBeNull();
    expect(await trpcCode((await callerFor(null)).billing.checkout({ providerId: p.provider.id }))).toBe("UNAUTHORIZED");
  });

  it("manage on someone else's subscription is NOT_FOUND and changes nothing, here or at Stripe", async () => {
    const p = await providerWithRevenue();
    const { caller: other } = await signedIn("subscriber");
    const before = await billingState();
    fake.requests.length = 0;
    for (const action of ["cancel", "pause", "resume"] as const) {
      expect(await failure(other.billing.manage({ subscriptionId: p.subscriber.row.id, action }))).toEqual({ code: "NOT_FOUND", messages: ["No such subscription"] });
      // Not even the provider whose subscriber it is.
      expect(await trpcCode(p.caller.billing.manage({ subscriptionId: p.subscriber.row.id, action }))).toBe("NOT_FOUND");
    }
    expect(await trpcCode(other.billing.manage({ subscriptionId: "sub_does_not_exist", action: "cancel" }))).toBe("NOT_FOUND");
    expect(fake.requests).toEqual([]);
    expect(await billingState()).toEqual(before);
    // The owner can.
    expect(await p.subscriber.caller.billing.manage({ subscriptionId: p.subscriber.row.id, action: "cancel" })).toMatchObject({ cancelAtPeriodEnd: true });
  });

  it("a provider cannot subscribe to itself, nor an admin to anyone", async () => {
    const p = await payableProvider();
    const admin = await callerFor(await createUser("admin"));
    const before = await billingState();
    fake.requests.length = 0;
    expect(await failure(p.caller.billing.checkout({ providerId: p.provider.id }))).toEqual({ code: "FORBIDDEN", messages: ["You can't subscribe to your own signals"] });
    expect(await failure(admin.billing.checkout({ providerId: p.provider.id }))).toEqual({ code: "FORBIDDEN", messages: ["Admin accounts can't subscribe; use a trader account"] });
    expect(fake.requests).toEqual([]);
    expect(await billingState()).toEqual(before);
    expect(await p.caller.billing.subscribeState({ providerId: p.provider.id })).toMatchObject({ own: true, subscription: null, strategy: null });
    // Another provider may subscribe like any trader.
    const q = await newProvider();
    await expect(q.caller.billing.checkout({ providerId: p.provider.id })).resolves.toHaveProperty("url");
  });

  it("a second checkout while a live subscription exists is a CONFLICT", async () => {
    const p = await providerWithRevenue();
    fake.requests.length = 0;
    const before = await billingState();
    expect(await failure(p.subscriber.caller.billing.checkout({ providerId: p.provider.id }))).toEqual({
      code: "CONFLICT",
      messages: [`You already subscribe to ${p.provider.displayName} (active); manage it under Subscriptions`],
    });
    // Paused or past due still count as live.
    await p.subscriber.caller.billing.manage({ subscriptionId: p.subscriber.row.id, action: "pause" });
    expect(await failure(p.subscriber.caller.billing.checkout({ providerId: p.provider.id }))).toEqual({
      code: "CONFLICT",
      messages: [`You already subscribe to ${p.provider.displayName} (paused); manage it under Subscriptions`],
    });
    expect(fake.calls("POST", "/v1/checkout/sessions")).toEqual([]);
    expect((await billingState()).counts.checkoutSessions).toBe(before.counts.checkoutSessions);
  });
});

describe("bad input", () => {
  it("is a BAD_REQUEST with a clear message, and writes nothing", async () => {
    const p = await payableProvider({ priceCents: 500 });
    const { caller } = await signedIn("subscriber");
    const before = await billingState();
    fake.requests.length = 0;

    const cases: [string, () => Promise<unknown>, { code: string; messages: string[] }][] = [
      ["price of 99 cents", () => p.caller.billing.setPrice({ priceCents: 99, trialDays: 0 }), { code: "BAD_REQUEST", messages: ["The minimum price is $1.00 a month"] }],
      ["price of 1.5 cents", () => p.caller.billing.setPrice({ priceCents: 1.5, trialDays: 0 }), { code: "BAD_REQUEST", messages: ["Use whole cents"] }],
      ["fractional cents", () => p.caller.billing.setPrice({ priceCents: 499.5, trialDays: 0 }), { code: "BAD_REQUEST", messages: ["Use whole cents"] }],
      ["price over $1,000", () => p.caller.billing.setPrice({ priceCents: 100_001, trialDays: 0 }), { code: "BAD_REQUEST", messages: ["The maximum price is $1,000.00 a month"] }],
      ["a 31-day trial", () => p.caller.billing.setPrice({ priceCents: 500, trialDays: 31 }), { code: "BAD_REQUEST", messages: ["Trials are at most 30 days"] }],
      ["a price as text", () => p.caller.billing.setPrice({ priceCents: "500" as unknown as number, trialDays: 0 }), { code: "BAD_REQUEST", messages: ["Enter a monthly price"] }],
      ["no provider", () => caller.billing.checkout({ providerId: "" }), { code: "BAD_REQUEST", messages: ["Choose a provider"] }],
      ["an unknown action", () => caller.billing.manage({ subscriptionId: "sub_x", action: "refund" as "cancel" }), { code: "BAD_REQUEST", messages: ["Choose cancel, resume or pause"] }],
      ["no subscription", () => caller.billing.manage({ subscriptionId: "", action: "cancel" }), { code: "BAD_REQUEST", messages: ["Choose a subscription"] }],
      // A well-formed id that names no provider is, by house rule, "not found" rather than malformed.
      ["an unknown provider", () => caller.billing.checkout({ providerId: "prv_does_not_exist" }), { code: "NOT_FOUND", messages: ["No such provider"] }],
    ];
    for (const [what, call, expected] of cases) expect(await failure(call()), what).toEqual(expected);

    expect(fake.requests).toEqual([]);
    expect(await billingState()).toEqual(before);
    expect(await db.select({ price: checkoutSessions.stripePriceId }).from(checkoutSessions).where(eq(checkoutSessions.providerId, p.provider.id))).toEqual([]);
  });
});

describe("an automated provider's strategy version (its public page)", () => {
  const market = useFakeMarket();

  it("says which version the strategy trades and since when, and when an A/B test's winner replaced it", async () => {
    market.setCandles("BTC/USDT", "1h", []);
    const { user } = await signedIn("provider");
    const run = await startRun(actingAs(user, { now: new Date(Date.UTC(2026, 0, 5)) }), { source: { kind: "curated", curatedId: "ema-cross", params: {} }, symbol: "BTC/USDT", timeframe: "1h", confirm: true });
    const anon = await callerFor(null);
    expect((await anon.billing.subscribeState({ providerId: run.providerId })).strategy).toEqual({ version: 1, since: run.createdAt, promotedAt: null });
    // What a promotion writes (services/strategy-runs/ab-tests, tested there): the next version and when it began.
    const promotedAt = new Date(Date.UTC(2026, 1, 2, 9));
    await db.update(strategyRuns).set({ strategyVersion: 2, versionStartedAt: promotedAt }).where(eq(strategyRuns.id, run.id));
    expect((await anon.billing.subscribeState({ providerId: run.providerId })).strategy).toEqual({ version: 2, since: promotedAt, promotedAt });
  });
});
