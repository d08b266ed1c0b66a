/**
 * Channel fan-out, on the stored payloads (exactly what is sent): the entitlement matrix (issue 16 acceptance 4) for
 * Discord, Telegram and webhook destinations of an entitled subscriber, a lapsed follower, a free paper follower, a
 * stranger and the provider's own alerts destinations, and the provider's community channels with and without
 * `includeLevels`, through the app's path (the signals service, the `channel-alerts` job run by the inline runner).
 * Then the rules around it: a repeated run queues nothing twice, no history for a new destination, per-provider
 * choices, events lists, inactive destinations, the 24 h lookback, copy events only to their own user.
 *
 * No test touches the network: every name resolves to a private address here (safe-fetch refuses it), so the drain,
 * if it runs, fails its sends locally; the payloads asserted are stored before any send.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { and, eq, inArray } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { useFakeMarket } from "@/test/fake-market";
import { createUser } from "@/test/factories";
import { actingAs, newProvider, subscribe } from "@/test/signals";
import { db } from "@/server/db";
import { channelDeliveries, channelProviderPrefs, copyOrders, copySettings, notificationChannels, type ChannelKind, type ChannelPurpose } from "@/server/db/schema";
import { sealFor } from "@/server/crypto/secret-box";
import { setOutboundResolver } from "@/server/http/safe-fetch";
import { waitForInlineRuns } from "@/server/jobs/inline/runner";
import { resetRateLimits } from "@/server/rate-limit";
import { closeSignal, moveStop, publishSignal } from "@/server/services/signals";
import { alertRecipients } from "@/server/services/alerts/signals";
import { CHANNEL_EVENT_TYPES } from "./events";
import { CHANNEL_LOOKBACK_MS, eventIdOf, fanOutCopyOrders, fanOutRiskPause, fanOutSignalEvent } from "./fanout";

useTestDatabase();
const market = useFakeMarket();

beforeAll(() => setOutboundResolver(async () => [{ address: "10.0.0.1", family: 4 }]));
afterAll(() => setOutboundResolver(null));
beforeEach(() => {
  resetRateLimits();
  market.setPrice("BTC/USDT", "64000");
});
afterEach(() => waitForInlineRuns());

/** The signal's levels: distinctive, so any trace of them in a payload is found. */
const SIGNAL = { symbol: "BTC/USDT", side: "long" as const, stopLoss: "61234.5", takeProfits: [{ price: "67890.5", share: "1" }] };
const OPEN_LEVELS = ["BTC/USDT", "61234.5", "67890.5", "64000"];
const MOVED_STOP = "62345.5";
const EXIT = "65432.1";
const KINDS: ChannelKind[] = ["discord", "telegram", "webhook"];

let chat = 1000;
async function destination(userId: string, kind: ChannelKind, opts: { purpose?: ChannelPurpose; includeLevels?: boolean; events?: string[]; status?: "active" | "pending" | "disabled" } = {}) {
  const [row] = await db
    .insert(notificationChannels)
    .values({
      userId,
      kind,
      purpose: opts.purpose ?? "alerts",
      label: `${kind} ${opts.purpose ?? "alerts"}`,
      status: opts.status ?? "active",
      urlEnc:
        kind === "telegram"
          ? null
          : sealFor("channel-url", kind === "discord" ? `https://discord.com/api/webhooks/12345678901234567${chat}/Tok3nTok3nTok3nTok3nTok3n` : `https://hooks.example.com/tradsy/${chat}`),
      secretEnc: kind === "webhook" ? sealFor("webhook-secret", "whsec_test") : null,
      telegramChatId: kind === "telegram" ? String(++chat) : null,
      events: opts.events ?? [...CHANNEL_EVENT_TYPES],
      includeLevels: opts.includeLevels ?? false,
    })
    .returning();
  return row!;
}

/** Every destination kind for one user and purpose. */
async function allKinds(userId: string, opts: Parameters<typeof destination>[2] = {}) {
  const out: Record<ChannelKind, string> = { discord: "", telegram: "", webhook: "" };
  for (const kind of KINDS) out[kind] = (await destination(userId, kind, opts)).id;
  return out;
}

