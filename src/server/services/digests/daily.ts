/**
 * The daily digest, run every hour on the hour: each user whose local hour (notification_prefs.time_zone and
 * digest_hour, UTC and 08 without a row) is the tick's gets the signals opened and closed in the last day by the
 * providers they follow (subscriptions and copy settings), levels of live signals only where they are entitled, and
 * their copies' realised P&L of the day. Nothing is sent when there is nothing to say.
 *
 * Set-based: the local hour is computed once per distinct time zone (Intl, daylight saving included), users are
 * selected by (zone, hour) pairs in pages, and each page's follows, signals and P&L are read in one query each.
 * Idempotent per user and local date (dedupe key): a retried or duplicated tick queues nothing twice.
 */
import "server-only";
import { and, asc, eq, gt, gte, inArray, isNull, lt, or, sql, type SQL } from "drizzle-orm";
import { createElement } from "react";
import { db } from "@/server/db";
import { copySettings, emailOutbox, notificationPrefs, positions, providers, signals, subscriptions, users } from "@/server/db/schema";
import type { ServiceContext } from "@/server/services/context";
import { queueEmail } from "@/server/services/email/outbox";
import { unsubscribeUrl as linkToUnsubscribe } from "@/server/services/email/unsubscribe-link";
import { entitledNow, isLive } from "@/server/services/entitlements";
import { percent } from "@/components/track-record/format";
import { signedAmount } from "@/lib/digest/figures";
import { hourStart, localDateHour } from "@/lib/digest/schedule";
import { exitReasonLabel } from "@/lib/labels";
import DailyDigest, { type DailyDigestSignal } from "@emails/daily-digest";

const DAY_MS = 86_400_000;
const PAGE = 1000;
/** Without a notification_prefs row a user has the defaults: 08:00 UTC. */
const DEFAULT_ZONE = "UTC";
const DEFAULT_HOUR = 8;

interface Recipient {
  id: string;
  email: string;
  name: string | null;
  zone: string;
  v: number;
}

type SignalRow = {
  id: string;
  providerId: string;
  providerName: string;
  number: number;
  symbol: string;
  side: "long" | "short";
  status: string;
  entryPrice: string;
  stopLoss: string | null;
  takeProfits: { price: string }[];
  publishedAt: Date;
  closedAt: Date | null;
  resultPct: string | null;
  exitReason: string | null;
};

function levelsOf(s: SignalRow): string {
  const parts = [`entry ${s.entryPrice}`];
  if (s.stopLoss) parts.push(`stop ${s.stopLoss}`);
  if (s.takeProfits.length) parts.push(`targets ${s.takeProfits.map((t) => t.price).join(", ")}`);
  return parts.join(" · ");
}

/** Users due at `tick`: the (zone, hour) pairs whose local hour is now, plus users without prefs when it is 08 UTC. */
async function dueCondition(tick: Date): Promise<{ where: SQL; dates: Map<string, string> }> {
  const zones = (await db.selectDistinct({ zone: notificationPrefs.timeZone }).from(notificationPrefs).where(eq(notificationPrefs.digestEmails, true))).map(
    (r) => r.zone,
  );
  const dates = new Map<string, string>();
  const pairs: SQL[] = [];
  for (const zone of new Set([...zones, DEFAULT_ZONE])) {
    const local = localDateHour(tick, zone);
    dates.set(zone, local.date);
    pairs.push(and(eq(notificationPrefs.timeZone, zone), eq(notificationPrefs.digestHour, local.hour))!);
  }
  const defaults = localDateHour(tick, DEFAULT_ZONE).hour === DEFAULT_HOUR ? [isNull(notificationPrefs.userId)] : [];
  return { where: and(or(isNull(notificationPrefs.userId), eq(notificationPrefs.digestEmails, true)), or(...pairs, ...defaults))!, dates };
}

/** `pageSize`: users per page (tests use a small one to cross pages). */
export async function sendDailyDigests(ctx: ServiceContext, { pageSize = PAGE }: { pageSize?: number } = {}): Promise<{ queued: number; considered: number }> {
  const tick = hourStart(ctx.now);
  const from = new Date(tick.getTime() - DAY_MS);
  const due = await dueCondition(tick);
  let queued = 0;
  let considered = 0;
  let after = "";
  for (;;) {
    const page: Recipient[] = await db
      .select({
        id: users.id,
        email: users.email,
        name: users.name,
        zone: sql<string>`coalesce(${notificationPrefs.timeZone}, ${DEFAULT_ZONE})`,
        v: sql<number>`coalesce(${notificationPrefs.unsubscribeVersion}, 0)::int`,
      })
      .from(users)
      .leftJoin(notificationPrefs, eq(notificationPrefs.userId, users.id))
      .where(and(due.where, gt(users.id, after)))
      .orderBy(asc(users.id))
      .limit(pageSize);
    if (!page.length) break;
    after = page.at(-1)!.id;
    considered += page.length;
    queued += await sendPage(ctx, page, due.dates, from, tick);
    if (page.length < pageSize) break;
  }
  return { queued, considered };
}

