/**
 * Discord (issue 16, acceptance 1): the exact execute-webhook bodies the formatter builds, as the local fake Discord
 * received them through the real sender and safeFetch; Discord's answers classified (429 with its retry_after, a
 * deleted webhook or regenerated token disables, 5xx retried, a refused address failed at once); webhook URLs
 * validated as Discord's and rewritten to the fake's origin.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { useEnvOverrides } from "@/test/env";
import { closedHidden, copyRejected, publishedEntitled, publishedHidden, riskPaused, stopMoved, testMessage } from "@/test/channel-events";
import type { ChannelTarget, DeliveryRef } from "@/server/integrations/channels/types";
import { FakeDiscordServer } from "./fake-server";
import { discordMessage, escapeDiscordMarkdown } from "./format";
import { sendDiscord } from "./sender";
import { discordSendUrl, discordUrlHint, parseDiscordWebhookUrl } from "./webhook-url";

const fake = new FakeDiscordServer();
beforeAll(() => fake.start());
afterAll(() => fake.stop());
const setEnv = useEnvOverrides();
beforeEach(() => {
  setEnv("DISCORD_API_BASE_URL", fake.baseUrl);
  setEnv("OUTBOUND_URL_ALLOWLIST", new URL(fake.baseUrl).host);
});

const delivery: DeliveryRef = { id: "dlv_1", eventId: "evt_1", event: "test", attempt: 1 };
const target = (url: string | null): ChannelTarget => ({ id: "chn_1", kind: "discord", url, secret: null, telegramChatId: null });

const footer = (type: string, id: string) => ({ text: `Tradsy · ${type} · ${id}` });
const base = { username: "Tradsy", allowed_mentions: { parse: [] } };
// The provider's name as Discord must receive it in text: its markdown characters escaped.
const escapedName = "Alpha\\_Desk \\(BTC\\) \\*pro\\*";

describe("discordMessage", () => {
  it("an entitled new signal: market, side, levels as stored decimals, green, the link back", () => {
    expect(discordMessage(publishedEntitled)).toEqual({
      ...base,
      embeds: [
        {
          title: "New signal #12 from Alpha_Desk (BTC) *pro*",
          url: "https://tradsy.example/providers/alpha-desk",
          color: 0x16a34a,
          timestamp: "2026-03-02T10:00:00.000Z",
          footer: footer("signal.published", "evt_pub"),
          fields: [
            { name: "Market", value: "BTC/USDT", inline: true },
            { name: "Side", value: "Long", inline: true },
            { name: "Entry", value: "Limit 64,250.50", inline: true },
            { name: "Stop", value: "63,000.00", inline: true },
            { name: "Targets", value: "66,000.25 \\(50%\\), 68,000.00 \\(50%\\)", inline: false },
          ],
        },
      ],
    });
  });

  it("a new signal for a destination not entitled: no market, side or level anywhere in the body", () => {
    const body = discordMessage(publishedHidden);
    expect(body).toEqual({
      ...base,
      embeds: [
        {
          title: "New signal #12 from Alpha_Desk (BTC) *pro*",
          url: "https://tradsy.example/providers/alpha-desk",
          color: 0x4f46e5,
          timestamp: "2026-03-02T10:00:00.000Z",
          footer: footer("signal.published", "evt_pub"),
          description: "Market, side and levels are for subscribers: open Tradsy to see them.",
        },
      ],
    });
    expect(JSON.stringify(body)).not.toMatch(/BTC\/USDT|64250|63000|Long/);
  });

  it("a stop moved, a close with the public result (no prices unentitled), a refused copy, a risk pause, a test", () => {
    const updated = discordMessage(stopMoved).embeds as Record<string, unknown>[];
    expect(updated[0]).toMatchObject({ title: "Signal #12 from Alpha_Desk (BTC) *pro*: Stop moved", color: 0x16a34a });
    expect(updated[0]!.fields).toContainEqual({ name: "Stop", value: "64,000.00", inline: true });
    expect(updated[0]!.fields).toContainEqual({ name: "Filled at", value: "64,250.50", inline: true });

    expect(discordMessage(closedHidden).embeds).toEqual([
      {
        title: "Signal #12 from Alpha_Desk (BTC) *pro* closed: Target hit",
        url: "https://tradsy.example/providers/alpha-desk",
        color: 0x16a34a,
        timestamp: "2026-03-03T09:30:00.000Z",
        footer: footer("signal.closed", "evt_cls"),
        fields: [
          { name: "Market", value: "BTC/USDT", inline: true },
          { name: "Side", value: "Long", inline: true },
          { name: "Result", value: "+2.63%", inline: true },
          { name: "R", value: "+1.30R", inline: true },
        ],
      },
    ]);

    expect(discordMessage(copyRejected).embeds).toEqual([
      {
        title: "Copied order refused (Alpha_Desk (BTC) *pro* #12)",
        url: "https://tradsy.example/copy",
        color: 0xd97706,
        timestamp: "2026-03-02T10:00:05.000Z",
        footer: footer("copy.rejected", "evt_cpy"),
        fields: [
          { name: "Market", value: "ETH/BTC", inline: true },
          { name: "Side", value: "Buy", inline: true },
          { name: "Quantity", value: "0.015", inline: true },
          { name: "Venue", value: "Binance \\(main\\)", inline: true },
          { name: "Reason", value: "Insufficient balance: 0.0004 BTC free, 0.0009 needed.", inline: false },
        ],
      },
    ]);

    expect(discordMessage(riskPaused).embeds).toEqual([
      {
        title: "Copying Alpha_Desk (BTC) *pro* paused",
        url: "https://tradsy.example/copy/alpha-desk",
        color: 0xd97706,
        timestamp: "2026-03-02T12:00:00.000Z",
        footer: footer("copy.risk_paused", "evt_rsk"),
        description: "Copying stopped because your daily loss limit was reached. Turn it back on in Tradsy when you are ready.",
      },
    ]);
    expect(discordMessage(testMessage).embeds).toEqual([
      {
        title: "Test message from Tradsy",
        url: "https://tradsy.example/settings",
        color: 0x4f46e5,
        timestamp: "2026-03-02T12:00:00.000Z",
        footer: footer("test", "evt_tst"),
        description: "It works! Alerts for Trading desk will arrive here.",
      },
    ]);
  });

  it("escapes Discord markdown in text from people, and mentions are never parsed", () => {
    expect(escapeDiscordMarkdown("Alpha_Desk (BTC) *pro*")).toBe(escapedName);
    expect(escapeDiscordMarkdown("@everyone ~~x~~ `y` > z | w")).toBe("@everyone \\~\\~x\\~\\~ \\`y\\` \\> z \\| w");
    expect(discordMessage(testMessage).allowed_mentions).toEqual({ parse: [] });
  });
});

describe("sendDiscord against the fake Discord", () => {
  it("posts exactly the stored body to the webhook (wait=true) and Discord keeps it once", async () => {
    const hook = fake.createWebhook();
    const payload = discordMessage(publishedEntitled);
    const outcome = await sendDiscord(target(hook.url), payload, delivery);
    expect(outcome).toMatchObject({ ok: true, status: 200 });
    const [posted] = fake.messagesTo(hook.id);
    expect(posted!.body).toEqual(payload);
    expect(fake.messagesTo(hook.id)).toHaveLength(1);
    const request = fake.requests.at(-1)!;
    expect(request.path).toBe(`/api/webhooks/${hook.id}/${hook.token}?wait=true`);
    expect(request.headers["content-type"]).toBe("application/json");
    expect(JSON.parse((outcome as { body: string }).body)).toMatchObject({ webhook_id: hook.id, embeds: [{ type: "rich", title: "New signal #12 from Alpha_Desk (BTC) *pro*" }] });
  });

  it("a webhook with a known id and token (the demo's fixed URL) receives posts like any other", async () => {
    const hook = fake.addWebhook("1300000000000000001", "demo-token_".padEnd(68, "x"));
    expect(await sendDiscord(target(hook.url), discordMessage(testMessage), delivery)).toMatchObject({ ok: true, status: 200 });
    expect(fake.messagesTo("1300000000000000001")).toHaveLength(1);
  });

  it("429: retryable with Discord's retry_after (seconds) as the wait; 5xx retryable; nothing posted", async () => {
    const hook = fake.createWebhook();
    fake.fault({ status: 429, retryAfterSeconds: 2.5 });
    expect(await sendDiscord(target(hook.url), discordMessage(testMessage), delivery)).toEqual({
      ok: false,
      status: 429,
      body: JSON.stringify({ message: "You are being rate limited.", retry_after: 2.5, global: false }),
      error: "Discord answered 429: You are being rate limited.",
      retryable: true,
      retryAfterMs: 2500,
    });
    fake.fault({ status: 502 });
    expect(await sendDiscord(target(hook.url), discordMessage(testMessage), delivery)).toMatchObject({ ok: false, status: 502, retryable: true });
    expect(fake.messagesTo(hook.id)).toHaveLength(0);
  });

  it("a deleted webhook (404 Unknown Webhook 10015) or a regenerated token (401) disables the destination", async () => {
    const hook = fake.createWebhook();
    fake.remove(hook.id);
    expect(await sendDiscord(target(hook.url), discordMessage(testMessage), delivery)).toEqual({
      ok: false,
      status: 404,
      body: JSON.stringify({ message: "Unknown Webhook", code: 10015 }),
      error: "Discord answered 404: Unknown Webhook (10015)",
      retryable: false,
      disable: "Discord says this webhook no longer exists (Unknown Webhook): add it again",
    });
    const other = fake.createWebhook();
    const wrongToken = other.url.replace(other.token, "x".repeat(68));
    expect(await sendDiscord(target(wrongToken), discordMessage(testMessage), delivery)).toMatchObject({
      ok: false,
      status: 401,
      error: "Discord answered 401: Invalid Webhook Token (50027)",
      retryable: false,
      disable: expect.stringContaining("regenerated") as unknown as string,
    });
  });

  it("a body Discord refuses (400 Invalid Form Body) fails without retrying and without disabling", async () => {
    const hook = fake.createWebhook();
    const outcome = await sendDiscord(target(hook.url), { embeds: [{ title: "x".repeat(300) }] }, delivery);
    expect(outcome).toMatchObject({ ok: false, status: 400, error: "Discord answered 400: Invalid Form Body (50035)", retryable: false });
    expect(outcome).not.toHaveProperty("disable");
  });

  it("without the test allow-list the fake's http://127.0.0.1 is refused by the SSRF check, at once, with the reason", async () => {
    const hook = fake.createWebhook();
    setEnv("OUTBOUND_URL_ALLOWLIST", undefined);
    const outcome = await sendDiscord(target(hook.url), discordMessage(testMessage), delivery);
    expect(outcome).toMatchObject({ ok: false, status: null, retryable: false, error: expect.stringMatching(/^Refused: /) as unknown as string });
    expect(fake.messagesTo(hook.id)).toHaveLength(0);
  });
});

describe("Discord webhook URLs", () => {
  const id = "123456789012345678";
  const token = "AbC-def_123456789012345678901234567890123456789012345678901234567890";
  it("accepts discord.com, discordapp.com, ptb. and canary., with or without /v10; stores the canonical URL", () => {
    for (const host of ["discord.com", "discordapp.com", "ptb.discord.com", "canary.discord.com", "canary.discordapp.com"]) {
      for (const path of [`/api/webhooks/${id}/${token}`, `/api/v10/webhooks/${id}/${token}/`]) {
        expect(parseDiscordWebhookUrl(` https://${host}${path} `)).toEqual({ id, token, url: `https://discord.com/api/webhooks/${id}/${token}` });
      }
    }
    expect(parseDiscordWebhookUrl(`https://discord.com/api/webhooks/${id}/${token}?thread_id=223456789012345678&x=1`)).toMatchObject({
      url: `https://discord.com/api/webhooks/${id}/${token}?thread_id=223456789012345678`,
    });
  });

  it("refuses anything else with a message for people", () => {
    expect(parseDiscordWebhookUrl("not a url")).toMatch(/^That is not a URL/);
    expect(parseDiscordWebhookUrl(`http://discord.com/api/webhooks/${id}/${token}`)).toBe("A Discord webhook URL starts with https://.");
    expect(parseDiscordWebhookUrl(`https://discord.com.evil.example/api/webhooks/${id}/${token}`)).toMatch(/^That is not a Discord address/);
    expect(parseDiscordWebhookUrl(`https://evil.example/api/webhooks/${id}/${token}`)).toMatch(/^That is not a Discord address/);
    expect(parseDiscordWebhookUrl(`https://user:pw@discord.com/api/webhooks/${id}/${token}`)).toMatch(/^That is not a Discord address/);
    expect(parseDiscordWebhookUrl(`https://discord.com:8443/api/webhooks/${id}/${token}`)).toMatch(/^That is not a Discord address/);
    expect(parseDiscordWebhookUrl(`https://discord.com/channels/${id}/${id}`)).toMatch(/is not a webhook/);
    expect(parseDiscordWebhookUrl(`https://discord.com/api/webhooks/abc/${token}`)).toMatch(/is not a webhook/);
    expect(parseDiscordWebhookUrl(`https://discord.com/api/webhooks/${id}/${token}/slack`)).toMatch(/is not a webhook/);
    expect(parseDiscordWebhookUrl(`https://discord.com/api/webhooks/${id}/${token}?thread_id=abc`)).toMatch(/thread_id/);
  });

  it("hints without the token; sends to the fake's origin with wait=true, keeping thread_id", () => {
    expect(discordUrlHint(`https://discord.com/api/webhooks/${id}/${token}`)).toBe(`discord.com/api/webhooks/${id}/…`);
    expect(discordSendUrl(`https://discord.com/api/webhooks/${id}/${token}?thread_id=2`, "http://127.0.0.1:4010")).toBe(
      `http://127.0.0.1:4010/api/webhooks/${id}/${token}?thread_id=2&wait=true`,
    );
    setEnv("DISCORD_API_BASE_URL", undefined);
    expect(discordSendUrl(`https://discord.com/api/webhooks/${id}/${token}`)).toBe(`https://discord.com/api/webhooks/${id}/${token}?wait=true`);
  });
});
