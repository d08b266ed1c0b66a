/**
 * The channels router (issue 16 acceptance 4, access control): destinations and delivery logs are their owner's only
 * (another user gets NOT_FOUND on every procedure that names one, and nothing is written anywhere); inputs are
 * validated with messages by the field and refused input writes nothing; Discord URLs are checked against Discord's
 * format and webhook URLs against the outbound address rules when saved; a webhook's signing secret is answered once
 * and stored only sealed; a test message and a redelivery queue deliveries with the same event id.
 *
 * No test touches the network: names resolve to a private address here, so any send the drain tries is refused locally.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { count, eq } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { useEnvOverrides } from "@/test/env";
import { signedIn, trpcCode } from "@/test/factories";
import { newProvider, subscribe } from "@/test/signals";
import { changedTables, tableCounts } from "@/test/tables";
import { db } from "@/server/db";
import { auditLog, channelDeliveries, channelProviderPrefs, notificationChannels } from "@/server/db/schema";
import { openFor } from "@/server/crypto/secret-box";
import { setOutboundResolver } from "@/server/http/safe-fetch";
import { waitForInlineRuns } from "@/server/jobs/inline/runner";
import { MAX_DESTINATIONS, MAX_TESTS_PER_MINUTE, shownHint, webhookHint } from "@/server/services/channels/destinations";
import { MAX_REDELIVERIES_PER_MINUTE } from "@/server/services/channels/redeliver";

useTestDatabase();
const setEnv = useEnvOverrides();
beforeAll(() => setOutboundResolver(async () => [{ address: "10.0.0.1", family: 4 }]));
afterAll(() => setOutboundResolver(null));
afterEach(() => waitForInlineRuns());

const DISCORD = "https://discord.com/api/webhooks/123456789012345678/AbCdEfGhIjKlMnOpQrStUvWxYz0123456789";
const HOOK = "https://hooks.example.com/tradsy/secret-path-token?key=abc";

type Caller = Awaited<ReturnType<typeof signedIn>>["caller"];

/** An owner with a Discord destination and a webhook endpoint, and a delivery in the webhook's log. */
async function owner() {
  const alice = await signedIn("subscriber");
  const discord = await alice.caller.channels.addDiscord({ label: "Desk", url: DISCORD });
  const hook = await alice.caller.channels.addWebhook({ label: "Bot", url: HOOK });
  const { deliveryId } = await alice.caller.channels.sendTest({ id: hook.id });
  await waitForInlineRuns();
  return { alice, discord, hook, deliveryId };
}

describe("another user's destinations and deliveries", () => {
  const byOthers: Record<string, (c: Caller, ids: { channelId: string; deliveryId: string }) => Promise<unknown>> = {
    "channels.update": (c, { channelId }) => c.channels.update({ id: channelId, label: "Mine now" }),
    "channels.update (events)": (c, { channelId }) => c.channels.update({ id: channelId, events: ["signal.published"] }),
    "channels.remove": (c, { channelId }) => c.channels.remove({ id: channelId }),
    "channels.sendTest": (c, { channelId }) => c.channels.sendTest({ id: channelId }),
    "channels.rollSecret": (c, { channelId }) => c.channels.rollSecret({ id: channelId }),
    "channels.deliveries": (c, { channelId }) => c.channels.deliveries({ channelId }),
    "channels.redeliver": (c, { deliveryId }) => c.channels.redeliver({ id: deliveryId }),
  };
  for (const [name, call] of Object.entries(byOthers)) {
    it(`are NOT_FOUND on ${name}, and nothing is written`, async () => {
      const { alice, hook, deliveryId } = await owner();
      const others = await Promise.all((["subscriber", "provider", "admin"] as const).map((r) => signedIn(r)));
      const before = await tableCounts();
      for (const other of others) expect(await trpcCode(call(other.caller, { channelId: hook.id, deliveryId })), other.user.role).toBe("NOT_FOUND");
      expect(changedTables(before, await tableCounts())).toEqual({});
      // The owner still has it, as it was.
      const mine = await alice.caller.channels.list();
      expect(mine.destinations.map((d) => d.label).sort()).toEqual(["Bot", "Desk"]);
    });
  }

  it("are not listed to anyone else", async () => {
    await owner();
    const bob = await signedIn("subscriber");
    expect((await bob.caller.channels.list()).destinations).toEqual([]);
  });
});

