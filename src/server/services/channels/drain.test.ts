/**
 * The channel drain with scripted senders and a controlled clock: dispatch by kind with the destination's sealed
 * values opened, every attempt recorded, back-off 30 s doubling to 1 h until the 24 h expiry, a destination's 429 not
 * counted, refusals failed at once, `disable` turning the destination off, 24 h of failures disabling it with one
 * email, cancellation when the destination or the event is off, our per-destination rate limits, one send per
 * delivery across concurrent drains, and the job and its wake-up. (The real webhook sender against a local endpoint:
 * webhook-delivery.test.ts.)
 */
import { afterEach, describe, expect, it } from "vitest";
import { and, asc, eq } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { closedSignalEvent, insertChannel, insertUser, testEvent } from "@/test/channels";
import { channelDeliveries, channelDeliveryAttempts, emailOutbox, notificationChannels, type ChannelKind } from "@/server/db/schema";
import { runJob, waitForInlineRuns } from "@/server/jobs/inline/runner";
import { channelDrain } from "@/server/jobs/functions/channel-drain";
import { backoffMs, CLAIM_LEASE_MS, DEFAULT_SENDERS, drainChannelDeliveries, MAX_UNCOUNTED_RATE_LIMITS, MIN_RATE_LIMIT_WAIT_MS, nextAllowedAt, RATE_LIMITS, type ChannelDrainOptions } from "./drain";
import { disableChannel, FAILING_DISABLE_AFTER_MS } from "./disable";
import { channelsQueued, DELIVERY_TTL_MS, queueDeliveries } from "./queue";
import { payloadFor } from "./payload";
import type { ChannelSender, ChannelTarget, DeliveryRef, SendOutcome } from "@/server/integrations/channels/types";

const t = useTestDatabase();

/** A controllable clock; `sleep` moves it (the drain's inline waits take no real time). */
function fakeTime(start = "2026-12-06T12:00:00Z") {
  let now = Date.parse(start);
  return {
    clock: () => new Date(now),
    sleep: async (ms: number) => {
      now += ms;
    },
    advance: (ms: number) => {
      now += ms;
    },
    get now() {
      return now;
    },
  };
}

interface Call {
  target: ChannelTarget;
  payload: Record<string, unknown>;
  delivery: DeliveryRef;
}

/** Senders answering from a script (default: 200 "ok"), recording what they were given. */
function scripted() {
  const calls: Call[] = [];
  const script: SendOutcome[] = [];
  const sender: ChannelSender = async (target, payload, delivery) => {
    calls.push({ target, payload, delivery });
    return script.shift() ?? { ok: true, status: 200, body: "ok" };
  };
  const senders: Record<ChannelKind, ChannelSender> = { discord: sender, telegram: sender, webhook: sender };
  return { calls, script, senders };
}

async function queue(channelId: string, userId: string, kind: ChannelKind = "webhook", now = new Date(), event = testEvent()) {
  await queueDeliveries(t.db, [{ channelId, userId, event, payload: payloadFor(kind, event), dedupeKey: `${event.id}:${channelId}` }], now);
  const [row] = await t.db.select().from(channelDeliveries).where(eq(channelDeliveries.dedupeKey, `${event.id}:${channelId}`));
  return row!;
}

const rowOf = async (id: string) => (await t.db.select().from(channelDeliveries).where(eq(channelDeliveries.id, id)))[0]!;
const channelOf = async (id: string) => (await t.db.select().from(notificationChannels).where(eq(notificationChannels.id, id)))[0]!;
const attemptsOf = (id: string) => t.db.select().from(channelDeliveryAttempts).where(eq(channelDeliveryAttempts.deliveryId, id)).orderBy(asc(channelDeliveryAttempts.attempt));
const disabledEmails = () => t.db.select().from(emailOutbox).where(eq(emailOutbox.kind, "channel-disabled"));

/** One drain run that makes at most the attempts due now (no inline waiting). */
const tick = (s: ReturnType<typeof scripted>, time: ReturnType<typeof fakeTime>, over: Partial<ChannelDrainOptions> = {}) =>
  drainChannelDeliveries({ senders: s.senders, clock: time.clock, sleep: time.sleep, maxRunMs: 60_000, maxInlineWaitMs: 0, ...over });

afterEach(async () => {
  await waitForInlineRuns();
});

describe("queueDeliveries", () => {
  it("queues one row per key (a second queueing of the same key adds nothing), expiring 24 h later, with the event's id and type", async () => {
    const user = await insertUser();
    const ch = await insertChannel({ userId: user.id });
    const event = closedSignalEvent("evt_q1");
    const now = new Date("2026-12-06T12:00:00Z");
    const rows = [{ channelId: ch.id, userId: user.id, event, payload: payloadFor("webhook", event), dedupeKey: `sev_1:${ch.id}` }];
    expect(await queueDeliveries(t.db, rows, now)).toBe(1);
    expect(await queueDeliveries(t.db, rows, now)).toBe(0);
    expect(await queueDeliveries(t.db, [], now)).toBe(0);
    const all = await t.db.select().from(channelDeliveries);
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ event: "signal.closed", eventId: "evt_q1", status: "queued", attempts: 0, nextAttemptAt: null, expiresAt: new Date(now.getTime() + DELIVERY_TTL_MS) });
    expect(all[0]!.payload).toEqual({ id: "evt_q1", type: "signal.closed", created: event.occurredAt, data: event.data });
  });
});

