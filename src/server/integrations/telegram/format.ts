import "server-only";
import type { ChannelEvent } from "@/lib/channels/events";
import { summarize } from "@/server/integrations/channels/summary";

/**
 * A channel event as Telegram sendMessage parameters in MarkdownV2 (without chat_id: the sender adds the linked chat).
 *
 * Telegram's MarkdownV2 rules (core.telegram.org/bots/api#markdownv2-style): in ordinary text every one of
 * _ * [ ] ( ) ~ ` > # + - = | { } . ! must be preceded by a backslash, and so must a backslash itself; inside the
 * (…) of an inline link only ")" and "\" are escaped. A reserved character left bare makes Telegram answer 400 "can't
 * parse entities", so every piece of text goes through `escapeMarkdownV2` and only our own markup is left bare.
 * "/" is not reserved: BTC/USDT prints as is; "64250.5" becomes "64250\.5".
 */

const RESERVED = /([_*[\]()~`>#+\-=|{}.!\\])/g;

export function escapeMarkdownV2(text: string): string {
  return text.replace(RESERVED, "\\$1");
}

/** The URL inside an inline link's parentheses. */
export function escapeMarkdownV2Url(url: string): string {
  return url.replace(/([)\\])/g, "\\$1");
}

export interface TelegramMessage {
  text: string;
  parse_mode: "MarkdownV2";
  link_preview_options: { is_disabled: true };
  [key: string]: unknown;
}

/** Telegram refuses messages over 4096 characters (after entity parsing); ours are far shorter, so the fields are cut first. */
const MAX_FIELD_CHARS = 500;

export function telegramMessage(event: ChannelEvent): TelegramMessage {
  const s = summarize(event);
  const lines = [`*${escapeMarkdownV2(s.title)}*`];
  if (s.description) lines.push(escapeMarkdownV2(s.description));
  if (s.fields.length) lines.push("");
  for (const f of s.fields) {
    const value = f.value.length > MAX_FIELD_CHARS ? `${f.value.slice(0, MAX_FIELD_CHARS - 1)}…` : f.value;
    lines.push(`*${escapeMarkdownV2(f.name)}:* ${escapeMarkdownV2(value)}`);
  }
  lines.push("", `[${escapeMarkdownV2(s.linkText)}](${escapeMarkdownV2Url(s.url)})`);
  return { text: lines.join("\n"), parse_mode: "MarkdownV2", link_preview_options: { is_disabled: true } };
}
