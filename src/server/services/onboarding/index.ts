/**
 * Onboarding: the row each user gets at sign-up (path trader or provider), the in-app checklist read from the data
 * each step describes (src/lib/checklist), its "skip", the marketplace visit the product records for it, and the
 * welcome email (day 0 of the sequence, ./sequence.ts).
 */
import "server-only";
import { and, count, eq, isNull } from "drizzle-orm";
import { createElement } from "react";
import { db, type Executor } from "@/server/db";
import { copySettings, exchangeConnections, onboarding, providers, signals, subscriptions, users, personalProviderOf } from "@/server/db/schema";
import type { ActingContext } from "@/server/services/context";
import { queueEmail } from "@/server/services/email/outbox";
import { entitledNow } from "@/server/services/entitlements";
import { progress, providerChecklist, stepsToDo, traderChecklist, type ChecklistStep, type Progress, type StepId } from "@/lib/checklist";
import { STEP_ADVICE } from "@/lib/onboarding/advice";
import Welcome from "@emails/welcome";
import type { OnboardingStepLine } from "@emails/_onboarding";

export type OnboardingPath = "trader" | "provider";

export const pathForRole = (role: string): OnboardingPath => (role === "provider" ? "provider" : "trader");

/** The sequence's emails, each sent once per user: its outbox dedupe key. */
export const sequenceDedupeKey = (userId: string, step: string) => `onboarding:${userId}:${step}`;

/**
 * Creates the user's onboarding row in the sign-up (or OAuth onboarding) transaction; the sequence starts now.
 * A second call (a retried onboarding) keeps the first row.
 */
export async function startOnboarding(tx: Executor, userId: string, path: OnboardingPath, now: Date): Promise<void> {
  await tx.insert(onboarding).values({ userId, path, sequenceStartedAt: now }).onConflictDoNothing({ target: onboarding.userId });
}

export interface Checklist {
  path: OnboardingPath;
  steps: ChecklistStep[];
  progress: Progress;
  /** When the user skipped the checklist (the dashboard hides it, with a way back), or null. */
  skippedAt: Date | null;
}

/** The user's checklist from their data now, or null when the account is gone. */
export async function checklistFor(userId: string, tx: Executor = db, now: Date = new Date()): Promise<Checklist | null> {
  const [user] = await tx
    .select({ role: users.role, disclaimerAcceptedAt: users.disclaimerAcceptedAt, path: onboarding.path, skippedAt: onboarding.checklistSkippedAt, browsedAt: onboarding.marketplaceBrowsedAt })
    .from(users)
    .leftJoin(onboarding, eq(onboarding.userId, users.id))
    .where(eq(users.id, userId));
  if (!user) return null;
  // Accounts older than the onboarding table have no row: their role says which path they are on.
  const path = user.path ?? pathForRole(user.role);
  const [provider] = path === "provider" ? await tx.select().from(providers).where(personalProviderOf(userId)) : [];
  let steps: ChecklistStep[];
  if (path === "provider") {
    const [published] = provider ? await tx.select({ n: count() }).from(signals).where(eq(signals.providerId, provider.id)) : [];
    steps = providerChecklist({
      profile: provider ?? { tagline: "", bio: "", markets: [] },
      payoutsEnabled: provider?.payoutsEnabled ?? false,
      priceSet: Boolean(provider?.stripePriceId),
      publishedSignals: published?.n ?? 0,
      tradingViewConnected: Boolean(provider?.webhookTokenHash),
    });
  } else {
    const [[subs], [copying], [exchanges]] = await Promise.all([
      tx.select({ n: count() }).from(subscriptions).where(and(eq(subscriptions.subscriberId, userId), entitledNow(now))),
      tx.select({ n: count() }).from(copySettings).where(and(eq(copySettings.userId, userId), eq(copySettings.enabled, true))),
      tx.select({ n: count() }).from(exchangeConnections).where(and(eq(exchangeConnections.userId, userId), eq(exchangeConnections.status, "active"))),
    ]);
    steps = traderChecklist({
      disclaimerAccepted: user.disclaimerAcceptedAt !== null,
      marketplaceBrowsed: user.browsedAt !== null,
      entitledSubscriptions: subs?.n ?? 0,
      copyingEnabled: copying?.n ?? 0,
      activeExchangeConnections: exchanges?.n ?? 0,
    });
  }
  return { path, steps, progress: progress(steps), skippedAt: user.skippedAt ?? null };
}

/** Hides the checklist (`skipped`) or shows it again. Creates the row for an account older than onboarding. */
export async function setChecklistSkipped(ctx: ActingContext, skipped: boolean): Promise<{ skipped: boolean }> {
  const value = skipped ? ctx.now : null;
  await db
    .insert(onboarding)
    .values({ userId: ctx.actor.id, path: pathForRole(ctx.actor.role), checklistSkippedAt: value })
    .onConflictDoUpdate({ target: onboarding.userId, set: { checklistSkippedAt: value, updatedAt: ctx.now } });
  return { skipped };
}

/**
 * Records that a signed-in user opened the marketplace or a provider profile (the trader checklist's "browse" step).
 * One UPDATE that writes only the first time (an index-less primary-key lookup), so pages can call it on every view.
 */
export async function markMarketplaceBrowsed(userId: string, now: Date = new Date()): Promise<void> {
  await db
    .update(onboarding)
    .set({ marketplaceBrowsedAt: now })
    .where(and(eq(onboarding.userId, userId), isNull(onboarding.marketplaceBrowsedAt)));
}

/** The advice lines for these steps, with absolute links. */
export function stepLines(ids: readonly StepId[], baseUrl: string): OnboardingStepLine[] {
  return ids.map((id) => ({ title: STEP_ADVICE[id].title, advice: STEP_ADVICE[id].advice, url: `${baseUrl}${STEP_ADVICE[id].path}` }));
}

/**
 * Queues the welcome email (day 0) in the caller's transaction, once per user (the sequence's dedupe key). With
 * `verifyUrl` (a password sign-up) it carries the one-time verification link: the stored copy holds a placeholder.
 */
export async function queueWelcome(
  tx: Executor,
  input: { user: { id: string; email: string; name: string | null }; baseUrl: string; verifyUrl: string | null; now: Date },
): Promise<string | null> {
  const list = await checklistFor(input.user.id, tx, input.now);
  if (!list) return null;
  const firstSteps = stepLines(stepsToDo(list.steps).slice(0, 3), input.baseUrl);
  const { verifyUrl } = input;
  return queueEmail(tx, {
    to: input.user.email,
    userId: input.user.id,
    kind: "onboarding_welcome",
    subject: list.path === "provider" ? "Welcome to Tradsy: set up your provider account" : "Welcome to Tradsy",
    // Transactional on purpose: it holds the verification link (see emails/welcome.tsx).
    stream: "transactional",
    dedupeKey: sequenceDedupeKey(input.user.id, "welcome"),
    template: (oneTimeLink) =>
      createElement(Welcome, {
        name: input.user.name ?? "there",
        path: list.path,
        verifyUrl: verifyUrl ? oneTimeLink(verifyUrl) : null,
        firstSteps,
        dashboardUrl: `${input.baseUrl}/dashboard`,
      }),
  });
}