async function sendPage(ctx: ServiceContext, page: Recipient[], dates: Map<string, string>, from: Date, to: Date): Promise<number> {
  const ids = page.map((u) => u.id);
  const keyOf = (u: Recipient) => `digest:daily:${u.id}:${dates.get(u.zone) ?? localDateHour(to, u.zone).date}`;
  const keys = page.map(keyOf);
  const [done, subs, copies, pnl] = await Promise.all([
    db.select({ k: emailOutbox.dedupeKey }).from(emailOutbox).where(inArray(emailOutbox.dedupeKey, keys)),
    db
      .select({ userId: subscriptions.subscriberId, providerId: subscriptions.providerId, entitled: sql<boolean>`(${entitledNow(to)})` })
      .from(subscriptions)
      .where(inArray(subscriptions.subscriberId, ids)),
    db.select({ userId: copySettings.userId, providerId: copySettings.providerId }).from(copySettings).where(inArray(copySettings.userId, ids)),
    db
      .select({
        userId: positions.userId,
        quote: sql<string>`coalesce(nullif(split_part(${positions.symbol}, '/', 2), ''), 'USD')`,
        pnl: sql<string>`sum(${positions.realizedPnl})::text`,
        n: sql<number>`count(*)::int`,
      })
      .from(positions)
      .where(and(inArray(positions.userId, ids), eq(positions.status, "closed"), gte(positions.closedAt, from), lt(positions.closedAt, to)))
      .groupBy(positions.userId, sql`2`),
  ]);
  const already = new Set(done.map((r) => r.k));
  // follows: user -> provider -> entitled
  const follows = new Map<string, Map<string, boolean>>();
  const follow = (userId: string, providerId: string, entitled: boolean) => {
    const m = follows.get(userId) ?? new Map<string, boolean>();
    m.set(providerId, Boolean(m.get(providerId)) || entitled);
    follows.set(userId, m);
  };
  // A subscription that no longer grants access (cancelled, unpaid) is not a follow; copying one still is (below).
  for (const s of subs) if (s.entitled) follow(s.userId, s.providerId, true);
  for (const c of copies) follow(c.userId, c.providerId, false);
  const providerIds = [...new Set([...follows.values()].flatMap((m) => [...m.keys()]))];
  const rows: SignalRow[] = providerIds.length
    ? await db
        .select({
          id: signals.id,
          providerId: signals.providerId,
          providerName: providers.displayName,
          number: signals.number,
          symbol: signals.symbol,
          side: signals.side,
          status: signals.status,
          entryPrice: signals.entryPrice,
          stopLoss: signals.stopLoss,
          takeProfits: signals.takeProfits,
          publishedAt: signals.publishedAt,
          closedAt: signals.closedAt,
          resultPct: signals.resultPct,
          exitReason: signals.exitReason,
        })
        .from(signals)
        .innerJoin(providers, eq(providers.id, signals.providerId))
        .where(
          and(
            inArray(signals.providerId, providerIds),
            or(and(gte(signals.publishedAt, from), lt(signals.publishedAt, to)), and(eq(signals.status, "closed"), gte(signals.closedAt, from), lt(signals.closedAt, to))),
          ),
        )
        .orderBy(asc(signals.publishedAt), asc(signals.number))
    : [];
  const byProvider = new Map<string, SignalRow[]>();
  for (const r of rows) byProvider.set(r.providerId, [...(byProvider.get(r.providerId) ?? []), r]);
  const pnlByUser = new Map<string, { quote: string; pnl: string; n: number }[]>();
  for (const p of pnl) pnlByUser.set(p.userId, [...(pnlByUser.get(p.userId) ?? []), p]);

  let queued = 0;
  for (const u of page) {
    const dedupeKey = keyOf(u);
    if (already.has(dedupeKey)) continue;
    const opened: DailyDigestSignal[] = [];
    const closed: DailyDigestSignal[] = [];
    for (const [providerId, entitled] of follows.get(u.id) ?? []) {
      for (const s of byProvider.get(providerId) ?? []) {
        const base = { providerName: s.providerName, number: s.number, symbol: s.symbol, side: s.side };
        if (s.publishedAt >= from && s.publishedAt < to) {
          // INVARIANT: a live signal's market, side and levels only for a reader entitled to them (an active
          // subscription), as on its page and in alerts; once it has ended it is public.
          const hidden = !entitled && isLive(s.status);
          opened.push({ ...(hidden ? { ...base, symbol: null, side: null } : base), levels: entitled && isLive(s.status) ? levelsOf(s) : null, result: null });
        }
        if (s.status === "closed" && s.closedAt && s.closedAt >= from && s.closedAt < to) {
          const reason = exitReasonLabel(s.exitReason);
          closed.push({ ...base, levels: null, result: `${percent(s.resultPct).text}${reason ? ` (${reason})` : ""}` });
        }
      }
    }
    const copyLines = (pnlByUser.get(u.id) ?? []).map(
      (p) => `${signedAmount(p.pnl, "")} ${p.quote} realised on ${p.n} closed cop${p.n === 1 ? "y" : "ies"}`,
    );
    if (!opened.length && !closed.length && !copyLines.length) continue;
    const unsubscribeUrl = linkToUnsubscribe(ctx.baseUrl, { userId: u.id }, "digest", u.v);
    const date = dedupeKey.slice(dedupeKey.lastIndexOf(":") + 1);
    await queueEmail(db, {
      to: u.email,
      userId: u.id,
      kind: "daily_digest",
      subject: `Your Tradsy day: ${opened.length} opened, ${closed.length} closed`,
      stream: "notification",
      unsubscribeUrl,
      dedupeKey,
      template: createElement(DailyDigest, {
        name: u.name ?? "there",
        dateLabel: date,
        opened,
        closed,
        copyPnl: copyLines.length ? copyLines.join("; ") : null,
        dashboardUrl: `${ctx.baseUrl}/dashboard`,
        unsubscribeUrl,
      }),
    });
    queued++;
  }
  return queued;
}
