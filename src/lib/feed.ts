/**
 * The dashboard feed's rules, shared by the server (which pages the feed) and the browser (which merges the live
 * stream into it): which section a signal belongs in, which event places it in time, the one order of each section,
 * and how live deliveries join the fetched pages without a row appearing twice.
 *
 * Sections: "open" holds every pending or open signal of the providers the viewer follows; "recent" holds the
 * finished ones (closed, cancelled, expired), newest change first. A signal's status puts it in exactly one section.
 */

export type FeedStatus = "pending" | "open" | "closed" | "cancelled" | "expired";
export type FeedSection = "open" | "recent";
export type FeedEventKind = "published" | "filled" | "closed" | "cancelled" | "expired";

/** What the feed needs of a signal to place it. */
export interface FeedSignalLike {
  id: string;
  status: FeedStatus;
  publishedAt: Date;
  filledAt: Date | null;
  closedAt: Date | null;
}

export const sectionOf = (s: Pick<FeedSignalLike, "status">): FeedSection => (s.status === "pending" || s.status === "open" ? "open" : "recent");

/**
 * The change that places a signal in the feed, and when it happened: its finish (closed, cancelled, expired), else
 * the fill of a limit entry, else its publication (a market entry fills as it is published). The time is always the
 * event's own time, never when the row was last written, so a backfill or a migration cannot reorder the feed.
 */
export function feedEvent(s: FeedSignalLike): { kind: FeedEventKind; at: Date } {
  if (s.status === "closed" || s.status === "cancelled" || s.status === "expired") return { kind: s.status, at: s.closedAt ?? s.filledAt ?? s.publishedAt };
  if (s.filledAt && s.filledAt.getTime() > s.publishedAt.getTime()) return { kind: "filled", at: s.filledAt };
  return { kind: "published", at: s.publishedAt };
}

/** Newest event first; ties by id, descending, as the server's keyset pages them. */
export function byEventDesc(a: FeedSignalLike, b: FeedSignalLike): number {
  const d = feedEvent(b).at.getTime() - feedEvent(a).at.getTime();
  if (d) return d;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/**
 * The feed as shown: the fetched sections plus live deliveries (newest first, as the stream sent them). A live version replaces the fetched one of the same signal, wherever either sits, so a signal that closed
 * leaves "open" for "recent" and no signal is listed twice. Each section comes back in `byEventDesc` order.
 */
export function mergeFeed<T extends FeedSignalLike>(fetched: { open: readonly T[]; recent: readonly T[] }, live: readonly T[]): { open: T[]; recent: T[] } {
  const latest = new Map<string, T>();
  for (const s of [...fetched.open, ...fetched.recent]) if (!latest.has(s.id)) latest.set(s.id, s);
  // Oldest delivery first, so the newest version of a signal is the one kept.
  for (const s of [...live].reverse()) latest.set(s.id, s);
  const open: T[] = [];
  const recent: T[] = [];
  for (const s of latest.values()) (sectionOf(s) === "open" ? open : recent).push(s);
  return { open: open.sort(byEventDesc), recent: recent.sort(byEventDesc) };
}
