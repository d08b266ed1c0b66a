/**
 * Who a destination hears about, and the per-provider choices of each destination (channel_provider_prefs), the
 * channels' twin of the email alerts' provider_alert_prefs.
 *
 * Followers, as email alerts count them (services/alerts/signals.ts `alertRecipients`): an entitled subscriber (an
 * active, trialing or in-grace subscription, `entitledNow`), or anyone with a following (copy settings) of the
 * provider: the free paper tier and lapsed subscribers, who hear about signals without their levels. A provider
 * never follows itself here (its own signals reach only its `community` destinations).
 *
 * No preference row means both choices on; the destination's `events` still apply. `signal.updated` follows the
 * new-signal choice (the changes of an open signal belong with its publication).
 *
 * INVARIANT: `followerScopes` and `followedProviders` read the same two sources with the same entitlement rule as
 * `alertRecipients`, so a channel and an email agree on who follows and who is entitled (tested in fanout.test.ts).
 */
import "server-only";
import { and, asc, eq, inArray, ne } from "drizzle-orm";
import type { Executor } from "@/server/db";
import { channelProviderPrefs, copySettings, providers, subscriptions } from "@/server/db/schema";
import { entitledNow } from "@/server/services/entitlements";
import { ValidationError } from "@/server/errors";
import type { SignalEventType } from "./events";

/** The per-provider choice that governs a signal event type. */
export function providerPrefFor(type: SignalEventType): "newSignal" | "signalClosed" {
  return type === "signal.closed" ? "signalClosed" : "newSignal";
}

/**
 * The provider's followers, as two subqueries of user ids: `entitled` (an entitled subscription now) and `following`
 * (a following: the free paper tier, a lapsed subscription, or an entitled one that copies). A follower is in either.
 * The provider's own user must be excluded by the caller (a provider never follows itself here).
 */
export function followerScopes(tx: Executor, providerId: string, now: Date) {
  return {
    entitled: tx
      .select({ userId: subscriptions.subscriberId })
      .from(subscriptions)
      .where(and(eq(subscriptions.providerId, providerId), entitledNow(now))),
    following: tx.select({ userId: copySettings.userId }).from(copySettings).where(eq(copySettings.providerId, providerId)),
  };
}

export interface FollowedProvider {
  providerId: string;
  name: string;
  slug: string;
  entitled: boolean;
}

/** The providers a user follows (as `followersOf` counts it), by name. */
export async function followedProviders(tx: Executor, userId: string, now: Date): Promise<FollowedProvider[]> {
  const [entitled, following] = await Promise.all([
    tx
      .select({ providerId: subscriptions.providerId })
      .from(subscriptions)
      .where(and(eq(subscriptions.subscriberId, userId), entitledNow(now))),
    tx.select({ providerId: copySettings.providerId }).from(copySettings).where(eq(copySettings.userId, userId)),
  ]);
  const entitledIds = new Set(entitled.map((e) => e.providerId));
  const ids = [...new Set([...entitledIds, ...following.map((f) => f.providerId)])];
  if (!ids.length) return [];
  const rows = await tx
    .select({ providerId: providers.id, name: providers.displayName, slug: providers.slug })
    .from(providers)
    .where(and(inArray(providers.id, ids), ne(providers.userId, userId)))
    .orderBy(asc(providers.displayName), asc(providers.id));
  return rows.map((r) => ({ ...r, entitled: entitledIds.has(r.providerId) }));
}

export interface ProviderPref {
  providerId: string;
  newSignal: boolean;
  signalClosed: boolean;
}

/** The stored choices of some destinations (no row: both on), by channel id then provider id. */
export async function prefsOf(tx: Executor, channelIds: readonly string[]): Promise<Map<string, Map<string, ProviderPref>>> {
  const out = new Map<string, Map<string, ProviderPref>>();
  if (!channelIds.length) return out;
  const rows = await tx.select().from(channelProviderPrefs).where(inArray(channelProviderPrefs.channelId, [...channelIds]));
  for (const r of rows) {
    const byProvider = out.get(r.channelId) ?? new Map<string, ProviderPref>();
    byProvider.set(r.providerId, { providerId: r.providerId, newSignal: r.newSignal, signalClosed: r.signalClosed });
    out.set(r.channelId, byProvider);
  }
  return out;
}

/**
 * Saves a destination's per-provider choices (upserts). Only providers its owner follows may be named: anything else
 * is refused with a message, and nothing is written.
 */
export async function saveProviderPrefs(tx: Executor, channel: { id: string; userId: string }, prefs: readonly ProviderPref[], now: Date): Promise<void> {
  if (!prefs.length) return;
  const followed = new Set((await followedProviders(tx, channel.userId, now)).map((p) => p.providerId));
  const stranger = prefs.find((p) => !followed.has(p.providerId));
  if (stranger) throw new ValidationError("You can only choose alerts for providers you follow", { providerPrefs: ["You can only choose alerts for providers you follow"] });
  for (const p of prefs) {
    await tx
      .insert(channelProviderPrefs)
      .values({ channelId: channel.id, providerId: p.providerId, newSignal: p.newSignal, signalClosed: p.signalClosed })
      .onConflictDoUpdate({
        target: [channelProviderPrefs.channelId, channelProviderPrefs.providerId],
        set: { newSignal: p.newSignal, signalClosed: p.signalClosed, updatedAt: now },
      });
  }
}
