/**
 * Channel fan-out: turns the app's events (a signal published, changed or closed; copy orders settled; copying
 * paused by a risk rule) into one queued delivery per destination that wants it, from the `channel-alerts` job, never
 * on the publishing or copying path. The drain (./drain.ts) sends them.
 *
 * Who receives what:
 * - Signal events on `alerts` destinations: the destination's owner follows the provider (./preferences.ts
 *   `followerScopes`: entitled subscribers, and free or lapsed followings, as email alerts count them; never the provider
 *   itself), the destination lists the event type, and its per-provider choice for that provider is on.
 * - Signal events on `community` destinations: the provider's own destinations of that purpose; entitled means the
 *   provider chose `includeLevels`.
 * - Copy events (copy.filled / skipped / rejected, copy.risk_paused): only the order's (or the following's) own user's
 *   `alerts` destinations that list the event type.
 *
 * INVARIANT: every signal event's data is built by `signalEventData()` with the destination's `entitled`, so an open
 * signal's market, side and levels are stored in a payload only for an entitled destination (tested on the stored
 * payloads: the entitlement matrix in fanout.test.ts).
 * INVARIANT: a delivery's dedupe key is `<source>:<channelId>` (source: the signal chain entry sev_…, the copy order
 * and its outcome, or the risk pause) and its event id `evt_` + a hash of the source, so a retried or repeated run
 * queues nothing twice, and every destination and redelivery of one event carries the same event id.
 * Only events of the last `CHANNEL_LOOKBACK_MS` are sent, and a destination never receives an event older than itself
 * (no history on a new destination).
 */
import "server-only";
import { createHash } from "node:crypto";
import { and, arrayContains, desc, eq, inArray, ne, or, sql } from "drizzle-orm";
import { db, type Executor } from "@/server/db";
import { copyOrders, copySettings, exchangeConnections, notificationChannels, providers, signalEvents, signals, type SignalEventKind } from "@/server/db/schema";
import type { JobEvents } from "@/server/jobs/events";
import { appBaseUrl } from "@/server/http/base-url";
import { signalEventData, type ChannelEvent, type CopyEventData, type ProviderRef, type SignalEventData, type SignalEventType } from "./events";
import { followerScopes, prefsOf, providerPrefFor } from "./preferences";
import { payloadFor } from "./payload";
import { queueDeliveries, type QueuedDelivery } from "./queue";

/** Events older than this are never sent (a late or re-run job sends no history). */
export const CHANNEL_LOOKBACK_MS = 24 * 60 * 60 * 1000;

/** The event id every destination of one event shares (receivers dedupe by it): stable for the same source. */
export function eventIdOf(source: string): string {
  return `evt_${createHash("sha256").update(source).digest("hex").slice(0, 24)}`;
}

type Channel = typeof notificationChannels.$inferSelect;

const ENDED = ["closed", "cancelled", "expired"] as const satisfies readonly SignalEventKind[];

/** Active destinations of these users and purpose that list `type`. */
async function destinationsOf(tx: Executor, userIds: readonly string[], purpose: "alerts" | "community", type: string): Promise<Channel[]> {
  if (!userIds.length) return [];
  return tx
    .select()
    .from(notificationChannels)
    .where(
      and(
        inArray(notificationChannels.userId, [...userIds]),
        eq(notificationChannels.purpose, purpose),
        eq(notificationChannels.status, "active"),
        arrayContains(notificationChannels.events, [type]),
      ),
    );
}

/**
 * The active `alerts` destinations listing `type` whose owners follow the provider (./preferences.ts `followerScopes`:
 * the same people and entitlement rule as email alerts), each with whether its owner is entitled now. One statement,
 * with the followers as subqueries (no id list, however large the audience).
 */
async function followerDestinations(tx: Executor, provider: { id: string; userId: string }, type: string, now: Date): Promise<{ channel: Channel; entitled: boolean }[]> {
  const { entitled, following } = followerScopes(tx, provider.id, now);
  const rows = await tx
    .select({ channel: notificationChannels, entitled: sql<boolean>`${inArray(notificationChannels.userId, entitled)}` })
    .from(notificationChannels)
    .where(
      and(
        or(inArray(notificationChannels.userId, entitled), inArray(notificationChannels.userId, following)),
        ne(notificationChannels.userId, provider.userId),
        eq(notificationChannels.purpose, "alerts"),
        eq(notificationChannels.status, "active"),
        arrayContains(notificationChannels.events, [type]),
      ),
    );
  // PostgreSQL answers a boolean; a driver that hands back 't' is read the same way.
  return rows.map((r) => ({ channel: r.channel, entitled: r.entitled === true || (r.entitled as unknown) === "t" }));
}

