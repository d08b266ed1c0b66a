/**
 * Outbound webhooks end to end (issue 16, acceptance 2): the channel drain and the real webhook sender (through
 * safeFetch, the local endpoint reached by the test allow-list) against a local receiver. The README's verification
 * snippets, TypeScript (imported from a file) and Python (run with python3), verify a real delivery's signature and
 * refuse it replayed more than 5 minutes later; 5 failures then a success deliver exactly once; "Redeliver" sends the
 * same event again. Also: the request's exact shape, redirects, timeouts, 429s and a URL refused at send time.
 */
import http from "node:http";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { asc, eq } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { useEnvOverrides } from "@/test/env";
import { closedSignalEvent, insertChannel, insertUser } from "@/test/channels";
import { changedTables, tableCounts } from "@/test/tables";
import { hasPython, importTypescriptSnippet, runPythonSnippet, snippetDir, type VerifyTradsyWebhook } from "@/test/webhook-snippets";
import { channelDeliveries, channelDeliveryAttempts, notificationChannels } from "@/server/db/schema";
import { ConflictError, LimitExceededError, NotFoundError, ValidationError } from "@/server/errors";
import { setOutboundResolver } from "@/server/http/safe-fetch";
import { FakeWebhookReceiver, type ReceivedWebhook } from "@/server/integrations/webhooks/fake-receiver";
import { waitForInlineRuns } from "@/server/jobs/inline/runner";
import { backoffMs, DEFAULT_SENDERS, drainChannelDeliveries } from "./drain";
import { payloadFor } from "./payload";
import { queueDeliveries } from "./queue";
import { MAX_REDELIVERIES_PER_MINUTE, redeliver } from "./redeliver";
import { webhookSender } from "./webhook-sender";

const t = useTestDatabase();
const setEnv = useEnvOverrides();
const scratch = snippetDir();
let receiver: FakeWebhookReceiver;
let verifyTs: VerifyTradsyWebhook;
/** The receiver's clock (epoch ms); tests move it to replay a request later. */
let receiverNow: number | null = null;

beforeAll(async () => {
  receiver = new FakeWebhookReceiver({ clock: () => receiverNow ?? Date.now() });
  await receiver.start();
  verifyTs = await importTypescriptSnippet(scratch.dir);
});
afterAll(async () => {
  await receiver.stop();
  scratch.dispose();
});
beforeEach(() => {
  receiver.reset();
  receiverNow = null;
  setEnv("OUTBOUND_URL_ALLOWLIST", receiver.hostPort);
});
afterEach(async () => {
  setOutboundResolver(null);
  await waitForInlineRuns();
});

const SIG = /^t=(\d+),v1=([0-9a-f]{64})$/;
const tOf = (r: ReceivedWebhook) => Number(SIG.exec(r.headers["tradsy-signature"] ?? "")?.[1]);
const rowOf = async (id: string) => (await t.db.select().from(channelDeliveries).where(eq(channelDeliveries.id, id)))[0]!;

async function endpoint(url = receiver.url()) {
  const user = await insertUser();
  const ch = await insertChannel({ userId: user.id, kind: "webhook", url });
  return { user, channelId: ch.id, secret: ch.secret! };
}

async function queueEvent(channelId: string, userId: string, now = new Date(), event = closedSignalEvent(`evt_${Math.random().toString(36).slice(2, 10)}`)) {
  await queueDeliveries(t.db, [{ channelId, userId, event, payload: payloadFor("webhook", event), dedupeKey: `${event.id}:${channelId}` }], now);
  return (await t.db.select().from(channelDeliveries).where(eq(channelDeliveries.dedupeKey, `${event.id}:${channelId}`)))[0]!;
}

