/**
 * A local HTTP server answering Discord's execute-webhook endpoint the way Discord does, for tests and the offline
 * demo (point DISCORD_API_BASE_URL at it and allow-list it in OUTBOUND_URL_ALLOWLIST): nothing leaves 127.0.0.1.
 *
 * What it models (Discord's error bodies are `{ message, code }`):
 * - POST /api/webhooks/<id>/<token> (also /api/v<N>/…): an unknown id is 404 `{ message: "Unknown Webhook", code: 10015 }`,
 *   a wrong token 401 `{ message: "Invalid Webhook Token", code: 50027 }`; a body with neither content nor embeds is
 *   400 50006 "Cannot send an empty message"; embed limits (10 embeds, title 256, 25 fields, field name 256 / value
 *   1024) are 400 50035 "Invalid Form Body";
 * - `?wait=true` answers 200 with the created message, otherwise 204;
 * - `fault()`: the next requests answer 429 (`{ message: "You are being rate limited.", retry_after, global }` and a
 *   Retry-After header in whole seconds) or a 5xx; `remove(id)` deletes a webhook (then 404 10015).
 * Every request is recorded; `messages` lists what was posted, once each, per webhook.
 */
import "server-only";
import { randomBytes } from "node:crypto";
import http from "node:http";
import { closeServer, listenLocal, sendJson } from "@/server/integrations/market-data/fake-binance";

export interface DiscordRecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
  at: number;
}

export interface DiscordPostedMessage {
  webhookId: string;
  id: string;
  body: Record<string, unknown>;
  at: number;
}

export interface FakeDiscordFault {
  status: 429 | 500 | 502 | 503;
  /** A 429's retry_after in seconds (fractional, as Discord sends it). Default 1.5. */
  retryAfterSeconds?: number;
  times?: number;
}

let snowflakeSeq = 0;
/** A Discord-shaped id (18–19 digits). */
export function fakeSnowflake(): string {
  snowflakeSeq += 1;
  return (BigInt(Date.now() - 1420070400000) * 4194304n + BigInt(snowflakeSeq)).toString();
}