describe("adding destinations", () => {
  it("checks a Discord URL against Discord's format, with the message on the url field, and writes nothing when refused", async () => {
    const { caller } = await signedIn("subscriber");
    const before = await tableCounts();
    for (const url of ["https://example.com/api/webhooks/123456789012345678/AbCdEfGhIjKlMnOpQrStUvWxYz", "http://discord.com/api/webhooks/123456789012345678/AbCdEfGhIjKlMnOpQrStUvWxYz", "not a url"]) {
      await expect(caller.channels.addDiscord({ label: "Desk", url }), url).rejects.toMatchObject({ code: "BAD_REQUEST" });
    }
    await expect(caller.channels.addDiscord({ label: "  ", url: DISCORD })).rejects.toThrow(/Give it a name/);
    expect(changedTables(before, await tableCounts())).toEqual({});
    const ok = await caller.channels.addDiscord({ label: "Desk", url: DISCORD });
    const [row] = await db.select().from(notificationChannels).where(eq(notificationChannels.id, ok.id));
    // Stored sealed; shown as a hint without the token.
    expect(row!.urlEnc).not.toContain("AbCdEf");
    expect(openFor("channel-url", row!.urlEnc!)).toBe(DISCORD);
    expect(JSON.stringify(await caller.channels.list())).not.toContain("AbCdEfGhIjKlMnOp");
  });

  it("refuses unsafe webhook URLs when saved, with the reason, and writes nothing", async () => {
    const { caller } = await signedIn("subscriber");
    const before = await tableCounts();
    const refused: Record<string, RegExp> = {
      "http://hooks.example.com/x": /http:\/\/ is not allowed/,
      "https://127.0.0.1/x": /127\.0\.0\.1 is/,
      "https://10.1.2.3/x": /10\.1\.2\.3 is/,
      "https://169.254.169.254/latest/meta-data": /169\.254\.169\.254 is/,
      "https://[::1]/x": /::1 is/,
      "https://localhost/x": /localhost is/,
      "https://user:pass@hooks.example.com/x": /user name or password/,
    };
    for (const [url, message] of Object.entries(refused)) {
      const err = await caller.channels.addWebhook({ label: "Bot", url }).catch((e: unknown) => e);
      expect(err, url).toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(message) });
    }
    expect(changedTables(before, await tableCounts())).toEqual({});
  });

  it("answers a webhook's signing secret once, stores it sealed, and rolls it", async () => {
    const { caller } = await signedIn("subscriber");
    const { id, secret } = await caller.channels.addWebhook({ label: "Bot", url: HOOK });
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    const [row] = await db.select().from(notificationChannels).where(eq(notificationChannels.id, id));
    expect(openFor("webhook-secret", row!.secretEnc!)).toBe(secret);
    const listed = await caller.channels.list();
    const text = JSON.stringify(listed);
    for (const hidden of [secret, row!.secretEnc!, row!.urlEnc!, "secret-path-token", "key=abc"]) expect(text).not.toContain(hidden);
    expect(listed.destinations[0]).toMatchObject({ kind: "webhook", hasSigningSecret: true, urlHint: "https://hooks.example.com/…", status: "active" });
    const rolled = await caller.channels.rollSecret({ id });
    expect(rolled.secret).not.toBe(secret);
    const [after] = await db.select().from(notificationChannels).where(eq(notificationChannels.id, id));
    expect(openFor("webhook-secret", after!.secretEnc!)).toBe(rolled.secret);
    expect((await db.select().from(auditLog).where(eq(auditLog.targetId, id))).map((a) => a.action).sort()).toEqual(["channel.created", "channel.secret_rolled"]);
  });

  it("hints a webhook URL by scheme, host and port only (any path segment or query may be a token)", () => {
    expect(webhookHint(new URL("https://hooks.example.com/T0KEN4bcd3fgh1jk1mn0pqr5/x?key=abc"))).toBe("https://hooks.example.com/…");
    expect(webhookHint(new URL("https://hooks.example.com:8443/Sh0rtTok"))).toBe("https://hooks.example.com:8443/…");
    expect(webhookHint(new URL("https://hooks.example.com/?token=abc"))).toBe("https://hooks.example.com/…");
    expect(webhookHint(new URL("https://hooks.example.com"))).toBe("https://hooks.example.com/");
  });

  it("shows hints saved under the older rule cut to today's (no token characters, no first path segment)", async () => {
    const { caller, user } = await signedIn("subscriber");
    const old = { userId: user.id, purpose: "alerts" as const, status: "active" as const, urlEnc: "sealed", events: ["signal.published"] };
    const [d] = await db.insert(notificationChannels).values({ ...old, kind: "discord", label: "D", urlHint: "discord.com/api/webhooks/123456789012345678/AbC-…" }).returning();
    const [w] = await db.insert(notificationChannels).values({ ...old, kind: "webhook", label: "W", urlHint: "https://hooks.example.com:8443/T0KEN4bcd/…?…" }).returning();
    const hints = Object.fromEntries((await caller.channels.list()).destinations.map((x) => [x.id, x.urlHint]));
    expect(hints).toEqual({ [d!.id]: "discord.com/api/webhooks/123456789012345678/…", [w!.id]: "https://hooks.example.com:8443/…" });
    expect((await caller.channels.deliveries({ channelId: w!.id })).destination.urlHint).toBe("https://hooks.example.com:8443/…");
    expect(shownHint("webhook", "https://hooks.example.com")).toBe("https://hooks.example.com/");
  });

  it("lets only providers post to a community channel, with signal events only", async () => {
    const sub = await signedIn("subscriber");
    const before = await tableCounts();
    const err = await sub.caller.channels.addDiscord({ label: "Community", url: DISCORD, purpose: "community" }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "BAD_REQUEST", message: "Only signal providers can post to a community channel" });
    expect(changedTables(before, await tableCounts())).toEqual({});
    const p = await newProvider();
    expect(await trpcCode(p.caller.channels.addDiscord({ label: "Community", url: DISCORD, purpose: "community", events: ["copy.filled"] }))).toBe("BAD_REQUEST");
    const { id } = await p.caller.channels.addDiscord({ label: "Community", url: DISCORD, purpose: "community" });
    const listed = (await p.caller.channels.list()).destinations.find((d) => d.id === id)!;
    expect(listed).toMatchObject({ purpose: "community", includeLevels: false, events: ["signal.published", "signal.closed"], providerPrefs: [] });
    await p.caller.channels.update({ id, includeLevels: true });
    expect((await db.select().from(notificationChannels).where(eq(notificationChannels.id, id)))[0]!.includeLevels).toBe(true);
    // Levels are a community channel's choice only.
    const alerts = await sub.caller.channels.addDiscord({ label: "Mine", url: DISCORD });
    expect(await trpcCode(sub.caller.channels.update({ id: alerts.id, includeLevels: true }))).toBe("BAD_REQUEST");
  });

  it("links Telegram only when the bot is set up", async () => {
    setEnv("TELEGRAM_BOT_TOKEN", undefined);
    const { caller } = await signedIn("subscriber");
    expect((await caller.channels.list()).telegramEnabled).toBe(false);
    const err = await caller.channels.startTelegramLink({}).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "CONFLICT", message: expect.stringMatching(/Telegram is not set up/) });
    const [n] = await db.select({ n: count() }).from(notificationChannels);
    expect(n!.n).toBe(0);
  });
});