export interface SignalFanoutInput {
  signalId: string;
  providerId: string;
  trigger: "published" | "updated" | "closed";
  /** updated: the chain entry kind that changed it (filled, stop_moved, partial_close). */
  kind?: string;
}

const TYPE_OF: Record<SignalFanoutInput["trigger"], SignalEventType> = { published: "signal.published", updated: "signal.updated", closed: "signal.closed" };

/** The chain entry the job event is about: the publication, the latest change of its kind, or the ending. */
async function chainEntryOf(tx: Executor, input: SignalFanoutInput) {
  const kinds: SignalEventKind[] =
    input.trigger === "published" ? ["published"] : input.trigger === "closed" ? [...ENDED] : input.kind ? [input.kind as SignalEventKind] : [];
  if (!kinds.length) return null;
  const [entry] = await tx
    .select({ id: signalEvents.id, kind: signalEvents.kind, at: signalEvents.at, createdAt: signalEvents.createdAt })
    .from(signalEvents)
    .where(and(eq(signalEvents.signalId, input.signalId), eq(signalEvents.providerId, input.providerId), inArray(signalEvents.kind, kinds)))
    .orderBy(desc(signalEvents.seq))
    .limit(1);
  return entry ?? null;
}

/** Queues a signal event's deliveries; returns how many were queued (0 when the run is a repeat). */
export async function fanOutSignalEvent(input: SignalFanoutInput, now: Date = new Date()): Promise<{ queued: number }> {
  return db.transaction(async (tx) => {
    const [provider] = await tx
      .select({ id: providers.id, slug: providers.slug, name: providers.displayName, userId: providers.userId, automated: providers.automated })
      .from(providers)
      .where(eq(providers.id, input.providerId));
    const [signal] = await tx.select().from(signals).where(and(eq(signals.id, input.signalId), eq(signals.providerId, input.providerId)));
    if (!provider || !signal) return { queued: 0 };
    // A signal that ended before its publication went out is told by the closed event alone (as email alerts do).
    if (input.trigger === "published" && (ENDED as readonly string[]).includes(signal.status)) return { queued: 0 };
    const entry = await chainEntryOf(tx, input);
    if (!entry || entry.createdAt.getTime() < now.getTime() - CHANNEL_LOOKBACK_MS) return { queued: 0 };
    const type = TYPE_OF[input.trigger];

    // A community channel posts its owner's personal provider's signals, never a strategy they run live (automated).
    const communityOwners = provider.automated ? [] : [provider.userId];
    const [alerts, community] = await Promise.all([followerDestinations(tx, provider, type, now), destinationsOf(tx, communityOwners, "community", type)]);
    const prefs = await prefsOf(tx, alerts.map((a) => a.channel.id));
    const pref = providerPrefFor(type);
    const wanted = [
      ...alerts.filter((a) => prefs.get(a.channel.id)?.get(provider.id)?.[pref] ?? true).map((a) => ({ c: a.channel, entitled: a.entitled })),
      ...community.map((c) => ({ c, entitled: c.includeLevels })),
    ].filter(({ c }) => c.createdAt.getTime() <= entry.createdAt.getTime());
    if (!wanted.length) return { queued: 0 };

    const ref: ProviderRef = { id: provider.id, slug: provider.slug, name: provider.name };
    const base = appBaseUrl();
    const dataFor = new Map<boolean, SignalEventData>();
    const data = (entitled: boolean) => {
      let d = dataFor.get(entitled);
      if (!d) {
        d = signalEventData(signal, ref, { entitled, baseUrl: base, ...(input.trigger === "updated" ? { change: entry.kind } : {}) });
        dataFor.set(entitled, d);
      }
      return d;
    };
    const id = eventIdOf(entry.id);
    const rows: QueuedDelivery[] = wanted.map(({ c, entitled }) => {
      const event: ChannelEvent = { id, type, occurredAt: entry.at, data: data(entitled) };
      return { channelId: c.id, userId: c.userId, event, payload: payloadFor(c.kind, event), dedupeKey: `${entry.id}:${c.id}` };
    });
    return { queued: await queueDeliveries(tx, rows, now) };
  });
}

/** Skip and rejection reasons are stored "<code>: <words for people>"; channels show the words. */
function reasonWords(reason: string | null): string | null {
  if (!reason) return null;
  const at = reason.indexOf(": ");
  return at > 0 && /^[a-z_]+$/.test(reason.slice(0, at)) ? reason.slice(at + 2) : reason;
}

