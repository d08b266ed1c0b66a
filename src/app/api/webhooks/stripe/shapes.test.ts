/**
 * Correctly signed Stripe events whose content is not what our handler reads (issue 9, defect 3): `data: null`, a
 * missing object, amounts that are text, negative or beyond the ledger's integer column, timestamps out of range,
 * ids with control characters, a body that is not an object. Each is a 400 naming the problem, writes nothing in
 * any table and asks nothing of Stripe, instead of a 500 (which Stripe retries for three days, to the same result).
 */
import { beforeEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { signedIn } from "@/test/factories";
import { changedTables, tableCounts } from "@/test/tables";
import {
  accountObject,
  billingState,
  chargeObject,
  checkoutSessionObject,
  deliver,
  deliverOk,
  invoiceObject,
  payableProvider,
  stripeEvent,
  subscriptionObject,
  unix,
  useFakeStripe,
} from "@/test/stripe";
import { db } from "@/server/db";
import { checkoutSessions, users } from "@/server/db/schema";
import { resetRateLimits } from "@/server/rate-limit";

useTestDatabase();
const fake = useFakeStripe();
beforeEach(() => resetRateLimits());

type Obj = Record<string, unknown>;
const DAY = 86_400;

/** A subscriber with a live $5 subscription, and well-formed objects about it that each case then breaks. */
async function world() {
  const p = await payableProvider({ priceCents: 500 });
  const s = await signedIn("subscriber");
  await s.caller.billing.checkout({ providerId: p.provider.id });
  const [session] = await db.select().from(checkoutSessions).where(eq(checkoutSessions.subscriberId, s.user.id));
  const customer = (await db.select({ c: users.stripeCustomerId }).from(users).where(eq(users.id, s.user.id)))[0]!.c!;
  const t0 = unix(Date.now()) - 60;
  const subId = `sub_shape_${s.user.id.slice(-6)}`;
  const sub = subscriptionObject({ id: subId, customer, status: "active", subscriberId: s.user.id, providerId: p.provider.id, priceId: p.provider.stripePriceId!, unitAmount: 500, periodStart: t0, periodEnd: t0 + 30 * DAY, destination: p.accountId });
  fake.track(sub);
  await deliverOk(stripeEvent("customer.subscription.created", sub, { created: t0 }));
  fake.invoices.set("in_shape", { amountPaid: 500, charge: { id: "ch_shape", amount: 500, applicationFeeAmount: 150 } });
  const objects = {
    invoice: () => invoiceObject({ id: "in_shape", subscriptionId: subId, customer, amount: 500, paid: true, periodStart: t0, periodEnd: t0 + 30 * DAY, metadata: { subscriberId: s.user.id, providerId: p.provider.id } }) as unknown as Obj,
    subscription: () => structuredClone(sub) as unknown as Obj,
    session: () => checkoutSessionObject({ id: session!.id, customer, subscription: subId, subscriberId: s.user.id, providerId: p.provider.id }) as unknown as Obj,
    account: () => accountObject({ id: p.accountId, chargesEnabled: false, payoutsEnabled: false, detailsSubmitted: true, providerId: p.provider.id }) as unknown as Obj,
    charge: () => chargeObject({ id: "ch_shape", amount: 500, amountRefunded: 500, applicationFeeAmount: 150 }) as unknown as Obj,
  };
  return { t0, objects };
}

const withObject = (type: string, object: unknown, over: Obj = {}) => JSON.stringify({ ...(stripeEvent(type, {}) as unknown as Obj), data: { object }, ...over });
const set = (o: Obj, path: string, value: unknown): Obj => {
  const keys = path.split(".");
  let at: Obj = o;
  for (const k of keys.slice(0, -1)) at = at[k] as Obj;
  at[keys.at(-1)!] = value;
  return o;
};

describe("a verified Stripe event with an unexpected shape", () => {
  it("is a 400 naming the problem, writes nothing anywhere and calls nothing at Stripe", async () => {
    const w = await world();
    const o = w.objects;
    const cases: [string, string][] = [
      ["invoice.paid with data: null (the probe's case)", JSON.stringify({ ...(stripeEvent("invoice.paid", {}) as unknown as Obj), data: null })],
      ["invoice.paid without data.object", JSON.stringify({ ...(stripeEvent("invoice.paid", {}) as unknown as Obj), data: {} })],
      ["invoice.paid with an array for the object", withObject("invoice.paid", [o.invoice()])],
      ["invoice.paid with the amount as text", withObject("invoice.paid", set(o.invoice(), "amount_paid", "500"))],
      ["invoice.paid with a negative amount", withObject("invoice.paid", set(o.invoice(), "amount_paid", -500))],
      ["invoice.paid with an amount beyond the ledger's integer column", withObject("invoice.paid", set(o.invoice(), "amount_paid", 5_000_000_000))],
      ["invoice.paid with a NUL in its id", withObject("invoice.paid", set(o.invoice(), "id", "in_\u0000"))],
      ["invoice.paid with a lines list without data", withObject("invoice.paid", set(o.invoice(), "lines", { object: "list" }))],
      ["invoice.paid paid in the year 275760", withObject("invoice.paid", set(o.invoice(), "status_transitions.paid_at", 8.64e12))],
      ["invoice.paid with a NUL in the subscription's metadata", withObject("invoice.paid", set(o.invoice(), "parent.subscription_details.metadata.subscriberId", "usr_\u0000"))],
      ["invoice.payment_failed with the subscription as a number", withObject("invoice.payment_failed", set(set(o.invoice(), "status", "open"), "parent.subscription_details.subscription", 42))],
      ["customer.subscription.updated with items.data: null and no id", withObject("customer.subscription.updated", set(set(o.subscription(), "items", { data: [null] }), "id", undefined))],
      ["customer.subscription.updated with a period end as text", withObject("customer.subscription.updated", set(o.subscription(), "items.data", [{ current_period_start: w.t0, current_period_end: "soon", price: { id: "price_x", unit_amount: 500 } }]))],
      ["customer.subscription.deleted without a status", withObject("customer.subscription.deleted", set(o.subscription(), "status", null))],
      ["checkout.session.completed with a NUL in our metadata", withObject("checkout.session.completed", set(o.session(), "metadata.providerId", "prv_\u0000"))],
      ["checkout.session.completed with the subscription as an object without id", withObject("checkout.session.completed", set(o.session(), "subscription", { object: "subscription" }))],
      ["account.updated without an id", withObject("account.updated", set(o.account(), "id", null))],
      ["charge.refunded with the refunded amount as text", withObject("charge.refunded", set(o.charge(), "amount_refunded", "all of it"))],
      ["charge.refunded without a creation time", withObject("charge.refunded", set(o.charge(), "created", null))],
      ["an event id with a NUL", withObject("invoice.paid", o.invoice(), { id: "evt_\u0000" })],
      ["an event created after the year 9999", withObject("invoice.paid", o.invoice(), { created: 1e15 })],
      ["the JSON value null", "null"],
      ["a JSON array", "[]"],
      ["a JSON number", "42"],
    ];
    const before = { tables: await tableCounts(), billing: await billingState(), stripeCalls: fake.requests.length };
    const got: Record<string, unknown> = {};
    const want: Record<string, unknown> = {};
    for (const [name, body] of cases) {
      const a = await deliver(body);
      got[name] = { status: a.status, error: a.body.error };
      want[name] = { status: 400, error: expect.stringMatching(/^The event does not have the shape Tradsy handles: .+/) };
    }
    expect(got).toEqual(want);
    expect(changedTables(before.tables, await tableCounts())).toEqual({});
    expect(await billingState()).toEqual(before.billing);
    expect(fake.requests.length).toBe(before.stripeCalls);
  });

  it("still processes the same events when well formed, and ignores types it does not handle whatever their shape", async () => {
    const w = await world();
    expect(await deliverOk(stripeEvent("invoice.paid", w.objects.invoice()))).toMatchObject({ result: "processed" });
    for (const type of ["plan.created", "constructor", "__proto__"]) {
      expect(await deliverOk(JSON.stringify({ ...(stripeEvent(type, {}) as unknown as Obj), data: null })), type).toMatchObject({ result: "ignored" });
    }
  });
});
