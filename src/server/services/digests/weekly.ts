/**
 * The weekly digest to confirmed digest subscribers (people without an account): per subscription, the followed
 * provider's signals CLOSED in the past week and its public all-time figures (the ones its profile shows); for the
 * marketplace-wide subscription (no provider), the week's closed signals of the top-ranked providers.
 *
 * INVARIANT: the queries here read closed signals only, and only the public columns of them (number, symbol, side,
 * close time, result, exit reason): an open signal's levels are for entitled subscribers and never reach this email.
 *
 * Idempotent per subscriber and ISO week (dedupe key), and each send re-checks in its own statement that the
 * subscription is still confirmed, so an unsubscribe that lands mid-run is honoured.
 */
import "server-only";
import { and, asc, desc, eq, gt, gte, inArray, lt } from "drizzle-orm";
import { createElement } from "react";
import { db } from "@/server/db";
import { digestSubscribers, emailOutbox, providers, providerStats, signals } from "@/server/db/schema";
import type { ServiceContext } from "@/server/services/context";
import { queueEmail } from "@/server/services/email/outbox";
import { unsubscribeUrl as linkToUnsubscribe } from "@/server/services/email/unsubscribe-link";
import { drawdown, percent } from "@/components/track-record/format";
import { formatDate } from "@/lib/format/dates";
import { formatCount } from "@/lib/format/numbers";
import { exitReasonLabel } from "@/lib/labels";
import { hourStart, isoWeek } from "@/lib/digest/schedule";
import WeeklyDigest, { type WeeklyClosedSignal, type WeeklyProviderFigures } from "@emails/weekly-digest";

const WEEK_MS = 7 * 86_400_000;
/** How many providers the marketplace-wide digest covers: the top of the ranking by score. */
export const MARKETPLACE_TOP = 5;
const PAGE = 500;

interface Content {
  providerName: string | null;
  signals: WeeklyClosedSignal[];
  providers: WeeklyProviderFigures[];
}

async function publicFigures(ctx: ServiceContext, providerIds: string[]): Promise<WeeklyProviderFigures[]> {
  if (!providerIds.length) return [];
  const rows = await db
    .select({
      id: providers.id,
      name: providers.displayName,
      slug: providers.slug,
      closedSignals: providerStats.closedSignals,
      winRate: providerStats.winRate,
      roi: providerStats.roi,
      maxDrawdown: providerStats.maxDrawdown,
    })
    .from(providers)
    .leftJoin(providerStats, and(eq(providerStats.providerId, providers.id), eq(providerStats.window, "all")))
    .where(inArray(providers.id, providerIds));
  const byId = new Map(rows.map((r) => [r.id, r]));
  return providerIds.flatMap((id) => {
    const r = byId.get(id);
    if (!r) return [];
    return [
      {
        name: r.name,
        profileUrl: `${ctx.baseUrl}/providers/${r.slug}`,
        closedSignals: formatCount(r.closedSignals ?? 0),
        winRate: percent(r.winRate, { signed: false }).text,
        roi: percent(r.roi).text,
        maxDrawdown: drawdown(r.maxDrawdown).text,
      },
    ];
  });
}

/** The week's closed signals of these providers, public columns only (see the INVARIANT above). */
async function closedThisWeek(providerIds: string[], from: Date, to: Date): Promise<WeeklyClosedSignal[]> {
  if (!providerIds.length) return [];
  const rows = await db
    .select({
      providerName: providers.displayName,
      number: signals.number,
      symbol: signals.symbol,
      side: signals.side,
      closedAt: signals.closedAt,
      resultPct: signals.resultPct,
      exitReason: signals.exitReason,
    })
    .from(signals)
    .innerJoin(providers, eq(providers.id, signals.providerId))
    .where(and(inArray(signals.providerId, providerIds), eq(signals.status, "closed"), gte(signals.closedAt, from), lt(signals.closedAt, to)))
    .orderBy(asc(signals.closedAt), asc(signals.number));
  return rows.map((r) => ({
    providerName: r.providerName,
    number: r.number,
    symbol: r.symbol,
    side: r.side,
    closedOn: r.closedAt ? formatDate(r.closedAt) : "",
    result: percent(r.resultPct).text,
    exitReason: exitReasonLabel(r.exitReason) ?? "closed",
  }));
}

