/**
 * The onboarding email sequence, per path: day 0 welcome, day 1 getting started, day 3 tips, day 7 success stories.
 * The durable job (src/server/jobs/functions/onboarding-sequence.ts) sleeps between the days and calls `sendStep`,
 * which decides in one transaction, from the facts at that moment:
 * - stop at once when the account is gone, the sequence was stopped, or product emails are off (unsubscribed from
 *   "product" or from everything): the sequence is marked stopped and nothing more is sent;
 * - advise only on checklist steps still to do (a trader who subscribed on day 2 is not told how to subscribe on day 3);
 * - day 7 quotes the marketplace's top providers by its ranking score with their real figures, or says none is
 *   ranked yet.
 * Each email is queued once per user and step (outbox dedupe key), so a step re-run after a crash queues nothing new.
 */
import "server-only";
import { createElement } from "react";
import { eq } from "drizzle-orm";
import { db, type Executor } from "@/server/db";
import { onboarding, users } from "@/server/db/schema";
import { appBaseUrl } from "@/server/http/base-url";
import { queueEmail } from "@/server/services/email/outbox";
import { emailAllowed } from "@/server/services/email/preferences";
import { unsubscribeUrlFor } from "@/server/services/email/unsubscribe-link";
import { leaderboard } from "@/server/services/stats";
import { stepsToDo } from "@/lib/checklist";
import { plainPercent, signedPercent } from "@/lib/digest/figures";
import { formatCount } from "@/lib/format/numbers";
import { GENERAL_TIPS } from "@/lib/onboarding/advice";
import { MIN_CLOSED_SIGNALS, MIN_TRACK_RECORD_DAYS } from "@/lib/stats/constants";
import OnboardingGettingStarted from "@emails/onboarding-getting-started";
import OnboardingTips from "@emails/onboarding-tips";
import OnboardingSuccessStories, { type SuccessStory } from "@emails/onboarding-success-stories";
import { checklistFor, queueWelcome, sequenceDedupeKey, stepLines } from "./index";

export const SEQUENCE = [
  { step: "welcome", day: 0 },
  { step: "getting-started", day: 1 },
  { step: "tips", day: 3 },
  { step: "success-stories", day: 7 },
] as const;
export type SequenceStep = (typeof SEQUENCE)[number]["step"];

const DAY_MS = 86_400_000;

/** When a step is due: the sequence's start plus its day. */
export const dueAt = (startedAt: Date, day: number) => new Date(startedAt.getTime() + day * DAY_MS);

/** How many top providers the day-7 email quotes, and over which window (the marketplace's default). */
const STORIES = 3;
const STORY_WINDOW = "90d" as const;

/** The sequence's start for this user (the onboarding row's), or null when there is no sequence to run. */
export async function sequenceStart(userId: string): Promise<Date | null> {
  const [row] = await db.select({ startedAt: onboarding.sequenceStartedAt, createdAt: onboarding.createdAt }).from(onboarding).where(eq(onboarding.userId, userId));
  if (!row) return null;
  return row.startedAt ?? row.createdAt;
}

export type StopReason = "account_gone" | "sequence_stopped" | "product_emails_off";
export type StepOutcome = { sent: string } | { stopped: StopReason };

/** The marketplace's top ranked providers now, formatted (never invented: none ranked -> an empty list). */
export async function topProviders(baseUrl: string): Promise<SuccessStory[]> {
  const board = await leaderboard({ window: STORY_WINDOW, sort: "score", page: 1, pageSize: STORIES });
  return board.items
    .filter((p) => p.stats?.ranked && p.stats.score !== null)
    .map((p, i) => ({
      rank: p.stats!.rank ?? i + 1,
      displayName: p.displayName,
      profileUrl: `${baseUrl}/providers/${p.slug}`,
      roi: signedPercent(p.stats!.roi),
      winRate: plainPercent(p.stats!.winRate),
      maxDrawdown: drawdownText(p.stats!.maxDrawdown),
      closedSignals: formatCount(p.stats!.closedSignals ?? 0),
      subscribers: formatCount(Number(p.subscribers)),
    }));
}

