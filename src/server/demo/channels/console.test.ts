/**
 * The offline channels demo's console (issue 16): every server on 127.0.0.1, free ports, no network. A pretend
 * Telegram user's message is queued for getUpdates and the app's poller (H3's pollTelegramUpdates, what the
 * telegram-poll job runs) links the chat from it; what the app sends to the fake Discord and the fake receiver is shown
 * (escaped) with headers and a signature check; scripted failures answer in order; the env lines and URLs to paste are
 * right; a form from another site is refused.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { useEnvOverrides } from "@/test/env";
import { createUser } from "@/test/factories";
import { publishedEntitled } from "@/test/channel-events";
import { signatureHeader } from "@/lib/webhook-signature";
import { notificationChannels } from "@/server/db/schema";
import { discordMessage } from "@/server/integrations/discord/format";
import { sendDiscord } from "@/server/integrations/discord/sender";
import {
  TELEGRAM_REPLIES,
  pollTelegramUpdates,
  startTelegramLink,
} from "@/server/services/channels/telegram-link";
import { escapeHtml, startConsole } from "./console";
import {
  ChannelsDemo,
  DEMO_DISCORD_WEBHOOK,
  DEMO_TELEGRAM_TOKEN,
} from "./demo";

const t = useTestDatabase();
const setEnv = useEnvOverrides();
let demo: ChannelsDemo;
let consoleUrl: string;
let stopConsole: () => Promise<void>;

beforeEach(async () => {
  demo = new ChannelsDemo();
  await demo.start({ discord: 0, telegram: 0, webhooks: 0 });
  ({ url: consoleUrl, stop: stopConsole } = await startConsole(demo, 0));
  // The app started with the printed env lines.
  for (const line of demo.envLines()) {
    const [key, value] = line.split(/=(.*)/s) as [string, string];
    setEnv(key as "TELEGRAM_BOT_TOKEN", value);
  }
  setEnv("TELEGRAM_WEBHOOK_SECRET", undefined);
});
afterEach(async () => {
  await stopConsole();
  await demo.stop();
});

const page = async (path: string) => {
  const res = await fetch(`${consoleUrl}${path}`);
  return { status: res.status, html: await res.text() };
};
/** Submits a console form as a browser would (same origin); returns where it sends the person back to. */
const submit = async (
  path: string,
  fields: Record<string, string | number>,
  origin = consoleUrl,
) => {
  const res = await fetch(`${consoleUrl}${path}`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", origin },
    body: new URLSearchParams(
      Object.entries(fields).map(([k, v]) => [k, String(v)]),
    ),
  });
  const location = res.headers.get("location");
  return {
    status: res.status,
    location,
    message: location ? new URL(location, consoleUrl).searchParams : null,
  };
};
const botCall = async (
  method: string,
  params: Record<string, unknown> = {},
) => {
  const res = await fetch(
    `${demo.url("telegram")}/bot${DEMO_TELEGRAM_TOKEN}/${method}`,
    {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(params),
    },
  );
  return (await res.json()) as {
    ok: boolean;
    result: unknown;
    description?: string;
  };
};
const ann = () => demo.chats[0]!;

