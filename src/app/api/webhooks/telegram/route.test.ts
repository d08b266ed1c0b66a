/**
 * The Telegram link flow by webhook (issue 16, acceptance 1): with a public https APP_URL and TELEGRAM_WEBHOOK_SECRET
 * the bot is in webhook mode, `ensureTelegramWebhook` registers this route with the secret as `secret_token`, and the
 * fake Bot API posts the person's `/start <code>` here with X-Telegram-Bot-Api-Secret-Token: the chat is linked and
 * told. A missing or wrong secret is a 401 that writes nothing; without a secret the route is a 404; a body that is
 * not an update is a 400; a redelivered update is a 200 that changes nothing.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { useEnvOverrides } from "@/test/env";
import { createUser } from "@/test/factories";
import { notificationChannels, telegramUpdates } from "@/server/db/schema";
import { FakeTelegramServer } from "@/server/integrations/telegram/fake-server";
import { TELEGRAM_REPLIES, ensureTelegramWebhook, resetTelegramWebhookMemo, startTelegramLink, telegramMode } from "@/server/services/channels/telegram-link";
import { POST } from "./route";

const SECRET = "tradsy_telegram_webhook_secret-0123";
const t = useTestDatabase();
const setEnv = useEnvOverrides();
let fake: FakeTelegramServer;
beforeEach(async () => {
  fake = new FakeTelegramServer();
  await fake.start();
  fake.dispatch = (request) => POST(request);
  setEnv("TELEGRAM_BOT_TOKEN", fake.token);
  setEnv("TELEGRAM_API_BASE_URL", fake.baseUrl);
  setEnv("TELEGRAM_WEBHOOK_SECRET", SECRET);
  setEnv("APP_URL", "https://tradsy.example");
  setEnv("OUTBOUND_URL_ALLOWLIST", new URL(fake.baseUrl).host);
  resetTelegramWebhookMemo();
});
afterEach(() => fake.stop());

const post = async (body: string, headers: Record<string, string>) => {
  const res = await POST(new Request("https://tradsy.example/api/webhooks/telegram", { method: "POST", body, headers: { "content-type": "application/json", ...headers } }));
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
const channel = async (id: string) => (await t.db.select().from(notificationChannels).where(eq(notificationChannels.id, id)))[0];

describe("Telegram by webhook", () => {
  it("webhook mode registers the route with the secret; /start <code> posted by Telegram links the chat and replies", async () => {
    expect(telegramMode()).toBe("webhook");
    expect(await ensureTelegramWebhook()).toEqual({ url: "https://tradsy.example/api/webhooks/telegram", changed: true });
    expect(await ensureTelegramWebhook()).toMatchObject({ changed: false });
    expect(fake.webhook).toEqual({ url: "https://tradsy.example/api/webhooks/telegram", secretToken: SECRET, allowedUpdates: ["message", "channel_post", "my_chat_member"] });
    expect(fake.calls.filter((c) => c.method === "setWebhook")).toHaveLength(1);

    const user = await createUser("subscriber");
    const start = await startTelegramLink(user.id, { label: "Phone" });
    const chat = fake.privateChat("Ann", "ann_trades");
    const sent = await fake.userSends(chat, `/start ${start.code}`);
    expect(sent.webhookStatus).toBe(200);
    expect(await channel(start.channelId)).toMatchObject({ status: "active", telegramChatId: String(chat.id), telegramChatName: "@ann_trades" });
    expect(fake.messagesTo(chat.id).map((m) => m.plain)).toEqual([TELEGRAM_REPLIES.linked("Phone")]);

    // Telegram redelivers an update it thinks was not taken: answered 200, applied once.
    expect((await fake.redeliver(sent.update)).webhookStatus).toBe(200);
    expect(fake.messagesTo(chat.id)).toHaveLength(1);

    await fake.userSends(chat, "/stop");
    expect(await channel(start.channelId)).toMatchObject({ status: "disabled", disabledReason: "Unlinked from Telegram (/stop)" });
    expect(fake.messagesTo(chat.id).at(-1)!.plain).toBe(TELEGRAM_REPLIES.stopped);
  });

  it("a missing or wrong secret is a 401 that writes nothing; no secret configured: 404; not an update: 400", async () => {
    const user = await createUser("subscriber");
    const start = await startTelegramLink(user.id);
    const update = JSON.stringify({ update_id: 900_001, message: { message_id: 1, date: 1, chat: { id: 77, type: "private", first_name: "Eve" }, text: `/start ${start.code}` } });
    expect(await post(update, {})).toMatchObject({ status: 401 });
    expect(await post(update, { "x-telegram-bot-api-secret-token": `${SECRET}x` })).toMatchObject({ status: 401 });
    expect(await post(update, { "x-telegram-bot-api-secret-token": SECRET.slice(0, -1) })).toMatchObject({ status: 401 });
    expect(await t.db.select().from(telegramUpdates)).toHaveLength(0);
    expect(await channel(start.channelId)).toMatchObject({ status: "pending" });
    // Refused before the body is read: a stream that would fail if read still gets the 401.
    const unread = new ReadableStream<Uint8Array>({ pull: () => Promise.reject(new Error("the body was read")) });
    const res = await POST(new Request("https://tradsy.example/api/webhooks/telegram", { method: "POST", body: unread, headers: { "x-telegram-bot-api-secret-token": "wrong" }, duplex: "half" } as RequestInit));
    expect(res.status).toBe(401);
    // Over the body limit: 413.
    expect((await post("x".repeat(300 * 1024), { "x-telegram-bot-api-secret-token": SECRET })).status).toBe(413);

    expect(await post("not json", { "x-telegram-bot-api-secret-token": SECRET })).toMatchObject({ status: 400 });
    expect(await post(JSON.stringify({ message: {} }), { "x-telegram-bot-api-secret-token": SECRET })).toMatchObject({ status: 400 });
    expect(await post(update, { "x-telegram-bot-api-secret-token": SECRET })).toEqual({ status: 200, body: { ok: true, result: "linked" } });

    setEnv("TELEGRAM_WEBHOOK_SECRET", undefined);
    expect(await post(update, { "x-telegram-bot-api-secret-token": SECRET })).toMatchObject({ status: 404 });
    expect(telegramMode()).toBe("polling");
  });

  it("an APP_URL Telegram cannot reach (http, localhost) means polling even with a secret", () => {
    setEnv("APP_URL", "http://localhost:3000");
    expect(telegramMode()).toBe("polling");
    setEnv("APP_URL", "https://localhost:3000");
    expect(telegramMode()).toBe("polling");
    setEnv("APP_URL", "https://10.0.0.5");
    expect(telegramMode()).toBe("polling");
  });
});
