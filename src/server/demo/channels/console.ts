/**
 * The channels demo's web console: plain server-rendered HTML (no script) over the fakes of ./demo.ts, on 127.0.0.1.
 * Pages: an overview with the env lines and what to paste in Settings; Discord (the messages posted, embeds rendered
 * as Discord shows them; delete the webhook or answer 429 next); Telegram (each chat's conversation, a pretend user
 * writing to the bot, e.g. `/start <code>` or `/stop`, blocking the bot, new chats); webhooks (every delivery with its
 * headers, signature check and body; fail the next N requests).
 *
 * Forms POST and are answered 303 back to the page (a refresh never re-sends); a page refreshes itself only when asked
 * (`?auto=1`), so typing is never interrupted.
 *
 * INVARIANT: everything shown is escaped (the messages come from the app, and through it from providers).
 * INVARIANT: a POST from another origin is refused (any web page could otherwise drive a console on a known port).
 */
import "server-only";
import http from "node:http";
import { z } from "zod";
import { SIGNATURE_HEADER, verifySignature } from "@/lib/webhook-signature";
import type { DiscordPostedMessage } from "@/server/integrations/discord/fake-server";
import type { TelegramChat } from "@/server/integrations/telegram/bot-api";
import type { ReceivedWebhook } from "@/server/integrations/webhooks/fake-receiver";
import {
  DEMO_DISCORD_WEBHOOK,
  closeHttp,
  listenOn,
  type ChannelsDemo,
} from "./demo";

