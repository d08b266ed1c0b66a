/** Revenue read models from the ledger (`payments`) and subscription state. All amounts are integer cents. */
import "server-only";
import { and, desc, eq, gte, inArray, isNotNull, lte, or, sql, type SQL } from "drizzle-orm";
import { churnRate } from "@/lib/billing";
import { db } from "@/server/db";
import { payments, providers, subscriptions, users } from "@/server/db/schema";

const DAY_MS = 86_400_000;
const cents = (v: unknown) => Number(v ?? 0);

/**
 * A person's revenue page: their personal provider and every strategy they run live (each an automated provider
 * paying into the same payout account), together: MRR, subscribers, churn, invoices, and the split by source.
 */
export async function ownerRevenue(userId: string, opts: { now?: Date; page?: number; pageSize?: number } = {}) {
  const owned = await db
    .select({ id: providers.id, displayName: providers.displayName, automated: providers.automated })
    .from(providers)
    .where(eq(providers.userId, userId))
    .orderBy(providers.automated, providers.createdAt);
  const ids = owned.map((p) => p.id);
  const [revenue, subsBy, paidBy] = await Promise.all([
    providerRevenue(ids, opts),
    ids.length
      ? db
          .select({
            providerId: subscriptions.providerId,
            mrrCents: sql<number>`coalesce(sum(${subscriptions.priceCents}) filter (where ${subscriptions.status} in ('active', 'past_due')), 0)::int`,
            live: sql<number>`(count(*) filter (where ${subscriptions.status} in ('active', 'trialing', 'past_due', 'paused')))::int`,
          })
          .from(subscriptions)
          .where(inArray(subscriptions.providerId, ids))
          .groupBy(subscriptions.providerId)
      : [],
    ids.length
      ? db
          .select({ providerId: payments.providerId, share: sql<string>`coalesce(sum(${payments.providerShareCents}), 0)` })
          .from(payments)
          .where(inArray(payments.providerId, ids))
          .groupBy(payments.providerId)
      : [],
  ]);
  const bySource = owned.map((p) => {
    const s = subsBy.find((x) => x.providerId === p.id);
    return {
      providerId: p.id,
      displayName: p.displayName,
      automated: p.automated,
      mrrCents: s?.mrrCents ?? 0,
      liveSubscribers: s?.live ?? 0,
      lifetimeShareCents: cents(paidBy.find((x) => x.providerId === p.id)?.share),
    };
  });
  // Sources that never had a subscriber add nothing to the split (the personal profile always shows).
  return { ...revenue, bySource: bySource.filter((b) => !b.automated || b.liveSubscribers > 0 || b.lifetimeShareCents > 0) };
}

/** Revenue of one provider, or of several together (ownerRevenue): MRR, subscribers, churn, and its invoices. */
export async function providerRevenue(providerIds: string | readonly string[], opts: { now?: Date; page?: number; pageSize?: number } = {}) {
  const ids = typeof providerIds === "string" ? [providerIds] : [...providerIds];
  // No provider: nothing matches (an empty IN list is not valid SQL).
  const ofSubs = ids.length ? inArray(subscriptions.providerId, ids) : sql`false`;
  const ofPayments = ids.length ? inArray(payments.providerId, ids) : sql`false`;
  const now = opts.now ?? new Date();
  const monthAgo = new Date(now.getTime() - 30 * DAY_MS);
  const pageSize = opts.pageSize ?? 20;
  const page = Math.max(1, opts.page ?? 1);

  const n = (cond: SQL) => sql<number>`(count(*) filter (where ${cond}))::int`;
  const [subs, totals, invoices, count] = await Promise.all([
    // Counted in SQL, however many subscriptions a provider has.
    db
      .select({
        mrrCents: sql<number>`coalesce(sum(${subscriptions.priceCents}) filter (where ${subscriptions.status} in ('active', 'past_due')), 0)::int`,
        active: n(sql`${subscriptions.status} = 'active'`),
        trialing: n(sql`${subscriptions.status} = 'trialing'`),
        pastDue: n(sql`${subscriptions.status} = 'past_due'`),
        paused: n(sql`${subscriptions.status} = 'paused'`),
        ending: n(sql`${subscriptions.cancelAtPeriodEnd} and ${subscriptions.status} <> 'canceled'`),
        liveAtStart: n(sql`${subscriptions.createdAt} < ${monthAgo.toISOString()}::timestamptz and (${subscriptions.canceledAt} is null or ${subscriptions.canceledAt} >= ${monthAgo.toISOString()}::timestamptz)`),
        endedInWindow: n(sql`${subscriptions.canceledAt} >= ${monthAgo.toISOString()}::timestamptz and ${subscriptions.canceledAt} <= ${now.toISOString()}::timestamptz`),
      })
      .from(subscriptions)
      .where(ofSubs),
    db
      .select({
        gross: sql<string>`coalesce(sum(${payments.amountCents}), 0)`,
        fees: sql<string>`coalesce(sum(${payments.platformFeeCents}), 0)`,
        share: sql<string>`coalesce(sum(${payments.providerShareCents}), 0)`,
        refunded: sql<string>`coalesce(sum(${payments.refundedCents}), 0)`,
        last30: sql<string>`coalesce(sum(${payments.providerShareCents}) filter (where ${payments.paidAt} >= ${monthAgo.toISOString()}::timestamptz), 0)`,
      })
      .from(payments)
      .where(ofPayments),
    db
      .select({
        id: payments.id,
        invoice: payments.stripeInvoiceId,
        amountCents: payments.amountCents,
        platformFeeCents: payments.platformFeeCents,
        providerShareCents: payments.providerShareCents,
        refundedCents: payments.refundedCents,
        status: payments.status,
        paidAt: payments.paidAt,
        periodStart: payments.periodStart,
        periodEnd: payments.periodEnd,
        subscriber: users.name,
        /** Which of the owner's providers it paid: their own signals, or a strategy they run live. */
        source: { displayName: providers.displayName, automated: providers.automated },
      })
      .from(payments)
      .leftJoin(users, eq(users.id, payments.subscriberId))
      .leftJoin(providers, eq(providers.id, payments.providerId))
      .where(ofPayments)
      .orderBy(desc(payments.paidAt), desc(payments.id))
      .limit(pageSize)
      .offset((page - 1) * pageSize),
    db.select({ n: sql<number>`count(*)::int` }).from(payments).where(ofPayments),
  ]);

  const c = subs[0];
  const t = totals[0];
  return {
    mrrCents: c?.mrrCents ?? 0,
    activeSubscribers: c?.active ?? 0,
    trialing: c?.trialing ?? 0,
    pastDue: c?.pastDue ?? 0,
    paused: c?.paused ?? 0,
    endingAtPeriodEnd: c?.ending ?? 0,
    churn30d: { rate: churnRate(c?.liveAtStart ?? 0, c?.endedInWindow ?? 0), ended: c?.endedInWindow ?? 0, liveAtStart: c?.liveAtStart ?? 0 },
    lifetime: { grossCents: cents(t?.gross), platformFeeCents: cents(t?.fees), providerShareCents: cents(t?.share), refundedCents: cents(t?.refunded) },
    last30dShareCents: cents(t?.last30),
    invoices: { items: invoices, page, pageSize, total: count[0]?.n ?? 0 },
  };
}

