/**
 * The telegram-poll cron through the inline runner: nothing without a bot token; in polling mode it long-polls and
 * links a chat whose `/start <code>` is waiting; in webhook mode it registers the webhook instead of polling.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { useEnvOverrides } from "@/test/env";
import { createUser } from "@/test/factories";
import { notificationChannels } from "@/server/db/schema";
import { FakeTelegramServer } from "@/server/integrations/telegram/fake-server";
import { resetTelegramWebhookMemo, startTelegramLink } from "@/server/services/channels/telegram-link";
import { runJob } from "../inline/runner";
import { TELEGRAM_POLL, telegramPoll } from "./telegram-poll";

const t = useTestDatabase();
const setEnv = useEnvOverrides();
let fake: FakeTelegramServer;
const saved = { ...TELEGRAM_POLL };
beforeEach(async () => {
  fake = new FakeTelegramServer();
  await fake.start();
  setEnv("TELEGRAM_BOT_TOKEN", fake.token);
  setEnv("TELEGRAM_API_BASE_URL", fake.baseUrl);
  setEnv("TELEGRAM_WEBHOOK_SECRET", undefined);
  setEnv("OUTBOUND_URL_ALLOWLIST", new URL(fake.baseUrl).host);
  Object.assign(TELEGRAM_POLL, { maxRunMs: 0, timeoutSeconds: 0 });
  resetTelegramWebhookMemo();
});
afterEach(async () => {
  Object.assign(TELEGRAM_POLL, saved);
  await fake.stop();
});

const tick = { name: "inngest/scheduled.timer", data: { cron: "* * * * *" } } as const;

describe("telegram-poll job", () => {
  it("is a one-run-at-a-time cron every minute", () => {
    expect(telegramPoll.job.triggers).toEqual([{ cron: "* * * * *" }]);
    expect(telegramPoll.fn.id()).toBe("telegram-poll");
  });

  it("polling mode: a waiting /start <code> links the chat", async () => {
    const user = await createUser("subscriber");
    const start = await startTelegramLink(user.id);
    const chat = fake.privateChat();
    await fake.userSends(chat, `/start ${start.code}`);
    const run = await runJob(telegramPoll.job, tick);
    expect(run).toMatchObject({ status: "completed", output: { polls: 1, updates: 1, actions: { linked: 1 } } });
    const [row] = await t.db.select().from(notificationChannels).where(eq(notificationChannels.id, start.channelId));
    expect(row).toMatchObject({ status: "active", telegramChatId: String(chat.id) });
  });

  it("deletes Telegram links whose code ran out unused (anyone's), keeping those still waiting", async () => {
    const [a, b] = [await createUser("subscriber"), await createUser("subscriber")];
    const expired = await startTelegramLink(a.id, { now: new Date(Date.now() - 16 * 60_000) });
    const waiting = await startTelegramLink(b.id);
    expect(await runJob(telegramPoll.job, tick)).toMatchObject({ status: "completed" });
    const left = await t.db.select({ id: notificationChannels.id }).from(notificationChannels);
    expect(left.map((r) => r.id)).toEqual([waiting.channelId]);
    expect(expired.channelId).not.toBe(waiting.channelId);
  });

  it("webhook mode: registers the webhook and does not poll; no token: does nothing", async () => {
    setEnv("TELEGRAM_WEBHOOK_SECRET", "tradsy_telegram_webhook_secret-0123");
    setEnv("APP_URL", "https://tradsy.example");
    expect(await runJob(telegramPoll.job, tick)).toMatchObject({ status: "completed", output: { url: "https://tradsy.example/api/webhooks/telegram", changed: true } });
    expect(fake.webhook).toMatchObject({ url: "https://tradsy.example/api/webhooks/telegram", secretToken: "tradsy_telegram_webhook_secret-0123" });
    expect(fake.calls.map((c) => c.method)).toEqual(["setWebhook"]);
    setEnv("TELEGRAM_BOT_TOKEN", undefined);
    expect(await runJob(telegramPoll.job, tick)).toMatchObject({ status: "completed", output: { skipped: "TELEGRAM_BOT_TOKEN is unset" } });
  });
});
