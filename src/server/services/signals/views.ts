/**
 * What each viewer is shown of a signal. Every read of signals for someone other than the owning provider goes
 * through `toView`, which hides the levels of live signals unless the entitlement module says the viewer may see
 * them.
 */
import "server-only";
import { and, count, desc, eq, inArray, isNotNull, lte, sql } from "drizzle-orm";
import { db } from "@/server/db";
import { FINISHED_SIGNAL_STATUSES, providers, signals } from "@/server/db/schema";
import { NotFoundError, ValidationError } from "@/server/errors";
import { byEventDesc, feedEvent, type FeedEventKind } from "@/lib/feed";
import { accessTo, entitledProviderIds, isLive, type Access, type Viewer } from "@/server/services/entitlements";
import type { SignalRow } from "./types";

export interface FullSignalView {
  visibility: "full";
  id: string;
  providerId: string;
  number: number;
  symbol: string;
  side: "long" | "short";
  entryType: "market" | "limit";
  entryPrice: string;
  initialStop: string | null;
  stopLoss: string | null;
  takeProfits: { price: string; share: string }[];
  note: string;
  source: SignalRow["source"];
  status: SignalRow["status"];
  publishedAt: Date;
  expiresAt: Date | null;
  filledAt: Date | null;
  fillPrice: string | null;
  remaining: string;
  closedAt: Date | null;
  exitPrice: string | null;
  exitReason: string | null;
  resultPct: string | null;
  resultR: string | null;
  hash: string;
}

/** A live signal seen by someone not entitled to it: that it exists, when, and its commitment hash. */
export interface HiddenSignalView {
  visibility: "hidden";
  id: string;
  providerId: string;
  number: number;
  status: "pending" | "open";
  publishedAt: Date;
  hash: string;
}

export type SignalView = FullSignalView | HiddenSignalView;

export function toView(s: SignalRow, access: Access): SignalView {
  if (isLive(s.status) && access === "public") {
    return { visibility: "hidden", id: s.id, providerId: s.providerId, number: s.number, status: s.status as "pending" | "open", publishedAt: s.publishedAt, hash: s.hash };
  }
  return {
    visibility: "full",
    id: s.id,
    providerId: s.providerId,
    number: s.number,
    symbol: s.symbol,
    side: s.side,
    entryType: s.entryType,
    entryPrice: s.entryPrice,
    initialStop: s.initialStop,
    stopLoss: s.stopLoss,
    takeProfits: s.takeProfits,
    note: s.note,
    source: s.source,
    status: s.status,
    publishedAt: s.publishedAt,
    expiresAt: s.expiresAt,
    filledAt: s.filledAt,
    fillPrice: s.fillPrice,
    remaining: s.remaining,
    closedAt: s.closedAt,
    exitPrice: s.exitPrice,
    exitReason: s.exitReason,
    resultPct: s.resultPct,
    resultR: s.resultR,
    hash: s.hash,
  };
}

export async function listProviderSignals(viewer: Viewer | null, slug: string, input: { status: "live" | "done"; page: number; pageSize: number }) {
  const provider = await db.query.providers.findFirst({ where: eq(providers.slug, slug), columns: { id: true } });
  if (!provider) throw new NotFoundError("No provider with that name");
  const access = await accessTo(viewer, provider.id);
  const statuses = input.status === "live" ? (["pending", "open"] as const) : FINISHED_SIGNAL_STATUSES;
  const where = and(eq(signals.providerId, provider.id), inArray(signals.status, [...statuses]));
  const order = input.status === "live" ? [desc(signals.publishedAt)] : [desc(signals.closedAt), desc(signals.number)];
  const [rows, [total]] = await Promise.all([
    db.select().from(signals).where(where).orderBy(...order).limit(input.pageSize).offset((input.page - 1) * input.pageSize),
    db.select({ n: count() }).from(signals).where(where),
  ]);
  return { access, items: rows.map((r) => toView(r, access)), total: total?.n ?? 0, page: input.page, pageSize: input.pageSize };
}

export async function getSignalView(viewer: Viewer | null, signalId: string): Promise<SignalView> {
  const row = await db.query.signals.findFirst({ where: eq(signals.id, signalId) });
  if (!row) throw new NotFoundError("No signal with that id");
  return toView(row, await accessTo(viewer, row.providerId));
}

/** Open signals listed per provider on the feed's first page; beyond this the page says how many more, with a link. */
export const FEED_OPEN_PER_PROVIDER = 25;

export type FeedEntry = FullSignalView & { providerName: string; providerSlug: string; event: FeedEventKind; eventAt: Date };

export interface FeedPage {
  /** First page only (null after): every followed provider's pending and open signals, newest event first. */
  open: FeedEntry[] | null;
  /** First page only: followed providers with more open signals than listed, and how many more. */
  openMore: { providerId: string; providerName: string; providerSlug: string; more: number }[];
  /** Finished signals, newest change first, `limit` at a time. */
  recent: FeedEntry[];
  /** Where the next page of `recent` starts, or null at the end. */
  nextCursor: string | null;
}