/** A payload as text with thousands separators and escapes removed, so "61,234.50" and "61234\\.5" both read 61234.5. */
const plain = (payload: unknown) => JSON.stringify(payload).replace(/[,\\]/g, "");

async function deliveriesTo(channelIds: string[], event: string) {
  return db
    .select()
    .from(channelDeliveries)
    .where(and(inArray(channelDeliveries.channelId, channelIds), eq(channelDeliveries.event, event)));
}

/** The matrix's world: a provider, its audience, and a destination of every kind for each. */
async function world() {
  const p = await newProvider();
  const entitled = await createUser("subscriber", { name: "Entitled" });
  const lapsed = await createUser("subscriber", { name: "Lapsed" });
  const free = await createUser("subscriber", { name: "Free paper" });
  const stranger = await createUser("subscriber", { name: "Stranger" });
  await subscribe(entitled.id, p.provider.id, "active");
  await subscribe(lapsed.id, p.provider.id, "canceled");
  await db.insert(copySettings).values({ userId: lapsed.id, providerId: p.provider.id });
  await db.insert(copySettings).values({ userId: free.id, providerId: p.provider.id });
  const d = {
    entitled: await allKinds(entitled.id),
    lapsed: await allKinds(lapsed.id),
    free: await allKinds(free.id),
    stranger: await allKinds(stranger.id),
    providerOwnAlerts: await allKinds(p.user.id),
    communityWithLevels: await allKinds(p.user.id, { purpose: "community", includeLevels: true }),
    communityWithout: await allKinds(p.user.id, { purpose: "community", includeLevels: false }),
  };
  return { p, entitled, lapsed, free, stranger, d };
}

type Row = keyof Awaited<ReturnType<typeof world>>["d"];
/** Who receives signal events, and who may see an open signal's levels. */
const MATRIX: Record<Row, { receives: boolean; levels: boolean }> = {
  entitled: { receives: true, levels: true },
  lapsed: { receives: true, levels: false },
  free: { receives: true, levels: false },
  stranger: { receives: false, levels: false },
  providerOwnAlerts: { receives: false, levels: false },
  communityWithLevels: { receives: true, levels: true },
  communityWithout: { receives: true, levels: false },
};

