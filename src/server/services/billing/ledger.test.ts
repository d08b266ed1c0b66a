/**
 * The ledger in exact cents (issue 4, acceptance 3). Four providers at $3.00, $5.00, $9.99 and $15.00 a month, ten
 * subscribers, two months of renewals (one $9.99 subscriber leaves before the second), every invoice paid through a
 * signed `invoice.paid` and its charge read from the fake Stripe with the application fee Stripe reports. The
 * payments rows, the providers' revenue and the platform's totals (gross, fee, provider share; by provider; by
 * month) must match the figures below, worked out by hand.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { asc } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { callerFor, createUser, signedIn } from "@/test/factories";
import { deliverOk, invoiceObject, payableProvider, stripeEvent, subscriptionObject, unix, useFakeStripe } from "@/test/stripe";
import { db } from "@/server/db";
import { payments } from "@/server/db/schema";
import { resetRateLimits } from "@/server/rate-limit";
import { platformRevenue, providerRevenue } from "@/server/services/billing";

useTestDatabase();
const fake = useFakeStripe();
beforeEach(() => resetRateLimits());

/**
 * The application fee on each charge, as Stripe reports it. For $9.99 it is 299 here, not the 300 that rounding
 * 30% would give: whatever Stripe took is the platform's part, and the ledger must take it rather than recompute.
 */
const REPORTED_FEE: Record<number, number> = { 300: 90, 500: 150, 999: 299, 1500: 450 };
const SEPTEMBER = Date.UTC(2026, 8, 15, 12);
const OCTOBER = Date.UTC(2026, 9, 15, 12);
const NOVEMBER = Date.UTC(2026, 10, 15, 12);

async function month() {
  const tiers = [
    { price: 300, subscribers: 3 },
    { price: 500, subscribers: 2 },
    { price: 999, subscribers: 4 },
    { price: 1500, subscribers: 1 },
  ];
  const world = [];
  let n = 0;
  for (const tier of tiers) {
    const p = await payableProvider({ priceCents: tier.price });
    const subs = [];
    for (let i = 0; i < tier.subscribers; i++) {
      const user = await createUser("subscriber");
      const spec = {
        id: `sub_ledger_${++n}`,
        customer: `cus_ledger_${n}`,
        status: "active" as const,
        subscriberId: user.id,
        providerId: p.provider.id,
        priceId: p.provider.stripePriceId!,
        unitAmount: tier.price,
        periodStart: unix(SEPTEMBER),
        periodEnd: unix(OCTOBER),
        destination: p.accountId,
      };
      await deliverOk(stripeEvent("customer.subscription.created", subscriptionObject(spec), { created: unix(SEPTEMBER) }));
      subs.push({ user, spec });
    }
    world.push({ ...tier, p, subs });
  }
  return world;
}

let invoiceSeq = 0;
async function pay(sub: { user: { id: string }; spec: { id: string; customer: string; providerId: string; unitAmount: number } }, start: number, end: number) {
  const id = `in_ledger_${++invoiceSeq}`;
  const amount = sub.spec.unitAmount;
  fake.invoices.set(id, { amountPaid: amount, charge: { id: `ch_ledger_${invoiceSeq}`, amount, applicationFeeAmount: REPORTED_FEE[amount]! } });
  const paidAt = unix(start) + invoiceSeq * 60;
  await deliverOk(
    stripeEvent(
      "invoice.paid",
      invoiceObject({ id, subscriptionId: sub.spec.id, customer: sub.spec.customer, amount, paid: true, periodStart: unix(start), periodEnd: unix(end), paidAt, metadata: { subscriberId: sub.user.id, providerId: sub.spec.providerId } }),
      { created: paidAt },
    ),
  );
}

