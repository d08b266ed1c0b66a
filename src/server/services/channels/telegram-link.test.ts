/**
 * The Telegram link flow by long polling (issue 16, acceptance 1), against the local fake Bot API: a one-time code
 * (stored hashed, 15 minutes, used once) links the chat that sends `/start <code>`; getUpdates' offset follows the
 * handled updates so nothing is applied twice; `/stop`, a blocked bot and a bot removed from a group unlink from
 * Telegram's side (a group's owner is emailed); the owner unlinks from the app (others get NOT_FOUND and change
 * nothing); a linked chat then receives deliveries.
 */
import { createHash } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { useEnvOverrides } from "@/test/env";
import { createUser } from "@/test/factories";
import { publishedEntitled } from "@/test/channel-events";
import { emailOutbox, notificationChannels, telegramUpdates } from "@/server/db/schema";
import { LimitExceededError, NotFoundError } from "@/server/errors";
import { telegramBotFromEnv } from "@/server/integrations/telegram/bot-api";
import { FakeTelegramServer } from "@/server/integrations/telegram/fake-server";
import { telegramMessage } from "@/server/integrations/telegram/format";
import { sendTelegram } from "@/server/integrations/telegram/sender";
import { MAX_PENDING_LINKS, TELEGRAM_REPLIES, handleTelegramUpdate, pollTelegramUpdates, pruneTelegramUpdates, startTelegramLink, telegramMode, unlinkTelegram } from "./telegram-link";

const t = useTestDatabase();
const setEnv = useEnvOverrides();
let fake: FakeTelegramServer;
beforeEach(async () => {
  fake = new FakeTelegramServer();
  await fake.start();
  setEnv("TELEGRAM_BOT_TOKEN", fake.token);
  setEnv("TELEGRAM_API_BASE_URL", fake.baseUrl);
  setEnv("TELEGRAM_WEBHOOK_SECRET", undefined);
  setEnv("OUTBOUND_URL_ALLOWLIST", new URL(fake.baseUrl).host);
});
afterEach(() => fake.stop());

const poll = () => pollTelegramUpdates({ maxRunMs: 0, timeoutSeconds: 0 });
const channel = async (id: string) => (await t.db.select().from(notificationChannels).where(eq(notificationChannels.id, id)))[0];
const lastReply = (chatId: number) => fake.messagesTo(chatId).at(-1)?.plain;