export class FakeDiscordServer {
  readonly requests: DiscordRecordedRequest[] = [];
  readonly messages: DiscordPostedMessage[] = [];
  private readonly webhooks = new Map<string, { token: string; channelId: string }>();
  private faults: Required<FakeDiscordFault>[] = [];
  private server: http.Server | null = null;
  baseUrl = "";

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => this.handle(req, Buffer.concat(chunks).toString("utf8"), res));
    });
    this.baseUrl = await listenLocal(this.server);
    return this.baseUrl;
  }

  async stop(): Promise<void> {
    if (this.server) await closeServer(this.server);
    this.server = null;
  }

  /** Creates a webhook; returns its URL as Discord shows it (https://discord.com/…), which the app stores. */
  createWebhook(): { id: string; token: string; url: string } {
    const id = fakeSnowflake();
    const token = randomBytes(51).toString("base64url");
    this.webhooks.set(id, { token, channelId: fakeSnowflake() });
    return { id, token, url: `https://discord.com/api/webhooks/${id}/${token}` };
  }

  /** A webhook with a known id and token (the offline demo keeps one URL across restarts). */
  addWebhook(id: string, token: string): { id: string; token: string; url: string } {
    this.webhooks.set(id, { token, channelId: fakeSnowflake() });
    return { id, token, url: `https://discord.com/api/webhooks/${id}/${token}` };
  }

  /** The webhook was deleted in Discord. */
  remove(id: string): void {
    this.webhooks.delete(id);
  }

  fault(fault: FakeDiscordFault): void {
    this.faults.push({ retryAfterSeconds: 1.5, times: 1, ...fault });
  }

  messagesTo(webhookId: string): DiscordPostedMessage[] {
    return this.messages.filter((m) => m.webhookId === webhookId);
  }

  private handle(req: http.IncomingMessage, raw: string, res: http.ServerResponse): void {
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : (v ?? "")]));
    let body: unknown = null;
    try {
      body = raw ? JSON.parse(raw) : null;
    } catch {
      body = raw;
    }
    const now = Date.now();
    this.requests.push({ method: req.method ?? "", path: req.url ?? "", headers, body, at: now });
    const error = (status: number, message: string, code: number, extra: Record<string, unknown> = {}) => sendJson(res, status, { message, code, ...extra });

    const url = new URL(req.url ?? "/", "http://fake");
    const match = /^\/api(?:\/v\d+)?\/webhooks\/(\d+)\/([^/]+)\/?$/.exec(url.pathname);
    if (!match || req.method !== "POST") return error(404, "404: Not Found", 0);
    const [, id, token] = match as unknown as [string, string, string];

    const fault = this.faults[0];
    if (fault) {
      if (--fault.times <= 0) this.faults.shift();
      if (fault.status === 429) {
        res.setHeader("retry-after", String(Math.ceil(fault.retryAfterSeconds)));
        res.setHeader("x-ratelimit-limit", "5");
        res.setHeader("x-ratelimit-remaining", "0");
        res.setHeader("x-ratelimit-reset-after", String(fault.retryAfterSeconds));
        return sendJson(res, 429, { message: "You are being rate limited.", retry_after: fault.retryAfterSeconds, global: false });
      }
      return sendJson(res, fault.status, { message: "500: Internal Server Error", code: 0 });
    }

    const hook = this.webhooks.get(id);
    if (!hook) return error(404, "Unknown Webhook", 10015);
    if (hook.token !== token) return error(401, "Invalid Webhook Token", 50027);
    if (!headers["content-type"]?.startsWith("application/json") || !body || typeof body !== "object") {
      return error(400, "Cannot send an empty message", 50006);
    }
    const msg = body as Record<string, unknown>;
    const embeds = Array.isArray(msg.embeds) ? (msg.embeds as Record<string, unknown>[]) : [];
    if (!msg.content && embeds.length === 0) return error(400, "Cannot send an empty message", 50006);
    const formErrors = this.embedErrors(embeds);
    if (formErrors) return error(400, "Invalid Form Body", 50035, { errors: formErrors });

    const messageId = fakeSnowflake();
    this.messages.push({ webhookId: id, id: messageId, body: msg, at: now });
    if (url.searchParams.get("wait") !== "true") {
      res.writeHead(204);
      return void res.end();
    }
    sendJson(res, 200, {
      id: messageId,
      type: 0,
      content: msg.content ?? "",
      channel_id: hook.channelId,
      author: { id, username: msg.username ?? "Captain Hook", bot: true, discriminator: "0000" },
      embeds: embeds.map((e) => ({ type: "rich", ...e })),
      mentions: [],
      mention_roles: [],
      mention_everyone: false,
      webhook_id: id,
      timestamp: new Date(now).toISOString(),
      flags: 0,
    });
  }

  /** Discord's embed limits, as an Invalid Form Body `errors` object; null when the embeds are fine. */
  private embedErrors(embeds: Record<string, unknown>[]): Record<string, unknown> | null {
    const tooLong = (max: number) => ({ _errors: [{ code: "BASE_TYPE_MAX_LENGTH", message: `Must be ${max} or fewer in length.` }] });
    if (embeds.length > 10) return { embeds: tooLong(10) };
    for (const [i, e] of embeds.entries()) {
      if (typeof e.title === "string" && e.title.length > 256) return { embeds: { [i]: { title: tooLong(256) } } };
      if (typeof e.description === "string" && e.description.length > 4096) return { embeds: { [i]: { description: tooLong(4096) } } };
      const fields = Array.isArray(e.fields) ? (e.fields as { name?: unknown; value?: unknown }[]) : [];
      if (fields.length > 25) return { embeds: { [i]: { fields: tooLong(25) } } };
      for (const [j, f] of fields.entries()) {
        if (typeof f.name !== "string" || !f.name || f.name.length > 256) return { embeds: { [i]: { fields: { [j]: { name: tooLong(256) } } } } };
        if (typeof f.value !== "string" || !f.value || f.value.length > 1024) return { embeds: { [i]: { fields: { [j]: { value: tooLong(1024) } } } } };
      }
    }
    return null;
  }
}
