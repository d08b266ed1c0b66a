/**
 * Sends one outbound webhook delivery: the stored envelope (payload.ts `webhookEnvelope`) POSTed as JSON to the
 * endpoint through safeFetch (SSRF-safe: resolved and checked at send time), signed at send time so every attempt
 * carries a fresh timestamp (src/lib/webhook-signature).
 *
 * Classification for the drain: 2xx is delivered; every other answer and no answer is retried until the delivery
 * expires (receivers' servers break in many ways: a 4xx during a deploy is as common as a 5xx); a 307 or 308 is
 * followed by safeFetch (at most 3 hops, each checked like the first URL; method and body kept, so the signature
 * still holds), any other 3xx is an answer saying "redirects are not followed"; a 429 waits at least its Retry-After
 * (not counted as an attempt). Only a URL refused as unsafe fails at once, with the SSRF check's message.
 *
 * INVARIANT: the bytes signed are the bytes sent (the body is serialised once); Tradsy-Webhook-Id is the event's id,
 * the same on every attempt and redelivery.
 */
import "server-only";
import { signatureHeader, SIGNATURE_HEADER } from "@/lib/webhook-signature";
import { OutboundNetworkError, safeFetch, UnsafeUrlError } from "@/server/http/safe-fetch";
import type { ChannelSender, SendOutcome } from "@/server/integrations/channels/types";

export const WEBHOOK_USER_AGENT = "Tradsy-Webhooks/1";
export const WEBHOOK_TIMEOUT_MS = 10_000;
/** The longest Retry-After honoured; a longer one waits this long (and is retried then, inside the delivery's 24 h). */
const MAX_RETRY_AFTER_MS = 60 * 60_000;

/** Retry-After as seconds or an HTTP date, in ms from `now`; undefined when absent or unreadable. */
export function retryAfterMs(header: string | undefined, now: number): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - now;
  return Number.isFinite(ms) && ms >= 0 ? Math.min(MAX_RETRY_AFTER_MS, Math.ceil(ms)) : undefined;
}

/**
 * The JSON sent: the envelope's fields in their documented order (id, type, created, data; a jsonb column keeps keys
 * in its own order), anything else after them.
 */
export function envelopeBody(payload: Record<string, unknown>): string {
  const { id, type, created, data, ...rest } = payload;
  return JSON.stringify({ id, type, created, data, ...rest });
}

export interface WebhookSenderOptions {
  /** Epoch ms; the signature's timestamp. */
  clock?: () => number;
  timeoutMs?: number;
}

export function webhookSender(options: WebhookSenderOptions = {}): ChannelSender {
  const { clock = Date.now, timeoutMs = WEBHOOK_TIMEOUT_MS } = options;
  return async (target, payload, delivery): Promise<SendOutcome> => {
    if (!target.url || !target.secret) return { ok: false, status: null, error: "This endpoint has no URL or secret", retryable: false };
    const body = envelopeBody(payload);
    const headers = {
      "Content-Type": "application/json",
      "User-Agent": WEBHOOK_USER_AGENT,
      "Tradsy-Webhook-Id": delivery.eventId,
      "Tradsy-Delivery-Id": delivery.id,
      [SIGNATURE_HEADER]: signatureHeader(target.secret, body, Math.floor(clock() / 1000)),
    };
    let res;
    try {
      res = await safeFetch(target.url, { method: "POST", headers, body, timeoutMs });
    } catch (err) {
      if (err instanceof UnsafeUrlError) return { ok: false, status: null, error: err.message, retryable: false };
      if (err instanceof OutboundNetworkError) return { ok: false, status: null, error: err.message, retryable: true };
      throw err;
    }
    if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status, body: res.body };
    if (res.status >= 300 && res.status < 400) {
      const to = res.headers.location ? ` to ${res.headers.location}` : "";
      return { ok: false, status: res.status, body: res.body, error: `The endpoint answered ${res.status}${to}: redirects other than 307 and 308 are not followed, give the final URL`, retryable: true };
    }
    const wait = res.status === 429 ? retryAfterMs(res.headers["retry-after"], clock()) : undefined;
    return {
      ok: false,
      status: res.status,
      body: res.body,
      error: `The endpoint answered ${res.status}`,
      retryable: true,
      ...(wait !== undefined ? { retryAfterMs: wait } : {}),
    };
  };
}

export const sendWebhook: ChannelSender = webhookSender();
