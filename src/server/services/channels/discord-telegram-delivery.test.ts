/**
 * Discord and Telegram end to end (issue 16, acceptance 1): an event queued for a Discord webhook and a linked
 * Telegram chat goes through the channel drain with the real senders, over safeFetch, to the local fakes, which
 * receive exactly the stored payloads (the Telegram chat id added at send time); Discord's 429 waits its retry_after
 * and then delivers once; a deleted Discord webhook and a bot blocked on Telegram turn their destinations off.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { useEnvOverrides } from "@/test/env";
import { insertChannel, insertUser } from "@/test/channels";
import { publishedEntitled } from "@/test/channel-events";
import { channelDeliveries, notificationChannels, type ChannelKind } from "@/server/db/schema";
import { waitForInlineRuns } from "@/server/jobs/inline/runner";
import { FakeDiscordServer } from "@/server/integrations/discord/fake-server";
import { discordMessage } from "@/server/integrations/discord/format";
import { FakeTelegramServer } from "@/server/integrations/telegram/fake-server";
import { telegramMessage } from "@/server/integrations/telegram/format";
import { drainChannelDeliveries } from "./drain";
import { payloadFor } from "./payload";
import { queueDeliveries } from "./queue";

const t = useTestDatabase();
const setEnv = useEnvOverrides();
const discord = new FakeDiscordServer();
const telegram = new FakeTelegramServer();
beforeAll(async () => {
  await discord.start();
  await telegram.start();
});
afterAll(async () => {
  await discord.stop();
  await telegram.stop();
});
beforeEach(() => {
  setEnv("DISCORD_API_BASE_URL", discord.baseUrl);
  setEnv("TELEGRAM_BOT_TOKEN", telegram.token);
  setEnv("TELEGRAM_API_BASE_URL", telegram.baseUrl);
  setEnv("OUTBOUND_URL_ALLOWLIST", `${new URL(discord.baseUrl).host},${new URL(telegram.baseUrl).host}`);
});
afterEach(() => waitForInlineRuns());

let seq = 0;
async function queue(channelId: string, userId: string, kind: ChannelKind) {
  const event = { ...publishedEntitled, id: `evt_e2e${++seq}` };
  await queueDeliveries(t.db, [{ channelId, userId, event, payload: payloadFor(kind, event), dedupeKey: `${event.id}:${channelId}` }]);
  const [row] = await t.db.select().from(channelDeliveries).where(eq(channelDeliveries.dedupeKey, `${event.id}:${channelId}`));
  return { ...row!, sourceEvent: event };
}
const drain = (over: { maxRunMs?: number; maxInlineWaitMs?: number } = {}) => drainChannelDeliveries({ maxRunMs: 5_000, maxInlineWaitMs: 0, ...over });
const rowOf = async (id: string) => (await t.db.select().from(channelDeliveries).where(eq(channelDeliveries.id, id)))[0]!;
const channelOf = async (id: string) => (await t.db.select().from(notificationChannels).where(eq(notificationChannels.id, id)))[0]!;

describe("Discord and Telegram through the channel drain", () => {
  it("each fake receives exactly the stored payload: the Discord embed body, the Telegram MarkdownV2 message with the chat id", async () => {
    const user = await insertUser();
    const hook = discord.createWebhook();
    const chat = telegram.privateChat();
    const d = await insertChannel({ userId: user.id, kind: "discord", url: hook.url });
    const tg = await insertChannel({ userId: user.id, kind: "telegram", telegramChatId: String(chat.id) });
    const dRow = await queue(d.id, user.id, "discord");
    const tRow = await queue(tg.id, user.id, "telegram");
    expect(dRow.payload).toEqual(discordMessage(dRow.sourceEvent));
    expect(tRow.payload).toEqual(telegramMessage(tRow.sourceEvent));

    await drain();
    expect(await rowOf(dRow.id)).toMatchObject({ status: "sent", attempts: 1, responseStatus: 200 });
    expect(await rowOf(tRow.id)).toMatchObject({ status: "sent", attempts: 1, responseStatus: 200 });
    expect(discord.messagesTo(hook.id).map((m) => m.body)).toEqual([dRow.payload]);
    expect(telegram.messagesTo(chat.id).map((m) => m.params)).toEqual([{ ...tRow.payload, chat_id: String(chat.id) }]);
    expect(telegram.messagesTo(chat.id)[0]!.plain).toContain("Entry: Limit 64,250.50");
  });

  it("Discord's 429: the delivery waits retry_after (at least a second) and is then delivered once", async () => {
    const user = await insertUser();
    const hook = discord.createWebhook();
    const d = await insertChannel({ userId: user.id, kind: "discord", url: hook.url });
    const row = await queue(d.id, user.id, "discord");
    discord.fault({ status: 429, retryAfterSeconds: 0.2 });
    await drain();
    const waiting = await rowOf(row.id);
    expect(waiting).toMatchObject({ status: "queued", responseStatus: 429, lastError: "Discord answered 429: You are being rate limited." });
    // Discord asked for 0.2 s; the drain waits at least its 1 s minimum (MIN_RATE_LIMIT_WAIT_MS).
    expect(waiting.nextAttemptAt!.getTime()).toBeGreaterThanOrEqual(Date.now() + 500);
    await new Promise((r) => setTimeout(r, 1_100));
    await drain();
    expect(await rowOf(row.id)).toMatchObject({ status: "sent", responseStatus: 200 });
    expect(discord.messagesTo(hook.id)).toHaveLength(1);
  });

  it("a deleted Discord webhook and a bot blocked on Telegram disable their destinations with the reason", async () => {
    const user = await insertUser();
    const hook = discord.createWebhook();
    discord.remove(hook.id);
    const chat = telegram.privateChat();
    await telegram.block(chat);
    const d = await insertChannel({ userId: user.id, kind: "discord", url: hook.url });
    const tg = await insertChannel({ userId: user.id, kind: "telegram", telegramChatId: String(chat.id) });
    const dRow = await queue(d.id, user.id, "discord");
    const tRow = await queue(tg.id, user.id, "telegram");
    await drain();
    expect(await rowOf(dRow.id)).toMatchObject({ status: "failed", responseStatus: 404 });
    expect(await rowOf(tRow.id)).toMatchObject({ status: "failed", responseStatus: 403 });
    expect(await channelOf(d.id)).toMatchObject({ status: "disabled", disabledReason: "Discord says this webhook no longer exists (Unknown Webhook): add it again" });
    expect(await channelOf(tg.id)).toMatchObject({ status: "disabled", disabledReason: "Telegram: bot was blocked by the user" });
  });
});
