/**
 * Who wants which non-transactional email, and the one place those choices are read and changed. A user without a
 * `notification_prefs` row has every choice on (the defaults), and a follower without a `provider_alert_prefs` row
 * gets both alerts of that provider. Transactional email (verification, reset, receipts, security) is never checked
 * here: it is sent whatever these say.
 *
 * Two kinds of caller change them: the signed-in owner (Settings, the owner from the session) and the holder of an
 * unsubscribe link (./unsubscribe.ts, the user named by the signed token). Both end in `updatePreferences`, so the
 * rules (hour 0–23, an IANA zone, providers that exist) are the same for both.
 */
import "server-only";
import { and, asc, eq, inArray, isNull, sql } from "drizzle-orm";
import { db, type Executor } from "@/server/db";
import { copySettings, notificationPrefs, onboarding, providerAlertPrefs, providers, subscriptions } from "@/server/db/schema";
import { ValidationError } from "@/server/errors";
import { recordAudit } from "@/server/services/audit";
import type { ActingContext } from "@/server/services/context";
import { fieldErrorsFromZod, firstFieldError } from "@/lib/validation/field-errors";
import { notificationPrefsSchema, type NotificationPrefsInput } from "@/lib/validation/email-preferences";

export type EmailChoice =
  | { kind: "new_signal" | "signal_closed"; providerId: string }
  | { kind: "digest" }
  | { kind: "product" }
  | { kind: "copy" };

/** Whether `userId` wants this email now (read inside the transaction that queues it). */
export async function emailAllowed(tx: Executor, userId: string, choice: EmailChoice): Promise<boolean> {
  const [prefs] = await tx.select().from(notificationPrefs).where(eq(notificationPrefs.userId, userId));
  switch (choice.kind) {
    case "digest":
      return prefs?.digestEmails ?? true;
    case "product":
      return prefs?.productEmails ?? true;
    case "copy":
      return prefs?.copyEmails ?? true;
    case "new_signal":
    case "signal_closed": {
      if (prefs && !prefs.signalEmails) return false;
      const [own] = await tx
        .select()
        .from(providerAlertPrefs)
        .where(and(eq(providerAlertPrefs.userId, userId), eq(providerAlertPrefs.providerId, choice.providerId)));
      if (!own) return true;
      return choice.kind === "new_signal" ? own.newSignal : own.signalClosed;
    }
  }
}

/** The column defaults of `notification_prefs`, for a user who has no row yet. */
export const DEFAULT_PREFS = {
  signalEmails: true,
  digestEmails: true,
  productEmails: true,
  copyEmails: true,
  digestHour: 8,
  timeZone: "UTC",
} as const;

export interface ProviderAlertChoice {
  providerId: string;
  displayName: string;
  slug: string;
  newSignal: boolean;
  signalClosed: boolean;
}

export interface Preferences {
  signalEmails: boolean;
  digestEmails: boolean;
  productEmails: boolean;
  copyEmails: boolean;
  digestHour: number;
  timeZone: string;
  /** Per-provider alert choices for the providers the user follows (and any provider they made a choice for). */
  providers: ProviderAlertChoice[];
}

/** Subscription states in which a follower still hears from the provider (a paused or failing payment included). */
const FOLLOWING_STATUSES = ["trialing", "active", "past_due", "paused"] as const;

/**
 * The providers whose alerts a user can choose: those they subscribe to or copy, and any they already made a choice
 * for (so a stored "off" stays visible and can be turned back on). By display name.
 */
async function followedProviders(tx: Executor, userId: string): Promise<ProviderAlertChoice[]> {
  const followed = tx
    .select({ providerId: subscriptions.providerId })
    .from(subscriptions)
    .where(and(eq(subscriptions.subscriberId, userId), inArray(subscriptions.status, [...FOLLOWING_STATUSES])))
    .union(tx.select({ providerId: copySettings.providerId }).from(copySettings).where(eq(copySettings.userId, userId)))
    .union(tx.select({ providerId: providerAlertPrefs.providerId }).from(providerAlertPrefs).where(eq(providerAlertPrefs.userId, userId)));
  const rows = await tx
    .select({
      providerId: providers.id,
      displayName: providers.displayName,
      slug: providers.slug,
      newSignal: sql<boolean>`coalesce(${providerAlertPrefs.newSignal}, true)`,
      signalClosed: sql<boolean>`coalesce(${providerAlertPrefs.signalClosed}, true)`,
    })
    .from(providers)
    .leftJoin(providerAlertPrefs, and(eq(providerAlertPrefs.providerId, providers.id), eq(providerAlertPrefs.userId, userId)))
    .where(inArray(providers.id, followed))
    .orderBy(asc(providers.displayName), asc(providers.id));
  // postgres.js and PGlite both return booleans for coalesce(boolean, boolean); Boolean() keeps the type honest.
  return rows.map((r) => ({ ...r, newSignal: Boolean(r.newSignal), signalClosed: Boolean(r.signalClosed) }));
}

