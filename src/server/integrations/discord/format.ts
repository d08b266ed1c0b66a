import "server-only";
import type { ChannelEvent } from "@/lib/channels/events";
import { summarize, type SummaryTone } from "@/server/integrations/channels/summary";

/**
 * A channel event as the body of Discord's "execute webhook" (POST /api/webhooks/<id>/<token>): one embed with the
 * title, link back, colour, fields, timestamp and a footer naming the event, posted as "Tradsy".
 *
 * INVARIANTS: `allowed_mentions: { parse: [] }` so nothing in a provider's name or a reason can ping @everyone or a
 * role; text from people (names, reasons) is escaped for Discord's markdown; Discord's limits are respected (title 256,
 * field name 256, value 1024, 25 fields, description 4096) by cutting, never by failing the send.
 */

export const DISCORD_USERNAME = "Tradsy";

/** Embed colours (decimal RGB, as Discord takes them). */
export const DISCORD_COLORS: Record<SummaryTone, number> = {
  long: 0x16a34a,
  short: 0xdc2626,
  gain: 0x16a34a,
  loss: 0xdc2626,
  neutral: 0x4f46e5,
  warning: 0xd97706,
};

/** Backslash before Discord's markdown characters, so a name like "*Alpha*_Desk" prints as written. */
export function escapeDiscordMarkdown(text: string): string {
  return text.replace(/([\\*_~`|>#[\]()-])/g, "\\$1");
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export function discordMessage(event: ChannelEvent): Record<string, unknown> {
  const s = summarize(event);
  const embed: Record<string, unknown> = {
    // Embed titles are not markdown: printed as written.
    title: cut(s.title, 256),
    url: s.url,
    color: DISCORD_COLORS[s.tone],
    timestamp: event.occurredAt,
    footer: { text: `Tradsy · ${event.type} · ${event.id}` },
  };
  if (s.description) embed.description = cut(escapeDiscordMarkdown(s.description), 4096);
  if (s.fields.length) {
    embed.fields = s.fields.slice(0, 25).map((f) => ({ name: cut(f.name, 256), value: cut(escapeDiscordMarkdown(f.value), 1024), inline: f.inline }));
  }
  return { username: DISCORD_USERNAME, allowed_mentions: { parse: [] }, embeds: [embed] };
}
