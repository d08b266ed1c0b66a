/**
 * A strategy running live owns an automated provider row; "the user's provider" must still be their personal one
 * (personalProviderOf) everywhere a user's provider is looked up by owner: account.me (the dashboard and settings), and
 * the community channels (made for the personal provider's own signals, never a strategy's).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { candle, useFakeMarket } from "@/test/fake-market";
import { signedIn } from "@/test/factories";
import { actingAs } from "@/test/signals";
import { waitForInlineRuns } from "@/server/jobs/inline/runner";
import { resetRateLimits } from "@/server/rate-limit";
import { channelDeliveries, notificationChannels, personalProviderOf, providers, signals } from "@/server/db/schema";
import { setOutboundResolver } from "@/server/http/safe-fetch";
import { sealFor } from "@/server/crypto/secret-box";
import type { Candle } from "@/server/integrations/market-data";
import { fanOutSignalEvent } from "@/server/services/channels/fanout";
import { CHANNEL_EVENT_TYPES } from "@/server/services/channels/events";
import { startRun, tickRun } from ".";

const t = useTestDatabase();
const market = useFakeMarket();
beforeEach(() => resetRateLimits());
beforeAll(() => setOutboundResolver(async () => [{ address: "10.0.0.1", family: 4 }]));
afterAll(() => setOutboundResolver(null));
afterEach(() => waitForInlineRuns());

const H = 3_600_000;
const T0 = Date.UTC(2026, 0, 5, 0);
const fixture = (): Candle[] => Array.from({ length: 300 }, (_, i) => candle(T0 - (300 - i) * H, "100", "100.5", "99.5", "100"));

async function startFor(user: { id: string; role: "provider" | "admin" | "subscriber" }) {
  market.setCandles("BTC/USDT", "1h", fixture());
  market.now = () => new Date(T0);
  return startRun(actingAs(user, { now: new Date(T0) }), { source: { kind: "curated", curatedId: "ema-cross", params: { fast: 2, slow: 5 } }, symbol: "BTC/USDT", timeframe: "1h", confirm: true });
}

describe("account.me with a strategy running live", () => {
  it("an admin running a strategy has no provider profile of their own", async () => {
    const { user, caller } = await signedIn("admin");
    await startFor(user);
    expect((await caller.account.me()).provider).toBeNull();
  });

  it("a provider's profile is their personal one, not the strategy's, whichever row the database reads first", async () => {
    const { user, caller } = await signedIn("provider");
    const run = await startFor(user);
    // An update rewrites the personal row after the automated one (as an edit of the profile does).
    const [personal] = await t.db.update(providers).set({ tagline: "My own calls" }).where(personalProviderOf(user.id)).returning();
    const me = await caller.account.me();
    expect(me.provider?.id).toBe(personal!.id);
    expect(me.provider?.id).not.toBe(run.providerId);
    expect((await t.db.select().from(providers).where(eq(providers.userId, user.id))).length).toBe(2);
  });
});

describe("community channels with a strategy running live", () => {
  it("the personal provider's community channel does not post the strategy's signals", async () => {
    const { user } = await signedIn("provider");
    const [community] = await t.db
      .insert(notificationChannels)
      .values({
        userId: user.id,
        kind: "discord",
        purpose: "community",
        label: "My community",
        status: "active",
        urlEnc: sealFor("channel-url", "https://discord.com/api/webhooks/123456789012345678/Tok3nTok3nTok3nTok3nTok3n"),
        events: [...CHANNEL_EVENT_TYPES],
        includeLevels: true,
      })
      .returning();
    // Flat history, then a rise: EMA(2) crosses above EMA(5) on the first live candles, so the run enters long.
    const live = [100, 101, 103, 106, 110, 115];
    const candles = [...fixture(), ...live.map((p, i) => candle(T0 + i * H, String(p), String(p + 0.5), String(p - 0.5), String(p)))];
    market.setCandles("BTC/USDT", "1h", candles);
    market.now = () => new Date(T0);
    const run = await startRun(actingAs(user, { now: new Date(T0) }), { source: { kind: "curated", curatedId: "ema-cross", params: { fast: 2, slow: 5 } }, symbol: "BTC/USDT", timeframe: "1h", confirm: true });
    const at = new Date(T0 + live.length * H + 60_000);
    market.now = () => at;
    market.setPrice("BTC/USDT", "115");
    expect((await tickRun(run.id, at)).published).toBe(1);
    await waitForInlineRuns();
    const [signal] = await t.db.select().from(signals).where(eq(signals.providerId, run.providerId));
    await fanOutSignalEvent({ signalId: signal!.id, providerId: run.providerId, trigger: "published" }, at);
    expect(await t.db.select().from(channelDeliveries).where(eq(channelDeliveries.channelId, community!.id))).toEqual([]);
  });
});