describe("the channel drain", () => {
  it("sends through the sender of each destination's kind with its URL, secret and chat opened, and records the attempt and the answer", async () => {
    const user = await insertUser();
    const hook = await insertChannel({ userId: user.id, kind: "webhook", url: "https://hooks.example.com/a" });
    const discord = await insertChannel({ userId: user.id, kind: "discord", url: "https://discord.com/api/webhooks/123456789012345678/tok" });
    const telegram = await insertChannel({ userId: user.id, kind: "telegram", telegramChatId: "-1009" });
    const time = fakeTime();
    const d1 = await queue(hook.id, user.id, "webhook", time.clock());
    time.advance(10);
    const d2 = await queue(discord.id, user.id, "discord", time.clock());
    time.advance(10);
    const d3 = await queue(telegram.id, user.id, "telegram", time.clock());
    await t.db.update(notificationChannels).set({ failingSince: new Date(time.now - 60_000) }).where(eq(notificationChannels.id, hook.id));

    const calls: [ChannelKind, Call][] = [];
    const record =
      (kind: ChannelKind, outcome: SendOutcome): ChannelSender =>
      async (target, payload, delivery) => {
        calls.push([kind, { target, payload, delivery }]);
        return outcome;
      };
    const senders = {
      webhook: record("webhook", { ok: true, status: 204, body: "x".repeat(2000) }),
      discord: record("discord", { ok: true, status: 200, body: '{"id":"1"}' }),
      telegram: record("telegram", { ok: true, status: 200, body: '{"ok":true}' }),
    };
    expect(await drainChannelDeliveries({ senders, clock: time.clock, sleep: time.sleep, maxRunMs: 60_000 })).toMatchObject({ sent: 3, failed: 0, retrying: 0 });

    // Oldest first, each to its kind's sender, the sealed values opened for the send.
    expect(calls.map(([k]) => k)).toEqual(["webhook", "discord", "telegram"]);
    expect(calls[0]![1].target).toEqual({ id: hook.id, kind: "webhook", url: "https://hooks.example.com/a", secret: hook.secret, telegramChatId: null });
    expect(calls[1]![1].target).toMatchObject({ kind: "discord", url: "https://discord.com/api/webhooks/123456789012345678/tok", secret: null });
    expect(calls[2]![1].target).toMatchObject({ kind: "telegram", url: null, telegramChatId: "-1009" });
    expect(calls[0]![1].delivery).toEqual({ id: d1.id, eventId: d1.eventId, event: "test", attempt: 1 });
    expect(calls[0]![1].payload).toEqual(d1.payload);

    const sent = await rowOf(d1.id);
    expect(sent).toMatchObject({ status: "sent", attempts: 1, nextAttemptAt: null, lastError: null, responseStatus: 204 });
    expect(sent.responseBody).toHaveLength(500);
    expect(sent.sentAt).toEqual(time.clock());
    expect(await attemptsOf(d1.id)).toMatchObject([{ attempt: 1, responseStatus: 204, error: null, at: new Date(Date.parse("2026-12-06T12:00:00.020Z")) }]);
    expect(await rowOf(d2.id)).toMatchObject({ status: "sent", responseStatus: 200, responseBody: '{"id":"1"}' });
    expect(await rowOf(d3.id)).toMatchObject({ status: "sent" });
    // A success clears the failing mark and records the success.
    expect(await channelOf(hook.id)).toMatchObject({ failingSince: null, lastSuccessAt: time.clock(), status: "active" });

    // Nothing left.
    expect(await drainChannelDeliveries({ senders, clock: time.clock, maxRunMs: 5_000 })).toMatchObject({ sent: 0 });
    expect(calls).toHaveLength(3);
  });

  it("backs off 30 s doubling to 1 h, makes its last attempt at the 24 h mark and then fails; the destination, failing all along, is disabled with one email", async () => {
    const user = await insertUser("Grace");
    const ch = await insertChannel({ userId: user.id, label: "Ops bot", url: "https://ops.example.com/hook" });
    const other = await insertChannel({ userId: user.id, label: "Healthy" });
    const time = fakeTime();
    const start = time.now;
    const d = await queue(ch.id, user.id, "webhook", time.clock());
    const s = scripted();
    const failure: SendOutcome = { ok: false, status: 503, body: "down", error: "The endpoint answered 503", retryable: true };

    let attempts = 0;
    for (;;) {
      s.script.push(failure);
      await tick(s, time);
      attempts += 1;
      const row = await rowOf(d.id);
      expect(row.attempts).toBe(attempts);
      expect(s.calls).toHaveLength(attempts);
      if (row.status === "failed") break;
      const expected = Math.min(time.now + backoffMs(attempts), start + DELIVERY_TTL_MS);
      expect(row).toMatchObject({ status: "queued", nextAttemptAt: new Date(expected), lastError: "The endpoint answered 503", responseStatus: 503, responseBody: "down" });
      expect((await channelOf(ch.id)).failingSince).toEqual(new Date(start));
      // Not due a second early.
      time.advance(expected - time.now - 1000);
      await tick(s, time);
      expect(s.calls).toHaveLength(attempts);
      time.advance(1000);
    }
    // 30 s, 1, 2, 4, 8, 16, 32 min, then hourly until the 24 h mark, where the last attempt is made.
    expect(backoffMs(1)).toBe(30_000);
    expect(backoffMs(2)).toBe(60_000);
    expect(backoffMs(8)).toBe(3_600_000);
    expect(backoffMs(30)).toBe(3_600_000);
    expect(time.now).toBe(start + DELIVERY_TTL_MS);
    expect(attempts).toBe(31);
    const failed = await rowOf(d.id);
    expect(failed).toMatchObject({ status: "failed", nextAttemptAt: null });
    expect(failed.lastError).toBe("The endpoint answered 503 (gave up: not delivered within 24 h)");
    expect(await attemptsOf(d.id)).toHaveLength(31);

    // 24 h of failures: the destination is off, with its reason, and its owner was emailed once.
    const off = await channelOf(ch.id);
    expect(off).toMatchObject({ status: "disabled", disabledAt: time.clock(), disabledReason: "Every delivery to it failed for 24 hours." });
    const emails = await disabledEmails();
    expect(emails).toHaveLength(1);
    expect(emails[0]).toMatchObject({ to: user.email, userId: user.id, stream: "transactional", subject: 'Webhook endpoint "Ops bot" was turned off' });
    expect(emails[0]!.text).toContain("Every delivery to it failed for 24 hours.");
    expect(emails[0]!.text).toContain("The endpoint answered 503");
    // The link opens this destination's delivery log (the page that says why); /settings/channels has no page.
    expect(emails[0]!.text).toContain(`/settings/channels/${ch.id}`);
    expect(emails[0]!.html).toContain(`/settings/channels/${ch.id}"`);
    expect(await channelOf(other.id)).toMatchObject({ status: "active" });

    // Later deliveries to it are cancelled unsent, and nobody is emailed again.
    const later = await queue(ch.id, user.id, "webhook", time.clock());
    expect(await tick(s, time)).toMatchObject({ cancelled: 1, sent: 0 });
    expect(await rowOf(later.id)).toMatchObject({ status: "cancelled", lastError: "Not sent: the destination is turned off (Every delivery to it failed for 24 hours.)" });
    expect(s.calls).toHaveLength(31);
    expect(await disabledEmails()).toHaveLength(1);
  });

  it("a destination failing for 24 h across deliveries is disabled once, by the failure on the mark; a success in between starts the count again", async () => {
    const user = await insertUser();
    const ch = await insertChannel({ userId: user.id });
    const time = fakeTime();
    let failing = true;
    const calls: string[] = [];
    const sender: ChannelSender = async (_target, _payload, delivery) => {
      calls.push(delivery.id);
      return failing ? { ok: false, status: null, error: "Connection refused by hooks.example.com:443", retryable: true } : { ok: true, status: 200, body: "" };
    };
    const run = () => drainChannelDeliveries({ senders: { webhook: sender, discord: sender, telegram: sender }, clock: time.clock, sleep: time.sleep, maxRunMs: 60_000, maxInlineWaitMs: 0 });

    const first = await queue(ch.id, user.id, "webhook", time.clock());
    await run();
    expect((await channelOf(ch.id)).failingSince).toEqual(time.clock());

    // 20 h later the endpoint is back: the retry succeeds and the count starts again.
    time.advance(20 * 3_600_000);
    failing = false;
    expect(await run()).toMatchObject({ sent: 1 });
    expect(await rowOf(first.id)).toMatchObject({ status: "sent", attempts: 2 });
    expect(await channelOf(ch.id)).toMatchObject({ failingSince: null, lastSuccessAt: time.clock(), status: "active" });

    // Failing again from T: still active 1 ms before T + 24 h…
    failing = true;
    const b = await queue(ch.id, user.id, "webhook", time.clock());
    await run();
    const from = time.now;
    // Retried (at least) hourly all along, as a drain running every minute does.
    for (let h = 1; h < 24; h++) {
      time.advance(60 * 60_000);
      await run();
    }
    time.advance(60 * 60_000 - 1);
    expect(time.now - from).toBe(FAILING_DISABLE_AFTER_MS - 1);
    const c = await queue(ch.id, user.id, "webhook", time.clock());
    await run();
    expect(await channelOf(ch.id)).toMatchObject({ status: "active", failingSince: new Date(from) });
    expect(await disabledEmails()).toHaveLength(0);

    // …and disabled by the first failure at T + 24 h (b's last attempt, on its own 24 h mark): b failed, the rest
    // cancelled unsent, one email.
    time.advance(1);
    const d = await queue(ch.id, user.id, "webhook", time.clock());
    const before = calls.length;
    expect(await run()).toMatchObject({ failed: 1, disabled: 1, sent: 0, retrying: 0 });
    expect(calls.slice(before)).toEqual([b.id]);
    expect(await channelOf(ch.id)).toMatchObject({ status: "disabled", disabledReason: "Every delivery to it failed for 24 hours." });
    expect(await rowOf(b.id)).toMatchObject({ status: "failed", attempts: 25 });
    for (const r of [c, d]) expect(await rowOf(r.id)).toMatchObject({ status: "cancelled", attempts: r === c ? 1 : 0 });
    expect(await disabledEmails()).toHaveLength(1);
  });

  it("an old failing mark with no attempt since (no traffic for days) starts again: one later failure does not disable the destination", async () => {
    const user = await insertUser();
    const ch = await insertChannel({ userId: user.id });
    const time = fakeTime();
    // It failed once 3 days ago, then had nothing to send.
    const before = await queue(ch.id, user.id, "webhook", new Date(time.now - 3 * DELIVERY_TTL_MS));
    await t.db.insert(channelDeliveryAttempts).values({ deliveryId: before.id, attempt: 1, at: new Date(time.now - 3 * DELIVERY_TTL_MS), responseStatus: 503, error: "The endpoint answered 503", durationMs: 5 });
    await t.db.update(channelDeliveries).set({ status: "failed", attempts: 1 }).where(eq(channelDeliveries.id, before.id));
    await t.db.update(notificationChannels).set({ failingSince: new Date(time.now - 3 * DELIVERY_TTL_MS) }).where(eq(notificationChannels.id, ch.id));

    const d = await queue(ch.id, user.id, "webhook", time.clock());
    const s = scripted();
    s.script.push({ ok: false, status: 503, body: "down", error: "The endpoint answered 503", retryable: true });
    expect(await tick(s, time)).toMatchObject({ retrying: 1, disabled: 0 });
    expect(await channelOf(ch.id)).toMatchObject({ status: "active", failingSince: time.clock() });
    expect(await rowOf(d.id)).toMatchObject({ status: "queued", attempts: 1 });
    expect(await disabledEmails()).toHaveLength(0);

    // Failing on from here, an hour apart (retries are at most hourly): the mark holds.
    time.advance(60 * 60_000);
    s.script.push({ ok: false, status: 503, body: "down", error: "The endpoint answered 503", retryable: true });
    await tick(s, time);
    expect((await channelOf(ch.id)).failingSince).toEqual(new Date(time.now - 60 * 60_000));
  });

  it("a 429 (the destination's own limit) waits at least its delay, is not counted and does not mark the destination failing", async () => {
    const user = await insertUser();
    const ch = await insertChannel({ userId: user.id, kind: "discord", url: "https://discord.com/api/webhooks/1/t" });
    const time = fakeTime();
    const d = await queue(ch.id, user.id, "discord", time.clock());
    const s = scripted();
    s.script.push({ ok: false, status: 429, body: '{"retry_after":2.5}', error: "Discord answered 429: You are being rate limited.", retryable: true, retryAfterMs: 2500 });

    expect(await tick(s, time)).toMatchObject({ rateLimited: 1, sent: 0 });
    const row = await rowOf(d.id);
    expect(row).toMatchObject({ status: "queued", attempts: 0, nextAttemptAt: new Date(time.now + 2500), responseStatus: 429 });
    expect(row.lastError).toMatch(/429/);
    expect((await channelOf(ch.id)).failingSince).toBeNull();
    expect(await attemptsOf(d.id)).toMatchObject([{ attempt: 1, responseStatus: 429 }]);

    // Within a run that may wait that long, it is retried after the delay and not before.
    expect(await drainChannelDeliveries({ senders: s.senders, clock: time.clock, sleep: time.sleep, maxRunMs: 60_000, maxInlineWaitMs: 5_000 })).toMatchObject({ sent: 1 });
    expect(await rowOf(d.id)).toMatchObject({ status: "sent", attempts: 1 });
    expect((await attemptsOf(d.id)).map((a) => [a.attempt, a.at.getTime()])).toEqual([
      [1, Date.parse("2026-12-06T12:00:00Z")],
      [2, Date.parse("2026-12-06T12:00:02.500Z")],
    ]);
    expect(s.calls.map((c) => c.delivery.attempt)).toEqual([1, 2]);
  });

  it("a 429 asking for no wait (Retry-After: 0) still waits our minimum (5 s webhooks, 1 s Discord and Telegram); after 10 uncounted on one delivery, further ones count", async () => {
    expect(MIN_RATE_LIMIT_WAIT_MS).toEqual({ webhook: 5_000, discord: 1_000, telegram: 1_000 });
    expect(MAX_UNCOUNTED_RATE_LIMITS).toBe(10);
    const user = await insertUser();
    const hook = await insertChannel({ userId: user.id });
    const discord = await insertChannel({ userId: user.id, kind: "discord", url: "https://discord.com/api/webhooks/1/t" });
    const time = fakeTime();
    const d = await queue(hook.id, user.id, "webhook", time.clock());
    const s = scripted();
    const tooMany: SendOutcome = { ok: false, status: 429, body: "", error: "The endpoint answered 429", retryable: true, retryAfterMs: 0 };

    for (let i = 1; i <= MAX_UNCOUNTED_RATE_LIMITS; i++) {
      s.script.push(tooMany);
      expect(await tick(s, time)).toMatchObject({ rateLimited: 1 });
      expect(await rowOf(d.id)).toMatchObject({ status: "queued", attempts: 0, nextAttemptAt: new Date(time.now + 5_000) });
      // Not a second before the minimum.
      time.advance(4_999);
      expect(await tick(s, time)).toMatchObject({ rateLimited: 0, sent: 0 });
      time.advance(1);
    }
    expect((await channelOf(hook.id)).failingSince).toBeNull();
    // The 11th counts: a failed attempt with its back-off, the destination marked failing.
    s.script.push(tooMany);
    expect(await tick(s, time)).toMatchObject({ rateLimited: 0, retrying: 1 });
    expect(await rowOf(d.id)).toMatchObject({ status: "queued", attempts: 1, nextAttemptAt: new Date(time.now + backoffMs(1)), responseStatus: 429 });
    expect((await channelOf(hook.id)).failingSince).toEqual(time.clock());
    expect(await attemptsOf(d.id)).toHaveLength(11);

    // Discord and Telegram: at least a second.
    const e = await queue(discord.id, user.id, "discord", time.clock());
    s.script.push({ ...tooMany, error: "Discord answered 429" });
    expect(await tick(s, time)).toMatchObject({ rateLimited: 1 });
    expect(await rowOf(e.id)).toMatchObject({ attempts: 0, nextAttemptAt: new Date(time.now + 1_000) });
  });

  it("a refusal that would repeat fails the delivery at once (counted, the destination marked failing)", async () => {
    const user = await insertUser();
    const ch = await insertChannel({ userId: user.id });
    const time = fakeTime();
    const d = await queue(ch.id, user.id, "webhook", time.clock());
    const s = scripted();
    s.script.push({ ok: false, status: null, error: "Refused: hooks.example.com resolves to 10.0.0.5, a private address", retryable: false });
    expect(await tick(s, time)).toMatchObject({ failed: 1 });
    expect(await rowOf(d.id)).toMatchObject({ status: "failed", attempts: 1, nextAttemptAt: null, responseStatus: null, lastError: "Refused: hooks.example.com resolves to 10.0.0.5, a private address" });
    expect((await channelOf(ch.id)).failingSince).toEqual(time.clock());
    expect(await attemptsOf(d.id)).toMatchObject([{ attempt: 1, responseStatus: null, error: "Refused: hooks.example.com resolves to 10.0.0.5, a private address" }]);
  });

  it("`disable` turns the destination off with its reason, cancels its queued deliveries and emails the owner once", async () => {
    const user = await insertUser("Linus");
    const ch = await insertChannel({ userId: user.id, kind: "discord", url: "https://discord.com/api/webhooks/1/t", label: "Community" });
    const keep = await insertChannel({ userId: user.id, kind: "discord", url: "https://discord.com/api/webhooks/2/t" });
    const time = fakeTime();
    const first = await queue(ch.id, user.id, "discord", time.clock());
    time.advance(1);
    const second = await queue(ch.id, user.id, "discord", time.clock());
    const elsewhere = await queue(keep.id, user.id, "discord", time.clock());
    const s = scripted();
    s.script.push({ ok: false, status: 404, body: '{"message":"Unknown Webhook","code":10015}', error: "Discord answered 404: Unknown Webhook", retryable: false, disable: "Discord says this webhook no longer exists (Unknown Webhook)." });

    expect(await tick(s, time)).toMatchObject({ failed: 1, disabled: 1, sent: 1 });
    expect(await rowOf(first.id)).toMatchObject({ status: "failed", attempts: 1, responseStatus: 404 });
    expect(await rowOf(second.id)).toMatchObject({ status: "cancelled", lastError: "Not sent: the destination was turned off (Discord says this webhook no longer exists (Unknown Webhook).)" });
    expect(await rowOf(elsewhere.id)).toMatchObject({ status: "sent" });
    expect(await channelOf(ch.id)).toMatchObject({ status: "disabled", disabledReason: "Discord says this webhook no longer exists (Unknown Webhook)." });
    const emails = await disabledEmails();
    expect(emails).toHaveLength(1);
    expect(emails[0]).toMatchObject({ subject: 'Discord webhook "Community" was turned off' });
    expect(s.calls.map((c) => c.delivery.id)).toEqual([first.id, elsewhere.id]);
  });

  it("cancels deliveries to a destination that is off or not linked, and events its owner turned off; a test message and a redelivery go anyway", async () => {
    const user = await insertUser();
    const off = await insertChannel({ userId: user.id, status: "disabled" });
    const pending = await insertChannel({ userId: user.id, kind: "telegram", status: "pending", telegramChatId: null });
    const narrow = await insertChannel({ userId: user.id, events: ["signal.published"] });
    const time = fakeTime();
    const a = await queue(off.id, user.id, "webhook", time.clock());
    const b = await queue(pending.id, user.id, "telegram", time.clock());
    const c = await queue(narrow.id, user.id, "webhook", time.clock(), closedSignalEvent("evt_closed"));
    const test = await queue(narrow.id, user.id, "webhook", time.clock(), testEvent());
    const again = (await t.db.insert(channelDeliveries).values({ channelId: narrow.id, userId: user.id, event: "signal.closed", eventId: "evt_closed", payload: c.payload, redeliveryOf: c.id, expiresAt: new Date(time.now + DELIVERY_TTL_MS), createdAt: time.clock() }).returning())[0]!;
    const s = scripted();
    expect(await tick(s, time)).toMatchObject({ cancelled: 3, sent: 2 });
    expect(await rowOf(a.id)).toMatchObject({ status: "cancelled", lastError: "Not sent: the destination is turned off" });
    expect(await rowOf(b.id)).toMatchObject({ status: "cancelled", lastError: "Not sent: the destination is not linked yet" });
    expect(await rowOf(c.id)).toMatchObject({ status: "cancelled", lastError: "Not sent: signal.closed was turned off for this destination" });
    expect(await rowOf(test.id)).toMatchObject({ status: "sent" });
    expect(await rowOf(again.id)).toMatchObject({ status: "sent" });
    expect(s.calls.map((x) => x.delivery.id).sort()).toEqual([test.id, again.id].sort());
  });

  it("a sender that throws is recorded as a failed attempt and retried; the log says it was ours, never the exception's text", async () => {
    const user = await insertUser();
    const ch = await insertChannel({ userId: user.id });
    const time = fakeTime();
    const d = await queue(ch.id, user.id, "webhook", time.clock());
    const boom: ChannelSender = async () => {
      throw new Error("socket hang up in a bug");
    };
    expect(await tick(scripted(), time, { senders: { webhook: boom, discord: boom, telegram: boom } })).toMatchObject({ retrying: 1 });
    expect(await rowOf(d.id)).toMatchObject({ status: "queued", attempts: 1, lastError: "Tradsy could not send it (internal error); it will be retried", nextAttemptAt: new Date(time.now + 30_000) });
    expect(await attemptsOf(d.id)).toMatchObject([{ attempt: 1, responseStatus: null, error: "Tradsy could not send it (internal error); it will be retried" }]);
    expect(JSON.stringify(await rowOf(d.id))).not.toContain("socket hang up");
  });

  it("never sends a delivery past its 24 h (a drain down for days, a backlog held back): failed unsent, nothing counted against the destination", async () => {
    const user = await insertUser();
    const ch = await insertChannel({ userId: user.id });
    const time = fakeTime();
    // Queued an hour before the drain went down, never attempted.
    const old = await queue(ch.id, user.id, "webhook", new Date(time.now - 3_600_000));
    // A retry due on the 24 h mark and picked up by a drain a minute late is still made.
    const retried = await queue(ch.id, user.id, "webhook", time.clock());
    await t.db.update(channelDeliveries).set({ attempts: 3, lastError: "The endpoint answered 503", nextAttemptAt: new Date(time.now + DELIVERY_TTL_MS) }).where(eq(channelDeliveries.id, retried.id));
    time.advance(DELIVERY_TTL_MS + 60_000);
    const fresh = await queue(ch.id, user.id, "webhook", time.clock());
    const s = scripted();
    expect(await tick(s, time)).toMatchObject({ failed: 1, sent: 2 });
    expect(s.calls.map((c) => c.delivery.id).sort()).toEqual([retried.id, fresh.id].sort());
    expect(await rowOf(old.id)).toMatchObject({ status: "failed", attempts: 0, nextAttemptAt: null, lastError: "Not sent within 24 hours of the event", sentAt: null });
    expect(await attemptsOf(old.id)).toHaveLength(0);

    // Days late: a retry is not made either, and says why it gave up.
    const late = await queue(ch.id, user.id, "webhook", time.clock());
    await t.db.update(channelDeliveries).set({ attempts: 2, lastError: "The endpoint answered 503" }).where(eq(channelDeliveries.id, late.id));
    time.advance(3 * DELIVERY_TTL_MS);
    expect(await tick(s, time)).toMatchObject({ failed: 1, sent: 0 });
    expect(await rowOf(late.id)).toMatchObject({ status: "failed", attempts: 2, lastError: "The endpoint answered 503 (gave up: not delivered within 24 h)" });
    expect(s.calls).toHaveLength(2);
    expect(await channelOf(ch.id)).toMatchObject({ status: "active", failingSince: null });
  });

  it("a destination removed while its delivery is being sent: that one counts as cancelled and the run goes on to other destinations", async () => {
    const user = await insertUser();
    const doomed = await insertChannel({ userId: user.id });
    const other = await insertChannel({ userId: user.id });
    const time = fakeTime();
    const gone = await queue(doomed.id, user.id, "webhook", time.clock());
    time.advance(1);
    const next = await queue(other.id, user.id, "webhook", time.clock());
    const s = scripted();
    // The owner removes the destination while the request is in flight (its deliveries go with it, by cascade).
    const removing: ChannelSender = async (target, payload, delivery) => {
      if (target.id === doomed.id) await t.db.delete(notificationChannels).where(eq(notificationChannels.id, doomed.id));
      return s.senders.webhook(target, payload, delivery);
    };
    const result = await tick(s, time, { senders: { webhook: removing, discord: removing, telegram: removing } });
    expect(result).toMatchObject({ cancelled: 1, sent: 1 });
    expect(s.calls.map((c) => c.delivery.id)).toEqual([gone.id, next.id]);
    expect(await t.db.select().from(channelDeliveries).where(eq(channelDeliveries.id, gone.id))).toHaveLength(0);
    expect(await rowOf(next.id)).toMatchObject({ status: "sent" });
  });

  it("an error that is not a send's outcome is logged and leaves that delivery claimed for a later try; the run goes on", async () => {
    const user = await insertUser();
    const broken = await insertChannel({ userId: user.id });
    const other = await insertChannel({ userId: user.id });
    const time = fakeTime();
    const bad = await queue(broken.id, user.id, "webhook", time.clock());
    time.advance(1);
    const next = await queue(other.id, user.id, "webhook", time.clock());
    const s = scripted();
    // A sender bug: an answer without its error text (recording it throws).
    const buggy: ChannelSender = async (target, payload, delivery) =>
      target.id === broken.id ? ({ ok: false, status: 500, retryable: true } as unknown as SendOutcome) : s.senders.webhook(target, payload, delivery);
    const result = await tick(s, time, { senders: { webhook: buggy, discord: buggy, telegram: buggy } });
    expect(result).toMatchObject({ errors: 1, sent: 1 });
    expect(await rowOf(bad.id)).toMatchObject({ status: "queued", attempts: 0, nextAttemptAt: new Date(time.now + CLAIM_LEASE_MS) });
    expect(await attemptsOf(bad.id)).toHaveLength(0);
    expect(await rowOf(next.id)).toMatchObject({ status: "sent" });
  });

  it("leaves a row claimed by a drain that died alone until its lease has passed, then sends it", async () => {
    const user = await insertUser();
    const ch = await insertChannel({ userId: user.id });
    const time = fakeTime();
    const d = await queue(ch.id, user.id, "webhook", time.clock());
    // A drain claimed it (its lease) and died before recording anything.
    await t.db.update(channelDeliveries).set({ nextAttemptAt: new Date(time.now + CLAIM_LEASE_MS) }).where(eq(channelDeliveries.id, d.id));
    const s = scripted();
    expect(await tick(s, time)).toMatchObject({ sent: 0 });
    time.advance(CLAIM_LEASE_MS);
    expect(await tick(s, time)).toMatchObject({ sent: 1 });
    expect(s.calls).toHaveLength(1);
  });

  it("sends each of 40 deliveries once across three concurrent drains", async () => {
    const user = await insertUser();
    const channels = await Promise.all(Array.from({ length: 4 }, () => insertChannel({ userId: user.id })));
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) ids.push((await queue(channels[i % 4]!.id, user.id)).id);
    const s = scripted();
    const slow: ChannelSender = async (...args) => {
      await new Promise((r) => setTimeout(r, 2));
      return s.senders.webhook(...args);
    };
    const senders = { webhook: slow, discord: slow, telegram: slow };
    const results = await Promise.all([1, 2, 3].map(() => drainChannelDeliveries({ senders, maxRunMs: 20_000, maxInlineWaitMs: 0 })));
    expect(results.reduce((n, r) => n + r.sent, 0)).toBe(40);
    expect(s.calls.map((c) => c.delivery.id).sort()).toEqual([...ids].sort());
    const rows = await t.db.select().from(channelDeliveries);
    expect(rows.every((r) => r.status === "sent" && r.attempts === 1)).toBe(true);
  });
});