/** Re-sends a captured request to the receiver, byte for byte (what an attacker who saw it could do). */
function replay(r: ReceivedWebhook): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${receiver.baseUrl}${r.path}`, { method: "POST", headers: { "content-type": r.headers["content-type"]!, "tradsy-signature": r.headers["tradsy-signature"]!, "tradsy-webhook-id": r.headers["tradsy-webhook-id"]! } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end(r.rawBody);
  });
}

describe("outbound webhooks: a real delivery", () => {
  it("POSTs the stored envelope with the documented headers, and the README's snippets (TypeScript, Python) verify its signature", async () => {
    const { user, channelId, secret } = await endpoint();
    const row = await queueEvent(channelId, user.id);
    expect(await drainChannelDeliveries({ maxRunMs: 10_000 })).toMatchObject({ sent: 1 });

    expect(receiver.requests).toHaveLength(1);
    const got = receiver.requests[0]!;
    expect(got.method).toBe("POST");
    expect(got.path).toBe("/hooks/tradsy");
    expect(got.headers).toMatchObject({
      "content-type": "application/json",
      "user-agent": "Tradsy-Webhooks/1",
      "tradsy-webhook-id": row.eventId,
      "tradsy-delivery-id": row.id,
    });
    expect(got.headers["tradsy-signature"]).toMatch(SIG);
    // The body is the stored payload: the envelope in its documented order, prices as strings.
    const body = JSON.parse(got.rawBody) as Record<string, unknown>;
    expect(body).toEqual(row.payload);
    expect(Object.keys(body)).toEqual(["id", "type", "created", "data"]);
    expect(body).toMatchObject({ id: row.eventId, type: "signal.closed", created: "2026-12-06T20:00:00.000Z" });
    expect(body.data).toMatchObject({ signal: { symbol: "BTC/USDT", levels: { entryPrice: "97000.5", exitPrice: "101000.25" } } });
    expect(await rowOf(row.id)).toMatchObject({ status: "sent", attempts: 1, responseStatus: 200, responseBody: "ok" });

    // The documented TypeScript snippet, as people copy it, accepts the delivery: as text and as the raw bytes.
    const header = got.headers["tradsy-signature"]!;
    expect(verifyTs(got.rawBody, header, secret)).toBe(true);
    expect(verifyTs(Buffer.from(got.rawBody, "utf8"), header, secret)).toBe(true);
    expect(verifyTs(got.rawBody, header, "whsec_someone-elses-secret")).toBe(false);
    expect(verifyTs(got.rawBody.replace("101000.25", "101000.26"), header, secret)).toBe(false);
  });

  it.skipIf(!hasPython)(`the Python snippet verifies the same delivery${hasPython ? "" : " (SKIPPED: python3 is not installed on this machine)"}`, async () => {
    const { user, channelId, secret } = await endpoint();
    await queueEvent(channelId, user.id);
    await drainChannelDeliveries({ maxRunMs: 10_000 });
    const got = receiver.requests[0]!;
    const header = got.headers["tradsy-signature"]!;
    const sentAt = tOf(got);
    expect(
      runPythonSnippet(scratch.dir, [
        { body: got.rawBody, header, secret },
        { body: got.rawBody, header, secret, now: sentAt + 299 },
        { body: got.rawBody, header, secret, now: sentAt + 301 },
        { body: got.rawBody, header, secret: "whsec_someone-elses-secret" },
      ]),
    ).toEqual([true, true, false, false]);
  });

  it("a replay older than 5 minutes fails verification: in both snippets, and at a receiver checking the signature", async () => {
    const { user, channelId, secret } = await endpoint();
    await queueEvent(channelId, user.id);
    await drainChannelDeliveries({ maxRunMs: 10_000 });
    const got = receiver.requests[0]!;
    const header = got.headers["tradsy-signature"]!;
    const sentAt = tOf(got);
    expect(sentAt).toBeGreaterThan(Date.now() / 1000 - 60);

    // 5 minutes later it still verifies; a second after that it is refused as a replay.
    expect(verifyTs(got.rawBody, header, secret, sentAt + 300)).toBe(true);
    expect(verifyTs(got.rawBody, header, secret, sentAt + 301)).toBe(false);
    expect(verifyTs(got.rawBody, header, secret, sentAt + 3600)).toBe(false);
    if (hasPython) expect(runPythonSnippet(scratch.dir, [{ body: got.rawBody, header, secret, now: sentAt + 300 }, { body: got.rawBody, header, secret, now: sentAt + 301 }])).toEqual([true, false]);

    // A receiver checking signatures takes the request now and refuses the same bytes replayed 6 minutes later.
    const checking = new FakeWebhookReceiver({ secret, clock: () => receiverNow ?? Date.now() });
    await checking.start();
    try {
      const send = (at: number | null) => {
        receiverNow = at;
        return new Promise<number>((resolve, reject) => {
          const req = http.request(`${checking.baseUrl}/hooks/tradsy`, { method: "POST", headers: { "content-type": "application/json", "tradsy-signature": header } }, (res) => {
            res.resume();
            res.on("end", () => resolve(res.statusCode ?? 0));
          });
          req.on("error", reject);
          req.end(got.rawBody);
        });
      };
      expect(await send(sentAt * 1000 + 1000)).toBe(200);
      expect(await send(sentAt * 1000 + 6 * 60_000)).toBe(401);
      expect(checking.requests.map((r) => r.signature)).toEqual([
        { ok: true, timestamp: sentAt },
        { ok: false, reason: "too_old" },
      ]);
    } finally {
      await checking.stop();
    }
    // The original receiver does not check: the replay reaches it, which is why receivers must verify.
    expect(await replay(got)).toBe(200);
  });

  it("5 failures then a success deliver exactly once: 6 requests, 1 accepted, the same Tradsy-Webhook-Id on all, each signed when sent", async () => {
    const { user, channelId, secret } = await endpoint();
    let now = Date.parse("2026-12-06T12:00:00Z");
    const clock = () => new Date(now);
    const sleep = async (ms: number) => {
      now += ms;
    };
    const row = await queueEvent(channelId, user.id, clock());
    // Receivers break in many ways; every one of these is retried.
    receiver.respond({ status: 500, body: "Internal Server Error" });
    receiver.respond({ status: 502, body: "Bad Gateway" });
    receiver.respond({ status: 503, body: "Service Unavailable" });
    receiver.respond({ status: 404, body: "no such route (mid-deploy)" });
    receiver.respond({ status: 302, headers: { location: "https://elsewhere.example.com/" } });
    // The sender signs with the drain's clock, so each attempt's t shows when it was sent.
    const senders = { ...DEFAULT_SENDERS, webhook: webhookSender({ clock: () => now }) };
    const result = await drainChannelDeliveries({ senders, clock, sleep, maxRunMs: 60 * 60_000, maxInlineWaitMs: 60 * 60_000 });
    expect(result).toMatchObject({ sent: 1, retrying: 5, failed: 0 });

    expect(receiver.requests).toHaveLength(6);
    expect(receiver.accepted).toHaveLength(1);
    expect(receiver.requests.map((r) => r.status)).toEqual([500, 502, 503, 404, 302, 200]);
    expect(new Set(receiver.requests.map((r) => r.headers["tradsy-webhook-id"]))).toEqual(new Set([row.eventId]));
    expect(new Set(receiver.requests.map((r) => r.headers["tradsy-delivery-id"]))).toEqual(new Set([row.id]));
    expect(new Set(receiver.requests.map((r) => r.rawBody)).size).toBe(1);
    expect(JSON.parse(receiver.requests[0]!.rawBody)).toEqual(row.payload);
    // A fresh timestamp per attempt, after the back-off: 30 s, 1, 2, 4, 8 min.
    const ts = receiver.requests.map(tOf);
    expect(ts.slice(1).map((x, i) => x - ts[i]!)).toEqual([1, 2, 3, 4, 5].map((n) => backoffMs(n) / 1000));
    for (const r of receiver.requests) expect(verifyTs(r.rawBody, r.headers["tradsy-signature"]!, secret, tOf(r))).toBe(true);

    expect(await rowOf(row.id)).toMatchObject({ status: "sent", attempts: 6, responseStatus: 200, lastError: null, nextAttemptAt: null });
    const attempts = await t.db.select().from(channelDeliveryAttempts).where(eq(channelDeliveryAttempts.deliveryId, row.id)).orderBy(asc(channelDeliveryAttempts.attempt));
    expect(attempts.map((a) => [a.attempt, a.responseStatus])).toEqual([
      [1, 500],
      [2, 502],
      [3, 503],
      [4, 404],
      [5, 302],
      [6, 200],
    ]);
    expect(attempts[4]!.error).toBe("The endpoint answered 302 to https://elsewhere.example.com/: redirects other than 307 and 308 are not followed, give the final URL");
    expect(attempts[0]!.error).toBe("The endpoint answered 500");
    const channel = (await t.db.select().from(notificationChannels).where(eq(notificationChannels.id, channelId)))[0]!;
    expect(channel).toMatchObject({ failingSince: null, lastSuccessAt: clock(), status: "active" });

    // Nothing more is sent.
    await drainChannelDeliveries({ senders, clock, sleep, maxRunMs: 1000 });
    expect(receiver.requests).toHaveLength(6);
  });

  it("redeliver: a new delivery of the same event (same Tradsy-Webhook-Id, its own delivery id), sent by the drain it wakes and accepted again", async () => {
    const { user, channelId, secret } = await endpoint();
    const original = await queueEvent(channelId, user.id);
    await drainChannelDeliveries({ maxRunMs: 10_000 });
    expect(receiver.accepted).toHaveLength(1);

    const again = await redeliver(user.id, original.id);
    expect(again.id).not.toBe(original.id);
    const row = await rowOf(again.id);
    expect(row).toMatchObject({ channelId, userId: user.id, event: original.event, eventId: original.eventId, payload: original.payload, redeliveryOf: original.id, dedupeKey: null });
    expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBe(24 * 3_600_000);

    // redeliver woke the channel-drain job, which sent it with the real sender.
    await waitForInlineRuns();
    await expect.poll(async () => (await rowOf(again.id)).status, { timeout: 10_000 }).toBe("sent");
    expect(receiver.accepted).toHaveLength(2);
    const [first, second] = receiver.requests;
    expect(second!.headers["tradsy-webhook-id"]).toBe(first!.headers["tradsy-webhook-id"]);
    expect(second!.headers["tradsy-delivery-id"]).toBe(again.id);
    expect(second!.rawBody).toBe(first!.rawBody);
    expect(verifyTs(second!.rawBody, second!.headers["tradsy-signature"]!, secret)).toBe(true);
    expect(await rowOf(original.id)).toMatchObject({ status: "sent" });
  });

  it("redeliver is for the owner only (another account: NOT_FOUND, nothing written) and refuses a disabled destination", async () => {
    const { user, channelId } = await endpoint();
    const original = await queueEvent(channelId, user.id);
    const stranger = await insertUser("Mallory");
    const before = await tableCounts();
    await expect(redeliver(stranger.id, original.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(redeliver(user.id, "dlv_doesnotexist")).rejects.toBeInstanceOf(NotFoundError);
    expect(changedTables(before, await tableCounts())).toEqual({});

    await t.db.update(notificationChannels).set({ status: "disabled", disabledReason: "Every delivery to it failed for 24 hours." }).where(eq(notificationChannels.id, channelId));
    const disabled = await tableCounts();
    await expect(redeliver(user.id, original.id)).rejects.toThrow(new ConflictError("This destination is not active: it cannot receive a redelivery"));
    expect(changedTables(disabled, await tableCounts())).toEqual({});
  });
});

/** Waits until the drain that redeliver woke has sent everything (what it writes is not the refused call's). */
const allSent = () => expect.poll(async () => (await t.db.select().from(channelDeliveries).where(eq(channelDeliveries.status, "queued"))).length, { timeout: 10_000 }).toBe(0);

describe("redeliver: limits", () => {
  it(`at most ${MAX_REDELIVERIES_PER_MINUTE} redeliveries a minute per destination (the next is refused, nothing written); a minute later again`, async () => {
    const { user, channelId } = await endpoint();
    const now = new Date();
    const original = await queueEvent(channelId, user.id, now);
    for (let i = 0; i < MAX_REDELIVERIES_PER_MINUTE; i++) await redeliver(user.id, original.id, new Date(now.getTime() + i * 1000));
    await allSent();
    const before = await tableCounts();
    const refused = redeliver(user.id, original.id, new Date(now.getTime() + 10_000));
    await expect(refused).rejects.toBeInstanceOf(LimitExceededError);
    await expect(redeliver(user.id, original.id, new Date(now.getTime() + 10_000))).rejects.toThrow(`At most ${MAX_REDELIVERIES_PER_MINUTE} redeliveries a minute to one destination: try again shortly`);
    expect(changedTables(before, await tableCounts())).toEqual({});
    // Another destination has its own allowance.
    const other = await endpoint();
    const elsewhere = await queueEvent(other.channelId, other.user.id, now);
    await redeliver(other.user.id, elsewhere.id, new Date(now.getTime() + 10_000));
    // A minute after the first, there is room again.
    await redeliver(user.id, original.id, new Date(now.getTime() + 60_001));
  });

  it("a signal delivery is redelivered only within 24 h of its event (its frozen levels may no longer be the destination's to see); test and copy deliveries at any age", async () => {
    const { user, channelId } = await endpoint();
    const queuedAt = new Date("2026-12-06T12:00:00Z");
    const signal = await queueEvent(channelId, user.id, queuedAt);
    // Just within 24 h: fine, and the redelivery's own age does not restart the clock.
    const again = await redeliver(user.id, signal.id, new Date(queuedAt.getTime() + 24 * 3_600_000 - 1000));
    const late = new Date(queuedAt.getTime() + 24 * 3_600_000 + 1000);
    await allSent();
    const before = await tableCounts();
    for (const id of [signal.id, again.id]) {
      const err = await redeliver(user.id, id, late).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as Error).message).toBe("Signal deliveries can be redelivered within 24 hours of the signal's event only: they carry what this destination could see then");
    }
    expect(changedTables(before, await tableCounts())).toEqual({});

    // A test message and a copy event of any age: fine for their owner.
    const days = new Date(queuedAt.getTime() + 7 * 24 * 3_600_000);
    for (const event of ["test", "copy.filled"]) {
      const [old] = await t.db
        .insert(channelDeliveries)
        .values({ channelId, userId: user.id, event, eventId: `evt_old_${event}`, payload: { id: `evt_old_${event}`, type: event }, expiresAt: new Date(queuedAt.getTime() + 24 * 3_600_000), createdAt: queuedAt })
        .returning();
      await expect(redeliver(user.id, old!.id, days)).resolves.toMatchObject({ id: expect.stringMatching(/^dlv_/) });
    }
  });
});

describe("outbound webhooks: answers that are not a success", () => {
  it("follows a 307 (method, body and signature kept) to the final URL", async () => {
    const { user, channelId, secret } = await endpoint(receiver.url("/old"));
    receiver.respond({ status: 307, headers: { location: "/new" } });
    const row = await queueEvent(channelId, user.id);
    expect(await drainChannelDeliveries({ maxRunMs: 10_000 })).toMatchObject({ sent: 1 });
    expect(receiver.requests.map((r) => [r.method, r.path, r.status])).toEqual([
      ["POST", "/old", 307],
      ["POST", "/new", 200],
    ]);
    const final = receiver.requests[1]!;
    expect(verifyTs(final.rawBody, final.headers["tradsy-signature"]!, secret)).toBe(true);
    expect(await rowOf(row.id)).toMatchObject({ status: "sent", attempts: 1 });
  });

  it("a 429 waits at least its Retry-After and is not counted", async () => {
    const { user, channelId } = await endpoint();
    const row = await queueEvent(channelId, user.id);
    receiver.respond({ status: 429, headers: { "retry-after": "120" }, body: "slow down" });
    const before = Date.now();
    expect(await drainChannelDeliveries({ maxRunMs: 5_000 })).toMatchObject({ rateLimited: 1, sent: 0 });
    const after = await rowOf(row.id);
    expect(after).toMatchObject({ status: "queued", attempts: 0, responseStatus: 429, responseBody: "slow down", lastError: "The endpoint answered 429" });
    expect(after.nextAttemptAt!.getTime()).toBeGreaterThanOrEqual(before + 120_000);
  });

  it("no answer in time, or a refused connection, is retried", async () => {
    const { user, channelId } = await endpoint();
    const slow = await queueEvent(channelId, user.id);
    receiver.respond({ status: 200, delayMs: 1_000 });
    const senders = { ...DEFAULT_SENDERS, webhook: webhookSender({ timeoutMs: 200 }) };
    expect(await drainChannelDeliveries({ senders, maxRunMs: 5_000, maxInlineWaitMs: 0 })).toMatchObject({ retrying: 1 });
    expect(await rowOf(slow.id)).toMatchObject({ status: "queued", attempts: 1, responseStatus: null, lastError: "No answer from 127.0.0.1 within 0.2 s" });

    // A port nobody listens on (allow-listed, so only the connection fails).
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((r) => closed.close(() => r()));
    setEnv("OUTBOUND_URL_ALLOWLIST", `${receiver.hostPort},127.0.0.1:${port}`);
    const gone = await endpoint(`http://127.0.0.1:${port}/hook`);
    const refused = await queueEvent(gone.channelId, gone.user.id);
    await drainChannelDeliveries({ maxRunMs: 5_000, maxInlineWaitMs: 0 });
    expect(await rowOf(refused.id)).toMatchObject({ status: "queued", attempts: 1, lastError: `Connection refused by 127.0.0.1:${port}` });
  });

  it("a URL that resolves to a private address when it is sent fails at once with the SSRF check's message", async () => {
    setOutboundResolver(async (host) => (host === "hooks.customer.example" ? [{ address: "10.0.0.5", family: 4 }] : []));
    const { user, channelId } = await endpoint("https://hooks.customer.example/tradsy");
    const row = await queueEvent(channelId, user.id);
    expect(await drainChannelDeliveries({ maxRunMs: 5_000 })).toMatchObject({ failed: 1 });
    expect(await rowOf(row.id)).toMatchObject({ status: "failed", attempts: 1, responseStatus: null, lastError: "Refused: hooks.customer.example resolves to 10.0.0.5, a private address" });
    expect(receiver.requests).toHaveLength(0);
  });
});