describe("expired Telegram links", () => {
  it("are neither listed nor counted against the destination cap; a link still waiting is both", async () => {
    const { caller, user } = await signedIn("subscriber");
    const pending = (minutes: number, i: number) => ({
      userId: user.id,
      kind: "telegram" as const,
      purpose: "alerts" as const,
      label: `Link ${i}`,
      status: "pending" as const,
      linkCodeHash: `hash-${minutes}-${i}`,
      linkCodeExpiresAt: new Date(Date.now() + minutes * 60_000),
      events: ["signal.published"],
    });
    await db.insert(notificationChannels).values(Array.from({ length: MAX_DESTINATIONS }, (_, i) => pending(-1, i)));
    expect((await caller.channels.list()).destinations).toEqual([]);
    const { id } = await caller.channels.addDiscord({ label: "Desk", url: DISCORD });
    await db.insert(notificationChannels).values(Array.from({ length: MAX_DESTINATIONS - 2 }, (_, i) => pending(10, i)));
    const listed = (await caller.channels.list()).destinations;
    expect(listed).toHaveLength(MAX_DESTINATIONS - 1);
    expect(listed.filter((d) => d.status === "pending").every((d) => d.linkExpiresAt! > new Date())).toBe(true);
    await caller.channels.addWebhook({ label: "Bot", url: HOOK });
    expect(await trpcCode(caller.channels.addDiscord({ label: "One too many", url: DISCORD }))).toBe("TOO_MANY_REQUESTS");
    expect((await caller.channels.list()).destinations.map((d) => d.id)).toContain(id);
  });
});