export function escapeHtml(value: unknown): string {
  return String(value ?? "")
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

const PAGES = [
  { path: "/", title: "Overview" },
  { path: "/discord", title: "Discord" },
  { path: "/telegram", title: "Telegram" },
  { path: "/webhooks", title: "Webhooks" },
] as const;

const CSS = `
:root { color-scheme: light; --fg: #1a1d21; --muted: #555d66; --line: #d5dae0; --bg: #f6f7f9; --accent: #0b57d0; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
header { background: #fff; border-bottom: 1px solid var(--line); }
header .bar, main { max-width: 70rem; margin: 0 auto; padding: 0.75rem 1rem; }
header .bar { display: flex; flex-wrap: wrap; align-items: center; gap: 1rem; }
header strong { font-size: 1.1rem; }
nav ul { display: flex; gap: 0.25rem; list-style: none; margin: 0; padding: 0; }
nav a { display: block; padding: 0.35rem 0.75rem; border-radius: 6px; color: var(--fg); text-decoration: none; }
nav a[aria-current="page"] { background: var(--fg); color: #fff; }
a { color: var(--accent); }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, textarea:focus-visible { outline: 3px solid #f2a900; outline-offset: 2px; }
h1 { font-size: 1.5rem; margin: 0.5rem 0 1rem; }
h2 { font-size: 1.2rem; margin: 1.75rem 0 0.5rem; }
h3 { font-size: 1.05rem; margin: 0 0 0.5rem; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 1rem; margin: 0 0 1rem; }
.card > h2:first-child { margin-top: 0; }
.muted { color: var(--muted); }
.row { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: end; }
label { display: block; font-weight: 600; font-size: 0.9rem; margin-bottom: 0.2rem; }
input, select, textarea { font: inherit; padding: 0.4rem 0.5rem; border: 1px solid #8a939c; border-radius: 6px; background: #fff; color: var(--fg); }
.row > div { flex: 1 1 16rem; }
.row > div:has(select), .row > div:has(input[type="number"]) { flex: 0 1 auto; }
input[type="text"], textarea { width: 100%; }
button { font: inherit; padding: 0.4rem 0.9rem; border-radius: 6px; border: 1px solid var(--fg); background: var(--fg); color: #fff; cursor: pointer; }
button.secondary { background: #fff; color: var(--fg); }
pre, code { font: 0.85rem/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
pre { background: #f0f2f5; border: 1px solid var(--line); border-radius: 6px; padding: 0.6rem; overflow-x: auto; white-space: pre-wrap; word-break: break-all; margin: 0.4rem 0; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
th, td { text-align: left; vertical-align: top; padding: 0.3rem 0.5rem; border-bottom: 1px solid var(--line); }
th { width: 14rem; font-weight: 600; }
td { word-break: break-all; }
.notice { padding: 0.6rem 0.8rem; border-radius: 6px; margin: 0 0 1rem; background: #e6f4ea; border: 1px solid #8cc59b; }
.error { background: #fdecea; border-color: #e3a19a; }
.badge { display: inline-block; padding: 0 0.5rem; border-radius: 999px; font-size: 0.8rem; font-weight: 600; border: 1px solid currentColor; }
.ok { color: #146c2e; } .bad { color: #b3261e; }
.embed { border-left: 4px solid #4f545c; background: #f2f3f5; border-radius: 4px; padding: 0.6rem 0.8rem; margin: 0.5rem 0; max-width: 40rem; }
.embed .fields { display: grid; grid-template-columns: repeat(auto-fill, minmax(10rem, 1fr)); gap: 0.4rem 1rem; margin: 0.5rem 0; }
.embed .field.wide { grid-column: 1 / -1; }
.embed .name { font-weight: 700; font-size: 0.85rem; }
.embed .footer { font-size: 0.8rem; color: var(--muted); }
.chat { list-style: none; margin: 0.5rem 0; padding: 0; display: flex; flex-direction: column; gap: 0.4rem; }
.chat li { max-width: 40rem; padding: 0.5rem 0.75rem; border-radius: 10px; background: #eef1f4; }
.chat li.user { align-self: flex-end; background: #dcf2d6; }
.chat .who { font-size: 0.8rem; color: var(--muted); display: block; }
.text { white-space: pre-wrap; word-break: break-word; margin: 0; }
details summary { cursor: pointer; color: var(--accent); font-size: 0.85rem; }
`;

function time(at: number): string {
  return new Date(at).toISOString().slice(11, 19) + " UTC";
}

function layout(
  current: string,
  title: string,
  body: string,
  query: URLSearchParams,
): string {
  const auto = query.get("auto") === "1";
  const notice = query.get("notice");
  const error = query.get("error");
  const nav = PAGES.map(
    (p) =>
      `<li><a href="${p.path}"${p.path === current ? ' aria-current="page"' : ""}>${p.title}</a></li>`,
  ).join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
${auto ? '<meta http-equiv="refresh" content="5">' : ""}
<title>${escapeHtml(title)} · Tradsy channels demo</title><style>${CSS}</style></head>
<body><header><div class="bar"><strong>Tradsy channels demo</strong><nav aria-label="Demo pages"><ul>${nav}</ul></nav>
<span class="muted"><a href="${current}${auto ? "?auto=1" : ""}">Refresh</a> · ${
    auto
      ? `Refreshing every 5 s (<a href="${current}">stop</a>)`
      : `<a href="${current}?auto=1">Refresh every 5 s</a>`
  }</span></div></header>
<main><h1>${escapeHtml(title)}</h1>
${notice ? `<p class="notice" role="status">${escapeHtml(notice)}</p>` : ""}${error ? `<p class="notice error" role="alert">${escapeHtml(error)}</p>` : ""}
${body}</main></body></html>`;
}

function overviewPage(demo: ChannelsDemo): string {
  const env = demo.envLines().join("\n");
  const lastPoll = demo.telegram.calls
    .filter((c) => c.method === "getUpdates")
    .at(-1);
  return `
<section class="card" aria-labelledby="env"><h2 id="env">1. Start the app against the fakes</h2>
<p>Add these lines to the app's environment (e.g. <code>.env.local</code>, or in front of <code>npm run dev</code>), then start it.
Do not set <code>TELEGRAM_WEBHOOK_SECRET</code>: without a public URL the app polls the bot's updates (the <code>telegram-poll</code> job, every minute, holding getUpdates open for about 50 s).</p>
<pre>${escapeHtml(env)}</pre></section>
<section class="card" aria-labelledby="paste"><h2 id="paste">2. Add destinations in Settings → Notification channels</h2>
<table><tbody>
<tr><th scope="row">Discord webhook URL</th><td><code>${escapeHtml(demo.discordWebhookUrl)}</code><br><span class="muted">A real-looking discord.com URL: the app sends it to the fake Discord (DISCORD_API_BASE_URL).</span></td></tr>
<tr><th scope="row">Webhook endpoint URL</th><td><code>${escapeHtml(demo.webhookUrl)}</code><br><span class="muted">Plain http on 127.0.0.1 is allowed only because it is on OUTBOUND_URL_ALLOWLIST.</span></td></tr>
<tr><th scope="row">Telegram</th><td>Press “Link Telegram” in Settings, copy the <code>/start &lt;code&gt;</code> it shows, and send it from a chat on the <a href="/telegram">Telegram page</a>. The bot is <code>@${escapeHtml(demo.telegram.bot.username)}</code>.</td></tr>
</tbody></table></section>
<section class="card" aria-labelledby="status"><h2 id="status">What the fakes have seen</h2>
<ul>
<li><a href="/discord">Discord</a>: ${demo.discord.messages.length} message(s) posted, ${demo.discord.requests.length} request(s).</li>
<li><a href="/telegram">Telegram</a>: ${demo.telegram.sent.length} message(s) sent by the bot; ${demo.telegram.queued.length} update(s) waiting for getUpdates; ${
    lastPoll
      ? `the app last polled at ${time(lastPoll.at)}.`
      : "the app has not polled yet (is it running with the env lines above?)."
  }${demo.telegram.webhook ? ` A webhook is set on the bot: ${escapeHtml(demo.telegram.webhook.url)}.` : ""}</li>
<li><a href="/webhooks">Webhooks</a>: ${demo.receiver.requests.length} delivery request(s) received.</li>
</ul></section>`;
}

function colorOf(value: unknown): string {
  return typeof value === "number" &&
    Number.isInteger(value) &&
    value >= 0 &&
    value <= 0xffffff
    ? `#${value.toString(16).padStart(6, "0")}`
    : "#4f545c";
}

function renderEmbed(embed: Record<string, unknown>): string {
  const fields = Array.isArray(embed.fields)
    ? (embed.fields as { name?: unknown; value?: unknown; inline?: unknown }[])
    : [];
  const footer = (embed.footer as { text?: unknown } | undefined)?.text;
  const author = (embed.author as { name?: unknown } | undefined)?.name;
  const title = embed.title
    ? typeof embed.url === "string"
      ? `<a href="${escapeHtml(embed.url)}" rel="noreferrer">${escapeHtml(embed.title)}</a>`
      : escapeHtml(embed.title)
    : "";
  return `<div class="embed" style="border-left-color:${colorOf(embed.color)}">
${author ? `<div class="name">${escapeHtml(author)}</div>` : ""}${title ? `<h3>${title}</h3>` : ""}
${embed.description ? `<p class="text">${escapeHtml(embed.description)}</p>` : ""}
${fields.length ? `<dl class="fields">${fields.map((f) => `<div class="field${f.inline ? "" : " wide"}"><dt class="name">${escapeHtml(f.name)}</dt><dd style="margin:0" class="text">${escapeHtml(f.value)}</dd></div>`).join("")}</dl>` : ""}
${footer || embed.timestamp ? `<div class="footer">${escapeHtml(footer ?? "")}${footer && embed.timestamp ? " · " : ""}${escapeHtml(embed.timestamp ?? "")}</div>` : ""}
</div>`;
}

function renderDiscordMessage(m: DiscordPostedMessage): string {
  const embeds = Array.isArray(m.body.embeds)
    ? (m.body.embeds as Record<string, unknown>[])
    : [];
  return `<article class="card" aria-label="Discord message ${escapeHtml(m.id)}">
<p><strong>${escapeHtml(m.body.username ?? "Webhook")}</strong> <span class="badge">BOT</span> <span class="muted">${time(m.at)} · webhook ${escapeHtml(m.webhookId)}</span></p>
${m.body.content ? `<p class="text">${escapeHtml(m.body.content)}</p>` : ""}${embeds.map(renderEmbed).join("")}
<details><summary>Raw JSON as posted</summary><pre>${escapeHtml(JSON.stringify(m.body, null, 2))}</pre></details></article>`;
}

function discordPage(demo: ChannelsDemo): string {
  const messages = [...demo.discord.messages].reverse();
  const failed = demo.discord.requests.length - demo.discord.messages.length;
  return `
<section class="card" aria-labelledby="hook"><h2 id="hook">The webhook to paste</h2><p><code>${escapeHtml(demo.discordWebhookUrl)}</code></p>
<div class="row">
<form method="post" action="/discord/fault"><input type="hidden" name="status" value="429"><button class="secondary">Answer the next send with 429 (rate limited)</button></form>
<form method="post" action="/discord/fault"><input type="hidden" name="status" value="503"><button class="secondary">Answer the next send with 503</button></form>
<form method="post" action="/discord/remove"><input type="hidden" name="id" value="${escapeHtml(DEMO_DISCORD_WEBHOOK.id)}"><button class="secondary">Delete the webhook in Discord (then 404 Unknown Webhook)</button></form>
</div></section>
<h2>Messages posted (${messages.length}, newest first)</h2>
${failed > 0 ? `<p class="muted">${failed} request(s) were refused (faults, unknown webhook or invalid body) and are not shown.</p>` : ""}
${messages.length ? messages.map(renderDiscordMessage).join("") : '<p class="muted">Nothing posted yet. Add the webhook in Settings and press “Send a test message”.</p>'}`;
}

function chatName(chat: TelegramChat): string {
  return chat.type === "private"
    ? `${chat.first_name ?? "User"}${chat.username ? ` (@${chat.username})` : ""}`
    : (chat.title ?? "Group");
}

function telegramPage(demo: ChannelsDemo): string {
  const chats = demo.chats
    .map((chat) => {
      const name = chatName(chat);
      const entries = [
        ...demo.userActions
          .filter((a) => a.chatId === chat.id)
          .map((a) => ({
            at: a.at,
            html: `<li class="user"><span class="who">${escapeHtml(name)} · ${time(a.at)} · update ${a.updateId}${a.webhookStatus !== null ? ` · app's webhook answered ${a.webhookStatus}` : demo.telegram.queued.some((u) => u.update_id === a.updateId) ? " · waiting for getUpdates" : " · fetched by the app"}</span><span class="text">${a.kind === "block" ? `<em>${escapeHtml(a.text)}</em>` : escapeHtml(a.text)}</span></li>`,
          })),
        ...demo.telegram.messagesTo(chat.id).map((m) => ({
          at: m.at,
          html: `<li><span class="who">@${escapeHtml(demo.telegram.bot.username)} · ${time(m.at)}${m.params.parse_mode ? ` · ${escapeHtml(m.params.parse_mode)}` : ""}</span><span class="text">${escapeHtml(m.plain)}</span><details><summary>Raw text as sent</summary><pre>${escapeHtml(m.params.text)}</pre></details></li>`,
        })),
      ].sort((a, b) => a.at - b.at);
      const blocked = demo.blocked.has(chat.id);
      const inputId = `text-${chat.id}`;
      return `<section class="card" aria-labelledby="chat-${chat.id}"><h2 id="chat-${chat.id}">${escapeHtml(name)}</h2>
<p class="muted">${chat.type} chat · id ${chat.id}${blocked ? ' · <span class="badge bad">bot blocked</span>' : ""}</p>
${entries.length ? `<ul class="chat" aria-label="Conversation">${entries.map((e) => e.html).join("")}</ul>` : '<p class="muted">No messages yet.</p>'}
<form method="post" action="/telegram/send" class="row"><input type="hidden" name="chatId" value="${chat.id}">
<div><label for="${inputId}">Message to the bot</label><input type="text" id="${inputId}" name="text" required maxlength="4096" placeholder="/start <code from Settings>"></div>
<button>Send</button></form>
<div class="row" style="margin-top:0.5rem">
<form method="post" action="/telegram/send"><input type="hidden" name="chatId" value="${chat.id}"><input type="hidden" name="text" value="/stop"><button class="secondary">Send /stop</button></form>
${blocked ? "" : `<form method="post" action="/telegram/block"><input type="hidden" name="chatId" value="${chat.id}"><button class="secondary">${chat.type === "private" ? "Block the bot" : "Remove the bot from the group"}</button></form>`}
</div></section>`;
    })
    .join("");
  const lastPoll = demo.telegram.calls
    .filter((c) => c.method === "getUpdates")
    .at(-1);
  return `
<p>Bot <code>@${escapeHtml(demo.telegram.bot.username)}</code>, token <code>${escapeHtml(demo.telegram.token)}</code>.
${demo.telegram.queued.length} update(s) waiting for getUpdates; ${lastPoll ? `the app last polled at ${time(lastPoll.at)}` : "the app has not polled yet"}.
Messages reach the app at its next poll (within about a minute of starting it).</p>
<div class="row" style="margin-bottom:1rem">
<form method="post" action="/telegram/fault"><button class="secondary">Answer the bot's next call with 429 (retry after 3 s)</button></form></div>
${chats}
<section class="card" aria-labelledby="new-chat"><h2 id="new-chat">Another chat</h2>
<form method="post" action="/telegram/chats" class="row">
<div><label for="chat-type">Kind</label><select id="chat-type" name="type"><option value="private">Private chat with a person</option><option value="group">Group with the bot in it</option></select></div>
<div><label for="chat-name">Name (person's first name or group title)</label><input type="text" id="chat-name" name="name" required maxlength="64"></div>
<div><label for="chat-username">Username (optional, private chats)</label><input type="text" id="chat-username" name="username" maxlength="32" pattern="[A-Za-z0-9_]{0,32}"></div>
<button>Add the chat</button></form>
<p class="muted">Chats added here are forgotten when the demo restarts; Ann and Signals desk keep their ids.</p></section>`;
}

function signatureCell(demo: ChannelsDemo, r: ReceivedWebhook): string {
  const header = r.headers[SIGNATURE_HEADER.toLowerCase()];
  if (!header) return '<span class="badge bad">no signature header</span>';
  if (!demo.webhookSecret)
    return '<span class="muted">Paste the endpoint\'s secret above to check it.</span>';
  const result = verifySignature(
    demo.webhookSecret,
    r.rawBody,
    header,
    Math.floor(r.at / 1000),
  );
  return result.ok
    ? '<span class="badge ok">valid at arrival</span>'
    : `<span class="badge bad">invalid: ${escapeHtml(result.reason)}</span>`;
}

function prettyBody(raw: string): string {
  try {
    return JSON.stringify(JSON.parse(raw), null, 2);
  } catch {
    return raw;
  }
}

function webhooksPage(demo: ChannelsDemo): string {
  const requests = [...demo.receiver.requests].reverse();
  return `
<section class="card" aria-labelledby="endpoint"><h2 id="endpoint">The endpoint</h2><p><code>${escapeHtml(demo.webhookUrl)}</code> (any path is answered; 200 unless told to fail)</p>
<form method="post" action="/webhooks/fail" class="row">
<div><label for="fail-count">Fail the next … requests</label><input type="number" id="fail-count" name="count" min="1" max="100" value="5" required></div>
<div><label for="fail-status">with status</label><select id="fail-status" name="status"><option>500</option><option>502</option><option>503</option><option>404</option><option>410</option><option>429</option></select></div>
<button>Schedule failures</button></form>
<p>${demo.pendingWebhookFailures} scheduled failure(s) left.</p>
<form method="post" action="/webhooks/secret" class="row">
<div><label for="secret">Signing secret (shown once in Settings), to check signatures here</label><input type="text" id="secret" name="secret" autocomplete="off" placeholder="whsec_…" value="${escapeHtml(demo.webhookSecret ?? "")}"></div>
<button class="secondary">Check with this secret</button></form>
<form method="post" action="/webhooks/clear" style="margin-top:0.5rem"><button class="secondary">Forget received requests and scheduled failures</button></form></section>
<h2>Deliveries received (${requests.length}, newest first)</h2>
${
  requests.length
    ? requests
        .map(
          (r) => `<article class="card" aria-label="Delivery at ${time(r.at)}">
<p><strong>${escapeHtml(r.method)} ${escapeHtml(r.path)}</strong> · ${time(r.at)} · answered <span class="badge ${r.status >= 200 && r.status < 300 ? "ok" : "bad"}">${r.status}</span></p>
<table><tbody>${Object.entries(r.headers)
            .map(
              ([k, v]) =>
                `<tr><th scope="row">${escapeHtml(k)}</th><td><code>${escapeHtml(v)}</code></td></tr>`,
            )
            .join(
              "",
            )}<tr><th scope="row">Signature check</th><td>${signatureCell(demo, r)}</td></tr></tbody></table>
<pre aria-label="Body">${escapeHtml(prettyBody(r.rawBody))}</pre></article>`,
        )
        .join("")
    : '<p class="muted">Nothing received yet. Add the endpoint in Settings and send a test event.</p>'
}`;
}

const chatIdField = z.coerce.number({ message: "Pick a chat." }).int();
const FORMS = {
  "/telegram/send": z.object({
    chatId: chatIdField,
    text: z
      .string()
      .trim()
      .min(1, "Type a message.")
      .max(4096, "A Telegram message is at most 4096 characters."),
  }),
  "/telegram/block": z.object({ chatId: chatIdField }),
  "/telegram/chats": z.object({
    type: z.enum(["private", "group"], { message: "Pick private or group." }),
    name: z
      .string()
      .trim()
      .min(1, "Give the chat a name.")
      .max(64, "Keep the name under 64 characters."),
    username: z
      .string()
      .trim()
      .regex(
        /^[A-Za-z0-9_]{0,32}$/,
        "A username is letters, digits and _ (up to 32).",
      )
      .optional(),
  }),
  "/telegram/fault": z.object({}),
  "/discord/fault": z.object({
    status: z.enum(["429", "503"], { message: "Pick 429 or 503." }),
  }),
  "/discord/remove": z.object({
    id: z.string().regex(/^\d+$/, "A webhook id is digits."),
  }),
  "/webhooks/fail": z.object({
    count: z.coerce
      .number({ message: "Give a number of requests." })
      .int("Give a whole number.")
      .min(1, "At least 1 request.")
      .max(100, "At most 100 requests."),
    status: z.coerce
      .number()
      .int()
      .min(400, "Pick a failure status (4xx or 5xx).")
      .max(599, "Pick a failure status (4xx or 5xx)."),
  }),
  "/webhooks/secret": z.object({
    secret: z.string().trim().max(200, "That is too long for a secret."),
  }),
  "/webhooks/clear": z.object({}),
} as const;
type FormPath = keyof typeof FORMS;

/** Applies a form; returns the page to go back to and what to tell the person. */
async function applyForm(
  demo: ChannelsDemo,
  path: FormPath,
  input: Record<string, string>,
): Promise<{ page: string; notice: string }> {
  switch (path) {
    case "/telegram/send": {
      const { chatId, text } = FORMS[path].parse(input);
      if (!demo.chat(chatId))
        throw new FormError(
          "/telegram",
          "That chat does not exist (the demo restarted?).",
        );
      const action = await demo.userSends(chatId, text);
      return {
        page: "/telegram",
        notice:
          action.webhookStatus === null
            ? `Sent “${text}”: the app gets it at its next getUpdates.`
            : `Sent “${text}”: the app's webhook answered ${action.webhookStatus}.`,
      };
    }
    case "/telegram/block": {
      const { chatId } = FORMS[path].parse(input);
      if (!demo.chat(chatId))
        throw new FormError(
          "/telegram",
          "That chat does not exist (the demo restarted?).",
        );
      await demo.block(chatId);
      return {
        page: "/telegram",
        notice:
          "The bot is blocked in that chat: the app hears of it at its next poll, and sends there now answer 403.",
      };
    }
    case "/telegram/chats": {
      const { type, name, username } = FORMS[path].parse(input);
      demo.addChat(type, name, username || undefined);
      return { page: "/telegram", notice: `Added the chat “${name}”.` };
    }
    case "/telegram/fault":
      demo.telegram.fault({ status: 429, retryAfterSeconds: 3 });
      return {
        page: "/telegram",
        notice: "The bot's next API call is answered 429 (retry after 3 s).",
      };
    case "/discord/fault": {
      const { status } = FORMS[path].parse(input);
      demo.discord.fault({
        status: Number(status) as 429 | 503,
        retryAfterSeconds: 2,
      });
      return {
        page: "/discord",
        notice: `The next Discord send is answered ${status}.`,
      };
    }
    case "/discord/remove": {
      const { id } = FORMS[path].parse(input);
      demo.discord.remove(id);
      return {
        page: "/discord",
        notice:
          "Webhook deleted: the app's next send gets 404 Unknown Webhook (restart the demo to get it back).",
      };
    }
    case "/webhooks/fail": {
      const { count, status } = FORMS[path].parse(input);
      demo.failNextWebhooks(count, status);
      return {
        page: "/webhooks",
        notice: `The next ${count} request(s) are answered ${status}.`,
      };
    }
    case "/webhooks/secret": {
      const { secret } = FORMS[path].parse(input);
      demo.webhookSecret = secret || null;
      return {
        page: "/webhooks",
        notice: secret
          ? "Signatures are checked with that secret."
          : "Secret forgotten.",
      };
    }
    case "/webhooks/clear":
      demo.clearWebhooks();
      return {
        page: "/webhooks",
        notice: "Forgot the received requests and scheduled failures.",
      };
  }
}

class FormError extends Error {
  constructor(
    readonly page: string,
    message: string,
  ) {
    super(message);
  }
}

function readBody(
  req: http.IncomingMessage,
  limit = 64 * 1024,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > limit) reject(new Error("The form is too large."));
      else chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function redirect(
  res: http.ServerResponse,
  page: string,
  key: "notice" | "error",
  message: string,
): void {
  res.writeHead(303, {
    location: `${page}?${new URLSearchParams({ [key]: message })}`,
  });
  res.end();
}

export async function handleConsole(
  demo: ChannelsDemo,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? "/", "http://console");
  const html = (status: number, body: string) => {
    res.writeHead(status, {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      "x-frame-options": "DENY",
      "content-security-policy":
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
    });
    res.end(body);
  };
  if (req.method === "GET" || req.method === "HEAD") {
    const page = PAGES.find((p) => p.path === url.pathname);
    if (!page)
      return html(
        404,
        layout(
          url.pathname,
          "Not found",
          '<p>No such page. <a href="/">Back to the overview</a>.</p>',
          url.searchParams,
        ),
      );
    const body = {
      "/": overviewPage,
      "/discord": discordPage,
      "/telegram": telegramPage,
      "/webhooks": webhooksPage,
    }[page.path](demo);
    return html(
      200,
      layout(
        page.path,
        page.path === "/" ? "Overview" : page.title,
        body,
        url.searchParams,
      ),
    );
  }
  if (req.method !== "POST" || !(url.pathname in FORMS))
    return html(
      405,
      layout(
        "/",
        "Not allowed",
        "<p>Only the console's forms can change things.</p>",
        url.searchParams,
      ),
    );
  // INVARIANT (header): browsers send Origin on a cross-site form POST; our own forms come from this host.
  const origin = req.headers.origin;
  if (
    origin &&
    origin !== "null" &&
    new URL(origin).host !== req.headers.host
  ) {
    res.writeHead(403, { "content-type": "text/plain; charset=utf-8" });
    return void res.end("Refused: a form from another site.");
  }
  const back = `/${url.pathname.split("/")[1]}`;
  try {
    const input = Object.fromEntries(new URLSearchParams(await readBody(req)));
    const { page, notice } = await applyForm(
      demo,
      url.pathname as FormPath,
      input,
    );
    redirect(res, page, "notice", notice);
  } catch (err) {
    if (err instanceof z.ZodError)
      return redirect(
        res,
        back,
        "error",
        err.issues.map((i) => i.message).join(" "),
      );
    if (err instanceof FormError)
      return redirect(res, err.page, "error", err.message);
    redirect(
      res,
      back,
      "error",
      `That did not work: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

/** Starts the console on `port` (0: any free port); returns its URL and a stop function. */
export async function startConsole(
  demo: ChannelsDemo,
  port: number,
): Promise<{ url: string; stop: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    handleConsole(demo, req, res).catch((err: unknown) => {
      if (!res.headersSent)
        res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
      res.end(
        `console error: ${err instanceof Error ? err.message : String(err)}`,
      );
    });
  });
  const bound = await listenOn(server, port, "console");
  demo.ports = { ...demo.ports, console: bound };
  return { url: demo.url("console"), stop: () => closeHttp(server) };
}
