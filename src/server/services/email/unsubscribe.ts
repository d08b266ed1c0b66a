/**
 * What the holder of an unsubscribe link may do: unsubscribe in one click (RFC 8058 POST, or the page's button),
 * see and change the preferences of the recipient the link names, and, for a weekly-digest subscriber without an
 * account, stop or resume that digest. The signed token is the only credential: no session, no cookie.
 *
 * Refusals (400, nothing written): a token this server did not sign, or an altered or malformed one; a revoked one
 * (its version is no longer the recipient's stored version). A validly signed token whose recipient is gone (the
 * account deleted, the digest subscription removed) is not refused: nothing is sent to it any more, which is what
 * the link asks for, so one-click answers 200 "already gone" and the page says so.
 */
import "server-only";
import { eq } from "drizzle-orm";
import { db, type Executor } from "@/server/db";
import { digestSubscribers, notificationPrefs, providerAlertPrefs, providers, users } from "@/server/db/schema";
import { ValidationError } from "@/server/errors";
import type { ServiceContext } from "@/server/services/context";
import { maskEmail } from "@/lib/email-mask";
import { readUnsubscribeToken, type UnsubscribeClaim } from "./unsubscribe-link";
import { readPreferences, stopOnboardingSequence, updatePreferences, type Preferences } from "./preferences";

export const INVALID_LINK = "This unsubscribe link is not valid: it was changed or cut short. Open the link from the email again, or sign in and change your email settings.";
export const REVOKED_LINK = "This unsubscribe link was revoked: links in emails sent before then no longer work. Use the link in a newer email, or sign in and change your email settings.";

/** What an email with this topic was about, for the page ("You were sent this email about …"). */
export type TopicSummary =
  | { kind: "signals" }
  | { kind: "provider"; providerId: string; displayName: string | null }
  | { kind: "digest" | "product" | "copy" | "all" | "weekly" };

type Recipient =
  | { kind: "user"; userId: string; email: string; claim: UnsubscribeClaim & { r: "u" } }
  | { kind: "digest"; subscriber: typeof digestSubscribers.$inferSelect; claim: UnsubscribeClaim & { r: "d" } }
  | { kind: "gone" };

/** A signed token's topic, or null when it is not one we send (a token is ours, so this is a bug guard). */
function topicOf(claim: UnsubscribeClaim): { kind: "signals" | "digest" | "product" | "copy" | "all" | "weekly" } | { kind: "provider"; providerId: string } | null {
  if (claim.t.startsWith("signals:")) {
    const providerId = claim.t.slice("signals:".length);
    return providerId ? { kind: "provider", providerId } : null;
  }
  return (["signals", "digest", "product", "copy", "all", "weekly"] as const).includes(claim.t as never) ? { kind: claim.t as "signals" } : null;
}

/**
 * The recipient a token names, checked: forged or malformed → ValidationError(INVALID_LINK); revoked →
 * ValidationError(REVOKED_LINK); signed but the recipient no longer exists → "gone". Read inside `tx` (FOR UPDATE
 * on the digest row is not needed: every write is a single idempotent statement).
 */
async function recipientOf(tx: Executor, token: string): Promise<Recipient> {
  const claim = readUnsubscribeToken(token);
  if (!claim || !topicOf(claim)) throw new ValidationError(INVALID_LINK);
  if (claim.r === "u") {
    const [user] = await tx
      .select({ id: users.id, email: users.email, version: notificationPrefs.unsubscribeVersion })
      .from(users)
      .leftJoin(notificationPrefs, eq(notificationPrefs.userId, users.id))
      .where(eq(users.id, claim.id));
    if (!user) return { kind: "gone" };
    if ((user.version ?? 0) !== claim.v) throw new ValidationError(REVOKED_LINK);
    return { kind: "user", userId: user.id, email: user.email, claim };
  }
  const [subscriber] = await tx.select().from(digestSubscribers).where(eq(digestSubscribers.id, claim.id));
  if (!subscriber) return { kind: "gone" };
  if (subscriber.unsubscribeVersion !== claim.v) throw new ValidationError(REVOKED_LINK);
  return { kind: "digest", subscriber, claim };
}

export type OneClickOutcome = { done: "unsubscribed"; topic: TopicSummary } | { done: "gone" };

/**
 * One-click unsubscribe: turns off what the token's topic names and nothing else. Idempotent (a second POST finds it
 * off and changes nothing more).
 */
