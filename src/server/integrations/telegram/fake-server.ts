/**
 * A local Telegram Bot API for tests and the offline demo (TELEGRAM_API_BASE_URL pointed at it, its host:port in
 * OUTBOUND_URL_ALLOWLIST): POST /bot<token>/<method> with JSON, answered in Telegram's shapes — `{ ok: true, result }`
 * or `{ ok: false, error_code, description, parameters? }`.
 *
 * What it models:
 * - a wrong token: 401 "Unauthorized"; getMe: the bot (@tradsy_test_bot unless told otherwise);
 * - sendMessage: chat_id and text required; an unknown chat is 400 "Bad Request: chat not found"; a chat that blocked
 *   or removed the bot is 403 "Forbidden: bot was blocked by the user" / "…kicked from the group chat"; MarkdownV2 is
 *   parsed as Telegram parses it (./markdown-v2.ts: an unescaped reserved character is 400 "can't parse entities");
 *   over 4096 characters after parsing is 400 "message is too long";
 * - getUpdates: offset confirms (drops) every update below it; `timeout` holds the request until an update arrives;
 *   409 Conflict while a webhook is set; setWebhook (https URL and a well-formed secret_token required),
 *   deleteWebhook (drop_pending_updates), getWebhookInfo;
 * - `fault()`: the next requests answer 429 with `parameters.retry_after`, or a 5xx.
 * The test's side of the chat: `privateChat()`/`groupChat()` make chats, `userSends(chat, text)` is a person writing
 * to the bot (queued for getUpdates, or POSTed to the webhook with X-Telegram-Bot-Api-Secret-Token when one is set,
 * through `dispatch`), `block(chat)` removes the bot (a my_chat_member update). `sent` lists what the bot sent.
 */
import "server-only";
import http from "node:http";
import { closeServer, listenLocal, sendJson } from "@/server/integrations/market-data/fake-binance";
import type { TelegramChat, TelegramUpdate, TelegramUser } from "./bot-api";
import { checkMarkdownV2 } from "./markdown-v2";

export interface TelegramSentMessage {
  chatId: number;
  /** The parameters as the bot sent them. */
  params: Record<string, unknown>;
  /** The text as people see it (markup removed). */
  plain: string;
  at: number;
}

export interface FakeTelegramFault {
  status: 429 | 500 | 502;
  retryAfterSeconds?: number;
  times?: number;
}

interface ChatState {
  chat: TelegramChat;
  user: TelegramUser | null;
  /** The bot was blocked (private) or removed from the chat (group). */
  gone: boolean;
}

export class FakeTelegramServer {
  readonly token: string;
  readonly bot: TelegramUser;
  readonly sent: TelegramSentMessage[] = [];
  readonly calls: { method: string; params: Record<string, unknown>; at: number }[] = [];
  webhook: { url: string; secretToken: string | null; allowedUpdates: string[] } | null = null;
  /** How a webhook delivery reaches the app (tests hand the route's POST; default: fetch). */
  dispatch: (request: Request) => Promise<Response> = (request) => fetch(request);
  baseUrl = "";
  private readonly chats = new Map<number, ChatState>();
  private pending: TelegramUpdate[] = [];
  private waiters: (() => void)[] = [];
  private faults: Required<FakeTelegramFault>[] = [];
  private nextUpdateId = 700_000_001;
  private otherPollers = 0;
  private nextId = 1_000;
  private server: http.Server | null = null;