describe("linking a chat by polling", () => {
  it("/start <code> links the chat that sent it, once; the code is stored only as its hash", async () => {
    expect(telegramMode()).toBe("polling");
    const user = await createUser("subscriber");
    const start = await startTelegramLink(user.id, { label: "Phone" });
    expect(start.code).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(start.deepLink).toBe(`https://t.me/tradsy_test_bot?start=${start.code}`);
    expect(start.groupLink).toBe(`https://t.me/tradsy_test_bot?startgroup=${start.code}`);
    const pending = (await channel(start.channelId))!;
    expect(pending).toMatchObject({ userId: user.id, kind: "telegram", status: "pending", telegramChatId: null, linkCodeHash: createHash("sha256").update(start.code).digest("hex") });
    expect(JSON.stringify(pending)).not.toContain(start.code);
    expect(pending.linkCodeExpiresAt!.getTime() - start.expiresAt.getTime()).toBe(0);

    const chat = fake.privateChat("Ann", "ann_trades");
    const { update } = await fake.userSends(chat, `/start ${start.code}`);
    expect(await poll()).toMatchObject({ polls: 1, updates: 1, actions: { linked: 1 } });
    expect(await channel(start.channelId)).toMatchObject({ status: "active", telegramChatId: String(chat.id), telegramChatName: "@ann_trades", linkCodeHash: null, linkCodeExpiresAt: null });
    expect(lastReply(chat.id)).toBe(TELEGRAM_REPLIES.linked("Phone"));

    // The next poll confirms the handled update (offset = its id + 1): Telegram drops it and nothing is applied again.
    expect(await poll()).toMatchObject({ updates: 0 });
    expect(fake.calls.filter((c) => c.method === "getUpdates").at(-1)!.params).toMatchObject({ offset: update.update_id + 1, timeout: 0, allowed_updates: ["message", "channel_post", "my_chat_member"] });
    expect(fake.queued).toHaveLength(0);

    // The code was used: another chat cannot take the destination with it.
    const other = fake.privateChat("Eve", "eve");
    await fake.userSends(other, `/start ${start.code}`);
    expect(await poll()).toMatchObject({ actions: { "bad-code": 1 } });
    expect(lastReply(other.id)).toBe(TELEGRAM_REPLIES.badCode);
    expect(await channel(start.channelId)).toMatchObject({ telegramChatId: String(chat.id) });

    // A linked chat receives deliveries.
    const row = (await channel(start.channelId))!;
    const outcome = await sendTelegram({ id: row.id, kind: "telegram", url: null, secret: null, telegramChatId: row.telegramChatId }, { ...telegramMessage(publishedEntitled) }, { id: "dlv_x", eventId: "evt_pub", event: "signal.published", attempt: 1 });
    expect(outcome).toMatchObject({ ok: true });
    expect(lastReply(chat.id)).toContain("Market: BTC/USDT");
  });

  it("an expired code links nothing; starting again clears expired pending links", async () => {
    const user = await createUser("subscriber");
    const old = await startTelegramLink(user.id, { now: new Date(Date.now() - 16 * 60_000) });
    const chat = fake.privateChat();
    await fake.userSends(chat, `/start ${old.code}`);
    expect(await poll()).toMatchObject({ actions: { "bad-code": 1 } });
    expect(await channel(old.channelId)).toMatchObject({ status: "pending", telegramChatId: null });
    const fresh = await startTelegramLink(user.id);
    expect(await channel(old.channelId)).toBeUndefined();
    expect(await channel(fresh.channelId)).toMatchObject({ status: "pending" });
  });

  it("/stop and a blocked bot unlink from Telegram's side (no email: the owner did it); linking again revives the same destination", async () => {
    const user = await createUser("subscriber");
    const first = await startTelegramLink(user.id);
    const chat = fake.privateChat();
    await fake.userSends(chat, `/start ${first.code}`);
    await fake.userSends(chat, "/stop");
    expect(await poll()).toMatchObject({ actions: { linked: 1, unlinked: 1 } });
    expect(await channel(first.channelId)).toMatchObject({ status: "disabled", disabledReason: "Unlinked from Telegram (/stop)" });
    expect(lastReply(chat.id)).toBe(TELEGRAM_REPLIES.stopped);
    await fake.userSends(chat, "/stop");
    await poll();
    expect(lastReply(chat.id)).toBe(TELEGRAM_REPLIES.notLinked);

    const again = await startTelegramLink(user.id);
    await fake.userSends(chat, `/start ${again.code}`);
    expect(await poll()).toMatchObject({ actions: { linked: 1 } });
    expect(await channel(again.channelId)).toBeUndefined();
    expect(await channel(first.channelId)).toMatchObject({ status: "active", disabledReason: null });

    await fake.block(chat);
    expect(await poll()).toMatchObject({ actions: { unlinked: 1 } });
    expect(await channel(first.channelId)).toMatchObject({ status: "disabled", disabledReason: "Unlinked from Telegram: the bot was blocked" });
    expect(await t.db.select().from(emailOutbox).where(eq(emailOutbox.kind, "channel-disabled"))).toHaveLength(0);
  });

  it("a group: /start@bot <code> links it by its title; the bot removed from the group unlinks it and emails the owner", async () => {
    const user = await createUser("subscriber");
    const start = await startTelegramLink(user.id);
    const group = fake.groupChat("Signals desk");
    await fake.userSends(group, `/start@other_bot ${start.code}`);
    await fake.userSends(group, "nice trade everyone");
    expect(await poll()).toMatchObject({ actions: { ignored: 2 } });
    expect(fake.messagesTo(group.id)).toHaveLength(0);
    await fake.userSends(group, `/start@tradsy_test_bot ${start.code}`);
    expect(await poll()).toMatchObject({ actions: { linked: 1 } });
    expect(await channel(start.channelId)).toMatchObject({ status: "active", telegramChatId: String(group.id), telegramChatName: "Signals desk" });
    await fake.block(group, "left");
    expect(await poll()).toMatchObject({ actions: { unlinked: 1 } });
    expect(await channel(start.channelId)).toMatchObject({ status: "disabled", disabledReason: "Unlinked from Telegram: the bot was removed from the chat" });
    const [email] = await t.db.select().from(emailOutbox).where(eq(emailOutbox.kind, "channel-disabled"));
    expect(email).toMatchObject({ userId: user.id, to: user.email });
  });

  it("in a group only /stop@<our bot> unlinks (a bare /stop may be for another bot); other commands there get no reply", async () => {
    const user = await createUser("subscriber");
    const start = await startTelegramLink(user.id);
    const group = fake.groupChat("Signals desk");
    await fake.userSends(group, `/start@tradsy_test_bot ${start.code}`);
    expect(await poll()).toMatchObject({ actions: { linked: 1 } });
    const replies = fake.messagesTo(group.id).length;
    await fake.userSends(group, "/stop");
    await fake.userSends(group, "/stop@other_bot");
    await fake.userSends(group, "/help");
    await fake.userSends(group, "/start");
    expect(await poll()).toMatchObject({ updates: 4, actions: { ignored: 4 } });
    expect(await channel(start.channelId)).toMatchObject({ status: "active" });
    expect(fake.messagesTo(group.id)).toHaveLength(replies);
    await fake.userSends(group, "/stop@Tradsy_Test_Bot");
    expect(await poll()).toMatchObject({ actions: { unlinked: 1 } });
    expect(await channel(start.channelId)).toMatchObject({ status: "disabled", disabledReason: "Unlinked from Telegram (/stop)" });
    expect(lastReply(group.id)).toBe(TELEGRAM_REPLIES.stopped);
  });

  it("anything else in a private chat gets the help reply; an update handled twice changes nothing the second time", async () => {
    const user = await createUser("subscriber");
    const start = await startTelegramLink(user.id);
    const chat = fake.privateChat();
    await fake.userSends(chat, "hello?");
    await poll();
    expect(lastReply(chat.id)).toBe(TELEGRAM_REPLIES.help);
    const { update } = await fake.userSends(chat, `/start ${start.code}`);
    expect(await handleTelegramUpdate(update)).toEqual({ action: "linked", channelIds: [start.channelId] });
    await t.db.update(notificationChannels).set({ label: "changed" }).where(eq(notificationChannels.id, start.channelId));
    expect(await handleTelegramUpdate(update)).toEqual({ action: "duplicate", channelIds: [] });
    expect(fake.messagesTo(chat.id)).toHaveLength(2);
    expect(await t.db.select().from(telegramUpdates).where(eq(telegramUpdates.updateId, update.update_id))).toHaveLength(1);
  });

  it("after a week without updates (Telegram may restart update ids lower): polls without an offset, then follows the new ids; the old id discards nothing", async () => {
    const day = 24 * 60 * 60_000;
    await t.db.insert(telegramUpdates).values({ updateId: 900_000_000, receivedAt: new Date(Date.now() - 8 * day) });
    await fake.stop();
    fake = new FakeTelegramServer({ firstUpdateId: 5 });
    await fake.start();
    setEnv("TELEGRAM_API_BASE_URL", fake.baseUrl);
    setEnv("OUTBOUND_URL_ALLOWLIST", new URL(fake.baseUrl).host);
    const user = await createUser("subscriber");
    const start = await startTelegramLink(user.id);
    const chat = fake.privateChat();
    await fake.userSends(chat, `/start ${start.code}`);
    expect(await poll()).toMatchObject({ updates: 1, actions: { linked: 1 } });
    const offsets = () => fake.calls.filter((c) => c.method === "getUpdates").map((c) => c.params.offset);
    expect(offsets()).toEqual([undefined]);
    expect(await channel(start.channelId)).toMatchObject({ status: "active", telegramChatId: String(chat.id) });
    await fake.userSends(chat, "/stop");
    expect(await poll()).toMatchObject({ updates: 1, actions: { unlinked: 1 } });
    expect(await poll()).toMatchObject({ updates: 0 });
    expect(offsets()).toEqual([undefined, 6, 7]);
    // The old id is forgotten by the next prune, the newest handled (id 6) kept.
    expect(await pruneTelegramUpdates()).toBe(1);
    expect((await t.db.select().from(telegramUpdates)).map((r) => r.updateId).sort()).toEqual([5, 6]);
  });

  it("a handled update less than 6 days old: the offset follows it", async () => {
    await t.db.insert(telegramUpdates).values({ updateId: 41, receivedAt: new Date(Date.now() - 5 * 24 * 60 * 60_000) });
    await poll();
    expect(fake.calls.find((c) => c.method === "getUpdates")!.params).toMatchObject({ offset: 42 });
  });

  it("a webhook left registered (409 on getUpdates) is deleted once and polling goes on", async () => {
    await telegramBotFromEnv()!.setWebhook({ url: "https://tradsy.example/api/webhooks/telegram", secret_token: "old_secret_0123456789" });
    expect(await poll()).toMatchObject({ polls: 1 });
    expect(fake.webhook).toBeNull();
    expect(fake.calls.map((c) => c.method)).toEqual(["setWebhook", "getUpdates", "deleteWebhook", "getUpdates"]);
  });

  it("another process polling the same bot (409 terminated by other getUpdates): this run stops quietly, deleting nothing", async () => {
    fake.otherPoller();
    expect(await poll()).toEqual({ polls: 0, updates: 0, actions: {} });
    expect(fake.calls.map((c) => c.method)).toEqual(["getUpdates"]);
  });
});

