/**
 * A local HTTP server speaking the part of Resend's API the adapter calls (POST /emails), so the official `resend`
 * SDK runs end to end against it in tests: no network, no key, nothing leaves 127.0.0.1.
 *
 * What it models, in Resend's shapes (errors as `{ statusCode, name, message }`):
 * - `Authorization: Bearer <key>` checked (401 missing_api_key / 403 invalid_api_key);
 * - POST /emails: from, to and subject required (422 validation_error), html or text; answers `{ id }`;
 * - `Idempotency-Key`: the same key with the same body within 24 h answers the first id again and sends nothing;
 *   the same key with another body is 409 invalid_idempotent_request (as Resend does);
 * - rate limit: with `rateLimit` set, at most `limit` requests per window; every answer carries ratelimit-limit,
 *   ratelimit-remaining and ratelimit-reset (seconds), and a request over the limit is a 429 with retry-after;
 * - `fault()`: the next requests answer 429 (with retry-after and ratelimit-reset) or a 5xx, as Resend does under load.
 *
 * Every request is recorded (method, path, headers, JSON body, arrival time); `delivered` lists the emails actually
 * sent, once each. `signWebhook` signs an event the way Resend (through Svix) signs its webhooks.
 */
import "server-only";
import { randomBytes, randomUUID } from "node:crypto";
import http from "node:http";
import { Webhook } from "standardwebhooks";
import { closeServer, listenLocal, sendJson } from "@/server/integrations/market-data/fake-binance";

export interface RecordedRequest {
  method: string;
  path: string;
  /** Lower-cased names, as Node gives them. */
  headers: Record<string, string>;
  body: unknown;
  /** Epoch ms when it arrived. */
  at: number;
}

export interface DeliveredEmail {
  id: string;
  idempotencyKey: string | null;
  body: Record<string, unknown>;
  at: number;
}

export interface FakeResendFault {
  /** 429 (rate limit), 5xx, or 422 (the email itself refused). */
  status: 422 | 429 | 500 | 502 | 503;
  /** For a 429: the retry-after header, in seconds (default 1). */
  retryAfterSeconds?: number;
  /** How many requests answer this way (default 1). */
  times?: number;
}