describe("removing a Telegram destination", () => {
  it("deletes it and writes the audit row (one transaction), for its owner only", async () => {
    const { caller, user } = await signedIn("subscriber");
    const [row] = await db
      .insert(notificationChannels)
      .values({ userId: user.id, kind: "telegram", purpose: "alerts", label: "Chat", status: "active", telegramChatId: "4242", telegramChatName: "@ann", events: ["signal.published"] })
      .returning({ id: notificationChannels.id });
    expect(await caller.channels.remove({ id: row!.id })).toEqual({ ok: true });
    expect(await db.select().from(notificationChannels).where(eq(notificationChannels.id, row!.id))).toHaveLength(0);
    expect(await db.select().from(auditLog).where(eq(auditLog.targetId, row!.id))).toMatchObject([{ actorId: user.id, action: "channel.removed", data: { kind: "telegram" } }]);
  });
});

describe("choices", () => {
  it("saves events and per-provider choices for followed providers only", async () => {
    const p = await newProvider();
    const stranger = await newProvider();
    const { user, caller } = await signedIn("subscriber");
    await subscribe(user.id, p.provider.id, "active");
    const { id } = await caller.channels.addDiscord({ label: "Desk", url: DISCORD });
    expect((await caller.channels.list()).destinations[0]!.providerPrefs).toEqual([{ providerId: p.provider.id, name: p.provider.displayName, newSignal: true, signalClosed: true }]);
    await caller.channels.update({ id, events: ["signal.closed", "copy.rejected"], providerPrefs: [{ providerId: p.provider.id, newSignal: false, signalClosed: true }] });
    const listed = (await caller.channels.list()).destinations[0]!;
    expect(listed.events).toEqual(["signal.closed", "copy.rejected"]);
    expect(listed.providerPrefs[0]).toMatchObject({ newSignal: false, signalClosed: true });

    const before = await tableCounts();
    const err = await caller.channels.update({ id, label: "Renamed", providerPrefs: [{ providerId: stranger.provider.id, newSignal: false, signalClosed: false }] }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "BAD_REQUEST", message: "You can only choose alerts for providers you follow" });
    for (const bad of [{ id, events: [] }, { id, events: ["signal.published", "signal.published"] }, { id, events: ["signal.nope"] }, { id }]) {
      expect(await trpcCode(caller.channels.update(bad as never)), JSON.stringify(bad)).toBe("BAD_REQUEST");
    }
    expect(changedTables(before, await tableCounts())).toEqual({});
    expect(await db.select().from(channelProviderPrefs)).toHaveLength(1);
  });
});

