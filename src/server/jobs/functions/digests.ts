/**
 * Digest crons (issue 15). Each run belongs to its scheduled tick (the event's `ts`), not to when it started, so a
 * late or retried run decides exactly as the on-time one would; the services are idempotent per recipient and day,
 * month or week (outbox dedupe keys), so a duplicated tick queues nothing twice.
 */
import "server-only";
import { cron } from "inngest";
import { getDatabase } from "@/server/db";
import { systemContext } from "@/server/services/context";
import { sendDailyDigests, sendMonthlyReports, sendWeeklyDigests } from "@/server/services/digests";
import { defineJob } from "../define";

/** Every hour on the hour: users whose local digest hour it is get their daily digest. */
export const DAILY_DIGEST_CRON = "0 * * * *";
/** The 1st of the month, 09:00 UTC: each provider's report on the month before. */
export const MONTHLY_REPORT_CRON = "0 9 1 * *";
/** Mondays 09:00 UTC: confirmed digest subscribers get the past week's closed signals. */
export const WEEKLY_DIGEST_CRON = "0 9 * * 1";

const tickOf = (event: { ts?: number }) => new Date(event.ts ?? Date.now());

export const dailyDigest = defineJob(
  { id: "daily-digest", name: "Daily digest", triggers: [cron(DAILY_DIGEST_CRON)], concurrency: { limit: 1 } },
  async ({ event, step }) =>
    step.run("send-daily-digests", async () => {
      await getDatabase();
      return sendDailyDigests(systemContext(tickOf(event)));
    }),
);

export const monthlyReport = defineJob(
  { id: "monthly-report", name: "Monthly provider report", triggers: [cron(MONTHLY_REPORT_CRON)], concurrency: { limit: 1 } },
  async ({ event, step }) =>
    step.run("send-monthly-reports", async () => {
      await getDatabase();
      return sendMonthlyReports(systemContext(tickOf(event)));
    }),
);

export const weeklyDigest = defineJob(
  { id: "weekly-digest", name: "Weekly digest (subscribers without an account)", triggers: [cron(WEEKLY_DIGEST_CRON)], concurrency: { limit: 1 } },
  async ({ event, step }) =>
    step.run("send-weekly-digests", async () => {
      await getDatabase();
      return sendWeeklyDigests(systemContext(tickOf(event)));
    }),
);