describe("a month of invoices at several prices", () => {
  it("splits every invoice exactly and sums exactly, by provider and by month", async () => {
    const world = await month();
    for (const tier of world) for (const s of tier.subs) await pay(s, SEPTEMBER, OCTOBER);

    // One $9.99 subscriber leaves before the October renewal.
    const leaving = world[2]!.subs[3]!;
    await deliverOk(
      stripeEvent("customer.subscription.deleted", subscriptionObject({ ...leaving.spec, status: "canceled", canceledAt: unix(OCTOBER) - 86_400, endedAt: unix(OCTOBER) - 86_400 }), { created: unix(OCTOBER) - 86_400 }),
    );
    for (const tier of world) for (const s of tier.subs) if (s !== leaving) await pay(s, OCTOBER, NOVEMBER);

    // Every row: the fee Stripe reported, the rest to the provider, nothing lost or made up.
    const rows = await db.select().from(payments).orderBy(asc(payments.paidAt));
    expect(rows).toHaveLength(19);
    const tally = new Map<string, number>();
    for (const r of rows) {
      const key = `${r.amountCents}=${r.platformFeeCents}+${r.providerShareCents}`;
      tally.set(key, (tally.get(key) ?? 0) + 1);
      expect(r.platformFeeCents + r.providerShareCents).toBe(r.amountCents);
    }
    expect(Object.fromEntries(tally)).toEqual({ "300=90+210": 6, "500=150+350": 4, "999=299+700": 7, "1500=450+1050": 2 });
    expect(rows.every((r) => r.status === "paid" && r.refundedCents === 0 && r.currency === "usd" && r.subscriptionId !== null)).toBe(true);

    // Each provider's own revenue.
    const now = new Date(Date.UTC(2026, 9, 20));
    const expected = [
      { lifetime: { grossCents: 1800, platformFeeCents: 540, providerShareCents: 1260, refundedCents: 0 }, mrr: 900, active: 3, invoices: 6, last30: 630 },
      { lifetime: { grossCents: 2000, platformFeeCents: 600, providerShareCents: 1400, refundedCents: 0 }, mrr: 1000, active: 2, invoices: 4, last30: 700 },
      { lifetime: { grossCents: 6993, platformFeeCents: 2093, providerShareCents: 4900, refundedCents: 0 }, mrr: 2997, active: 3, invoices: 7, last30: 2100 },
      { lifetime: { grossCents: 3000, platformFeeCents: 900, providerShareCents: 2100, refundedCents: 0 }, mrr: 1500, active: 1, invoices: 2, last30: 1050 },
    ];
    for (const [i, tier] of world.entries()) {
      const r = await providerRevenue(tier.p.provider.id, { now });
      const e = expected[i]!;
      expect(r.lifetime, `$${tier.price / 100}`).toEqual(e.lifetime);
      expect(r.mrrCents, `$${tier.price / 100}`).toBe(e.mrr);
      expect(r.activeSubscribers).toBe(e.active);
      expect(r.invoices.total).toBe(e.invoices);
      expect(r.last30dShareCents, `$${tier.price / 100}`).toBe(e.last30);
      expect(r.invoices.items.length).toBeGreaterThan(0);
      expect(r.invoices.items.every((inv) => inv.amountCents === inv.platformFeeCents + inv.providerShareCents)).toBe(true);
    }

    // The platform's totals, by provider and by month (UTC).
    const platform = await platformRevenue({ now, months: 12 });
    expect(platform.totals).toEqual({ grossCents: 13_793, platformFeeCents: 4133, providerShareCents: 9660, refundedCents: 0, invoices: 19 });
    expect(platform.byProvider.map((b) => [b.providerId, b.grossCents, b.platformFeeCents, b.providerShareCents, b.invoices])).toEqual([
      [world[2]!.p.provider.id, 6993, 2093, 4900, 7],
      [world[3]!.p.provider.id, 3000, 900, 2100, 2],
      [world[1]!.p.provider.id, 2000, 600, 1400, 4],
      [world[0]!.p.provider.id, 1800, 540, 1260, 6],
    ]);
    expect(platform.byMonth.map((m) => [m.month, m.grossCents, m.platformFeeCents, m.providerShareCents, m.invoices])).toEqual([
      ["2026-09", 7396, 2216, 5180, 10],
      ["2026-10", 6397, 1917, 4480, 9],
    ]);
    expect(platform.subscriptions).toEqual({ live: 9, canceledLast30d: 1, byStatus: { active: 9, canceled: 1 } });

    // The same figures reach each audience through its procedure.
    const admin = await callerFor(await createUser("admin"));
    expect((await admin.billing.platformRevenue({ months: 36 })).totals).toEqual(platform.totals);
    expect((await world[2]!.p.caller.billing.revenue({ page: 1 })).lifetime).toEqual(expected[2]!.lifetime);
  });

  it("a $3.00 invoice is $0.90 to the platform and $2.10 to the provider", async () => {
    const p = await payableProvider({ priceCents: 300 });
    const { user } = await signedIn("subscriber");
    const spec = { id: "sub_three", customer: "cus_three", status: "active" as const, subscriberId: user.id, providerId: p.provider.id, priceId: p.provider.stripePriceId!, unitAmount: 300, periodStart: unix(SEPTEMBER), periodEnd: unix(OCTOBER) };
    await deliverOk(stripeEvent("customer.subscription.created", subscriptionObject(spec)));
    await pay({ user, spec }, SEPTEMBER, OCTOBER);
    expect(await db.select({ amount: payments.amountCents, fee: payments.platformFeeCents, share: payments.providerShareCents }).from(payments)).toEqual([{ amount: 300, fee: 90, share: 210 }]);
  });
});
