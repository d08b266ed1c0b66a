import "server-only";
import { OutboundNetworkError, UnsafeUrlError, safeFetch } from "@/server/http/safe-fetch";
import type { ChannelSender, SendOutcome } from "@/server/integrations/channels/types";
import { discordSendUrl } from "./webhook-url";

/**
 * Sends one stored Discord message (discordMessage's body) to a destination's webhook through safeFetch, and
 * classifies Discord's answer for the drain:
 * - 2xx: sent;
 * - 429: retry after Discord's `retry_after` (seconds, fractional, in the JSON body; the Retry-After header otherwise);
 * - 404 (code 10015 Unknown Webhook) or 401 (50027 Invalid Webhook Token): the webhook was deleted or regenerated:
 *   the destination is disabled, since no retry can succeed;
 * - other 4xx: Discord refused this message (non-retryable); 5xx and no answer: retried;
 * - a refused address (SSRF check): failed at once with its message.
 * Discord's error bodies are `{ message, code }` (and `errors` for 50035 Invalid Form Body); the message is quoted.
 */

const TIMEOUT_MS = 10_000;

interface DiscordError {
  message?: string;
  code?: number;
  retry_after?: number;
  global?: boolean;
}

function parseError(body: string): DiscordError {
  try {
    const parsed = JSON.parse(body) as unknown;
    return parsed && typeof parsed === "object" ? (parsed as DiscordError) : {};
  } catch {
    return {};
  }
}

function retryAfterMs(error: DiscordError, header: string | undefined): number | undefined {
  if (typeof error.retry_after === "number" && Number.isFinite(error.retry_after) && error.retry_after >= 0) return Math.ceil(error.retry_after * 1000);
  const seconds = header ? Number(header) : NaN;
  return Number.isFinite(seconds) && seconds >= 0 ? Math.ceil(seconds * 1000) : undefined;
}

export const sendDiscord: ChannelSender = async (target, payload): Promise<SendOutcome> => {
  if (!target.url) return { ok: false, status: null, error: "No Discord webhook URL is stored for this destination", retryable: false };
  let response;
  try {
    response = await safeFetch(discordSendUrl(target.url), {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "Tradsy (https://tradsy.app, 1)" },
      body: JSON.stringify(payload),
      timeoutMs: TIMEOUT_MS,
      maxRedirects: 0,
    });
  } catch (err) {
    if (err instanceof UnsafeUrlError) return { ok: false, status: null, error: err.message, retryable: false };
    if (err instanceof OutboundNetworkError) return { ok: false, status: null, error: err.message, retryable: true };
    throw err;
  }
  const { status, body } = response;
  if (status >= 200 && status < 300) return { ok: true, status, body };
  const error = parseError(body);
  const said = error.message ? `: ${error.message}${error.code ? ` (${error.code})` : ""}` : "";
  const base = { ok: false as const, status, body };
  if (status === 429) {
    return { ...base, error: `Discord answered 429${said}`, retryable: true, retryAfterMs: retryAfterMs(error, response.headers["retry-after"]) };
  }
  if (status === 404 || status === 401 || error.code === 10015 || error.code === 50027) {
    const reason =
      status === 401 || error.code === 50027
        ? "Discord refused the webhook's token (it was regenerated): add the webhook again"
        : "Discord says this webhook no longer exists (Unknown Webhook): add it again";
    return { ...base, error: `Discord answered ${status}${said}`, retryable: false, disable: reason };
  }
  if (status >= 300 && status < 400) return { ...base, error: `Discord answered ${status}: redirects are not followed`, retryable: false };
  if (status >= 500) return { ...base, error: `Discord answered ${status}${said}`, retryable: true };
  return { ...base, error: `Discord answered ${status}${said}`, retryable: false };
};
