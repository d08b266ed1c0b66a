/**
 * What a delivery sends, decided once when it is queued and stored in `channel_deliveries.payload`: the Discord
 * execute-webhook body, the Telegram sendMessage parameters (the chat id is added at send time from the destination)
 * or the outbound webhook envelope.
 *
 * INVARIANT: a payload is built from the event alone (the formatters look nothing up), so what a destination
 * receives is what `signalEventData()` let into its event: levels only where entitled.
 */
import "server-only";
import type { ChannelKind } from "@/server/db/schema";
import { discordMessage } from "@/server/integrations/discord/format";
import { telegramMessage } from "@/server/integrations/telegram/format";
import type { ChannelEvent } from "./events";

/**
 * The outbound webhook body: `{ id, type, created, data }`. `id` is the event's id (also sent as Tradsy-Webhook-Id,
 * the same on every retry and redelivery, so receivers dedupe by it); `created` is when the event happened (ISO-8601
 * UTC); `data` is the event's data as the channel formatters see it.
 */
export interface WebhookEnvelope {
  id: string;
  type: ChannelEvent["type"];
  created: string;
  data: ChannelEvent["data"];
}

export function webhookEnvelope(event: ChannelEvent): WebhookEnvelope {
  return { id: event.id, type: event.type, created: event.occurredAt, data: event.data };
}

export function payloadFor(kind: ChannelKind, event: ChannelEvent): Record<string, unknown> {
  switch (kind) {
    case "discord":
      return discordMessage(event);
    case "telegram":
      return { ...telegramMessage(event) };
    case "webhook":
      return { ...webhookEnvelope(event) };
  }
}