/** A user's preferences (the defaults where nothing is stored). */
export async function readPreferences(tx: Executor, userId: string): Promise<Preferences> {
  const [row] = await tx.select().from(notificationPrefs).where(eq(notificationPrefs.userId, userId));
  const base = row
    ? {
        signalEmails: row.signalEmails,
        digestEmails: row.digestEmails,
        productEmails: row.productEmails,
        copyEmails: row.copyEmails,
        digestHour: row.digestHour,
        timeZone: row.timeZone,
      }
    : { ...DEFAULT_PREFS };
  return { ...base, providers: await followedProviders(tx, userId) };
}

/** The patch, checked by the shared schema (the service is an entry point of its own: the unsubscribe page calls it too). */
export function parsePreferencesPatch(input: unknown): NotificationPrefsInput {
  const parsed = notificationPrefsSchema.safeParse(input);
  if (!parsed.success) {
    const fieldErrors = fieldErrorsFromZod(parsed.error);
    throw new ValidationError(firstFieldError(fieldErrors) ?? parsed.error.issues[0]?.message ?? "These preferences could not be read", fieldErrors);
  }
  return parsed.data;
}

/**
 * Applies a patch to `userId`'s preferences in one transaction: nothing is written unless all of it is valid (a
 * provider that does not exist refuses the whole patch). Turning product email off also stops the onboarding email
 * sequence at once.
 */
export async function updatePreferences(tx: Executor, userId: string, input: unknown, now: Date): Promise<void> {
  const patch = parsePreferencesPatch(input);
  const { providers: providerChoices, ...own } = patch;
  if (providerChoices?.length) {
    const ids = providerChoices.map((p) => p.providerId);
    const found = new Set((await tx.select({ id: providers.id }).from(providers).where(inArray(providers.id, ids))).map((r) => r.id));
    const unknown = ids.filter((id) => !found.has(id));
    if (unknown.length) {
      const message = `No provider ${unknown.map((id) => `"${id}"`).join(", ")}: alert choices can only be made for providers that exist`;
      throw new ValidationError(message, { providers: [message] });
    }
  }
  const set = Object.fromEntries(Object.entries(own).filter(([, v]) => v !== undefined)) as Partial<typeof own>;
  if (Object.keys(set).length) {
    await tx
      .insert(notificationPrefs)
      .values({ userId, ...set })
      .onConflictDoUpdate({ target: notificationPrefs.userId, set });
  }
  for (const p of providerChoices ?? []) {
    await tx
      .insert(providerAlertPrefs)
      .values({ userId, providerId: p.providerId, newSignal: p.newSignal, signalClosed: p.signalClosed })
      .onConflictDoUpdate({ target: [providerAlertPrefs.userId, providerAlertPrefs.providerId], set: { newSignal: p.newSignal, signalClosed: p.signalClosed } });
  }
  if (set.productEmails === false) await stopOnboardingSequence(tx, userId, now);
}

/** The onboarding email sequence stops at once (its job reads `sequenceStoppedAt` before each step). */
export async function stopOnboardingSequence(tx: Executor, userId: string, now: Date): Promise<void> {
  await tx.update(onboarding).set({ sequenceStoppedAt: now }).where(and(eq(onboarding.userId, userId), isNull(onboarding.sequenceStoppedAt)));
}

/**
 * Bumps the user's unsubscribe version: every unsubscribe link in email already sent stops working (the page and the
 * one-click POST refuse it); email sent from now on carries links with the new version.
 */
export async function revokeUnsubscribeLinks(tx: Executor, userId: string): Promise<number> {
  const [row] = await tx
    .insert(notificationPrefs)
    .values({ userId, unsubscribeVersion: 1 })
    .onConflictDoUpdate({ target: notificationPrefs.userId, set: { unsubscribeVersion: sql`${notificationPrefs.unsubscribeVersion} + 1` } })
    .returning({ v: notificationPrefs.unsubscribeVersion });
  return row!.v;
}

// ---- the signed-in owner (Settings) ----

export async function getMyPreferences(ctx: ActingContext): Promise<Preferences> {
  return readPreferences(db, ctx.actor.id);
}

export async function updateMyPreferences(ctx: ActingContext, input: unknown): Promise<Preferences> {
  const userId = ctx.actor.id;
  return db.transaction(async (tx) => {
    await updatePreferences(tx, userId, input, ctx.now);
    return readPreferences(tx, userId);
  });
}

export async function revokeMyUnsubscribeLinks(ctx: ActingContext): Promise<void> {
  const userId = ctx.actor.id;
  await db.transaction(async (tx) => {
    const version = await revokeUnsubscribeLinks(tx, userId);
    await recordAudit(tx, { actorId: userId, action: "user.unsubscribe_links_revoked", targetType: "user", targetId: userId, data: { version }, ip: ctx.ip, userAgent: ctx.userAgent });
  });
}
