/**
 * The monthly performance report, on the 1st: to each provider, the previous calendar month (UTC) from the tables
 * themselves: signals published and closed, win rate and compounded return of the closed ones (each signal's
 * after-fee result), subscribers gained (subscriptions started, incomplete checkouts aside) and lost (cancelled), and
 * earnings (the provider's share of the month's payments, integer cents). One report per provider and month (dedupe
 * key); a provider with nothing at all in the month gets none. Providers who turned the digest off get none.
 */
import "server-only";
import { and, eq, gte, isNull, lt, ne, or, sql } from "drizzle-orm";
import { createElement } from "react";
import { db } from "@/server/db";
import { emailOutbox, notificationPrefs, payments, providers, signals, subscriptions, users } from "@/server/db/schema";
import type { ServiceContext } from "@/server/services/context";
import { queueEmail } from "@/server/services/email/outbox";
import { unsubscribeUrl as linkToUnsubscribe } from "@/server/services/email/unsubscribe-link";
import { formatCents } from "@/lib/money";
import { formatCount } from "@/lib/format/numbers";
import { compoundReturn, plainPercent, ratioString, signedPercent } from "@/lib/digest/figures";
import { previousMonth } from "@/lib/digest/schedule";
import MonthlyReport from "@emails/monthly-report";

export interface MonthlyFigures {
  published: number;
  closed: number;
  wins: number;
  returns: string[];
  gained: number;
  lost: number;
  earningsCents: number;
}

/** Every provider's figures for [start, end), each from one grouped query. */
export async function monthlyFigures(start: Date, end: Date): Promise<Map<string, MonthlyFigures>> {
  const inMonth = (col: Parameters<typeof gte>[0]) => and(gte(col, start), lt(col, end))!;
  const [published, closed, gained, lost, earned] = await Promise.all([
    db.select({ p: signals.providerId, n: sql<number>`count(*)::int` }).from(signals).where(inMonth(signals.publishedAt)).groupBy(signals.providerId),
    db
      .select({
        p: signals.providerId,
        n: sql<number>`count(*)::int`,
        wins: sql<number>`(count(*) filter (where ${signals.resultPct} > 0))::int`,
        returns: sql<string[]>`coalesce(array_agg(${signals.resultPct}::text order by ${signals.closedAt}) filter (where ${signals.resultPct} is not null), '{}')`,
      })
      .from(signals)
      .where(and(eq(signals.status, "closed"), inMonth(signals.closedAt)))
      .groupBy(signals.providerId),
    db
      .select({ p: subscriptions.providerId, n: sql<number>`count(*)::int` })
      .from(subscriptions)
      .where(and(inMonth(subscriptions.createdAt), ne(subscriptions.status, "incomplete")))
      .groupBy(subscriptions.providerId),
    db.select({ p: subscriptions.providerId, n: sql<number>`count(*)::int` }).from(subscriptions).where(inMonth(subscriptions.canceledAt)).groupBy(subscriptions.providerId),
    db
      .select({ p: payments.providerId, cents: sql<string>`coalesce(sum(${payments.providerShareCents}), 0)::text` })
      .from(payments)
      .where(inMonth(payments.paidAt))
      .groupBy(payments.providerId),
  ]);
  const out = new Map<string, MonthlyFigures>();
  const of = (p: string | null) => {
    if (!p) return null;
    let f = out.get(p);
    if (!f) out.set(p, (f = { published: 0, closed: 0, wins: 0, returns: [], gained: 0, lost: 0, earningsCents: 0 }));
    return f;
  };
  for (const r of published) of(r.p)!.published = r.n;
  for (const r of closed) Object.assign(of(r.p)!, { closed: r.n, wins: r.wins, returns: r.returns });
  for (const r of gained) of(r.p)!.gained = r.n;
  for (const r of lost) of(r.p)!.lost = r.n;
  for (const r of earned) {
    const f = of(r.p);
    if (f) f.earningsCents = Number(r.cents);
  }
  return out;
}

export async function sendMonthlyReports(ctx: ServiceContext): Promise<{ queued: number; month: string }> {
  const month = previousMonth(ctx.now);
  const figures = await monthlyFigures(month.start, month.end);
  if (!figures.size) return { queued: 0, month: month.key };
  const recipients = await db
    .select({
      providerId: providers.id,
      name: providers.displayName,
      userId: users.id,
      email: users.email,
      v: sql<number>`coalesce(${notificationPrefs.unsubscribeVersion}, 0)::int`,
    })
    .from(providers)
    .innerJoin(users, eq(users.id, providers.userId))
    .leftJoin(notificationPrefs, eq(notificationPrefs.userId, users.id))
    .where(or(isNull(notificationPrefs.userId), eq(notificationPrefs.digestEmails, true)));
  let queued = 0;
  for (const r of recipients) {
    const f = figures.get(r.providerId);
    if (!f) continue;
    const dedupeKey = `digest:monthly:${r.providerId}:${month.key}`;
    const [exists] = await db.select({ id: emailOutbox.id }).from(emailOutbox).where(eq(emailOutbox.dedupeKey, dedupeKey));
    if (exists) continue;
    const unsubscribeUrl = linkToUnsubscribe(ctx.baseUrl, { userId: r.userId }, "digest", r.v);
    await queueEmail(db, {
      to: r.email,
      userId: r.userId,
      kind: "monthly_report",
      subject: `Your ${month.label} on Tradsy`,
      stream: "notification",
      unsubscribeUrl,
      dedupeKey,
      template: createElement(MonthlyReport, {
        providerName: r.name,
        monthLabel: month.label,
        signalsPublished: formatCount(f.published),
        signalsClosed: formatCount(f.closed),
        winRate: plainPercent(ratioString(f.wins, f.closed)),
        monthReturn: signedPercent(compoundReturn(f.returns)),
        subscribersGained: formatCount(f.gained),
        subscribersLost: formatCount(f.lost),
        earnings: formatCents(f.earningsCents),
        revenueUrl: `${ctx.baseUrl}/revenue`,
        unsubscribeUrl,
      }),
    });
    queued++;
  }
  return { queued, month: month.key };
}
