/**
 * Telegram (issue 16, acceptance 1): the exact MarkdownV2 messages the formatter builds (BTC/USDT as is, every "."
 * "-" "(" ")" "#" "_" "*" escaped), accepted by the fake Bot API that parses MarkdownV2 the way Telegram does (and
 * refuses the same text unescaped); sendMessage answers classified (429 with retry_after, a blocked bot or a lost
 * chat disables, a refused text fails without retrying); the client's getUpdates offsets and webhook calls.
 */
import http from "node:http";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { useEnvOverrides } from "@/test/env";
import { closedHidden, copyRejected, publishedEntitled, publishedHidden, riskPaused, stopMoved, testMessage } from "@/test/channel-events";
import type { ChannelTarget, DeliveryRef } from "@/server/integrations/channels/types";
import { closeServer, listenLocal } from "@/server/integrations/market-data/fake-binance";
import { TelegramApiError, TelegramBot } from "./bot-api";
import { FakeTelegramServer } from "./fake-server";
import { escapeMarkdownV2, telegramMessage } from "./format";
import { checkMarkdownV2 } from "./markdown-v2";
import { sendTelegram } from "./sender";

const fake = new FakeTelegramServer();
beforeAll(() => fake.start());
afterAll(() => fake.stop());
const setEnv = useEnvOverrides();
beforeEach(() => {
  setEnv("TELEGRAM_BOT_TOKEN", fake.token);
  setEnv("TELEGRAM_API_BASE_URL", fake.baseUrl);
  setEnv("OUTBOUND_URL_ALLOWLIST", new URL(fake.baseUrl).host);
});

const delivery: DeliveryRef = { id: "dlv_1", eventId: "evt_1", event: "test", attempt: 1 };
const target = (chatId: number | string | null): ChannelTarget => ({ id: "chn_1", kind: "telegram", url: null, secret: null, telegramChatId: chatId === null ? null : String(chatId) });
const bot = () => new TelegramBot({ token: fake.token, baseUrl: fake.baseUrl });

describe("escapeMarkdownV2", () => {
  it("escapes every character Telegram reserves, and the backslash; leaves '/' and letters alone", () => {
    expect(escapeMarkdownV2("BTC/USDT")).toBe("BTC/USDT");
    expect(escapeMarkdownV2("64250.5")).toBe(String.raw`64250\.5`);
    expect(escapeMarkdownV2("_*[]()~`>#+-=|{}.!\\")).toBe(String.raw`\_\*\[\]\(\)\~\`\>\#\+\-\=\|\{\}\.\!\\`);
    expect(escapeMarkdownV2("-1.25% (stop) #12")).toBe(String.raw`\-1\.25% \(stop\) \#12`);
  });

  it("the fake parses like Telegram: escaped text passes and reads back as written, unescaped is refused", () => {
    const raw = "BTC/USDT long at 64,250.50 (limit) -> +2.63%! #12 a_b*c";
    expect(checkMarkdownV2(escapeMarkdownV2(raw))).toEqual({ ok: true, plain: raw });
    expect(checkMarkdownV2("BTC/USDT at 64250.5")).toEqual({ ok: false, description: "Bad Request: can't parse entities: Character '.' is reserved and must be escaped with the preceding '\\'" });
    expect(checkMarkdownV2("Stop -1%")).toMatchObject({ ok: false, description: expect.stringContaining("Character '-' is reserved") as unknown as string });
    expect(checkMarkdownV2("*bold")).toEqual({ ok: false, description: "Bad Request: can't parse entities: Can't find end of Bold entity at byte offset 0" });
    expect(checkMarkdownV2("*bold* _it_ __u__ ~s~ ||sp|| `a.b` [link](https://x.example/a_(b\\))")).toEqual({ ok: true, plain: "bold it u s sp a.b link" });
  });
});