  /**
   * `firstUpdateId`: where update ids start (a long-running demo restarted must count above the ids it handed out
   * before, or the app's poller, asking for ids above the last it handled, would skip the new ones).
   */
  constructor(options: { token?: string; username?: string; firstUpdateId?: number } = {}) {
    this.token = options.token ?? "123456789:AAH-fake-telegram-token_for_tests0";
    if (options.firstUpdateId !== undefined) this.nextUpdateId = options.firstUpdateId;
    this.bot = { id: Number(this.token.split(":")[0]), is_bot: true, first_name: "Tradsy", username: options.username ?? "tradsy_test_bot" };
  }

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => void this.handle(req, Buffer.concat(chunks).toString("utf8"), res));
    });
    this.baseUrl = await listenLocal(this.server);
    return this.baseUrl;
  }

  async stop(): Promise<void> {
    for (const wake of this.waiters.splice(0)) wake();
    if (this.server) await closeServer(this.server);
    this.server = null;
  }

  /** The next getUpdates is ended by another poller of the same bot (Telegram's 409 for two pollers). */
  otherPoller(): void {
    this.otherPollers += 1;
  }

  fault(fault: FakeTelegramFault): void {
    this.faults.push({ retryAfterSeconds: 3, times: 1, ...fault });
  }

  /** A person and their private chat with the bot (they pressed Start). */
  privateChat(firstName = "Ann", username = "ann_trades"): TelegramChat {
    const id = (this.nextId += 1) * 1_000 + 7;
    const chat: TelegramChat = { id, type: "private", first_name: firstName, username };
    this.chats.set(id, { chat, user: { id, is_bot: false, first_name: firstName, username }, gone: false });
    return chat;
  }

  /** A group the bot was added to, and a member who writes in it. */
  groupChat(title = "Signals desk"): TelegramChat {
    const id = -((this.nextId += 1) * 1_000 + 3);
    const chat: TelegramChat = { id, type: "group", title };
    this.chats.set(id, { chat, user: { id: -id + 1, is_bot: false, first_name: "Bo" }, gone: false });
    return chat;
  }

  messagesTo(chatId: number | string): TelegramSentMessage[] {
    return this.sent.filter((m) => String(m.chatId) === String(chatId));
  }

  /** Updates waiting for getUpdates (not yet confirmed by an offset). */
  get queued(): readonly TelegramUpdate[] {
    return this.pending;
  }

  /** A person writes `text` to the bot in `chat`. With a webhook set: POSTed to it; returns the webhook's HTTP status. */
  userSends(chat: TelegramChat, text: string): Promise<{ update: TelegramUpdate; webhookStatus: number | null }> {
    const state = this.chats.get(chat.id);
    const from = state?.user ?? { id: chat.id, is_bot: false, first_name: "Someone" };
    const update: TelegramUpdate = {
      update_id: this.nextUpdateId++,
      message: { message_id: (this.nextId += 1), date: Math.floor(Date.now() / 1000), chat, from, text },
    };
    return this.deliver(update);
  }

  /** The person blocks the bot (private chat) or removes it from the group: a my_chat_member update. */
  block(chat: TelegramChat, status: "kicked" | "left" = "kicked"): Promise<{ update: TelegramUpdate; webhookStatus: number | null }> {
    const state = this.chats.get(chat.id);
    if (state) state.gone = true;
    const from = state?.user ?? { id: chat.id, is_bot: false, first_name: "Someone" };
    const update: TelegramUpdate = {
      update_id: this.nextUpdateId++,
      my_chat_member: {
        chat,
        from,
        date: Math.floor(Date.now() / 1000),
        old_chat_member: { status: "member", user: this.bot },
        new_chat_member: { status, user: this.bot },
      },
    };
    return this.deliver(update);
  }

  /** Sends the same update again (Telegram redelivers when a webhook did not answer 2xx). */
  redeliver(update: TelegramUpdate): Promise<{ update: TelegramUpdate; webhookStatus: number | null }> {
    return this.deliver(update);
  }

  private async deliver(update: TelegramUpdate): Promise<{ update: TelegramUpdate; webhookStatus: number | null }> {
    if (this.webhook) {
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (this.webhook.secretToken) headers["x-telegram-bot-api-secret-token"] = this.webhook.secretToken;
      const res = await this.dispatch(new Request(this.webhook.url, { method: "POST", headers, body: JSON.stringify(update) }));
      return { update, webhookStatus: res.status };
    }
    this.pending.push(update);
    for (const wake of this.waiters.splice(0)) wake();
    return { update, webhookStatus: null };
  }

  private async handle(req: http.IncomingMessage, raw: string, res: http.ServerResponse): Promise<void> {
    const ok = (result: unknown, extra: Record<string, unknown> = {}) => sendJson(res, 200, { ok: true, result, ...extra });
    const fail = (status: number, description: string, parameters?: Record<string, unknown>) =>
      sendJson(res, status, { ok: false, error_code: status, description, ...(parameters ? { parameters } : {}) });
    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(new URL(req.url ?? "/", "http://fake").pathname);
    if (!match) return fail(404, "Not Found");
    const [, token, method] = match as unknown as [string, string, string];
    if (token !== this.token) return fail(401, "Unauthorized");
    let params: Record<string, unknown> = {};
    try {
      params = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    } catch {
      return fail(400, "Bad Request: can't parse JSON");
    }
    this.calls.push({ method, params, at: Date.now() });
    const fault = this.faults[0];
    if (fault) {
      if (--fault.times <= 0) this.faults.shift();
      if (fault.status === 429) return fail(429, `Too Many Requests: retry after ${fault.retryAfterSeconds}`, { retry_after: fault.retryAfterSeconds });
      return fail(fault.status, "Internal Server Error");
    }
    switch (method) {
      case "getMe":
        return ok(this.bot);
      case "sendMessage":
        return this.sendMessage(params, ok, fail);
      case "getUpdates":
        return this.getUpdates(params, ok, fail);
      case "setWebhook": {
        const url = typeof params.url === "string" ? params.url : "";
        if (!url) {
          this.webhook = null;
          return ok(true, { description: "Webhook was deleted" });
        }
        if (!url.startsWith("https://")) return fail(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook");
        const secret = params.secret_token;
        if (secret !== undefined && (typeof secret !== "string" || !/^[A-Za-z0-9_-]{1,256}$/.test(secret))) {
          return fail(400, "Bad Request: secret token contains unallowed characters");
        }
        this.webhook = { url, secretToken: (secret as string | undefined) ?? null, allowedUpdates: (params.allowed_updates as string[] | undefined) ?? [] };
        return ok(true, { description: "Webhook was set" });
      }
      case "deleteWebhook":
        this.webhook = null;
        if (params.drop_pending_updates) this.pending = [];
        return ok(true, { description: "Webhook was deleted" });
      case "getWebhookInfo":
        return ok({ url: this.webhook?.url ?? "", has_custom_certificate: false, pending_update_count: this.pending.length });
      default:
        return fail(404, "Not Found: method not found");
    }
  }

  private sendMessage(params: Record<string, unknown>, ok: (r: unknown) => void, fail: (s: number, d: string) => void): void {
    const chatId = Number(params.chat_id);
    if (params.chat_id === undefined || params.chat_id === "") return fail(400, "Bad Request: chat_id is empty");
    if (typeof params.text !== "string" || !params.text.trim()) return fail(400, "Bad Request: message text is empty");
    const state = this.chats.get(chatId);
    if (!state) return fail(400, "Bad Request: chat not found");
    if (state.gone) return fail(403, state.chat.type === "private" ? "Forbidden: bot was blocked by the user" : "Forbidden: bot was kicked from the group chat");
    let plain = params.text;
    if (params.parse_mode === "MarkdownV2") {
      const checked = checkMarkdownV2(params.text);
      if (!checked.ok) return fail(400, checked.description);
      plain = checked.plain;
    } else if (params.parse_mode !== undefined) {
      return fail(400, `Bad Request: unsupported parse_mode in the fake: ${String(params.parse_mode)}`);
    }
    if (plain.length > 4096) return fail(400, "Bad Request: message is too long");
    const at = Date.now();
    this.sent.push({ chatId, params, plain, at });
    ok({ message_id: (this.nextId += 1), date: Math.floor(at / 1000), chat: state.chat, from: this.bot, text: plain });
  }

  private async getUpdates(params: Record<string, unknown>, ok: (r: unknown) => void, fail: (s: number, d: string) => void): Promise<void> {
    if (this.webhook) return fail(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
    if (this.otherPollers > 0) {
      this.otherPollers -= 1;
      return fail(409, "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running");
    }
    const offset = typeof params.offset === "number" ? params.offset : 0;
    // An offset confirms every update below it: they are never returned again.
    if (offset > 0) this.pending = this.pending.filter((u) => u.update_id >= offset);
    const limit = typeof params.limit === "number" ? Math.min(100, Math.max(1, params.limit)) : 100;
    const timeout = typeof params.timeout === "number" ? params.timeout : 0;
    if (this.pending.length === 0 && timeout > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeout * 1000);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    ok(this.pending.slice(0, limit));
  }
}