/** A keyset position in "recent": the finish time to the microsecond (as PostgreSQL keeps it) and the signal id. */
const FEED_CURSOR = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z)\|([A-Za-z0-9_]{1,64})$/;

/**
 * A cursor's parts, or null when it is not one this feed hands out: the right shape, and a real instant from 1970 on
 * (a month 13 or a year 0 would otherwise reach PostgreSQL, which refuses them with an error, not an empty page).
 */
export function parseFeedCursor(cursor: string): { at: string; id: string } | null {
  const m = FEED_CURSOR.exec(cursor);
  if (!m) return null;
  const [, at, id] = m as unknown as [string, string, string];
  const ms = Date.parse(`${at.slice(0, 23)}Z`);
  if (!Number.isFinite(ms) || ms < 0 || new Date(ms).toISOString().slice(0, 23) !== at.slice(0, 23)) return null;
  return { at, id };
}

function feedEntry(row: { signal: SignalRow; providerName: string; providerSlug: string }): FeedEntry {
  // Entitled by construction (the provider ids come from entitledProviderIds), so every row is shown in full.
  const view = toView(row.signal, "subscriber") as FullSignalView;
  const event = feedEvent(view);
  return { ...view, providerName: row.providerName, providerSlug: row.providerSlug, event: event.kind, eventAt: event.at };
}

/**
 * The signed-in viewer's dashboard feed, over the providers they follow (entitled subscriptions, paid or not) or, for
 * a provider, their own. The first page lists every one of those providers' pending and open signals (up to
 * FEED_OPEN_PER_PROVIDER each, so one prolific provider cannot push another off the page), then the finished
 * signals, newest finish first, paged by a keyset cursor (stable under inserts: no row twice, none skipped).
 * Times are each signal's event time (src/lib/feed), never `updated_at`.
 */
export async function feedFor(viewer: Viewer, input: { limit: number; cursor?: string | null }): Promise<FeedPage> {
  const ids = [...(await entitledProviderIds(viewer))];
  if (!ids.length) return { open: input.cursor ? null : [], openMore: [], recent: [], nextCursor: null };
  const columns = { signal: signals, providerName: providers.displayName, providerSlug: providers.slug };

  // INVARIANT: the lifecycle sets closed_at on every finish (closed, cancelled, expired), so it is the finish time.
  const finishedAt = sql<string>`to_char(${signals.closedAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
  // Ids compared byte-wise, whatever the database's collation, as src/lib/feed breaks ties in the browser.
  const idOrder = sql`${signals.id} collate "C"`;
  const at = input.cursor ? parseFeedCursor(input.cursor) : null;
  if (input.cursor && !at) throw new ValidationError("That feed position is not valid");
  const recentRows = await db
    .select({ ...columns, position: finishedAt })
    .from(signals)
    .innerJoin(providers, eq(providers.id, signals.providerId))
    .where(
      and(
        inArray(signals.providerId, ids),
        inArray(signals.status, [...FINISHED_SIGNAL_STATUSES]),
        isNotNull(signals.closedAt),
        at ? sql`(${signals.closedAt}, ${idOrder}) < (${at.at}::timestamptz, ${at.id})` : undefined,
      ),
    )
    .orderBy(desc(signals.closedAt), desc(idOrder))
    .limit(input.limit + 1);
  const more = recentRows.length > input.limit;
  const pageRows = recentRows.slice(0, input.limit);
  const last = pageRows.at(-1);
  const page: FeedPage = {
    open: null,
    openMore: [],
    recent: pageRows.map(feedEntry),
    nextCursor: more && last ? `${last.position}|${last.signal.id}` : null,
  };
  if (input.cursor) return page;

  const eventAt = sql`coalesce(${signals.filledAt}, ${signals.publishedAt})`;
  const live = db
    .select({
      id: signals.id,
      rank: sql<number>`row_number() over (partition by ${signals.providerId} order by ${eventAt} desc, ${signals.id} desc)`.as("rank"),
      total: sql<number>`count(*) over (partition by ${signals.providerId})`.as("total"),
    })
    .from(signals)
    .where(and(inArray(signals.providerId, ids), inArray(signals.status, ["pending", "open"])))
    .as("live");
  const openRows = await db
    .select({ ...columns, rank: live.rank, total: live.total })
    .from(live)
    .innerJoin(signals, eq(signals.id, live.id))
    .innerJoin(providers, eq(providers.id, signals.providerId))
    .where(lte(live.rank, FEED_OPEN_PER_PROVIDER));
  page.open = openRows.map(feedEntry).sort(byEventDesc);
  const overflow = new Map<string, FeedPage["openMore"][number]>();
  for (const r of openRows) {
    const extra = Number(r.total) - FEED_OPEN_PER_PROVIDER;
    if (extra > 0) overflow.set(r.signal.providerId, { providerId: r.signal.providerId, providerName: r.providerName, providerSlug: r.providerSlug, more: extra });
  }
  page.openMore = [...overflow.values()].sort((a, b) => a.providerName.localeCompare(b.providerName));
  return page;
}