describe("telegramMessage", () => {
  it("an entitled new signal: bold title, labelled fields with prices escaped, the link back, no preview", () => {
    expect(telegramMessage(publishedEntitled)).toEqual({
      text: [
        String.raw`*New signal \#12 from Alpha\_Desk \(BTC\) \*pro\**`,
        "",
        "*Market:* BTC/USDT",
        "*Side:* Long",
        String.raw`*Entry:* Limit 64,250\.50`,
        String.raw`*Stop:* 63,000\.00`,
        String.raw`*Targets:* 66,000\.25 \(50%\), 68,000\.00 \(50%\)`,
        "",
        "[Open the signal on Tradsy](https://tradsy.example/providers/alpha-desk)",
      ].join("\n"),
      parse_mode: "MarkdownV2",
      link_preview_options: { is_disabled: true },
    });
  });

  it("not entitled: no market, side or level; a close shows the public result; every message parses", () => {
    const hidden = telegramMessage(publishedHidden).text;
    expect(hidden).toBe(
      [
        String.raw`*New signal \#12 from Alpha\_Desk \(BTC\) \*pro\**`,
        String.raw`Market, side and levels are for subscribers: open Tradsy to see them\.`,
        "",
        "[Open the signal on Tradsy](https://tradsy.example/providers/alpha-desk)",
      ].join("\n"),
    );
    expect(hidden).not.toMatch(/BTC\/USDT|64|Long/);
    expect(telegramMessage(closedHidden).text).toBe(
      [
        String.raw`*Signal \#12 from Alpha\_Desk \(BTC\) \*pro\* closed: Target hit*`,
        "",
        "*Market:* BTC/USDT",
        "*Side:* Long",
        String.raw`*Result:* \+2\.63%`,
        String.raw`*R:* \+1\.30R`,
        "",
        "[See the track record on Tradsy](https://tradsy.example/providers/alpha-desk)",
      ].join("\n"),
    );
    for (const event of [publishedEntitled, publishedHidden, stopMoved, closedHidden, copyRejected, riskPaused, testMessage]) {
      expect(checkMarkdownV2(telegramMessage(event).text)).toMatchObject({ ok: true });
    }
    expect(checkMarkdownV2(telegramMessage(copyRejected).text)).toMatchObject({ ok: true, plain: expect.stringContaining("Reason: Insufficient balance: 0.0004 BTC free, 0.0009 needed.") as unknown as string });
  });

  it("a ')' or '\\' in a link's URL is escaped (the only two that are, inside the parentheses)", () => {
    const text = telegramMessage({ id: "evt_tst", type: "test", occurredAt: testMessage.occurredAt, data: { message: "x", url: "https://tradsy.example/a_(b)\\c" } }).text;
    expect(text.split("\n").at(-1)).toBe(String.raw`[Open Tradsy](https://tradsy.example/a_(b\)\\c)`);
    expect(checkMarkdownV2(text)).toMatchObject({ ok: true });
  });
});

describe("sendTelegram against the fake Bot API", () => {
  it("sends the stored parameters to the linked chat; Telegram received exactly them", async () => {
    const chat = fake.privateChat();
    const payload = { ...telegramMessage(publishedEntitled) };
    const outcome = await sendTelegram(target(chat.id), payload, delivery);
    expect(outcome).toMatchObject({ ok: true, status: 200 });
    const [sent] = fake.messagesTo(chat.id);
    expect(sent!.params).toEqual({ ...payload, chat_id: String(chat.id) });
    expect(sent!.plain).toContain("Entry: Limit 64,250.50");
    expect(sent!.plain).toContain("Targets: 66,000.25 (50%), 68,000.00 (50%)");
  });

  it("a text Telegram cannot parse is refused for good (400), not retried, not disabling", async () => {
    const chat = fake.privateChat();
    const outcome = await sendTelegram(target(chat.id), { text: "Entry 64250.5", parse_mode: "MarkdownV2" }, delivery);
    expect(outcome).toMatchObject({ ok: false, status: 400, retryable: false, error: expect.stringContaining("can't parse entities: Character '.' is reserved") as unknown as string });
    expect(outcome).not.toHaveProperty("disable");
    expect(fake.messagesTo(chat.id)).toHaveLength(0);
  });

  it("429: retryable after parameters.retry_after; 5xx retryable", async () => {
    const chat = fake.privateChat();
    fake.fault({ status: 429, retryAfterSeconds: 7 });
    expect(await sendTelegram(target(chat.id), { ...telegramMessage(testMessage) }, delivery)).toEqual({
      ok: false,
      status: 429,
      body: JSON.stringify({ ok: false, error_code: 429, description: "Too Many Requests: retry after 7", parameters: { retry_after: 7 } }),
      error: "Telegram answered 429: Too Many Requests: retry after 7",
      retryable: true,
      retryAfterMs: 7000,
    });
    fake.fault({ status: 502 });
    expect(await sendTelegram(target(chat.id), { ...telegramMessage(testMessage) }, delivery)).toMatchObject({ ok: false, status: 502, retryable: true });
  });

  it("the bot blocked (403) or the chat gone (400 chat not found): disabled with Telegram's words", async () => {
    const chat = fake.privateChat();
    await fake.block(chat);
    expect(await sendTelegram(target(chat.id), { ...telegramMessage(testMessage) }, delivery)).toMatchObject({
      ok: false,
      status: 403,
      retryable: false,
      disable: "Telegram: bot was blocked by the user",
    });
    const group = fake.groupChat();
    await fake.block(group, "left");
    expect(await sendTelegram(target(group.id), { ...telegramMessage(testMessage) }, delivery)).toMatchObject({ status: 403, disable: "Telegram: bot was kicked from the group chat" });
    expect(await sendTelegram(target(-42), { ...telegramMessage(testMessage) }, delivery)).toMatchObject({ status: 400, retryable: false, disable: "Telegram: chat not found" });
  });

  it("no bot configured or a wrong token: retryable (an operator can fix it); no answer: retryable, the token never in the error", async () => {
    setEnv("TELEGRAM_BOT_TOKEN", undefined);
    expect(await sendTelegram(target(1), { text: "x" }, delivery)).toMatchObject({ ok: false, status: null, retryable: true, error: expect.stringContaining("TELEGRAM_BOT_TOKEN") as unknown as string });
    setEnv("TELEGRAM_BOT_TOKEN", "999:AAH-wrong-token-wrong-token-wrong");
    expect(await sendTelegram(target(1), { text: "x" }, delivery)).toMatchObject({ ok: false, status: 401, retryable: true, error: "Telegram answered 401: Unauthorized" });
    setEnv("TELEGRAM_BOT_TOKEN", fake.token);
    setEnv("TELEGRAM_API_BASE_URL", "http://127.0.0.1:1");
    setEnv("OUTBOUND_URL_ALLOWLIST", "127.0.0.1:1");
    const down = await sendTelegram(target(1), { text: "x" }, delivery);
    expect(down).toMatchObject({ ok: false, status: null, retryable: true });
    expect(JSON.stringify(down)).not.toContain(fake.token);
  });
});