describe("test messages, the delivery log and redelivery", () => {
  it("queue a test delivery, list it with its attempts, and redeliver it with the same event id", async () => {
    const { alice, hook, deliveryId } = await owner();
    const log = await alice.caller.channels.deliveries({ channelId: hook.id });
    expect(log.destination).toMatchObject({ id: hook.id, label: "Bot", kind: "webhook" });
    expect(log.items.map((d) => d.id)).toEqual([deliveryId]);
    const first = log.items[0]!;
    expect(first).toMatchObject({ event: "test", payload: { type: "test", id: first.eventId } });
    expect(first.eventId).toMatch(/^evt_/);
    // The send was refused locally (the name resolves to a private address here); the log says why, per attempt.
    if (first.attempts > 0) expect(first.attemptLog).toHaveLength(first.attempts);

    const again = await alice.caller.channels.redeliver({ id: deliveryId });
    const [copy] = await db.select().from(channelDeliveries).where(eq(channelDeliveries.id, again.id));
    expect(copy).toMatchObject({ eventId: first.eventId, redeliveryOf: deliveryId, payload: first.payload });
  });

  it(`allow at most ${MAX_TESTS_PER_MINUTE} test messages a minute per destination, and none to a disabled one`, async () => {
    const { caller } = await signedIn("subscriber");
    const { id } = await caller.channels.addWebhook({ label: "Bot", url: HOOK });
    for (let i = 0; i < MAX_TESTS_PER_MINUTE; i++) await caller.channels.sendTest({ id });
    expect(await trpcCode(caller.channels.sendTest({ id }))).toBe("TOO_MANY_REQUESTS");
    await db.update(notificationChannels).set({ status: "disabled", disabledReason: "Failed for 24 hours" }).where(eq(notificationChannels.id, id));
    const err = await caller.channels.sendTest({ id }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "CONFLICT", message: "This destination is disabled (Failed for 24 hours)" });
  });

  it(`redeliver: at most ${MAX_REDELIVERIES_PER_MINUTE} a minute per destination, and a signal delivery only within 24 h of its event; nothing written when refused`, async () => {
    const { alice, discord, deliveryId } = await owner();
    for (let i = 0; i < MAX_REDELIVERIES_PER_MINUTE; i++) await alice.caller.channels.redeliver({ id: deliveryId });
    await waitForInlineRuns();
    const before = await tableCounts();
    const limited = await alice.caller.channels.redeliver({ id: deliveryId }).catch((e: unknown) => e);
    expect(limited).toMatchObject({ code: "TOO_MANY_REQUESTS", message: `At most ${MAX_REDELIVERIES_PER_MINUTE} redeliveries a minute to one destination: try again shortly` });
    expect(changedTables(before, await tableCounts())).toEqual({});

    // A signal delivery to the Discord destination (its own allowance untouched), its event queued 25 h ago.
    const queuedAt = new Date(Date.now() - 25 * 3_600_000);
    const [old] = await db
      .insert(channelDeliveries)
      .values({ channelId: discord.id, userId: alice.user.id, event: "signal.published", eventId: "evt_old_signal", payload: { content: "old" }, status: "sent", expiresAt: new Date(queuedAt.getTime() + 24 * 3_600_000), createdAt: queuedAt })
      .returning();
    const stale = await tableCounts();
    const refused = await alice.caller.channels.redeliver({ id: old!.id }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: "BAD_REQUEST", message: "Signal deliveries can be redelivered within 24 hours of the signal's event only: they carry what this destination could see then" });
    expect(changedTables(stale, await tableCounts())).toEqual({});
  });

  it("removing a destination removes its log, for its owner only", async () => {
    const { alice, hook } = await owner();
    await alice.caller.channels.remove({ id: hook.id });
    expect(await db.select().from(channelDeliveries).where(eq(channelDeliveries.channelId, hook.id))).toEqual([]);
    expect(await trpcCode(alice.caller.channels.deliveries({ channelId: hook.id }))).toBe("NOT_FOUND");
  });
});