/** Queues the deliveries of the copy orders one event settled, to each order's own user's destinations. */
export async function fanOutCopyOrders(event: JobEvents["copy/orders.settled"], now: Date = new Date()): Promise<{ queued: number }> {
  const outcomeOf = new Map<string, "filled" | "skipped" | "rejected">();
  for (const outcome of ["filled", "skipped", "rejected"] as const) for (const id of event[outcome]) outcomeOf.set(id, outcome);
  if (!outcomeOf.size) return { queued: 0 };
  return db.transaction(async (tx) => {
    const orders = await tx
      .select({
        order: copyOrders,
        providerName: providers.displayName,
        providerSlug: providers.slug,
        signalNumber: signals.number,
        connectionLabel: exchangeConnections.label,
      })
      .from(copyOrders)
      .leftJoin(providers, eq(providers.id, copyOrders.providerId))
      .leftJoin(signals, eq(signals.id, copyOrders.signalId))
      .leftJoin(exchangeConnections, and(eq(exchangeConnections.id, copyOrders.venue), eq(exchangeConnections.userId, copyOrders.userId)))
      .where(inArray(copyOrders.id, [...outcomeOf.keys()]));
    const recent = orders.filter((o) => o.order.createdAt.getTime() >= now.getTime() - CHANNEL_LOOKBACK_MS);
    if (!recent.length) return { queued: 0 };
    const userIds = [...new Set(recent.map((o) => o.order.userId))];
    const channels = await tx
      .select()
      .from(notificationChannels)
      .where(and(inArray(notificationChannels.userId, userIds), eq(notificationChannels.purpose, "alerts"), eq(notificationChannels.status, "active")));
    const base = appBaseUrl();
    const rows: QueuedDelivery[] = [];
    for (const o of recent) {
      const outcome = outcomeOf.get(o.order.id)!;
      const type = `copy.${outcome}` as const;
      const data: CopyEventData = {
        provider: o.providerName && o.providerSlug ? { id: o.order.providerId, slug: o.providerSlug, name: o.providerName } : null,
        signalNumber: o.signalNumber ?? null,
        order: {
          id: o.order.id,
          venue: o.order.venue,
          venueName: o.order.venue === "paper" ? "Paper account" : (o.connectionLabel ?? "Your exchange connection"),
          symbol: o.order.symbol,
          side: o.order.side,
          leg: o.order.leg,
          quantity: o.order.quantity,
          fillPrice: outcome === "filled" ? o.order.fillPrice : null,
          fee: outcome === "filled" ? o.order.fee : null,
          reason: outcome === "filled" ? null : reasonWords(o.order.reason),
        },
        url: `${base}/copy`,
      };
      const source = `copy:${o.order.id}:${outcome}`;
      const ev: ChannelEvent = { id: eventIdOf(source), type, occurredAt: (o.order.filledAt ?? o.order.createdAt).toISOString(), data };
      for (const c of channels) {
        if (c.userId !== o.order.userId || !c.events.includes(type) || c.createdAt.getTime() > o.order.createdAt.getTime()) continue;
        rows.push({ channelId: c.id, userId: c.userId, event: ev, payload: payloadFor(c.kind, ev), dedupeKey: `${source}:${c.id}` });
      }
    }
    return { queued: await queueDeliveries(tx, rows, now) };
  });
}

/**
 * Queues the risk-pause alert to the follower's destinations. Keyed by the pause itself (the following's paused_at for
 * the copy stop-loss), else by the job event, as the risk-pause email is.
 */
export async function fanOutRiskPause(data: JobEvents["copy/risk.paused"], eventId: string, now: Date = new Date()): Promise<{ queued: number }> {
  return db.transaction(async (tx) => {
    const [who] = await tx
      .select({ slug: providers.slug, name: providers.displayName, pausedAt: copySettings.pausedAt, pausedReason: copySettings.pausedReason })
      .from(providers)
      .leftJoin(copySettings, and(eq(copySettings.providerId, providers.id), eq(copySettings.userId, data.userId)))
      .where(eq(providers.id, data.providerId));
    if (!who) return { queued: 0 };
    const pause = data.reason === "copy_stop_loss" && who.pausedReason === "copy_stop" && who.pausedAt ? who.pausedAt.toISOString() : `event:${eventId}`;
    const source = `copy-risk-paused:${data.userId}:${data.providerId}:${data.reason}:${pause}`;
    const channels = await destinationsOf(tx, [data.userId], "alerts", "copy.risk_paused");
    const ev: ChannelEvent = {
      id: eventIdOf(source),
      type: "copy.risk_paused",
      occurredAt: (who.pausedAt ?? now).toISOString(),
      data: { provider: { id: data.providerId, slug: who.slug, name: who.name }, reason: data.reason, url: `${appBaseUrl()}/copy` },
    };
    const rows = channels.map((c) => ({ channelId: c.id, userId: c.userId, event: ev, payload: payloadFor(c.kind, ev), dedupeKey: `${source}:${c.id}` }));
    return { queued: await queueDeliveries(tx, rows, now) };
  });
}