describe("disableChannel", () => {
  it("disables once: a second call (another drain, a retry) changes nothing and emails nobody; notify: false emails nobody", async () => {
    const user = await insertUser("Ada");
    const ch = await insertChannel({ userId: user.id, kind: "telegram", telegramChatId: "-1001" });
    const quiet = await insertChannel({ userId: user.id });
    const at = new Date("2026-12-06T12:00:00Z");
    const queued = await queue(ch.id, user.id, "telegram", at);
    expect(await disableChannel(t.db, ch.id, "The bot was blocked in this chat.", at, { lastError: "Telegram answered 403: Forbidden: bot was blocked by the user" })).toBe(true);
    expect(await disableChannel(t.db, ch.id, "Something else.", new Date(at.getTime() + 1000))).toBe(false);
    expect(await channelOf(ch.id)).toMatchObject({ status: "disabled", disabledAt: at, disabledReason: "The bot was blocked in this chat." });
    expect(await rowOf(queued.id)).toMatchObject({ status: "cancelled", lastError: "Not sent: the destination was turned off (The bot was blocked in this chat.)" });
    const emails = await disabledEmails();
    expect(emails).toHaveLength(1);
    expect(emails[0]).toMatchObject({ subject: 'Telegram chat "My telegram" was turned off', to: user.email });
    expect(emails[0]!.text).toContain("My telegram (Trading room)");
    expect(emails[0]!.text).toContain("Telegram answered 403: Forbidden: bot was blocked by the user");

    expect(await disableChannel(t.db, quiet.id, "Removed by support.", at, { notify: false })).toBe(true);
    expect(await channelOf(quiet.id)).toMatchObject({ status: "disabled" });
    expect(await disabledEmails()).toHaveLength(1);
  });
});

