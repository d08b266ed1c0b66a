import "server-only";
import { env } from "@/env";
import { OutboundNetworkError, UnsafeUrlError, safeFetch } from "@/server/http/safe-fetch";

/**
 * A small Telegram Bot API client (getMe, sendMessage, getUpdates, setWebhook, deleteWebhook, getWebhookInfo) over
 * safeFetch: POST https://api.telegram.org/bot<token>/<method> with a JSON body, answered `{ ok: true, result }` or
 * `{ ok: false, error_code, description, parameters?: { retry_after?, migrate_to_chat_id? } }`.
 * TELEGRAM_API_BASE_URL points it at a local fake (tests, the offline demo).
 *
 * INVARIANT: the bot token is in every URL: no error this module throws (message, stack, fields) and no answer it
 * returns (body, description) contains it (`redact`: the token, URL-encoded, or its secret half).
 */

export interface TelegramUser {
  id: number;
  is_bot: boolean;
  first_name: string;
  username?: string;
}

export interface TelegramChat {
  id: number;
  type: "private" | "group" | "supergroup" | "channel";
  title?: string;
  username?: string;
  first_name?: string;
  last_name?: string;
}

export interface TelegramMessageIn {
  message_id: number;
  date: number;
  chat: TelegramChat;
  from?: TelegramUser;
  text?: string;
}

export interface TelegramChatMemberUpdated {
  chat: TelegramChat;
  from: TelegramUser;
  date: number;
  old_chat_member: { status: string; user: TelegramUser };
  new_chat_member: { status: string; user: TelegramUser };
}

/** The update kinds Tradsy asks for (`allowed_updates`); others are acknowledged and ignored. */
export interface TelegramUpdate {
  update_id: number;
  message?: TelegramMessageIn;
  channel_post?: TelegramMessageIn;
  my_chat_member?: TelegramChatMemberUpdated;
  [other: string]: unknown;
}

export const ALLOWED_UPDATES = ["message", "channel_post", "my_chat_member"] as const;

export interface TelegramAnswer {
  /** The HTTP status. */
  status: number;
  /** The raw body (bot token never in it: Telegram does not echo it). */
  body: string;
  ok: boolean;
  result?: unknown;
  errorCode?: number;
  description?: string;
  retryAfterSeconds?: number;
  migrateToChatId?: number;
}

/** A Bot API call that failed: Telegram's answer (status, description) or no answer (status null). */
export class TelegramApiError extends Error {
  override name = "TelegramApiError";
  constructor(
    message: string,
    readonly method: string,
    readonly status: number | null,
    readonly answer: TelegramAnswer | null,
  ) {
    super(message);
  }
}

export interface TelegramBotOptions {
  token: string;
  /** Default https://api.telegram.org. */
  baseUrl?: string;
}

function parseAnswer(status: number, body: string): TelegramAnswer {
  try {
    const json = JSON.parse(body) as Record<string, unknown>;
    const parameters = (json.parameters ?? {}) as { retry_after?: unknown; migrate_to_chat_id?: unknown };
    return {
      status,
      body,
      ok: json.ok === true,
      result: json.result,
      errorCode: typeof json.error_code === "number" ? json.error_code : undefined,
      description: typeof json.description === "string" ? json.description : undefined,
      retryAfterSeconds: typeof parameters.retry_after === "number" ? parameters.retry_after : undefined,
      migrateToChatId: typeof parameters.migrate_to_chat_id === "number" ? parameters.migrate_to_chat_id : undefined,
    };
  } catch {
    return { status, body, ok: false, description: `Telegram answered ${status} with a body that is not JSON` };
  }
}

export class TelegramBot {
  private readonly token: string;
  private readonly baseUrl: string;
  private me: TelegramUser | null = null;

  constructor(options: TelegramBotOptions) {
    this.token = options.token;
    this.baseUrl = (options.baseUrl ?? "https://api.telegram.org").replace(/\/+$/, "");
  }

  /** Cuts the token out of any text (error messages quote URLs): as given, URL-encoded, and its secret half alone. */
  redact(text: string): string {
    let out = text;
    for (const form of this.tokenForms) out = out.split(form).join("<bot token>");
    return out;
  }

