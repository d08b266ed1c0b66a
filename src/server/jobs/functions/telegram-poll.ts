/**
 * Telegram updates when the bot is not in webhook mode (services/channels/telegram-link.ts `telegramMode()`): every
 * minute, long-polls getUpdates for up to ~50 s (offset: `telegramPollOffset`, the update handled most recently + 1, none
 * after 6 days without updates, when Telegram may restart its ids lower), so `/start <code>` links a
 * chat within seconds in development without a public URL. In webhook mode (a public https APP_URL and
 * TELEGRAM_WEBHOOK_SECRET) the same cron instead makes sure the bot's webhook points at /api/webhooks/telegram
 * (setWebhook, once per process): deploying, or changing APP_URL or the secret, needs no manual step. Either way it
 * first forgets handled update ids older than a week (`pruneTelegramUpdates`) and deletes Telegram links whose code ran
 * out unused (`pruneExpiredTelegramLinks`). Without TELEGRAM_BOT_TOKEN it does
 * nothing.
 */
import "server-only";
import { cron } from "inngest";
import { getDatabase } from "@/server/db";
import { ensureTelegramWebhook, pollTelegramUpdates, pruneExpiredTelegramLinks, pruneTelegramUpdates, telegramMode } from "@/server/services/channels/telegram-link";
import { defineJob } from "../define";

/** How long one run polls, and each getUpdates' long-poll timeout. Tests shorten them. */
export const TELEGRAM_POLL = { maxRunMs: 50_000, timeoutSeconds: 10 };

export const telegramPoll = defineJob(
  {
    id: "telegram-poll",
    name: "Telegram updates (polling, or webhook registration)",
    triggers: [cron("* * * * *")],
    // Two pollers would steal each other's updates (each getUpdates confirms everything below its offset).
    concurrency: { limit: 1 },
    // The next minute polls again; a failed run has nothing to redo.
    retries: 0,
  },
  async ({ step }) => {
    const mode = telegramMode();
    if (mode === "off") return { skipped: "TELEGRAM_BOT_TOKEN is unset" };
    // The inline scheduler can fire before anything else opened the database.
    await step.run("prune", async () => {
      await getDatabase();
      return { updates: await pruneTelegramUpdates(), expiredLinks: await pruneExpiredTelegramLinks() };
    });
    if (mode === "webhook") return step.run("ensure-webhook", () => ensureTelegramWebhook());
    return step.run("poll", () => pollTelegramUpdates({ ...TELEGRAM_POLL }));
  },
);