describe("rate limits per destination", () => {
  it("nextAllowedAt: a sliding window per limit", () => {
    const limits = [
      { windowMs: 1_000, max: 1 },
      { windowMs: 60_000, max: 3 },
    ];
    expect(nextAllowedAt([], limits, 10_000)).toBeNull();
    expect(nextAllowedAt([9_500], limits, 10_000)).toBe(10_500);
    expect(nextAllowedAt([9_000], limits, 10_000)).toBeNull();
    expect(nextAllowedAt([1_000, 2_000, 3_000], limits, 10_000)).toBe(61_000);
    expect(nextAllowedAt([1_000, 2_000, 9_900], limits, 10_000)).toBe(61_000);
    expect(nextAllowedAt([1_000, 2_000], limits, 70_000)).toBeNull();
    expect(RATE_LIMITS).toEqual({
      discord: [{ windowMs: 60_000, max: 30 }],
      telegram: [
        { windowMs: 1_000, max: 1 },
        { windowMs: 60_000, max: 20 },
      ],
      webhook: [{ windowMs: 60_000, max: 60 }],
    });
  });

  it("Discord: 30 a minute per webhook; the 31st waits (not counted) until the first leaves the window; another webhook is not held back", async () => {
    const user = await insertUser();
    const busy = await insertChannel({ userId: user.id, kind: "discord", url: "https://discord.com/api/webhooks/1/a" });
    const quiet = await insertChannel({ userId: user.id, kind: "discord", url: "https://discord.com/api/webhooks/2/b" });
    const time = fakeTime();
    const start = time.now;
    const ids: string[] = [];
    for (let i = 0; i < 31; i++) {
      ids.push((await queue(busy.id, user.id, "discord", time.clock())).id);
      time.advance(100);
    }
    const other = await queue(quiet.id, user.id, "discord", time.clock());
    const s = scripted();
    expect(await tick(s, time)).toMatchObject({ sent: 31, throttled: 1 });
    const held = await rowOf(ids[30]!);
    expect(held).toMatchObject({ status: "queued", attempts: 0, nextAttemptAt: new Date(time.now + 60_000) });
    expect(await rowOf(other.id)).toMatchObject({ status: "sent" });
    time.advance(60_000);
    expect(await tick(s, time)).toMatchObject({ sent: 1, throttled: 0 });
    expect(s.calls.filter((c) => c.target.id === busy.id)).toHaveLength(31);
    expect(start).toBeLessThan(time.now);
  });

  it("Telegram: one message a second per chat, counted across the accounts that linked it; the run waits its turn", async () => {
    const ann = await insertUser("Ann");
    const bob = await insertUser("Bob");
    const a = await insertChannel({ userId: ann.id, kind: "telegram", telegramChatId: "-100777" });
    const b = await insertChannel({ userId: bob.id, kind: "telegram", telegramChatId: "-100777" });
    const solo = await insertChannel({ userId: bob.id, kind: "telegram", telegramChatId: "42" });
    const time = fakeTime();
    // Queued a millisecond apart (the drain goes oldest first); the clock stays at the start.
    await queue(a.id, ann.id, "telegram", new Date(time.now));
    await queue(b.id, bob.id, "telegram", new Date(time.now + 1));
    await queue(a.id, ann.id, "telegram", new Date(time.now + 2));
    await queue(solo.id, bob.id, "telegram", new Date(time.now + 3));
    const s = scripted();
    const sentAt: [string, number][] = [];
    const timed: ChannelSender = async (target, ...rest) => {
      sentAt.push([target.telegramChatId!, time.now]);
      return s.senders.telegram(target, ...rest);
    };
    const result = await drainChannelDeliveries({ senders: { ...s.senders, telegram: timed }, clock: time.clock, sleep: time.sleep, maxRunMs: 60_000, maxInlineWaitMs: 5_000 });
    expect(result).toMatchObject({ sent: 4 });
    const start = Date.parse("2026-12-06T12:00:00Z");
    expect(sentAt).toEqual([
      ["-100777", start],
      ["42", start],
      ["-100777", start + 1000],
      ["-100777", start + 2000],
    ]);
  });

  it("Telegram: at most 20 a minute per chat", async () => {
    const user = await insertUser();
    const ch = await insertChannel({ userId: user.id, kind: "telegram", telegramChatId: "-100888" });
    const time = fakeTime();
    for (let i = 0; i < 21; i++) await queue(ch.id, user.id, "telegram", time.clock());
    const s = scripted();
    // Waits of a second are taken inline; the minute's wait is left to a later run.
    await drainChannelDeliveries({ senders: s.senders, clock: time.clock, sleep: time.sleep, maxRunMs: 120_000, maxInlineWaitMs: 5_000 });
    expect(s.calls).toHaveLength(20);
    const queued = await t.db.select().from(channelDeliveries).where(and(eq(channelDeliveries.channelId, ch.id), eq(channelDeliveries.status, "queued")));
    expect(queued).toHaveLength(1);
    expect(queued[0]!.nextAttemptAt).toEqual(new Date(Date.parse("2026-12-06T12:00:00Z") + 60_000));
  });

  it("outbound webhooks: 60 a minute per endpoint", async () => {
    const user = await insertUser();
    const ch = await insertChannel({ userId: user.id });
    const time = fakeTime();
    for (let i = 0; i < 61; i++) await queue(ch.id, user.id, "webhook", time.clock());
    const s = scripted();
    expect(await tick(s, time)).toMatchObject({ sent: 60, throttled: 1 });
  });
});

describe("the channel-drain job", () => {
  it("drains on its cron and on channel/queued, one run at a time; channelsQueued() wakes it after a commit", async () => {
    expect(channelDrain.job.triggers).toEqual([{ cron: "* * * * *" }, { event: "channel/queued" }]);
    expect(channelDrain.id).toBe("channel-drain");
    expect(DEFAULT_SENDERS.webhook).toBeTypeOf("function");
    const user = await insertUser();
    // A destination whose URL is refused by the SSRF check: the job's real sender fails it without any network.
    const ch = await insertChannel({ userId: user.id, url: "https://10.0.0.5/hook" });
    const d = await queue(ch.id, user.id);
    const out = await runJob(channelDrain.job, { name: "channel/queued", data: { count: 1 } });
    expect(out).toMatchObject({ status: "completed", output: { failed: 1 } });
    expect(await rowOf(d.id)).toMatchObject({ status: "failed", lastError: "Refused: 10.0.0.5 is a private address" });

    const e = await queue(ch.id, user.id);
    channelsQueued(1);
    await new Promise((r) => setTimeout(r, 50));
    await waitForInlineRuns();
    expect(await rowOf(e.id)).toMatchObject({ status: "failed" });
    channelsQueued(0); // nothing queued: no event
  });
});