describe("the channels demo console", () => {
  it("prints the env lines and URLs the app needs, and renders every page", async () => {
    const hostPorts = [
      demo.ports.discord,
      demo.ports.telegram,
      demo.ports.webhooks,
    ].map((p) => `127.0.0.1:${p}`);
    expect(demo.envLines()).toEqual([
      `TELEGRAM_BOT_TOKEN=${DEMO_TELEGRAM_TOKEN}`,
      `TELEGRAM_API_BASE_URL=http://127.0.0.1:${demo.ports.telegram}`,
      `DISCORD_API_BASE_URL=http://127.0.0.1:${demo.ports.discord}`,
      `OUTBOUND_URL_ALLOWLIST=${hostPorts.join(",")}`,
    ]);
    expect(demo.discordWebhookUrl).toBe(
      `https://discord.com/api/webhooks/${DEMO_DISCORD_WEBHOOK.id}/${DEMO_DISCORD_WEBHOOK.token}`,
    );
    expect(demo.webhookUrl).toBe(
      `http://127.0.0.1:${demo.ports.webhooks}/hooks/tradsy`,
    );

    const overview = await page("/");
    expect(overview.status).toBe(200);
    for (const line of demo.envLines())
      expect(overview.html).toContain(escapeHtml(line));
    expect(overview.html).toContain(demo.discordWebhookUrl);
    expect(overview.html).toContain(demo.webhookUrl);
    expect(overview.html).toContain("the app has not polled yet");
    for (const path of ["/discord", "/telegram", "/webhooks"]) {
      const { status, html } = await page(path);
      expect(status).toBe(200);
      expect(html).toMatch(/^<!doctype html>\n<html lang="en">/);
      expect(html).toContain(`href="${path}" aria-current="page"`);
      expect(html).not.toContain('http-equiv="refresh"');
    }
    expect((await page("/telegram?auto=1")).html).toContain(
      '<meta http-equiv="refresh" content="5">',
    );
    expect((await page("/nope")).status).toBe(404);
  });

  it("a pretend user's message is queued for getUpdates, shown in the chat, and gone once the app confirms it", async () => {
    const sent = await submit("/telegram/send", {
      chatId: ann().id,
      text: "/start abc123",
    });
    expect(sent.status).toBe(303);
    expect(sent.location).toMatch(/^\/telegram\?notice=/);
    expect(sent.message!.get("notice")).toBe(
      "Sent “/start abc123”: the app gets it at its next getUpdates.",
    );

    const updates = (await botCall("getUpdates", { timeout: 0 })).result as {
      update_id: number;
      message: { text: string; chat: { id: number } };
    }[];
    expect(updates).toHaveLength(1);
    expect(updates[0]!.message).toMatchObject({
      text: "/start abc123",
      chat: { id: ann().id, type: "private", username: "ann_trades" },
    });
    let html = (await page("/telegram")).html;
    expect(html).toContain("/start abc123");
    expect(html).toContain(
      `update ${updates[0]!.update_id} · waiting for getUpdates`,
    );

    await botCall("getUpdates", {
      offset: updates[0]!.update_id + 1,
      timeout: 0,
    });
    html = (await page("/telegram")).html;
    expect(html).toContain(
      `update ${updates[0]!.update_id} · fetched by the app`,
    );
    expect(html).toMatch(/the app last polled at \d\d:\d\d:\d\d UTC/);
  });

  it("the app's poller links the chat from `/start <code>` typed in the console, and a blocked bot unlinks it", async () => {
    const user = await createUser("subscriber");
    const link = await startTelegramLink(user.id, { label: "Demo phone" });
    expect(link.deepLink).toBe(
      `https://t.me/tradsy_demo_bot?start=${link.code}`,
    );

    await submit("/telegram/send", {
      chatId: ann().id,
      text: `/start ${link.code}`,
    });
    expect(
      await pollTelegramUpdates({ maxRunMs: 0, timeoutSeconds: 0 }),
    ).toMatchObject({ updates: 1, actions: { linked: 1 } });
    const [row] = await t.db
      .select()
      .from(notificationChannels)
      .where(eq(notificationChannels.id, link.channelId));
    expect(row).toMatchObject({
      status: "active",
      telegramChatId: String(ann().id),
      telegramChatName: "@ann_trades",
    });
    // The bot's reply is in the conversation, as people read it.
    expect((await page("/telegram")).html).toContain(
      escapeHtml(TELEGRAM_REPLIES.linked("Demo phone")),
    );

    const blocked = await submit("/telegram/block", { chatId: ann().id });
    expect(blocked.message!.get("notice")).toMatch(
      /^The bot is blocked in that chat/,
    );
    expect(
      await pollTelegramUpdates({ maxRunMs: 0, timeoutSeconds: 0 }),
    ).toMatchObject({ updates: 1 });
    const [after] = await t.db
      .select()
      .from(notificationChannels)
      .where(eq(notificationChannels.id, link.channelId));
    expect(after!.status).not.toBe("active");
    expect(
      (await botCall("sendMessage", { chat_id: ann().id, text: "hello" }))
        .description,
    ).toBe("Forbidden: bot was blocked by the user");
    const html = (await page("/telegram")).html;
    expect(html).toContain("bot blocked");
    expect(html).toContain("<em>blocked the bot</em>");
  });

  it("shows what the app posted to the fake Discord as a readable embed, escaped", async () => {
    const payload = discordMessage(publishedEntitled);
    const outcome = await sendDiscord(
      {
        id: "nch_demo",
        kind: "discord",
        url: demo.discordWebhookUrl,
        secret: null,
        telegramChatId: null,
      },
      payload,
      {
        id: "dlv_demo",
        eventId: "evt_demo",
        event: "signal.published",
        attempt: 1,
      },
    );
    expect(outcome).toMatchObject({ ok: true });
    await fetch(
      `${demo.url("discord")}/api/webhooks/${DEMO_DISCORD_WEBHOOK.id}/${DEMO_DISCORD_WEBHOOK.token}`,
      {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          embeds: [
            {
              title: "<script>alert(1)</script>",
              fields: [{ name: "Entry", value: "<b>1</b>" }],
            },
          ],
        }),
      },
    );

    const { html } = await page("/discord");
    expect(html).toContain("Messages posted (2, newest first)");
    const embed = (
      payload.embeds as {
        title: string;
        fields: { name: string; value: string }[];
      }[]
    )[0]!;
    expect(html).toContain(escapeHtml(embed.title));
    for (const field of embed.fields)
      expect(html).toContain(`<dt class="name">${escapeHtml(field.name)}</dt>`);
    expect(html).not.toContain("<script>");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).toContain("&lt;b&gt;1&lt;/b&gt;");

    // Deleting the webhook "in Discord": the app's next send is refused for good.
    await submit("/discord/remove", { id: DEMO_DISCORD_WEBHOOK.id });
    const gone = await sendDiscord(
      {
        id: "nch_demo",
        kind: "discord",
        url: demo.discordWebhookUrl,
        secret: null,
        telegramChatId: null,
      },
      payload,
      {
        id: "dlv_demo2",
        eventId: "evt_demo",
        event: "signal.published",
        attempt: 1,
      },
    );
    expect(gone).toMatchObject({ ok: false, status: 404 });
  });

  it("fails the next N webhook requests in order, then accepts; shows headers, body and the signature check", async () => {
    const scheduled = await submit("/webhooks/fail", { count: 1, status: 503 });
    expect(scheduled.message!.get("notice")).toBe(
      "The next 1 request(s) are answered 503.",
    );
    // Scheduling again adds to what is left.
    await submit("/webhooks/fail", { count: 1, status: 503 });
    expect((await page("/webhooks")).html).toContain(
      "2 scheduled failure(s) left.",
    );

    const secret = "whsec_demo-secret-for-the-console-test";
    const body = JSON.stringify({
      id: "evt_1",
      type: "test",
      created: "2026-12-06T00:00:00.000Z",
      data: { note: "<hi>" },
    });
    const post = () =>
      fetch(demo.webhookUrl, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "tradsy-webhook-id": "evt_1",
          "tradsy-signature": signatureHeader(
            secret,
            body,
            Math.floor(Date.now() / 1000),
          ),
        },
        body,
      });
    expect([
      (await post()).status,
      (await post()).status,
      (await post()).status,
    ]).toEqual([503, 503, 200]);
    expect(demo.pendingWebhookFailures).toBe(0);

    let html = (await page("/webhooks")).html;
    expect(html).toContain("Deliveries received (3, newest first)");
    expect(html).toContain("0 scheduled failure(s) left.");
    expect(html).toContain(
      '<th scope="row">tradsy-webhook-id</th><td><code>evt_1</code>',
    );
    expect(html).toContain("&quot;note&quot;: &quot;&lt;hi&gt;&quot;");
    expect(html).toContain("Paste the endpoint's secret above to check it.");

    await submit("/webhooks/secret", { secret });
    html = (await page("/webhooks")).html;
    expect(html.match(/valid at arrival/g)).toHaveLength(3);
    await submit("/webhooks/secret", { secret: "whsec_another" });
    expect(
      (await page("/webhooks")).html.match(/invalid: mismatch/g),
    ).toHaveLength(3);

    await submit("/webhooks/clear", {});
    expect((await page("/webhooks")).html).toContain(
      "Deliveries received (0, newest first)",
    );
  });

  it("explains bad input and refuses a form posted from another site", async () => {
    const bad = await submit("/webhooks/fail", { count: 0, status: 503 });
    expect(bad.status).toBe(303);
    expect(bad.message!.get("error")).toBe("At least 1 request.");
    expect(demo.pendingWebhookFailures).toBe(0);
    expect(
      (await submit("/telegram/send", { chatId: 42, text: "hi" })).message!.get(
        "error",
      ),
    ).toBe("That chat does not exist (the demo restarted?).");
    expect(
      (
        await submit("/telegram/send", { chatId: ann().id, text: "  " })
      ).message!.get("error"),
    ).toBe("Type a message.");
    expect(
      (await page(`/telegram?error=${encodeURIComponent("<x>")}`)).html,
    ).toContain('<p class="notice error" role="alert">&lt;x&gt;</p>');

    const foreign = await submit(
      "/telegram/send",
      { chatId: ann().id, text: "/stop" },
      "https://evil.example",
    );
    expect(foreign.status).toBe(403);
    expect(demo.userActions).toHaveLength(0);
    expect(demo.telegram.queued).toHaveLength(0);
  });

  it("keeps the Discord webhook and the first chats across restarts, and update ids keep growing", async () => {
    const before = {
      hook: demo.discordWebhookUrl,
      chats: demo.chats.map((c) => c.id),
    };
    const first = await demo.userSends(ann().id, "hello");
    // Ids count tenths of a second: a restart comes later than one update after start.
    await new Promise((r) => setTimeout(r, 200));
    const again = new ChannelsDemo();
    await again.start({ discord: 0, telegram: 0, webhooks: 0 });
    try {
      expect(again.discordWebhookUrl).toBe(before.hook);
      expect(again.chats.map((c) => c.id)).toEqual(before.chats);
      const next = await again.userSends(again.chats[0]!.id, "hello again");
      expect(next.updateId).toBeGreaterThan(first.updateId);
    } finally {
      await again.stop();
    }
  });
});