describe("the entitlement matrix, on the stored payloads", () => {
  it("open levels reach only entitled destinations, for every kind, on publish, update and close", async () => {
    const w = await world();
    const { signal } = await publishSignal(actingAs(w.p.user), w.p.provider.id, SIGNAL, "ui");
    await waitForInlineRuns();
    await moveStop(actingAs(w.p.user), { signalId: signal.id, providerId: w.p.provider.id }, MOVED_STOP);
    await waitForInlineRuns();
    market.setPrice("BTC/USDT", EXIT);
    await closeSignal(actingAs(w.p.user), { signalId: signal.id, providerId: w.p.provider.id }, {});
    await waitForInlineRuns();

    const seen: string[] = [];
    for (const [row, expected] of Object.entries(MATRIX) as [Row, (typeof MATRIX)[Row]][]) {
      for (const kind of KINDS) {
        const id = w.d[row][kind];
        const at = `${row} ${kind}`;
        const published = await deliveriesTo([id], "signal.published");
        const updated = await deliveriesTo([id], "signal.updated");
        const closed = await deliveriesTo([id], "signal.closed");
        expect([published.length, updated.length, closed.length], at).toEqual(expected.receives ? [1, 1, 1] : [0, 0, 0]);
        if (!expected.receives) continue;
        seen.push(at);
        const open = [plain(published[0]!.payload), plain(updated[0]!.payload)];
        const ended = plain(closed[0]!.payload);
        if (expected.levels) {
          for (const level of OPEN_LEVELS) expect(open[0], `${at} published shows ${level}`).toContain(level);
          expect(open[1], `${at} updated shows the moved stop`).toContain(MOVED_STOP);
          expect(ended, `${at} closed shows the exit`).toContain(EXIT);
        } else {
          for (const text of open) for (const level of [...OPEN_LEVELS, MOVED_STOP]) expect(text, `${at} open signal leaks ${level}`).not.toContain(level);
          // A finished signal's market and side are public (the track record); its prices are not.
          expect(ended, `${at} closed names the market`).toContain("BTC/USDT");
          for (const price of ["61234.5", "67890.5", MOVED_STOP, EXIT, "64000"]) expect(ended, `${at} closed leaks ${price}`).not.toContain(price);
        }
        if (kind === "webhook") {
          const envelope = published[0]!.payload as { id: string; type: string; data: { entitled: boolean; signal: Record<string, unknown> } };
          expect(envelope).toMatchObject({ type: "signal.published", data: { entitled: expected.levels } });
          expect("levels" in envelope.data.signal, at).toBe(expected.levels);
          expect("symbol" in envelope.data.signal, at).toBe(expected.levels);
        }
      }
    }
    expect(seen).toHaveLength(15);

    // Channels and email agree on who follows and who is entitled (services/alerts/signals.ts alertRecipients).
    const emailed = (await alertRecipients(db, w.p.provider.id, "new_signal", new Date())).map((r) => [r.user_id, r.entitled]);
    const hooks = await db
      .select({ userId: channelDeliveries.userId, payload: channelDeliveries.payload })
      .from(channelDeliveries)
      .innerJoin(notificationChannels, eq(notificationChannels.id, channelDeliveries.channelId))
      .where(and(eq(channelDeliveries.event, "signal.published"), eq(notificationChannels.kind, "webhook"), eq(notificationChannels.purpose, "alerts")));
    const channelled = hooks.map((h) => [h.userId, (h.payload as { data: { entitled: boolean } }).data.entitled]);
    const byUser = (a: unknown[], b: unknown[]) => String(a[0]).localeCompare(String(b[0]));
    expect(channelled.sort(byUser)).toEqual(emailed.sort(byUser));
    expect(emailed).toHaveLength(3);

    // One event, one id: every destination's delivery of the publication carries the same event id (its chain entry's).
    const all = await db.select().from(channelDeliveries).where(eq(channelDeliveries.event, "signal.published"));
    expect(new Set(all.map((d) => d.eventId)).size).toBe(1);
    expect(all[0]!.dedupeKey).toMatch(/^sev_/);
    expect(all[0]!.eventId).toBe(eventIdOf(all[0]!.dedupeKey!.split(":")[0]!));
  });

  it("the provider's lapsed follower without a following, and a subscriber of another provider, hear nothing", async () => {
    const p = await newProvider();
    const other = await newProvider();
    const lapsedOnly = await createUser("subscriber");
    const elsewhere = await createUser("subscriber");
    await subscribe(lapsedOnly.id, p.provider.id, "past_due");
    await subscribe(elsewhere.id, other.provider.id, "active");
    const ids = [...Object.values(await allKinds(lapsedOnly.id)), ...Object.values(await allKinds(elsewhere.id))];
    await publishSignal(actingAs(p.user), p.provider.id, SIGNAL, "ui");
    await waitForInlineRuns();
    expect(await deliveriesTo(ids, "signal.published")).toEqual([]);
  });
});

