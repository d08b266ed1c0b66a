/**
 * What the live stream tells each viewer of a provider's page (issue 9, defect 9). While a signal is live and its
 * levels are hidden from a viewer, the kind of change is hidden too: "stop_moved" or "partial_close" would tell a
 * non-subscriber what the provider just did. Such a viewer gets a neutral "changed" with the hidden view; an entitled
 * viewer, on the same stream, gets the real kind and the levels. A close makes the signal public: everyone then
 * gets "closed" in full.
 */
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { useTestDatabase } from "@/test/db";
import { useFakeMarket } from "@/test/fake-market";
import { createUser } from "@/test/factories";
import { actingAs, newProvider, subscribe, untilListening, within } from "@/test/signals";
import { createCaller } from "@/server/api/root";
import { createTRPCContext, type SessionUser } from "@/server/api/trpc";
import { resetRateLimits } from "@/server/rate-limit";
import { closeSignal, moveStop, publishSignal } from "@/server/services/signals";
import { waitForInlineRuns } from "@/server/jobs/inline/runner";
import { listenerCount, signalChanges, stopRealtime, type SignalChange } from "./index";

useTestDatabase();
const market = useFakeMarket();
beforeEach(() => resetRateLimits());
afterAll(() => stopRealtime());

/** A `signals.live` stream for one viewer on one provider's page, read item by item. */
async function openStream(user: SessionUser | null, providerSlug: string) {
  const abort = new AbortController();
  const ctx = await createTRPCContext({ headers: new Headers({ "x-forwarded-for": "203.0.113.9" }), session: user ? { user } : null });
  const iterator = (await createCaller(ctx, { signal: abort.signal }).signals.live({ providerSlug }))[Symbol.asyncIterator]();
  // The generator subscribes on its first pull: start it now, so the stream listens before anything is published.
  let pending = iterator.next();
  return {
    next: async (what: string) => {
      const r = await within(pending, 5000, what);
      pending = iterator.next();
      return r.done ? null : r.value;
    },
    close: async () => {
      abort.abort();
      await pending.catch(() => undefined);
      await iterator.return?.(undefined);
    },
  };
}

const LEVELS = ["32050.5", "33777.77", "33500.5", "30111.11", "32000.25"];

describe("signals.live on a provider's page", () => {
  it("sends a viewer without access a neutral 'changed' for a hidden signal, and a subscriber the real kind", async () => {
    const p = await newProvider();
    const subscriber = await createUser("subscriber");
    await subscribe(subscriber.id, p.provider.id, "active");
    const outsider = await createUser("subscriber");
    const base = listenerCount();
    const viewers = { subscriber: await openStream(subscriber, p.provider.slug), outsider: await openStream(outsider, p.provider.slug), anonymous: await openStream(null, p.provider.slug) };
    const meta = actingAs(p.user);
    try {
      await untilListening(base + 3);
      const seen: Record<string, { kind: string; visibility: string }[]> = { subscriber: [], outsider: [], anonymous: [] };
      let signalId = "";
      // One change at a time, each read by every viewer before the next: the stream loads the row when the
      // notification arrives, so a later change must not overtake an earlier one.
      const steps: (() => Promise<unknown>)[] = [
        async () => {
          market.setPrice("BTC/USDT", "32050.5");
          const { signal } = await publishSignal(meta, p.provider.id, { symbol: "BTC/USDT", side: "short", stopLoss: "33777.77", takeProfits: [{ price: "30111.11", share: "1" }] }, "ui");
          signalId = signal.id;
        },
        () => moveStop(meta, { providerId: p.provider.id, signalId }, "33500.5"),
        async () => {
          market.setPrice("BTC/USDT", "32000.25");
          await closeSignal(meta, { providerId: p.provider.id, signalId }, { share: "0.5" });
        },
        () => closeSignal(meta, { providerId: p.provider.id, signalId }, {}),
      ];
      for (const [i, step] of steps.entries()) {
        await step();
        for (const [who, stream] of Object.entries(viewers)) {
          const item = await stream.next(`change ${i + 1} for ${who}`);
          expect(item?.signal.id, who).toBe(signalId);
          seen[who]!.push({ kind: item!.kind, visibility: item!.signal.visibility });
          // While hidden, nothing the viewer may not see: no levels, only the hidden view's fields.
          if (item!.signal.visibility === "hidden") {
            expect(LEVELS.filter((l) => JSON.stringify(item).includes(l)), who).toEqual([]);
            expect(Object.keys(item!.signal).sort(), who).toEqual(["hash", "id", "number", "providerId", "publishedAt", "status", "visibility"]);
          }
        }
      }
      expect(seen.subscriber).toEqual([
        { kind: "published", visibility: "full" },
        { kind: "stop_moved", visibility: "full" },
        { kind: "partial_close", visibility: "full" },
        { kind: "closed", visibility: "full" },
      ]);
      for (const who of ["outsider", "anonymous"]) {
        expect(seen[who], who).toEqual([
          { kind: "changed", visibility: "hidden" },
          { kind: "changed", visibility: "hidden" },
          { kind: "changed", visibility: "hidden" },
          { kind: "closed", visibility: "full" },
        ]);
      }
    } finally {
      for (const stream of Object.values(viewers)) await stream.close();
      await waitForInlineRuns();
    }
  });
});

describe("the hub's broadcast", () => {
  it("gives every stream every change in order when there are more streams than one slice, and changes overlap", async () => {
    const p = await newProvider();
    const meta = actingAs(p.user);
    const abort = new AbortController();
    const base = listenerCount();
    // More streams than the hub hands a change per event-loop turn, so the second change arrives mid-broadcast.
    const streams = Array.from({ length: 150 }, () => signalChanges(abort.signal));
    const got: SignalChange["kind"][][] = streams.map(() => []);
    const reading = streams.map(async (stream, i) => {
      for await (const change of stream) {
        if (change.providerId !== p.provider.id) continue;
        got[i]!.push(change.kind);
        if (got[i]!.length === 3) return;
      }
    });
    try {
      await untilListening(base + streams.length);
      market.setPrice("BTC/USDT", "32050.5");
      const { signal } = await publishSignal(meta, p.provider.id, { symbol: "BTC/USDT", side: "short", stopLoss: "33777.77" }, "ui");
      // Without waiting for delivery: each change may arrive while the previous one is still being handed out.
      await moveStop(meta, { providerId: p.provider.id, signalId: signal.id }, "33500.5");
      await closeSignal(meta, { providerId: p.provider.id, signalId: signal.id }, {});
      await within(Promise.all(reading), 10_000, "every stream's three changes");
      expect(new Set(got.map((kinds) => kinds.join(",")))).toEqual(new Set(["published,stop_moved,closed"]));
    } finally {
      abort.abort();
      await Promise.allSettled(reading);
      await waitForInlineRuns();
    }
    expect(listenerCount()).toBe(base);
  });
});