describe("TelegramBot client", () => {
  it("never lets the bot token out: not in any error it throws (message, stack, fields), nor in an answer's body or description", async () => {
    const secretHalf = fake.token.split(":")[1]!;
    const leaks = (value: unknown): string[] => {
      const text = value instanceof Error ? JSON.stringify(Object.fromEntries(Object.getOwnPropertyNames(value).map((k) => [k, String((value as unknown as Record<string, unknown>)[k])]))) : JSON.stringify(value);
      return [fake.token, encodeURIComponent(fake.token), secretHalf].filter((form) => text.includes(form));
    };
    // A base URL that does not parse (an "Invalid URL" error may carry the whole URL, token and all).
    const unparsable = await new TelegramBot({ token: fake.token, baseUrl: "not a url" }).getMe().catch((e: unknown) => e);
    expect(unparsable).toBeInstanceOf(TelegramApiError);
    expect(unparsable).toMatchObject({ status: null });
    expect(leaks(unparsable)).toEqual([]);
    // An answer quoting the token (a proxy's error page, say).
    const echo = http.createServer((req, res) => {
      res.writeHead(400, { "content-type": "application/json" });
      res.end(JSON.stringify({ ok: false, error_code: 400, description: `Bad Request: no such bot ${req.url} (${secretHalf})` }));
    });
    const base = await listenLocal(echo);
    try {
      setEnv("OUTBOUND_URL_ALLOWLIST", new URL(base).host);
      const b = new TelegramBot({ token: fake.token, baseUrl: base });
      const answer = await b.sendMessage({ chat_id: 1, text: "x" });
      expect(answer).toMatchObject({ ok: false, status: 400, description: expect.stringContaining("<bot token>") as unknown as string });
      expect(leaks(answer)).toEqual([]);
      const refused = await b.getMe().catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(TelegramApiError);
      expect(leaks(refused)).toEqual([]);
      expect(leaks((refused as TelegramApiError).answer)).toEqual([]);
    } finally {
      await closeServer(echo);
    }
  });

  it("getMe; getUpdates returns pending updates until an offset confirms them; a webhook makes getUpdates a 409", async () => {
    const b = bot();
    expect(await b.getMe()).toEqual(fake.bot);
    const chat = fake.privateChat();
    const { update: first } = await fake.userSends(chat, "hello");
    const { update: second } = await fake.userSends(chat, "again");
    const got = await b.getUpdates({ offset: 0, timeout: 0 });
    expect(got.map((u) => u.update_id)).toEqual(expect.arrayContaining([first.update_id, second.update_id]));
    expect((await b.getUpdates({ offset: second.update_id, timeout: 0 })).map((u) => u.update_id)).toEqual([second.update_id]);
    expect(await b.getUpdates({ offset: second.update_id + 1, timeout: 0 })).toEqual([]);
    // Long polling: the request waits for the next update.
    const waiting = b.getUpdates({ offset: second.update_id + 1, timeout: 5 });
    const { update: third } = await fake.userSends(chat, "third");
    expect((await waiting).map((u) => u.update_id)).toEqual([third.update_id]);

    expect(await b.setWebhook({ url: "https://tradsy.example/api/webhooks/telegram", secret_token: "s3cret_token-0123456789" })).toBe(true);
    expect(fake.calls.at(-1)!.params).toEqual({ url: "https://tradsy.example/api/webhooks/telegram", secret_token: "s3cret_token-0123456789", allowed_updates: ["message", "channel_post", "my_chat_member"] });
    const conflict = await b.getUpdates({ timeout: 0 }).catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(TelegramApiError);
    expect((conflict as TelegramApiError).status).toBe(409);
    expect((conflict as Error).message).toBe("Telegram getUpdates answered 409: Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
    await expect(b.setWebhook({ url: "http://tradsy.example/x", secret_token: "s3cret_token-0123456789" })).rejects.toThrow(/An HTTPS URL must be provided/);
    expect(await b.deleteWebhook({ drop_pending_updates: true })).toBe(true);
    expect(await b.getUpdates({ offset: third.update_id + 1 })).toEqual([]);
  });

  it("the fake can start its update ids where a restarted demo needs them", async () => {
    const restarted = new FakeTelegramServer({ firstUpdateId: 900_000_000 });
    expect((await restarted.userSends(restarted.privateChat(), "hi")).update.update_id).toBe(900_000_000);
  });
});