async function topProviderIds(): Promise<string[]> {
  const rows = await db
    .select({ id: providerStats.providerId })
    .from(providerStats)
    .where(and(eq(providerStats.window, "all"), eq(providerStats.ranked, true)))
    .orderBy(desc(providerStats.score), asc(providerStats.providerId))
    .limit(MARKETPLACE_TOP);
  return rows.map((r) => r.id);
}

/** What a provider's subscribers (or, with no provider, the marketplace's) get this week; null when nothing closed. */
async function contentFor(ctx: ServiceContext, providerId: string | null, from: Date, to: Date): Promise<Content | null> {
  const ids = providerId ? [providerId] : await topProviderIds();
  const closed = await closedThisWeek(ids, from, to);
  if (!closed.length) return null;
  const figures = await publicFigures(ctx, ids);
  return { providerName: providerId ? (figures[0]?.name ?? null) : null, signals: closed, providers: figures };
}

/** `pageSize`: subscribers per page (tests use a small one to cross pages). */
export async function sendWeeklyDigests(ctx: ServiceContext, { pageSize = PAGE }: { pageSize?: number } = {}): Promise<{ queued: number }> {
  const tick = hourStart(ctx.now);
  const from = new Date(tick.getTime() - WEEK_MS);
  const week = isoWeek(tick);
  const weekLabel = `${formatDate(from)} – ${formatDate(new Date(tick.getTime() - 1))}`;
  const contents = new Map<string, Content | null>();
  let queued = 0;
  let after = "";
  for (;;) {
    const page = await db
      .select({ id: digestSubscribers.id, email: digestSubscribers.email, providerId: digestSubscribers.providerId, v: digestSubscribers.unsubscribeVersion })
      .from(digestSubscribers)
      .where(and(eq(digestSubscribers.status, "confirmed"), gt(digestSubscribers.id, after)))
      .orderBy(asc(digestSubscribers.id))
      .limit(pageSize);
    if (!page.length) break;
    after = page.at(-1)!.id;
    const keys = page.map((s) => `digest:weekly:${s.id}:${week}`);
    const done = new Set(
      (await db.select({ k: emailOutbox.dedupeKey }).from(emailOutbox).where(inArray(emailOutbox.dedupeKey, keys))).map((r) => r.k),
    );
    for (const s of page) {
      const dedupeKey = `digest:weekly:${s.id}:${week}`;
      if (done.has(dedupeKey)) continue;
      const group = s.providerId ?? "";
      if (!contents.has(group)) contents.set(group, await contentFor(ctx, s.providerId, from, tick));
      const content = contents.get(group);
      if (!content) continue;
      const unsubscribeUrl = linkToUnsubscribe(ctx.baseUrl, { digestSubscriberId: s.id }, "weekly", s.v);
      const sent = await db.transaction(async (tx) => {
        // Still confirmed, read in this transaction: an unsubscribe since the page was read stops this email.
        const [still] = await tx
          .update(digestSubscribers)
          .set({ lastSentAt: ctx.now })
          .where(and(eq(digestSubscribers.id, s.id), eq(digestSubscribers.status, "confirmed")))
          .returning({ id: digestSubscribers.id });
        if (!still) return false;
        await queueEmail(tx, {
          to: s.email,
          kind: "weekly_digest",
          subject: content.providerName ? `${content.providerName}: this week's closed signals` : "This week on the Tradsy marketplace",
          stream: "marketing",
          unsubscribeUrl,
          dedupeKey,
          template: createElement(WeeklyDigest, {
            providerName: content.providerName,
            weekLabel,
            signals: content.signals,
            providers: content.providers,
            marketplaceUrl: `${ctx.baseUrl}/providers`,
            unsubscribeUrl,
          }),
        });
        return true;
      });
      if (sent) queued++;
    }
    if (page.length < pageSize) break;
  }
  return { queued };
}