/** A drawdown (a positive fraction of the peak) as a fall: "0.062" -> "-6.20%". */
function drawdownText(v: string | null): string {
  const magnitude = plainPercent(v, 2).replace(/^-/, "");
  return magnitude === "—" || magnitude === "0.00%" ? magnitude : `-${magnitude}`;
}

async function stopped(tx: Executor, userId: string): Promise<{ stopped: StopReason } | null> {
  const [row] = await tx.select({ stoppedAt: onboarding.sequenceStoppedAt }).from(onboarding).where(eq(onboarding.userId, userId));
  if (!row) return { stopped: "account_gone" };
  if (row.stoppedAt) return { stopped: "sequence_stopped" };
  if (!(await emailAllowed(tx, userId, { kind: "product" }))) return { stopped: "product_emails_off" };
  return null;
}

/**
 * Queues one step's email for `userId` if the sequence is still on; marks the sequence stopped otherwise. Safe to
 * run again: the dedupe key makes a second run queue nothing.
 */
export async function sendStep(userId: string, step: SequenceStep, now: Date = new Date(), baseUrl: string = appBaseUrl()): Promise<StepOutcome> {
  // Read outside the transaction: the leaderboard runs on the shared client, and its figures need no lock.
  const stories = step === "success-stories" ? await topProviders(baseUrl) : [];
  return db.transaction(async (tx) => {
    const [user] = await tx.select({ id: users.id, email: users.email, name: users.name }).from(users).where(eq(users.id, userId));
    if (!user) return { stopped: "account_gone" } as const;
    const stop = await stopped(tx, userId);
    if (stop) {
      if (stop.stopped === "product_emails_off") await tx.update(onboarding).set({ sequenceStoppedAt: now, updatedAt: now }).where(eq(onboarding.userId, userId));
      return stop;
    }
    const list = await checklistFor(userId, tx, now);
    if (!list) return { stopped: "account_gone" } as const;
    if (step === "welcome") {
      // A password sign-up queued it with the verification link already (auth signUp): this queues nothing then.
      await queueWelcome(tx, { user, baseUrl, verifyUrl: null, now });
      return { sent: step };
    }
    const name = user.name ?? "there";
    const dashboardUrl = `${baseUrl}/dashboard`;
    const toDo = stepLines(stepsToDo(list.steps), baseUrl);
    const unsubscribeUrl = await unsubscribeUrlFor(tx, { userId }, "product");
    const common = { to: user.email, userId, stream: "marketing" as const, unsubscribeUrl, dedupeKey: sequenceDedupeKey(userId, step) };
    if (step === "getting-started") {
      await queueEmail(tx, {
        ...common,
        kind: "onboarding_getting_started",
        subject: toDo.length ? "Getting started on Tradsy: your next steps" : "You are all set up on Tradsy",
        template: createElement(OnboardingGettingStarted, { name, path: list.path, toDo, progress: `${list.progress.percent}%`, dashboardUrl, unsubscribeUrl }),
      });
    } else if (step === "tips") {
      await queueEmail(tx, {
        ...common,
        kind: "onboarding_tips",
        subject: list.path === "provider" ? "Tips for a track record traders trust" : "Tips for choosing and copying providers",
        template: createElement(OnboardingTips, { name, path: list.path, toDo, tips: GENERAL_TIPS[list.path], dashboardUrl, unsubscribeUrl }),
      });
    } else {
      await queueEmail(tx, {
        ...common,
        kind: "onboarding_success_stories",
        subject: stories.length ? "The top providers on Tradsy, by verified record" : "How providers get ranked on Tradsy",
        template: createElement(OnboardingSuccessStories, {
          name,
          path: list.path,
          windowLabel: "the last 90 days",
          stories,
          rankingRule: `${MIN_TRACK_RECORD_DAYS} days and ${MIN_CLOSED_SIGNALS} closed signals`,
          marketplaceUrl: `${baseUrl}/providers`,
          unsubscribeUrl,
        }),
      });
    }
    return { sent: step };
  });
}
