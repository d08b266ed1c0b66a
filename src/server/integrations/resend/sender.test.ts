/**
 * The Resend adapter and the fake Resend server on their own: rate-limit headers read (never a hard-coded rate),
 * errors classified (retry or give up), Idempotency-Key honoured like Resend, and the configuration refused when
 * incomplete.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Webhook } from "standardwebhooks";
import { FakeResendServer, newWebhookSecret, signWebhook } from "./fake-server";
import { retryAfterMs, waitAfter } from "./rate-limit";
import { ResendSender } from "./sender";
import { EmailSendError } from "./types";
import { senderFromEnv } from "@/server/services/email/delivery";

const fake = new FakeResendServer();
beforeAll(() => fake.start());
afterAll(() => fake.stop());

const email = (key: string, over: Partial<{ to: string; subject: string }> = {}) => ({ idempotencyKey: key, to: over.to ?? "ann@example.com", subject: over.subject ?? "Hello", html: "<p>Hello</p>", text: "Hello", headers: {} });
const sender = (apiKey = fake.apiKey) => new ResendSender({ apiKey, from: "Tradsy <mail@tradsy.example>", baseUrl: fake.baseUrl });

describe("rate-limit headers", () => {
  it("reads retry-after as seconds or an HTTP date, and waits out an exhausted window by ratelimit-reset", () => {
    const now = Date.parse("2026-01-05T10:00:00Z");
    expect(retryAfterMs("2", now)).toBe(2000);
    expect(retryAfterMs("0.5", now)).toBe(500);
    expect(retryAfterMs("Mon, 05 Jan 2026 10:00:03 GMT", now)).toBe(3000);
    expect(retryAfterMs("soon", now)).toBeNull();
    expect(waitAfter(429, { "retry-after": "3", "ratelimit-reset": "1" }, now)).toEqual({ ms: 3000, reason: "retry-after" });
    expect(waitAfter(429, { "ratelimit-reset": "2" }, now)).toEqual({ ms: 2000, reason: "retry-after" });
    expect(waitAfter(200, { "ratelimit-limit": "5", "ratelimit-remaining": "0", "ratelimit-reset": "0.4" }, now)).toEqual({ ms: 400, reason: "window-exhausted" });
    expect(waitAfter(200, { "ratelimit-limit": "5", "ratelimit-remaining": "3", "ratelimit-reset": "1" }, now)).toBeNull();
    expect(waitAfter(200, null, now)).toBeNull();
  });
});

describe("ResendSender against the fake Resend", () => {
  it("returns Resend's id; the same key again answers the same id and sends nothing; another body under that key is refused", async () => {
    const s = sender();
    const first = await s.send(email("eml_same"));
    expect(first.providerMessageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await s.send(email("eml_same"))).toEqual(first);
    expect(fake.delivered.filter((d) => d.idempotencyKey === "eml_same")).toHaveLength(1);
    const conflict = await s.send(email("eml_same", { subject: "Different" })).catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(EmailSendError);
    expect(conflict).toMatchObject({ status: 409, retryable: false });
  });

  it("classifies failures: 429 and 5xx and a wrong key retryable (with the 429's delay), a refused email not", async () => {
    fake.fault({ status: 429, retryAfterSeconds: 7 });
    expect(await sender().send(email("eml_429")).catch((e: unknown) => e)).toMatchObject({ status: 429, retryable: true, rateLimited: true, retryAfterMs: 7000 });
    fake.fault({ status: 502 });
    expect(await sender().send(email("eml_502")).catch((e: unknown) => e)).toMatchObject({ status: 502, retryable: true, rateLimited: false });
    expect(await sender("re_wrong").send(email("eml_403")).catch((e: unknown) => e)).toMatchObject({ status: 403, retryable: true });
    fake.fault({ status: 422 });
    expect(await sender().send(email("eml_422")).catch((e: unknown) => e)).toMatchObject({ status: 422, retryable: false });
    const down = new ResendSender({ apiKey: "re_x", from: "mail@tradsy.example", baseUrl: "http://127.0.0.1:1" });
    expect(await down.send(email("eml_down")).catch((e: unknown) => e)).toMatchObject({ status: null, retryable: true });
  });

  it("a 429's delay holds the next request back (readyAt)", async () => {
    const s = sender();
    fake.fault({ status: 429, retryAfterSeconds: 1 });
    const before = Date.now();
    await s.send(email("eml_hold")).catch(() => undefined);
    expect(s.readyAt()).toBeGreaterThanOrEqual(before + 1000);
    await s.send(email("eml_hold"));
    const [refused, retried] = fake.requests.filter((r) => r.headers["idempotency-key"] === "eml_hold");
    expect(retried!.at - refused!.at).toBeGreaterThanOrEqual(1000);
  });
});

describe("configuration", () => {
  it("no key: no sender (the outbox is the mailbox); a key without EMAIL_FROM is refused by name", () => {
    expect(senderFromEnv({ RESEND_API_KEY: undefined, EMAIL_FROM: undefined, RESEND_BASE_URL: undefined })).toBeNull();
    expect(() => senderFromEnv({ RESEND_API_KEY: "re_123", EMAIL_FROM: undefined, RESEND_BASE_URL: undefined })).toThrow(/EMAIL_FROM is required/);
    expect(senderFromEnv({ RESEND_API_KEY: "re_123", EMAIL_FROM: "Tradsy <mail@tradsy.example>", RESEND_BASE_URL: fake.baseUrl })?.name).toBe("resend");
  });
});

describe("webhook signing in the fake", () => {
  it("signs as Svix does: standardwebhooks verifies it, and refuses it under another secret", () => {
    const secret = newWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    const { body, headers } = signWebhook(secret, { type: "email.delivered", data: { email_id: "x" } });
    const unbranded = { "webhook-id": headers["svix-id"]!, "webhook-timestamp": headers["svix-timestamp"]!, "webhook-signature": headers["svix-signature"]! };
    expect(new Webhook(secret).verify(body, unbranded)).toMatchObject({ type: "email.delivered" });
    expect(() => new Webhook(newWebhookSecret()).verify(body, unbranded)).toThrow();
  });
});