  /** The token's forms `redact` cuts, longest first. */
  private get tokenForms(): string[] {
    const secretHalf = this.token.slice(this.token.indexOf(":") + 1);
    const forms = [this.token, encodeURIComponent(this.token), secretHalf.length >= 8 ? secretHalf : ""];
    return [...new Set(forms.filter(Boolean))].sort((a, b) => b.length - a.length);
  }

  /** An answer with the token cut from every text in it (Telegram does not echo it; a proxy or a fake might). */
  private redactAnswer(answer: TelegramAnswer): TelegramAnswer {
    return { ...answer, body: this.redact(answer.body), ...(answer.description !== undefined ? { description: this.redact(answer.description) } : {}) };
  }

  /**
   * One call, answered as Telegram answered it (ok or not). Throws `TelegramApiError` (status null) only when there was
   * no answer: a refused address, a timeout, a connection error (or a URL that does not parse: a bad
   * TELEGRAM_API_BASE_URL).
   */
  async request(method: string, params: Record<string, unknown> = {}, timeoutMs = 10_000): Promise<TelegramAnswer> {
    try {
      const res = await safeFetch(`${this.baseUrl}/bot${this.token}/${method}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(params),
        timeoutMs,
        maxRedirects: 0,
      });
      return this.redactAnswer(parseAnswer(res.status, res.body));
    } catch (err) {
      if (err instanceof UnsafeUrlError || err instanceof OutboundNetworkError) {
        throw new TelegramApiError(this.redact(`Telegram ${method}: ${err.message}`), method, null, null);
      }
      // Anything else (a URL that does not parse, a bug) may quote the URL, token and all, in its message, stack or
      // fields (Node's "Invalid URL" carries it in `input`): a new error with the message cut, the original dropped.
      const message = err instanceof Error ? err.message : String(err);
      throw new TelegramApiError(this.redact(`Telegram ${method} failed: ${message}`), method, null, null);
    }
  }

  /** A call whose `result` is wanted: an answer that is not ok throws `TelegramApiError` with Telegram's description. */
  async call<T>(method: string, params: Record<string, unknown> = {}, timeoutMs?: number): Promise<T> {
    const answer = await this.request(method, params, timeoutMs);
    if (!answer.ok) {
      throw new TelegramApiError(this.redact(`Telegram ${method} answered ${answer.status}: ${answer.description ?? "no description"}`), method, answer.status, answer);
    }
    return answer.result as T;
  }

  /** The bot itself (its @username makes the t.me deep link); asked once per client. */
  async getMe(): Promise<TelegramUser> {
    this.me ??= await this.call<TelegramUser>("getMe");
    return this.me;
  }

  sendMessage(params: { chat_id: number | string; text: string; [key: string]: unknown }): Promise<TelegramAnswer> {
    return this.request("sendMessage", params);
  }

  /** Long polling: `timeout` seconds the server may hold the request open waiting for an update. */
  getUpdates(params: { offset?: number; limit?: number; timeout?: number }): Promise<TelegramUpdate[]> {
    const timeout = params.timeout ?? 0;
    return this.call<TelegramUpdate[]>("getUpdates", { ...params, timeout, allowed_updates: ALLOWED_UPDATES }, (timeout + 10) * 1000);
  }

  setWebhook(params: { url: string; secret_token: string; drop_pending_updates?: boolean }): Promise<boolean> {
    return this.call<boolean>("setWebhook", { ...params, allowed_updates: ALLOWED_UPDATES });
  }

  deleteWebhook(params: { drop_pending_updates?: boolean } = {}): Promise<boolean> {
    return this.call<boolean>("deleteWebhook", params);
  }

  getWebhookInfo(): Promise<{ url: string; pending_update_count: number; last_error_message?: string }> {
    return this.call("getWebhookInfo");
  }
}

let cached: { key: string; bot: TelegramBot } | null = null;

/** The bot configured by TELEGRAM_BOT_TOKEN (and TELEGRAM_API_BASE_URL); null when Telegram is not configured. */
export function telegramBotFromEnv(): TelegramBot | null {
  const token = env.TELEGRAM_BOT_TOKEN;
  if (!token) return null;
  const key = `${token} ${env.TELEGRAM_API_BASE_URL ?? ""}`;
  if (cached?.key !== key) cached = { key, bot: new TelegramBot({ token, baseUrl: env.TELEGRAM_API_BASE_URL }) };
  return cached.bot;
}
