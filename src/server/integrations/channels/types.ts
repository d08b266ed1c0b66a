/**
 * The sender contract of notification channels (Discord, Telegram, outbound webhooks): what the channel drain
 * (services/channels/drain.ts) hands a sender, one per channel kind, and what a sender answers. Senders do the HTTP
 * (always through src/server/http/safe-fetch.ts) and classify the answer; the drain records it and decides what
 * comes next.
 */
import type { ChannelKind } from "@/server/db/schema";

/** A destination with its sealed values opened, for the one send. Never logged, never returned to a page. */
export interface ChannelTarget {
  id: string;
  kind: ChannelKind;
  /** Discord: the webhook URL; webhook: the endpoint URL. */
  url: string | null;
  /** Outbound webhooks: the signing secret. */
  secret: string | null;
  /** Telegram: the linked chat. */
  telegramChatId: string | null;
}

export interface DeliveryRef {
  id: string;
  eventId: string;
  event: string;
  /** 1 for the first attempt. */
  attempt: number;
}

export type SendOutcome =
  | { ok: true; status: number; body: string }
  | {
      ok: false;
      /** The destination's HTTP status; null when there was no answer (refused address, timeout, connection error). */
      status: number | null;
      body?: string;
      /** For people: what went wrong ("Discord answered 404: Unknown Webhook", "refused: 10.0.0.5 is a private address"). */
      error: string;
      /** Worth trying again (5xx, 429, no answer); false: the same request would fail the same way (4xx, a refused address). */
      retryable: boolean;
      /** The destination's own wait (429 retry_after / Retry-After): the next attempt waits at least this long and is not counted. */
      retryAfterMs?: number;
      /** The destination is gone for good (Discord's Unknown Webhook, the bot blocked or removed): disable it with this reason. */
      disable?: string;
    };

export type ChannelSender = (target: ChannelTarget, payload: Record<string, unknown>, delivery: DeliveryRef) => Promise<SendOutcome>;