export async function unsubscribeWithToken(ctx: ServiceContext, token: string): Promise<OneClickOutcome> {
  return db.transaction(async (tx) => {
    const r = await recipientOf(tx, token);
    if (r.kind === "gone") return { done: "gone" as const };
    if (r.kind === "digest") {
      await tx.update(digestSubscribers).set({ status: "unsubscribed" }).where(eq(digestSubscribers.id, r.subscriber.id));
      return { done: "unsubscribed" as const, topic: { kind: "weekly" as const } };
    }
    const topic = topicOf(r.claim)!;
    const off = (set: Partial<typeof notificationPrefs.$inferInsert>) =>
      tx.insert(notificationPrefs).values({ userId: r.userId, ...set }).onConflictDoUpdate({ target: notificationPrefs.userId, set });
    switch (topic.kind) {
      case "signals":
        await off({ signalEmails: false });
        break;
      case "digest":
        await off({ digestEmails: false });
        break;
      case "copy":
        await off({ copyEmails: false });
        break;
      case "product":
        await off({ productEmails: false });
        await stopOnboardingSequence(tx, r.userId, ctx.now);
        break;
      case "all":
        await off({ signalEmails: false, digestEmails: false, productEmails: false, copyEmails: false });
        await stopOnboardingSequence(tx, r.userId, ctx.now);
        break;
      case "provider": {
        const [provider] = await tx.select({ id: providers.id }).from(providers).where(eq(providers.id, topic.providerId));
        // A provider since deleted sends nothing more: there is nothing to turn off.
        if (provider) {
          await tx
            .insert(providerAlertPrefs)
            .values({ userId: r.userId, providerId: provider.id, newSignal: false, signalClosed: false })
            .onConflictDoUpdate({ target: [providerAlertPrefs.userId, providerAlertPrefs.providerId], set: { newSignal: false, signalClosed: false } });
        }
        break;
      }
      case "weekly":
        // A user's token never carries "weekly" (only digest subscribers' do); refuse rather than guess.
        throw new ValidationError(INVALID_LINK);
    }
    return { done: "unsubscribed" as const, topic: await summary(tx, r.claim) };
  });
}

async function summary(tx: Executor, claim: UnsubscribeClaim): Promise<TopicSummary> {
  const topic = topicOf(claim)!;
  if (topic.kind !== "provider") return { kind: topic.kind };
  const [p] = await tx.select({ displayName: providers.displayName }).from(providers).where(eq(providers.id, topic.providerId));
  return { kind: "provider", providerId: topic.providerId, displayName: p?.displayName ?? null };
}

/** What the unsubscribe page shows for a token. The address is masked: the link may have been forwarded. */
export type TokenView =
  | { recipient: "user"; emailMasked: string; topic: TopicSummary; preferences: Preferences }
  | {
      recipient: "digest";
      emailMasked: string;
      topic: TopicSummary;
      weekly: { subscribed: boolean; providerName: string | null; providerSlug: string | null };
    }
  | { recipient: "gone" };

export async function viewForToken(_ctx: ServiceContext, token: string): Promise<TokenView> {
  return db.transaction(async (tx) => {
    const r = await recipientOf(tx, token);
    if (r.kind === "gone") return { recipient: "gone" as const };
    if (r.kind === "user") {
      return { recipient: "user" as const, emailMasked: maskEmail(r.email), topic: await summary(tx, r.claim), preferences: await readPreferences(tx, r.userId) };
    }
    const s = r.subscriber;
    const [p] = s.providerId ? await tx.select({ displayName: providers.displayName, slug: providers.slug }).from(providers).where(eq(providers.id, s.providerId)) : [];
    return {
      recipient: "digest" as const,
      emailMasked: maskEmail(s.email),
      topic: { kind: "weekly" as const },
      weekly: { subscribed: s.status === "confirmed", providerName: p?.displayName ?? null, providerSlug: p?.slug ?? null },
    };
  });
}

const GONE = "Nothing is sent to this address any more: the account or subscription it was for no longer exists.";

/** The token's user changes their preferences (the same rules as Settings). A digest subscriber's token cannot. */
export async function updatePreferencesWithToken(ctx: ServiceContext, token: string, input: unknown): Promise<Preferences> {
  return db.transaction(async (tx) => {
    const r = await recipientOf(tx, token);
    if (r.kind === "gone") throw new ValidationError(GONE);
    if (r.kind === "digest") throw new ValidationError("This link is for the weekly digest: it can only stop or resume that digest.");
    await updatePreferences(tx, r.userId, input, ctx.now);
    return readPreferences(tx, r.userId);
  });
}

/**
 * A weekly-digest subscriber stops or resumes it. Resuming needs a subscription that was confirmed once (double
 * opt-in): the link only reached someone who confirmed, but a pending one is never switched on from here.
 */
export async function setWeeklyDigestWithToken(_ctx: ServiceContext, token: string, subscribed: unknown): Promise<{ subscribed: boolean }> {
  if (typeof subscribed !== "boolean") throw new ValidationError("Say whether you want the weekly digest", { subscribed: ["Say whether you want the weekly digest"] });
  return db.transaction(async (tx) => {
    const r = await recipientOf(tx, token);
    if (r.kind === "gone") throw new ValidationError(GONE);
    if (r.kind === "user") throw new ValidationError("This link is for an account's email: change the choices listed on this page instead.");
    if (subscribed && !r.subscriber.confirmedAt) throw new ValidationError("This subscription was never confirmed: sign up for the weekly digest again from the provider's page.");
    await tx
      .update(digestSubscribers)
      .set({ status: subscribed ? "confirmed" : "unsubscribed" })
      .where(eq(digestSubscribers.id, r.subscriber.id));
    return { subscribed };
  });
}
