import "server-only";
import { env } from "@/env";

/**
 * Discord webhook URLs: what a person may paste (validated when a destination is added) and the URL a send goes to.
 *
 * Accepted: https on discord.com or discordapp.com, or their ptb. and canary. subdomains, path
 * /api/webhooks/<id>/<token> or /api/v<N>/webhooks/<id>/<token>; the id is a snowflake (17–20 digits), the token
 * Discord's (letters, digits, "_" and "-"). A `thread_id` query (a forum or thread channel) is kept; anything else is
 * dropped. The stored URL is the canonical https://discord.com/api/webhooks/<id>/<token>[?thread_id=…].
 *
 * INVARIANT: the token is a credential (anyone holding the URL can post): pages get `discordUrlHint`, never the URL.
 */

export interface DiscordWebhook {
  id: string;
  token: string;
  /** Canonical form, as stored (sealed). */
  url: string;
}

const HOSTS = new Set(["discord.com", "discordapp.com", "ptb.discord.com", "ptb.discordapp.com", "canary.discord.com", "canary.discordapp.com"]);
const PATH = /^\/api(?:\/v\d{1,2})?\/webhooks\/(\d{17,20})\/([A-Za-z0-9_-]{20,100})\/?$/;

/** The webhook when `input` is a Discord webhook URL; otherwise a message for people saying what is wrong. */
export function parseDiscordWebhookUrl(input: string): DiscordWebhook | string {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    return "That is not a URL: copy the webhook URL from Discord (Channel settings → Integrations → Webhooks → Copy Webhook URL).";
  }
  if (url.protocol !== "https:") return "A Discord webhook URL starts with https://.";
  if (!HOSTS.has(url.hostname.toLowerCase()) || url.port || url.username || url.password) {
    return "That is not a Discord address: a webhook URL looks like https://discord.com/api/webhooks/<id>/<token>.";
  }
  const match = PATH.exec(url.pathname);
  if (!match) return "That Discord URL is not a webhook: it looks like https://discord.com/api/webhooks/<id>/<token>.";
  const [, id, token] = match as unknown as [string, string, string];
  const thread = url.searchParams.get("thread_id");
  if (thread !== null && !/^\d{17,20}$/.test(thread)) return "The thread_id in that URL is not a Discord id.";
  const canonical = `https://discord.com/api/webhooks/${id}/${token}${thread ? `?thread_id=${thread}` : ""}`;
  return { id, token, url: canonical };
}

/** What pages show of a stored webhook URL: the host and id; nothing of the token (not even its first characters). */
export function discordUrlHint(url: string): string {
  const parsed = parseDiscordWebhookUrl(url);
  if (typeof parsed === "string") return "discord.com/api/webhooks/…";
  return `discord.com/api/webhooks/${parsed.id}/…`;
}

/**
 * The URL a send posts to: the stored URL with `wait=true` (Discord then answers with the message, or an error,
 * instead of a bare 204 that hides a message it could not save), moved to DISCORD_API_BASE_URL's origin when that is
 * set (a local fake in tests and the offline demo).
 */
export function discordSendUrl(stored: string, baseUrl: string | undefined = env.DISCORD_API_BASE_URL): string {
  const url = new URL(stored);
  if (baseUrl) {
    const base = new URL(baseUrl);
    url.protocol = base.protocol;
    url.host = base.host;
  }
  url.searchParams.set("wait", "true");
  return url.href;
}