describe("limits and housekeeping", () => {
  it("at most 5 links wait for their code at once; a sixth is refused and writes nothing", async () => {
    const user = await createUser("subscriber");
    for (let i = 0; i < MAX_PENDING_LINKS; i++) await startTelegramLink(user.id);
    await expect(startTelegramLink(user.id)).rejects.toBeInstanceOf(LimitExceededError);
    expect(await t.db.select().from(notificationChannels).where(eq(notificationChannels.userId, user.id))).toHaveLength(MAX_PENDING_LINKS);
  });

  it("handled update ids older than a week go, except the newest (the poller's offset)", async () => {
    const now = new Date();
    const old = new Date(now.getTime() - 8 * 24 * 60 * 60_000);
    await t.db.insert(telegramUpdates).values([
      { updateId: 10, receivedAt: old },
      { updateId: 11, receivedAt: old },
      { updateId: 12, receivedAt: now },
    ]);
    expect(await pruneTelegramUpdates(now)).toBe(2);
    expect((await t.db.select().from(telegramUpdates)).map((r) => r.updateId)).toEqual([12]);
    await t.db.update(telegramUpdates).set({ receivedAt: old });
    expect(await pruneTelegramUpdates(now)).toBe(0);
  });
});

describe("unlinking from the app", () => {
  it("only the owner: another user gets NOT_FOUND and changes nothing; the owner's unlink removes it and tells the chat", async () => {
    const owner = await createUser("subscriber");
    const stranger = await createUser("subscriber");
    const start = await startTelegramLink(owner.id, { label: "Desk" });
    const chat = fake.privateChat();
    await fake.userSends(chat, `/start ${start.code}`);
    await poll();
    await expect(unlinkTelegram(stranger.id, start.channelId)).rejects.toBeInstanceOf(NotFoundError);
    expect(await channel(start.channelId)).toMatchObject({ status: "active" });
    expect(await unlinkTelegram(owner.id, start.channelId)).toEqual({ channelId: start.channelId });
    expect(await channel(start.channelId)).toBeUndefined();
    expect(lastReply(chat.id)).toBe(TELEGRAM_REPLIES.unlinkedFromApp("Desk"));
    await expect(unlinkTelegram(owner.id, start.channelId)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("removes the row in one transaction with what the caller writes alongside (the audit row): when that fails, nothing is removed and the chat is not told", async () => {
    const owner = await createUser("subscriber");
    const start = await startTelegramLink(owner.id, { label: "Desk" });
    const chat = fake.privateChat();
    await fake.userSends(chat, `/start ${start.code}`);
    await poll();
    const told = fake.messagesTo(chat.id).length;
    const failing = () => Promise.reject(new Error("audit write failed"));
    await expect(unlinkTelegram(owner.id, start.channelId, { onRemoved: failing })).rejects.toThrow("audit write failed");
    expect(await channel(start.channelId)).toMatchObject({ status: "active" });
    expect(fake.messagesTo(chat.id)).toHaveLength(told);
    const seen: string[] = [];
    await unlinkTelegram(owner.id, start.channelId, { onRemoved: async (_tx, removed) => void seen.push(removed.id) });
    expect(seen).toEqual([start.channelId]);
    expect(await channel(start.channelId)).toBeUndefined();
  });

  it("without a bot token there is no Telegram link to start", async () => {
    const user = await createUser("subscriber");
    setEnv("TELEGRAM_BOT_TOKEN", undefined);
    expect(telegramMode()).toBe("off");
    await expect(startTelegramLink(user.id)).rejects.toThrow(/TELEGRAM_BOT_TOKEN is unset/);
    expect(await t.db.select().from(notificationChannels)).toHaveLength(0);
  });
});