/** Platform revenue for admins: totals, by provider and by month (UTC), from the ledger. */
export async function platformRevenue(opts: { months?: number; now?: Date } = {}) {
  const now = opts.now ?? new Date();
  const months = opts.months ?? 12;
  const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - (months - 1), 1));
  const sums = {
    grossCents: sql<string>`coalesce(sum(${payments.amountCents}), 0)`,
    platformFeeCents: sql<string>`coalesce(sum(${payments.platformFeeCents}), 0)`,
    providerShareCents: sql<string>`coalesce(sum(${payments.providerShareCents}), 0)`,
    refundedCents: sql<string>`coalesce(sum(${payments.refundedCents}), 0)`,
    invoices: sql<number>`count(*)::int`,
  };
  const month = sql<string>`to_char(date_trunc('month', ${payments.paidAt} at time zone 'UTC'), 'YYYY-MM')`;
  const [totals, byProvider, byMonth, subs] = await Promise.all([
    db.select(sums).from(payments),
    db
      .select({ providerId: payments.providerId, slug: providers.slug, displayName: providers.displayName, ...sums })
      .from(payments)
      .leftJoin(providers, eq(providers.id, payments.providerId))
      .groupBy(payments.providerId, providers.slug, providers.displayName)
      .orderBy(desc(sql`sum(${payments.amountCents})`)),
    db.select({ month, ...sums }).from(payments).where(gte(payments.paidAt, from)).groupBy(month).orderBy(month),
    db
      .select({ status: subscriptions.status, n: sql<number>`count(*)::int` })
      .from(subscriptions)
      .where(or(inArray(subscriptions.status, ["trialing", "active", "past_due", "paused"]), and(isNotNull(subscriptions.canceledAt), gte(subscriptions.canceledAt, new Date(now.getTime() - 30 * DAY_MS)), lte(subscriptions.canceledAt, now))))
      .groupBy(subscriptions.status),
  ]);
  const norm = <T extends Record<string, unknown>>(r: T) => ({
    ...r,
    grossCents: cents(r.grossCents),
    platformFeeCents: cents(r.platformFeeCents),
    providerShareCents: cents(r.providerShareCents),
    refundedCents: cents(r.refundedCents),
  });
  const byStatus = Object.fromEntries(subs.map((s) => [s.status, s.n]));
  return {
    totals: norm(totals[0] ?? { grossCents: 0, platformFeeCents: 0, providerShareCents: 0, refundedCents: 0, invoices: 0 }),
    byProvider: byProvider.map(norm),
    byMonth: byMonth.map(norm),
    subscriptions: { live: (byStatus.trialing ?? 0) + (byStatus.active ?? 0) + (byStatus.past_due ?? 0) + (byStatus.paused ?? 0), canceledLast30d: byStatus.canceled ?? 0, byStatus },
  };
}


