/** The webhook sender's pure parts and its refusals without a request; its requests: webhook-delivery.test.ts. */
import { describe, expect, it } from "vitest";
import { discordMessage } from "@/server/integrations/discord/format";
import { telegramMessage } from "@/server/integrations/telegram/format";
import { closedSignalEvent } from "@/test/channels";
import { payloadFor, webhookEnvelope } from "./payload";
import { envelopeBody, retryAfterMs, sendWebhook } from "./webhook-sender";

describe("payloadFor", () => {
  it("is the webhook envelope, the Discord execute-webhook body or the Telegram sendMessage parameters, from the event alone", () => {
    const event = closedSignalEvent("evt_pf");
    expect(payloadFor("webhook", event)).toEqual({ id: "evt_pf", type: "signal.closed", created: "2026-12-06T20:00:00.000Z", data: event.data });
    expect(webhookEnvelope(event)).toEqual(payloadFor("webhook", event));
    expect(payloadFor("discord", event)).toEqual(discordMessage(event));
    expect(payloadFor("telegram", event)).toEqual({ ...telegramMessage(event) });
  });
});

describe("envelopeBody", () => {
  it("puts id, type, created and data first, in that order, whatever order the stored JSON has", () => {
    expect(envelopeBody({ data: { b: "1", a: "2" }, created: "c", id: "evt_1", type: "test" })).toBe('{"id":"evt_1","type":"test","created":"c","data":{"b":"1","a":"2"}}');
  });
});

describe("retryAfterMs", () => {
  const now = Date.parse("2026-12-06T12:00:00Z");
  it("reads seconds or an HTTP date, capped at an hour; nothing for junk", () => {
    expect(retryAfterMs("120", now)).toBe(120_000);
    expect(retryAfterMs("0.5", now)).toBe(500);
    expect(retryAfterMs("Sun, 06 Dec 2026 12:00:30 GMT", now)).toBe(30_000);
    expect(retryAfterMs("86400", now)).toBe(3_600_000);
    expect(retryAfterMs(undefined, now)).toBeUndefined();
    expect(retryAfterMs("soon", now)).toBeUndefined();
    expect(retryAfterMs("-3", now)).toBeUndefined();
  });
});

describe("sendWebhook", () => {
  const delivery = { id: "dlv_1", eventId: "evt_1", event: "test", attempt: 1 };
  it("refuses at once, without a request, an http:// or private URL, and an endpoint without URL or secret", async () => {
    const target = { id: "chn_1", kind: "webhook" as const, secret: "whsec_x", telegramChatId: null };
    expect(await sendWebhook({ ...target, url: "http://hooks.example.com/x" }, {}, delivery)).toEqual({ ok: false, status: null, error: "Refused: http:// is not allowed, use an https:// URL", retryable: false });
    expect(await sendWebhook({ ...target, url: "https://169.254.169.254/latest/meta-data" }, {}, delivery)).toMatchObject({ ok: false, retryable: false, error: expect.stringMatching(/^Refused: 169\.254\.169\.254 is /) });
    expect(await sendWebhook({ ...target, url: null }, {}, delivery)).toEqual({ ok: false, status: null, error: "This endpoint has no URL or secret", retryable: false });
  });
});
