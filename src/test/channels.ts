/**
 * Builders for notification channel tests (services/channels): an account, a destination with its URL and secret
 * sealed as the app stores them, and events.
 */
import { db } from "@/server/db";
import { notificationChannels, users, type ChannelKind } from "@/server/db/schema";
import { sealFor } from "@/server/crypto/secret-box";
import type { ChannelEvent } from "@/lib/channels/events";
import { newWebhookSecret } from "@/lib/webhook-signature";
import { uniqueEmail } from "./factories";

export async function insertUser(name = "Ada"): Promise<{ id: string; email: string }> {
  const [row] = await db.insert(users).values({ name, email: uniqueEmail(name.toLowerCase()) }).returning({ id: users.id, email: users.email });
  return row!;
}

export interface ChannelSeed {
  userId: string;
  kind?: ChannelKind;
  url?: string | null;
  secret?: string | null;
  telegramChatId?: string | null;
  status?: "pending" | "active" | "disabled";
  events?: string[];
  label?: string;
}

/** A destination; a webhook gets a fresh secret unless given one. Returns its id and the secret. */
export async function insertChannel(seed: ChannelSeed): Promise<{ id: string; secret: string | null }> {
  const kind = seed.kind ?? "webhook";
  const secret = seed.secret !== undefined ? seed.secret : kind === "webhook" ? newWebhookSecret() : null;
  const url = seed.url !== undefined ? seed.url : kind === "telegram" ? null : "https://hooks.example.com/tradsy";
  const [row] = await db
    .insert(notificationChannels)
    .values({
      userId: seed.userId,
      kind,
      label: seed.label ?? `My ${kind}`,
      status: seed.status ?? "active",
      urlEnc: url ? sealFor("channel-url", url) : null,
      urlHint: url ? new URL(url).origin + "/…" : null,
      secretEnc: secret ? sealFor("webhook-secret", secret) : null,
      telegramChatId: seed.telegramChatId ?? (kind === "telegram" ? "-100123456" : null),
      telegramChatName: kind === "telegram" ? "Trading room" : null,
      events: seed.events ?? ["signal.published", "signal.closed", "copy.rejected", "copy.risk_paused"],
    })
    .returning({ id: notificationChannels.id });
  return { id: row!.id, secret };
}

let n = 0;

/** A "test" event (what "Send a test" queues). */
export function testEvent(over: Partial<{ id: string; occurredAt: string; message: string }> = {}): ChannelEvent {
  return {
    id: over.id ?? `evt_test${++n}${Date.now().toString(36)}`,
    type: "test",
    occurredAt: over.occurredAt ?? new Date().toISOString(),
    data: { message: over.message ?? "This is a test from Tradsy.", url: "https://tradsy.example/settings/channels" },
  };
}

/** A signal.closed event for an entitled destination, with decimal-string prices. */
export function closedSignalEvent(id = `evt_sig${++n}`): ChannelEvent {
  return {
    id,
    type: "signal.closed",
    occurredAt: "2026-12-06T20:00:00.000Z",
    data: {
      provider: { id: "prv_north", slug: "northwind", name: "Northwind Trading" },
      entitled: true,
      signal: {
        id: "sig_1",
        number: 12,
        status: "closed",
        publishedAt: "2026-12-06T10:00:00.000Z",
        closedAt: "2026-12-06T20:00:00.000Z",
        symbol: "BTC/USDT",
        side: "long",
        levels: { entryType: "limit", entryPrice: "97000.5", stopLoss: "95000", takeProfits: [{ price: "101000.25", share: "1" }], fillPrice: "97000.5", exitPrice: "101000.25" },
        exitReason: "target_hit",
        resultPct: "0.0412",
        resultR: "2.0",
      },
      url: "https://tradsy.example/providers/northwind",
    },
  };
}