export interface FakeResendOptions {
  apiKey?: string;
  /** Enforce a rate limit (and send its headers): `limit` requests per `windowMs`. */
  rateLimit?: { limit: number; windowMs: number };
  clock?: () => number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export class FakeResendServer {
  readonly apiKey: string;
  readonly requests: RecordedRequest[] = [];
  readonly delivered: DeliveredEmail[] = [];
  private readonly keys = new Map<string, { id: string; body: string; at: number }>();
  private faults: Required<FakeResendFault>[] = [];
  private window = { start: 0, count: 0 };
  private server: http.Server | null = null;
  private readonly clock: () => number;
  baseUrl = "";

  constructor(private readonly options: FakeResendOptions = {}) {
    this.apiKey = options.apiKey ?? "re_test_fake_key";
    this.clock = options.clock ?? Date.now;
  }

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

  /** The next request(s) fail this way. */
  fault(fault: FakeResendFault): void {
    this.faults.push({ retryAfterSeconds: 1, times: 1, ...fault });
  }

  /** Emails actually sent to an address (lower-cased compare). */
  deliveredTo(address: string): DeliveredEmail[] {
    const a = address.toLowerCase();
    return this.delivered.filter((d) => [d.body.to].flat().some((t) => String(t).toLowerCase() === a));
  }

  private rateHeaders(now: number): { headers: Record<string, string>; over: boolean } {
    const rl = this.options.rateLimit;
    if (!rl) return { headers: {}, over: false };
    if (now - this.window.start >= rl.windowMs) this.window = { start: now, count: 0 };
    this.window.count += 1;
    const resetS = Math.max(0, (this.window.start + rl.windowMs - now) / 1000);
    const over = this.window.count > rl.limit;
    return {
      over,
      headers: {
        "ratelimit-limit": String(rl.limit),
        "ratelimit-remaining": String(Math.max(0, rl.limit - this.window.count)),
        "ratelimit-reset": resetS.toFixed(3).replace(/\.?0+$/, "") || "0",
        ...(over ? { "retry-after": String(Math.max(1, Math.ceil(resetS))) } : {}),
      },
    };
  }

  private handle(req: http.IncomingMessage, raw: string, res: http.ServerResponse): void {
    const now = this.clock();
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : (v ?? "")]));
    let body: unknown = null;
    try {
      body = raw ? JSON.parse(raw) : null;
    } catch {
      body = raw;
    }
    this.requests.push({ method: req.method ?? "", path: req.url ?? "", headers, body, at: now });
    const error = (status: number, name: string, message: string, extra: Record<string, string> = {}) => {
      for (const [k, v] of Object.entries(extra)) res.setHeader(k, v);
      sendJson(res, status, { statusCode: status, name, message });
    };

    const auth = headers.authorization ?? "";
    if (!auth.startsWith("Bearer ") || auth === "Bearer ") return error(401, "missing_api_key", "Missing API key in the authorization header.");
    if (auth !== `Bearer ${this.apiKey}`) return error(403, "invalid_api_key", "API key is invalid.");

    const rate = this.rateHeaders(now);
    for (const [k, v] of Object.entries(rate.headers)) res.setHeader(k, v);
    const fault = this.faults[0];
    if (fault) {
      if (--fault.times <= 0) this.faults.shift();
      if (fault.status === 429) {
        return error(429, "rate_limit_exceeded", "Too many requests. You can only make a limited number of requests per second.", {
          "retry-after": String(fault.retryAfterSeconds),
          "ratelimit-reset": String(fault.retryAfterSeconds),
          "ratelimit-remaining": "0",
        });
      }
      if (fault.status === 422) return error(422, "validation_error", "Invalid `to` field. The email address needs to follow the `email@example.com` format.");
      return error(fault.status, "internal_server_error", "An unexpected error occurred.");
    }
    if (rate.over) return error(429, "rate_limit_exceeded", "Too many requests. You can only make a limited number of requests per second.");

    if (req.method !== "POST" || req.url !== "/emails") return error(404, "not_found", "The requested endpoint does not exist.");
    const email = body as Record<string, unknown> | null;
    if (!email || typeof email !== "object") return error(422, "validation_error", "Invalid JSON body.");
    for (const field of ["from", "to", "subject"]) {
      if (!email[field]) return error(422, "missing_required_field", `Missing \`${field}\` field.`);
    }
    if (!email.html && !email.text) return error(422, "validation_error", "Missing `html` or `text` field.");

    const key = headers["idempotency-key"] || null;
    if (key) {
      const seen = this.keys.get(key);
      if (seen && now - seen.at < DAY_MS) {
        if (seen.body !== raw) return error(409, "invalid_idempotent_request", "Same idempotency key used with a different request payload.");
        return sendJson(res, 200, { id: seen.id });
      }
    }
    const id = randomUUID();
    if (key) this.keys.set(key, { id, body: raw, at: now });
    this.delivered.push({ id, idempotencyKey: key, body: email, at: now });
    sendJson(res, 200, { id });
  }
}

/** A webhook signing secret in Resend's (Svix's) form: "whsec_" and base64 of 24 random bytes. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString("base64")}`;
}

/**
 * Signs an event body the way Resend's webhooks arrive: the raw JSON body and the svix-id, svix-timestamp (unix
 * seconds) and svix-signature ("v1,<base64 HMAC-SHA256 of id.timestamp.body>") headers.
 */
export function signWebhook(secret: string, event: unknown, options: { id?: string; at?: Date } = {}): { body: string; headers: Record<string, string> } {
  const body = typeof event === "string" ? event : JSON.stringify(event);
  const id = options.id ?? `msg_${randomBytes(12).toString("hex")}`;
  const at = options.at ?? new Date();
  const signature = new Webhook(secret).sign(id, at, body);
  return { body, headers: { "svix-id": id, "svix-timestamp": String(Math.floor(at.getTime() / 1000)), "svix-signature": signature, "content-type": "application/json" } };
}