describe("fan-out rules", () => {
  async function oneFollower() {
    const p = await newProvider();
    const reader = await createUser("subscriber");
    await subscribe(reader.id, p.provider.id, "active");
    return { p, reader };
  }

  it("a repeated run queues nothing twice; a destination added later gets no history", async () => {
    const { p, reader } = await oneFollower();
    const first = await destination(reader.id, "webhook");
    const { signal } = await publishSignal(actingAs(p.user), p.provider.id, SIGNAL, "ui");
    await waitForInlineRuns();
    expect(await deliveriesTo([first.id], "signal.published")).toHaveLength(1);
    const later = await destination(reader.id, "discord");
    expect(await fanOutSignalEvent({ signalId: signal.id, providerId: p.provider.id, trigger: "published" })).toEqual({ queued: 0 });
    expect(await deliveriesTo([first.id, later.id], "signal.published")).toHaveLength(1);
  });

  it("honours the destination's events, its per-provider choice, and its status", async () => {
    const { p, reader } = await oneFollower();
    const noSignals = await destination(reader.id, "webhook", { events: ["copy.rejected"] });
    const mutedHere = await destination(reader.id, "discord");
    await db.insert(channelProviderPrefs).values({ channelId: mutedHere.id, providerId: p.provider.id, newSignal: false, signalClosed: true });
    const pending = await destination(reader.id, "telegram", { status: "pending" });
    const disabled = await destination(reader.id, "webhook", { status: "disabled" });
    const wanted = await destination(reader.id, "telegram");
    const { signal } = await publishSignal(actingAs(p.user), p.provider.id, SIGNAL, "ui");
    await waitForInlineRuns();
    const published = await deliveriesTo([noSignals.id, mutedHere.id, pending.id, disabled.id, wanted.id], "signal.published");
    expect(published.map((d) => d.channelId)).toEqual([wanted.id]);
    await closeSignal(actingAs(p.user), { signalId: signal.id, providerId: p.provider.id }, {});
    await waitForInlineRuns();
    // The per-provider choice is per kind of alert: closed signals still reach the destination muted for new ones.
    const closed = await deliveriesTo([noSignals.id, mutedHere.id, pending.id, disabled.id, wanted.id], "signal.closed");
    expect(closed.map((d) => d.channelId).sort()).toEqual([mutedHere.id, wanted.id].sort());
  });

  it(`sends nothing older than ${CHANNEL_LOOKBACK_MS / 3_600_000} h`, async () => {
    const { p, reader } = await oneFollower();
    const dest = await destination(reader.id, "webhook");
    const { signal } = await publishSignal(actingAs(p.user), p.provider.id, SIGNAL, "ui");
    await waitForInlineRuns();
    await db.delete(channelDeliveries);
    const late = new Date(Date.now() + CHANNEL_LOOKBACK_MS + 60_000);
    expect(await fanOutSignalEvent({ signalId: signal.id, providerId: p.provider.id, trigger: "published" }, late)).toEqual({ queued: 0 });
    expect(await fanOutSignalEvent({ signalId: signal.id, providerId: p.provider.id, trigger: "published" })).toEqual({ queued: 1 });
    expect(await deliveriesTo([dest.id], "signal.published")).toHaveLength(1);
  });

  it("copy events go to the order's own user only, once, and the risk pause once per pause", async () => {
    const { p, reader } = await oneFollower();
    const other = await createUser("subscriber");
    await subscribe(other.id, p.provider.id, "active");
    const mine = await destination(reader.id, "webhook");
    const theirs = await destination(other.id, "webhook");
    const [filled] = await db
      .insert(copyOrders)
      .values({ clientOrderId: "fanout-test-1", userId: reader.id, providerId: p.provider.id, venue: "paper", symbol: "BTC/USDT", side: "buy", leg: "entry", status: "filled", quantity: "0.0125", fillPrice: "64000.5", fee: "0.8" })
      .returning();
    const [rejected] = await db
      .insert(copyOrders)
      .values({ clientOrderId: "fanout-test-2", userId: reader.id, providerId: p.provider.id, venue: "paper", symbol: "BTC/USDT", side: "buy", leg: "entry", status: "rejected", quantity: "1", reason: "insufficient_funds: Not enough paper balance" })
      .returning();
    const event = { userIds: [reader.id], filled: [filled!.id], skipped: [], rejected: [rejected!.id] };
    expect(await fanOutCopyOrders(event)).toEqual({ queued: 2 });
    expect(await fanOutCopyOrders(event)).toEqual({ queued: 0 });
    const rows = await db.select().from(channelDeliveries).where(inArray(channelDeliveries.channelId, [mine.id, theirs.id]));
    expect(rows.map((r) => [r.channelId, r.event]).sort()).toEqual([
      [mine.id, "copy.filled"],
      [mine.id, "copy.rejected"],
    ]);
    const rejectedPayload = rows.find((r) => r.event === "copy.rejected")!.payload as { data: { order: { reason: string; quantity: string } } };
    expect(rejectedPayload.data.order).toMatchObject({ reason: "Not enough paper balance", quantity: "1" });

    const pause = { userId: reader.id, providerId: p.provider.id, reason: "daily_loss_limit" as const };
    expect(await fanOutRiskPause(pause, "evt-job-1")).toEqual({ queued: 1 });
    expect(await fanOutRiskPause(pause, "evt-job-1")).toEqual({ queued: 0 });
    expect((await deliveriesTo([theirs.id], "copy.risk_paused")).length).toBe(0);
  });
});

